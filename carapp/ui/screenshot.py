"""``carapp --screenshot PNG [--view NAME]``: a view rendered offscreen, once its data has
painted, for the documentation and for looking at what we build.

NAME is ``register`` (the main window), ``actions`` (the main window on its Actions tab,
an action selected with its history), ``calendar[:YYYY-MM-DD]`` (the main window on its
Calendar tab, with a day chosen: the given one, else the day of the month shown with the
most kinds of date, so its list is full), ``editor:REF[:SECTION]`` (a finding's editor, on
one of its sections), or ``wizard:REF[:PAGE]`` / ``workshop:REF[:PAGE]`` (the five-whys
wizard on one of its pages, the second in workshop mode at 1920x1080). The main window's
views show the opening banner of due dates as a register opens."""

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
WIZARD_SIZE = (1280, 800)
WORKSHOP_SIZE = (1920, 1080)


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
    if view.startswith(("wizard:", "workshop:")):
        try:
            return _workshop(app, register, png, view, today)
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
        if view.startswith("calendar"):
            _choose_day(window, view, today)
        while not (window.calendar.idle() and window.due_banner.idle()):
            if time.monotonic() > deadline:
                break
            app.processEvents()
            time.sleep(0.01)
        for _ in range(3):
            app.processEvents()
        app.processEvents()
        if view == "actions":
            _on_actions_tab(app, window)
        png.parent.mkdir(parents=True, exist_ok=True)
        saved = window.grab().save(str(png))
        window.close()
        register.close()
    if not saved:
        raise OSError(f"cannot write {png}")
    return 0


def _choose_day(window: Any, view: str, today: dt.date) -> None:
    from carapp.queries.agenda import day_marks
    from carapp.ui.calendar.month import first_of, grid_range

    window.tabs.setCurrentWidget(window.calendar)
    _kind, *day = view.split(":")
    if day:
        chosen = dt.date.fromisoformat(day[0])
    else:
        month = first_of(today)
        marks = day_marks(window.register, *grid_range(month), today)
        in_month = {d: m for d, m in marks.items() if first_of(d) == month}
        chosen = max(
            in_month,
            key=lambda d: (len(in_month[d].counts), d >= today, in_month[d].total),
            default=today,
        )
    window.calendar.select_day(chosen)
    window.calendar.month.setFocus()


def _on_actions_tab(app: Any, window: Any) -> None:
    tab = window.actions_tab
    window.show_tab(window.tabs.indexOf(tab))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (
        tab.is_idle() and (tab.detail is not None or not tab.model.rows)
    ):
        app.processEvents()
        time.sleep(0.01)
    for _ in range(5):
        app.processEvents()


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


def _workshop(app: Any, register: Register, png: Path, view: str, today: dt.date) -> int:
    from carapp.queries.workshops import saved_draft, start_workshop
    from carapp.ui.workshop import WorkshopWindow

    kind, ref, *page = view.split(":")
    kept = saved_draft(register, ref)
    draft = kept.draft if kept is not None and kept.draft is not None else None
    window = WorkshopWindow(register, draft or start_workshop(register, ref, today), today)
    window.keeper.enabled = False  # a picture writes nothing
    window.stop_timer_quietly()
    if kind == "workshop":
        window.set_workshop_mode(True, full_screen=False)
        window.resize(*WORKSHOP_SIZE)
    else:
        window.resize(*WIZARD_SIZE)
    window.show()
    if page:
        window.go(next(i for i, p in enumerate(window.pages) if p.key == page[0]), check=False)
    deadline = time.monotonic() + 30
    while not window.context.extras and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    for _ in range(5):
        app.processEvents()
    png.parent.mkdir(parents=True, exist_ok=True)
    saved = window.grab().save(str(png))
    window.close_keeping_draft()
    if not saved:
        raise OSError(f"cannot write {png}")
    return 0
