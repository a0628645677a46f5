"""The finding editor's timings on one register, each in a fresh process.

``python -m bench.editor REGISTER prepare`` gives one open finding 10 actions, 3 reviews
and 200 history entries (through the use cases, as a user would have); then ``open``,
``save`` and ``attach`` each print one JSON object:

- open: seconds from asking for the editor to its first paint with the finding's data,
  beside the bare way (sqlite3 reading the same finding, its actions, reviews and history);
- save: seconds from pressing Save on a changed title to the register table showing it,
  beside sqlite3 updating the title and committing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TODAY = dt.date(2026, 11, 23)
MARK = "bench-editor"


def _target(path: str) -> str:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT ref FROM findings WHERE cb_ref = ? ORDER BY id LIMIT 1", (MARK,)
        ).fetchone()
        if row:
            return str(row[0])
        row = conn.execute(
            "SELECT ref FROM findings WHERE stage = 'cause_found' AND classification = 'minor' "
            "ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return str(row[0])
    finally:
        conn.close()


def prepare(path: str) -> dict[str, Any]:
    from carapp import operations as op
    from carapp.models.enums import ActionKind
    from carapp.queries import finding_detail
    from carapp.store import open_register

    ref = _target(path)
    register = open_register(path)
    try:
        detail = finding_detail(register, ref, TODAY)
        if detail.cb_ref == MARK:
            return {"ref": ref}
        person = op.add_person(register, "Bench Owner").result
        for n in range(10 - len(detail.current_actions)):
            op.plan_action(
                register,
                [ref],
                ActionKind.CORRECTIVE,
                f"Bench action {n + 1}",
                person,
                TODAY + dt.timedelta(days=30 + n),
                "Measured outcome",
            )
        for n in range(3):
            op.record_review(register, ref, op.ReviewDraft(f"Bench review {n + 1}"))
        while len(finding_detail(register, ref, TODAY).history) < 199:
            op.update_finding(
                register,
                ref,
                _draft(finding_detail(register, ref, TODAY), f"{detail.title} ({time.time_ns()})"),
            )
        op.update_finding(
            register, ref, _draft(finding_detail(register, ref, TODAY), detail.title, MARK)
        )
        return {"ref": ref}
    finally:
        register.close()


def _draft(detail: Any, title: str, cb_ref: str | None = None) -> Any:
    from carapp import operations as op

    return op.FindingDraft(
        title=title,
        source=detail.source,
        classification=detail.classification,
        identified_on=detail.identified,
        statement=detail.statement,
        evidence_observed=detail.evidence_observed,
        area=detail.area,
        audit_ref=detail.audit,
        cb_ref=detail.cb_ref if cb_ref is None else cb_ref,
        raised_by_id=detail.raised_by_id,
        requirement_codes=[r.code for r in detail.requirements],
    )


def _bare_read(path: str, ref: str) -> float:
    start = time.perf_counter()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    (finding_id,) = conn.execute("SELECT id FROM findings WHERE ref = ?", (ref,)).fetchone()
    conn.execute("SELECT * FROM findings WHERE id = ?", (finding_id,)).fetchall()
    actions = conn.execute(
        "SELECT a.* FROM corrective_actions a JOIN finding_actions l ON l.action_id = a.id "
        "WHERE l.finding_id = ?",
        (finding_id,),
    ).fetchall()
    conn.execute(
        "SELECT * FROM effectiveness_reviews WHERE finding_id = ?", (finding_id,)
    ).fetchall()
    action_ids = ",".join(str(a[0]) for a in actions) or "0"
    conn.execute(
        "SELECT * FROM history WHERE (entity = 'findings' AND entity_id = ?) OR "
        f"(entity = 'corrective_actions' AND entity_id IN ({action_ids})) ORDER BY seq",
        (finding_id,),
    ).fetchall()
    conn.close()
    return time.perf_counter() - start


def open_editor(path: str) -> dict[str, Any]:
    from bench.gui import FirstPaint, make_application
    from carapp.store import open_register
    from carapp.ui.editor import FindingEditor

    ref = _target(path)
    app = make_application([])
    register = open_register(path)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        editor = FindingEditor(register, ref, TODAY)
        painted = FirstPaint(editor)
        editor.show()
        while painted.at is None:
            app.processEvents()
        times.append(painted.at - start)
        editor.discard()
        app.processEvents()
    register.close()
    bare = min(_bare_read(path, ref) for _ in range(5))
    return {"seconds": min(times), "baseline": bare}


def save_to_table(path: str) -> dict[str, Any]:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QLineEdit

    from bench.gui import _wait, make_application
    from carapp.queries import register_table as rt
    from carapp.store import open_register
    from carapp.ui.main_window import MainWindow

    ref = _target(path)
    app = make_application([])
    settings = QSettings(tempfile.mktemp(suffix=".ini"), QSettings.Format.IniFormat)
    register = open_register(path)
    window = MainWindow(register, today=lambda: TODAY, settings=settings)
    window.resize(1280, 800)
    window.show()
    _wait(window, app)
    window.search.setText(ref)
    window.refresh()
    _wait(window, app)
    title_column = window.model.columns.index(rt.Column.TITLE)
    times = []
    for n in range(5):
        editor = window.open_editor(ref)
        app.processEvents()
        title = next(w for w in editor.findChildren(QLineEdit) if w.accessibleName() == "Title")
        new = f"Bench title {n} {time.time_ns()}"
        title.setText(new)
        start = time.perf_counter()
        editor.save()
        deadline = time.perf_counter() + 60
        while window.model.index(0, title_column).data() != new:
            if time.perf_counter() > deadline:
                raise RuntimeError(f"the table did not show the title saved for {ref}")
            # Idle between turns, as an event loop waiting for input does: a loop that
            # never sleeps would hold the interpreter the save thread needs.
            app.processEvents()
            time.sleep(0.0005)
        times.append(time.perf_counter() - start)
        editor.discard()
        app.processEvents()
    window.close()
    register.close()
    copy = Path(tempfile.mkdtemp()) / "copy.sqlite"
    copy.write_bytes(Path(path).read_bytes())
    bare = []
    for n in range(5):
        conn = sqlite3.connect(copy)
        start = time.perf_counter()
        with conn:
            conn.execute("UPDATE findings SET title = ? WHERE ref = ?", (f"bare {n}", ref))
        bare.append(time.perf_counter() - start)
        conn.close()
    copy.unlink()
    return {"seconds": min(times), "baseline": min(bare)}


def main() -> int:
    path, what = sys.argv[1], sys.argv[2]
    measure = {"prepare": prepare, "open": open_editor, "save": save_to_table}[what]
    print(json.dumps(measure(path)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
