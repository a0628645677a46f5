"""File > Send reminders: who has dates overdue or falling due soon, their e-mail address
(corrected here, saved to the register through the use case, when missing or wrong), and
where the drafts go: opened with the system's mail handler, or left in a folder.

The owners are read and the drafts written off the GUI thread (carapp.ui.tasks).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from carapp import operations as op
from carapp.errors import CarappError
from carapp.exports.reminders import DEFAULT_DAYS, OwnerDue, Reminders, owners_due
from carapp.exports.reminders import write_reminders as write_drafts
from carapp.store import Register
from carapp.ui import tasks
from carapp.ui.export_dialog import open_with_system

COLUMNS = ("Owner", "Email", "Overdue", "Coming")
EMAIL_COLUMN = 1


class RemindersDialog(QDialog):
    def __init__(
        self,
        register: Register,
        today: dt.date,
        *,
        say: Callable[[str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.register = register
        self.today = today
        self.say = say
        self.owners: list[OwnerDue] = []
        self.reading: tasks.Task[list[OwnerDue]] | None = None
        self.writing: tasks.Task[Reminders] | None = None
        self.setWindowTitle("Send reminders")

        self.days = QSpinBox(self)
        self.days.setRange(0, 365)
        self.days.setValue(DEFAULT_DAYS)
        self.days.setSuffix(" days")
        self.days.setAccessibleName("Look ahead")
        self.days.valueChanged.connect(lambda _v: self._read())
        days_label = QLabel("&Look ahead", self)
        days_label.setBuddy(self.days)

        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setAccessibleName("Owners with dates due")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column in (2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        owners_label = QLabel(
            "&Owners with dates overdue or due soon (type over an address to correct it):", self
        )
        owners_label.setBuddy(self.table)
        self.status = QLabel("Reading the dates\u2026", self)
        self.status.setAccessibleName("Reminders status")
        self.status.setWordWrap(True)

        self.open_them = QRadioButton("O&pen the drafts in my mail program", self)
        self.open_them.setAccessibleName("Open the drafts in my mail program")
        self.keep_them = QRadioButton("Leave them in a &folder:", self)
        self.keep_them.setAccessibleName("Leave them in a folder")
        self.open_them.setChecked(True)
        folder = register.path.resolve().parent if register.path else Path.home()
        self.folder = QLineEdit(str(folder), self)
        self.folder.setAccessibleName("Folder")
        browse = QPushButton("&Browse\u2026", self)
        browse.setAccessibleName("Browse")
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.keep_them)
        where.addWidget(self.folder, 1)
        where.addWidget(browse)

        self.problem = QLabel(self)
        self.problem.setAccessibleName("Reminders problem")
        self.problem.setStyleSheet("color: #a00000;")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("&Write the reminders")
        self.ok.setAccessibleName("Write the reminders")
        self.ok.setEnabled(False)
        self.buttons.accepted.connect(self._write)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow(days_label, self.days)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(owners_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.open_them)
        layout.addLayout(where)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(720, 480)
        self._read()

    # --- reading who is due --------------------------------------------------------------

    def _read(self) -> None:
        if self.reading is not None and not self.reading.ended:
            self.reading.request_cancel()
        days = self.days.value()
        self.ok.setEnabled(False)
        self.status.setText("Reading the dates\u2026")
        register, today = self.register, self.today

        def read(_cancel: tasks.Cancel) -> list[OwnerDue]:
            return owners_due(register, today, days)

        def show(owners: list[OwnerDue]) -> None:
            self._show(owners, days)

        self.reading = tasks.run(read, show, self._failed, owner=self)

    def _show(self, owners: list[OwnerDue], days: int) -> None:
        if days != self.days.value():
            return  # an older answer; the newer read is on its way
        self.owners = owners
        self.table.setRowCount(len(owners))
        editable = not self.register.read_only
        for row, owner in enumerate(owners):
            cells = (owner.name, owner.email, str(len(owner.overdue)), str(len(owner.coming)))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                if column == EMAIL_COLUMN and editable:
                    flags |= Qt.ItemFlag.ItemIsEditable
                item.setFlags(flags)
                if column >= 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, item)
            if not owner.email:
                self._email(row).setToolTip("No address: type one in.")
        missing = sum(1 for o in owners if not o.has_address)
        if not owners:
            self.status.setText(f"Nobody has a date overdue or due in the next {days} days.")
        else:
            self.status.setText(
                f"{len(owners)} owner{'s' if len(owners) != 1 else ''} will get a reminder"
                + (
                    f"; {missing} without an address (their draft has no recipient)."
                    if missing
                    else "."
                )
            )
        self.ok.setEnabled(bool(owners))

    def _failed(self, sentence: str) -> None:
        self.status.setText(f"The dates could not be read: {sentence}")

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Leave the reminders in", self.folder.text()
        )
        if folder:
            self.folder.setText(folder)
            self.keep_them.setChecked(True)

    # --- writing --------------------------------------------------------------------------

    def _email(self, row: int) -> QTableWidgetItem:
        item = self.table.item(row, EMAIL_COLUMN)
        assert item is not None  # every row is filled whole
        return item

    def typed_emails(self) -> dict[int, str]:
        """The addresses changed in the table, by person id."""
        changed = {}
        for row, owner in enumerate(self.owners):
            typed = self._email(row).text().strip()
            if typed != owner.email:
                changed[owner.person_id] = typed
        return changed

    def _refuse(self, problem: str) -> None:
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))

    def _write(self) -> None:
        # Enter in an address being typed reaches this button before the cell has it:
        # leaving the cell commits it.
        self.ok.setFocus(Qt.FocusReason.OtherFocusReason)
        keep = self.keep_them.isChecked()
        folder = Path(self.folder.text().strip()).expanduser()
        if keep and not folder.is_dir():
            self._refuse(f"There is no folder {folder}: choose another.")
            return
        changed = self.typed_emails()
        names = {o.person_id: o.name for o in self.owners}
        for pid, address in changed.items():
            try:
                op.update_person(self.register, pid, email=address)
            except CarappError as exc:
                self._refuse(f"{names[pid]}: {exc}")
                return
        self._refuse("")
        if not keep:
            # The mail program opens each file after this dialog is gone: it stays.
            folder = Path(tempfile.mkdtemp(prefix="carapp reminders "))
        register, today, days = self.register, self.today, self.days.value()
        only = {o.person_id for o in self.owners}
        self.ok.setEnabled(False)
        self.status.setText("Writing the reminders\u2026")
        say = self.say

        def say_not_written(sentence: str) -> None:
            say(f"No reminder was written: {sentence}")

        self.writing = tasks.run(
            lambda _cancel: write_drafts(register, folder, today, days, only=only),
            lambda written: _written(written, opened=not keep, say=say),
            say_not_written,
            owner=self.parentWidget(),  # this dialog is gone by the time they are written
        )
        self.accept()


def _written(written: Reminders, *, opened: bool, say: Callable[[str], None]) -> None:
    if opened and written.drafts:
        failed = [w.path for w in written.drafts if not open_with_system(w.path)]
        text = written.summary().rstrip(".")
        if failed:
            text += f"; no mail program opened {len(failed)} of them: open them from that folder"
        else:
            text += "; opening them in your mail program"
        say(text + ".")
    else:
        say(written.summary())
