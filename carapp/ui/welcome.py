"""Choosing a register: the first-run welcome screen and the File menu's new/open/demo.

Every way in ends in :func:`open_chosen`, which opens the file through the store and turns a
refusal into the store's own sentence in a dialog; the file is never touched by a refusal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from carapp.errors import CarappError
from carapp.store import Register, default_register_path, open_register
from carapp.ui import tasks

REGISTER_FILTER = "carapp registers (*.sqlite *.carapp);;All files (*)"
DEMO_FINDINGS = 300


def open_chosen(parent: QWidget | None, location: str | Path) -> Register | None:
    """Open the register at ``location``; on refusal say why in a dialog and return None."""
    from carapp.anchors import verify_and_record

    try:
        register = open_register(location)
    except CarappError as exc:
        QMessageBox.warning(parent, "carapp cannot open this register", str(exc))
        return None
    try:
        report = verify_and_record(register)
    except BaseException:
        register.close()
        raise
    if report.sentences:
        QMessageBox.warning(
            parent,
            "This register's history has changed" if report.rewritten else "carapp",
            "\n\n".join(s[0].upper() + s[1:] + "." for s in report.sentences),
        )
    return register


def create_new(parent: QWidget | None, suggested: Path | None = None) -> Register | None:
    """Ask for the organisation's name and a file, then create the register there."""
    from carapp.operations import create_register

    organisation, ok = QInputDialog.getText(
        parent, "New register", "Organisation whose ISMS this register covers:"
    )
    if not ok:
        return None
    if not organisation.strip():
        QMessageBox.information(parent, "New register", "The organisation's name is needed.")
        return None
    start = suggested or default_register_path()
    name, _ = QFileDialog.getSaveFileName(parent, "Create register", str(start), REGISTER_FILTER)
    if not name:
        return None
    path = Path(name)
    if path.exists():
        QMessageBox.warning(
            parent,
            "New register",
            f"{path} already exists; carapp never overwrites a file. Choose another name.",
        )
        return None
    try:
        return create_register(path, organisation)
    except CarappError as exc:
        QMessageBox.warning(parent, "carapp cannot create the register", str(exc))
        return None


def choose_existing(parent: QWidget | None) -> Register | None:
    name, _ = QFileDialog.getOpenFileName(
        parent, "Open register", str(default_register_path().parent), REGISTER_FILTER
    )
    return open_chosen(parent, Path(name)) if name else None


def _remove_demo(path: Path) -> None:
    for leftover in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
        leftover.unlink(missing_ok=True)


def demo_work(path: Path, today: dt.date) -> Callable[[tasks.Cancel], Path]:
    """The work of writing a demo register at ``path``, for :mod:`carapp.ui.tasks`."""

    def work(cancel: tasks.Cancel) -> Path:
        from carapp.demo import write_demo

        cancel.check()
        existed = path.exists()
        try:
            write_demo(path, findings=DEMO_FINDINGS, seed=27001, today=today)
        except BaseException:
            if not existed:
                _remove_demo(path)  # a failed demo leaves no half-written file behind
            raise
        if cancel.is_set():
            # The demo is written in one go: a cancel asked meanwhile removes it whole.
            _remove_demo(path)
            raise tasks.Cancelled
        return path

    return work


def demo_path() -> Path:
    folder = default_register_path().parent
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return folder / f"demo-{stamp}.sqlite"


def make_demo(parent: QWidget | None, today: dt.date) -> Register | None:
    """Write a fresh demo register beside the default one and open it."""
    path = demo_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        QMessageBox.warning(
            parent,
            "carapp cannot write the demo register",
            f"{path.parent} cannot be created ({exc.strerror}); choose another folder.",
        )
        return None
    outcome = tasks.run_with_progress(
        parent,
        "Demo register",
        "Writing a demo register\u2026",
        demo_work(path, today),
        failure_title="carapp cannot write the demo register",
    )
    if outcome.result is None:
        return None
    return open_chosen(parent, outcome.result)


class WelcomeDialog(QDialog):
    """Shown when there is no register yet: create one, open one, or try the demo."""

    def __init__(self, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.today = today
        self.register: Register | None = None
        self.setWindowTitle("Welcome to carapp")
        self.setMinimumWidth(520)
        title = QLabel("<h2>Corrective Action Register</h2>", self)
        intro = QLabel(
            "Keep every nonconformity from audits, incidents and reviews, and take each one "
            "through ISO/IEC 27001 clause 10.2: containment, root cause, corrective action, "
            "effectiveness review, ISMS update and closure.",
            self,
        )
        intro.setWordWrap(True)
        self.create_button = QPushButton("Create a new register\u2026", self)
        self.open_button = QPushButton("Open a register\u2026", self)
        self.demo_button = QPushButton("Open a demo register", self)
        for button in (self.create_button, self.open_button, self.demo_button):
            button.setMinimumHeight(40)
        self.create_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addSpacing(12)
        layout.addWidget(self.create_button)
        layout.addWidget(self.open_button)
        layout.addWidget(self.demo_button)
        self.create_button.clicked.connect(lambda: self._take(create_new(self)))
        self.open_button.clicked.connect(lambda: self._take(choose_existing(self)))
        self.demo_button.clicked.connect(lambda: self._take(make_demo(self, self.today)))

    def _take(self, register: Register | None) -> None:
        if register is not None:
            self.register = register
            self.accept()
