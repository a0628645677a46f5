"""The editor's inputs for dates, closed vocabularies and people.

Each reads back as the domain's own value (a date, an enum member, a person's id) or says,
as a :class:`FieldProblem` naming the input, why what was typed is not one. Nothing typed
is ever cleared by a refusal.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from PySide6.QtCore import QDate, QObject, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from carapp.models.words import day_text
from carapp.ui.widgets import add_row, plain

E = TypeVar("E", bound=enum.Enum)


class FieldProblem(Exception):
    """What is wrong with one input, in a sentence, and the input to mark."""

    def __init__(self, widget: QWidget, message: str) -> None:
        super().__init__(message)
        self.widget = widget
        self.message = message


_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_WORDY = re.compile(r"^(\d{1,2})\s+([a-z]{3})[a-z]*\.?\s+(\d{4})$")


def parse_date(text: str) -> dt.date | None:
    """ISO (2026-03-04) or day month year (4 Mar 2026, 4 March 2026); None when empty.
    Raises ValueError for anything else: 04/03/2026 means a different day in the US."""
    text = text.strip()
    if not text:
        return None
    wordy = _WORDY.match(text.lower())
    if wordy and wordy.group(2) in _MONTHS:
        return dt.date(int(wordy.group(3)), _MONTHS[wordy.group(2)], int(wordy.group(1)))
    return dt.date.fromisoformat(text)


class _DateLine(QLineEdit):
    """As wide as a whole date in the type it is shown in (24 pt on a projector too)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(self.fontMetrics().horizontalAdvance("0000-00-00 00") + 16, hint.height())

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()


class DateField(QWidget):
    """A date typed as 2026-03-04 or 4 Mar 2026, or picked from a calendar; may be empty."""

    edited = Signal()

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = plain(name)
        self.line: QLineEdit = _DateLine(self)
        self.line.setAccessibleName(self.name)
        self.line.setPlaceholderText("YYYY-MM-DD")
        self.pick = QToolButton(self)
        self.pick.setText("\u2026")
        self.pick.setAccessibleName(f"Pick the {self.name.lower()} from a calendar")
        self.pick.setToolTip(f"Pick the {self.name.lower()} from a calendar")
        self.pick.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.line)
        row.addWidget(self.pick)
        row.addStretch(1)
        self.setFocusProxy(self.line)
        self.line.textEdited.connect(lambda _text: self.edited.emit())
        self.pick.clicked.connect(self._open_calendar)

    def value(self) -> dt.date | None:
        try:
            return parse_date(self.line.text())
        except ValueError:
            example = dt.date.today()
            raise FieldProblem(
                self.line,
                f"The {self.name.lower()} \u201c{self.line.text().strip()}\u201d is not a date: "
                f"write it as {example.isoformat()} or {day_text(example)}.",
            ) from None

    def set_value(self, day: dt.date | None) -> None:
        self.line.setText(day.isoformat() if day else "")

    def text(self) -> str:
        return self.line.text()

    def _open_calendar(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle(self.name)
        calendar = QCalendarWidget(dialog)
        calendar.setAccessibleName(self.name)
        try:
            current = self.value()
        except FieldProblem:
            current = None
        if current:
            calendar.setSelectedDate(QDate(current.year, current.month, current.day))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        calendar.activated.connect(lambda _d: dialog.accept())
        box = QVBoxLayout(dialog)
        box.addWidget(calendar)
        box.addWidget(buttons)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            picked = calendar.selectedDate()
            self.set_value(dt.date(picked.year(), picked.month(), picked.day()))
            self.edited.emit()


class EnumBox(QComboBox, Generic[E]):
    """One member of a closed vocabulary, shown by its label; optionally none."""

    def __init__(
        self,
        name: str,
        members: Sequence[E],
        *,
        none: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName(plain(name))
        self._members: list[E | None] = []
        if none is not None:
            self.addItem(none)
            self._members.append(None)
        for member in members:
            self.addItem(getattr(member, "label", str(member.value)))
            self._members.append(member)

    def value(self) -> E | None:
        index = self.currentIndex()
        return self._members[index] if index >= 0 else None

    def set_value(self, member: E | None) -> None:
        if member in self._members:
            self.setCurrentIndex(self._members.index(member))

    def set_explanations(self, lines: dict[E, str]) -> None:
        """A line per member shown as its tooltip (and read by screen readers)."""
        for index, member in enumerate(self._members):
            if member is not None and member in lines:
                self.setItemData(index, lines[member], Qt.ItemDataRole.ToolTipRole)


@dataclass(frozen=True, slots=True)
class NewPerson:
    """Someone named in the editor who is not in the register yet: added on Save."""

    name: str
    role: str = ""
    email: str = ""


PersonChoice = int | NewPerson | None

NEW_PERSON = "New person\u2026"


class PersonPicker(QComboBox):
    """Someone from the register's people, or a new person added where they are needed.

    The list is the editor's (shared by every picker in it), so a person added in one
    picker can be chosen in the others before Save."""

    edited = Signal()

    def __init__(self, name: str, people: PeopleList, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(plain(name))
        self.name = plain(name)
        self.people = people
        self._choices: list[PersonChoice] = []
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(24)
        self._fill(None)
        people.changed.connect(self._refill)
        self.activated.connect(self._chosen)

    def _fill(self, keep: PersonChoice) -> None:
        self.blockSignals(True)
        self.clear()
        self._choices = [None]
        self.addItem("\u2014 nobody \u2014")
        for person_id, person_name in self.people.known:
            self._choices.append(person_id)
            self.addItem(person_name)
        for new in self.people.added:
            self._choices.append(new)
            self.addItem(f"{new.name} (new)")
        self._choices.append(None)
        self.addItem(NEW_PERSON)
        self.setCurrentIndex(self._choices.index(keep) if keep in self._choices[:-1] else 0)
        self.blockSignals(False)

    def _refill(self) -> None:
        self._fill(self.value())

    def _chosen(self, index: int) -> None:
        if self.itemText(index) == NEW_PERSON and index == self.count() - 1:
            person = ask_new_person(self, self.name)
            if person is None:
                self.setCurrentIndex(0)
                return
            self.people.add(person)
            self.set_value(person)
        self.edited.emit()

    def value(self) -> PersonChoice:
        index = self.currentIndex()
        if index < 0 or index == self.count() - 1:
            return None
        return self._choices[index]

    def set_value(self, choice: PersonChoice) -> None:
        if choice in self._choices[:-1]:
            self.setCurrentIndex(self._choices.index(choice))
        else:
            self.setCurrentIndex(0)


def ask_new_person(parent: QWidget, role_hint: str) -> NewPerson | None:
    dialog = QDialog(parent)
    dialog.setWindowTitle("New person")
    form = QFormLayout()
    name, role, email = QLineEdit(dialog), QLineEdit(dialog), QLineEdit(dialog)
    add_row(form, "&Name", name)
    add_row(form, "&Role", role)
    add_row(form, "&Email", email)
    role.setPlaceholderText(role_hint)
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    box = QVBoxLayout(dialog)
    box.addLayout(form)
    box.addWidget(buttons)
    while dialog.exec() == QDialog.DialogCode.Accepted:
        if name.text().strip():
            return NewPerson(name.text().strip(), role.text().strip(), email.text().strip())
        name.setPlaceholderText("A name is needed")
        name.setFocus()
    return None


class PeopleList(QObject):
    """The people an editor offers: the register's, plus those added in it before Save."""

    changed = Signal()

    def __init__(self, known: Sequence[tuple[int, str]]) -> None:
        super().__init__()
        self.known: list[tuple[int, str]] = list(known)
        self.added: list[NewPerson] = []

    def add(self, person: NewPerson) -> None:
        if person not in self.added:
            self.added.append(person)
            self.changed.emit()

    def reset(self, known: Sequence[tuple[int, str]]) -> None:
        self.known = list(known)
        self.added = []
        self.changed.emit()

    def name_of(self, choice: PersonChoice) -> str | None:
        if isinstance(choice, NewPerson):
            return choice.name
        return next((n for i, n in self.known if i == choice), None)
