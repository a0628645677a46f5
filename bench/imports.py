"""Importing a 10,000-row register kept in someone else's spreadsheet, in a fresh process.

    python -m bench.imports          # prints one JSON object

The file has a title block above its headings and the columns a site register keeps (the
guide's fields under other people's names, dates as Excel dates and as dd/mm/yyyy text).
Timed: reading it, the preview (a dry run of every row through the workflow), and the
commit (backup, one transaction), into a new register; and the worst the GUI thread was
held up (a timer ticking every 5 ms) while the preview and the commit ran on carapp's
background runner. The baseline is openpyxl reading the same file's cell values in
read-only mode, the plainest way to get at them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROWS = 10_000
TODAY = dt.date(2026, 11, 23)
HEADINGS = (
    "NC No.",
    "Date raised",
    "Raised by",
    "Source",
    "Finding",
    "Details",
    "Grade",
    "Clause",
    "Immediate correction",
    "Root cause",
    "Cause category",
    "Corrective action",
    "Action owner",
    "Due date",
    "Expected outcome",
    "Date completed",
    "Status",
    "Date closed",
)
PEOPLE = ("Tom Okafor", "Priya Natarajan", "Grace Achterberg", "José Müller", "Ana Kowalska")
STATUSES = ("Open", "In progress", "Actions complete", "Closed", "Closed - verified")


def write_register(path: Path, rows: int = ROWS) -> Path:
    from openpyxl import Workbook

    rng = random.Random(27001)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Register")
    sheet.append(["Northwind Logistics: nonconformity and corrective action register"])
    sheet.append([f"Kept by the ISMS manager; printed {TODAY:%d %B %Y}"])
    sheet.append([])
    sheet.append(list(HEADINGS))
    for n in range(1, rows + 1):
        raised = TODAY - dt.timedelta(days=rng.randrange(30, 700))
        status = rng.choice(STATUSES)
        done = status not in {"Open", "In progress"}
        sheet.append(
            [
                f"NC-{n:05d}",
                dt.datetime.combine(raised, dt.time()) if n % 2 else raised.strftime("%d/%m/%Y"),
                rng.choice(PEOPLE),
                rng.choice(("Internal audit", "Surveillance audit", "Incident", "Self-identified")),
                f"Finding {n}: leavers' accounts left active in system {n % 37}",
                "Two of fourteen leavers sampled still had active accounts after their last day.",
                rng.choice(("Minor", "Major", "Observation", "OFI")),
                rng.choice(("A.5.18", "A.8.2", "9.2", "A.5.15; A.8.5")),
                "Accounts disabled the same day" if done else "",
                "The leavers checklist has no step for system accounts",
                rng.choice(("Process design", "Ownership", "Technology")),
                "Add system account removal to the leavers checklist",
                rng.choice(PEOPLE),
                (raised + dt.timedelta(days=60)).strftime("%d/%m/%Y"),
                "No leaver's account active a day after leaving, in a monthly sample",
                (raised + dt.timedelta(days=50)).strftime("%d/%m/%Y") if done else None,
                status,
                (raised + dt.timedelta(days=80)).strftime("%d/%m/%Y")
                if status.startswith("Closed")
                else None,
            ]
        )
    book.save(path)
    return path


def bare_read(path: Path) -> float:
    from openpyxl import load_workbook

    start = time.perf_counter()
    book = load_workbook(path, read_only=True, data_only=True)
    cells = sum(len(row) for row in book["Register"].iter_rows(values_only=True))
    book.close()
    assert cells > ROWS
    return time.perf_counter() - start


def measure(folder: Path) -> dict[str, Any]:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from carapp import operations as op
    from carapp.imports.mapping import auto_mapping
    from carapp.imports.plan import ImportPlan, plan_import
    from carapp.imports.sheets import read_spreadsheet
    from carapp.operations.importing import ImportResult, run_import
    from carapp.ui import tasks

    os.environ.setdefault("CARAPP_CONFIG", str(folder / "config"))
    path = write_register(folder / "site register.xlsx")
    baseline = bare_read(path)
    register = op.create_register(folder / "register.sqlite", "Northwind Logistics Ltd")
    app = QApplication.instance() or QApplication([])
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    outcome: dict[str, Any] = {}

    def wait(task: tasks.Task[Any]) -> None:
        while not task.ended:
            app.processEvents()

    def failed(sentence: str) -> None:
        raise SystemExit(sentence)

    start = time.perf_counter()
    spreadsheet = read_spreadsheet(path)
    read = time.perf_counter() - start
    table = spreadsheet.proposed
    timer.start()
    start = time.perf_counter()
    wait(
        tasks.run(
            lambda cancel: plan_import(
                register, spreadsheet, table, auto_mapping(table), today=TODAY, cancel=cancel.check
            ),
            lambda plan: outcome.__setitem__("plan", plan),
            failed,
        )
    )
    preview = time.perf_counter() - start
    preview_ticks = len(ticks)
    plan: ImportPlan = outcome["plan"]
    assert plan.ok and plan.created == ROWS, plan.report()[:5]
    start = time.perf_counter()
    wait(
        tasks.run(
            lambda cancel: run_import(register, plan, today=TODAY, cancel=cancel.check),
            lambda result: outcome.__setitem__("result", result),
            failed,
        )
    )
    commit = time.perf_counter() - start
    timer.stop()
    result: ImportResult = outcome["result"]
    assert len(result.created) == ROWS
    register.close()
    return {
        "read": read,
        "preview": preview,
        "commit": commit,
        "seconds": read + preview + commit,
        "baseline": baseline,
        "worst_block": max(b - a for a, b in itertools.pairwise(ticks)),
        "worst_in_preview": max(b - a for a, b in itertools.pairwise(ticks[:preview_ticks])),
        "flagged": result.flagged,
    }


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="carapp-bench-import-") as folder:
        print(json.dumps(measure(Path(folder))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
