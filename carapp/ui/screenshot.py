"""``carapp --screenshot PNG [--view NAME]``: a view rendered offscreen, once its data has
painted, for the documentation and for looking at what we build.

NAME is ``register`` (the main window) or ``editor:REF[:SECTION]`` (a finding's editor, on
one of its sections)."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from carapp.store import Register

SIZE = (1280, 800)
EDITOR_SIZE = (1100, 760)


def take(location: str, png: Path, view: str, today: dt.date) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings

    from carapp.store import open_register
    from carapp.ui.app import make_application
    from carapp.ui.main_window import MainWindow

    app = make_application()
    register = open_register(location)
    if view.startswith("editor:"):
        try:
            return _editor(app, register, png, view, today)
        finally:
            register.close()
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


def _editor(app: Any, register: Register, png: Path, view: str, today: dt.date) -> int:
    from carapp.ui.editor import FindingEditor

    _kind, ref, *section = view.split(":")
    editor = FindingEditor(register, ref, today)
    editor.resize(*EDITOR_SIZE)
    editor.show()
    if section:
        editor.show_key(section[0])
    app.processEvents()
    png.parent.mkdir(parents=True, exist_ok=True)
    saved = editor.grab().save(str(png))
    editor.discard()
    if not saved:
        raise OSError(f"cannot write {png}")
    return 0
