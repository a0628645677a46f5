"""Containment / correction (clause 10.2 a): what was done at once, when and by whom; or
that none was needed, and why."""

from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QFormLayout, QLabel, QRadioButton, QVBoxLayout, QWidget

from carapp import operations as op
from carapp.queries import FindingDetail
from carapp.ui.editor.fields import DateField, FieldProblem
from carapp.ui.editor.section import Edit, EditorContext, SaveContext, Section
from carapp.ui.widgets import TextBox, add_row


class ContainmentSection(Section):
    key = "containment"
    title = "Containment / correction"

    def __init__(self, context: EditorContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        intro = QLabel(
            "The immediate reaction that stops the harm (disable the leavers' accounts "
            "today). The corrective action that removes the cause comes later.",
            self,
        )
        intro.setWordWrap(True)
        self.done = QRadioButton("&Contained or corrected", self)
        self.none = QRadioButton("&No containment needed", self)
        self.done.setAccessibleName("Contained or corrected")
        self.none.setAccessibleName("No containment needed")
        group = QButtonGroup(self)
        group.addButton(self.done)
        group.addButton(self.none)
        self.what = TextBox("What was done", self)
        self.on = DateField("Date contained", self)
        self.by = context.person_picker("Contained by", self)
        self.reason = TextBox("Why none is needed", self, lines=2)
        form = QFormLayout()
        add_row(form, "&What was done", self.what)
        add_row(form, "&Date", self.on, focus=self.on.line)
        add_row(form, "B&y", self.by)
        reason_form = QFormLayout()
        add_row(reason_form, "&Why none is needed", self.reason)
        box = QVBoxLayout(self)
        box.addWidget(intro)
        box.addWidget(self.done)
        box.addLayout(form)
        box.addWidget(self.none)
        box.addLayout(reason_form)
        box.addStretch(1)
        self.done.toggled.connect(self._enable)
        self.watch(self.done, self.none, self.what, self.on, self.by, self.reason)
        self._enable()

    def _enable(self) -> None:
        needed = not self.none.isChecked()
        for widget in (self.what, self.on, self.by):
            widget.setEnabled(needed)
        self.reason.setEnabled(not needed)

    def load(self, detail: FindingDetail | None) -> None:
        c = detail.containment if detail else None
        none_needed = bool(c and c.none_needed_reason and not c.what)
        self.none.setChecked(none_needed)
        self.done.setChecked(not none_needed)
        self.what.setText(c.what if c else "")
        self.on.set_value(c.on if c else None)
        self.by.set_value(c.by_id if c else None)
        self.reason.setText(c.none_needed_reason if c else "")
        self._enable()

    def edits(self) -> list[Edit]:
        c = self.detail.containment if self.detail else None
        if c is None:
            return []
        if self.none.isChecked():
            reason = self.reason.text()
            if reason == c.none_needed_reason and not c.what:
                return []
            return [
                Edit(
                    "Record that no containment is needed",
                    lambda s: op.containment_not_needed(s.register, s.finding, reason),
                    self.reason,
                )
            ]
        what, on, by = self.what.text(), self.on.value(), self.by.value()
        if (what, on, by) == (c.what, c.on, c.by_id):
            return []
        if on is None and (what.strip() or by is not None):
            raise FieldProblem(self.on.line, "Say when the containment was done.")
        if by is None and (what.strip() or on is not None):
            raise FieldProblem(self.by, "Say who did the containment.")
        if on is None or by is None:
            if c.what or c.none_needed_reason:
                raise FieldProblem(
                    self.what,
                    "Containment cannot be emptied: write what was done, when and by whom.",
                )
            return []

        def apply(s: SaveContext) -> op.Changes[None]:
            person = s.person(by)
            assert person is not None
            return op.record_containment(s.register, s.finding, what, on, person)

        return [Edit("Record the containment", apply, self.what)]
