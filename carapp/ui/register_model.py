"""The register table's Qt model: finding ids in display order, rows fetched by the page.

The model never holds 100,000 rows: it holds their ids (from one SQL query, run off the GUI
thread by :class:`RegisterQuery`) and fetches the display data of a page of rows when the
view first paints one of them. A change to the register clears the cache.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    Qt,
    QThreadPool,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from carapp.models.enums import CauseCategory, Classification, Stage
from carapp.operations.changes import (
    ACTIONS,
    AUDITS,
    EXTENSIONS,
    FINDINGS,
    PEOPLE,
    REVIEWS,
    ROOT_CAUSES,
    Changes,
)
from carapp.queries import RegisterSummary, register_summary
from carapp.queries import register_table as rt
from carapp.store import Register
from carapp.ui import tasks

# A page is about two screenfuls: the first paint after a search fetches little.
PAGE = 40
CACHED_PAGES = 100
Index = QModelIndex | QPersistentModelIndex

MAJOR = Classification.MAJOR
NEWEST_FIRST = frozenset({rt.Column.IDENTIFIED, rt.Column.REF})

# Only the Days left cell is marked: a whole pink row drowned the pale badges, and on the
# Overdue list every row was pink. Red or amber bold text, a faint tint and an icon: not
# by colour alone.
OVERDUE_TINT = QColor(253, 236, 236)
DUE_SOON_TINT = QColor(255, 246, 226)
OVERDUE_INK = QColor("#b3261e")
DUE_SOON_INK = QColor("#7a4d00")
VOID_INK = QColor("#80868b")


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def days_text(row: rt.RegisterRow) -> str:
    if row.days_left is None:
        return ""
    if row.days_left < 0:
        return f"{-row.days_left} overdue"
    return f"{row.days_left} left"


def cell_text(row: rt.RegisterRow, column: rt.Column) -> str:
    match column:
        case rt.Column.REF:
            return row.ref
        case rt.Column.CB_REF:
            return row.cb_ref
        case rt.Column.TITLE:
            return row.title
        case rt.Column.CLASSIFICATION:
            return row.classification.label
        case rt.Column.SOURCE:
            return row.source.label
        case rt.Column.AUDIT:
            return row.audit or ""
        case rt.Column.REQUIREMENTS:
            return ", ".join(row.requirements)
        case rt.Column.STAGE:
            return row.stage_text
        case rt.Column.OWNERS:
            return ", ".join(row.owners)
        case rt.Column.IDENTIFIED:
            return _date(row.identified)
        case rt.Column.PLAN_DUE:
            return _date(row.plan_due)
        case rt.Column.CLOSURE_DUE:
            return _date(row.closure_due)
        case rt.Column.DAYS_LEFT:
            return days_text(row)
        case rt.Column.CAUSE_CATEGORY:
            return CauseCategory(row.cause_category).label if row.cause_category else ""


_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.DecorationRole,
        Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.AccessibleTextRole,
    }
)


@dataclass(frozen=True, slots=True)
class _Cells:
    """What one row paints, worked out once when the row is fetched."""

    texts: tuple[str, ...]
    overdue: bool
    roles: dict[int, tuple[Any, ...]]  # role -> one value per column


class RegisterTableModel(QAbstractTableModel):
    """Rows are findings in the order of the last query; columns are :class:`rt.Column`."""

    def __init__(
        self, register: Register, today: Callable[[], dt.date], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.register = register
        self.today = today
        self.columns: list[rt.Column] = list(rt.Column)
        self._ids: list[int] = []
        self._rows: dict[int, rt.RegisterRow] = {}
        self._cells: dict[int, _Cells] = {}
        self._pages: list[list[int]] = []  # fetched pages, oldest first
        self._days_column = self.columns.index(rt.Column.DAYS_LEFT)
        self._ref_column = self.columns.index(rt.Column.REF)
        self._bold = QFont()
        self._bold.setBold(True)
        self._italic = QFont()
        self._italic.setItalic(True)
        self._struck = QFont(self._italic)
        self._struck.setStrikeOut(True)
        self._overdue_ink = QBrush(OVERDUE_INK)
        self._due_ink = QBrush(DUE_SOON_INK)
        self._void_ink = QBrush(VOID_INK)
        self._marks: tuple[QIcon, QIcon] | None = None  # made when first painted
        self._overdue_brush = QBrush(OVERDUE_TINT)
        self._due_brush = QBrush(DUE_SOON_TINT)

    # --- what the view asks ---------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is not Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].label
        if role == Qt.ItemDataRole.InitialSortOrderRole:
            # A first click on a header shows what needs attention first: dates newest
            # first, everything else (majors, most overdue, A to Z) ascending.
            newest_first = self.columns[section] in NEWEST_FIRST
            return Qt.SortOrder.DescendingOrder if newest_first else Qt.SortOrder.AscendingOrder
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # A view asks for a dozen roles per cell while painting: answer the ones it does not
        # use here before touching any row, and the rest from what was worked out per row.
        if role not in _ROLES or not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        cells = self._cells_at(index.row())
        if cells is None:
            return None
        values = cells.roles.get(role)
        return values[index.column()] if values is not None else None

    def _cells_at(self, row: int) -> _Cells | None:
        finding_id = self._ids[row]
        cells = self._cells.get(finding_id)
        if cells is None and self.row_at(row) is not None:
            cells = self._cells.get(finding_id)
        return cells

    def _paint(self, row: rt.RegisterRow) -> _Cells:
        # A mark beside the tint, so overdue and due-soon do not rest on colour alone.
        if self._marks is None:
            style = QApplication.style()
            self._marks = (
                style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning),
                style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation),
            )
        overdue_mark, due_mark = self._marks
        mark = overdue_mark if row.overdue else due_mark if row.due_soon else None
        tint = self._overdue_brush if row.overdue else self._due_brush if row.due_soon else None
        ink = self._overdue_ink if row.overdue else self._due_ink if row.due_soon else None
        void = row.stage is Stage.VOID
        font = self._italic if void else self._bold if row.classification is MAJOR else None
        texts = tuple(cell_text(row, c) for c in self.columns)
        days = self._days_column
        fonts = [font] * len(texts)
        inks: list[QBrush | None] = [self._void_ink if void else None] * len(texts)
        if void:
            fonts[self._ref_column] = self._struck
        if tint is not None:
            fonts[days] = self._bold
            inks[days] = ink
        backgrounds: list[QBrush | None] = [None] * len(texts)
        backgrounds[days] = tint
        marks: list[QIcon | None] = [None] * len(texts)
        marks[days] = mark
        spoken = list(texts)
        if row.overdue:
            spoken[0] = f"{texts[0]}, overdue"
        # By role, then column: a cell's every answer is one lookup, as a view asks a
        # dozen roles of each cell on every paint.
        return _Cells(
            texts=texts,
            overdue=row.overdue,
            roles={
                Qt.ItemDataRole.DisplayRole: texts,
                Qt.ItemDataRole.ToolTipRole: texts,
                Qt.ItemDataRole.FontRole: tuple(fonts),
                Qt.ItemDataRole.ForegroundRole: tuple(inks),
                Qt.ItemDataRole.BackgroundRole: tuple(backgrounds),
                Qt.ItemDataRole.DecorationRole: tuple(marks),
                Qt.ItemDataRole.AccessibleTextRole: tuple(spoken),
            },
        )

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        # Sorting is a new query: the controller listens and runs it off the GUI thread.
        if 0 <= column < len(self.columns):
            self.sort_requested.emit(self.columns[column], order is Qt.SortOrder.DescendingOrder)

    sort_requested = Signal(object, bool)

    # --- what the window tells it ----------------------------------------------------------

    def set_ids(self, ids: list[int]) -> None:
        self.beginResetModel()
        self._ids = ids
        self._rows = {}
        self._cells = {}
        self._pages = []
        self.endResetModel()

    def finding_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, finding_id: int) -> int | None:
        try:
            return self._ids.index(finding_id)
        except ValueError:
            return None

    def row_at(self, row: int) -> rt.RegisterRow | None:
        finding_id = self._ids[row]
        cached = self._rows.get(finding_id)
        if cached is None:
            start = row - row % PAGE
            page = self._ids[start : start + PAGE]
            self._keep(page, rt.rows_for(self.register, page, self.today()))
            cached = self._rows.get(finding_id)
        return cached

    def _keep(self, page: list[int], fetched: dict[int, rt.RegisterRow]) -> None:
        self._rows.update(fetched)
        self._cells.update((i, self._paint(r)) for i, r in fetched.items())
        self._pages.append(page)
        if len(self._pages) > CACHED_PAGES:
            # Keep memory (and the garbage collector's rounds) flat while scrolling far.
            for old in self._pages.pop(0):
                self._rows.pop(old, None)
                self._cells.pop(old, None)

    def on_changes(self, changes: Changes[Any]) -> None:
        # A row shows its finding, actions (owners, days left), root cause and audit.
        if changes.touches(FINDINGS, ACTIONS, REVIEWS, ROOT_CAUSES, PEOPLE, AUDITS, EXTENSIONS):
            self.invalidate()

    def invalidate(self) -> None:
        """The register changed: repaint from fresh rows."""
        self._rows = {}
        self._cells = {}
        self._pages = []
        if self._ids:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._ids) - 1, len(self.columns) - 1)
            )


class RegisterQuery(QObject):
    """Runs the register table's query on a worker thread; only the newest answer counts."""

    finished = Signal(int, object, object)  # generation, ids, RegisterSummary
    failed = Signal(int, str)

    def __init__(self, register: Register, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.register = register
        self._generation = itertools.count(1)
        self.latest = 0
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        # Totals for the status bar change only when the register does: worked out again
        # after invalidate(), not on every keystroke.
        self._summary: RegisterSummary | None = None

    def invalidate(self) -> None:
        self._summary = None

    def on_changes(self, changes: Changes[Any]) -> None:
        # The status bar's totals and the quick filters' counts rest on these.
        if not changes.empty:
            self.invalidate()

    def run(
        self, only: rt.RegisterFilter, today: dt.date, sort: rt.Column, descending: bool
    ) -> int:
        generation = next(self._generation)
        self.latest = generation

        def work(_cancel: tasks.Cancel) -> tuple[list[int], RegisterSummary]:
            ids = rt.finding_ids(self.register, only, today, sort, descending)
            summary = self._summary or register_summary(self.register, today)
            self._summary = summary
            return ids, summary

        def answered(answer: tuple[list[int], RegisterSummary]) -> None:
            self.finished.emit(generation, *answer)

        tasks.run(
            work, answered, lambda message: self.failed.emit(generation, message), pool=self._pool
        )
        return generation

    def wait(self) -> None:
        self._pool.waitForDone()


BADGE_COLOURS: dict[Classification, tuple[str, str]] = {
    # (fill, text): dark on light, readable on a projector and in greyscale print.
    Classification.MAJOR: ("#b3261e", "#ffffff"),
    Classification.MINOR: ("#f2b8b5", "#410e0b"),
    Classification.OBSERVATION: ("#d3e3fd", "#041e49"),
    Classification.OFI: ("#c4eed0", "#072711"),
}


class BadgeDelegate(QStyledItemDelegate):
    """Paints the classification column as a coloured badge with its label in it."""

    def __init__(self, model: RegisterTableModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        # Drawn once per look and size: a screenful of badges then costs one blit each.
        self._badges: dict[tuple[Any, ...], QPixmap] = {}

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        row = self.model.row_at(index.row()) if index.isValid() else None
        if row is None:
            super().paint(painter, option, index)
            return
        # Background (selection, overdue tint) as for any cell, then the badge on top.
        plain = QStyleOptionViewItem(option)
        self.initStyleOption(plain, index)
        plain.text = ""
        style = QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, plain, painter)
        rect = option.rect.adjusted(4, 3, -4, -3)
        text = row.classification.label
        rect.setWidth(min(rect.width(), option.fontMetrics.horizontalAdvance(text) + 14))
        if rect.width() > 0 and rect.height() > 0:
            badge = self._badge(row.classification, rect.size(), painter)
            painter.drawPixmap(rect.topLeft(), badge)

    def _badge(self, classification: Classification, size: QSize, painter: QPainter) -> QPixmap:
        ratio = painter.device().devicePixelRatioF()
        font = painter.font()
        key = (classification, size.width(), size.height(), ratio, font.key())
        badge = self._badges.get(key)
        if badge is not None:
            return badge
        if len(self._badges) > 64:  # column widths come and go
            self._badges.clear()
        badge = QPixmap(round(size.width() * ratio), round(size.height() * ratio))
        badge.setDevicePixelRatio(ratio)
        badge.fill(Qt.GlobalColor.transparent)
        fill, ink = BADGE_COLOURS[classification]
        pen = QPainter(badge)
        try:
            pen.setFont(font)
            pen.setRenderHint(QPainter.RenderHint.Antialiasing)
            # An outline in the badge's ink: a pale badge stays a badge on any row colour
            # (selected, tinted, or the alternate base of another style).
            edge = QColor(ink)
            edge.setAlpha(150)
            pen.setPen(QPen(edge, 1))
            pen.setBrush(QColor(fill))
            area = QRect(0, 0, size.width(), size.height())
            pen.drawRoundedRect(
                QRectF(area).adjusted(0.5, 0.5, -0.5, -0.5), size.height() / 2, size.height() / 2
            )
            pen.setPen(QColor(ink))
            pen.drawText(area, Qt.AlignmentFlag.AlignCenter, classification.label)
        finally:
            pen.end()
        self._badges[key] = badge
        return badge
