"""The finding editor: one window per finding, its sections in clause 10.2 order.

Each finding gets its own top-level window, not a tab of the main window: the register
stays usable beside it, two findings can be compared side by side, and a workshop can put
one on the projector while the manager keeps the register on the laptop screen.

Nothing is written until Save, and Save is one transaction over every section's edits,
run off the GUI thread. It first checks that nobody saved the finding (or its causes,
actions, reviews) since the editor read it, so another window's change is never
overwritten: the editor says who changed what and offers to reload.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from carapp import operations as op
from carapp.errors import CarappError, StaleEditError, WorkflowRefused
from carapp.models.enums import Stage
from carapp.models.templates import FindingTemplate
from carapp.operations.changes import Changes, changes_of
from carapp.queries import FindingDetail, finding_detail, list_people
from carapp.queries.findings import ParkedView
from carapp.store import Register
from carapp.ui import tasks
from carapp.ui.editor.fields import FieldProblem, PeopleList
from carapp.ui.editor.section import Edit, EditorContext, SaveContext, Section
from carapp.ui.editor.step_bar import StepBar

PROBLEM_STYLE = "border: 2px solid #c00;"


@dataclass(frozen=True)
class Saved:
    ref: str
    changes: Changes[Any]
    detail: FindingDetail  # as saved, read on the worker thread after the commit


@dataclass(frozen=True)
class Refused:
    error: CarappError
    edit: Edit | None


def _first_input(section: QWidget) -> QWidget | None:
    """The first input of ``section`` in Tab order, where its page starts typing."""
    widget = section.nextInFocusChain()
    while widget is not None and widget is not section:
        takes_tab = bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
        usable = widget.isEnabled() and widget.isVisibleTo(section)
        if section.isAncestorOf(widget) and takes_tab and usable:
            return widget
        widget = widget.nextInFocusChain()
    return None


def section_classes() -> list[type[Section]]:
    """The sections in clause 10.2 order (imported here so that each lives in its own
    module and the window knows them only as Sections)."""
    from carapp.ui.editor import (
        actions,
        attachments,
        cause,
        closure,
        containment,
        deadlines,
        effectiveness,
        finding,
        history,
    )

    return [
        finding.FindingSection,
        containment.ContainmentSection,
        cause.CauseSection,
        actions.ActionsSection,
        effectiveness.EffectivenessSection,
        deadlines.DeadlinesSection,
        closure.ClosureSection,
        attachments.AttachmentsSection,
        history.HistorySection,
    ]


class FindingEditor(QMainWindow):
    def __init__(
        self,
        register: Register,
        ref: str | None,
        today: dt.date,
        *,
        on_changes: Callable[[Changes[Any]], None] | None = None,
        parent: QWidget | None = None,
        sections: Sequence[type[Section]] | None = None,
        template: FindingTemplate | None = None,
        start_workshop: Callable[[str], None] | None = None,
        after_record: Callable[[SaveContext], None] | None = None,
        raise_parked: Callable[[str, ParkedView], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.register = register
        self.ref = ref
        self.today = today
        self.on_changes = on_changes or (lambda _c: None)
        self.detail: FindingDetail | None = None
        self.saving: tasks.Task[Saved | Refused] | None = None
        self.marked: QWidget | None = None
        self.context = EditorContext(register, today, PeopleList(list_people(register)))
        self.context.template = template
        self.context.start_workshop = start_workshop
        self.context.raise_parked = raise_parked
        # Run in the transaction that records a new finding (a parked workshop issue is
        # marked as raised by it), once.
        self.after_record = after_record

        self.step_bar = StepBar(self)
        self.lock_note = QLabel(self)
        self.lock_note.setObjectName("lockNote")
        self.lock_note.setAccessibleName("Why this finding cannot be changed")
        self.lock_note.setWordWrap(True)
        self.lock_note.setStyleSheet(
            "#lockNote { background: #fff4ce; color: #3d3000; padding: 6px; }"
        )
        self.lock_note.hide()
        self.nav = QListWidget(self)
        self.nav.setAccessibleName("Sections")
        self.nav.setMaximumWidth(230)
        self.pages = QStackedWidget(self)
        self.sections: list[Section] = []
        for number, cls in enumerate(sections or section_classes(), start=1):
            section = cls(self.context)
            self.sections.append(section)
            scroll = QScrollArea(self)
            scroll.setWidgetResizable(True)
            scroll.setWidget(section)
            self.pages.addWidget(scroll)
            item = QListWidgetItem(f"{number}  {section.title}")
            item.setToolTip(f"Ctrl+{number}")
            self.nav.addItem(item)
            section.edited.connect(self._edited)
            if number <= 9:
                jump = QAction(section.title, self)
                jump.setShortcut(QKeySequence(f"Ctrl+{number}"))
                jump.triggered.connect(lambda _c=False, n=number - 1: self.show_section(n))
                self.addAction(jump)
        self.nav.currentRowChanged.connect(self.pages.setCurrentIndex)

        self.message = QLabel(self)
        self.message.setObjectName("editorMessage")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Message")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(self)
        self.save_button = QPushButton("&Save", self)
        self.save_button.setAccessibleName("Save")
        self.save_button.setToolTip("Save every change in this window (Ctrl+S)")
        self.cancel_button = QPushButton("Close", self)
        self.cancel_button.setAccessibleName("Close")
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(lambda _checked=False: self.save())
        self.cancel_button.clicked.connect(self.close)
        self.step_bar.move_button.clicked.connect(self._move)
        save = QAction("Save", self)
        save.setShortcut(QKeySequence.StandardKey.Save)
        save.triggered.connect(lambda _checked=False: self.save())
        close = QAction("Close", self)
        close.setShortcuts(
            [
                QKeySequence(Qt.Key.Key_Escape),
                QKeySequence("Ctrl+W"),
                QKeySequence(QKeySequence.StandardKey.Close),
            ]
        )
        close.triggered.connect(self.close)
        self.addActions([save, close])

        body = QHBoxLayout()
        body.addWidget(self.nav)
        body.addWidget(self.pages, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.buttons)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.addWidget(self.step_bar)
        layout.addWidget(self.lock_note)
        layout.addLayout(body, 1)
        layout.addLayout(bottom)
        self.setCentralWidget(central)
        self.resize(1100, 760)
        QWidget.setTabOrder(self.step_bar.move_button, self.nav)
        QWidget.setTabOrder(self.nav, self.pages)
        self.reload()
        self.show_section(0)

    # --- Showing ---------------------------------------------------------------------

    def reload(self, detail: FindingDetail | None = None) -> None:
        """Show the finding as saved now (``detail``, or read again); unsaved edits are
        dropped (the caller asked)."""
        if detail is None and self.ref:
            detail = finding_detail(self.register, self.ref, self.today)
        self.detail = detail
        self.context.people.reset(list_people(self.register))
        for index, section in enumerate(self.sections):
            section.detail = self.detail
            section.load(self.detail)
            enabled = self.detail is not None or not section.needs_record
            item = self.nav.item(index)
            flags = item.flags()
            if enabled:
                item.setFlags(flags | Qt.ItemFlag.ItemIsEnabled)
            else:
                item.setFlags(flags & ~Qt.ItemFlag.ItemIsEnabled)
        self._unmark()
        self.step_bar.show_state(self.detail)
        self._lock()
        self._title()

    # What stays open on a finding that is closed or void: reading and opening its files,
    # its history, and (closed) reopening it, which is where a change to it starts.
    OPEN_WHEN_SETTLED = frozenset({"closure", "attachments", "history"})

    def _lock(self) -> None:
        """A read-only register is shown but not saved; a closed or void finding is shown
        as settled: the auditor was told it is closed, so it changes only once reopened."""
        reason = None
        settled = self.detail is not None and self.detail.stage in (Stage.CLOSED, Stage.VOID)
        if self.register.read_only:
            reason = "This register is open read-only: you can read this finding, not change it."
        elif self.detail is not None and self.detail.stage is Stage.CLOSED:
            reason = (
                f"{self.detail.ref} is closed. To change it, reopen it with a reason in "
                "ISMS update and closure (Ctrl+7)."
            )
        elif self.detail is not None and self.detail.stage is Stage.VOID:
            reason = f"{self.detail.ref} is void: its record is kept as it was."
        for section in self.sections:
            section.setEnabled(
                not settled or self.register.read_only or section.key in self.OPEN_WHEN_SETTLED
            )
        self.save_button.setEnabled(not self.register.read_only)
        if self.register.read_only:
            self.step_bar.move_button.hide()
        self.lock_note.setVisible(reason is not None)
        self.lock_note.setText(reason or "")

    def show_section(self, index: int) -> None:
        item = self.nav.item(index)
        if item is None or not item.flags() & Qt.ItemFlag.ItemIsEnabled:
            self.message.setText("Save the finding first: the other sections need its reference.")
            return
        self.nav.setCurrentRow(index)
        self.pages.setCurrentIndex(index)
        first = _first_input(self.sections[index])
        if first is not None:
            first.setFocus(Qt.FocusReason.TabFocusReason)

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def show_key(self, key: str) -> None:
        self.show_section(self.sections.index(self.section(key)))

    def shows_changed(self, changes: Changes[Any]) -> bool:
        """Whether ``changes`` (made in another window) touch the finding shown here."""
        if self.detail is None:
            return False
        # A parked issue raised as a finding changes what this one's workshops list shows.
        raised = bool(self.detail.workshops) and changes.touches("parked_issues")
        return raised or self.detail.finding_id in changes.findings

    def is_dirty(self) -> bool:
        return any(s.is_dirty() for s in self.sections)

    def _title(self) -> None:
        mark = "*" if self.is_dirty() else ""
        if self.detail is None:
            self.setWindowTitle(f"{mark}New finding \u2014 carapp")
        else:
            self.setWindowTitle(f"{mark}{self.detail.ref} {self.detail.title} \u2014 carapp")

    def _edited(self) -> None:
        # The input marked as refused is being put right: its mark goes with the old value.
        if self.marked is not None and self.marked.hasFocus():
            self._unmark()
        self._title()
        self.step_bar.show_state(self.detail, unsaved=self.is_dirty())

    # --- Saving ----------------------------------------------------------------------

    def pending(self) -> list[Edit]:
        """Every section's edits, in section order; raises FieldProblem at the first input
        that is not a value (and shows that section)."""
        out: list[Edit] = []
        for section in self.sections:
            try:
                out.extend(section.edits())
            except FieldProblem:
                self.show_key(section.key)
                raise
        return out

    def save(self, move_to: Stage | None = None, then: Callable[[], None] | None = None) -> bool:
        """Start saving; returns False when nothing could be started (a field is not a
        value, or a save is under way). ``then`` runs after a successful save."""
        if self.saving is not None and not self.saving.ended:
            return False
        if self.register.read_only:
            self.message.setText(
                "This register is open read-only: nothing can be saved. Open a copy you may "
                "write to, or ask for write access."
            )
            return False
        self._unmark()
        try:
            edits = self.pending()
        except FieldProblem as problem:
            self._mark(problem.widget, problem.message)
            return False
        if not edits and move_to is None:
            self.message.setText("Nothing to save: nothing was changed.")
            if then:
                then()
            return True
        detail = self.detail
        context = SaveContext(self.register, self.ref, self.today)
        after_record = self.after_record if detail is None else None

        def work(_cancel: tasks.Cancel) -> Saved | Refused:
            current: Edit | None = None
            try:
                with self.register.transaction() as session:
                    if detail is not None:
                        op.confirm_unchanged(
                            self.register,
                            detail.ref,
                            detail.version,
                            root_causes={c.id: c.version for c in detail.current_root_causes},
                            actions={a.ref: a.version for a in detail.current_actions},
                            reviews={r.id: r.version for r in detail.current_reviews},
                        )
                    for edit in edits:
                        current = edit
                        edit.apply(context)
                    current = None
                    if after_record is not None:
                        after_record(context)
                    if move_to is Stage.CLOSED:
                        op.close(self.register, context.finding, self.today)
                    elif move_to is not None:
                        op.move(self.register, context.finding, move_to)
                    session.flush()
                changes = changes_of(session, context.finding)
            except CarappError as exc:
                return Refused(exc, current)
            # Read here too, so that the GUI thread only shows it.
            saved = finding_detail(self.register, context.finding, self.today)
            return Saved(context.finding, changes, saved)

        self.save_button.setEnabled(False)
        self.message.setText("Saving\u2026")
        self.saving = tasks.run(
            work,
            lambda outcome: self._saved(outcome, move_to, then),
            self._failed,
        )
        return True

    def _saved(
        self, outcome: Saved | Refused, move_to: Stage | None, then: Callable[[], None] | None
    ) -> None:
        self.save_button.setEnabled(True)
        if isinstance(outcome, Refused):
            self._refused(outcome, move_to)
            return
        self.ref = outcome.ref
        self.after_record = None
        # The register window first: the table and detail pane show the change while
        # this window fills in again.
        self.on_changes(outcome.changes)
        self.reload(outcome.detail)
        self.message.setText(f"{outcome.ref} saved.")
        if then:
            then()

    def _failed(self, sentence: str) -> None:
        self.save_button.setEnabled(True)
        self.message.setText(sentence)

    def _refused(self, outcome: Refused, move_to: Stage | None) -> None:
        error = outcome.error
        if isinstance(error, StaleEditError):
            self.message.setText(str(error))
            # open(), not exec(): no nested event loop runs while the question waits, so a
            # late save result or a timer cannot re-enter this window underneath it.
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                "Changed by someone else",
                f"{error}\n\nReload shows their change and drops what you typed here; Keep "
                "editing leaves this window as it is, so you can copy what you typed first.",
                parent=self,
            )
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            reload = box.addButton("&Reload", QMessageBox.ButtonRole.DestructiveRole)
            keep = box.addButton("&Keep editing", QMessageBox.ButtonRole.RejectRole)
            box.setDefaultButton(keep)

            def answered() -> None:
                if box.clickedButton() is reload:
                    self.reload()
                    self.message.setText("Reloaded: this is the finding as saved now.")

            box.finished.connect(answered)
            box.open()
            return
        if isinstance(error, WorkflowRefused) and outcome.edit is None and move_to is not None:
            self.step_bar.show_refusal(str(error), list(error.missing))
            self.message.setText(f"Nothing was saved: {error}")
            return
        if outcome.edit is not None and outcome.edit.widget is not None:
            self._mark(outcome.edit.widget, f"Nothing was saved: {error}")
        else:
            self.message.setText(f"Nothing was saved: {error}")

    def _move(self) -> None:
        if self.step_bar.next_stage is not None:
            self.save(move_to=self.step_bar.next_stage)

    def _mark(self, widget: QWidget, message: str) -> None:
        for index, section in enumerate(self.sections):
            if section.isAncestorOf(widget):
                self.nav.setCurrentRow(index)
        widget.setStyleSheet(PROBLEM_STYLE)
        widget.setToolTip(message)
        widget.setFocus()
        self.marked = widget
        self.message.setText(message)

    def _unmark(self) -> None:
        if self.marked is not None:
            self.marked.setStyleSheet("")
            self.marked.setToolTip("")
            self.marked = None

    # --- Closing ---------------------------------------------------------------------

    def discard(self) -> None:
        """Drop every unsaved change and close, without asking."""
        for section in self.sections:
            section.load(self.detail)
        self.close()

    def _close_quietly(self) -> None:
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.saving is not None and not self.saving.ended:
            self.message.setText("Saving\u2026 the window closes when the save has ended.")
            event.ignore()
            return
        if not self.is_dirty():
            event.accept()
            return
        name = self.detail.ref if self.detail else "the new finding"
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            f"Save your changes to {name} before closing?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Discard:
            event.accept()
        elif answer == QMessageBox.StandardButton.Save:
            event.ignore()
            self.save(then=self._close_quietly)
        else:
            event.ignore()
