"""The main window: the register table with its search and filters, and a detail pane."""

from __future__ import annotations

import datetime as dt
import functools
import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QItemSelection,
    QObject,
    QPoint,
    QSettings,
    Qt,
    QTimer,
)
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHeaderView,
    QMenu,
    QMessageBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from carapp import __version__
from carapp import operations as op
from carapp.errors import CarappError
from carapp.exports.scope import ExportScope
from carapp.models.enums import Classification, Source, Stage
from carapp.models.templates import FINDING_TEMPLATES, FindingTemplate
from carapp.operations.changes import (
    ACTIONS,
    AUDITS,
    DEADLINE_RULES,
    EXTENSIONS,
    FINDINGS,
    PEOPLE,
    REQUIREMENTS,
    REVIEWS,
    ROOT_CAUSES,
    SETTINGS,
    Changes,
)
from carapp.queries import RegisterSummary, list_audits, list_people
from carapp.queries import register_table as rt
from carapp.queries.findings import ParkedView
from carapp.store import BackupTarget, Register, backup, backup_target, is_url, translate_errors
from carapp.ui import welcome
from carapp.ui.calendar import CalendarTab, DueBanner
from carapp.ui.detail_pane import DetailPane
from carapp.ui.detail_pane import escape_text as _e
from carapp.ui.editor import FindingEditor
from carapp.ui.export_dialog import (
    ExportKind,
    dialog_for,
    export_work,
    open_with_system,
    run_export,
)
from carapp.ui.finding_dialog import VoidDialog
from carapp.ui.main_window_view import MainWindowView
from carapp.ui.register_model import (
    BadgeDelegate,
    RegisterQuery,
    RegisterTableModel,
)
from carapp.ui.register_tab import RegisterTab
from carapp.ui.settings_dialog import SettingsDialog
from carapp.ui.widgets import CatalogCompleter, make_searchable

SEARCH_DELAY_MS = 150
# View menu items for the tabs; the tab bar itself has no mnemonics, as Alt+F is the File menu.
TAB_MENU_TEXT = {"Findings": "Fi&ndings", "Actions": "Ac&tions", "Calendar": "Ca&lendar"}
CLEAR_FILTERS_KEYS = "Ctrl+Shift+L"
EMPTY_REGISTER = "No findings yet: press Ctrl+N to add your first finding"
NO_MATCH = f"No finding matches: press {CLEAR_FILTERS_KEYS} to clear the filters"
RECENT_LIMIT = 8
FIRST_SCREEN = 60
DOT = "   \u2022   "
# The columns a first run shows; the others are a click away in View > Columns.
DEFAULT_COLUMNS = frozenset(
    {
        rt.Column.REF,
        rt.Column.TITLE,
        rt.Column.CLASSIFICATION,
        rt.Column.STAGE,
        rt.Column.DAYS_LEFT,
        rt.Column.OWNERS,
    }
)
# The tables whose changes move what the register table lists or counts.
TABLE_TABLES = (
    FINDINGS,
    ACTIONS,
    REVIEWS,
    ROOT_CAUSES,
    PEOPLE,
    AUDITS,
    REQUIREMENTS,
    DEADLINE_RULES,
    EXTENSIONS,
    SETTINGS,
)


class MainWindow(MainWindowView):
    """The window's behaviour: what each widget of :class:`MainWindowView` does."""

    def __init__(
        self,
        register: Register,
        parent: QWidget | None = None,
        today: Callable[[], dt.date] = dt.date.today,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(DetailPane(register, today), parent)
        self.register = register
        self.today = today
        self.settings = settings or QSettings()
        self.sort_column, self.sort_descending = self._saved_sort()
        self.shown_generation = 0  # the query whose answer the table shows
        self.organisation = ""  # known once the first full answer arrives
        self._detail_ref: str | None = None  # the finding the detail pane shows
        self._answering = False  # the table is taking a new answer in
        self.editors: dict[str, FindingEditor] = {}  # open editors by finding reference
        self.raising: dict[int, FindingEditor] = {}  # new findings from parked issues, by issue
        self._select_next: int | None = None  # a finding just recorded, to select when listed

        self.model = RegisterTableModel(register, today, self)
        self.query = RegisterQuery(register, self)
        self.query.finished.connect(self._show_ids)
        self.query.failed.connect(self._show_failure)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self.refresh)

        self.table.setModel(self.model)
        self._set_column_widths()
        self.table.setItemDelegateForColumn(
            self.model.columns.index(rt.Column.CLASSIFICATION), BadgeDelegate(self.model, self)
        )
        self.status.linkActivated.connect(self.show_overdue)

        self.search.textChanged.connect(self._debounce.start)
        self.quick.currentIndexChanged.connect(self._quick_changed)
        for combo in (self.classification, self.stage, self.source, self.audit, self.owner):
            combo.currentIndexChanged.connect(self.refresh)
        self.requirement.textChanged.connect(self._debounce.start)
        make_searchable(self.audit)
        self.requirement_completer = CatalogCompleter(self)
        self.requirement.setCompleter(self.requirement_completer)
        header = self.table.horizontalHeader()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.open_finding())

        self.view_tabs: list[RegisterTab] = []  # the tabs beside the findings table
        self._build_tabs()
        self._build_menus()
        self._restore_layout()
        self.table.horizontalHeader().setSortIndicator(
            self.model.columns.index(self.sort_column),
            Qt.SortOrder.DescendingOrder if self.sort_descending else Qt.SortOrder.AscendingOrder,
        )
        self._remember(register)
        self._show_read_only()
        self._show_detail(None)
        self.unfinished.today = today
        self.unfinished.on_changes = self._editor_saved
        self.unfinished.look(register)
        # A first screenful straight away (an index walk of a few ms), so the window opens
        # as fast as an empty one; the full list follows from the worker thread.
        self.model.set_ids(
            rt.finding_ids(
                register,
                self.current_filter(),
                today(),
                self.sort_column,
                self.sort_descending,
                limit=FIRST_SCREEN,
            )
        )
        self.matches.setText("counting\u2026")
        self.model.sort_requested.connect(self._sort)
        # The full query waits until the first screenful has painted: its worker thread
        # shares the interpreter with the GUI and would slow the window's first appearance.
        self.table.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.table.viewport()
            and event.type() is QEvent.Type.Paint
            and not self.table.isSortingEnabled()
        ):
            self.table.viewport().removeEventFilter(self)
            QTimer.singleShot(0, self._after_first_paint)
        return False

    def _after_first_paint(self) -> None:
        # The audit and owner lists of a large register take longer than the first rows.
        self._load_register_lists()
        # Enabling sorting sorts once by the indicator: that is the full query.
        self.table.setSortingEnabled(True)

    def up_to_date(self) -> bool:
        """Whether the table shows the answer to the newest question asked of it."""
        return self.query.latest > 0 and self.shown_generation == self.query.latest

    def _set_column_widths(self) -> None:
        """The first layout answers "what is open, what is late, whose is it" at 1280x800
        beside a readable detail pane; the other columns wait in View > Columns and the
        header's menu (a layout the user arranged is restored over this)."""
        widths = {
            rt.Column.REF: 100,
            rt.Column.CB_REF: 100,
            rt.Column.TITLE: 280,  # stretches to the room left
            rt.Column.CLASSIFICATION: 92,
            rt.Column.SOURCE: 150,
            rt.Column.AUDIT: 105,
            rt.Column.REQUIREMENTS: 120,
            rt.Column.STAGE: 150,  # "Actions done (round 2)" whole
            rt.Column.OWNERS: 125,
            rt.Column.IDENTIFIED: 90,
            rt.Column.PLAN_DUE: 90,
            rt.Column.CLOSURE_DUE: 90,
            rt.Column.DAYS_LEFT: 105,  # "123 overdue" in bold beside its mark
        }
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        for i, col in enumerate(self.model.columns):
            if col in widths:
                self.table.setColumnWidth(i, widths[col])
            header.setSectionHidden(i, col not in DEFAULT_COLUMNS)
        header.setSectionResizeMode(
            self.model.columns.index(rt.Column.TITLE), QHeaderView.ResizeMode.Stretch
        )

    def _action(
        self, text: str, slot: Callable[[], Any], shortcut: QKeySequence | None = None
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        return action

    def _build_tabs(self) -> None:
        """The tabs beside the findings table; each gets the register, every change and the
        read-only state through :class:`RegisterTab`."""
        # The actions tab.
        from carapp.ui.actions_tab import ActionsTab

        self.actions_tab = ActionsTab(
            self.register, self.today, self.open_at, self.on_changes, self.tabs
        )
        self.tabs.addTab(self.actions_tab, "Actions")
        self.view_tabs.append(self.actions_tab)

        # The calendar tab.
        self.calendar = CalendarTab(self.register, self.today, self.open_at, self)
        self.tabs.addTab(self.calendar, "Calendar")
        self.view_tabs.append(self.calendar)
        # The opening banner takes the register and its changes as a tab does.
        self.due_banner = DueBanner(self.today, self.open_at, self.show_agenda, self)
        self.due_banner_slot.addWidget(self.due_banner)
        self.view_tabs.append(self.due_banner)
        self.due_banner.set_register(self.register)

    def show_agenda(self) -> None:
        """The calendar's agenda: where the opening banner's "Show all" leads."""
        self.tabs.setCurrentWidget(self.calendar)
        self.calendar.focus_agenda()

    def show_tab(self, index: int) -> None:
        self.tabs.setCurrentIndex(index)
        page = self.tabs.currentWidget()
        focus = page.focusProxy() if page is not None else None
        if focus is not None:
            focus.setFocus(Qt.FocusReason.ShortcutFocusReason)
        elif index == 0:
            self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _build_menus(self) -> None:
        keys = QKeySequence.StandardKey
        self.new_register_action = self._action("&New register\u2026", self.new_register)
        self.open_register_action = self._action(
            "&Open register\u2026", self.open_register_file, QKeySequence(keys.Open)
        )
        self.recent_menu = QMenu("Open &recent", self)
        self.backup_action = self._action("Save a &backup copy\u2026", self.save_backup)
        self.import_action = self._action("&Import\u2026", self.import_register)
        self.new_finding_action = self._action(
            "&New finding\u2026", self.new_finding, QKeySequence(keys.New)
        )
        self.open_finding_action = self._action(
            "&Open finding", self.open_finding, QKeySequence(Qt.Key.Key_Return)
        )
        self.void_action = self._action("&Void finding\u2026", self.void_finding)
        self.workshop_action = self._action(
            "Root-cause &workshop\u2026", self.workshop_on_selected, QKeySequence("Ctrl+Shift+W")
        )
        self.settings_action = self._action(
            "S&ettings\u2026", self.show_settings, QKeySequence("Ctrl+,")
        )
        # Every action that writes to the register; the finding editor's joins them here.
        self.template_menu = self._template_menu()
        self.edit_actions = (
            self.import_action,
            self.new_finding_action,
            self.void_action,
            self.workshop_action,
            self.settings_action,
            *self.template_actions,
        )

        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(self.new_register_action)
        file_menu.addAction(self.open_register_action)
        file_menu.addMenu(self.recent_menu)
        file_menu.addAction(self.backup_action)
        file_menu.addSeparator()
        file_menu.addAction(self.import_action)
        export_menu = file_menu.addMenu("E&xport")
        self.export_actions = {}
        for kind, shortcut in (
            (ExportKind.XLSX, "Ctrl+Shift+E"),
            (ExportKind.PDF, "Ctrl+Shift+P"),
            (ExportKind.PACK, None),
            (ExportKind.EMAIL, None),
            (ExportKind.ICS, None),
        ):
            action = self._action(
                kind.menu_text,
                functools.partial(self.export, kind),
                QKeySequence(shortcut) if shortcut else None,
            )
            self.export_actions[kind] = action
            export_menu.addAction(action)
        self.reminders_action = self._action("Send re&minders\u2026", self.send_reminders)
        file_menu.addAction(self.reminders_action)
        file_menu.addSeparator()
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Quit", self.close, QKeySequence(keys.Quit)))

        finding_menu = self.menuBar().addMenu("F&inding")
        finding_menu.addAction(self.new_finding_action)
        finding_menu.addMenu(self.template_menu)
        for action in (self.open_finding_action, self.workshop_action, self.void_action):
            finding_menu.addAction(action)
        # Return opens the selected finding only from the table, not from the search box.
        self.open_finding_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.table.addAction(self.open_finding_action)

        view_menu = self.menuBar().addMenu("&View")
        for index in range(self.tabs.count()):
            title = self.tabs.tabText(index)
            view_menu.addAction(
                self._action(
                    TAB_MENU_TEXT.get(title, title),
                    functools.partial(self.show_tab, index),
                    QKeySequence(f"Ctrl+{index + 1}"),
                )
            )
        view_menu.addSeparator()
        view_menu.addAction(self._action("&Find\u2026", self.focus_search, QKeySequence(keys.Find)))
        clear = self._action("Clear &search", self.search.clear, QKeySequence(Qt.Key.Key_Escape))
        view_menu.addAction(clear)
        self.clear_filters_action = self._action(
            "Clear &all filters", self.clear_filters, QKeySequence(CLEAR_FILTERS_KEYS)
        )
        view_menu.addAction(self.clear_filters_action)
        view_menu.addAction(self._action("&Refresh", self.refresh, QKeySequence(keys.Refresh)))
        self.columns_menu = view_menu.addMenu("&Columns")
        self.columns_menu.aboutToShow.connect(lambda: self._fill_columns_menu(self.columns_menu))

        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(
            self._action("&User guide", self.show_guide, QKeySequence(keys.HelpContents))
        )
        help_menu.addAction(self._action("About this &register", self.show_register_about))
        help_menu.addAction(self._action("&About carapp", self.show_about))

        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("main-toolbar")
        toolbar.setMovable(False)
        for action in (self.new_finding_action, self.void_action, self.backup_action):
            toolbar.addAction(action)

    # --- columns ---------------------------------------------------------------------------

    def _fill_columns_menu(self, menu: QMenu) -> None:
        menu.clear()
        header = self.table.horizontalHeader()
        for logical, column in enumerate(self.model.columns):
            action = menu.addAction(column.label)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(logical))
            # The reference column stays: without it no row can be named.
            action.setEnabled(column is not rt.Column.REF)
            action.toggled.connect(
                lambda shown, logical=logical: header.setSectionHidden(logical, not shown)
            )

    def _column_menu(self, point: QPoint) -> None:
        menu = QMenu(self)
        self._fill_columns_menu(menu)
        menu.exec(self.table.horizontalHeader().mapToGlobal(point))

    # --- remembering between runs ------------------------------------------------------------

    def _restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        header = self.settings.value("table/header")
        if isinstance(header, QByteArray):
            self.table.horizontalHeader().restoreState(header)
        splitter = self.settings.value("window/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)

    def _saved_sort(self) -> tuple[rt.Column, bool]:
        """The sort order of last time; newest identified first at first."""
        column = self.settings.value("table/sort")
        descending = self.settings.value("table/descending", True, type=bool)
        if column in set(rt.Column):
            return rt.Column(column), bool(descending)
        return rt.Column.IDENTIFIED, True

    def save_layout(self) -> None:
        self.settings.setValue("table/sort", self.sort_column.value)
        self.settings.setValue("table/descending", self.sort_descending)
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("table/header", self.table.horizontalHeader().saveState())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        self.query.wait()
        super().closeEvent(event)

    def recent_registers(self) -> list[str]:
        value = self.settings.value("registers/recent", [])
        if isinstance(value, str):  # QSettings gives a lone item back as a string
            value = [value]
        listed = [str(v) for v in value] if isinstance(value, list) else []
        # A relative path remembered by an older carapp named a file in whatever folder
        # that run started from: unknowable now, so it is dropped rather than guessed.
        return [p for p in listed if is_url(p) or Path(p).is_absolute()]

    def _show_title(self) -> None:
        """ "Organisation \u2014 register.sqlite \u2014 carapp": which organisation's register
        this is, for someone keeping those of several."""
        read_only = " (read-only)" if self.register.read_only else ""
        parts = [self.organisation, f"{self.register.name}{read_only}", "carapp"]
        self.setWindowTitle(" \u2014 ".join(p for p in parts if p))

    def _remember(self, register: Register) -> None:
        self._show_title()
        if register.path is None:
            return
        here = str(register.path.resolve())
        recent = [here] + [p for p in self.recent_registers() if p != here]
        self.settings.setValue("registers/recent", recent[:RECENT_LIMIT])
        self.settings.setValue("registers/last", here)
        self.recent_menu.clear()
        for path in recent[:RECENT_LIMIT]:
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _checked=False, p=path: self._switch_to_path(Path(p)))

    # --- registers ---------------------------------------------------------------------------

    def set_register(self, register: Register) -> None:
        """Show another register in this window; the one shown before is closed."""
        old = self.register
        self.query.wait()
        self.register = register
        self.model.register = register
        self.query.register = register
        self.query.invalidate()
        self.organisation = ""
        self._remember(register)
        self._load_register_lists()
        self.detail.register = register
        for tab in self.view_tabs:
            tab.set_register(register)
        self._show_detail(None)
        self._show_read_only()
        self.unfinished.look(register)
        self.refresh()
        if old is not register:
            old.close()

    def _load_register_lists(self) -> None:
        audits = list_audits(self.register, newest_first=True)
        self._fill(self.audit, "Audit", [(a.label, a.ref) for a in audits])
        self._fill(self.owner, "Owner", [(name, pid) for pid, name in list_people(self.register)])
        self.requirement_completer.set_catalog(rt.requirement_catalog(self.register))

    def _switch_to_path(self, path: Path) -> None:
        register = welcome.open_chosen(self, path)
        if register is not None:
            self.set_register(register)

    def new_register(self) -> None:
        register = welcome.create_new(self)
        if register is not None:
            self.set_register(register)

    def open_register_file(self) -> None:
        register = welcome.choose_existing(self)
        if register is not None:
            self.set_register(register)

    def save_backup(self) -> None:
        if self.register.path is None:
            QMessageBox.information(self, "Backup", "A database server keeps its own backups.")
            return
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M")
        suggested = self.register.path.with_name(f"{self.register.path.stem}-backup-{stamp}.sqlite")
        # carapp asks about what the copy would replace itself: Qt's own prompt cannot tell
        # the open register, a stray text file and another organisation's register apart.
        name, _ = QFileDialog.getSaveFileName(
            self,
            "Save a backup copy",
            str(suggested),
            welcome.REGISTER_FILTER,
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if not name or not self._may_replace(backup_target(self.register.path, Path(name))):
            return
        try:
            with translate_errors(where=name):
                backup(self.register.path, Path(name))
        except CarappError as exc:
            QMessageBox.warning(self, "carapp could not save the backup copy", str(exc))
            return
        self.statusBar().showMessage(f"Backup copy saved to {name}", 8000)

    def _may_replace(self, target: BackupTarget) -> bool:
        """Whether the backup copy may go to ``target``: never onto the open register, and
        onto an existing file only once the user confirms in words naming what is lost."""
        title = "Save a backup copy"
        if not target.exists:
            return True
        if target.is_open_register:
            QMessageBox.warning(
                self, title, "That is the register you have open; choose another file name."
            )
            return False
        ours = target.source_organisation or self.register.name
        if target.organisation is None:
            question = (
                f"{target.path} is not a carapp register ({target.what}). The backup copy "
                "would replace it. Replace it?"
            )
            replace = "Replace it"
        elif target.organisation == target.source_organisation:
            question = (
                f"{target.path} is already a register of {target.organisation} (an older "
                f"backup copy?). Replace it with a copy of the register open now "
                f"({self.register.path})?"
            )
            replace = "Replace the older copy"
        else:
            other = target.organisation or "an unnamed organisation"
            question = (
                f"{target.path} is the register of {other}, not a copy of {ours}'s register "
                f"({self.register.path}). Replacing it loses {other}'s register, unless it "
                "has a copy elsewhere."
            )
            replace = f"Replace {other}'s register with {ours}'s"
        box = QMessageBox(QMessageBox.Icon.Warning, title, question, parent=self)
        yes = box.addButton(replace, QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.exec()
        return box.clickedButton() is yes

    def read_only_reason(self) -> str:
        # Resolved: a register opened as "ro.sqlite" would otherwise name its folder ".".
        where = self.register.path.resolve().parent if self.register.path else None
        return (
            f"Read-only: this account cannot write {self.register.name}"
            + (f" or its folder {where}" if where else "")
            + " \u2014 open a copy you can write to (File > Save a backup copy, then open it)."
        )

    def _show_read_only(self) -> None:
        """A read-only register is shown, not edited: every edit action says why it is off."""
        read_only = self.register.read_only
        self.read_only_banner.setText(self.read_only_reason() if read_only else "")
        self.read_only_banner.setVisible(read_only)
        for tab in self.view_tabs:
            tab.set_read_only(read_only)
        for action in self.edit_actions:
            action.setEnabled(not read_only)
            tip = action.text().replace("&", "").removesuffix("\u2026")
            action.setToolTip(
                f"{tip}: not possible, the register is read-only" if read_only else tip
            )

    def _refuse_edit(self, what: str) -> bool:
        # The actions are disabled; this covers a shortcut or a caller that bypasses them.
        if not self.register.read_only:
            return False
        QMessageBox.information(self, what, self.read_only_reason())
        return True

    # --- findings ----------------------------------------------------------------------------

    def _template_menu(self) -> QMenu:
        """Finding > New from template: the findings that recur everywhere, each opening a
        new finding's editor with its title, statement, requirements and classification."""
        menu = QMenu("New from &template", self)
        self.template_actions: list[QAction] = []
        for template in FINDING_TEMPLATES:
            action = menu.addAction(template.name)
            action.setToolTip(template.title)
            action.triggered.connect(lambda _c=False, t=template: self.new_from_template(t))
            self.template_actions.append(action)
        return menu

    def new_from_template(self, template: FindingTemplate) -> None:
        if self._refuse_edit("New finding"):
            return
        self.open_editor(None, template)

    def new_finding(self) -> None:
        if self._refuse_edit("New finding"):
            return
        self.open_editor(None)

    def open_finding(self) -> None:
        """Open the selected finding in its editor."""
        rows = self.table.selectionModel().selectedRows()
        row = self.model.row_at(rows[0].row()) if rows else None
        if row is None:
            self.statusBar().showMessage("Select a finding to open first.", 5000)
            return
        self.open_editor(row.ref)

    def open_editor(
        self, ref: str | None, template: FindingTemplate | None = None
    ) -> FindingEditor:
        """The finding's editor window, raised if already open; a new one for ``ref`` None.

        Editors are windows of their own, so the register stays usable beside them."""
        editor = self.editors.get(ref) if ref is not None else None
        if editor is None or not isValid(editor):
            editor = FindingEditor(
                self.register,
                ref,
                self.today(),
                on_changes=self._editor_saved,
                template=template,
                start_workshop=self.open_workshop,
                raise_parked=self.raise_parked_issue,
            )
            if ref is not None:
                self.editors[ref] = editor
            editor.destroyed.connect(lambda _o=None, r=ref: self.editors.pop(r, None))
        editor.show()
        editor.raise_()
        editor.activateWindow()
        return editor

    def open_at(self, ref: str, section: str | None = None) -> None:
        """The finding's editor on one of its sections (``actions``, ``effectiveness``,
        ``deadlines``...): where the tabs send a double-clicked date or action."""
        editor = self.open_editor(ref)
        if section is not None:
            editor.show_key(section)

    def raise_parked_issue(self, ref: str, issue: ParkedView) -> None:
        """A new finding's editor, filled in from an issue parked in a workshop on ``ref``;
        saving it marks the issue as raised, in the same transaction. One editor per issue:
        asked again, the one already open comes to the front."""
        open_already = self.raising.get(issue.id)
        if open_already is not None and isValid(open_already):
            open_already.show()
            open_already.raise_()
            open_already.activateWindow()
            return
        template = FindingTemplate(
            name="Parked workshop issue",
            title=" ".join(issue.text.split())[:300],
            statement=f"Raised in the root-cause workshop on {ref}: {issue.text}",
            requirement_codes=(),
            classification=Classification.OBSERVATION,
        )
        editor = FindingEditor(
            self.register,
            None,
            self.today(),
            on_changes=self._editor_saved,
            template=template,
            start_workshop=self.open_workshop,
            raise_parked=self.raise_parked_issue,
            after_record=lambda context: (
                op.raise_parked_issue(context.register, issue.id, context.finding).result
            ),
        )
        self.raising[issue.id] = editor
        editor.destroyed.connect(lambda _o=None, i=issue.id: self.raising.pop(i, None))
        editor.show()
        editor.raise_()
        editor.activateWindow()

    def export(self, kind: ExportKind, _checked: bool = False) -> None:
        """File > Export: what, then where; the export runs off the GUI thread."""
        table_filter = self.current_filter()
        owner = self.owner.currentText() if self.owner.currentData() else None
        described = ExportScope(self.today(), table_filter).describe(owner)
        dialog = dialog_for(
            kind,
            self.register,
            table_filter,
            described[0].lower() + described[1:],
            self.today(),
            self.organisation,
            self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def chosen(result: int) -> None:
            if result != QDialog.DialogCode.Accepted:
                return
            work = export_work(kind, self.register, dialog, self.today())
            run_export(self, kind, work, lambda path: self._exported(kind, path), self._say)

        dialog.finished.connect(chosen)
        dialog.open()

    def _exported(self, kind: ExportKind, path: Path) -> None:
        if kind is ExportKind.EMAIL:
            opened = open_with_system(path)
            self._say(
                f"Email draft written to {path}"
                + (
                    "; opening it in your mail program."
                    if opened
                    else "; no mail program opened it: open the file yourself."
                )
            )
        else:
            self._say(f"{kind.value} written to {path}")

    def send_reminders(self) -> None:
        """File > Send reminders: a draft per owner with dates overdue or due soon."""
        from carapp.ui.reminders_dialog import RemindersDialog

        dialog = RemindersDialog(self.register, self.today(), say=self._say, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def import_register(self) -> None:
        """File > Import: a register kept in a spreadsheet; what it writes reaches the views
        through on_changes, as any use case's changes do."""
        if self._refuse_edit("Import"):
            return
        from carapp.ui.import_dialog import ImportDialog

        dialog = ImportDialog(
            self.register, self.today(), on_changes=self.on_changes, say=self._say, parent=self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _say(self, text: str) -> None:
        self.statusBar().showMessage(text, 15000)

    def workshop_on_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        row = self.model.row_at(rows[0].row()) if rows else None
        if row is None:
            self.statusBar().showMessage("Select the finding the workshop is about first.", 5000)
            return
        self.open_workshop(row.ref)

    def open_workshop(self, ref: str) -> None:
        """The five-whys workshop on ``ref``: a window of its own, like an editor."""
        from carapp.ui.workshop.opening import open_workshop

        open_workshop(
            self,
            self.register,
            ref,
            self.today(),
            self._editor_saved,
            lambda text: self.statusBar().showMessage(text, 8000),
            # Its draft kept, discarded or recorded: the banner lists what is left.
            self._look_for_unfinished,
        )

    def _look_for_unfinished(self) -> None:
        if isValid(self.unfinished):  # the window may have closed before the workshop
            self.unfinished.look(self.register)

    def _editor_saved(self, changes: Changes[Any]) -> None:
        # A finding the table does not list yet was just recorded: show it once it does.
        new = [i for i in changes.findings if self.model.row_of(i) is None]
        if len(new) == 1:
            self._select_next = new[0]
        self.on_changes(changes)
        if isinstance(changes.result, str):
            self.statusBar().showMessage(f"{changes.result} saved", 8000)

    def void_finding(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        row = self.model.row_at(rows[0].row()) if rows else None
        if row is None:
            QMessageBox.information(self, "Void finding", "Select the finding to void first.")
            return
        if self._refuse_edit("Void finding"):
            return
        dialog = VoidDialog(self.register, row.ref, self.today(), self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.changes is not None:
            self.on_changes(dialog.changes)
            self.statusBar().showMessage(f"{row.ref} voided", 8000)

    def show_settings(self) -> None:
        if self._refuse_edit("Settings"):
            return
        dialog = SettingsDialog(self.register, self, on_changes=self.on_changes)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.changes is not None:
            self.statusBar().showMessage("Settings saved", 8000)

    # --- the one place a change to the register arrives ------------------------------------

    def on_changes(self, changes: Changes[Any]) -> None:
        """Every use case run from this window hands what it changed here; each view decides
        from it whether to refresh (Anki's ``operation_did_execute``)."""
        if changes.empty:
            return
        self.model.on_changes(changes)
        self.query.on_changes(changes)
        self.detail.on_changes(changes)
        for tab in self.view_tabs:
            tab.on_changes(changes)
        # An open editor with nothing typed in it shows what another window just saved (a
        # workshop's analysis); one with unsaved changes keeps them, and its Save will say
        # what changed meanwhile.
        for editor in list(self.editors.values()):
            if isValid(editor) and editor.shows_changed(changes) and not editor.is_dirty():
                editor.reload()
        if changes.touches(PEOPLE, AUDITS, REQUIREMENTS):
            self._load_register_lists()
        if changes.touches(*TABLE_TABLES):
            # Rows may have joined or left the filter, and the counts moved: ask again.
            self.refresh()

    def show_guide(self) -> None:
        from importlib import resources

        text = resources.files("carapp.resources").joinpath("user_guide.html").read_text("utf-8")
        dialog = QDialog(self)
        dialog.setWindowTitle("carapp user guide")
        dialog.resize(720, 640)
        browser = QTextBrowser(dialog)
        browser.setHtml(text)
        layout = QVBoxLayout(dialog)
        layout.addWidget(browser)
        dialog.show()

    # --- querying --------------------------------------------------------------------------

    def current_filter(self) -> rt.RegisterFilter:
        def picked(combo: QComboBox) -> Any:
            return combo.currentData() or None

        classification, stage, source = (
            picked(c) for c in (self.classification, self.stage, self.source)
        )
        return rt.RegisterFilter(
            search=self.search.text(),
            quick=rt.QuickFilter(self.quick.currentData()),
            classifications=frozenset([Classification(classification)])
            if classification
            else frozenset(),
            stages=frozenset([Stage(stage)]) if stage else frozenset(),
            sources=frozenset([Source(source)]) if source else frozenset(),
            audit_ref=picked(self.audit),
            owner_id=picked(self.owner),
            requirement_code=self.requirement.text().strip() or None,
        )

    def _quick_changed(self) -> None:
        # What is late is read most-late first: choosing Overdue sorts by days left.
        if self.quick.currentData() == rt.QuickFilter.OVERDUE.value:
            self.sort_column, self.sort_descending = rt.Column.DAYS_LEFT, False
            header = self.table.horizontalHeader()
            header.blockSignals(True)  # the indicator follows; this asks once, below
            header.setSortIndicator(
                self.model.columns.index(rt.Column.DAYS_LEFT), Qt.SortOrder.AscendingOrder
            )
            header.blockSignals(False)
            header.viewport().update()
        self.refresh()

    def refresh(self) -> None:
        """Ask again for the findings to show; the answer arrives off the GUI thread."""
        self._debounce.stop()
        self.query.run(self.current_filter(), self.today(), self.sort_column, self.sort_descending)

    def _sort(self, column: rt.Column, descending: bool) -> None:
        in_flight = self.query.latest > self.shown_generation
        if in_flight and (column, descending) == (self.sort_column, self.sort_descending):
            return  # already on its way (QTableView.sortByColumn asks the model twice)
        self.sort_column, self.sort_descending = column, descending
        self.refresh()

    def _show_ids(self, generation: int, ids: list[int], summary: RegisterSummary) -> None:
        if generation != self.query.latest:
            return  # a newer question is on its way
        selected = self._select_next or self.selected_finding_id()
        self._select_next = None
        self.shown_generation = generation
        self._answering = True
        try:
            self.model.set_ids(ids)
            # The finding shown stays shown while it is in the answer; else the first one
            # is, so the detail pane never empties under a filter change.
            row = self.model.row_of(selected) if selected is not None else None
            if row is None and ids:
                row = 0
            if row is not None:
                self.table.selectRow(row)
        finally:
            self._answering = False
        shown = self.model.row_at(row) if row is not None else None
        self._show_detail(shown.ref if shown else None)
        self.matches.setText(f"{len(ids):,} of {summary.findings:,} findings")
        self.status.setText(self._status_text(len(ids), summary))
        for index, quick in enumerate(rt.QuickFilter):
            self.quick.setItemText(index, f"{quick.label} ({summary.counts[quick]:,})")
        self.organisation = summary.organisation
        self._show_title()
        if summary.findings == 0:
            self.table.placeholder = EMPTY_REGISTER
        elif not ids:
            self.table.placeholder = NO_MATCH
        else:
            self.table.placeholder = ""

    def _show_failure(self, generation: int, message: str) -> None:
        if generation == self.query.latest:
            QMessageBox.warning(self, "carapp cannot read the register", message)

    def _status_text(self, shown: int, summary: RegisterSummary) -> str:
        where = html.escape(str(self.register.path or self.register.url))
        total = summary.findings
        overdue = f"{summary.overdue:,} overdue"
        if summary.overdue:
            overdue = f'<a href="overdue">{overdue}</a>'
        return f"{where}{DOT}{shown:,} of {total:,} shown{DOT}{overdue}"

    def show_overdue(self) -> None:
        """Show what is late (the status bar's overdue count links here)."""
        self.quick.setCurrentIndex(self.quick.findData(rt.QuickFilter.OVERDUE.value))

    def clear_filters(self) -> None:
        """Back to every finding: search, quick filter and each column filter reset, and one
        query asked, not one per widget."""
        widgets: tuple[QWidget, ...] = (
            self.search,
            self.quick,
            self.classification,
            self.stage,
            self.source,
            self.audit,
            self.owner,
            self.requirement,
        )
        for widget in widgets:
            widget.blockSignals(True)
        try:
            self.search.clear()
            self.requirement.clear()
            for combo in (
                self.quick,
                self.classification,
                self.stage,
                self.source,
                self.audit,
                self.owner,
            ):
                combo.setCurrentIndex(0)
        finally:
            for widget in widgets:
                widget.blockSignals(False)
        self.refresh()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # --- the selected finding ---------------------------------------------------------------

    def selected_finding_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.finding_id(rows[0].row()) if rows else None

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        if self._answering:
            return  # the new answer's selection is settled in _show_ids
        rows = self.table.selectionModel().selectedRows()
        row = self.model.row_at(rows[0].row()) if rows else None
        self._show_detail(row.ref if row else None)

    def _show_detail(self, ref: str | None) -> None:
        # The finding already shown is not read again: a new answer that keeps it selected
        # costs no detail query (the pane refreshes itself when the finding changes).
        if ref is not None and ref == self._detail_ref:
            return
        self._detail_ref = ref
        self.detail.show_finding(ref)

    def show_register_about(self) -> None:
        """The register's identity card: what an auditor writes down to verify it later."""
        from carapp.anchors import fingerprint
        from carapp.queries import register_summary
        from carapp.store import schema_revision

        summary = register_summary(self.register, self.today())
        print_ = fingerprint(self.register)
        self.register_about = QMessageBox(
            QMessageBox.Icon.Information,
            "About this register",
            f"<b>{_e(summary.organisation or 'Register')}</b><table cellpadding=2>"
            f"<tr><td>Location</td><td>{_e(self.register.path or self.register.name)}</td></tr>"
            f"<tr><td>Schema</td><td>{_e(schema_revision(self.register))}</td></tr>"
            f"<tr><td>Findings</td><td>{summary.findings:,}</td></tr>"
            f"<tr><td>Fingerprint</td><td>{_e(print_.short)}</td></tr></table>"
            "<p>To verify this register later, keep its full fingerprint for "
            f"<code>carapp check --anchor</code>:<br><code>{_e(print_.full)}</code></p>",
            QMessageBox.StandardButton.Ok,
            self,
        )
        self.register_about.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.register_about.open()

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About carapp",
            f"<b>carapp {__version__}</b><p>ISO/IEC 27001:2022 Corrective Action Register: "
            "nonconformities tracked through clause 10.2, with a history nothing can "
            "silently change.</p>",
        )
