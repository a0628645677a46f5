"""Summary: the whole analysis read back to the room before it becomes record, with what
still stops the save; then the save itself, and the minutes once it is recorded."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from carapp.models.symptoms import symptom_fixes, symptom_phrases
from carapp.models.workshop import WorkshopDraft, problems
from carapp.operations.changes import Changes
from carapp.queries.pickers import OtherCause
from carapp.ui import tasks
from carapp.ui.workshop.page import WizardContext, WorkshopPage

WARN = "\u26a0"  # the flag put on what the checks found, read aloud as "warning"
TICK = "\u2713"


def _e(text: str) -> str:
    return html.escape(" ".join(text.split()))


def _section(title: str, lines: list[str]) -> str:
    body = "".join(f"<li>{line}</li>" for line in lines) if lines else "<li><i>None</i></li>"
    return f"<h3>{_e(title)}</h3><ul>{body}</ul>"


def summary_html(draft: WorkshopDraft, context: WizardContext) -> str:
    """The analysis as the room reads it back and the minutes will say it."""
    parts: list[str] = []
    facts = draft.facts
    fact_lines = [f"<b>{_e(draft.ref)}</b> {_e(facts.title) or '<i>no title</i>'}"]
    for label, value in (
        ("Statement", facts.statement),
        ("Evidence observed", facts.evidence_observed),
        ("Area", facts.area),
    ):
        if value.strip():
            fact_lines.append(f"{label}: {_e(value)}")
    if facts != draft.facts_before:
        fact_lines.append("<i>Corrected in the room; recorded with the analysis.</i>")
    parts.append(_section("The finding", fact_lines))

    parts.append(
        _section(
            "In the room",
            [
                _e(a.name)
                + (f" ({_e(a.role)})" if a.role.strip() else "")
                + ("" if a.person_id is not None else " <i>(new to the register)</i>")
                for a in draft.attendees
            ],
        )
    )

    verdicts = {True: "related", False: "not related", None: "not evaluated"}
    parts.append(
        _section(
            "Similar findings evaluated",
            [
                f"<b>{_e(e.ref)}</b>: {verdicts[e.related]}"
                + (f" \u2014 {_e(e.note)}" if e.note.strip() else "")
                for e in draft.evaluations
            ],
        )
    )

    chain: list[str] = []
    steps = draft.stored_chain()
    for why, branch_of in steps:
        line = f"<b>Why {draft.number(why.key)}:</b> {_e(why.answer)}"
        if branch_of is not None:
            # Down the chain each why answers the one above it; a branch says which.
            answers = draft.number(steps[branch_of - 1][0].key)
            line += f" <i>(a second answer to Why {answers})</i>"
        if why.key == draft.root_key and draft.link_cause_id is None:
            line += " \u2190 <b>root cause</b>"
        if why.evidence.strip():
            tick = f"{TICK} checked" if why.checked else "not checked"
            line += f"<br>Evidence: {_e(why.evidence)} ({tick})"
        else:
            line += "<br><i>No evidence noted.</i>"
        chain.append(line)
    if draft.fewer_whys_reason.strip():
        chain.append(f"Why fewer whys are enough: {_e(draft.fewer_whys_reason)}")
    parts.append(_section("The why chain", chain))

    parts.append(_section("Root cause", _root_lines(draft, context)))

    action_lines = []
    for number, action in enumerate(draft.actions, start=1):
        if action.is_blank():
            continue
        owner = (
            context.people.name_of(action.owner_id)
            if action.owner_id is not None
            else action.owner_name
        )
        line = (
            f"<b>{number}. {_e(action.description) or '<i>no description</i>'}</b>"
            f"<br>{_e(action.kind.label)}, owner {_e(owner or '') or '<i>nobody</i>'}, "
            f"target {_e(action.target) or '<i>no date</i>'}"
            f"<br>Outcome: {_e(action.outcome) or '<i>none</i>'}"
        )
        found = symptom_fixes(action.description)
        if found:
            line += (
                f"<br><b>{WARN} Symptom fix</b> ({_e(', '.join(found))}): it treats the "
                "symptom; the finding is likely to recur."
            )
        action_lines.append(line)
    parts.append(_section("Actions", action_lines))

    parts.append(_section("Parked for after the workshop", [_e(p.text) for p in draft.parking]))
    minutes = round(draft.elapsed_seconds / 60)
    parts.append(f"<p>Time taken: {minutes} min of {draft.timebox_minutes}.</p>")
    return "".join(parts)


def _root_lines(draft: WorkshopDraft, context: WizardContext) -> list[str]:
    if draft.link_cause_id is not None:
        causes = context.extras.get("causes")
        cause = next(
            (
                c
                for c in (causes if isinstance(causes, list) else [])
                if isinstance(c, OtherCause) and c.id == draft.link_cause_id
            ),
            None,
        )
        if cause is None:
            return [f"Linked to the existing root cause number {draft.link_cause_id}."]
        category = cause.category.label if cause.category else "no category"
        return [
            f"Linked to an existing root cause: <b>{_e(cause.statement)}</b> ({_e(category)}), "
            f"the root cause of {_e(', '.join(cause.findings))}."
        ]
    lines = [f"<b>{_e(draft.statement) or '<i>no statement</i>'}</b>"]
    lines.append(
        f"Category: {_e(draft.category.label)}" if draft.category else "Category: <i>none</i>"
    )
    found = symptom_phrases(draft.statement)
    if found:
        lines.append(f"{WARN} Reads like a symptom ({_e(', '.join(found))}).")
    if draft.justification.strip():
        lines.append(f"Why it is the cause all the same: {_e(draft.justification)}")
    return lines


class SummaryPage(WorkshopPage):
    key = "summary"
    title = "Summary"
    hint = "Read the analysis back to the room, then save it: it becomes record in one go."

    def __init__(self, context: WizardContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.minutes_task: tasks.Task[Any] | None = None
        self.summary = QLabel(self)
        self.summary.setAccessibleName("Summary of the analysis")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.missing = QLabel(self)
        self.missing.setObjectName("pageProblems")
        self.missing.setAccessibleName("Still missing before saving")
        self.missing.setTextFormat(Qt.TextFormat.RichText)
        self.missing.setWordWrap(True)
        self.missing.setStyleSheet("color: #a00000;")
        self.recorded = QLabel(self)
        self.recorded.setAccessibleName("Recorded")
        self.recorded.setTextFormat(Qt.TextFormat.RichText)
        self.recorded.setWordWrap(True)
        self.recorded.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.save_button = QPushButton("&Save the analysis", self)
        self.save_button.setAccessibleName("Save the analysis")
        self.save_button.setToolTip("Ctrl+Enter")
        self.save_button.clicked.connect(self._save)
        self.minutes_button = QPushButton("Write the &minutes", self)
        self.minutes_button.setAccessibleName("Write the minutes")
        self.minutes_button.clicked.connect(self._write_minutes)
        self.minutes = QLabel(self)
        self.minutes.setAccessibleName("Minutes")
        self.minutes.setWordWrap(True)
        self.minutes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.minutes_button)
        buttons.addStretch(1)
        # What stops the save, the save and its outcome come first: at 24 pt the summary
        # runs over several screens and the room must not scroll to find them.
        layout = QVBoxLayout(self)
        layout.addWidget(self.missing)
        layout.addWidget(self.recorded)
        layout.addLayout(buttons)
        layout.addWidget(self.minutes)
        layout.addWidget(self.summary)
        layout.addStretch(1)
        self.minutes_button.hide()
        self.minutes.hide()
        self.recorded.hide()

    def _window_saved(self) -> Any:
        """The window's record of the save (its ``saved``), None until saved."""
        return getattr(self.window(), "saved", None)

    def show_draft(self, draft: WorkshopDraft) -> None:
        super().show_draft(draft)
        self.refresh()
        if self._window_saved() is not None:
            # The window shows the draft again once saved: Save is now disabled, so the
            # keyboard moves on to what comes next instead of the window's first button.
            self.minutes_button.setFocus()

    def entered(self) -> None:
        self.refresh()
        (self.minutes_button if self._window_saved() is not None else self.save_button).setFocus()

    def context_ready(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        draft = self.draft
        if draft is None:
            return
        self.summary.setText(summary_html(draft, self.context))
        saved = self._window_saved()
        missing = [] if saved is not None else self.missing_before_save(draft)
        self.missing.setText(
            "<b>Still missing before the analysis can be saved:</b><ul>"
            + "".join(f"<li>{html.escape(m)}</li>" for m in missing)
            + "</ul>"
            if missing
            else ""
        )
        self.missing.setVisible(bool(missing))
        self.save_button.setEnabled(saved is None and not self.context.read_only)
        # Workshop mode draws a disabled button as black as an enabled one: say it.
        self.save_button.setText("&Save the analysis" if saved is None else "Saved")
        self.recorded.setVisible(saved is not None)
        self.minutes_button.setVisible(saved is not None)
        if saved is not None:
            actions = ", ".join(saved.actions) or "none"
            self.recorded.setText(
                f"<b>Recorded.</b> The team's analysis of {html.escape(saved.ref)} is in the "
                f"register; the finding is now <b>{html.escape(saved.stage.label)}</b>. "
                f"Actions: {html.escape(actions)}."
            )

    def missing_before_save(self, draft: WorkshopDraft) -> list[str]:
        """What the save refuses for: every page's own check (a date typed that is not a
        date, a link chosen but no cause picked), then the analysis as a whole."""
        found: list[str] = []
        for page in getattr(self.window(), "pages", []):
            if isinstance(page, WorkshopPage) and page is not self:
                found.extend(p for p in page.problems(draft) if p not in found)
        found.extend(p for p in problems(draft) if p not in found)
        return found

    def _save(self) -> None:
        save = getattr(self.window(), "save", None)
        if callable(save):
            save()

    def _write_minutes(self) -> None:
        saved = self._window_saved()
        if saved is None or (self.minutes_task is not None and not self.minutes_task.ended):
            return
        # Written by the exports package; imported here so that the wizard opens without it.
        from carapp.exports.minutes import attach_minutes

        register, ref, workshop_id = self.context.register, saved.ref, saved.workshop_id
        today = self.context.today
        self.minutes_button.setEnabled(False)
        self.minutes.setText("Writing the minutes\u2026")
        self.minutes.show()
        self.minutes_task = tasks.run(
            lambda _c: attach_minutes(register, ref, workshop_id, today),
            self._minutes_written,
            self._minutes_failed,
            owner=self,
        )

    def _minutes_written(self, changes: Changes[tuple[str, str]]) -> None:
        name, sha256 = changes.result
        self.minutes.setText(f"Minutes attached: {name} (SHA-256 {sha256[:16]}\u2026)")
        self.minutes.setToolTip(f"SHA-256 {sha256}")
        self.minutes.setAccessibleDescription(f"SHA-256 {sha256}")
        self.minutes_button.setEnabled(True)
        on_changes = getattr(self.window(), "on_changes", None)
        if callable(on_changes):
            on_changes(changes)

    def _minutes_failed(self, sentence: str) -> None:
        self.minutes.setText(f"The minutes were not attached: {sentence}")
        self.minutes_button.setEnabled(True)

    def problems(self, draft: WorkshopDraft) -> list[str]:
        return problems(draft)
