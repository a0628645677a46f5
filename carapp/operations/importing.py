"""Importing a spreadsheet register: the plan of :mod:`carapp.imports.plan`, written.

All or nothing: the register is first copied beside itself (a SQLite register; a server
keeps its own backups), then every finding, the people it names and the import's own record
are written in one transaction, through the bulk path the demo uses (the same workflow rules
and the same history). The rows are built again inside that transaction, so what is written
is checked against the register as it is then, not as it was at the preview.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import select

from carapp.account import actor as default_actor
from carapp.errors import InvalidInputError
from carapp.imports.build import apply_updates, build
from carapp.imports.fields import Field
from carapp.imports.plan import ImportPlan
from carapp.imports.rows import Problem
from carapp.models import bulk_load, finding_index, history
from carapp.models.bulk import insert_rows, oldest_collections_paused
from carapp.models.entities import Base, Finding, RegisterImport
from carapp.models.history import head_table, now_utc, stamp
from carapp.operations.changes import (
    ACTIONS,
    AUDITS,
    FINDINGS,
    PEOPLE,
    REVIEWS,
    ROOT_CAUSES,
    Changes,
    changes_of,
)
from carapp.progress import Progress, no_progress
from carapp.store import Register, backup

PEOPLE_COLUMNS = ("id", "name", "role", "email", "retired")


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did: the findings it created and updated (by reference), the rows it
    left out, and where the copy of the register from before it was saved."""

    import_id: int
    created: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: int
    skipped: int
    flagged: int
    people_added: tuple[str, ...]
    backup: Path | None
    changes: Changes[int]

    @property
    def wrote(self) -> bool:
        """Whether anything was written (an import that would change nothing writes nothing)."""
        return self.import_id != 0

    def summary(self) -> str:
        if not self.wrote:
            return (
                f"nothing to import: the {self.unchanged} findings it made before are in the "
                "register as the file has them"
                + (f", and {self.skipped} rows cannot be imported" if self.skipped else "")
            )
        parts = [
            f"{len(self.created)} {'finding' if len(self.created) == 1 else 'findings'} created",
            f"{len(self.updated)} updated",
            f"{self.unchanged} unchanged",
            f"{self.skipped} {'row' if self.skipped == 1 else 'rows'} skipped",
        ]
        if self.flagged:
            parts.append(f"{self.flagged} flagged for review")
        return ", ".join(parts)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup_path(register_path: Path, moment: dt.datetime) -> Path:
    """Where the copy from before an import goes: beside the register, named for when."""
    when = moment.astimezone().strftime("%Y%m%d-%H%M%S")
    return register_path.with_name(
        f"{register_path.stem}.before-import-{when}{register_path.suffix}"
    )


def _stamped(batch: bulk_load.Batch, at: str, actor: str) -> bulk_load.Batch:
    """``batch`` with every entry recorded ``at`` by ``actor``: an import is recorded when
    it runs, by whoever runs it, whenever its preview was built."""
    return replace(
        batch,
        created=[
            (t, first, final, members, at, actor)
            for t, first, final, members, _a, _b in batch.created
        ],
        changes=[
            (t, i, name, old, new, note, at, actor)
            for t, i, name, old, new, note, _a, _b in batch.changes
        ],
    )


REPORT_LIMIT = 2000  # sentences kept with the import's record


def _report(problems: list[Problem]) -> list[str]:
    ordered = sorted(problems, key=lambda p: (not p.blocking, p.row))
    kept = [p.sentence() for p in ordered[:REPORT_LIMIT]]
    if len(ordered) > REPORT_LIMIT:
        kept.append(f"And {len(ordered) - REPORT_LIMIT} more.")
    return kept


def run_import(
    register: Register,
    plan: ImportPlan,
    *,
    actor: str | None = None,
    today: dt.date | None = None,
    progress: Progress = no_progress,
    cancel: Callable[[], None] | None = None,
) -> ImportResult:
    """Write ``plan``: every row it can import, or, when a row cannot be imported and the
    plan does not skip such rows, nothing."""
    if not plan.can_commit:
        first = plan.errors[0].sentence()
        raise InvalidInputError(
            f"{len(plan.failed_rows) or len(plan.errors)} of the rows cannot be imported "
            f"(first: {first}); correct them, or leave them out (--skip-errors). "
            "Nothing was written."
        )
    if not plan.changes_anything:
        # Every row is in the register as the file has it: no backup, no record.
        return ImportResult(
            import_id=0,
            created=(),
            updated=(),
            unchanged=plan.unchanged,
            skipped=plan.skipped,
            flagged=len(plan.flags),
            people_added=(),
            backup=None,
            changes=Changes(0, {}),
        )
    path = plan.spreadsheet.path
    try:
        unchanged_file = file_sha256(path) == plan.spreadsheet.sha256
    except OSError:
        unchanged_file = False
    if not unchanged_file:
        raise InvalidInputError(
            f"{path.name} has changed or gone since it was read; read it again and check "
            "the preview before importing. Nothing was written."
        )
    actor = actor or default_actor()
    moment = (register.clock or now_utc)()
    today = today or moment.astimezone().date()
    saved = None
    if register.path is not None:
        saved = backup(register.path, backup_path(register.path, moment))
    at = stamp(moment)
    with oldest_collections_paused(), register.session(actor=actor) as session:
        conn = session.connection()
        seq, head = conn.execute(select(head_table.c.seq, head_table.c.hash)).one()
        built = plan.built
        # Unchanged since the preview: the rows it found unchanged still are.
        updates = [u for u in built.updates if u.changed] if built is not None else []
        if built is None or built.batch is None or built.basis != (seq, head):
            # The register changed since the preview: build again from it as it is now.
            built = build(
                conn,
                plan.rows,
                file_name=path.name,
                related=plan.related,
                today=today,
                actor=actor,
                at=at,
                sources_given=Field.SOURCE in plan.mapping.fields,
                progress=progress,
                cancel=cancel,
            )
            updates = built.updates
        assert built.batch is not None
        batch = _stamped(built.batch, at, actor)
        failed = {p.row for p in built.problems if p.blocking and p.row}
        if failed and not plan.skip_errors:
            raise InvalidInputError(
                f"The register changed since the preview and {len(failed)} of the rows can "
                "no longer be imported; preview the import again. Nothing was written."
            )
        people = Base.metadata.tables["people"]
        insert_rows(
            conn,
            people,
            PEOPLE_COLUMNS,
            [(pid, name, "", "", False) for name, pid in built.new_people.items()],
        )
        history.append(
            conn,
            [
                history.creation(
                    "people",
                    pid,
                    {"name": name, "role": "", "email": "", "retired": False},
                    note=f"named in {path.name}",
                    at=at,
                    actor=actor,
                )
                for name, pid in built.new_people.items()
            ],
            actor,
            at,
        )
        bulk_load.write(conn, batch, actor, at)
        created_ids = batch.finding_ids
        if created_ids:
            finding_index.refresh(conn, created_ids)
        apply_updates(session, updates, cancel=cancel)
        session.flush()
        updated_ids = [u.finding_id for u in updates if u.changed]
        record = RegisterImport(
            file_name=path.name[:260],
            sha256=plan.spreadsheet.sha256,
            sheet=plan.table.name[:200],
            mapping=json.dumps(plan.mapping.record(plan.table), ensure_ascii=False),
            created=len(created_ids),
            updated=len(updated_ids),
            unchanged=len(built.updates) - len(updated_ids),
            skipped=len(failed) + sum(1 for r in plan.rows if r.left_out),
            report=json.dumps(_report(built.problems), ensure_ascii=False),
        )
        session.add(record)
        session.flush()
        refs: dict[int, str] = {}
        wanted = created_ids + updated_ids
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            query = select(Finding.id, Finding.ref).where(Finding.id.in_(chunk))
            refs.update((int(fid), str(ref)) for fid, ref in session.execute(query))
    flagged = sum(1 for p in built.problems if not p.blocking)
    changed = changes_of(session, record.id)
    records = dict(changed.records)
    records[FINDINGS] = records.get(FINDINGS, frozenset()) | frozenset(created_ids)
    records[PEOPLE] = records.get(PEOPLE, frozenset()) | frozenset(built.new_people.values())
    for table in (ACTIONS, REVIEWS, ROOT_CAUSES, AUDITS):
        ids = frozenset(row[0] for row in batch.rows.get(table, []))
        records[table] = records.get(table, frozenset()) | ids
    return ImportResult(
        import_id=record.id,
        created=tuple(refs[i] for i in created_ids),
        updated=tuple(refs[i] for i in updated_ids),
        unchanged=len(built.updates) - len(updated_ids),
        skipped=len(failed) + sum(1 for r in plan.rows if r.left_out),
        flagged=flagged,
        people_added=tuple(built.new_people),
        backup=saved,
        changes=Changes(record.id, records),
    )
