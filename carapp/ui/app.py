"""Starting the GUI: one QApplication, the register opened, the main window shown."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from carapp import __version__
from carapp.errors import CarappError
from carapp.store import Register, open_register


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("carapp")
    app.setOrganizationName("carapp")
    app.setApplicationDisplayName("carapp")
    app.setApplicationVersion(__version__)
    return app


def open_for_gui(location: str, *, explicit: bool) -> Register:
    """The register to show: the one asked for, or the default one (created if new)."""
    if explicit:
        return open_register(location)
    from carapp.operations import open_or_create

    return open_or_create(location)


def run_gui(location: str, *, explicit: bool) -> int:
    from carapp.ui.main_window import MainWindow

    app = make_application()
    try:
        register = open_for_gui(location, explicit=explicit)
    except CarappError as exc:
        QMessageBox.critical(None, "carapp cannot open the register", str(exc))
        return 1
    window = MainWindow(register)
    window.show()
    try:
        return app.exec()
    finally:
        register.close()
