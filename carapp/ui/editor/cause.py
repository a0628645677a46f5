"""Root cause (clause 10.2 b): why the nonconformity happened, found by asking why until
the answer is something the organisation can change, and the category it falls in.

A statement that reads as a symptom ("human error", "staff forgot") is flagged as it is
typed, in the domain's own phrases: it passes only with a written justification. A cause
another finding already has can be shared instead of written twice."""

from __future__ import annotations

import html
import itertools
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from carapp import operations as op
from carapp.models.enums import CauseCategory, RootCauseMethod
from carapp.models.symptoms import symptom_phrases
from carapp.models.words import day_text
from carapp.queries import FindingDetail, OtherCause, other_root_causes
from carapp.queries.findings import ParkedView, RootCauseView
from carapp.ui.editor.fields import EnumBox, FieldProblem
from carapp.ui.editor.rounds import (
    Chooser,
    PastRounds,
    fit,
    round_heading,
    show_round,
    text_html,
)
from carapp.ui.editor.section import Edit, EditorContext, Section
from carapp.ui.widgets import TextBox, add_row

NO_CATEGORY = "\u2014 not chosen \u2014"


def symptom_prompt(statement: str) -> str:
    phrases = symptom_phrases(statement)
    if not phrases:
        return ""
    return f"This reads as a symptom ({', '.join(phrases)}): ask why again, or justify it here."


def drafts_of(cause: RootCauseView) -> list[op.WhyDraft]:
    return [
        op.WhyDraft(w.question, w.answer, w.evidence, w.checked, w.branch_of, w.is_root)
        for w in cause.whys
    ]


@dataclass
class _Step:
    """One why of the chain as inputs; ``branch_of`` and ``is_root`` ride along unseen
    (the five-whys wizard sets them) so that a save keeps what it did not touch."""

    box: QGroupBox
    question: QLineEdit
    answer: TextBox
    evidence: QLineEdit
    checked: QCheckBox
    branch_of: int | None = None
    is_root: bool = False

    def inputs(self) -> tuple[QWidget, ...]:
        return (self.question, self.answer, self.evidence, self.checked)

    def draft(self, position: int) -> op.WhyDraft:
        branch = self.branch_of if self.branch_of and self.branch_of < position else None
        return op.WhyDraft(
            self.question.text(),
            self.answer.text(),
            self.evidence.text(),
            self.checked.isChecked(),
            branch,
            self.is_root,
        )

    def is_empty(self) -> bool:
        return not (
            self.question.text().strip()
            or self.answer.text().strip()
            or self.evidence.text().strip()
            or self.checked.isChecked()
        )

    def show(self, why: op.WhyDraft | None) -> None:
        self.question.setText(why.question if why else "")
        self.answer.setText(why.answer if why else "")
        self.evidence.setText(why.evidence if why else "")
        self.checked.setChecked(why.checked if why else False)
        self.branch_of = why.branch_of if why else None
        self.is_root = why.is_root if why else False


class CauseSection(Section):
    key = "cause"
    title = "Root cause"

    def __init__(self, context: EditorContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        intro = QLabel(
            "Why did it happen? Ask why until the answer is something the organisation can "
            "change (a missing step, an unowned task), not a person's lapse.",
            self,
        )
        intro.setWordWrap(True)
        self.workshop = QPushButton("Five-whys &workshop\u2026", self)
        self.workshop.setAccessibleName("Five-whys workshop")
        self.workshop.setToolTip(
            "Build the why chain with the team in the room, full screen on a projector if "
            "you like; what they agree is recorded here as the team's analysis."
        )
        self.workshop.clicked.connect(self._start_workshop)
        self.workshop.setVisible(context.start_workshop is not None)
        self.shared = QLabel(self)
        self.shared.setAccessibleName("Shared")
        self.shared.setWordWrap(True)
        self.method: EnumBox[RootCauseMethod] = EnumBox(
            "Method", list(RootCauseMethod), parent=self
        )
        self.category: EnumBox[CauseCategory] = EnumBox(
            "Category", list(CauseCategory), none=NO_CATEGORY, parent=self
        )
        self.category.set_explanations({c: c.explanation for c in CauseCategory})
        self.explanation = QLabel(self)
        self.explanation.setWordWrap(True)
        self.explanation.setAccessibleName("What the category means")
        self.explanation.setStyleSheet("color: #444; font-style: italic;")
        self.statement = TextBox("Statement", self, lines=3)
        self.symptom = QLabel(self)
        self.symptom.setWordWrap(True)
        self.symptom.setAccessibleName("Symptom warning")
        self.symptom.setStyleSheet("color: #a00; font-weight: 600;")
        self.justification = TextBox("Symptom justification", self, lines=2)
        self.justification.setPlaceholderText(
            "Only if the statement reads as a symptom: why no further why applies."
        )
        fit(self.statement, 3)
        fit(self.justification, 2)
        form = QFormLayout()
        add_row(form, "Met&hod", self.method)
        add_row(form, "Ca&tegory", self.category)
        form.addRow("", self.explanation)
        add_row(form, "Stat&ement", self.statement)
        form.addRow("", self.symptom)
        add_row(form, "Symptom &justification", self.justification)

        self.chain = QGroupBox("Why chain", self)
        self.chain.setAccessibleName("Why chain")
        self.rows = QVBoxLayout()
        self.none_yet = QLabel("No why asked yet: Add a why starts the chain.", self.chain)
        self.add = QPushButton("&Add a why", self.chain)
        self.remove = QPushButton("Remo&ve", self.chain)
        self.up = QPushButton("Move &up", self.chain)
        self.down = QPushButton("Move dow&n", self.chain)
        buttons = QHBoxLayout()
        for button in (self.add, self.remove, self.up, self.down):
            button.setAccessibleName(button.text().replace("&", ""))
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.remove.setToolTip("Remove the why whose field has the focus")
        chain_box = QVBoxLayout(self.chain)
        # The buttons above the steps, where they stay in reach however long the chain.
        chain_box.addLayout(buttons)
        chain_box.addWidget(self.none_yet)
        chain_box.addLayout(self.rows)
        self.steps: list[_Step] = []
        self.current = -1  # the step last typed in: Remove and Move act on it

        self.link = QPushButton("&Link to another finding\u2019s root cause\u2026", self)
        self.link.setAccessibleName("Link to another finding\u2019s root cause\u2026")
        self.unlink = QPushButton("&Drop the link", self)
        self.unlink.setAccessibleName("Drop the link")
        self.linked_label = QLabel(self)
        self.linked_label.setWordWrap(True)
        self.linked_label.setAccessibleName("Link to save")
        link_row = QHBoxLayout()
        link_row.addWidget(self.link)
        link_row.addWidget(self.unlink)
        link_row.addStretch(1)
        self.pending_link: OtherCause | None = None
        self.chooser: Chooser[OtherCause] | None = None

        self.workshops = QGroupBox("Workshops", self)
        self.workshops.setAccessibleName("Workshops")
        self.workshop_rows = QVBoxLayout(self.workshops)
        self.workshops.hide()

        self.past = PastRounds(_render_round, self)
        box = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(intro, 1)
        top.addWidget(self.workshop, 0, Qt.AlignmentFlag.AlignTop)
        box.addLayout(top)
        self.heading = round_heading(self)
        box.addWidget(self.heading)
        box.addWidget(self.shared)
        box.addLayout(form)
        box.addWidget(self.chain)
        box.addLayout(link_row)
        box.addWidget(self.linked_label)
        box.addWidget(self.workshops)
        box.addWidget(self.past)
        box.addStretch(1)

        self.watch(self.method, self.category, self.statement, self.justification)
        self.category.currentIndexChanged.connect(lambda _i: self._explain())
        self.statement.textChanged.connect(self._warn)
        self.add.clicked.connect(self._add_step)
        self.remove.clicked.connect(self._remove_step)
        self.up.clicked.connect(lambda: self._move_step(-1))
        self.down.clicked.connect(lambda: self._move_step(1))
        self.link.clicked.connect(self._choose_link)
        self.unlink.clicked.connect(self._drop_link)

    def _show_workshops(self, detail: FindingDetail | None) -> None:
        """The workshops held on the finding, and their parked issues: each one not yet a
        finding can become one."""
        while self.workshop_rows.count():
            item = self.workshop_rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        held = detail.workshops if detail else ()
        self.workshops.setVisible(bool(held))
        for workshop in held:
            who = ", ".join(workshop.attendees) or "nobody recorded"
            line = QLabel(
                f"{day_text(workshop.held_on)}, {workshop.minutes_taken} min, with {who}",
                self.workshops,
            )
            line.setWordWrap(True)
            self.workshop_rows.addWidget(line)
            for issue in workshop.parked:
                row = QWidget(self.workshops)
                layout = QHBoxLayout(row)
                layout.setContentsMargins(16, 0, 0, 0)
                done = f" (raised as {issue.raised_as})" if issue.raised_as else ""
                text = QLabel(f"Parked: {issue.text}{done}", row)
                text.setWordWrap(True)
                layout.addWidget(text, 1)
                if not issue.raised_as and self.context.raise_parked is not None and detail:
                    button = QPushButton("Raise as a finding\u2026", row)
                    button.setAccessibleName(f"Raise as a finding: {issue.text[:60]}")
                    button.clicked.connect(
                        lambda _c=False, i=issue, r=detail.ref: self._raise(r, i)
                    )
                    layout.addWidget(button)
                self.workshop_rows.addWidget(row)

    def _raise(self, ref: str, issue: ParkedView) -> None:
        if self.context.raise_parked is not None:
            self.context.raise_parked(ref, issue)

    def _start_workshop(self) -> None:
        start = self.context.start_workshop
        if start is not None and self.detail is not None:
            start(self.detail.ref)

    # --- The chain ---------------------------------------------------------------------

    def _add_step(self) -> None:
        step = self._new_step()
        self.steps.append(step)
        self.current = len(self.steps) - 1
        self._steps_changed()
        step.question.setFocus()
        self.edited.emit()

    def _new_step(self) -> _Step:
        number = len(self.steps) + 1
        box = QGroupBox(f"Why {number}", self.chain)
        box.setAccessibleName(f"Why {number}")
        question, evidence = QLineEdit(box), QLineEdit(box)
        # The answer is what the next why asks about, often a sentence or two: it wraps.
        answer = fit(TextBox(f"Why {number} answer", box, lines=2), 2)
        checked = QCheckBox("Checked", box)
        step = _Step(box, question, answer, evidence, checked)
        grid = QGridLayout(box)
        for row, (caption, line) in enumerate(
            (("Question", question), ("Answer", answer), ("Evidence", evidence))
        ):
            label = QLabel(caption, box)
            label.setBuddy(line)
            grid.addWidget(label, row, 0)
            grid.addWidget(line, row, 1)
        grid.addWidget(checked, 2, 2)
        question.setPlaceholderText("Why \u2026?")
        evidence.setPlaceholderText("What shows the answer is true (a ticket, a record)")
        checked.setToolTip("The answer was checked against the evidence")
        for widget in step.inputs():
            widget.installEventFilter(self)
        self.watch(*step.inputs())
        self.rows.addWidget(box)
        # Shown now, not when the layout gets round to it: the focus goes to it at once.
        box.show()
        return step

    def _steps_changed(self) -> None:
        """Renumber the steps and put them in the Tab order, after the statement."""
        for number, step in enumerate(self.steps, start=1):
            # What the wizard made of the step, said where the step is.
            marks = []
            if step.branch_of and step.branch_of < number:
                marks.append(f"branch of why {step.branch_of}")
            if step.is_root:
                marks.append("the root cause")
            step.box.setTitle(f"Why {number}" + (f" \u2014 {', '.join(marks)}" if marks else ""))
            step.box.setAccessibleName(f"Why {number}")
            step.question.setAccessibleName(f"Why {number} question")
            step.answer.setAccessibleName(f"Why {number} answer")
            step.evidence.setAccessibleName(f"Why {number} evidence")
            step.checked.setAccessibleName(f"Why {number} checked")
        self.none_yet.setVisible(not self.steps)
        chain: list[QWidget] = [self.justification, self.add, self.remove, self.up, self.down]
        for step in self.steps:
            chain.extend(step.inputs())
        chain.extend([self.link, self.unlink])
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        has = 0 <= self.current < len(self.steps)
        self.remove.setEnabled(has)
        self.up.setEnabled(has and self.current > 0)
        self.down.setEnabled(has and self.current < len(self.steps) - 1)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn:
            for index, step in enumerate(self.steps):
                if watched in step.inputs():
                    self.current = index
                    self._steps_changed()
        return super().eventFilter(watched, event)

    def _focused_input(self) -> int:
        """Which of the current step's inputs had the focus (kept across a move)."""
        step = self.steps[self.current]
        for index, widget in enumerate(step.inputs()):
            if widget.hasFocus():
                return index
        return 0

    def _remove_step(self) -> None:
        if not 0 <= self.current < len(self.steps):
            return
        drafts = [s.draft(i) for i, s in enumerate(self.steps, start=1)]
        del drafts[self.current]
        self._show_steps(drafts)
        self.current = min(self.current, len(self.steps) - 1)
        self._steps_changed()
        if self.steps:
            self.steps[self.current].question.setFocus()
        else:
            self.add.setFocus()
        self.edited.emit()

    def _move_step(self, by: int) -> None:
        index, to = self.current, self.current + by
        if not (0 <= index < len(self.steps) and 0 <= to < len(self.steps)):
            return
        which = self._focused_input()
        drafts = [s.draft(i) for i, s in enumerate(self.steps, start=1)]
        drafts[index], drafts[to] = drafts[to], drafts[index]
        for step, draft in zip(self.steps, drafts, strict=True):
            step.show(draft)
        self.current = to
        self._steps_changed()
        self.steps[to].inputs()[which].setFocus()
        self.edited.emit()

    def _show_steps(self, whys: list[op.WhyDraft]) -> None:
        while len(self.steps) > len(whys):
            gone = self.steps.pop()
            self.rows.removeWidget(gone.box)
            gone.box.hide()
            gone.box.deleteLater()
        while len(self.steps) < len(whys):
            self.steps.append(self._new_step())
        for step, why in zip(self.steps, whys, strict=True):
            step.show(why)

    def whys(self) -> list[op.WhyDraft]:
        """The chain as typed; a step left wholly empty is not a step."""
        kept = [s for s in self.steps if not s.is_empty()]
        return [s.draft(i) for i, s in enumerate(kept, start=1)]

    # --- Showing -----------------------------------------------------------------------

    def _explain(self) -> None:
        category = self.category.value()
        self.explanation.setText(category.explanation if category else "")
        self.explanation.setVisible(category is not None)

    def _warn(self) -> None:
        prompt = symptom_prompt(self.statement.text())
        self.symptom.setText(prompt)
        self.symptom.setVisible(bool(prompt))

    def cause(self) -> RootCauseView | None:
        """The cause of the round in progress this section edits (the first, when more
        than one finding's cause was linked)."""
        causes = self.detail.current_root_causes if self.detail else ()
        return causes[0] if causes else None

    def load(self, detail: FindingDetail | None) -> None:
        self.detail = detail
        self.workshop.setEnabled(detail is not None)
        self._show_workshops(detail)
        cause = self.cause()
        self.method.set_value(cause.method if cause else RootCauseMethod.FIVE_WHYS)
        self.category.set_value(cause.category if cause else None)
        self.statement.setText(cause.statement if cause else "")
        self.justification.setText(cause.symptom_justification if cause else "")
        self._show_steps(drafts_of(cause) if cause else [])
        self.current = -1
        self._steps_changed()
        self.pending_link = None
        self._show_link()
        others = [r for r in (cause.findings if cause else ()) if detail and r != detail.ref]
        self.shared.setText(
            "Shared with " + ", ".join(others) + ": a change here changes their root cause too."
            if others
            else ""
        )
        self.shared.setVisible(bool(others))
        extra = detail.current_root_causes[1:] if detail else ()
        if extra:
            self.shared.setText(
                self.shared.text()
                + ("\n" if others else "")
                + "Also the cause of this round: "
                + "; ".join(f"\u201c{c.statement}\u201d ({', '.join(c.findings)})" for c in extra)
            )
            self.shared.setVisible(True)
        self._explain()
        self._warn()
        self.past.load(detail)
        show_round(self.heading, detail)

    def _show_link(self) -> None:
        link = self.pending_link
        self.unlink.setVisible(link is not None)
        if link is None:
            self.linked_label.setText("")
            self.linked_label.hide()
        else:
            self.linked_label.setText(
                f"To be linked on Save (unsaved): the root cause of {', '.join(link.findings)}: "
                f"\u201c{link.statement}\u201d"
            )
            self.linked_label.show()

    def _choose_link(self) -> None:
        if self.detail is None:
            return
        register, ref = self.context.register, self.detail.ref
        chooser: Chooser[OtherCause] = Chooser(
            "Link to another finding\u2019s root cause",
            "Root causes",
            lambda text: other_root_causes(register, ref, text),
            lambda c: (
                f"{', '.join(c.findings)} \u2014 {c.statement}"
                + (f" [{c.category.label}]" if c.category else "")
            ),
            self,
            none_yet="No other finding has a root cause recorded yet.",
        )
        chooser.accepted.connect(lambda: self._linked(chooser.choice()))
        self.chooser = chooser
        chooser.open()

    def _linked(self, choice: OtherCause | None) -> None:
        if choice is None:
            return
        self.pending_link = choice
        self._show_link()
        self.edited.emit()

    def _drop_link(self) -> None:
        self.pending_link = None
        self._show_link()
        self.link.setFocus()
        self.edited.emit()

    # --- Saving ------------------------------------------------------------------------

    def edits(self) -> list[Edit]:
        if self.detail is None:
            return []
        out: list[Edit] = []
        cause = self.cause()
        method = self.method.value() or RootCauseMethod.FIVE_WHYS
        category = self.category.value()
        statement, justification = self.statement.text(), self.justification.text()
        whys = self.whys()
        if cause is None:
            typed = bool(statement.strip() or justification.strip() or whys or category is not None)
            if typed and self.pending_link is not None:
                # Both would give the round two causes, which is seldom what was meant;
                # nothing typed is dropped without the user saying so.
                raise FieldProblem(
                    self.statement,
                    "This round gets either the root cause written here or the linked one: "
                    "clear what is written, or Drop the link.",
                )
            if typed:
                out.append(
                    Edit(
                        "Record the root cause",
                        lambda s: op.record_root_cause(
                            s.register,
                            [s.finding],
                            method,
                            statement,
                            category,
                            whys,
                            justification,
                        ),
                        self.statement,
                    )
                )
        elif (method, statement, category, justification, whys) != (
            cause.method,
            cause.statement,
            cause.category,
            cause.symptom_justification,
            drafts_of(cause),
        ):
            cause_id = cause.id
            out.append(
                Edit(
                    "Update the root cause",
                    lambda s: op.update_root_cause(
                        s.register, cause_id, method, statement, category, whys, justification
                    ),
                    self.statement,
                )
            )
        if self.pending_link is not None:
            linked = self.pending_link.id
            out.append(
                Edit(
                    "Link another finding\u2019s root cause",
                    lambda s: op.link_root_cause(s.register, s.finding, linked),
                    self.link,
                )
            )
        return out


def _render_round(detail: FindingDetail, number: int) -> str | None:
    causes = [c for c in detail.root_causes if c.round == number]
    if not causes:
        return None
    parts = []
    for cause in causes:
        head = f"<b>{text_html(cause.statement) or '<i>no statement</i>'}</b>"
        facts = [cause.method.label]
        if cause.category:
            facts.append(cause.category.label)
        others = [r for r in cause.findings if r != detail.ref]
        if others:
            facts.append("shared with " + ", ".join(others))
        lines = [head, html.escape(" \u00b7 ".join(facts))]
        if cause.symptom_justification:
            lines.append("Justification: " + text_html(cause.symptom_justification))
        for why in cause.whys:
            tick = " \u2714 checked" if why.checked else ""
            evidence = f" <i>(evidence: {text_html(why.evidence)})</i>" if why.evidence else ""
            lines.append(
                f"{why.position}. {text_html(why.question)} \u2014 {text_html(why.answer)}"
                f"{evidence}{tick}"
            )
        parts.append("<br>".join(lines))
    return "<hr>".join(parts)
