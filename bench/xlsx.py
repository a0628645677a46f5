"""Exports of a 10,000-finding demo register, each timed against a bare baseline of the
same output made the plainest way in the same run.

    python -m bench.xlsx

xlsx_row: write_register_xlsx against a bare openpyxl write-only workbook dumping the same
cell values (the rows register_rows reads) into three sheets, with no styles, tables, cover
or sanitising. Both are timed in this process, median of REPEAT after one warm-up of each.
"""

from __future__ import annotations

import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

TODAY = dt.date(2026, 11, 23)
FINDINGS = 10_000
REPEAT = 3
Row = tuple[str, int, float, str, float | None]


def _demo(folder: Path, findings: int) -> Path:
    path = folder / "demo.sqlite"
    subprocess.run(
        [
            *(sys.executable, "-m", "carapp", "demo", str(path)),
            *("--findings", str(findings), "--seed", "1", "--today", TODAY.isoformat()),
        ],
        check=True,
        capture_output=True,
    )
    return path


def _median(run: Callable[[], object]) -> float:
    run()
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def xlsx_row(findings: int = FINDINGS) -> Row:
    from openpyxl import Workbook

    from carapp.exports.scope import ExportScope, selected_ids
    from carapp.exports.xlsx import register_rows, write_register_xlsx
    from carapp.store import open_register

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        register = open_register(_demo(folder, findings))
        try:
            scope = ExportScope(TODAY)
            rows = register_rows(register, selected_ids(register, scope), TODAY)

            def bare() -> None:
                book = Workbook(write_only=True)
                for title, values in (
                    ("Findings", rows.findings),
                    ("Actions", rows.actions),
                    ("Effectiveness reviews", rows.reviews),
                ):
                    sheet = book.create_sheet(title)
                    for row in values:
                        sheet.append(row)
                book.save(folder / "bare.xlsx")

            carapp = _median(lambda: write_register_xlsx(register, scope, folder / "r.xlsx"))
            baseline = _median(bare)
        finally:
            register.close()
    return ("xlsx register (read + write)", findings, carapp, "bare openpyxl dump", baseline)


def main() -> None:
    findings = int(sys.argv[1]) if len(sys.argv) > 1 else FINDINGS
    name, n, seconds, base_name, base = xlsx_row(findings)
    ratio = f"{seconds / base:.2f}x" if base else "-"
    print(f"{name}: {n} findings {seconds:.2f} s; {base_name} {base:.2f} s; {ratio}")


if __name__ == "__main__":
    main()
