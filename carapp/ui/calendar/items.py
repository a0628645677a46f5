"""A list of due dates (a day's, or the agenda's): kind, item, findings, owner and date, the
original date struck through when it was extended; each row says everything aloud."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QRectF,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QKeyEvent, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QWidget,
)

from carapp.models.due import DueKind, lateness
from carapp.queries.agenda import DueItem
from carapp.ui.calendar.marks import OVERDUE_ROW, OVERDUE_TEXT, paint_marker

COLUMNS = ("Kind", "Item", "Findings", "Date", "When", "Owner", "What")
KIND, ITEM, FINDINGS, DATE, WHEN, OWNER, WHAT = range(len(COLUMNS))
ItemRole = Qt.ItemDataRole.UserRole + 10
# Where a double-clicked date opens its finding's editor.
SECTION = {
    DueKind.PLAN: "deadlines",
    DueKind.CLOSURE: "deadlines",
    DueKind.ACTION: "actions",
    DueKind.REVIEW: "effectiveness",
}


def short_date(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def date_text(item: DueItem) -> str:
    """The date that counts, and the one it replaced: "12 Mar 2026 (extended from 2 Feb
    2026)"; the delegate strikes the original through."""
    if item.extended and item.original_on is not None:
        return f"{short_date(item.on)} (extended from {short_date(item.original_on)})"
    return short_date(item.on)


def _icon(kind: DueKind, overdue: bool) -> QPixmap:
    pixmap = QPixmap(16, 16)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    paint_marker(painter, kind, QRectF(1, 1, 14, 14), overdue)
    painter.end()
    return pixmap


class DueItemsModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[DueItem] = []
        self._icons: dict[tuple[DueKind, bool], QPixmap] = {}

    def set_items(self, items: Sequence[DueItem]) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.endResetModel()

    def item_at(self, row: int) -> DueItem | None:
        return self.items[row] if 0 <= row < len(self.items) else None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        item = self.item_at(index.row()) if index.isValid() else None
        if item is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(item, column)
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            return item.describe()
        if role == ItemRole:
            return item
        if role == Qt.ItemDataRole.DecorationRole and column == KIND:
            key = (item.kind, item.overdue)
            if key not in self._icons:
                self._icons[key] = _icon(*key)
            return self._icons[key]
        if role == Qt.ItemDataRole.BackgroundRole and item.overdue:
            return QBrush(OVERDUE_ROW)
        if role == Qt.ItemDataRole.ForegroundRole and item.overdue and column in (DATE, WHEN):
            return QBrush(OVERDUE_TEXT)
        if role == Qt.ItemDataRole.FontRole and item.overdue and column in (KIND, DATE, WHEN):
            font = QFont()
            font.setBold(True)
            return font
        return None

    @staticmethod
    def _text(item: DueItem, column: int) -> str:
        if column == KIND:
            return item.kind.short
        if column == ITEM:
            return item.item_ref
        if column == FINDINGS:
            return item.findings_text
        if column == WHAT:
            return item.subject or item.finding_title
        if column == OWNER:
            return item.owners_text
        if column == DATE:
            return date_text(item)
        return lateness(item.on, item.today)


class DateDelegate(QStyledItemDelegate):
    """The date column: the granted date, then "was" and the original struck through."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        item: DueItem | None = index.data(ItemRole)
        if item is None or not item.extended or item.original_on is None:
            super().paint(painter, option, index)
            return
        self.initStyleOption(option, index)
        text_free = QStyleOptionViewItem(option)
        text_free.text = ""
        widget = option.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, text_free, painter, widget)
        painter.save()
        rect = QRect(option.rect).adjusted(4, 0, -4, 0)
        font = QFont(option.font)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        colour = option.palette.highlightedText().color() if selected else None
        # The original's year only when it differs: the column stays narrow.
        was = item.original_on
        old = short_date(was) if was.year != item.on.year else f"{was.day} {was:%b}"
        parts = ((short_date(item.on), True, False), (" was ", False, False), (old, False, True))
        x = rect.left()
        for text, bold, struck in parts:
            font.setBold(bold)
            font.setStrikeOut(struck)
            painter.setFont(font)
            painter.setPen(colour or (OVERDUE_TEXT if item.overdue and bold else QColor("#444")))
            width = QFontMetrics(font).horizontalAdvance(text)
            painter.drawText(
                QRect(x, rect.top(), width + 1, rect.height()),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                text,
            )
            x += width
        painter.restore()


class DueList(QTreeView):
    """A flat list of due dates; Enter or a double-click opens the one under the cursor."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAllColumnsShowFocus(True)
        self.list_model = DueItemsModel(self)
        self.setModel(self.list_model)
        self.setItemDelegateForColumn(DATE, DateDelegate(self))
        header = self.header()
        header.setStretchLastSection(True)
        widths = {KIND: 88, ITEM: 100, FINDINGS: 100, DATE: 168, WHEN: 150, OWNER: 130, WHAT: 200}
        for column, width in widths.items():
            self.setColumnWidth(column, width)

    def event(self, event: QEvent) -> bool:
        # The window's Return opens the finding selected in its table; here it opens the date.
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            event.accept()
            return True
        return super().event(event)

    def current_item(self) -> DueItem | None:
        return self.list_model.item_at(self.currentIndex().row())
