"""The detail pane: one finding whole, as an ISMS manager reads it at a glance."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QTextBrowser, QWidget

from carapp.operations.changes import ACTIONS, FINDINGS, REVIEWS, ROOT_CAUSES, Changes
from carapp.queries import finding_detail
from carapp.queries.findings import FindingDetail, HistoryView
from carapp.store import Register

DASH = "\u2014"
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


def detail_html(d: FindingDetail) -> str:
    """The detail pane: what an ISMS manager needs to see of one finding at a glance."""
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
        f"stage <b>{_e(d.stage.label)}</b>"
        f"{' &bull; ' + due if due else ''}</p>",
        f"<p style='background:#eef3fb;padding:4px'><b>Next step:</b> {_e(d.next_step)}</p>",
        "<h4>Requirements</h4><p>"
        + ("<br>".join(f"{_e(r.code)} {_e(r.title)}" for r in d.requirements) or "\u2014")
        + "</p>",
        f"<h4>Statement</h4><p>{_e(d.statement) or DASH}</p>",
    ]
    for cause in d.current_root_causes:
        category = f" ({cause.category.label})" if cause.category else ""
        parts.append(f"<h4>Root cause{_e(category)}</h4><p>{_e(cause.statement)}</p>")
    if d.current_actions:
        parts.append("<h4>Actions</h4><ul>")
        parts += [
            f"<li><b>{_e(a.ref)}</b> {_e(a.description)}<br>"
            f"<i>{_e(a.owner or 'no owner')}, target {_e(a.target_on or DASH)}, "
            f"{_e(a.status)}</i></li>"
            for a in d.current_actions
        ]
        parts.append("</ul>")
    for review in d.current_reviews[-1:]:
        parts.append(
            f"<h4>Effectiveness review</h4><p>{_e(review.method)}<br>"
            f"<i>due {_e(review.due_on)}, result {_e(review.result or 'pending')}</i></p>"
        )
    parts.append("<h4>Recent history</h4><ul>")
    parts += [
        f"<li>{_e(h.at[:10])} {_e(h.actor)}: {_e(_change(h))}</li>"
        for h in reversed(d.history[-6:])
    ]
    parts.append("</ul>")
    return "".join(parts)


def _change(entry: HistoryView) -> str:
    """One history entry in words: 'corrective action: status \u2192 done'."""
    record = entry.record.split("#")[0].replace("_", " ").removesuffix("s")
    if entry.field == "(created)":
        return f"{record} created"
    name = entry.field.removesuffix("_id").replace("_", " ")
    new = entry.new
    if entry.field.endswith("_id") or new is None or len(str(new)) > 40:
        return f"{record}: {name} changed"
    return f"{record}: {name} \u2192 {new}"
