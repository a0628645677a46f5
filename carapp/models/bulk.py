"""Inserting many rows at once, for bulk loaders and the history log.

Core's ``insert()`` builds a parameter dict per row through the type system, which costs
more than SQLite's own work at 100,000 findings. On SQLite, rows of plain values (text,
numbers, ISO dates: what the column types store) go straight to the driver's
``executemany``. Other databases take Core's path, which is right for every type.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import gc
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Table, insert


def plain(value: Any) -> Any:
    """What SQLAlchemy's types store on SQLite: enums by value, dates as ISO text."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def insert_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert rows of plain values, given in the order of ``columns``."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', rows)


def insert_many(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows``, dicts with the same keys, in one executemany."""
    if not rows:
        return
    columns = list(rows[0])
    insert_rows(conn, table, columns, [tuple(plain(r[c]) for c in columns) for r in rows])


class _Pause:
    """How many are under way, and the oldest generation's threshold to give back."""

    lock = threading.Lock()
    depth = 0
    saved = 0


@contextlib.contextmanager
def oldest_collections_paused() -> Iterator[None]:
    """Hold off the garbage collector's passes over its oldest generation while many
    records are built: each pass walks every object alive, and with 10,000 findings in
    memory one holds every thread, the GUI's too, for a tenth of a second or more. The
    young generations, which free most garbage, still run. Nested and threaded uses
    restore the setting when the last one ends."""
    with _Pause.lock:
        if _Pause.depth == 0:
            young, middle, _Pause.saved = gc.get_threshold()
            gc.set_threshold(young, middle, 1_000_000)
        _Pause.depth += 1
    try:
        yield
    finally:
        with _Pause.lock:
            _Pause.depth -= 1
            if _Pause.depth == 0:
                young, middle, _ = gc.get_threshold()
                gc.set_threshold(young, middle, _Pause.saved)
