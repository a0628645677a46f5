"""Regenerate docs/screenshots/ from a demo register: `python docs/screenshots.py`.

The demo is fixed (seed and day), so the pictures change only when the screens do.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent / "screenshots"
TODAY = "2026-11-23"
VIEWS = ("register",)


def carapp(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "carapp", *args], check=True)


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        register = Path(folder) / "demo.sqlite"
        carapp("demo", str(register), "--findings", "500", "--seed", "27001", "--today", TODAY)
        for view in VIEWS:
            png = OUT / f"{view}.png"
            carapp(
                "--register",
                str(register),
                "--today",
                TODAY,
                "--screenshot",
                str(png),
                "--view",
                view,
            )
            print(f"wrote {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
