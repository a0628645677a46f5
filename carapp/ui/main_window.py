"""The main window: menus and a summary of the open register."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QWidget

from carapp import __version__
from carapp.queries import register_summary
from carapp.store import Register


class MainWindow(QMainWindow):
    def __init__(self, register: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.register = register
        self.setWindowTitle(f"{register.name} \u2014 carapp")
        self.resize(1280, 800)
        self.summary = QLabel(self)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.setCentralWidget(self.summary)
        self._build_menus()
        self.refresh()

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About carapp", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def refresh(self) -> None:
        s = register_summary(self.register, dt.date.today())
        self.summary.setText(
            f"<h2>{s.organisation or 'Corrective Action Register'}</h2>"
            f"<p>{s.findings} findings, {s.open} open, {s.overdue} overdue.</p>"
            f"<p style='color:#555'>{self.register.path or self.register.url}</p>"
        )

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About carapp",
            f"<b>carapp {__version__}</b><p>ISO/IEC 27001:2022 Corrective Action Register: "
            "nonconformities tracked through clause 10.2, with a history nothing can "
            "silently change.</p>",
        )
