"""Starting the GUI: one QApplication, a register chosen, the main window shown."""

from __future__ import annotations

import datetime as dt
import gc
import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QDialog

from carapp import __version__
from carapp.queries import register_table
from carapp.store import Register, is_url, prepare_mappings
from carapp.ui import register_model, welcome

# The register table keeps thousands of small row objects alive while scrolling; with the
# interpreter's default thresholds the full collections that walk them all come often enough
# to stall the GUI thread for 100 ms at a time (measured at 100,000 findings).
GC_THRESHOLDS = (50_000, 50, 1000)


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    gc.set_threshold(*GC_THRESHOLDS)
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("carapp")
    app.setOrganizationName("carapp")
    app.setApplicationDisplayName("carapp")
    app.setApplicationVersion(__version__)
    prepare_mappings()
    register_table.prepare(register_model.PAGE)
    return app


def starting_register(location: str, *, explicit: bool, settings: QSettings) -> Register | None:
    """The register to show at start: the one asked for, else the last one used, else the
    default one if it exists. None means first run: the welcome screen decides.

    A register that cannot be opened is explained in a dialog and left untouched.
    """
    if explicit:
        return welcome.open_chosen(None, location)
    last = settings.value("registers/last")
    # A relative "last" (remembered by an older carapp) named a file in the folder that run
    # started from, unknown now: it is skipped, not looked for here.
    remembered = (
        last if isinstance(last, str) and (is_url(last) or Path(last).is_absolute()) else None
    )
    for candidate in (remembered, location):
        if (
            isinstance(candidate, str)
            and candidate
            and (is_url(candidate) or Path(candidate).exists())
        ):
            register = welcome.open_chosen(None, candidate)
            if register is not None:
                return register
    return None


def run_gui(location: str, *, explicit: bool) -> int:
    from carapp import writers
    from carapp.ui.main_window import MainWindow

    # A register this process opens is being written by "another carapp window" to others.
    writers.program = writers.WINDOW
    app = make_application()
    settings = QSettings()
    register = starting_register(location, explicit=explicit, settings=settings)
    if register is None:
        dialog = welcome.WelcomeDialog(dt.date.today())
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.register is None:
            return 0
        register = dialog.register
    window = MainWindow(register, settings=settings)
    window.show()
    try:
        return app.exec()
    finally:
        window.register.close()
