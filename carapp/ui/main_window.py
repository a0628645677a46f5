"""The main window: the register table with its search and filters, and a detail pane."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelection, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from carapp import __version__
from carapp import register_table as rt
from carapp.models.enums import Classification, Stage
from carapp.queries import finding_detail, register_summary
from carapp.store import Register
from carapp.ui.register_model import RegisterQuery, RegisterTableModel

SEARCH_DELAY_MS = 150
DOT = "   \u2022   "
DASH = "\u2014"


class MainWindow(QMainWindow):
    def __init__(
        self,
        register: Register,
        parent: QWidget | None = None,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        super().__init__(parent)
        self.register = register
        self.today = today
        self.sort_column = rt.Column.IDENTIFIED
        self.sort_descending = True
        self.shown_generation = 0  # the query whose answer the table shows
        self.setWindowTitle(f"{register.name} \u2014 carapp")
        self.resize(1280, 800)

        self.model = RegisterTableModel(register, today, self)
        self.query = RegisterQuery(register, self)
        self.query.finished.connect(self._show_ids)
        self.query.failed.connect(self._show_failure)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self.refresh)

        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search ref, title, statement, requirement or owner")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search findings")
        self.quick = QComboBox(self)
        self.quick.setAccessibleName("Quick filter")
        for quick in rt.QuickFilter:
            self.quick.addItem(quick.label, quick.value)
        self.matches = QLabel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setSectionsMovable(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self._set_column_widths()
        self.detail = QTextBrowser(self)
        self.detail.setOpenExternalLinks(False)
        self.detail.setAccessibleName("Finding detail")

        bar = QHBoxLayout()
        bar.addWidget(self.search, 3)
        bar.addWidget(self.quick, 1)
        bar.addWidget(self.matches)
        left = QWidget(self)
        column = QVBoxLayout(left)
        column.setContentsMargins(6, 6, 0, 6)
        column.addLayout(bar)
        column.addWidget(self.table)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([900, 380])
        self.setCentralWidget(splitter)

        self.search.textChanged.connect(self._debounce.start)
        self.quick.currentIndexChanged.connect(self.refresh)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.detail.setFocus())

        self._build_menus()
        self._show_detail(None)
        # Enabling sorting sorts once by the indicator: that is the first query.
        self.table.horizontalHeader().setSortIndicator(
            self.model.columns.index(self.sort_column), Qt.SortOrder.DescendingOrder
        )
        self.model.sort_requested.connect(self._sort)
        self.table.setSortingEnabled(True)

    def _set_column_widths(self) -> None:
        widths = {
            rt.Column.REF: 110,
            rt.Column.CB_REF: 100,
            rt.Column.TITLE: 300,
            rt.Column.CLASSIFICATION: 90,
            rt.Column.SOURCE: 150,
            rt.Column.AUDIT: 95,
            rt.Column.REQUIREMENTS: 120,
            rt.Column.STAGE: 120,
            rt.Column.OWNERS: 150,
            rt.Column.IDENTIFIED: 90,
            rt.Column.PLAN_DUE: 90,
            rt.Column.CLOSURE_DUE: 90,
            rt.Column.DAYS_LEFT: 110,
        }
        for i, col in enumerate(self.model.columns):
            if col in widths:
                self.table.setColumnWidth(i, widths[col])

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        view_menu = self.menuBar().addMenu("&View")
        find = QAction("&Find\u2026", self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(self.focus_search)
        view_menu.addAction(find)
        clear = QAction("&Clear search", self)
        clear.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        clear.triggered.connect(self.search.clear)
        view_menu.addAction(clear)
        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About carapp", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    # --- querying --------------------------------------------------------------------------

    def current_filter(self) -> rt.RegisterFilter:
        return rt.RegisterFilter(
            search=self.search.text(), quick=rt.QuickFilter(self.quick.currentData())
        )

    def refresh(self) -> None:
        """Ask again for the findings to show; the answer arrives off the GUI thread."""
        self._debounce.stop()
        self.query.run(self.current_filter(), self.today(), self.sort_column, self.sort_descending)

    def _sort(self, column: rt.Column, descending: bool) -> None:
        self.sort_column, self.sort_descending = column, descending
        self.refresh()

    def _show_ids(self, generation: int, ids: list[int], total: int) -> None:
        if generation != self.query.latest:
            return  # a newer question is on its way
        selected = self.selected_finding_id()
        self.shown_generation = generation
        self.model.set_ids(ids)
        self.matches.setText(f"{len(ids):,} of {total:,} findings")
        self.statusBar().showMessage(self._status_text(len(ids), total))
        row = self.model.row_of(selected) if selected is not None else None
        if row is not None:
            self.table.selectRow(row)
        else:
            self._show_detail(None)

    def _show_failure(self, generation: int, message: str) -> None:
        if generation == self.query.latest:
            QMessageBox.warning(self, "carapp cannot read the register", message)

    def _status_text(self, shown: int, total: int) -> str:
        summary = register_summary(self.register, self.today())
        where = self.register.path or self.register.url
        return f"{where}{DOT}{shown:,} of {total:,} shown{DOT}{summary.overdue:,} overdue"

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # --- the selected finding ---------------------------------------------------------------

    def selected_finding_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.finding_id(rows[0].row()) if rows else None

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        row = self.model.row_at(rows[0].row()) if rows else None
        self._show_detail(row.ref if row else None)

    def _show_detail(self, ref: str | None) -> None:
        if ref is None:
            self.detail.setHtml(
                "<p style='color:#555'>Select a finding to see its statement, root cause, "
                "actions, review and what it needs next.</p>"
            )
            return
        self.detail.setHtml(detail_html(finding_detail(self.register, ref, self.today())))

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About carapp",
            f"<b>carapp {__version__}</b><p>ISO/IEC 27001:2022 Corrective Action Register: "
            "nonconformities tracked through clause 10.2, with a history nothing can "
            "silently change.</p>",
        )


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def detail_html(d: dict[str, Any]) -> str:
    """The detail pane: what an ISMS manager needs to see of one finding at a glance."""
    days = d["days_left"]
    due = ""
    if days is not None:
        due = (
            f"<b style='color:#a40000'>{-days} days overdue</b>"
            if days < 0
            else f"{days} days left"
        )
    parts = [
        f"<h3>{_e(d['ref'])} \u2014 {_e(d['title'])}</h3>",
        f"<p><b>{_e(Classification(d['classification']).label)}</b> &bull; "
        f"stage <b>{_e(Stage(d['stage']).label)}</b>"
        f"{' &bull; ' + due if due else ''}</p>",
        f"<p style='background:#eef3fb;padding:4px'><b>Next step:</b> {_e(d['next_step'])}</p>",
        "<h4>Requirements</h4><p>"
        + ("<br>".join(f"{_e(r['code'])} {_e(r['title'])}" for r in d["requirements"]) or "\u2014")
        + "</p>",
        f"<h4>Statement</h4><p>{_e(d['statement']) or DASH}</p>",
    ]
    for cause in [c for c in d["root_causes"] if c["round"] == d["cycle"]]:
        parts.append(
            f"<h4>Root cause ({_e(cause['category'])})</h4><p>{_e(cause['statement'])}</p>"
        )
    actions = [a for a in d["actions"] if a["round"] == d["cycle"]]
    if actions:
        parts.append("<h4>Actions</h4><ul>")
        parts += [
            f"<li><b>{_e(a['ref'])}</b> {_e(a['description'])}<br>"
            f"<i>{_e(a['owner'] or 'no owner')}, target {_e(a['target_on'] or DASH)}, "
            f"{_e(a['status'])}</i></li>"
            for a in actions
        ]
        parts.append("</ul>")
    reviews = [r for r in d["reviews"] if r["round"] == d["cycle"]]
    for review in reviews[-1:]:
        parts.append(
            f"<h4>Effectiveness review</h4><p>{_e(review['method'])}<br>"
            f"<i>due {_e(review['due_on'])}, result {_e(review['result'] or 'pending')}</i></p>"
        )
    parts.append("<h4>Recent history</h4><ul>")
    parts += [
        f"<li>{_e(h['at'][:10])} {_e(h['actor'])}: {_e(_change(h))}</li>"
        for h in reversed(d["history"][-6:])
    ]
    parts.append("</ul>")
    return "".join(parts)


def _change(entry: dict[str, Any]) -> str:
    """One history entry in words: 'corrective action: status \u2192 done'."""
    record = entry["record"].split("#")[0].replace("_", " ").removesuffix("s")
    if entry["field"] == "(created)":
        return f"{record} created"
    name = entry["field"].removesuffix("_id").replace("_", " ")
    new = entry["new"]
    if entry["field"].endswith("_id") or new is None or len(str(new)) > 40:
        return f"{record}: {name} changed"
    return f"{record}: {name} \u2192 {new}"
