"""The month grid: six weeks of days, Monday first, each painted with one marker per kind of
date falling due on it and the count beside it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QKeyEvent, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from carapp.models.due import DueKind, spoken_date
from carapp.queries.agenda import DayMarks
from carapp.ui.calendar.marks import OVERDUE_TEXT, counted, paint_marker

WEEKS = 6
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DateRole = Qt.ItemDataRole.UserRole + 1
MarksRole = Qt.ItemDataRole.UserRole + 2
InMonthRole = Qt.ItemDataRole.UserRole + 3
TodayRole = Qt.ItemDataRole.UserRole + 4
TODAY_OUTLINE = QColor("#0b57d0")
STEPS = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1, Qt.Key.Key_Up: -7, Qt.Key.Key_Down: 7}


def first_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def grid_start(month: dt.date) -> dt.date:
    """The Monday on or before the first of ``month``: the grid's top-left day."""
    first = first_of(month)
    return first - dt.timedelta(days=first.weekday())


def grid_range(month: dt.date) -> tuple[dt.date, dt.date]:
    start = grid_start(month)
    return start, start + dt.timedelta(days=7 * WEEKS - 1)


def day_text(day: dt.date, marks: DayMarks | None) -> str:
    """What a screen reader says of a day: "Tuesday 3 March 2026: 2 action targets
    (1 overdue), 1 closure due"."""
    if marks is None or not marks.total:
        return f"{spoken_date(day)}: nothing due"
    parts = []
    for kind in DueKind:
        n = marks.counts.get(kind, 0)
        if not n:
            continue
        late = marks.overdue.get(kind, 0)
        parts.append(counted(kind, n) + (f" ({late:,} overdue)" if late else ""))
    return f"{spoken_date(day)}: " + ", ".join(parts)


class MonthModel(QAbstractTableModel):
    """Six rows of seven days around one month, with the dates due on each."""

    def __init__(self, month: dt.date, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.month = first_of(month)
        self.today = today
        self.marks: dict[dt.date, DayMarks] = {}

    def show_month(self, month: dt.date, today: dt.date) -> None:
        """Another month: its markers arrive with :meth:`set_marks`."""
        self.beginResetModel()
        self.month, self.today, self.marks = first_of(month), today, {}
        self.endResetModel()

    def set_marks(self, marks: dict[dt.date, DayMarks]) -> None:
        self.marks = marks
        self.dataChanged.emit(self.index(0, 0), self.index(WEEKS - 1, 6))

    def day_at(self, index: QModelIndex | QPersistentModelIndex) -> dt.date:
        return grid_start(self.month) + dt.timedelta(days=index.row() * 7 + index.column())

    def index_of(self, day: dt.date) -> QModelIndex:
        offset = (day - grid_start(self.month)).days
        if not 0 <= offset < 7 * WEEKS:
            return QModelIndex()
        return self.index(offset // 7, offset % 7)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else WEEKS

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 7

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is not Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return WEEKDAYS[section]
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            return WEEKDAY_NAMES[section]
        return None

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if not index.isValid():
            return None
        day = self.day_at(index)
        if role == Qt.ItemDataRole.DisplayRole:
            return str(day.day)
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            text = day_text(day, self.marks.get(day))
            return f"Today, {text}" if day == self.today else text
        if role == DateRole:
            return day
        if role == MarksRole:
            return self.marks.get(day)
        if role == InMonthRole:
            return (day.year, day.month) == (self.month.year, self.month.month)
        if role == TodayRole:
            return day == self.today
        return None


class MarkerDelegate(QStyledItemDelegate):
    """Paints a day: its number, then one marker per kind with its count; the count of an
    overdue kind is red, bold and ends in "!"."""

    MARKER = 15

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        painter.save()
        rect = QRect(option.rect)
        state = option.state
        in_month = bool(index.data(InMonthRole))
        selected = bool(state & QStyle.StateFlag.State_Selected)
        background = QColor("#ffffff" if in_month else "#f1f1f1")
        if selected:
            background = QColor("#d3e3fd")
        painter.fillRect(rect, background)
        painter.setPen(QPen(QColor("#c4c4c4"), 1))
        painter.drawRect(rect.adjusted(0, 0, -1, -1))
        if index.data(TodayRole):
            painter.setPen(QPen(TODAY_OUTLINE, 3))
            painter.drawRect(rect.adjusted(2, 2, -2, -2))
        if state & QStyle.StateFlag.State_HasFocus:
            painter.setPen(QPen(QColor("#202124"), 1, Qt.PenStyle.DashLine))
            painter.drawRect(rect.adjusted(4, 4, -5, -5))

        font = QFont(option.font)
        font.setBold(bool(index.data(TodayRole)) or selected)
        painter.setFont(font)
        painter.setPen(QColor("#202124" if in_month else "#8a8a8a"))
        number = rect.adjusted(6, 4, -6, -4)
        painter.drawText(
            number, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, index.data()
        )

        marks: DayMarks | None = index.data(MarksRole)
        if marks is not None:
            self._paint_marks(painter, rect, marks, option.font, in_month)
        painter.restore()

    def _paint_marks(
        self, painter: QPainter, rect: QRect, marks: DayMarks, base: QFont, in_month: bool
    ) -> None:
        # Two columns of two: each kind keeps its place, so a glance down a column compares.
        size = self.MARKER
        top = rect.top() + 21
        half = (rect.width() - 8) // 2
        for slot, kind in enumerate(DueKind):
            n = marks.counts.get(kind, 0)
            if not n:
                continue
            late = marks.overdue.get(kind, 0) > 0
            x = rect.left() + 5 + (slot % 2) * half
            y = top + (slot // 2) * (size + 4)
            if y + size > rect.bottom():
                continue  # a very short cell: its tooltip still counts every kind
            painter.setOpacity(1.0 if in_month else 0.55)
            paint_marker(painter, kind, QRectF(x, y, size, size), late)
            font = QFont(base)
            font.setBold(late)
            painter.setFont(font)
            painter.setPen(OVERDUE_TEXT if late else QColor("#202124"))
            label = f"{n:,}!" if late else f"{n:,}"
            painter.drawText(
                QRect(x + size + 3, y - 2, half - size - 4, size + 4),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
        painter.setOpacity(1.0)

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return QSize(84, 66)


class MonthView(QTableView):
    """The grid, driven by the keyboard as a calendar is: arrows move the day (past the
    month's edge into the next), PageUp/PageDown the month, Enter opens the day's list."""

    move_day = Signal(int)  # by this many days
    move_month = Signal(int)
    open_day = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        for header in (self.horizontalHeader(), self.verticalHeader()):
            header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.horizontalHeader().setHighlightSections(False)
        self.setItemDelegate(MarkerDelegate(self))
        # Small enough for a small window; the cells grow with it.
        self.setMinimumSize(7 * 40, WEEKS * 28 + 24)

    def event(self, event: QEvent) -> bool:
        # The window's Return opens the selected finding; here Return opens the day.
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, *STEPS)
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        if key in STEPS and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.move_day.emit(STEPS[key])
        elif key in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            self.move_month.emit(-1 if key == Qt.Key.Key_PageUp else 1)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_day.emit()
        else:
            super().keyPressEvent(event)
