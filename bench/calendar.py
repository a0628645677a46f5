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


ACTIONS_SQL = """
SELECT a.id, a.ref, a.version, a.kind, a.description, a.owner_id, p.name, a.target_on,
       a.status, a.completed_on
  FROM corrective_actions a LEFT JOIN people p ON p.id = a.owner_id
 WHERE a.owner_id = ? AND a.status IN ('in_progress', 'planned')
 ORDER BY a.target_on IS NULL, a.target_on, a.ref
"""
LINKS_SQL = """
SELECT fa.action_id, f.id, f.ref, fa.cycle, f.cycle
  FROM finding_actions fa JOIN findings f ON f.id = fa.finding_id
 WHERE fa.action_id IN (SELECT id FROM corrective_actions
                         WHERE owner_id = ? AND status IN ('in_progress', 'planned'))
"""


def actions(path: Path) -> dict[str, float]:
    """The Actions tab's list once an owner is picked (its default status filter is the
    open actions), for the person who owns the most."""
    from carapp.queries.actions import LIVE, ActionsFilter, action_rows
    from carapp.store import open_register

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    (owner,) = conn.execute(
        "SELECT owner_id FROM corrective_actions WHERE owner_id IS NOT NULL "
        "GROUP BY owner_id ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    start = time.perf_counter()
    raw = conn.execute(ACTIONS_SQL, (owner,)).fetchall()
    conn.execute(LINKS_SQL, (owner,)).fetchall()
    baseline = time.perf_counter() - start
    conn.close()
    register = open_register(path)
    start = time.perf_counter()
    rows = action_rows(register, ActionsFilter(owner_id=owner, statuses=frozenset(LIVE)), TODAY)
    seconds = time.perf_counter() - start
    # And with "Any status": every action the owner ever had, done and cancelled too.
    start = time.perf_counter()
    every = action_rows(register, ActionsFilter(owner_id=owner), TODAY)
    every_seconds = time.perf_counter() - start
    register.close()
    assert len(rows) == len(raw), "the same actions"
    return {
        "seconds": seconds,
        "baseline": baseline,
        "rows": len(rows),
        "every_seconds": every_seconds,
        "every_rows": len(every),
    }


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
        elif what == "actions":
            result = actions(path)
        elif what == "ics":
            result = ics(path, Path(folder))
        else:
            raise SystemExit(f"unknown measure {what!r}: month, actions or ics")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
