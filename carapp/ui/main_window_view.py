"""The main window's widgets and their layout, and nothing of what they do (TagStudio's
view/controller split): :class:`carapp.ui.main_window.MainWindow` adds the behaviour."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from carapp.models.enums import Classification, Source, Stage
from carapp.queries import register_table as rt
from carapp.ui.detail_pane import DetailPane
from carapp.ui.workshop.opening import UnfinishedBanner

ANY = "Any"
SIZE = (1280, 800)


class RegisterTableView(QTableView):
    """The register table, which says over its empty body why it is empty and what to do
    (an empty table alone reads as "broken" or "still loading")."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._placeholder = ""

    @property
    def placeholder(self) -> str:
        return self._placeholder

    @placeholder.setter
    def placeholder(self, text: str) -> None:
        if text != self._placeholder:
            self._placeholder = text
            self.setAccessibleDescription(text)
            self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        if not self._placeholder or model is None or model.rowCount() > 0:
            return
        painter = QPainter(self.viewport())
        try:
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            area = self.viewport().rect().adjusted(24, 24, -24, -24)
            painter.drawText(
                area,
                Qt.AlignmentFlag.AlignHCenter
                | Qt.AlignmentFlag.AlignTop
                | Qt.TextFlag.TextWordWrap,
                self._placeholder,
            )
        finally:
            painter.end()


class MainWindowView(QMainWindow):
    """Search and quick filter above the filters, the register table, the detail pane beside
    it, and a read-only banner shown only for a register this account cannot write."""

    def __init__(self, detail: DetailPane, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.resize(*SIZE)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search ref, title, statement, requirement or owner")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search findings")
        self.quick = QComboBox(self)
        self.quick.setAccessibleName("Quick filter")
        for quick in rt.QuickFilter:
            self.quick.addItem(quick.label, quick.value)
        self.matches = QLabel(self)
        self.status = QLabel(self)
        # The overdue count is a link to the Overdue quick filter: one click to what is late.
        self.status.setTextFormat(Qt.TextFormat.RichText)
        # Mouse only: a keyboard-reachable link would make the label a Tab stop, and the
        # keyboard reaches the same list through the quick filter.
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.status.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # No stretch: the bar paints its transient messages ("Backup copy saved to ...")
        # in the room the permanent widgets leave.
        self.statusBar().addPermanentWidget(self.status)
        self.classification = self._choice(
            "Classification", [(c.label, c.value) for c in Classification]
        )
        self.stage = self._choice("Stage", [(s.label, s.value) for s in Stage])
        self.source = self._choice("Source", [(s.label, s.value) for s in Source])
        self.audit = self._choice("Audit", [])
        self.owner = self._choice("Owner", [])
        self.requirement = QLineEdit(self)
        self.requirement.setPlaceholderText("Requirement, e.g. A.5.18")
        self.requirement.setAccessibleName("Requirement filter")
        self.table = RegisterTableView(self)
        self.table.setAccessibleName("Findings")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(False)
        # Tab leaves the table for the next widget: walking cells would scroll Ref away.
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        # Every row the same height: the view never measures 100,000 rows.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setSectionsMovable(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.detail = detail

        # Said above the table, not only in the title: the first thing a reader sees.
        self.read_only_banner = QLabel(self)
        self.read_only_banner.setObjectName("read-only-banner")
        self.read_only_banner.setWordWrap(True)
        self.read_only_banner.setAccessibleName("Read-only register")
        self.read_only_banner.setStyleSheet(
            "background:#fff4ce;color:#3d2e00;border:1px solid #c8a600;padding:6px;font-weight:bold"
        )
        self.read_only_banner.hide()
        # Workshops a crash or a closed window left unfinished: offered back, never lost.
        self.unfinished = UnfinishedBanner(dt.date.today, lambda _changes: None, self)
        # What is overdue or falls due within a week, said once on opening (and dismissable):
        # the window fills the slot with the agenda's banner.
        self.due_banner_slot = QVBoxLayout()
        self.due_banner_slot.setContentsMargins(0, 0, 0, 0)

        bar = QHBoxLayout()
        bar.addWidget(self.search, 3)
        bar.addWidget(self.quick, 1)
        bar.addWidget(self.matches)
        filters = QHBoxLayout()
        for widget in (self.classification, self.stage, self.source, self.audit, self.owner):
            filters.addWidget(widget, 1)
        filters.addWidget(self.requirement, 1)
        left = QWidget(self)
        column = QVBoxLayout(left)
        column.setContentsMargins(6, 6, 0, 6)
        column.addWidget(self.unfinished)
        column.addLayout(bar)
        column.addLayout(filters)
        column.addWidget(self.table)
        splitter = self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([900, 380])
        # The findings, the actions across them and the calendar of their dates: three
        # views of one register, each a tab (Ctrl+1, Ctrl+2, Ctrl+3 from anywhere).
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Register views")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(splitter, "Findings")
        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.read_only_banner)
        outer.addLayout(self.due_banner_slot)
        outer.addWidget(self.tabs)
        self.setCentralWidget(central)

    def _choice(self, name: str, items: list[tuple[str, Any]]) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(f"{name} filter")
        combo.setToolTip(f"Only findings of this {name.lower()}")
        self._fill(combo, name, items)
        return combo

    @staticmethod
    def _fill(combo: QComboBox, name: str, items: list[tuple[str, Any]]) -> None:
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(f"{name}: {ANY}", None)
        for label, value in items:
            combo.addItem(label, value)
        combo.blockSignals(False)
