"""Voiding a finding from the register window: a small dialog over the use case (new
findings are recorded in the finding editor).

A refusal (an empty title, an unknown requirement) is shown inside the dialog, which stays
open with everything typed, so nothing is lost. The full finding editor comes later.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from carapp import operations as op
from carapp.errors import CarappError
from carapp.models.enums import Stage
from carapp.operations.changes import Changes
from carapp.queries import finding_detail
from carapp.store import Register
from carapp.ui.widgets import TextBox


class VoidDialog(QDialog):
    """Voiding keeps the finding, with the reason, for the auditor to see. The dialog names
    the finding by reference and title, so the wrong row is not voided by a slip; a closed
    finding says so and needs its own confirmation besides the reason."""

    def __init__(
        self, register: Register, ref: str, today: dt.date, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.register = register
        self.ref = ref
        self.changes: Changes[Any] | None = None
        self.today = today
        detail = finding_detail(register, ref, today)
        self.closed = detail.stage is Stage.CLOSED
        self.setWindowTitle(f"Void {ref}")
        self.setMinimumWidth(520)
        self.question = QLabel(
            f"Void {ref} \u201c{detail.title}\u201d? It stays in the register, marked void, "
            "with this reason:",
            self,
        )
        self.question.setWordWrap(True)
        self.reason = TextBox(
            "Reason for voiding",
            self,
            placeholder="Why this finding is void (e.g. duplicate of NC-2026-004)",
        )
        self.confirm_closed = QCheckBox(f"Void {ref} although it is closed", self)
        self.confirm_closed.setVisible(self.closed)
        self.closed_note = QLabel(
            f"{ref} is closed"
            + (f" (closed on {detail.closed_on.isoformat()})" if detail.closed_on else "")
            + ": voiding takes it out of the corrective actions that count. Tick the box "
            "below to confirm.",
            self,
        )
        self.closed_note.setWordWrap(True)
        self.closed_note.setStyleSheet("font-weight: bold")
        self.closed_note.setVisible(self.closed)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #a40000")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.void_button = buttons.addButton(f"Void {ref}", QDialogButtonBox.ButtonRole.AcceptRole)
        self.void_button.clicked.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.question)
        layout.addWidget(self.closed_note)
        layout.addWidget(self.reason)
        layout.addWidget(self.confirm_closed)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def save(self) -> None:
        if self.closed and not self.confirm_closed.isChecked():
            self.error.setText(
                f"{self.ref} is closed: tick \u201cVoid {self.ref} although it is closed\u201d "
                "to void it, or cancel."
            )
            return
        try:
            self.changes = op.void(self.register, self.ref, self.reason.toPlainText(), self.today)
        except CarappError as exc:
            self.error.setText(str(exc))
            return
        self.accept()
