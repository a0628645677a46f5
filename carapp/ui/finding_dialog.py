"""Recording a new finding, and voiding one: small dialogs over the use cases.

A refusal (an empty title, an unknown requirement) is shown inside the dialog, which stays
open with everything typed, so nothing is lost. The full finding editor comes later.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from carapp import operations as op
from carapp.errors import CarappError
from carapp.models.enums import Classification, Source, Stage
from carapp.operations.changes import Changes
from carapp.queries import finding_detail, list_audits
from carapp.store import Register
from carapp.ui.widgets import TextBox, make_searchable


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


class NewFindingDialog(QDialog):
    def __init__(self, register: Register, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.register = register
        self.ref: str | None = None
        self.changes: Changes[Any] | None = None  # what saving changed, for the window
        self.setWindowTitle("New finding")
        self.setMinimumWidth(620)
        self.title = QLineEdit(self)
        self.title.setPlaceholderText("How the auditor would title it")
        self.classification = QComboBox(self)
        for c in Classification:
            self.classification.addItem(c.label, c.value)
        self.classification.setCurrentIndex(1)  # minor: the commonest
        self.source = QComboBox(self)
        for s in Source:
            self.source.addItem(s.label, s.value)
        self.identified = QDateEdit(_qdate(today), self)
        self.identified.setCalendarPopup(True)
        self.identified.setDisplayFormat("yyyy-MM-dd")
        self.audit = QComboBox(self)
        self.audit.addItem("(none)", "")
        for audit in list_audits(register, newest_first=True):
            self.audit.addItem(audit.label, audit.ref)
        make_searchable(self.audit)
        self.cb_ref = QLineEdit(self)
        self.requirements = QLineEdit(self)
        self.requirements.setPlaceholderText("e.g. A.5.18, 9.2.2")
        self.area = QLineEdit(self)
        self.statement = TextBox(
            "Statement", self, placeholder="What was required, and what was seen"
        )
        self.evidence = TextBox(
            "Evidence observed", self, placeholder="Records and samples examined"
        )
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #a40000")
        form = QFormLayout()
        form.addRow("&Title", self.title)
        form.addRow("&Classification", self.classification)
        form.addRow("&Source", self.source)
        form.addRow("&Identified on", self.identified)
        form.addRow("&Audit", self.audit)
        form.addRow("Certification body's re&f", self.cb_ref)
        form.addRow("&Requirements breached", self.requirements)
        form.addRow("Area / &process", self.area)
        form.addRow("State&ment", self.statement)
        form.addRow("&Evidence observed", self.evidence)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        # Enter in any single-line field saves, as in every dialog.
        save = buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def draft(self) -> op.FindingDraft:
        picked = self.identified.date()
        codes = [c.strip() for c in self.requirements.text().replace(";", ",").split(",")]
        return op.FindingDraft(
            title=self.title.text(),
            source=Source(self.source.currentData()),
            classification=Classification(self.classification.currentData()),
            identified_on=dt.date(picked.year(), picked.month(), picked.day()),
            statement=self.statement.toPlainText(),
            evidence_observed=self.evidence.toPlainText(),
            area=self.area.text(),
            audit_ref=self.audit.currentData() or None,
            cb_ref=self.cb_ref.text(),
            requirement_codes=[c for c in codes if c],
        )

    def save(self) -> None:
        try:
            self.changes = op.record_finding(self.register, self.draft())
        except CarappError as exc:
            self.error.setText(str(exc))
            return
        self.ref = self.changes.result
        self.accept()


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
