"""Regenerate docs/screenshots/ from a demo register: `python docs/screenshots.py`.

The demo is fixed (seed and day), so the pictures change only when the screens do. The
editor is shown on one nonconformity that has been through most of clause 10.2 (a cause
with its why chain, an action done, a review), so that every section has something in it.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from carapp.cli import EDITOR_SECTIONS as SECTIONS

OUT = Path(__file__).resolve().parent / "screenshots"
TODAY = "2026-11-23"


def carapp(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "carapp", *args], check=True)


def worked_finding(register: Path) -> str:
    """The latest minor NC awaiting its ISMS decisions, with a five-whys cause."""
    conn = sqlite3.connect(f"file:{register}?mode=ro", uri=True)
    try:
        (ref,) = conn.execute(
            "SELECT f.ref FROM findings f JOIN finding_root_causes l ON l.finding_id = f.id "
            "JOIN why_steps w ON w.root_cause_id = l.root_cause_id "
            "WHERE f.stage = 'effective' AND f.classification = 'minor' "
            "GROUP BY f.id HAVING count(w.id) >= 3 ORDER BY f.identified_on DESC LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    return str(ref)


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        register = Path(folder) / "demo.sqlite"
        carapp("demo", str(register), "--findings", "500", "--seed", "27001", "--today", TODAY)
        ref = worked_finding(register)
        views = [("register", "register")] + [
            (f"editor-{s}", f"editor:{ref}:{s}") for s in SECTIONS
        ]
        for name, view in views:
            png = OUT / f"{name}.png"
            carapp(
                "--register", str(register), "--today", TODAY,
                "--screenshot", str(png), "--view", view,
            )  # fmt: skip
            print(f"wrote {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
