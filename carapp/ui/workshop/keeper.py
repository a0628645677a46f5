"""Keeping a workshop draft on disk as the team types, without ever making them wait.

Each edit restarts a short timer; when typing pauses (or at the latest every ``LONGEST``)
the draft is turned into JSON on the GUI thread (a small, bounded piece of work: a copy, so
the writer never reads a draft that is changing) and written by one worker thread of its
own. Writes never overlap, and a newer snapshot replaces one still waiting, so a slow disk
costs freshness, never typing speed. What was typed is on disk within a second of the last
keystroke.

A write that fails (a locked register, a full disk) is said in one sentence and tried
again: nothing typed is dropped while the window is open, and the last written draft stays
whole on disk (SQLite commits it whole or not at all).
"""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from carapp import operations as op
from carapp.account import actor
from carapp.models.workshop import WorkshopDraft
from carapp.store import Register
from carapp.ui import tasks

QUIET_MS = 250  # a pause this long in typing writes the draft
LONGEST_MS = 800  # continuous typing still writes this often
RETRY_MS = 3000


class DraftKeeper(QObject):
    """Writes one workshop's draft whenever it changes; says how the last write went."""

    saved = Signal(str)  # the time of day it was written
    failed = Signal(str)  # a sentence: what went wrong and that it will be tried again

    def __init__(self, register: Register, draft: WorkshopDraft, parent: QObject) -> None:
        super().__init__(parent)
        self.register = register
        self.draft = draft
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._lock = threading.Lock()
        self._waiting: str | None = None  # the newest snapshot not yet written
        self._written: str | None = None  # the last snapshot written
        self._first_unsaved: float | None = None
        self.enabled = not register.read_only
        self.quiet = QTimer(self)
        self.quiet.setSingleShot(True)
        self.quiet.setInterval(QUIET_MS)
        self.quiet.timeout.connect(self.write_now)
        self.retry = QTimer(self)
        self.retry.setSingleShot(True)
        self.retry.setInterval(RETRY_MS)
        self.retry.timeout.connect(self.write_now)
        self.longest_snapshot_ms = 0.0  # for the bench: the GUI thread's share of a save

    def changed(self) -> None:
        """The draft was edited: write it soon."""
        if not self.enabled:
            return
        now = time.monotonic()
        if self._first_unsaved is None:
            self._first_unsaved = now
        if (now - self._first_unsaved) * 1000 >= LONGEST_MS:
            self.write_now()
        else:
            self.quiet.start()

    def write_now(self) -> None:
        """Snapshot the draft and hand it to the writer."""
        if not self.enabled:
            return
        self.quiet.stop()
        started = time.perf_counter()
        body = self.draft.to_json()
        self.longest_snapshot_ms = max(
            self.longest_snapshot_ms, (time.perf_counter() - started) * 1000
        )
        self._first_unsaved = None
        if body == self._written:
            return
        with self._lock:
            already_queued = self._waiting is not None
            self._waiting = body
        if not already_queued:
            tasks.run(self._write, self._done, self._failed, pool=self.pool, owner=self)

    def _write(self, _cancel: tasks.Cancel) -> str:
        with self._lock:
            body, self._waiting = self._waiting, None
        if body is None:
            return ""
        op.save_draft(self.register, self.draft.ref, body, actor())
        self._written = body
        return time.strftime("%H:%M:%S")

    def _done(self, at: str) -> None:
        if at:
            self.saved.emit(at)

    def _failed(self, sentence: str) -> None:
        self.failed.emit(
            f"The draft could not be kept on disk ({sentence.rstrip('.')}); carapp tries "
            "again in a few seconds. Keep this window open."
        )
        self.retry.start()

    def finish(self, timeout_ms: int = 5000) -> bool:
        """Write what is waiting and wait for the writer; whether everything typed is on
        disk (for closing the window)."""
        if self.enabled:
            self.write_now()
        done = self.pool.waitForDone(timeout_ms)
        return done and (not self.enabled or self._written == self.draft.to_json())

    def discard(self) -> None:
        """Stop keeping the draft (it was saved as record, or the user discarded it)."""
        self.enabled = False
        self.quiet.stop()
        self.retry.stop()
        self.pool.waitForDone(5000)
