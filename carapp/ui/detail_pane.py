"""The detail pane: one finding whole, as an ISMS manager reads it at a glance."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QTextBrowser, QWidget

from carapp.models.words import day_text
from carapp.operations.changes import ACTIONS, FINDINGS, REVIEWS, ROOT_CAUSES, Changes
from carapp.queries import finding_detail
from carapp.queries.findings import FindingDetail
from carapp.queries.history_words import DASH, HistoryLine, history_lines
from carapp.store import Register

EMPTY = (
    "<p style='color:#555'>Select a finding to see its statement, root cause, "
    "actions, review and what it needs next.</p>"
)


class DetailPane(QTextBrowser):
    """Shows the finding selected in the table; says so when none is."""

    def __init__(
        self, register: Register, today: Callable[[], dt.date], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.register = register
        self.today = today
        self.ref: str | None = None
        self._empty = False
        self.setOpenExternalLinks(False)
        self.setAccessibleName("Finding detail")

    def show_finding(self, ref: str | None) -> None:
        self.ref = ref
        if ref is None:
            if self._empty:
                return  # laying out the same text again costs a keystroke's budget
            self._empty = True
            self.setHtml(EMPTY)
            return
        self._empty = False
        self.setHtml(detail_html(finding_detail(self.register, ref, self.today())))

    def on_changes(self, changes: Changes[Any]) -> None:
        # Any write under a finding can change what the pane says (stage, next step,
        # history), and which finding a root cause or action belongs to is not in the
        # notice: refresh the finding shown whenever one of its tables changed.
        if self.ref is not None and changes.touches(FINDINGS, ACTIONS, REVIEWS, ROOT_CAUSES):
            self.show_finding(self.ref)


def escape_text(value: Any) -> str:
    """Any value as HTML text: user text must never be read as markup."""
    return html.escape("" if value is None else str(value))


_e = escape_text


def _day(value: dt.date | None) -> str:
    return day_text(value) if value is not None else DASH


def _para(text: str) -> str:
    """User text as paragraphs: its line breaks kept."""
    return _e(text).replace("\n", "<br>")


def _facts(rows: list[tuple[str, str]]) -> str:
    """Labelled values, one a line; values are HTML already, empty ones are left out."""
    shown = [f"<b>{_e(label)}:</b> {value}" for label, value in rows if value]
    return f"<p>{'<br>'.join(shown)}</p>" if shown else ""


def detail_html(d: FindingDetail) -> str:
    """The detail pane: what an ISMS manager needs to see of one finding at a glance, and
    every field recorded about it (empty ones left out)."""
    days = d.days_left
    due = ""
    if days is not None:
        due = (
            f"<b style='color:#a40000'>{-days} days overdue</b>"
            if d.overdue
            else f"{days} days left"
        )
    parts = [
        f"<h3>{_e(d.ref)} \u2014 {_e(d.title)}</h3>",
        f"<p><b>{_e(d.classification.label)}</b> &bull; "
        f"stage <b>{_e(d.stage_text)}</b>"
        f"{' &bull; ' + due if due else ''}</p>",
        f"<p style='background:#eef3fb;padding:4px'><b>Next step:</b> {_e(d.next_step)}</p>",
    ]
    if d.cycle > 1:
        failed = [r for r in d.reviews if r.round == d.cycle - 1 and r.result is not None]
        when = f" on {failed[-1].done_on.isoformat()}" if failed and failed[-1].done_on else ""
        parts.append(
            "<p style='background:#fde7e9;color:#5c0011;padding:4px'>"
            f"<b>Reopened: round {d.cycle}.</b> The effectiveness review of round "
            f"{d.cycle - 1} found the actions not effective{_e(when)}, so the finding went "
            "back to root-cause analysis. The earlier rounds stay in the editor.</p>"
        )
    if d.void is not None:
        parts.append(
            f"<h4>Void</h4><p>{_para(d.void.reason) or DASH}<br>"
            f"<i>voided on {_e(_day(d.void.on))}</i></p>"
        )
    parts.append(
        _facts(
            [
                ("Identified", _e(_day(d.identified))),
                ("Source", _e(d.source.label)),
                ("Audit", _e(d.audit or "")),
                ("Certification body reference", _e(d.cb_ref)),
                ("Reference in the imported spreadsheet", _e(d.source_ref)),
                ("Raised by", _e(d.raised_by or "")),
                ("Area", _e(d.area)),
                ("Plan due", _e(_day(d.plan_due)) if d.plan_due else ""),
                ("Plan sent on", _e(_day(d.plan_sent_on)) if d.plan_sent_on else ""),
                ("Closure due", _e(_day(d.closure_due)) if d.closure_due else ""),
                ("Closed on", _e(_day(d.closed_on)) if d.closed_on else ""),
            ]
        )
    )
    parts += [
        "<h4>Requirements</h4><p>"
        + ("<br>".join(f"{_e(r.code)} {_e(r.title)}" for r in d.requirements) or "\u2014")
        + "</p>",
        f"<h4>Statement</h4><p>{_para(d.statement) or DASH}</p>",
    ]
    if d.evidence_observed:
        parts.append(f"<h4>Evidence observed</h4><p>{_para(d.evidence_observed)}</p>")
    c = d.containment
    if c.what:
        who = ", ".join(x for x in (_day(c.on) if c.on else "", c.by or "") if x)
        parts.append(
            f"<h4>Containment</h4><p>{_para(c.what)}"
            + (f"<br><i>{_e(who)}</i>" if who else "")
            + "</p>"
        )
    elif c.none_needed_reason:
        parts.append(f"<h4>Containment</h4><p>None needed: {_para(c.none_needed_reason)}</p>")
    dispute = d.dispute
    if dispute.raised_on or dispute.note or dispute.outcome:
        parts.append("<h4>Dispute</h4>")
        parts.append(
            _facts(
                [
                    ("Raised on", _e(_day(dispute.raised_on)) if dispute.raised_on else ""),
                    ("Outcome", _e(dispute.outcome.label) if dispute.outcome else "pending"),
                    ("Note", _para(dispute.note)),
                ]
            )
        )
    if d.decision.decision is not None or d.decision.note:
        label = d.decision.decision.label if d.decision.decision else DASH
        parts.append(
            f"<h4>Decision</h4><p><b>{_e(label)}</b>"
            + (f"<br>{_para(d.decision.note)}" if d.decision.note else "")
            + "</p>"
        )
    for cause in d.current_root_causes:
        category = f" ({cause.category.label})" if cause.category else ""
        parts.append(f"<h4>Root cause{_e(category)}</h4><p>{_para(cause.statement)}</p>")
        if cause.symptom_justification:
            parts.append(f"<p><i>Justification:</i> {_para(cause.symptom_justification)}</p>")
        if cause.whys:
            parts.append("<ol>")
            parts += [
                f"<li>{_e(w.question)} {_e(w.answer)}"
                + (f" <i>(evidence: {_e(w.evidence)})</i>" if w.evidence else "")
                + "</li>"
                for w in cause.whys
            ]
            parts.append("</ol>")
    if d.current_actions:
        parts.append("<h4>Actions</h4><ul>")
        parts += [
            f"<li><b>{_e(a.ref)}</b> {_e(a.description)}<br>"
            f"<i>{_e(a.owner or 'no owner')}, target {_e(_day(a.target_on))}, "
            f"{_e(a.status.label.lower())}</i></li>"
            for a in d.current_actions
        ]
        parts.append("</ul>")
    for review in d.current_reviews[-1:]:
        result = review.result.label if review.result else "pending"
        parts.append(
            f"<h4>Effectiveness review</h4><p>{_para(review.method)}<br>"
            f"<i>due {_e(_day(review.due_on))}, result {_e(result)}</i></p>"
        )
    isms = [
        (target.label, update.decision.label, update.note)
        for target, update in d.isms_update.items()
        if update.decision is not None
    ]
    if isms:
        parts.append("<h4>ISMS updates</h4><ul>")
        parts += [
            f"<li><b>{_e(target)}:</b> {_e(decision)}"
            + (f" \u2014 {_e(note)}" if note else "")
            + "</li>"
            for target, decision, note in isms
        ]
        parts.append("</ul>")
    parts.append("<h4>Recent history</h4><ul>")
    parts += [_history_item(h) for h in history_lines(d.history, limit=8)]
    parts.append("</ul>")
    return "".join(parts)


def _history_item(h: HistoryLine) -> str:
    change = f": {_e(_short(h.old))} \u2192 {_e(_short(h.new))}"
    if h.old == DASH and h.new == DASH:
        change = ""
    elif h.old == DASH and " \u00b7 " not in h.what:  # a record made, not a field changed
        change = f": {_e(_short(h.new))}"
    note = f" <i>({_e(h.note)})</i>" if h.note else ""
    return f"<li>{_e(h.at)} {_e(h.actor)}: {_e(h.what)}{change}{note}</li>"


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
