"""Inserting many rows at once, for bulk loaders and the history log.

Core's ``insert()`` builds a parameter dict per row through the type system, which costs
more than SQLite's own work at 100,000 findings. On SQLite, rows of plain values (text,
numbers, ISO dates: what the column types store) go straight to the driver's
``executemany``. Other databases take Core's path, which is right for every type.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
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
