"""The one way the GUI runs work off its thread (Anki's ``QueryOp``/``CollectionOp``).

A work function runs on a worker thread and takes a :class:`Cancel` it may poll; its result
comes back to the GUI thread by signal. Every failure comes back too, as one sentence: a
:class:`CarappError` as its own sentence, a bug as a sentence naming the crash log that holds
its traceback (as the command line does). :func:`run_with_progress` adds a modal progress
dialog with a Cancel button that every ending closes, so no failure leaves it open.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QEventLoop, QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget
from shiboken6 import isValid

from carapp.errors import CarappError
from carapp.files import write_crash_log

T = TypeVar("T")


class Cancel:
    """Set from the GUI thread when the user cancels; the work polls it."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Stop the work here if it was cancelled."""
        if self._event.is_set():
            raise Cancelled


class Cancelled(Exception):
    """Raised by work that stops because the user cancelled it; not a failure."""


def failure_sentence(exc: BaseException) -> str:
    """What the user reads when work fails; called inside the ``except`` that caught it."""
    if isinstance(exc, CarappError):
        return str(exc)
    log = write_crash_log()
    return (
        f"carapp: internal error ({type(exc).__name__}: {exc}); details were written to "
        f"{log}. Nothing already saved was changed."
    )


class _Relay(QObject):
    # Lives on the GUI thread, so signals emitted from the worker are queued to it.
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()


class _Job(QRunnable):
    def __init__(self, work: Callable[[], None]) -> None:
        super().__init__()
        self._work = work

    def run(self) -> None:
        self._work()


@dataclass(eq=False)
class Task(Generic[T]):
    """One piece of work under way: cancel it, or ask whether it has ended."""

    cancel: Cancel
    relay: _Relay
    ended: bool = False

    def request_cancel(self) -> None:
        self.cancel.set()


def run(
    work: Callable[[Cancel], T],
    on_success: Callable[[T], None],
    on_failure: Callable[[str], None],
    *,
    on_cancelled: Callable[[], None] | None = None,
    pool: QThreadPool | None = None,
    owner: QObject | None = None,
) -> Task[T]:
    """Run ``work`` on ``pool`` (the global pool by default); exactly one of the callbacks
    is then called on the GUI thread, unless ``owner`` (the window that asked) has been
    closed and deleted by then: there is nothing left to show the answer in."""
    cancel = Cancel()
    relay = _Relay()
    task: Task[T] = Task(cancel, relay)

    def ended(callback: Callable[..., None]) -> Callable[..., None]:
        def call(*args: Any) -> None:
            task.ended = True
            relay.deleteLater()
            if owner is not None and not isValid(owner):
                return
            callback(*args)

        return call

    relay.succeeded.connect(ended(on_success))
    relay.failed.connect(ended(on_failure))
    relay.cancelled.connect(ended(on_cancelled or (lambda: None)))

    def tell(signal: Any, *args: Any) -> None:
        if isValid(relay):  # gone only when the application quit while the work ran
            signal.emit(*args)

    def job() -> None:
        try:
            result = work(cancel)
        except Cancelled:
            tell(relay.cancelled)
            return
        except Exception as exc:  # noqa: BLE001 - every failure is told, bugs with a log
            tell(relay.failed, failure_sentence(exc))
            return
        tell(relay.succeeded, result)

    (pool or QThreadPool.globalInstance()).start(_Job(job))
    return task


@dataclass
class Outcome(Generic[T]):
    """How work run with a progress dialog ended: its result, or why there is none."""

    result: T | None = None
    error: str | None = None
    cancelled: bool = False


def run_with_progress(
    parent: QWidget | None,
    title: str,
    label: str,
    work: Callable[[Cancel], T],
    *,
    failure_title: str,
) -> Outcome[T]:
    """Run ``work`` behind a modal progress dialog with a Cancel button and wait for it.

    However the work ends, the dialog closes; a failure is shown in a message box.
    """
    progress = QProgressDialog(label, "Cancel", 0, 0, parent)
    progress.setWindowTitle(title)
    progress.setWindowModality(Qt.WindowModality.ApplicationModal)
    progress.setMinimumDuration(0)
    progress.setAutoClose(False)
    progress.setAutoReset(False)
    outcome: Outcome[T] = Outcome()
    # Waits for work that goes on after the dialog was closed some other way; quit by the
    # callbacks themselves, so an ending that arrives before it runs is not missed.
    wait = QEventLoop()

    def end() -> None:
        progress.done(0)
        wait.quit()

    def succeeded(result: T) -> None:
        outcome.result = result
        end()

    def failed(message: str) -> None:
        outcome.error = message
        end()

    def cancelled() -> None:
        outcome.cancelled = True
        end()

    task = run(work, succeeded, failed, on_cancelled=cancelled)
    # Cancel asks the work to stop; the dialog stays until the work says it has.
    progress.canceled.disconnect()
    progress.canceled.connect(task.request_cancel)
    progress.canceled.connect(lambda: progress.setLabelText("Cancelling\u2026"))
    if not task.ended:
        progress.exec()
    if not task.ended:
        # Closed some other way (Escape, the window's close button): that is a cancel too,
        # and the caller only goes on once the work has stopped.
        task.request_cancel()
        wait.exec()
    progress.deleteLater()
    if outcome.error is not None:
        QMessageBox.warning(parent, failure_title, outcome.error)
    return outcome
