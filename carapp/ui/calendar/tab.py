"""The Calendar tab: a month of due dates with a marker per kind, the chosen day's list, and
the agenda of what is overdue and what falls due in the next 30, 60 or 90 days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from carapp.models.due import DueKind, spoken_date
from carapp.operations.changes import (
    ACTIONS,
    DEADLINE_RULES,
    EXTENSIONS,
    FINDINGS,
    PEOPLE,
    REVIEWS,
    Changes,
)
from carapp.queries import agenda as ag
from carapp.queries import list_people
from carapp.store import Register
from carapp.ui import tasks
from carapp.ui.calendar.items import SECTION, DueList
from carapp.ui.calendar.marks import paint_marker
from carapp.ui.calendar.month import MonthModel, MonthView, add_months, first_of, grid_range

AGENDA_DAYS = (30, 60, 90)
CALENDAR_TABLES = (ACTIONS, REVIEWS, FINDINGS, EXTENSIONS, DEADLINE_RULES, PEOPLE)
OpenAt = Callable[[str, str | None], None]


class Legend(QWidget):
    """What each marker means: the four shapes with their letters, and an overdue one."""

    SIZE = 14
    TEXTS = (
        *((kind, False, f"{kind.label}") for kind in DueKind),
        (DueKind.ACTION, True, "Overdue (red, bold outline, count ends in !)"),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(
            "Legend: "
            + "; ".join(
                f"{shape} {kind.letter}: {kind.label}"
                for kind, shape in zip(
                    DueKind, ("triangle", "square", "circle", "diamond"), strict=True
                )
            )
            + "; red with a bold outline and !: overdue"
        )
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def _entries(self) -> list[tuple[DueKind, bool, str, int]]:
        metrics = self.fontMetrics()
        return [
            (kind, late, text, self.SIZE + 6 + metrics.horizontalAdvance(text) + 16)
            for kind, late, text in self.TEXTS
        ]

    def _rows(self) -> list[list[tuple[DueKind, bool, str, int]]]:
        rows: list[list[tuple[DueKind, bool, str, int]]] = [[]]
        used = 0
        for entry in self._entries():
            if rows[-1] and used + entry[3] > max(self.width(), 200):
                rows.append([])
                used = 0
            rows[-1].append(entry)
            used += entry[3]
        return rows

    def sizeHint(self) -> QSize:
        return QSize(600, 2 * (self.SIZE + 8))

    def minimumSizeHint(self) -> QSize:
        return QSize(200, 2 * (self.SIZE + 8))

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        y = 2
        for row in self._rows():
            x = 2
            for kind, late, text, width in row:
                paint_marker(painter, kind, QRectF(x, y, self.SIZE, self.SIZE), late)
                painter.setPen(self.palette().windowText().color())
                painter.drawText(
                    int(x + self.SIZE + 5), int(y), width, self.SIZE,
                    Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text,
                )  # fmt: skip
                x += width
            y += self.SIZE + 8
        painter.end()


def _labelled(text: str, widget: QWidget, parent: QWidget) -> QLabel:
    """A visible label for ``widget``, whose accessible name is that label."""
    label = QLabel(text, parent)
    label.setBuddy(widget)
    widget.setAccessibleName(text.replace("&", "").rstrip(":"))
    return label


class CalendarTab(QWidget):
    """Every date that matters, by month and as an agenda; reads only, off the GUI thread."""

    shown = Signal()  # a read answered (the month, the day or the agenda)

    def __init__(
        self,
        register: Register,
        today: Callable[[], dt.date],
        open_at: OpenAt,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.register = register
        self.today = today
        self.open_at = open_at
        self.day = today()
        self.pending: dict[str, int] = {}  # the newest read of each kind still under way
        self._asked = 0

        self.owner = QComboBox(self)
        self.kind = QComboBox(self)
        self.kind.addItem("Any", None)
        for kind in DueKind:
            self.kind.addItem(kind.label, kind.value)
        self.days = QComboBox(self)
        for days in AGENDA_DAYS:
            self.days.addItem(f"Next {days} days", days)
        filters = QHBoxLayout()
        filters.addWidget(_labelled("&Owner:", self.owner, self))
        filters.addWidget(self.owner, 2)
        filters.addSpacing(12)
        filters.addWidget(_labelled("&Kind:", self.kind, self))
        filters.addWidget(self.kind, 2)
        filters.addStretch(1)

        self.previous = QPushButton("\u25c0 Previous month", self)
        self.previous.setAccessibleName("Previous month")
        self.previous.setToolTip("The month before (Page Up)")
        self.next = QPushButton("Next month \u25b6", self)
        self.next.setAccessibleName("Next month")
        self.next.setToolTip("The month after (Page Down)")
        self.to_today = QPushButton("Today", self)
        self.to_today.setAccessibleName("Today")
        self.title = QLabel(self)
        self.title.setAccessibleName("Month shown")
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title.setFont(font)
        bar = QHBoxLayout()
        bar.addWidget(self.previous)
        bar.addWidget(self.next)
        bar.addWidget(self.to_today)
        bar.addSpacing(10)
        bar.addWidget(self.title, 1)

        self.month_model = MonthModel(self.day, today(), self)
        self.month = MonthView(self)
        self.month.setAccessibleName("Month of due dates")
        self.month.setModel(self.month_model)
        self.legend = Legend(self)
        left = QWidget(self)
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addLayout(bar)
        left_column.addWidget(self.month, 1)
        left_column.addWidget(self.legend)

        self.day_title = QLabel(self)
        self.day_title.setAccessibleName("Day shown")
        self.day_title.setStyleSheet("font-weight: bold")
        self.day_list = DueList("Dates due on the day", self)
        self.agenda_title = QLabel(self)
        self.agenda_title.setAccessibleName("Agenda summary")
        self.agenda_title.setStyleSheet("font-weight: bold")
        self.agenda_list = DueList("Agenda of due dates", self)
        agenda_bar = QHBoxLayout()
        agenda_bar.addWidget(self.agenda_title, 1)
        agenda_bar.addWidget(_labelled("&Agenda:", self.days, self))
        agenda_bar.addWidget(self.days)
        right = QWidget(self)
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        right_column.addWidget(self.day_title)
        right_column.addWidget(self.day_list, 2)
        right_column.addSpacing(6)
        right_column.addLayout(agenda_bar)
        right_column.addWidget(self.agenda_list, 3)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 6)
        self.splitter.setSizes([560, 700])
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        outer.addLayout(filters)
        outer.addWidget(self.splitter, 1)
        self.setFocusProxy(self.month)

        self.previous.clicked.connect(lambda: self.move_month(-1))
        self.next.clicked.connect(lambda: self.move_month(1))
        self.to_today.clicked.connect(lambda: self.select_day(self.today()))
        self.month.move_day.connect(lambda n: self.select_day(self.day + dt.timedelta(days=n)))
        self.month.move_month.connect(self.move_month)
        self.month.open_day.connect(self.focus_day_list)
        self.month.clicked.connect(self._clicked)
        self.month.activated.connect(lambda _index: self.focus_day_list())
        for combo in (self.owner, self.kind):
            combo.currentIndexChanged.connect(self.reload)
        self.days.currentIndexChanged.connect(self._read_agenda)
        for view in (self.day_list, self.agenda_list):
            view.activated.connect(lambda index, v=view: self._open(v, index))

        self._load_people()
        self.select_day(self.day, force=True)
        self._read_agenda()

    # --- RegisterTab -------------------------------------------------------------------------

    def set_register(self, register: Register) -> None:
        self.register = register
        self.pending.clear()
        self._load_people()
        self.reload()

    def on_changes(self, changes: Changes[Any]) -> None:
        if changes.touches(PEOPLE):
            self._load_people()
        if changes.touches(*CALENDAR_TABLES):
            self.reload()

    def set_read_only(self, read_only: bool) -> None:
        # The calendar only reads: a read-only register shows the same dates.
        pass

    # --- what is shown -----------------------------------------------------------------------

    def current_filter(self) -> ag.AgendaFilter:
        owner = self.owner.currentData()
        kind = self.kind.currentData()
        kinds = frozenset({DueKind(kind)}) if kind else ag.ALL_KINDS
        return ag.AgendaFilter(owner_id=owner, kinds=kinds)

    def idle(self) -> bool:
        """Whether every read asked for has been answered (for pictures and tests)."""
        return not self.pending

    def reload(self) -> None:
        """Read again what is shown: the month, the day and the agenda."""
        self._read_month()
        self._read_day()
        self._read_agenda()

    def select_day(self, day: dt.date, force: bool = False) -> None:
        """Show ``day`` as the chosen one, and its month when it is in another."""
        new_month = first_of(day) != self.month_model.month
        self.day = day
        if new_month or force:
            self.month_model.show_month(day, self.today())
            self.title.setText(f"{day:%B %Y}")
            self._read_month()
        self.month.setCurrentIndex(self.month_model.index_of(day))
        self._read_day()

    def move_month(self, n: int) -> None:
        """The same day (or the month's last) ``n`` months away."""
        month = add_months(first_of(self.day), n)
        following = add_months(month, 1)
        last = (following - dt.timedelta(days=1)).day
        self.select_day(month.replace(day=min(self.day.day, last)))

    def focus_day_list(self) -> None:
        self.day_list.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.day_list.list_model.rowCount() and not self.day_list.currentIndex().isValid():
            self.day_list.setCurrentIndex(self.day_list.list_model.index(0, 0))

    def focus_agenda(self) -> None:
        """Where the opening banner's "Show all" leads."""
        self.agenda_list.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.agenda_list.list_model.rowCount():
            self.agenda_list.setCurrentIndex(self.agenda_list.list_model.index(0, 0))

    def _clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.select_day(self.month_model.day_at(index))

    def _open(self, view: DueList, index: QModelIndex | QPersistentModelIndex) -> None:
        item = view.list_model.item_at(index.row())
        if item is not None:
            self.open_at(item.finding_refs[0], SECTION[item.kind])

    def _load_people(self) -> None:
        register = self.register
        tasks.run(
            lambda _c: list_people(register),
            lambda people: self._show_people(people) if register is self.register else None,
            lambda _sentence: None,
            owner=self,
        )

    def _show_people(self, people: list[tuple[int, str]]) -> None:
        kept = self.owner.currentData()
        self.owner.blockSignals(True)
        try:
            self.owner.clear()
            self.owner.addItem("Any", None)
            for pid, name in people:
                self.owner.addItem(name, pid)
            found = self.owner.findData(kept)
            self.owner.setCurrentIndex(max(found, 0))
        finally:
            self.owner.blockSignals(False)
        if kept is not None and self.owner.currentData() != kept:
            self.reload()  # the owner chosen has retired: everyone's dates now

    # --- reading off the GUI thread -------------------------------------------------------------

    def _read(self, what: str, work: Callable[[], Any], show: Callable[[Any], None]) -> None:
        self._asked += 1
        asked = self.pending[what] = self._asked
        register = self.register

        def answered(result: Any) -> None:
            if self.pending.get(what) != asked or register is not self.register:
                return  # a newer question is on its way
            del self.pending[what]
            show(result)
            self.shown.emit()

        def failed(sentence: str) -> None:
            if self.pending.get(what) == asked:
                del self.pending[what]
                self.title.setText(f"Cannot read the dates: {sentence}")
                self.shown.emit()

        tasks.run(lambda _c: work(), answered, failed, owner=self)

    def _read_month(self) -> None:
        register, f, today = self.register, self.current_filter(), self.today()
        start, end = grid_range(self.month_model.month)
        month = self.month_model.month
        self.month_model.today = today

        def show(marks: dict[dt.date, ag.DayMarks]) -> None:
            if self.month_model.month == month:
                self.month_model.set_marks(marks)

        self._read("month", lambda: ag.day_marks(register, start, end, today, f), show)

    def _read_day(self) -> None:
        register, f, today, day = self.register, self.current_filter(), self.today(), self.day
        self.day_title.setText(f"Due on {spoken_date(day)}: reading\u2026")

        def show(items: list[ag.DueItem]) -> None:
            self.day_list.list_model.set_items(items)
            count = f"{len(items):,} date{'s' if len(items) != 1 else ''}" if items else "nothing"
            self.day_title.setText(f"Due on {spoken_date(day)}: {count}")
            self.day_list.setAccessibleDescription(self.day_title.text())

        self._read("day", lambda: ag.due_between(register, day, day, today, f), show)

    def _read_agenda(self) -> None:
        register, f, today = self.register, self.current_filter(), self.today()
        days = int(self.days.currentData() or AGENDA_DAYS[0])

        def show(agenda: ag.Agenda) -> None:
            self.agenda_list.list_model.set_items(agenda.items)
            self.agenda_title.setText(
                f"Agenda: {len(agenda.overdue):,} overdue, "
                f"{len(agenda.coming):,} due in the next {days} days"
            )

        self._read("agenda", lambda: ag.agenda(register, today, days, f), show)
