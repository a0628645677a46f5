"""What every section of the finding editor is: a page that shows one part of the record
and, on Save, says what the user changed there as :class:`Edit` s over the use cases.

Nothing is written while the user types. Save asks each section for its edits and runs all
of them in one transaction (:meth:`carapp.store.Register.transaction`), so a finding is
saved whole or not at all; a refusal names the input it came from, and that input is
marked while everything typed stays where it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from carapp import operations as op
from carapp.models.templates import FindingTemplate
from carapp.operations.changes import Changes
from carapp.queries import FindingDetail
from carapp.queries.findings import ParkedView
from carapp.store import Register
from carapp.ui.editor.fields import DateField, NewPerson, PeopleList, PersonChoice, PersonPicker


@dataclass
class SaveContext:
    """What an edit needs while Save runs (on a worker thread, inside the transaction):
    the register, the finding's reference (set by the edit that records a new finding),
    and the people added in the editor, each added once however many edits name them."""

    register: Register
    ref: str | None
    today: dt.date
    _added: dict[NewPerson, int] = field(default_factory=dict)

    def person(self, choice: PersonChoice) -> int | None:
        if not isinstance(choice, NewPerson):
            return choice
        if choice not in self._added:
            self._added[choice] = op.add_person(
                self.register, choice.name, choice.role, choice.email
            ).result
        return self._added[choice]

    @property
    def finding(self) -> str:
        if self.ref is None:
            raise RuntimeError("the finding is recorded by the Finding section's edit first")
        return self.ref


@dataclass(frozen=True)
class Edit:
    """One change the user made, as the use case that records it. ``widget`` is the input
    a refusal of it is shown on."""

    label: str
    apply: Callable[[SaveContext], Changes[Any]]
    widget: QWidget | None = None


class EditorContext:
    """What the editor shares with its sections."""

    def __init__(self, register: Register, today: dt.date, people: PeopleList) -> None:
        self.register = register
        self.today = today
        self.people = people
        # What a new finding starts from (Finding > New from template), if anything.
        self.template: FindingTemplate | None = None
        # Opens the five-whys workshop on a finding (given by the register window, which
        # knows both screens); None where there is no workshop to open.
        self.start_workshop: Callable[[str], None] | None = None
        # Opens a new finding from a workshop's parked issue: (this finding's ref, issue).
        self.raise_parked: Callable[[str, ParkedView], None] | None = None

    def person_picker(self, name: str, parent: QWidget | None = None) -> PersonPicker:
        return PersonPicker(name, self.people, parent)


class Section(QWidget):
    """One page of the editor. Subclasses set ``key`` (the name used by
    ``--screenshot editor:REF:KEY``) and ``title``, build their inputs, and implement
    :meth:`load` and :meth:`edits`."""

    key: ClassVar[str]
    title: ClassVar[str]
    # Sections that need the finding to exist first (all but the Finding section).
    needs_record: ClassVar[bool] = True

    edited = Signal()

    def __init__(self, context: EditorContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.detail: FindingDetail | None = None
        self.setAccessibleName(self.title)

    def load(self, detail: FindingDetail | None) -> None:
        """Show ``detail`` as saved (None: a new finding). Called after every Save."""
        raise NotImplementedError

    def edits(self) -> list[Edit]:
        """The edits that record what differs from what :meth:`load` showed; raises
        :class:`~carapp.ui.editor.fields.FieldProblem` for an input that is not a value."""
        raise NotImplementedError

    def is_dirty(self) -> bool:
        try:
            return bool(self.edits())
        except Exception:  # noqa: BLE001 - something typed that is not a value yet is a change
            return True

    def watch(self, *widgets: QWidget) -> None:
        """Tell the editor whenever the user changes one of ``widgets``."""
        for widget in widgets:
            match widget:
                case DateField() | PersonPicker():
                    widget.edited.connect(self.edited.emit)
                case QLineEdit():
                    widget.textEdited.connect(lambda _t: self.edited.emit())
                case QPlainTextEdit():
                    widget.textChanged.connect(self.edited.emit)
                case QComboBox():
                    widget.activated.connect(lambda _i: self.edited.emit())
                case QAbstractButton():
                    widget.toggled.connect(lambda _c: self.edited.emit())
                case _:
                    raise TypeError(f"cannot watch {type(widget).__name__}")
