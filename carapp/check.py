"""``carapp check``: is this register sound, and has anything changed behind its back?

Checks, in order: SQLite's own integrity check; the schema version and that every table of
it is there (a register missing one is checked no further); the history chain (every
entry's hash, the links between entries, the chain head); that replaying history rebuilds
every record exactly as stored (a row changed, added or removed with another tool shows up
here); that no row links to one that is gone; that attached files still match their SHA-256;
when nothing is missing, that every finding's stage is proven by its record; and that the
history still holds the entries carapp saw in it before (the anchors kept outside the
register, :mod:`carapp.anchors`), which a careful rewrite that recomputes every hash cannot
fake.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, create_engine, inspect, select, text

from carapp.models import finding_index, history, workflow
from carapp.models.entities import (
    LATE_COLUMN_DEFAULTS,
    TRACKED,
    TRACKED_COLLECTIONS,
    Base,
    Evidence,
    tracked_columns,
)
from carapp.queries import load_findings_whole
from carapp.store import (
    Register,
    current_revision,
    head_revision,
    table_problems,
    translate_errors,
)

EXPECTED_TRIGGERS = {"history_no_update", "history_no_delete"} | {f"{t}_no_delete" for t in TRACKED}


@dataclass(frozen=True, slots=True)
class Problem:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass(frozen=True, slots=True)
class Report:
    problems: list[Problem]
    schema: str | None
    history_entries: int
    records: int

    @property
    def sound(self) -> bool:
        return not self.problems


Progress = Callable[[str], None]


def check(register: Register, progress: Progress | None = None) -> Report:
    say = progress or (lambda _msg: None)
    problems: list[Problem] = []
    with translate_errors(register):
        say("SQLite integrity")
        problems += _integrity(register)
        schema = current_revision(register.engine)
        if schema != head_revision():
            problems.append(Problem("schema", f"version {schema}, expected {head_revision()}"))
        with register.engine.connect() as conn:
            say("tables")
            missing = _tables(conn, schema)
            if missing:
                # Every later step reads these tables: report what is gone, not a crash.
                return Report(problems + missing, schema, 0, 0)
            say("history chain")
            chain_problems, entries = _chain(conn)
            problems += chain_problems
            say("records against history")
            replay_problems, records = _replay(conn)
            problems += replay_problems
            say("links between records")
            dangling = _links(conn)
            problems += dangling
            say("attached files")
            problems += _evidence(conn)
            say("sort keys and search index")
            problems += [
                Problem("register table index", sentence) for sentence in _index(register, conn)
            ]
        # Loading a finding whole follows its links: with rows gone there is nothing sound
        # to prove a stage from, and the missing rows are already named above.
        if not dangling:
            say("stages against records")
            problems += _stages(register)
        say("history against the anchors kept outside the register")
        problems += _anchors(register)
    return Report(problems, schema, entries, records)


def _tables(conn: Connection, schema: str | None) -> list[Problem]:
    if schema is None:
        return [Problem("schema", "the register has no schema version")]
    tables = set(inspect(conn).get_table_names())
    full_text = conn.dialect.name == "sqlite"
    return [
        Problem("database", what) for what in table_problems(schema, tables, full_text=full_text)
    ]


def _links(conn: Connection) -> list[Problem]:
    """Rows that point at a row no longer there: removed with another tool, since carapp
    never deletes (PostgreSQL's foreign keys refuse such a delete outright)."""
    if conn.dialect.name != "sqlite":
        return []
    out = []
    for table_name, rowid, parent, fk_id in conn.exec_driver_sql("PRAGMA foreign_key_check"):
        columns = {
            row[0]: row[3]
            for row in conn.exec_driver_sql(f'PRAGMA foreign_key_list("{table_name}")')
        }
        column_name = columns.get(fk_id, "?")
        value = conn.exec_driver_sql(
            f'SELECT "{column_name}" FROM "{table_name}" WHERE rowid = ?', (rowid,)
        ).scalar()
        out.append(
            Problem(
                f"{table_name} row {rowid}",
                f"{column_name} points at {parent} #{value}, which was removed outside carapp",
            )
        )
        if len(out) > 50:
            out.append(Problem("links", "more problems not listed"))
            break
    return out


def _index(register: Register, conn: Connection) -> list[str]:
    if not register.read_only:
        return finding_index.disagreements(conn)
    # SQLite runs the full-text index's own integrity check as an INSERT, which a read-only
    # file refuses: check a copy in memory instead (a read-only register is one being
    # looked at, not one being worked in, so the copy is worth its memory once).
    copy = sqlite3.connect(":memory:")
    try:
        source = conn.connection.driver_connection
        assert isinstance(source, sqlite3.Connection)
        source.backup(copy)
        engine = create_engine("sqlite://", creator=lambda: copy)
        try:
            with engine.connect() as in_memory:
                return finding_index.disagreements(in_memory)
        finally:
            engine.dispose()
    finally:
        copy.close()


def _integrity(register: Register) -> list[Problem]:
    if register.engine.dialect.name != "sqlite":
        return []
    with register.engine.connect() as conn:
        rows = [r[0] for r in conn.execute(text("PRAGMA integrity_check"))]
        triggers = {
            r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type='trigger'"))
        }
    out = [Problem("database", row) for row in rows if row != "ok"]
    out += [
        Problem("database", f"the guard trigger {name} has been removed")
        for name in sorted(EXPECTED_TRIGGERS - triggers)
    ]
    return out


def _chain(conn: Connection) -> tuple[list[Problem], int]:
    out: list[Problem] = []
    table = history.history_table
    prev = history.GENESIS
    expected_seq = 0
    rows = conn.execute(select(table).order_by(table.c.seq)).mappings()
    for row in rows:
        expected_seq += 1
        where = f"history entry {row['seq']}"
        if row["seq"] != expected_seq:
            out.append(Problem(where, f"entries {expected_seq} to {row['seq'] - 1} are missing"))
            expected_seq = row["seq"]
        if row["prev_hash"] != prev:
            out.append(Problem(where, "does not link to the entry before it"))
        if history.entry_hash(row["prev_hash"], row) != row["hash"]:
            out.append(
                Problem(
                    where,
                    f"has been edited ({row['entity']}#{row['entity_id']} {row['field']})",
                )
            )
        prev = row["hash"]
        if len(out) > 50:
            out.append(Problem("history", "more problems not listed"))
            return out, expected_seq
    head = conn.execute(select(history.head_table)).mappings().one_or_none()
    if head is None:
        out.append(Problem("history", "the chain head is missing"))
    elif head["seq"] != expected_seq or head["hash"] != prev:
        out.append(
            Problem(
                "history",
                f"the chain ends at entry {expected_seq} but its head says {head['seq']}: "
                "entries were removed from the end",
            )
        )
    return out, expected_seq


def _folded(conn: Connection, entity: str) -> Iterator[tuple[int, dict[str, Any], list[str]]]:
    """Each record of ``entity`` as its history rebuilds it, in id order."""
    table = history.history_table
    rows = conn.execute(
        select(table.c.entity_id, table.c.field, table.c.old, table.c.new, table.c.seq)
        .where(table.c.entity == entity)
        .order_by(table.c.entity_id, table.c.seq)
    )
    late = LATE_COLUMN_DEFAULTS.get(entity, {})
    for entity_id, group in itertools.groupby(rows, key=lambda r: r.entity_id):
        state: dict[str, Any] = {}
        issues: list[str] = []
        for i, r in enumerate(group):
            if r.field == history.CREATED:
                if i:
                    issues.append(f"created twice (entry {r.seq})")
                state = {**late, **json.loads(r.new)}
                continue
            if i == 0:
                issues.append(f"changed (entry {r.seq}) before it was created")
            old = json.loads(r.old) if r.old is not None else None
            if state.get(r.field) != old:
                issues.append(f"entry {r.seq} changes {r.field} from a value it never had")
            state[r.field] = json.loads(r.new) if r.new is not None else None
        yield entity_id, state, issues


def _stored(conn: Connection, entity: str) -> Iterator[tuple[int, dict[str, Any]]]:
    table = Base.metadata.tables[entity]
    columns = tracked_columns(entity)
    collection = TRACKED_COLLECTIONS.get(entity)
    members: dict[int, list[int]] = {}
    if collection is not None:
        _field, assoc, owner, member = collection
        for owner_id, member_id in conn.execute(select(assoc.c[owner], assoc.c[member])):
            members.setdefault(owner_id, []).append(member_id)
    query = select(table.c.id, *(table.c[c] for c in columns)).order_by(table.c.id)
    for row in conn.execute(query):
        values = {c: history.encode(getattr(row, c)) for c in columns}
        if collection is not None:
            values[collection[0]] = sorted(members.get(row.id, []))
        yield row.id, values


def _describe(entity: str, entity_id: int, values: dict[str, Any] | None) -> str:
    label = TRACKED[entity].__name__
    ref = (values or {}).get("ref")
    return f"{label} {ref}" if ref else f"{label} #{entity_id}"


def _replay(conn: Connection) -> tuple[list[Problem], int]:
    out: list[Problem] = []
    records = 0
    for entity in TRACKED:
        folded = _folded(conn, entity)
        stored = _stored(conn, entity)
        f = next(folded, None)
        s = next(stored, None)
        while f is not None or s is not None:
            if s is not None and (f is None or s[0] < f[0]):
                records += 1
                out.append(
                    Problem(_describe(entity, s[0], s[1]), "was added outside carapp (no history)")
                )
                s = next(stored, None)
            elif f is not None and (s is None or f[0] < s[0]):
                out.append(Problem(_describe(entity, f[0], f[1]), "was removed outside carapp"))
                f = next(folded, None)
            else:
                assert f is not None and s is not None
                records += 1
                where = _describe(entity, s[0], s[1])
                out += [Problem(where, issue) for issue in f[2]]
                for field_name, value in s[1].items():
                    recorded = f[1].get(field_name)
                    if value != recorded:
                        out.append(
                            Problem(
                                where,
                                f"{field_name} was changed outside carapp "
                                f"(history says {_show(recorded)}, the table holds {_show(value)})",
                            )
                        )
                f = next(folded, None)
                s = next(stored, None)
            if len(out) > 200:
                out.append(Problem("records", "more problems not listed"))
                return out, records
    return out, records


def _show(value: Any) -> str:
    text_ = json.dumps(value, ensure_ascii=False)
    return text_ if len(text_) <= 60 else text_[:57] + "..."


def _evidence(conn: Connection) -> list[Problem]:
    table = Evidence.__table__
    out = []
    for row in conn.execute(
        select(table.c.id, table.c.name, table.c.sha256, table.c.size, table.c.data)
    ):
        if hashlib.sha256(row.data).hexdigest() != row.sha256 or len(row.data) != row.size:
            out.append(Problem(f"evidence {row.name} (#{row.id})", "file content has changed"))
    return out


def _stages(register: Register) -> list[Problem]:
    out = []
    with register.sessions() as session:
        for finding in load_findings_whole(session):
            lacks = workflow.missing_for(finding, finding.stage)
            if lacks:
                out.append(
                    Problem(
                        f"Finding {finding.ref}",
                        f"stage \u2018{finding.stage.label}\u2019 is not proven: "
                        + "; ".join(lacks),
                    )
                )
    return out


# --- Anchors kept outside the register --------------------------------------------------------


def _anchors(register: Register) -> list[Problem]:
    from carapp import anchors

    report = anchors.verify(register)
    return [Problem("history", sentence) for sentence in report.rewritten]
