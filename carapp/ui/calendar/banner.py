"""On opening a register: what is overdue and what falls due in the next seven days, each a
link to its finding's editor; never modal, and dismissed with one click."""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from carapp.models.due import DueKind, lateness
from carapp.operations.changes import Changes
from carapp.queries import agenda as ag
from carapp.store import Register
from carapp.ui import tasks
from carapp.ui.calendar.items import SECTION, short_date
from carapp.ui.calendar.tab import CALENDAR_TABLES, OpenAt

WEEK = 7
COLUMN = 4  # lines per column: the banner stays a few lines high above the tabs
OVERDUE_SHOWN = 2 * COLUMN  # the most overdue, in two columns
COMING_SHOWN = COLUMN  # the soonest coming; the agenda has the rest
_LINKS = (
    Qt.TextInteractionFlag.LinksAccessibleByKeyboard | Qt.TextInteractionFlag.LinksAccessibleByMouse
)


def kinds_text(items: Sequence[ag.DueItem]) -> str:
    """ "3 closures, 12 actions": a list's size by kind, short enough for one line."""
    counts = Counter(i.kind for i in items)
    return ", ".join(
        f"{counts[kind]:,} {kind.short.lower()}{'s' if counts[kind] != 1 else ''}"
        for kind in DueKind
        if counts[kind]
    )


def _dates(count: int) -> str:
    return f"{count:,} date{'s' if count != 1 else ''}"


class DueBanner(QFrame):
    """Above the tabs: the register's overdue dates and the coming week's."""

    def __init__(
        self,
        today: Callable[[], dt.date],
        open_at: OpenAt,
        show_agenda: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dueBanner")
        self.setAccessibleName("Due dates")
        self.setStyleSheet(
            "#dueBanner { background: #fff8e1; border: 1px solid #c9a227;"
            " border-left: 6px solid #c62828; }"
            "#dueBanner QLabel { color: #2b2100; }"
            "#dueBanner QLabel a { color: #0b3d91; }"
        )
        self.today = today
        self.open_at = open_at
        self.show_agenda = show_agenda
        self.register: Register | None = None
        self.agenda: ag.Agenda | None = None
        self.reading = False
        self.dismissed = False

        self.heading = QLabel(self)
        self.heading.setAccessibleName("Due dates summary")
        self.heading.setWordWrap(True)
        self.heading.setTextInteractionFlags(_LINKS)
        self.heading.linkActivated.connect(self._link)
        self.overdue = self._list("Most overdue dates")
        self.overdue_more = self._list("More overdue dates")
        self.coming = self._list("Due in the next 7 days")
        self.close_button = QToolButton(self)
        self.close_button.setText("\u00d7")
        self.close_button.setAccessibleName("Dismiss due dates")
        self.close_button.setToolTip("Dismiss due dates")
        self.close_button.setAutoRaise(True)
        self.close_button.setStyleSheet("font-size: 16px; font-weight: bold; padding: 0 6px;")
        self.close_button.clicked.connect(self.dismiss)

        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        # The lists scroll in a short window, so the banner never makes it taller.
        lists_widget = self.lists = QWidget(self)
        lists_widget.setObjectName("dueBannerLists")
        lists = QHBoxLayout(lists_widget)
        lists.setContentsMargins(0, 0, 0, 0)
        for column in (self.overdue, self.overdue_more, self.coming):
            lists.addWidget(column, 1, Qt.AlignmentFlag.AlignTop)
            lists.addSpacing(12)
        self.lists_area = QScrollArea(self)
        self.lists_area.setObjectName("dueBannerScroll")
        self.lists_area.setFrameShape(QFrame.Shape.NoFrame)
        self.lists_area.setWidgetResizable(True)
        self.lists_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.lists_area.setWidget(lists_widget)
        self.lists_area.setMinimumHeight(2 * self.fontMetrics().height())
        self.lists_area.setMaximumHeight((COLUMN + 2) * self.fontMetrics().lineSpacing() + 4)
        # Never taller than its lines: the tabs below take the window's spare height.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.lists_area.setStyleSheet(
            "#dueBannerScroll, #dueBannerLists { background: transparent; }"
        )
        self.lists_area.viewport().setAutoFillBackground(False)
        layout = self.column = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 8)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.lists_area, 1)
        self.hide()

    def sizeHint(self) -> QSize:
        # As tall as its lists when there is room (a scroll area alone asks for less).
        margins = self.column.contentsMargins()
        top = max(self.heading.sizeHint().height(), self.close_button.sizeHint().height())
        height = margins.top() + margins.bottom() + self.column.spacing() + top
        # A title, the lines of a column and "... and N more" (wrapped labels overstate it).
        lists = (COLUMN + 2) * self.fontMetrics().lineSpacing()
        return QSize(super().sizeHint().width(), height + lists)

    def _list(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setAccessibleName(name)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setTextInteractionFlags(_LINKS)
        label.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        label.setWordWrap(True)  # a long line wraps rather than widening the window
        label.linkActivated.connect(self._link)
        return label

    # --- RegisterTab: the window hands the banner the register and its changes --------------

    def set_register(self, register: Register) -> None:
        """A register opened: say what is due in it (off the GUI thread), once."""
        self.register = register
        self.dismissed = False
        self._read()

    def on_changes(self, changes: Changes[Any]) -> None:
        # A date done or moved leaves the banner while it is still shown.
        if not self.dismissed and changes.touches(*CALENDAR_TABLES):
            self._read()

    def set_read_only(self, read_only: bool) -> None:
        # The banner only reads and opens editors; those say themselves when they cannot write.
        pass

    def idle(self) -> bool:
        return not self.reading

    def dismiss(self) -> None:
        self.dismissed = True
        self.hide()

    def _read(self) -> None:
        register = self.register
        if register is None:
            return
        today = self.today()
        self.reading = True

        def answered(agenda: ag.Agenda) -> None:
            if register is self.register:
                self.reading = False
                self.show_agenda_items(agenda)

        def failed(_sentence: str) -> None:
            # The calendar tab says why it cannot read; an opening banner stays out of the way.
            self.reading = False
            self.hide()

        tasks.run(lambda _c: ag.agenda(register, today, WEEK), answered, failed, owner=self)

    # --- what it shows ------------------------------------------------------------------------

    def show_agenda_items(self, agenda: ag.Agenda) -> None:
        self.agenda = agenda
        if not agenda.items or self.dismissed:
            self.hide()
            return
        parts = []
        if agenda.overdue:
            parts.append(
                # Dates, not findings: the status bar counts overdue findings, and one
                # finding can owe several dates.
                f"<b style='color:#b71c1c'>{_dates(len(agenda.overdue))} overdue:</b> "
                f"{html.escape(kinds_text(agenda.overdue))}"
            )
        if agenda.coming:
            parts.append(
                f"<b>{_dates(len(agenda.coming))} due in the next {WEEK} days:</b> "
                f"{html.escape(kinds_text(agenda.coming))}"
            )
        more = len(agenda.overdue) > OVERDUE_SHOWN or len(agenda.coming) > COMING_SHOWN
        link = (
            "<a href='agenda'>Show all in the calendar's agenda</a>"
            if more
            else "<a href='agenda'>Open the calendar's agenda</a>"
        )
        self.heading.setText(" &nbsp;\u2022&nbsp; ".join([*parts, link]))
        overdue = agenda.overdue[:OVERDUE_SHOWN]
        self._fill(self.overdue, "Most overdue", overdue[:COLUMN], 0)
        self._fill(self.overdue_more, "\u00a0", overdue[COLUMN:], COLUMN)
        rest = len(agenda.overdue) - len(overdue)
        if rest and not self.overdue_more.isHidden():
            self.overdue_more.setText(self.overdue_more.text() + f"<br>\u2026 and {rest:,} more")
        elif rest:
            self.overdue.setText(self.overdue.text() + f"<br>\u2026 and {rest:,} more")
        first = len(agenda.overdue)
        coming = agenda.coming[:COMING_SHOWN]
        self._fill(self.coming, f"Due in the next {WEEK} days", coming, first)
        rest = len(agenda.coming) - len(coming)
        if rest:
            self.coming.setText(self.coming.text() + f"<br>\u2026 and {rest:,} more")
        self.show()

    def _fill(self, label: QLabel, title: str, items: Sequence[ag.DueItem], first: int) -> None:
        if not items:
            label.hide()
            return
        lines = [f"<b>{html.escape(title)}</b>"]
        for n, item in enumerate(items):
            days = (item.on - item.today).days
            if item.overdue:
                late = f"{-days:,} day{'s' if days != -1 else ''} late"
                when = f"<span style='color:#b71c1c;font-weight:bold'>{late}</span>"
            else:
                when = html.escape(lateness(item.on, item.today))
            what = f"{item.kind.short} {item.item_ref}"
            if item.action_ref:
                what += f" ({item.findings_text})"
            lines.append(
                f"<a href='item:{first + n}'>{html.escape(what)}</a>"
                f" {html.escape(short_date(item.on))}, {when}"
            )
        label.setText("<br>".join(lines))
        label.setToolTip("\n".join(i.describe() for i in items))
        label.show()

    def _link(self, href: str) -> None:
        if href == "agenda":
            self.show_agenda()
            return
        if self.agenda is None or not href.startswith("item:"):
            return
        items = self.agenda.items
        n = int(href.removeprefix("item:"))
        if 0 <= n < len(items):
            item = items[n]
            self.open_at(item.finding_refs[0], SECTION[item.kind])
