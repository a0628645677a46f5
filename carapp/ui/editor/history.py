"""History: every change to the finding and to its causes, actions and reviews, newest
first, in the words of the screens (never table or column names). Read-only: history is
what the register recorded, and nothing here changes it."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QShowEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from carapp.queries import FindingDetail, history_lines
from carapp.ui.editor.section import Edit, EditorContext, Section
from carapp.ui.widgets import add_row

COLUMNS = ("When", "Who", "What", "Old value", "New value", "Note")
# Readable at 1100 px: the time and the name whole, the values wrapped, the note in what
# is left (a person can widen any column).
WIDTHS = (0, 90, 180, 150, 170)  # When: as wide as a time


class _HistoryOrder(QSortFilterProxyModel):
    """Sorts When by the place of each change in the history, so that changes saved in
    the same minute keep the order they were made in; other columns by their text."""

    def lessThan(
        self, left: QModelIndex | QPersistentModelIndex, right: QModelIndex | QPersistentModelIndex
    ) -> bool:
        if left.column() == 0:
            order = Qt.ItemDataRole.UserRole
            return bool(left.data(order) < right.data(order))
        return bool(str(left.data()).casefold() < str(right.data()).casefold())


class HistorySection(Section):
    key = "history"
    title = "History"

    def __init__(self, context: EditorContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        intro = QLabel(
            "Every change to this finding and to its causes, actions and reviews, newest "
            "first. History cannot be changed.",
            self,
        )
        intro.setWordWrap(True)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Words, a name or a date")
        self.filter.setClearButtonEnabled(True)
        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
        self.proxy = _HistoryOrder(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)  # any column
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.table = QTableView(self)
        self.table.setAccessibleName("History of changes")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        when = self.fontMetrics().horizontalAdvance("2026-12-31 23:59") + 16
        for column, width in enumerate(WIDTHS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(column, width or when)
        header.setStretchLastSection(True)
        # Rows grow with wrapped values as columns are resized.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.count = QLabel(self)
        self.count.setAccessibleName("History count")
        form = QFormLayout()
        add_row(form, "&Filter history", self.filter)
        box = QVBoxLayout(self)
        box.addWidget(intro)
        box.addLayout(form)
        box.addWidget(self.table, 1)
        box.addWidget(self.count)
        self.filter.textChanged.connect(self._filter)
        self._pending: FindingDetail | None = None
        self._filled = False

    def load(self, detail: FindingDetail | None) -> None:
        # Filled when first shown: hundreds of rows would slow every editor's opening and
        # every save for a page most visits never turn to.
        self._pending = detail
        self._filled = False
        if self.isVisible():
            self._fill()

    def showEvent(self, event: QShowEvent) -> None:
        if not self._filled:
            self._fill()
        super().showEvent(event)

    def _fill(self) -> None:
        detail = self._pending
        self._filled = True
        self.model.removeRows(0, self.model.rowCount())
        lines = history_lines(detail.history) if detail else []
        # The sort key of each row is its place in the history, so sorting by When keeps
        # changes saved in the same minute in the order they were made.
        for order, line in enumerate(reversed(lines)):
            items = [
                QStandardItem(text)
                for text in (line.at, line.actor, line.what, line.old, line.new, line.note)
            ]
            items[0].setData(order, Qt.ItemDataRole.UserRole)
            for item in items:
                item.setToolTip(item.text())
            self.model.appendRow(items)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self._show_count()

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self._show_count()

    def _show_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        if total == 0:
            self.count.setText("No changes recorded yet.")
        elif shown == total:
            self.count.setText(f"{total} change{'s' if total != 1 else ''}")
        else:
            self.count.setText(f"{shown} of {total} changes match the filter")

    def edits(self) -> list[Edit]:
        return []
