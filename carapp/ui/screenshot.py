"""``carapp --screenshot PNG [--view NAME]``: a view rendered offscreen, once its data has
painted, for the documentation and for looking at what we build."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from pathlib import Path

VIEWS = ("register",)
SIZE = (1280, 800)


def take(location: str, png: Path, view: str, today: dt.date) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings

    from carapp.store import open_register
    from carapp.ui.app import make_application
    from carapp.ui.main_window import MainWindow

    if view not in VIEWS:
        raise ValueError(view)
    app = make_application()
    register = open_register(location)
    with tempfile.TemporaryDirectory() as folder:
        # The default layout, not whatever this user arranged.
        settings = QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(register, today=lambda: today, settings=settings)
        window.resize(*SIZE)
        window.show()
        deadline = time.monotonic() + 30
        while not window.up_to_date() and time.monotonic() < deadline:
            window.query.wait()
            app.processEvents()
        if window.model.rowCount():
            window.table.selectRow(0)
        app.processEvents()
        png.parent.mkdir(parents=True, exist_ok=True)
        saved = window.grab().save(str(png))
        window.close()
        register.close()
    if not saved:
        raise OSError(f"cannot write {png}")
    return 0
