"""The Actions tab: every corrective action across findings, by owner, status and due
window; the selected one's details and history; and what can be done to it from here
(mark it done with evidence, link it to another finding, cancel it, open its finding).

Each write is one use case (or, for a completion with a file, two in one transaction) run
off the GUI thread; what it changed goes to the main window's one handler, which hands it
to every view, this one included."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QFontMetrics, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from carapp import operations as op
from carapp.errors import CarappError
from carapp.models.enums import ActionStatus
from carapp.models.words import day_text
from carapp.operations.changes import ACTIONS, EVIDENCE, FINDINGS, PEOPLE, Changes, changes_of
from carapp.queries.actions import (
    LIVE,
    UNOWNED,
    ActionDetail,
    ActionRow,
    ActionsFilter,
    DueWindow,
    LinkableFinding,
    action_detail,
    action_history,
    action_owners,
    action_rows,
    linkable_findings,
)
from carapp.queries.history_words import HistoryLine
from carapp.store import Register
from carapp.ui import tasks
from carapp.ui.editor.actions import CancelDialog, Completion, CompletionDialog
from carapp.ui.editor.rounds import Chooser
from carapp.ui.widgets import record_table

COLUMNS = ("Ref", "Description", "Owner", "Target", "Status", "Findings", "Due")
HISTORY_COLUMNS = ("When", "Who", "What", "Old value", "New value")
READ_ONLY_TIP = "not possible, the register is read-only"
# Overdue rows: a pale red with black text and a bold "Overdue by ..." (readable without
# the colour, and at the contrast of plain text).
OVERDUE_BACKGROUND = QColor("#fde0dc")
OVERDUE_TEXT = QColor("#000000")

STATUS_CHOICES: tuple[tuple[str, frozenset[ActionStatus]], ...] = (
    ("Open (planned or in progress)", frozenset(LIVE)),
    ("Any status", frozenset()),
    *((s.label, frozenset({s})) for s in ActionStatus),
)


def due_text(row: ActionRow) -> str:
    """The Due column: how far the target is, for a live action."""
    days = row.days_left
    if days is None:
        if row.status is ActionStatus.DONE and row.completed_on:
            return f"Done {day_text(row.completed_on)}"
        return ""
    if days < 0:
        return f"Overdue by {-days} day{'s' if days != -1 else ''}"
    if days == 0:
        return "Due today"
    return f"{days} day{'s' if days != 1 else ''} left"


class ActionsModel(QAbstractTableModel):
    """The listed actions, one per row."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ActionRow] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def set_rows(self, rows: list[ActionRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def text(self, row: ActionRow, column: int) -> str:
        match column:
            case 0:
                return row.ref
            case 1:
                return row.description
            case 2:
                return row.owner or "No owner"
            case 3:
                return day_text(row.target_on) if row.target_on else "No target date"
            case 4:
                return row.status.label
            case 5:
                return row.findings_text
            case _:
                return due_text(row)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.text(row, index.column())
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self.text(row, index.column()) or "blank"
        if row.overdue:
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(OVERDUE_BACKGROUND)
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(OVERDUE_TEXT)
            if role == Qt.ItemDataRole.FontRole and index.column() in (0, 6):
                return self._bold
        return None

    def row_of(self, action_id: int) -> int | None:
        return next((i for i, r in enumerate(self.rows) if r.id == action_id), None)


class ActionsTab(QWidget):
    """Every corrective action across findings; implements :class:`RegisterTab`."""

    def __init__(
        self,
        register: Register,
        today: Callable[[], dt.date],
        open_at: Callable[[str, str | None], None],
        on_changes: Callable[[Changes[Any]], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.register = register
        self.today = today
        self.open_at = open_at
        self.hand_on = on_changes
        self.read_only = register.read_only
        self.loading: tasks.Task[Any] | None = None
        self.reading: tasks.Task[Any] | None = None
        self.writing: tasks.Task[Any] | None = None
        self.dialog: CompletionDialog | CancelDialog | None = None
        self.chooser: Chooser[LinkableFinding] | None = None
        self.detail: ActionDetail | None = None
        self._generation = 0
        self._select: int | None = None

        # --- Filters ---
        self.owner = QComboBox(self)
        self.status = QComboBox(self)
        for label, _statuses in STATUS_CHOICES:
            self.status.addItem(label)
        self.due = QComboBox(self)
        for window in DueWindow:
            self.due.addItem(window.label, window)
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText("Words of the reference or description")
        filters = QHBoxLayout()
        for caption, field in (
            ("Ow&ner", self.owner),
            ("S&tatus", self.status),
            ("D&ue", self.due),
            ("Sea&rch", self.search),
        ):
            caption_label = QLabel(caption, self)
            caption_label.setBuddy(field)
            field.setAccessibleName(caption.replace("&", ""))
            filters.addWidget(caption_label)
            filters.addWidget(field, 2 if field is self.search else 0)
        self.count = QLabel(self)
        self.count.setAccessibleName("Actions shown")

        # --- The list ---
        self.model = ActionsModel(self)
        self.table = QTableView(self)
        self.table.setAccessibleName("Corrective actions")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        bold = QFont(self.font())
        bold.setBold(True)
        wide = QFontMetrics(bold)  # the ref and Due of overdue rows are bold
        for column, sample in (
            (0, "CA-2026-0000"),
            (2, "Tomasz Kowalczyk"),
            (3, "30 Sept 2026"),
            (4, "In progress"),
            (5, "NC-2026-0000 (round 2)"),
            (6, "Overdue by 999 days"),
        ):
            self.table.setColumnWidth(column, wide.horizontalAdvance(sample) + 20)
        self.empty = QLabel(self)
        self.empty.setAccessibleName("No actions")
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("padding: 12px; font-size: 11pt;")
        self.empty.hide()

        # --- What can be done ---
        self.mark_done = QPushButton("Mark done\u2026", self)
        self.link = QPushButton("Link to finding\u2026", self)
        self.cancel = QPushButton("Cancel action\u2026", self)
        self.open_button = QPushButton("Open finding", self)
        self.shortcuts: dict[QPushButton, str] = {
            self.mark_done: "Ctrl+D",
            self.link: "Ctrl+L",
            self.cancel: "Ctrl+Shift+D",
            self.open_button: "Enter",
        }
        buttons = QHBoxLayout()
        for button in (self.mark_done, self.link, self.cancel, self.open_button):
            button.setAccessibleName(button.text())
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.message = QLabel(self)
        self.message.setAccessibleName("Message")
        self.message.setWordWrap(True)
        buttons.addWidget(self.message, 3)
        slots: tuple[tuple[QPushButton, Callable[[], None], str], ...] = (
            (self.mark_done, self.ask_completion, "Ctrl+D"),
            (self.link, self.choose_finding, "Ctrl+L"),
            (self.cancel, self.ask_cancel, "Ctrl+Shift+D"),
        )
        for button, slot, keys in slots:
            # Not clicked(checked): the slots' arguments are what a refusal hands back.
            button.clicked.connect(lambda _checked=False, ask=slot: ask())
            action = QAction(button.text(), self)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(button.click)
            self.addAction(action)
        self.open_button.clicked.connect(self.open_selected)
        # Enter opens the selected action's finding, from the list only: a key the list
        # itself receives, not a shortcut, which would also take the Enter meant for a
        # dialog opened from here.
        self.table.installEventFilter(self)
        self.table.doubleClicked.connect(lambda _index: self.open_selected())

        # --- The selected action ---
        self.details_box = QGroupBox("Selected action", self)
        self.details = QLabel(self.details_box)
        self.details.setAccessibleName("Selected action")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        QVBoxLayout(self.details_box).addWidget(self.details)
        self.history_box = QGroupBox("History of the selected action (newest first)", self)
        self.history = record_table("History of the selected action", HISTORY_COLUMNS, self)
        # One line per change, the whole value in its tooltip: a wrapped description made
        # one change fill the box.
        self.history.setWordWrap(False)
        self.history.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.history.horizontalHeader().setStretchLastSection(True)
        when = self.fontMetrics().horizontalAdvance("2026-12-31 23:59") + 16
        for column, width in enumerate((when, 100, 200, 100)):
            self.history.setColumnWidth(column, width)
        QVBoxLayout(self.history_box).addWidget(self.history)

        lower = QSplitter(Qt.Orientation.Horizontal, self)
        lower.addWidget(self.details_box)
        lower.addWidget(self.history_box)
        lower.setStretchFactor(0, 2)
        lower.setStretchFactor(1, 3)
        upper = QWidget(self)
        upper_box = QVBoxLayout(upper)
        upper_box.setContentsMargins(0, 0, 0, 0)
        upper_box.addWidget(self.table, 1)
        upper_box.addWidget(self.empty, 1)
        upper_box.addLayout(buttons)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(upper)
        split.addWidget(lower)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        box = QVBoxLayout(self)
        box.addLayout(filters)
        box.addWidget(self.count)
        box.addWidget(split, 1)
        self.setFocusProxy(self.table)

        self.owner.currentIndexChanged.connect(lambda _i: self.reload())
        self.status.currentIndexChanged.connect(lambda _i: self.reload())
        self.due.currentIndexChanged.connect(lambda _i: self.reload())
        self.search.textChanged.connect(lambda _t: self.reload())
        selection = self.table.selectionModel()
        selection.currentRowChanged.connect(lambda *_a: self._show_selected())
        self._load_owners()
        self.set_read_only(register.read_only)
        self.reload()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.table
            and event.type() is QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ):
            self.open_selected()
            return True
        return super().eventFilter(watched, event)

    # --- RegisterTab -------------------------------------------------------------------

    def set_register(self, register: Register) -> None:
        self.register = register
        self._select = None
        self._load_owners()
        self.set_read_only(register.read_only)
        self.reload()

    def on_changes(self, changes: Changes[Any]) -> None:
        if changes.touches(ACTIONS, FINDINGS, EVIDENCE, PEOPLE):
            if changes.touches(PEOPLE, ACTIONS):
                self._load_owners()
            self.reload()

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        self._enable()

    # --- Reading -----------------------------------------------------------------------

    def current_filter(self) -> ActionsFilter:
        owner = self.owner.currentData()
        window = self.due.currentData()
        return ActionsFilter(
            owner_id=owner if isinstance(owner, int) else None,
            statuses=STATUS_CHOICES[max(self.status.currentIndex(), 0)][1],
            due=window if isinstance(window, DueWindow) else DueWindow.ANY,
            text=self.search.text(),
        )

    def _load_owners(self) -> None:
        chosen = self.owner.currentData()
        self.owner.blockSignals(True)
        try:
            self.owner.clear()
            self.owner.addItem("Everyone", None)
            self.owner.addItem("No owner", UNOWNED)
            for person_id, name in action_owners(self.register):
                self.owner.addItem(name, person_id)
            found = self.owner.findData(chosen)
            self.owner.setCurrentIndex(max(found, 0))
        finally:
            self.owner.blockSignals(False)

    def reload(self) -> None:
        """Read the list again (off the GUI thread), keeping the selected action."""
        selected = self.selected()
        if selected is not None and self._select is None:
            self._select = selected.id
        self._generation += 1
        generation = self._generation
        register, wanted, today = self.register, self.current_filter(), self.today()
        self.count.setText("Reading the actions\u2026")
        self.loading = tasks.run(
            lambda _cancel: action_rows(register, wanted, today),
            lambda rows: self._listed(generation, rows),
            self._read_failed,
            owner=self,
        )

    def is_idle(self) -> bool:
        """Whether nothing is being read or written (for tests and screenshots)."""
        return all(t is None or t.ended for t in (self.loading, self.reading, self.writing))

    def _listed(self, generation: int, rows: list[ActionRow]) -> None:
        if generation != self._generation:
            return  # a newer filter's answer is on its way
        keep, self._select = self._select, None
        self.model.set_rows(rows)
        overdue = sum(1 for r in rows if r.overdue)
        noun = "action" if len(rows) == 1 else "actions"
        self.count.setText(f"{len(rows):,} {noun}" + (f", {overdue:,} overdue" if overdue else ""))
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        if not rows:
            self.empty.setText(self._empty_text())
        index = self.model.row_of(keep) if keep is not None else None
        if rows:
            self.table.selectRow(index if index is not None else 0)
        self._show_selected()

    def _empty_text(self) -> str:
        if self.current_filter() == ActionsFilter(statuses=frozenset(LIVE)):
            return (
                "No open actions: every action is done or cancelled. Choose \u201cAny "
                "status\u201d to see them, or plan new actions in a finding\u2019s editor "
                "(its Actions section)."
            )
        if self.current_filter() == ActionsFilter():
            return "No corrective actions yet: open a finding and plan them in its Actions section."
        return (
            "No action matches these filters: choose Everyone, Any status or Any date, or "
            "clear the search."
        )

    def _read_failed(self, sentence: str) -> None:
        self.count.setText(sentence)

    def selected(self) -> ActionRow | None:
        index = self.table.currentIndex()
        if not index.isValid() or (not self.table.isVisible() and not self.model.rows):
            return None
        row = index.row()
        return self.model.rows[row] if 0 <= row < len(self.model.rows) else None

    def _show_selected(self) -> None:
        row = self.selected()
        self._enable()
        if row is None:
            self.detail = None
            self.details_box.setTitle("Selected action")
            self.details.setText("Select an action to see its details and history.")
            self.history.setRowCount(0)
            return
        self.details_box.setTitle(f"Selected action: {row.ref}")
        register, today, action_id = self.register, self.today(), row.id

        def read(_cancel: tasks.Cancel) -> tuple[ActionDetail | None, list[HistoryLine]]:
            return action_detail(register, action_id, today), action_history(register, action_id)

        self.reading = tasks.run(
            read, lambda found: self._show_detail(action_id, *found), self._read_failed, owner=self
        )

    def _show_detail(
        self, action_id: int, detail: ActionDetail | None, lines: list[HistoryLine]
    ) -> None:
        current = self.selected()
        if current is None or current.id != action_id:
            return  # the selection moved on meanwhile
        self.detail = detail
        self.details.setText(_detail_html(detail) if detail else "This action is gone.")
        self.history.setRowCount(len(lines))
        for r, line in enumerate(lines):
            for c, value in enumerate((line.at, line.actor, line.what, line.old, line.new)):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.history.setItem(r, c, item)

    def _enable(self) -> None:
        row = self.selected()
        live = row is not None and row.live
        why_not = {
            self.mark_done: "Select a planned or in-progress action to mark it done",
            self.link: "Select an action that is not cancelled to link it",
            self.cancel: "Select a planned or in-progress action to cancel it",
        }
        offered = {
            self.mark_done: live,
            self.link: row is not None and row.status is not ActionStatus.CANCELLED,
            self.cancel: live,
        }
        for button, can in offered.items():
            name = button.text().removesuffix("\u2026")
            keys = self.shortcuts[button]
            if self.read_only:
                button.setEnabled(False)
                button.setToolTip(f"{name}: {READ_ONLY_TIP}")
            else:
                button.setEnabled(can)
                button.setToolTip(f"{name} ({keys})" if can else why_not[button])
        self.open_button.setEnabled(row is not None and row.first_finding is not None)
        self.open_button.setToolTip("Open the finding\u2019s editor on its actions (Enter)")

    # --- Opening -----------------------------------------------------------------------

    def open_selected(self) -> None:
        row = self.selected()
        first = row.first_finding if row else None
        if first is None:
            self.message.setText("Select an action to open its finding.")
            return
        self.open_at(first.ref, "actions")

    # --- Writing -----------------------------------------------------------------------

    def _writable(self, row: ActionRow | None, what: str) -> ActionRow | None:
        if self.read_only:
            self.message.setText(f"{what}: {READ_ONLY_TIP}.")
            return None
        if row is None:
            self.message.setText(f"{what}: select an action first.")
            return None
        if self.writing is not None and not self.writing.ended:
            self.message.setText("Still saving the last change\u2026")
            return None
        return row

    def ask_completion(self, earlier: Completion | None = None, problem: str = "") -> None:
        row = self._writable(self.selected(), "Mark done")
        if row is None or not row.live:
            return
        dialog = CompletionDialog(row.ref, self.today(), earlier, self, saved_on_ok=True)
        dialog.problem.setText(problem)
        dialog.accepted.connect(lambda: self._complete(row, dialog.completion()))
        self.dialog = dialog
        dialog.open()

    def _complete(self, row: ActionRow, done: Completion | None) -> None:
        if done is None:
            return
        register, ref, version = self.register, row.ref, row.version

        def work(_cancel: tasks.Cancel) -> Changes[None]:
            # The file and the completion are one change: both are recorded, or neither.
            # The file first, so that it counts as the evidence the completion asks for.
            with register.transaction() as session:
                if done.file is not None:
                    op.attach_evidence(register, done.file, action_ref=ref)
                op.complete_action(register, ref, done.on, done.evidence, expected_version=version)
                session.flush()
            return changes_of(session, None)

        self._write(
            work,
            f"{ref} marked done.",
            lambda sentence: self.ask_completion(done, sentence),
            select=row.id,
        )

    def ask_cancel(self, reason: str = "", problem: str = "") -> None:
        row = self._writable(self.selected(), "Cancel action")
        if row is None or not row.live:
            return
        dialog = CancelDialog(row.ref, reason, self, saved_on_ok=True)
        dialog.problem.setText(problem)
        dialog.accepted.connect(lambda: self._cancel(row, dialog.reason.text()))
        self.dialog = dialog
        dialog.open()

    def _cancel(self, row: ActionRow, reason: str) -> None:
        register, ref, version = self.register, row.ref, row.version
        self._write(
            lambda _c: op.cancel_action(register, ref, reason, expected_version=version),
            f"{ref} cancelled.",
            lambda sentence: self.ask_cancel(reason, sentence),
            select=row.id,
        )

    def choose_finding(self) -> None:
        row = self._writable(self.selected(), "Link to finding")
        if row is None or row.status is ActionStatus.CANCELLED:
            return
        register, action_id = self.register, row.id
        chooser: Chooser[LinkableFinding] = Chooser(
            f"Link {row.ref} to another finding",
            "Open findings",
            lambda text: linkable_findings(register, action_id, text),
            LinkableFinding.describe,
            self,
            none_yet="Every open finding already has this action in its current round.",
        )
        chooser.search.setPlaceholderText("Type a finding's reference or words of its title")
        chooser.accepted.connect(lambda: self._link(row, chooser.choice()))
        self.chooser = chooser
        chooser.open()

    def _link(self, row: ActionRow, finding: LinkableFinding | None) -> None:
        if finding is None:
            return
        register, ref = self.register, row.ref
        self._write(
            lambda _c: op.link_action(register, finding.ref, ref),
            f"{ref} now answers {finding.ref} too.",
            self.message.setText,
            select=row.id,
        )

    def _write(
        self,
        work: Callable[[tasks.Cancel], Changes[Any]],
        done: str,
        refused: Callable[[str], None],
        *,
        select: int,
    ) -> None:
        """Run a use case off the GUI thread; a refusal goes back to what asked, with what
        was typed, so nothing is lost."""

        def guarded(cancel: tasks.Cancel) -> Changes[Any] | CarappError:
            try:
                return work(cancel)
            except CarappError as exc:
                return exc

        def ended(outcome: Changes[Any] | CarappError) -> None:
            if isinstance(outcome, CarappError):
                self.message.setText(str(outcome))
                refused(str(outcome))
                return
            self.message.setText(done)
            self._select = select
            self.hand_on(outcome)

        self.message.setText("Saving\u2026")
        self.writing = tasks.run(guarded, ended, self.message.setText, owner=self)


def _closure_due(d: ActionDetail, ref: str) -> str:
    """The finding's closure date, the granted one with the original struck through when
    the certification body extended it: the date the action really works towards."""
    due = d.closure_dues.get(ref)
    if due is None:
        return ""
    granted, original = due
    if original is None or original == granted:
        return f"; closure due {day_text(granted)}"
    return f"; closure due {day_text(granted)} (extended from <s>{day_text(original)}</s>)"


def _detail_html(d: ActionDetail) -> str:
    r = d.row
    e = html.escape
    facts = [r.kind.label, r.status.label, f"owner {r.owner or 'nobody'}"]
    facts.append(f"target {day_text(r.target_on)}" if r.target_on else "no target date")
    parts = [f"<b>{e(r.ref)}</b>: {e(r.description)}", e(", ".join(facts))]
    if r.overdue:
        parts.append(f"<b>{e(due_text(r))}</b>")
    if d.outcome:
        parts.append(f"Measurable outcome: {e(d.outcome)}")
    if r.status is ActionStatus.DONE:
        done = day_text(r.completed_on) if r.completed_on else "on an unrecorded date"
        parts.append(f"Completed {e(done)}: {e(d.completion_evidence) or '<i>no text</i>'}")
    if d.attachments:
        parts.append("Evidence files: " + e(", ".join(d.attachments)))
    if r.status is ActionStatus.CANCELLED:
        parts.append(f"Cancelled: {e(d.cancelled_reason)}")
    answers = [
        f"{e(f.label)} \u2014 {e(d.finding_titles.get(f.ref, ''))}{_closure_due(d, f.ref)}"
        for f in r.findings
    ]
    parts.append("Answers:<br>" + "<br>".join(answers) if answers else "Answers no finding.")
    return "<br>".join(parts)
