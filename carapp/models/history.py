"""The append-only, hash-chained history of every change to every record.

Two ways in, one writer: ORM sessions get their changes recorded by flush hooks
(:func:`install`), and bulk loaders (the demo generator, later the spreadsheet import) hand
rows to :func:`creation`. Both end in :func:`append`, which numbers the entries,
chains their hashes and moves the chain head, in the caller's transaction.

A creation is one entry whose ``new`` holds every tracked field; an update is one entry per
changed field. Replaying the log therefore rebuilds every record, which is how
``carapp check`` finds a row that another tool changed behind the register's back.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

from sqlalchemy import Connection, event, inspect, select, update
from sqlalchemy.orm import Session, UOWTransaction

from carapp.models.bulk import insert_rows
from carapp.models.entities import (
    TRACKED,
    TRACKED_COLLECTIONS,
    Base,
    HistoryEntry,
    HistoryHead,
    tracked_columns,
)

GENESIS = "0" * 64
CREATED = "(created)"

history_table = Base.metadata.tables[HistoryEntry.__tablename__]
head_table = Base.metadata.tables[HistoryHead.__tablename__]


class HardDeleteRefused(Exception):
    """A tracked record was about to be deleted; the register never deletes."""


def encode(value: Any) -> Any:
    """A JSON-ready form of a column value, the same whichever way the value arrived."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, float):
        return value
    raise TypeError(f"cannot record a {type(value).__name__} in history")


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"cannot record a {type(value).__name__} in history")


_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default
)


def dumps(value: Any) -> str | None:
    """Canonical JSON of a value, raw or :func:`encode`-d: both give the same text (enums
    are ``StrEnum``s and serialise as their values)."""
    if value is None:
        return None
    return _CANONICAL.encode(value)


HISTORY_COLUMNS = (
    "seq", "at", "actor", "entity", "entity_id", "field", "old", "new", "note", "prev_hash", "hash",
)  # fmt: skip


def entry_hash(prev_hash: str, row: Mapping[Any, Any]) -> str:
    """The SHA-256 that chains an entry (a row of the history table) to the one before."""
    return _hash(
        prev_hash,
        row["seq"],
        row["at"],
        row["actor"],
        row["entity"],
        row["entity_id"],
        row["field"],
        row["old"],
        row["new"],
        row["note"],
    )


def _hash(
    prev_hash: str,
    seq: int,
    at: str,
    actor: str,
    entity: str,
    entity_id: int,
    field: str,
    old: str | None,
    new: str | None,
    note: str,
) -> str:
    parts = (
        prev_hash,
        str(seq),
        at,
        actor,
        entity,
        str(entity_id),
        field,
        "\x00" if old is None else old,
        "\x00" if new is None else new,
        note or "",
    )
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


class Change(NamedTuple):
    """A change not yet numbered nor chained (a tuple: bulk loads make millions)."""

    entity: str
    entity_id: int
    field: str
    old: str | None
    new: str | None
    note: str = ""
    # Set by bulk loaders that replay a past; the ORM hooks stamp the flush instead.
    at: str | None = None
    actor: str | None = None


def creation(
    table_name: str,
    entity_id: int,
    values: Mapping[str, Any],
    members: Iterable[int] = (),
    *,
    note: str = "",
    at: str | None = None,
    actor: str | None = None,
) -> Change:
    """The creation entry of a record: every tracked field, and for an owner of a tracked
    collection (a finding's requirements) the sorted ids of its members."""
    snapshot = {c: values[c] for c in tracked_columns(table_name)}
    if table_name in TRACKED_COLLECTIONS:
        snapshot[TRACKED_COLLECTIONS[table_name][0]] = sorted(members)
    return Change(table_name, entity_id, CREATED, None, dumps(snapshot), note, at, actor)


def append(conn: Connection, changes: Iterable[Change], actor: str, at: str) -> int:
    """Chain ``changes`` onto the log in the caller's transaction; return how many."""
    head_query = select(head_table.c.seq, head_table.c.hash).where(head_table.c.id == 1)
    if conn.dialect.name != "sqlite":
        # Serialises writers on servers; SQLite already has one writer at a time.
        head_query = head_query.with_for_update()
    start, prev = conn.execute(head_query).one()
    seq = start
    batch: list[tuple[Any, ...]] = []
    for change in changes:
        seq += 1
        row = (
            seq,
            change.at or at,
            change.actor or actor,
            change.entity,
            change.entity_id,
            change.field,
            change.old,
            change.new,
            change.note,
        )
        hashed = _hash(prev, *row)
        batch.append((*row, prev, hashed))
        prev = hashed
        if len(batch) >= 5000:
            insert_rows(conn, history_table, HISTORY_COLUMNS, batch)
            batch = []
    insert_rows(conn, history_table, HISTORY_COLUMNS, batch)
    if seq != start:
        conn.execute(update(head_table).where(head_table.c.id == 1).values(seq=seq, hash=prev))
    return int(seq - start)


# --- ORM hooks -------------------------------------------------------------------------

Clock = Callable[[], dt.datetime]


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def default_actor() -> str:
    """The operating-system account (and the name its user set), never an environment
    variable: see :mod:`carapp.account`."""
    from carapp.account import actor

    return actor()


def note_changed(session: Session, table: str, ids: Iterable[int]) -> None:
    """Remember that the session changed these records, for :func:`changed_records`."""
    session.info.setdefault(_CHANGED, {}).setdefault(table, set()).update(ids)


def changed_records(session: Session) -> dict[str, frozenset[int]]:
    """Every record the session has changed so far, by table: those written to history and
    the findings whose derived state (stage, deadlines, index) they touched."""
    return {t: frozenset(ids) for t, ids in session.info.get(_CHANGED, {}).items() if ids}


_CHANGED = "changed_records"


def note_all(session: Session, note: str) -> None:
    """Give every entry this session writes from now on ``note``, unless it has its own."""
    session.info["history_note"] = note


def annotate(session: Session, obj: Base, field: str, note: str) -> None:
    """Attach a reason to the history entry that the next flush writes for ``obj.field``."""
    session.info.setdefault("history_notes", {})[(id(obj), field)] = note


def install(session_class: type[Session] | Any) -> None:
    """Record every flush of ``session_class`` (a Session class or sessionmaker)."""
    event.listen(session_class, "before_flush", _refuse_deletes)
    event.listen(session_class, "after_flush", _record_flush)


def _refuse_deletes(session: Session, _ctx: UOWTransaction, _instances: object) -> None:
    for obj in session.deleted:
        if type(obj).__tablename__ in TRACKED:
            raise HardDeleteRefused(
                f"{type(obj).__name__} records are never deleted: void, retire or cancel it"
            )


def _record_flush(session: Session, _ctx: UOWTransaction) -> None:
    notes: dict[tuple[int, str], str] = session.info.pop("history_notes", {})
    changes: list[Change] = []
    for obj in sorted(session.new, key=_order):
        table = getattr(obj, "__tablename__", None)
        if table in TRACKED:
            changes.extend(_creation(obj, table, notes))
    for obj in sorted(session.dirty, key=_order):
        table = getattr(obj, "__tablename__", None)
        if table in TRACKED and session.is_modified(obj):
            changes.extend(_updates(obj, table, notes))
    # A note for the whole transaction (a workshop's team analysis) where no entry has its own.
    if default := session.info.get("history_note", ""):
        changes = [c if c.note else c._replace(note=default) for c in changes]
    for change in changes:
        note_changed(session, change.entity, (change.entity_id,))
    if changes:
        clock: Clock = session.info.get("clock", now_utc)
        actor = session.info.get("actor") or default_actor()
        append(session.connection(), changes, actor, stamp(clock()))


def _order(obj: object) -> tuple[str, int]:
    return (getattr(obj, "__tablename__", ""), getattr(obj, "id", 0) or 0)


def _creation(obj: Base, table: str, notes: dict[tuple[int, str], str]) -> list[Change]:
    values = {c: getattr(obj, c) for c in tracked_columns(table)}
    members = ()
    if table in TRACKED_COLLECTIONS:
        members = tuple(m.id for m in getattr(obj, TRACKED_COLLECTIONS[table][0]))
    entity_id: int = obj.id  # type: ignore[attr-defined]
    return [creation(table, entity_id, values, members, note=notes.get((id(obj), CREATED), ""))]


def has_changes(obj: Base) -> bool:
    """Whether a flush would write any history entry for ``obj``."""
    return bool(_updates(obj, type(obj).__tablename__, {}))


def _updates(obj: Base, table: str, notes: dict[tuple[int, str], str]) -> list[Change]:
    state = inspect(obj)
    out: list[Change] = []
    for column in tracked_columns(table):
        hist = state.attrs[column].history
        if not hist.has_changes():
            continue
        old = hist.deleted[0] if hist.deleted else None
        new = hist.added[0] if hist.added else None
        if encode(old) == encode(new):
            continue
        out.append(
            Change(
                table,
                obj.id,  # type: ignore[attr-defined]
                column,
                dumps(encode(old)),
                dumps(encode(new)),
                notes.get((id(obj), column), ""),
            )
        )
    if table in TRACKED_COLLECTIONS:
        field = TRACKED_COLLECTIONS[table][0]
        hist = state.attrs[field].history
        if hist.has_changes():
            kept = [m.id for m in hist.unchanged]
            old_ids = sorted(kept + [m.id for m in hist.deleted])
            new_ids = sorted(kept + [m.id for m in hist.added])
            if old_ids != new_ids:
                out.append(
                    Change(
                        table,
                        obj.id,  # type: ignore[attr-defined]
                        field,
                        dumps(old_ids),
                        dumps(new_ids),
                        notes.get((id(obj), field), ""),
                    )
                )
    return out
