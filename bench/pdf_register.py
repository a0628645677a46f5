"""The PDF register timed on demo registers, each in a fresh process as a user meets them.

    python -m bench.pdf_register

PDF register rows (:func:`pdf_rows`): the summary of 1k findings, the whole export (read,
layout, write), against a bare reportlab Table of the same strings laid out in the same
process (layout only, the strings read beforehand: what reportlab itself costs); and the
summary of 10k findings' peak memory (ru_maxrss of the process that exported it, in MB,
in the seconds column; target at most 500 MB).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

Row = tuple[str, int, float, str, float | None]
TODAY = "2026-11-23"

_PDF_CHILD = """
import datetime as dt, io, json, resource, sys, time
from pathlib import Path
from carapp.store import open_register
from carapp.exports.scope import ExportScope, selected_findings
from carapp.exports.register_pdf import COLUMNS, summary_line, write_register_pdf
source, destination, baseline = sys.argv[1], Path(sys.argv[2]), sys.argv[3] == "1"
register = open_register(source)
scope = ExportScope(dt.date.fromisoformat(sys.argv[4]))
start = time.perf_counter()
write_register_pdf(register, scope, destination)
seconds = time.perf_counter() - start
bare = None
if baseline:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import SimpleDocTemplate, Table
    lines = [summary_line(d) for d in selected_findings(register, scope)]
    start = time.perf_counter()
    SimpleDocTemplate(io.BytesIO(), pagesize=landscape(A4)).build(
        [Table([list(COLUMNS), *lines], repeatRows=1)]
    )
    bare = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "bare": bare, "peak_mb": peak}))
"""


def _demo(folder: Path, findings: int) -> Path:
    import datetime as dt

    from carapp.demo import write_demo

    path = folder / f"demo-{findings}.sqlite"
    write_demo(path, findings=findings, seed=1, today=dt.date.fromisoformat(TODAY))
    return path


def _export_pdf(source: Path, folder: Path, baseline: bool) -> dict[str, float | None]:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _PDF_CHILD,
            str(source),
            str(folder / "register.pdf"),
            "1" if baseline else "0",
            TODAY,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float | None] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def pdf_rows() -> list[Row]:
    """The PDF register's rows: 1k findings in seconds against a bare reportlab Table, and
    10k findings' peak memory in MB."""
    with tempfile.TemporaryDirectory(prefix="carapp-bench-pdf-") as name:
        folder = Path(name)
        small = _export_pdf(_demo(folder, 1_000), folder, baseline=True)
        large = _export_pdf(_demo(folder, 10_000), folder, baseline=False)
    assert small["seconds"] is not None and large["peak_mb"] is not None
    return [
        ("PDF register 1k", 1_000, small["seconds"], "bare reportlab Table", small["bare"]),
        ("PDF register 10k peak MB", 10_000, large["peak_mb"], "(target <= 500 MB)", None),
    ]


def main() -> int:
    for name, size, value, base_name, base in pdf_rows():
        ratio = f"{value / base:.1f}x" if base else ""
        shown = f"{base:9.3f}" if base is not None else " " * 9
        print(f"{name:<26} {size:>9,} {value:9.3f}  {base_name:<24} {shown} {ratio:>7}")
    print("(targets: PDF register of 1k findings at most 5 s; 10k at most 500 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
