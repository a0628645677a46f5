"""Effectiveness (clause 10.2 d): whether the actions taken worked. A review is scheduled
first (how it will be judged, by whom, by when) and its result recorded on the same review
later.

A result of "not effective" sends the finding back to root-cause analysis: the domain
starts the next round on Save, and this section then shows an empty review for it, with
the failed round still readable below."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from carapp import operations as op
from carapp.models.due import spoken_date
from carapp.models.enums import ActionStatus, ReviewResult
from carapp.models.review_methods import REVIEW_METHODS, ReviewMethod, method_of
from carapp.queries import FindingDetail
from carapp.queries.findings import ReviewView
from carapp.ui.editor.fields import DateField, EnumBox
from carapp.ui.editor.rounds import (
    PastRounds,
    fit,
    reading_label,
    round_heading,
    show_round,
    text_html,
)
from carapp.ui.editor.section import Edit, EditorContext, SaveContext, Section
from carapp.ui.widgets import TextBox, add_row

NOT_REVIEWED = "\u2014 not reviewed yet \u2014"
OWN_METHOD = "Other (described below)"


class EffectivenessSection(Section):
    key = "effectiveness"
    title = "Effectiveness"

    def __init__(self, context: EditorContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        intro = QLabel(
            "Did the actions remove the cause? Say now how that will be judged and when; "
            "record the result on the same review once it is done. \u201cNot effective\u201d "
            "sends the finding back to root-cause analysis.",
            self,
        )
        intro.setWordWrap(True)
        self.heading = round_heading(self)
        self.earlier = reading_label("", "Earlier reviews of this round", self)
        plan = QGroupBox("Schedule", self)
        plan.setAccessibleName("Schedule")
        # A kind of check suggests when it can first tell; the method text stays free.
        self.kind = QComboBox(plan)
        self.kind.setAccessibleName("Kind of check")
        self.kind.addItem(OWN_METHOD, None)
        for method in REVIEW_METHODS:
            self.kind.addItem(method.name, method.name)
            self.kind.setItemData(
                self.kind.count() - 1, method.explanation, Qt.ItemDataRole.ToolTipRole
            )
        self.suggestion = QLabel(plan)
        self.suggestion.setWordWrap(True)
        self.suggestion.setAccessibleName("Suggested review date")
        self.method = TextBox("Method", plan, lines=2)
        self.method.setPlaceholderText("e.g. sample all leavers of May and June")
        self.criteria = TextBox("Pass criteria", plan, lines=2)
        self.criteria.setPlaceholderText("e.g. no active account after the last day")
        fit(self.method, 2)
        fit(self.criteria, 2)
        self.due = DateField("Review due", plan)
        self.reviewer = context.person_picker("Reviewer", plan)
        plan_form = QFormLayout(plan)
        add_row(plan_form, "&Kind of check", self.kind)
        plan_form.addRow("", self.suggestion)
        add_row(plan_form, "Met&hod", self.method)
        add_row(plan_form, "&Pass criteria", self.criteria)
        add_row(plan_form, "Review d&ue", self.due, focus=self.due.line)
        add_row(plan_form, "Re&viewer", self.reviewer)
        done = QGroupBox("Result", self)
        done.setAccessibleName("Result")
        self.done_on = DateField("Date done", done)
        self.result: EnumBox[ReviewResult] = EnumBox(
            "Result", list(ReviewResult), none=NOT_REVIEWED, parent=done
        )
        self.notes = TextBox("Notes", done, lines=3)
        fit(self.notes, 3)
        done_form = QFormLayout(done)
        add_row(done_form, "Date d&one", self.done_on, focus=self.done_on.line)
        add_row(done_form, "&Result", self.result)
        add_row(done_form, "&Notes", self.notes)
        self.warning = QLabel(self)
        self.warning.setWordWrap(True)
        self.warning.setAccessibleName("What Save will do")
        self.warning.setStyleSheet("color: #a00;")
        self.past = PastRounds(_render_round, self)
        box = QVBoxLayout(self)
        box.addWidget(intro)
        box.addWidget(self.heading)
        box.addWidget(self.earlier)
        box.addWidget(plan)
        box.addWidget(done)
        box.addWidget(self.warning)
        box.addWidget(self.past)
        box.addStretch(1)
        self.watch(
            self.method,
            self.criteria,
            self.due,
            self.reviewer,
            self.done_on,
            self.result,
            self.notes,
        )
        self.result.currentIndexChanged.connect(lambda _i: self._warn())
        self.kind.activated.connect(lambda _i: self._kind_chosen())
        self.method.textChanged.connect(self._show_suggestion)
        self._suggested: dt.date | None = None  # the date last filled in for the user

    def chosen_method(self) -> ReviewMethod | None:
        return method_of(self.method.text()) or method_of(self.kind.currentData() or "")

    def actions_done_on(self) -> dt.date | None:
        """When the round's last live action was done, or ``None`` while one is still open:
        a check of an action not yet done can only tell that it is not done."""
        actions = [
            a
            for a in (self.detail.current_actions if self.detail else ())
            if a.status is not ActionStatus.CANCELLED
        ]
        if not actions or any(a.completed_on is None for a in actions):
            return None
        return max(a.completed_on for a in actions if a.completed_on is not None)

    def _kind_chosen(self) -> None:
        method = method_of(self.kind.currentData() or "")
        if method is None:
            self._show_suggestion()
            return
        # The method text begins with the kind's name, so the choice is saved with it.
        text = self.method.text()
        current = method_of(text)
        if not text.strip():
            self.method.setText(f"{method.name}: ")
        elif current is not None:
            self.method.setText(method.name + text.strip()[len(current.name) :])
        else:
            self.method.setText(f"{method.name}: {text}")
        due = self.suggested_due()
        if due is not None and (self.due.value() is None or self.due.value() == self._suggested):
            self.due.set_value(due)
            self._suggested = due
        self._show_suggestion()

    def suggested_due(self) -> dt.date | None:
        """When the chosen check can first tell, and never before today: a check whose
        moment has passed can be done now."""
        method = self.chosen_method()
        if method is None:
            return None
        today = self.context.today
        return max(method.suggested_due(self.actions_done_on() or today), today)

    def _show_suggestion(self) -> None:
        method = method_of(self.method.text())
        index = self.kind.findData(method.name if method else None)
        if index >= 0 and index != self.kind.currentIndex():
            self.kind.setCurrentIndex(index)
        due = self.suggested_due()
        chosen = self.chosen_method()
        if chosen is None or due is None:
            self.suggestion.setText(
                "Pick a kind of check to get a suggested due date, or describe your own."
            )
            return
        done = self.actions_done_on()
        if done is None:
            basis = " (the actions are not all done yet, so counted from today)"
        elif chosen.suggested_due(done) < self.context.today:
            basis = f" (the actions were done on {spoken_date(done)}: that moment has passed)"
        else:
            basis = ""
        self.suggestion.setText(
            f"{chosen.explanation} Suggested due date: {spoken_date(due)}, {chosen.when}{basis}."
        )

    def review(self) -> ReviewView | None:
        """The round's latest review: the one scheduled and then completed."""
        reviews = self.detail.current_reviews if self.detail else ()
        return reviews[-1] if reviews else None

    def _warn(self) -> None:
        failing = self.result.value() is ReviewResult.NOT_EFFECTIVE
        saved = self.review()
        if failing and not (saved and saved.result is ReviewResult.NOT_EFFECTIVE):
            self.warning.setText(
                "Saving \u201cnot effective\u201d starts round "
                f"{(self.detail.cycle if self.detail else 1) + 1}: the finding goes back to "
                "root-cause analysis, and this round stays readable below."
            )
        else:
            self.warning.setText("")
        self.warning.setVisible(bool(self.warning.text()))

    def load(self, detail: FindingDetail | None) -> None:
        self.detail = detail
        review = self.review()
        self.method.setText(review.method if review else "")
        self.criteria.setText(review.criteria if review else "")
        self.due.set_value(review.due_on if review else None)
        self.reviewer.set_value(review.reviewer_id if review else None)
        self.done_on.set_value(review.done_on if review else None)
        self.result.set_value(review.result if review else None)
        self.notes.setText(review.notes if review else "")
        self._suggested = None
        self._show_suggestion()
        show_round(self.heading, detail)
        earlier = detail.current_reviews[:-1] if detail else ()
        self.earlier.setText("<br>".join(_review_html(r) for r in earlier))
        self.earlier.setVisible(bool(earlier))
        self._warn()
        self.past.load(detail)

    def draft(self) -> op.ReviewDraft:
        return op.ReviewDraft(
            method=self.method.text(),
            criteria=self.criteria.text(),
            due_on=self.due.value(),
            reviewer_id=None,  # filled in on Save: the reviewer may be a new person
            done_on=self.done_on.value(),
            result=self.result.value(),
            notes=self.notes.text(),
        )

    def edits(self) -> list[Edit]:
        if self.detail is None:
            return []
        draft = self.draft()
        reviewer = self.reviewer.value()
        review = self.review()
        if review is None:
            if draft == op.ReviewDraft(method="") and reviewer is None:
                return []

            def record(s: SaveContext) -> op.Changes[int]:
                full = replace(draft, reviewer_id=s.person(reviewer))
                return op.record_review(s.register, s.finding, full)

            first: QWidget = self.method
            if draft.result is not None and draft.done_on is None:
                first = self.done_on.line
            return [Edit("Schedule the effectiveness review", record, first)]
        saved = op.ReviewDraft(
            review.method,
            review.criteria,
            review.due_on,
            None,
            review.done_on,
            review.result,
            review.notes,
        )
        if draft == saved and reviewer == review.reviewer_id:
            return []
        review_id = review.id
        widget: QWidget = self.result if draft.result is not review.result else self.method
        if draft.result is not None and draft.done_on is None:
            widget = self.done_on.line

        def update(s: SaveContext) -> op.Changes[None]:
            full = replace(draft, reviewer_id=s.person(reviewer))
            return op.update_review(s.register, review_id, full)

        return [Edit("Update the effectiveness review", update, widget)]


def _review_html(review: ReviewView) -> str:
    facts = []
    if review.due_on:
        facts.append(f"due {review.due_on.isoformat()}")
    if review.reviewer:
        facts.append(f"reviewer {html.escape(review.reviewer)}")
    if review.done_on:
        facts.append(f"done {review.done_on.isoformat()}")
    result = review.result.label if review.result else "no result yet"
    lines = [
        f"<b>{html.escape(result)}</b> \u2014 {html.escape(', '.join(facts))}",
        f"Method: {text_html(review.method) or '<i>none written</i>'}",
    ]
    if review.criteria:
        lines.append(f"Pass criteria: {text_html(review.criteria)}")
    if review.notes:
        lines.append(f"Notes: {text_html(review.notes)}")
    return "<br>".join(lines)


def _render_round(detail: FindingDetail, number: int) -> str | None:
    reviews = [r for r in detail.reviews if r.round == number]
    return "<hr>".join(_review_html(r) for r in reviews) if reviews else None
