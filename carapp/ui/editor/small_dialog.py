"""A small dialog for one sub-record of a section (an extension request, a reason): a
form, a line saying what is wrong, OK and Cancel.

It is opened with :meth:`QDialog.open` (window-modal, not a nested event loop), so that
the section carries on from its ``accepted`` signal and a keyboard test can fill it in
like any other window. OK checks the form first; a problem is said in the dialog and
nothing typed is cleared.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from carapp.ui.editor.fields import FieldProblem

PROBLEM_STYLE = "border: 2px solid #c00;"


class SmallDialog(QDialog):
    def __init__(self, title: str, intro: str, ok: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.intro = QLabel(intro, self)
        self.intro.setWordWrap(True)
        self.form = QFormLayout()
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Problem")
        self.problem.setStyleSheet("color: #a00;")
        self.buttons = QDialogButtonBox(self)
        self.ok = QPushButton(ok, self)
        self.ok.setAccessibleName(ok.replace("&", ""))
        self.ok.setDefault(True)
        self.cancel = QPushButton("Cancel", self)
        self.cancel.setAccessibleName("Cancel")
        self.buttons.addButton(self.ok, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel, QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(self.intro)
        box.addLayout(self.form)
        box.addWidget(self.problem)
        box.addWidget(self.buttons)
        self.setMinimumWidth(480)
        # Raises FieldProblem when the form is not yet a value.
        self.check: Callable[[], None] = lambda: None
        self._marked: QWidget | None = None

    def accept(self) -> None:
        if self._marked is not None:
            self._marked.setStyleSheet("")
            self._marked = None
        try:
            self.check()
        except FieldProblem as problem:
            self.problem.setText(problem.message)
            problem.widget.setStyleSheet(PROBLEM_STYLE)
            problem.widget.setFocus()
            self._marked = problem.widget
            return
        super().accept()
