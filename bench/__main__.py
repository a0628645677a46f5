"""Build demo registers of growing size and time carapp against a bare baseline.

Each row times one carapp operation and, where there is one, the same work done the bare
way in the same run (a fresh Python that runs a raw sqlite3 SELECT of the same rows and
prints them as JSON), so the ratio is what carapp costs on top of the database. Timings are
wall-clock medians of --repeat runs, each in a fresh process, as a user meets them.

    python -m bench                      # 1k, 10k and 100k findings
    python -m bench --sizes 1000 --repeat 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TODAY = "2026-11-23"
Row = tuple[str, int, float, str, float | None]
LIST_SQL = """
SELECT f.ref, f.title, f.classification, f.stage, f.identified_on, f.plan_due,
       f.closure_due, f.plan_sent_on, f.source, a.ref, f.cb_ref
FROM findings f LEFT JOIN audits a ON a.id = f.audit_id
ORDER BY f.identified_on, f.id
"""


def carapp(*args: str) -> Callable[[], None]:
    def run() -> None:
        subprocess.run(
            [sys.executable, "-m", "carapp", *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    return run


def raw_select(path: Path) -> Callable[[], None]:
    """The bare way: a fresh Python that SELECTs the same rows and prints them as JSON."""
    script = (
        "import json, sqlite3, sys\n"
        f"conn = sqlite3.connect('file:{path}?mode=ro', uri=True)\n"
        f"rows = conn.execute({LIST_SQL!r}).fetchall()\n"
        "json.dump(rows, sys.stdout)\n"
    )

    def run() -> None:
        subprocess.run([sys.executable, "-c", script], check=True, stdout=subprocess.DEVNULL)

    return run


def fresh(module: str, path: Path, what: str) -> dict[str, Any]:
    """One measurement by ``module`` (bench/gui.py, editor.py, workshop.py) in a fresh
    process, as a user meets it; the JSON object it prints last."""
    done = subprocess.run(
        [sys.executable, "-m", module, str(path), what],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def gui_rows(path: Path, repeat: int) -> list[Row]:
    size = int(path.stem.split("-")[-1])
    # Alternated, so that a busy moment of the machine falls on both sides alike, and the
    # best of each side: on a shared machine, noise only ever adds time.
    opened, empty = [], []
    for _ in range(max(repeat, 7)):
        opened.append(fresh("bench.gui", path, "open")["seconds"])
        empty.append(fresh("bench.gui", path, "bare")["seconds"])
    live = fresh("bench.gui", path, "interactive")
    slowest = max(live["sorts"], key=live["sorts"].get)
    return [
        (
            "GUI open to first paint",
            size,
            min(opened),
            "same window, empty (<=1.5x)",
            min(empty),
        ),
        (
            "GUI search keystroke",
            size,
            live["keystroke_median"],
            "sqlite3 same filter (<=3x)",
            live["raw_median"],
        ),
        (f"GUI sort ({slowest})", size, live["sorts"][slowest], "target <= 0.300 s", None),
        ("GUI scroll, worst block", size, live["scroll_worst"], "target <= 0.050 s", None),
        ("GUI resident MB", size, live["rss_mb"], "target <= 300 MB", None),
        (
            "GUI longest pause adding a 20 MB attachment",
            size,
            fresh("bench.gui", path, "attach")["seconds"],
            "target <= 0.050 s",
            None,
        ),
    ]


def editor_rows(path: Path) -> list[Row]:
    size = int(path.stem.split("-")[-1])
    # 10 actions, 3 reviews, 200 history entries on one finding
    fresh("bench.editor", path, "prepare")
    opened, saved = fresh("bench.editor", path, "open"), fresh("bench.editor", path, "save")
    return [
        (
            "editor open to paint",
            size,
            opened["seconds"],
            "sqlite3 same rows (<=0.150 s)",
            opened["baseline"],
        ),
        (
            "editor save to table",
            size,
            saved["seconds"],
            "sqlite3 UPDATE (<=0.150 s)",
            saved["baseline"],
        ),
    ]


RULE_CHANGE = """
import sys, time
from carapp import operations as op
from carapp.models.enums import Classification
from carapp.store import open_register
register = open_register(sys.argv[1])
start = time.perf_counter()
op.set_deadline_rule(register, "*", Classification.MINOR, 30, int(sys.argv[2]))
print(time.perf_counter() - start)
register.close()
"""
RULE_CHANGE_BASELINE = """
import sys, time, sqlite3
conn = sqlite3.connect(sys.argv[1])
start = time.perf_counter()
with conn:
    conn.execute(
        "UPDATE findings SET closure_due = date(identified_on, '+' || ? || ' days') "
        "WHERE classification = 'minor' AND stage NOT IN ('closed', 'void')",
        (int(sys.argv[2]),),
    )
print(time.perf_counter() - start)
"""


def workshop_rows(path: Path) -> list[Row]:
    from bench.minutes import minutes_row

    size = int(path.stem.split("-")[-1])
    opened = min(
        (fresh("bench.workshop", path, "open") for _ in range(3)), key=lambda r: r["seconds"]
    )
    typed = fresh("bench.workshop", path, "typing")
    return [
        (
            "Workshop wizard open",
            size,
            opened["seconds"],
            "sqlite3 finding+similar (<=0.3 s)",
            opened["baseline"],
        ),
        (
            "Workshop typing, worst block",
            size,
            typed["seconds"],
            "bare line edit (<=0.030 s)",
            typed["baseline"],
        ),
        minutes_row(),
    ]


def calendar_rows(path: Path) -> list[Row]:
    """The calendar's month, the actions tab by owner and the .ics, best of three fresh
    processes each (noise on this shared machine only ever adds time)."""
    size = int(path.stem.split("-")[-1])

    def best(what: str) -> dict[str, Any]:
        runs = [fresh("bench.calendar", path, what) for _ in range(3)]
        return min(runs, key=lambda r: r["seconds"])

    month, actions, ics = best("month"), best("actions"), best("ics")
    return [
        (
            "calendar month dates",
            size,
            month["seconds"],
            "sqlite3 same dates (<=0.1 s, 3x)",
            month["baseline"],
        ),
        (
            f"actions tab, one owner's {actions['rows']:,}",
            size,
            actions["seconds"],
            "sqlite3 same rows (<=0.1 s)",
            actions["baseline"],
        ),
        (
            f"actions tab, owner, all {actions['every_rows']:,}",
            size,
            actions["every_seconds"],
            "",
            None,
        ),
        (
            f".ics of {ics['events']:,} open dates",
            size,
            ics["seconds"],
            "(target <= 2 s)",
            None,
        ),
    ]


def export_rows() -> list[Row]:
    """The exports, each on the register size its target names (they build their own)."""
    from bench.exports import pack_row
    from bench.pdf_register import pdf_rows
    from bench.xlsx import xlsx_row

    return [xlsx_row(), *pdf_rows(), pack_row(), *import_rows()]


def import_rows() -> list[Row]:
    """A 10,000-row spreadsheet register imported (read, preview, commit) in a fresh
    process, and the GUI thread's longest wait meanwhile (bench/imports.py)."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.imports"], check=True, capture_output=True, text=True
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return [
        (
            "import xlsx (read+preview+commit)",
            10_000,
            result["seconds"],
            "openpyxl read-only read",
            result["baseline"],
        ),
        ("import: preview alone", 10_000, result["preview"], "", None),
        ("import: commit alone", 10_000, result["commit"], "", None),
        ("import: worst GUI block", 10_000, result["worst_block"], "(target <= 0.05 s)", None),
    ]


def rule_change_row(path: Path, repeat: int) -> Row:
    """Changing a deadline rule, timed inside the process (the use case or the bare UPDATE
    of the open findings' dates) on copies of the register, so each run changes dates."""
    size = int(path.stem.split("-")[-1])
    spent: dict[str, list[float]] = {RULE_CHANGE: [], RULE_CHANGE_BASELINE: []}
    for run in range(repeat):
        for script, times in spent.items():
            copy = path.with_name(f"rules-{size}.sqlite")
            shutil.copy(path, copy)
            done = subprocess.run(
                [sys.executable, "-c", script, str(copy), str(100 + run)],
                check=True,
                capture_output=True,
                text=True,
            )
            times.append(float(done.stdout.strip().splitlines()[-1]))
            copy.unlink()
    return (
        "deadline rule change",
        size,
        statistics.median(spent[RULE_CHANGE]),
        "sqlite3 UPDATE open dates",
        statistics.median(spent[RULE_CHANGE_BASELINE]),
    )


def timed(action: Callable[[], None], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="findings per register")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median)")
    parser.add_argument("--keep", type=Path, help="keep the registers in this folder")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    folder = args.keep or Path(tempfile.mkdtemp(prefix="carapp-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        rows = measure(folder, sizes, args.repeat)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)  # 1.5 GB at 100,000 findings
    print_table(rows)
    return 0


def measure(folder: Path, sizes: list[int], repeat: int) -> list[Row]:
    rows: list[Row] = []
    for size in sizes:
        path = folder / f"demo-{size}.sqlite"
        path.unlink(missing_ok=True)
        build = carapp("demo", str(path), "--findings", str(size), "--seed", "1", "--today", TODAY)
        rows.append(("carapp demo", size, timed(build, 1), "(target < 60 s at 100k)", None))
        listing = carapp("--register", str(path), "--today", TODAY, "list", "--json")
        baseline = timed(raw_select(path), repeat)
        rows.append(
            (
                "carapp list --json",
                size,
                timed(listing, repeat),
                "python + sqlite3 SELECT",
                baseline,
            )
        )
        rows.append(
            ("carapp check", size, timed(carapp("--register", str(path), "check"), 1), "", None)
        )
        rows.append(rule_change_row(path, repeat))
        if size == max(sizes):
            rows += gui_rows(path, repeat)
            rows += editor_rows(path)
            rows += workshop_rows(path)
            rows += calendar_rows(path)
        print(f"  {size:>7,} findings measured", file=sys.stderr)
    return rows + export_rows()


def print_table(rows: list[Row]) -> None:
    print(f"\ncarapp benchmarks, {dt.date.today()}, Python {sys.version.split()[0]}")
    header = f"{'operation':<22} {'findings':>9} {'seconds':>9}  {'baseline':<24} {'seconds':>9}"
    print(f"{header} {'ratio':>7}")
    for name, size, seconds, base_name, base in rows:
        base_text = f"{base:9.3f}" if base is not None else " " * 9
        ratio = f"{seconds / base:6.1f}x" if base else ""
        print(f"{name:<22} {size:>9,} {seconds:9.3f}  {base_name:<24} {base_text} {ratio:>7}")


if __name__ == "__main__":
    sys.exit(main())
