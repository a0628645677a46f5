"""The five-whys wizard's timings on one register, each in a fresh process.

``python -m bench.workshop REGISTER open|typing`` prints one JSON object:

- open: seconds from asking for the wizard on a finding to its pages painted with the
  similar findings listed, beside the bare way (sqlite3 reading the finding and the
  findings sharing its requirements);
- typing: the longest the GUI thread was blocked (a timer ticking every 5 ms) while three
  whys were typed into the chain at 10 characters a second with the draft kept on disk as
  it changed, beside the same typing into a bare line edit.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import sqlite3
import sys
import time
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TODAY = dt.date(2026, 11, 23)
ANSWERS = (
    "IT was not told that they had left.",
    "The HR checklist has no IT step.",
    "Nobody owns the offboarding procedure.",
)
CPS = 10  # characters a second: a fast typist in a room, thinking as they go

SIMILAR_SQL = """
SELECT o.ref, o.title, o.stage FROM finding_requirements mine
JOIN finding_requirements theirs ON theirs.requirement_id = mine.requirement_id
JOIN findings o ON o.id = theirs.finding_id
WHERE mine.finding_id = ? AND o.id != ? AND o.identified_on >= ?
"""


def _finding(path: str) -> tuple[int, str, str]:
    """The latest open minor with a requirement: the usual workshop subject."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT f.id, f.ref, f.identified_on FROM findings f "
            "JOIN finding_requirements r ON r.finding_id = f.id "
            "WHERE f.classification = 'minor' AND f.stage = 'contained' "
            "ORDER BY f.identified_on DESC LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    return int(row[0]), str(row[1]), str(row[2])


def bare_open(path: str) -> float:
    fid, _ref, identified = _finding(path)
    since = (dt.date.fromisoformat(identified) - dt.timedelta(days=365)).isoformat()
    started = time.perf_counter()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.execute("SELECT * FROM findings WHERE id = ?", (fid,)).fetchall()
    conn.execute(SIMILAR_SQL, (fid, fid, since)).fetchall()
    conn.close()
    return time.perf_counter() - started


def open_wizard(path: str) -> dict[str, float]:
    from PySide6.QtWidgets import QApplication

    from carapp.queries.workshops import start_workshop
    from carapp.store import open_register
    from carapp.ui.workshop import WorkshopWindow

    app = QApplication([])
    register = open_register(path)
    _fid, ref, _identified = _finding(path)
    started = time.perf_counter()
    window = WorkshopWindow(register, start_workshop(register, ref, TODAY), TODAY)
    window.keeper.enabled = False
    window.show()
    while not window.context.extras:
        app.processEvents()
    window.repaint()
    seconds = time.perf_counter() - started
    window.close_keeping_draft()
    register.close()
    return {"seconds": seconds, "baseline": bare_open(path)}


def _type_slowly(app: Any, widget_for: Any, window: Any) -> float:
    """Type ANSWERS (Enter between them) at CPS; the GUI thread's longest block."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest

    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    for number, answer in enumerate(ANSWERS, start=1):
        for char in answer:
            target = widget_for(number)
            QTest.keyClicks(target, char)
            next_key = time.perf_counter() + 1 / CPS
            while time.perf_counter() < next_key:
                app.processEvents()
        if number < len(ANSWERS):
            QTest.keyClick(widget_for(number), Qt.Key.Key_Return)
    settle = time.perf_counter() + 1.2  # the last draft write lands
    while time.perf_counter() < settle:
        app.processEvents()
    timer.stop()
    return max(b - a for a, b in itertools.pairwise(ticks))


def typing(path: str) -> dict[str, float]:
    from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

    from carapp.queries.workshops import start_workshop, unfinished_workshops
    from carapp.store import open_register
    from carapp.ui.workshop import WorkshopWindow

    app = QApplication([])
    register = open_register(path)
    _fid, ref, _identified = _finding(path)
    draft = start_workshop(register, ref, TODAY)
    draft.whys = []
    window = WorkshopWindow(register, draft, TODAY)
    window.show()
    window.go(1, check=False)
    while not window.context.extras:
        app.processEvents()

    def answer_box(number: int) -> QWidget:
        found = [
            w
            for w in window.findChildren(QWidget)
            if w.accessibleName() == f"Why {number} answer" and w.isVisible()
        ]
        return found[0]

    worst = _type_slowly(app, answer_box, window)
    kept = [d for d in unfinished_workshops(register) if d.ref == ref]
    assert kept and kept[0].draft is not None
    assert [w.answer for w in kept[0].draft.ordered()] == list(ANSWERS), "draft not kept"
    window.close_keeping_draft()
    from carapp import operations as op

    op.discard_draft(register, ref)
    register.close()

    line = QLineEdit()
    line.show()
    bare = _type_slowly(app, lambda _n: line, line)
    return {"seconds": worst, "baseline": bare}


def main() -> int:
    path, what = sys.argv[1], sys.argv[2]
    result = {"open": open_wizard, "typing": typing}[what](path)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
