"""The calendar's reads on a demo register, each in a fresh process as a user meets them.

    python -m bench.calendar REGISTER month     # the dates of a month view
    python -m bench.calendar REGISTER actions   # the actions tab, filtered by one owner
    python -m bench.calendar REGISTER ics       # an .ics of every open date

Each prints one JSON object: carapp's seconds and, where there is one, the baseline's (a
raw sqlite3 query of the same rows, run first in the same process so that it, not carapp,
pays for reading the pages from disk).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

TODAY = dt.date(2026, 11, 23)
# A month view shows six weeks: the Monday on or before the 1st, 42 days on.
MONTH_START = dt.date(2026, 10, 26)
MONTH_END = MONTH_START + dt.timedelta(days=41)


def month(path: Path) -> dict[str, float]:
    from carapp.queries import agenda
    from carapp.store import open_register

    sql, parameters = agenda.raw_dates_sql(MONTH_START, MONTH_END)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    start = time.perf_counter()
    raw = conn.execute(sql, parameters).fetchall()
    baseline = time.perf_counter() - start
    conn.close()
    register = open_register(path)
    start = time.perf_counter()
    marks = agenda.day_marks(register, MONTH_START, MONTH_END, TODAY)
    seconds = time.perf_counter() - start
    register.close()
    assert sum(m.total for m in marks.values()) == len(raw), "the same dates"
    return {"seconds": seconds, "baseline": baseline}


def ics(path: Path, folder: Path) -> dict[str, float]:
    """Every open date of the register to an .ics file: the read and the writing, whole."""
    from carapp.exports.ics import write_ics
    from carapp.store import open_register

    register = open_register(path)
    start = time.perf_counter()
    events = write_ics(register, folder / "all.ics", TODAY)
    seconds = time.perf_counter() - start
    register.close()
    return {"seconds": seconds, "events": events}


def main(argv: list[str]) -> int:
    path, what = Path(argv[0]), argv[1]
    with tempfile.TemporaryDirectory() as folder:
        if what == "month":
            result = month(path)
        elif what == "ics":
            result = ics(path, Path(folder))
        else:
            raise SystemExit(f"unknown measure {what!r}: month, actions or ics")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
