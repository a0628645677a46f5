"""Actions: each proposed action made whole (clause 10.2 c): who owns it, by when, and how
the team will know it worked. An owner who is not in the register yet is named here and
added when the analysis is saved."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from carapp.models.enums import ActionKind
from carapp.models.symptoms import symptom_fix_warning
from carapp.models.workshop import DraftAction, WorkshopDraft, problems_actions
from carapp.ui.editor.fields import DateField, EnumBox, FieldProblem, NewPerson, PersonPicker
from carapp.ui.widgets import TextBox
from carapp.ui.workshop.fixcheck import WARNING_STYLE
from carapp.ui.workshop.page import WizardContext, WorkshopPage

PROBLEM_STYLE = "color: #a00000; font-weight: bold;"


def _untouched(action: DraftAction) -> bool:
    return not (
        action.description.strip()
        or action.owner_id is not None
        or action.owner_name.strip()
        or action.target
        or action.outcome.strip()
    )


class _ActionForm(QGroupBox):
    """One action's inputs, each writing straight into its :class:`DraftAction`."""

    def __init__(self, page: ActionsPage, number: int, action: DraftAction) -> None:
        super().__init__(f"Action {number}", page)
        self.page = page
        self.action = action
        name = f"Action {number}"
        self.setAccessibleName(name)
        self.description = TextBox(f"{name} description", self, lines=2)
        self.description.setText(action.description)
        self.check = QLabel(self)
        self.check.setAccessibleName(f"{name} check")
        self.check.setWordWrap(True)
        self.check.setStyleSheet(WARNING_STYLE)
        self.owner = PersonPicker(f"{name} owner", page.context.people, self)
        self.target = DateField(f"{name} target date", self)
        self.target.line.setText(action.target)
        self.date_problem = QLabel(self)
        self.date_problem.setAccessibleName(f"{name} target date problem")
        self.date_problem.setWordWrap(True)
        self.date_problem.setStyleSheet(PROBLEM_STYLE)
        self.date_problem.hide()
        self.outcome = TextBox(f"{name} outcome", self, lines=2)
        self.outcome.setPlaceholderText("e.g. No leaver account active a day after leaving")
        self.outcome.setText(action.outcome)
        self.kind: EnumBox[ActionKind] = EnumBox(f"{name} kind", list(ActionKind), parent=self)
        self.kind.set_value(action.kind)
        self.remove = QPushButton("&Remove this action", self)
        self.remove.setAccessibleName(f"{name} remove")
        self._show_owner()
        self._show_check()

        # Labels over their inputs, and owner, date and kind side by side: at 24 pt on a
        # projector a label column clipped the labels and one action filled the screen.
        details = QHBoxLayout()
        for text, field, focus in (
            ("&Owner", self.owner, self.owner),
            ("&Target date", self.target, self.target.line),
            ("&Kind", self.kind, self.kind),
        ):
            cell = QVBoxLayout()
            cell.addWidget(self._caption(text, focus))
            cell.addWidget(field)
            details.addLayout(cell, 1 if field is self.owner else 0)
        remove_row = QHBoxLayout()
        remove_row.addStretch(1)
        remove_row.addWidget(self.remove)
        box = QVBoxLayout(self)
        box.addWidget(self._caption("&Description", self.description))
        box.addWidget(self.description)
        box.addWidget(self.check)
        box.addLayout(details)
        box.addWidget(self.date_problem)
        box.addWidget(self._caption("Measurable o&utcome", self.outcome))
        box.addWidget(self.outcome)
        box.addLayout(remove_row)

        self.description.textChanged.connect(self._description_typed)
        self.owner.edited.connect(self._owner_chosen)
        self.target.edited.connect(self._target_typed)
        self.target.line.editingFinished.connect(self._target_left)
        self.outcome.textChanged.connect(self._outcome_typed)
        self.kind.activated.connect(lambda _i: self._kind_chosen())

    def _caption(self, text: str, buddy: QWidget) -> QLabel:
        caption = QLabel(text, self)
        caption.setBuddy(buddy)
        return caption

    def _show_owner(self) -> None:
        action, people = self.action, self.page.context.people
        if action.owner_id is not None:
            self.owner.set_value(action.owner_id)
        elif action.owner_name.strip():
            # A new person named earlier (an attendee, or on this page) is offered once.
            new = next((p for p in people.added if p.name == action.owner_name), None)
            if new is None:
                new = NewPerson(action.owner_name)
                people.add(new)
            self.owner.set_value(new)
        else:
            self.owner.set_value(None)

    def _show_check(self) -> None:
        warning = symptom_fix_warning(self.description.text())
        self.check.setText(warning)
        self.check.setVisible(bool(warning))

    def _description_typed(self) -> None:
        self._show_check()
        if self.description.text() != self.action.description:
            self.action.description = self.description.text()
            self.page.changed()

    def _owner_chosen(self) -> None:
        choice = self.owner.value()
        if isinstance(choice, NewPerson):
            self.action.owner_id, self.action.owner_name = None, choice.name
        elif isinstance(choice, int):
            self.action.owner_id, self.action.owner_name = choice, ""
        else:
            self.action.owner_id, self.action.owner_name = None, ""
        self.page.changed()

    def date_problem_text(self) -> str:
        """What is wrong with the typed target date; empty when it is a date or empty."""
        try:
            self.target.value()
        except FieldProblem as problem:
            return problem.message
        return ""

    def _target_typed(self) -> None:
        try:
            day = self.target.value()
        except FieldProblem:
            return  # said when the room leaves the input: half a date is not yet wrong
        self.date_problem.hide()
        iso = day.isoformat() if day else ""
        if iso != self.action.target:
            self.action.target = iso
            self.page.changed()

    def _target_left(self) -> None:
        problem = self.date_problem_text()
        self.date_problem.setText(problem)
        self.date_problem.setVisible(bool(problem))

    def _outcome_typed(self) -> None:
        if self.outcome.text() != self.action.outcome:
            self.action.outcome = self.outcome.text()
            self.page.changed()

    def _kind_chosen(self) -> None:
        kind = self.kind.value()
        if kind is not None and kind is not self.action.kind:
            self.action.kind = kind
            self.page.changed()


class ActionsPage(WorkshopPage):
    key = "actions"
    title = "Actions"
    hint = "Give each action an owner, a target date and a measurable outcome."

    def __init__(self, context: WizardContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.forms: list[_ActionForm] = []
        self.none_yet = QLabel(
            "No action yet: add one here, or propose them on the fix check page.", self
        )
        self.none_yet.setWordWrap(True)
        self.rows = QVBoxLayout()
        self.add = QPushButton("&Add action", self)
        self.add.setAccessibleName("Add action")
        self.add.clicked.connect(self.add_action)
        add_row = QHBoxLayout()
        add_row.addWidget(self.add)
        add_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.none_yet)
        layout.addLayout(self.rows)
        layout.addLayout(add_row)
        layout.addStretch(1)

    def show_draft(self, draft: WorkshopDraft) -> None:
        super().show_draft(draft)
        self._rebuild()

    def entered(self) -> None:
        draft = self.draft
        if draft is None:
            return
        # The empty line the fix check leaves for typing is no action: numbering the
        # forms by the draft's own list keeps "Action 2 needs an owner" pointing here.
        kept = [a for a in draft.actions if not _untouched(a)]
        if len(kept) != len(draft.actions):
            draft.actions[:] = kept
            self.changed()
        self._rebuild()
        if self.forms:
            first = next(
                (f for f in self.forms if f.action.owner_id is None and not f.action.owner_name),
                self.forms[0],
            )
            first.description.setFocus()
        else:
            self.add.setFocus()

    def _rebuild(self) -> None:
        for form in self.forms:
            self.rows.removeWidget(form)
            form.setParent(None)
            form.deleteLater()
        self.forms = []
        for number, action in enumerate(self.draft.actions if self.draft else [], start=1):
            form = _ActionForm(self, number, action)
            form.remove.clicked.connect(lambda _c=False, a=action: self.remove_action(a))
            self.rows.addWidget(form)
            form.show()  # a layout shows a late child only on the next event loop turn
            self.forms.append(form)
        self.none_yet.setVisible(not self.forms)

    def add_action(self) -> None:
        if self.draft is None:
            return
        self.draft.actions.append(DraftAction())
        self._rebuild()
        self.forms[-1].description.setFocus()
        self.changed()

    def remove_action(self, action: DraftAction) -> None:
        if self.draft is None:
            return
        at = next((i for i, a in enumerate(self.draft.actions) if a is action), None)
        if at is None:
            return
        del self.draft.actions[at]
        self._rebuild()
        if self.forms:
            self.forms[min(at, len(self.forms) - 1)].description.setFocus()
        else:
            self.add.setFocus()
        self.context.say(f"Action {at + 1} removed.")
        self.changed()

    def problems(self, draft: WorkshopDraft) -> list[str]:
        dates = [f.date_problem_text() for f in self.forms]
        # A date typed wrong is said once, as what is wrong with it, not also as missing.
        said = {f"Action {n} needs a target date." for n, d in enumerate(dates, start=1) if d}
        return [d for d in dates if d] + [p for p in problems_actions(draft) if p not in said]
