"""Starting a workshop, and offering back the ones a crash left unfinished.

A workshop opens on a finding from the editor's Root cause section or the register's Finding
menu. When that finding has an unfinished workshop on disk, the user chooses to go on with
it or start again (which discards it, after asking). When a register opens, every
unfinished workshop is listed in a banner above the table: Restore opens it exactly as it
was kept, Discard drops it after asking. Nothing here blocks the GUI thread: drafts are read
and dropped on a worker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from carapp import operations as op
from carapp.models.words import day_text
from carapp.models.workshop import WorkshopDraft
from carapp.operations.changes import Changes
from carapp.queries.workshops import (
    SavedDraft,
    saved_draft,
    start_workshop,
    unfinished_workshops,
)
from carapp.store import Register
from carapp.ui import tasks
from carapp.ui.workshop.window import WorkshopWindow

OnChanges = Callable[[Changes[Any]], None]
_open: dict[tuple[int, str], WorkshopWindow] = {}  # one window per register and finding


def kept_when(saved: SavedDraft) -> str:
    """'2 Dec 2026 at 04:12 UTC by priya', from the draft's UTC stamp."""
    stamp = saved.saved_at
    try:
        when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return f"{stamp} by {saved.author}"
    return f"{day_text(when.date())} at {when:%H:%M} UTC by {saved.author}"


def show_workshop(
    register: Register,
    draft: WorkshopDraft,
    today: dt.date,
    on_changes: OnChanges,
    on_closed: Callable[[], None] | None = None,
) -> WorkshopWindow:
    """The workshop window for ``draft``, raised if one is open on that finding already.
    ``on_closed`` runs once it has closed (its draft kept, discarded or recorded)."""
    key = (id(register), draft.ref)
    window = _open.get(key)
    if window is None:
        window = WorkshopWindow(register, draft, today, on_changes=on_changes)
        _open[key] = window

        def closed(_o: object = None, k: tuple[int, str] = key) -> None:
            _open.pop(k, None)
            if on_closed is not None:
                on_closed()

        window.destroyed.connect(closed)
    window.show()
    window.raise_()
    window.activateWindow()
    return window


def open_workshop(
    parent: QWidget,
    register: Register,
    ref: str,
    today: dt.date,
    on_changes: OnChanges,
    say: Callable[[str], None],
    on_closed: Callable[[], None] | None = None,
) -> None:
    """Open a workshop on ``ref``: the one already open, the unfinished one kept on disk
    (asking whether to go on with it), or a new one."""
    if register.read_only:
        say("This register is open read-only: a workshop's analysis could not be saved here.")
        return
    already = _open.get((id(register), ref))
    if already is not None:
        show_workshop(register, already.draft, today, on_changes, on_closed)
        return

    def read(_cancel: tasks.Cancel) -> tuple[SavedDraft | None, WorkshopDraft]:
        return saved_draft(register, ref), start_workshop(register, ref, today)

    def opened(found: tuple[SavedDraft | None, WorkshopDraft]) -> None:
        kept, fresh = found
        if kept is None or kept.draft is None:
            show_workshop(register, fresh, today, on_changes, on_closed)
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Unfinished workshop",
            f"{ref} has an unfinished workshop, kept {kept_when(kept)}. Go on with it, or "
            "start again (the unfinished one is then discarded)?",
            parent=parent,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        go_on = box.addButton("&Go on with it", QMessageBox.ButtonRole.AcceptRole)
        again = box.addButton("&Start again", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(go_on)

        def answered() -> None:
            if box.clickedButton() is go_on and kept.draft is not None:
                show_workshop(register, kept.draft, today, on_changes, on_closed)
            elif box.clickedButton() is again:

                def start_again(_done: bool) -> None:
                    show_workshop(register, fresh, today, on_changes, on_closed)

                tasks.run(lambda _c: op.discard_draft(register, ref), start_again, say)

        box.finished.connect(answered)
        box.open()

    say(f"Opening a workshop on {ref}\u2026")
    tasks.run(read, opened, say)


class UnfinishedBanner(QFrame):
    """Above the register's table: each unfinished workshop, to restore or discard."""

    changed = Signal()  # the list was read again

    def __init__(
        self,
        today: Callable[[], dt.date],
        on_changes: OnChanges,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("unfinishedWorkshops")
        self.setAccessibleName("Unfinished workshops")
        self.setStyleSheet(
            "#unfinishedWorkshops { background: #e8f0fe; border: 1px solid #4a6fb5; }"
            "#unfinishedWorkshops QLabel { color: #102a5c; }"
        )
        self.today = today
        self.on_changes = on_changes
        self.register: Register | None = None
        self.drafts: list[SavedDraft] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        self.rows = QVBoxLayout()
        layout.addLayout(self.rows)
        self.message = QLabel(self)
        self.message.setAccessibleName("Unfinished workshops message")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        self.hide()

    def look(self, register: Register) -> None:
        """Read the register's unfinished workshops (off the GUI thread) and list them."""
        self.register = register
        if register.read_only:
            self.show_drafts([])
            return
        tasks.run(
            lambda _c: unfinished_workshops(register),
            lambda drafts: self.show_drafts(drafts) if self.register is register else None,
            lambda _sentence: self.show_drafts([]),
            owner=self,
        )

    def show_drafts(self, drafts: list[SavedDraft]) -> None:
        self.drafts = drafts
        while self.rows.count():
            item = self.rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for saved in drafts:
            row = self._row(saved)
            self.rows.addWidget(row)
            # Shown now: a layout shows a new child of a visible widget only on a later
            # event, and until then a screen reader (or a test) finds no row.
            row.show()
        self.setVisible(bool(drafts))
        self.changed.emit()

    def _row(self, saved: SavedDraft) -> QWidget:
        row = QWidget(self)
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        if saved.draft is None:
            text = (
                f"An unfinished workshop on {saved.ref}, kept {kept_when(saved)}, cannot be "
                f"read by this carapp: {saved.problem}"
            )
        else:
            whys = len(saved.draft.answered())
            text = (
                f"Unfinished workshop on <b>{saved.ref}</b> {saved.draft.facts.title}: "
                f"{whys} why{'s' if whys != 1 else ''} so far, kept {kept_when(saved)}."
            )
        label = QLabel(text, row)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText if saved.draft else Qt.TextFormat.PlainText)
        label.setAccessibleName(f"Unfinished workshop on {saved.ref}")
        line.addWidget(label, 1)
        if saved.draft is not None:
            restore = QPushButton("Restore", row)
            restore.setAccessibleName(f"Restore the workshop on {saved.ref}")
            restore.clicked.connect(lambda _c=False, s=saved: self.restore(s))
            line.addWidget(restore)
        discard = QPushButton("Discard\u2026", row)
        discard.setAccessibleName(f"Discard the workshop on {saved.ref}")
        discard.clicked.connect(lambda _c=False, s=saved: self.ask_discard(s))
        line.addWidget(discard)
        return row

    def _failed(self, sentence: str) -> None:
        self.message.setText(f"The workshop could not be discarded: {sentence}")
        self.message.show()

    def restore(self, saved: SavedDraft) -> None:
        if self.register is None or saved.draft is None:
            return
        register = self.register
        show_workshop(
            register,
            saved.draft,
            self.today(),
            self.on_changes,
            lambda: self.look(register) if isValid(self) else None,
        )
        self.show_drafts([d for d in self.drafts if d.ref != saved.ref])

    def ask_discard(self, saved: SavedDraft) -> None:
        register = self.register
        if register is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Discard the workshop",
            f"Discard the unfinished workshop on {saved.ref}, kept {kept_when(saved)}? "
            "What the team typed in it is then gone; the finding's record is not changed.",
            parent=self,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        discard = box.addButton("&Discard it", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)

        def answered() -> None:
            if box.clickedButton() is discard:
                tasks.run(
                    lambda _c: op.discard_draft(register, saved.ref),
                    lambda _done: self.look(register),
                    self._failed,
                    owner=self,
                )

        box.finished.connect(answered)
        box.open()
