"""The five-whys wizard and its workshop mode: one window per workshop.

The wizard is a tuple of pages over one draft. Each page checks itself before the room
moves on, and nothing becomes record until the last page saves the whole analysis in one
transaction. Until then the draft is kept on disk as the team types (:mod:`keeper`), so a
crash, a kill or a power cut loses nothing, and opening the register offers it back.

Workshop mode is the same window made for a projector: full screen, at least 24 pt type
(zoomed with Ctrl+= and Ctrl+-), high contrast, with the timebox timer, the attendees and
the parking lot always in view. Everything is reachable from the keyboard; F1 lists how.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QFont, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from carapp import operations as op
from carapp.account import actor
from carapp.errors import CarappError
from carapp.models.workshop import ParkedIssue, WorkshopDraft
from carapp.operations.changes import Changes
from carapp.queries import list_people
from carapp.queries.pickers import other_root_causes
from carapp.store import Register
from carapp.ui import tasks
from carapp.ui.editor.fields import PeopleList
from carapp.ui.workshop.keeper import DraftKeeper
from carapp.ui.workshop.page import WizardContext, WorkshopPage

WORKSHOP_POINTS = 24  # the smallest type on a projector at 1920x1080, before zooming
ZOOM_STEPS = (0.75, 0.85, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0)

# High contrast for a projector in a lit room: black on white, thick borders on inputs and
# a focus ring that can be seen from the back row.
WORKSHOP_STYLE = """
QWidget#workshopWindow, QWidget#workshopWindow QWidget { background: #ffffff; color: #000000; }
QLineEdit, QPlainTextEdit, QComboBox, QListWidget {
    border: 2px solid #000000; padding: 4px; background: #ffffff; color: #000000;
}
QLineEdit:focus, QPlainTextEdit:focus, QComboBox:focus, QListWidget:focus,
QPushButton:focus, QCheckBox:focus { border: 4px solid #0047ab; }
QPushButton { border: 2px solid #000000; padding: 6px 14px; background: #f0f0f0; }
QLabel#weakPrompt { background: #fff1b8; color: #000000; border-left: 8px solid #b35c00; }
QLabel#pageProblems { color: #a00000; font-weight: bold; }
"""

SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("Enter", "Add the next why (in a why's answer)"),
    ("Tab / Shift+Tab", "Answer \u2192 evidence \u2192 checked, and back"),
    ("Ctrl+B", "Start a branch: a second answer to this why"),
    ("Ctrl+Up / Ctrl+Down", "Move this why up or down"),
    ("Ctrl+Delete", "Remove this why"),
    ("Ctrl+K", "Park a side issue"),
    ("Ctrl+T", "Pause or restart the timer"),
    ("Alt+Right / Alt+Left", "Next page / previous page"),
    ("Ctrl+Enter", "Next page (on the last page: save the analysis)"),
    ("Ctrl+= / Ctrl+- / Ctrl+0", "Larger / smaller / usual type"),
    ("F11", "Workshop mode on or off"),
    ("Esc", "Leave workshop mode"),
    ("Ctrl+W", "Close (asks whether to keep the draft)"),
    ("F1", "This list"),
)


def page_classes() -> list[type[WorkshopPage]]:
    """The wizard's pages, in order (each lives in its own module)."""
    from carapp.ui.workshop import actions, chain, fixcheck, problem, root, summary

    return [
        problem.ProblemPage,
        chain.ChainPage,
        root.RootCausePage,
        fixcheck.FixCheckPage,
        actions.ActionsPage,
        summary.SummaryPage,
    ]


def load_extras(register: Register, ref: str, today: dt.date) -> dict[str, object]:
    """What the pages need from the register besides the draft, read off the GUI thread
    when the window opens."""
    from carapp.queries.similar import similar_findings

    return {
        "similar": similar_findings(register, ref),
        "causes": other_root_causes(register, ref, limit=200),
    }


class _Line(QLabel):
    """A line of text that takes no room while it has nothing to say."""

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setVisible(bool(text))

    def clear(self) -> None:
        self.setText("")


def _heading(text: str, parent: QWidget) -> QLabel:
    label = QLabel(f"<b>{text}</b>", parent)
    label.setAccessibleName(text)
    return label


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60:02d}:{whole % 60:02d}"


class WorkshopWindow(QWidget):
    def __init__(
        self,
        register: Register,
        draft: WorkshopDraft,
        today: dt.date,
        *,
        on_changes: Callable[[Changes[Any]], None] | None = None,
        pages: list[type[WorkshopPage]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("workshopWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.register = register
        self.draft = draft
        self.today = today
        self.on_changes = on_changes or (lambda _c: None)
        self.saved: op.TeamAnalysis | None = None
        self._asked = False  # closing was already decided: do not ask again
        self._touched = False  # the room has changed something in this window
        self._before_parking: QWidget | None = None  # where Ctrl+K came from
        self.saving: tasks.Task[Any] | None = None
        self.zoom = ZOOM_STEPS.index(1.0)
        self.workshop_mode = False
        self.base_font = QFont(QApplication.font())
        self.context = WizardContext(
            register,
            today,
            PeopleList(list_people(register)),
            read_only=register.read_only,
            say=self.say,
        )
        self.keeper = DraftKeeper(register, draft, self)
        self.keeper.saved.connect(self._draft_kept)
        self.keeper.failed.connect(self._draft_failed)

        # --- Header: which finding, where in the wizard -------------------------------
        self.heading = QLabel(self)
        self.heading.setAccessibleName("Workshop on")
        self.heading.setWordWrap(True)
        self.steps = QLabel(self)
        self.steps.setAccessibleName("Wizard pages")
        self.steps.setTextFormat(Qt.TextFormat.RichText)
        self.page_hint = QLabel(self)
        self.page_hint.setAccessibleName("What to do on this page")
        self.page_hint.setWordWrap(True)

        # --- Pages --------------------------------------------------------------------
        self.stack = QStackedWidget(self)
        self.pages: list[WorkshopPage] = []
        for cls in pages or page_classes():
            page = cls(self.context)
            self.pages.append(page)
            scroll = QScrollArea(self)
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setWidget(page)
            self.stack.addWidget(scroll)
            page.edited.connect(self._edited)

        # --- Side panel: timer, attendees, parking lot --------------------------------
        self.timer_label = QLabel(self)
        self.timer_label.setAccessibleName("Time taken")
        self.pause_button = QPushButton("Pause timer", self)
        self.pause_button.setAccessibleName("Pause timer")
        self.pause_button.setToolTip("Ctrl+T")
        self.pause_button.clicked.connect(self.toggle_timer)
        self.attendee_list = QLabel(self)
        self.attendee_list.setAccessibleName("Attendees")
        self.attendee_list.setWordWrap(True)
        self.parking_list = QListWidget(self)
        self.parking_list.setAccessibleName("Parking lot")
        self.parking_list.setWordWrap(True)
        self.parking_input = QLineEdit(self)
        self.parking_input.setAccessibleName("Park an issue")
        self.parking_input.setPlaceholderText("Park a side issue (Ctrl+K)")
        self.parking_input.returnPressed.connect(self._park)
        self.side = QWidget(self)
        side = QVBoxLayout(self.side)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(_heading("Timebox", self))
        side.addWidget(self.timer_label)
        side.addWidget(self.pause_button)
        side.addWidget(_heading("In the room", self))
        side.addWidget(self.attendee_list)
        side.addWidget(_heading("Parking lot", self))
        side.addWidget(self.parking_list, 1)
        side.addWidget(self.parking_input)

        # --- Footer -------------------------------------------------------------------
        self.problems_label = _Line(self)
        self.problems_label.setObjectName("pageProblems")
        # Told apart from the message line by colour and weight, in either mode.
        self.problems_label.setStyleSheet("color: #a00000; font-weight: bold;")
        self.problems_label.setAccessibleName("What is missing on this page")
        self.problems_label.setWordWrap(True)
        self.message = _Line(self)
        self.message.setAccessibleName("Message")
        self.message.setWordWrap(True)
        self.draft_status = QLabel(self)
        self.draft_status.setAccessibleName("Draft")
        self.back_button = QPushButton("\u2190 &Back", self)
        self.back_button.setAccessibleName("Back")
        self.back_button.clicked.connect(self.back)
        self.next_button = QPushButton("&Next \u2192", self)
        self.next_button.setAccessibleName("Next")
        self.next_button.clicked.connect(self.next)
        self.mode_button = QPushButton("&Workshop mode", self)
        self.mode_button.setAccessibleName("Workshop mode")
        self.mode_button.setToolTip("Full screen for a projector (F11)")
        self.mode_button.clicked.connect(self.toggle_workshop_mode)
        self.close_button = QPushButton("Close", self)
        self.close_button.setAccessibleName("Close")
        self.close_button.clicked.connect(self.close)

        top = QVBoxLayout()
        top.addWidget(self.heading)
        top.addWidget(self.steps)
        top.addWidget(self.page_hint)
        body = QHBoxLayout()
        # The room reads the page; the side panel only needs a name or an issue per line.
        body.addWidget(self.stack, 5)
        body.addWidget(self.side, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.draft_status, 1)
        buttons.addWidget(self.mode_button)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        layout.addWidget(self.problems_label)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.problems_label.clear()
        self.message.clear()

        self._shortcuts()
        # Enter presses the focused button, as Space does: the room works by keyboard.
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(True)
        self.ticker = QTimer(self)
        self.ticker.setInterval(1000)
        self.ticker.timeout.connect(self._tick)
        self._running_since: float | None = None
        self._since_kept = 0.0
        self.resize(1200, 800)
        self.show_draft()
        self.go(draft.page if 0 <= draft.page < len(self.pages) else 0, check=False)
        self.start_timer()
        tasks.run(
            lambda _c: load_extras(register, draft.ref, today),
            self._extras_ready,
            lambda sentence: self.say(f"Similar findings could not be read: {sentence}"),
            owner=self,
        )

    # --- Shortcuts ----------------------------------------------------------------------

    def _shortcuts(self) -> None:
        def add(keys: list[str] | str, do: Callable[[], object], name: str) -> None:
            action = QAction(name, self)
            sequences = [keys] if isinstance(keys, str) else keys
            action.setShortcuts([QKeySequence(k) for k in sequences])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _checked=False: do())
            self.addAction(action)

        add(["Alt+Right"], self.next, "Next page")
        add(["Ctrl+Return", "Ctrl+Enter"], self.next, "Next page or save")
        add(["Alt+Left"], self.back, "Previous page")
        add("Ctrl+K", self.focus_parking, "Park an issue")
        add("Ctrl+T", self.toggle_timer, "Pause timer")
        add(["Ctrl+=", "Ctrl++"], lambda: self.set_zoom(self.zoom + 1), "Larger type")
        add("Ctrl+-", lambda: self.set_zoom(self.zoom - 1), "Smaller type")
        add("Ctrl+0", lambda: self.set_zoom(ZOOM_STEPS.index(1.0)), "Usual type")
        add("F11", self.toggle_workshop_mode, "Workshop mode")
        add("Esc", self.leave_workshop_mode, "Leave workshop mode")
        add(["Ctrl+W"], self.close, "Close")
        add("F1", self.show_shortcuts, "Keyboard shortcuts")

    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td><b>{k}</b></td><td>{v}</td></tr>" for k, v in SHORTCUTS)
        box = QMessageBox(QMessageBox.Icon.Information, "Workshop keys", "", parent=self)
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(f"<table cellspacing='8'>{rows}</table>")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setFont(self.font())
        box.open()

    # --- Showing ------------------------------------------------------------------------

    @property
    def index(self) -> int:
        return self.stack.currentIndex()

    @property
    def page(self) -> WorkshopPage:
        return self.pages[self.index]

    def page_for(self, key: str) -> WorkshopPage:
        return next(p for p in self.pages if p.key == key)

    def show_draft(self) -> None:
        for page in self.pages:
            page.show_draft(self.draft)
        self.parking_list.clear()
        for issue in self.draft.parking:
            self.parking_list.addItem(issue.text)
        self._side_text()
        self._title()

    def _title(self) -> None:
        title = self.draft.facts.title or "the finding"
        self.setWindowTitle(f"Root-cause workshop: {self.draft.ref} {title} \u2014 carapp")
        self.heading.setText(f"<b>{self.draft.ref}</b> {title}")

    def _steps_text(self) -> None:
        parts = []
        for number, page in enumerate(self.pages, start=1):
            text = f"{number} {page.title}"
            parts.append(f"<b><u>{text}</u></b>" if number - 1 == self.index else text)
        self.steps.setText(" \u203a ".join(parts))
        self.steps.setAccessibleDescription(
            f"Page {self.index + 1} of {len(self.pages)}: {self.page.title}"
        )

    def _side_text(self) -> None:
        names = [a.name for a in self.draft.attendees]
        self.attendee_list.setText("\n".join(names) if names else "Nobody yet (page 1)")
        self._show_time()

    def go(self, index: int, *, check: bool = True) -> bool:
        """Show page ``index``; moving forwards, the pages left behind must be finished."""
        if check and index > self.index:
            for page in self.pages[self.index : index]:
                found = page.problems(self.draft)
                if found:
                    self.stack.setCurrentIndex(self.pages.index(page))
                    self._show_page()
                    self.problems_label.setText(" ".join(found))
                    return False
        self.stack.setCurrentIndex(index)
        self.draft.page = index
        self._show_page()
        self.page.entered()
        return True

    def _show_page(self) -> None:
        self.problems_label.clear()
        self.message.clear()  # what was said about the page left behind
        self.page_hint.setText(self.page.hint)
        self._steps_text()
        last = self.index == len(self.pages) - 1
        self.back_button.setEnabled(self.index > 0)
        self.next_button.setVisible(not last)

    def next(self) -> None:
        if self.index < len(self.pages) - 1:
            self.go(self.index + 1)
        elif self.saved is None:
            self.save()

    def back(self) -> None:
        if self.index > 0:
            self.go(self.index - 1)

    def say(self, text: str) -> None:
        self.message.setText(text)

    def _extras_ready(self, extras: dict[str, object]) -> None:
        self.context.extras.update(extras)
        for page in self.pages:
            page.context_ready()

    # --- Editing ------------------------------------------------------------------------

    def _edited(self) -> None:
        self._touched = True
        self.problems_label.clear()
        self._side_text()
        self._title()
        self.keeper.changed()

    def _draft_kept(self, at: str) -> None:
        self.draft_status.setText(f"Draft kept at {at}")

    def _draft_failed(self, sentence: str) -> None:
        self.draft_status.setText("Draft NOT kept")
        self.say(sentence)

    def focus_parking(self) -> None:
        focused = QApplication.focusWidget()
        if focused is not self.parking_input:
            self._before_parking = focused
        self.parking_input.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _park(self) -> None:
        """Enter parks the issue typed and stays for the next one; Enter on an empty line
        goes back to where the room was typing."""
        text = self.parking_input.text().strip()
        if not text:
            self._back_from_parking()
            return
        self._touched = True
        self.draft.parking.append(ParkedIssue(text))
        self.parking_list.addItem(text)
        self.parking_input.clear()
        self.say(f"Parked: {text}. Park another, or press Enter on the empty line to go back.")
        self.keeper.changed()

    def _back_from_parking(self) -> None:
        before, self._before_parking = self._before_parking, None
        if before is not None and isValid(before) and before.isVisible():
            before.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.page.entered()

    # --- Timer --------------------------------------------------------------------------

    def start_timer(self) -> None:
        self._running_since = time.monotonic()
        self.ticker.start()
        self.pause_button.setText("Pause timer")
        self._show_time()

    def stop_timer(self) -> None:
        self._bank_time()
        self._running_since = None
        self.ticker.stop()
        self.pause_button.setText("Restart timer")
        self._show_time()
        if self._touched:
            self.keeper.changed()

    def toggle_timer(self) -> None:
        if self._running_since is None:
            self.start_timer()
        else:
            self.stop_timer()

    def _bank_time(self) -> None:
        if self._running_since is not None:
            now = time.monotonic()
            self.draft.elapsed_seconds += now - self._running_since
            self._since_kept += now - self._running_since
            self._running_since = now

    def _tick(self) -> None:
        self._bank_time()
        self._show_time()
        # The timer survives a crash to within ten seconds, once there is a workshop to keep.
        if self._since_kept >= 10 and self._touched:
            self._since_kept = 0.0
            self.keeper.changed()

    def _show_time(self) -> None:
        taken = self.draft.elapsed_seconds
        box = self.draft.timebox_minutes * 60
        paused = " (paused)" if self._running_since is None else ""
        over = "  over time" if taken > box else ""
        self.timer_label.setText(f"{_clock(taken)} of {_clock(box)}{paused}{over}")

    # --- Workshop mode ------------------------------------------------------------------

    def toggle_workshop_mode(self) -> None:
        self.set_workshop_mode(not self.workshop_mode)

    def leave_workshop_mode(self) -> None:
        if self.workshop_mode:
            self.set_workshop_mode(False)

    def set_workshop_mode(self, on: bool, *, full_screen: bool = True) -> None:
        self.workshop_mode = on
        self._apply_font()
        if on and full_screen:
            self.showFullScreen()
        elif not on and self.isFullScreen():
            self.showNormal()
        self.mode_button.setText("Leave &workshop mode" if on else "&Workshop mode")
        self.page.entered()

    def set_zoom(self, step: int) -> None:
        self.zoom = max(0, min(len(ZOOM_STEPS) - 1, step))
        self._apply_font()
        self.say(f"Type at {round(ZOOM_STEPS[self.zoom] * 100)}%")

    def point_size(self) -> float:
        base = WORKSHOP_POINTS if self.workshop_mode else self.base_font.pointSizeF()
        return round(base * ZOOM_STEPS[self.zoom], 1)  # as the style sheet writes it

    def _apply_font(self) -> None:
        size = self.point_size()
        font = QFont(self.base_font)
        font.setPointSizeF(size)
        self.setFont(font)
        scales = set()
        for child in self.findChildren(QWidget):
            # A widget given its own proportion (a heading) keeps it to the base size.
            scale = child.property("fontScale")
            if isinstance(scale, float | int):
                scales.add(float(scale))
                own = QFont(font)
                own.setPointSizeF(size * float(scale))
                child.setFont(own)
        if self.workshop_mode:
            # Under a style sheet Qt stops handing the window's font down to its children,
            # so workshop mode says the size in the sheet too.
            sizes = "".join(
                f'QWidget#workshopWindow QWidget[fontScale="{scale:g}"] '
                f"{{ font-size: {size * scale:.1f}pt; }}\n"
                for scale in sorted(scales)
            )
            # The style's radio dot stays 13 px whatever the type: drawn at the type's size.
            dot = round(size * 0.9)
            radios = (
                f"QRadioButton::indicator {{ width: {dot}px; height: {dot}px; "
                f"border: 2px solid #000000; border-radius: {dot // 2 + 1}px; "
                "background: #ffffff; }\n"
                "QRadioButton::indicator:checked { background: qradialgradient(cx:0.5, "
                "cy:0.5, radius:0.5, fx:0.5, fy:0.5, stop:0 #000000, stop:0.55 #000000, "
                "stop:0.6 #ffffff); }\n"
            )
            self.setStyleSheet(
                WORKSHOP_STYLE + f"QWidget#workshopWindow, QWidget#workshopWindow QWidget "
                f"{{ font-size: {size:.1f}pt; }}\n" + sizes + radios
            )
        else:
            self.setStyleSheet("")

    # --- Saving -------------------------------------------------------------------------

    def save(self) -> None:
        """Record the analysis: every page finished, then one transaction."""
        if self.saving is not None and not self.saving.ended:
            return
        if self.register.read_only:
            self.say("This register is open read-only: the analysis cannot be saved here.")
            return
        for page in self.pages:
            found = page.problems(self.draft)
            if found:
                self.go(self.pages.index(page), check=False)
                self.problems_label.setText(" ".join(found))
                return
        self._bank_time()
        snapshot = WorkshopDraft.from_json(self.draft.to_json())
        self.keeper.finish()
        self.keeper.enabled = False  # the save drops the draft; nothing may write it back
        self.next_button.setEnabled(False)
        self.say("Saving the analysis\u2026")
        self.saving = tasks.run(
            lambda _c: op.record_team_analysis(self.register, snapshot, author=actor()),
            self._saved,
            self._save_failed,
            owner=self,
        )

    def _saved(self, changes: Changes[op.TeamAnalysis]) -> None:
        self.saved = changes.result
        self.stop_timer_quietly()
        self.on_changes(changes)
        for page in self.pages[:-1]:
            page.setEnabled(False)
        self.parking_input.setEnabled(False)
        self.next_button.setEnabled(True)
        stage = changes.result.stage.label
        self.draft_status.setText("Recorded: no draft is kept")
        self.say(f"Saved: the team's analysis of {changes.result.ref} is recorded ({stage}).")
        self.pages[-1].show_draft(self.draft)

    def _save_failed(self, sentence: str) -> None:
        self.keeper.enabled = not self.register.read_only
        self.keeper.changed()
        self.next_button.setEnabled(True)
        self.say(f"Nothing was saved: {sentence} Everything typed is still here.")

    def stop_timer_quietly(self) -> None:
        self._bank_time()
        self._running_since = None
        self.ticker.stop()
        self._show_time()

    # --- Closing ------------------------------------------------------------------------

    def close_keeping_draft(self) -> None:
        """Close without asking; whatever the keeper has written stays on disk."""
        self.keeper.discard()
        self._asked = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.saving is not None and not self.saving.ended:
            self.say("Saving\u2026 the window closes when the save has ended.")
            event.ignore()
            return
        if self.saved is not None or self.register.read_only or self._asked:
            event.accept()
            return
        if not self._touched:
            # Nothing typed here: whatever draft there was stays on disk as it was.
            self.keeper.discard()
            event.accept()
            return
        self._bank_time()
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Close the workshop",
            f"The analysis of {self.draft.ref} is not saved yet. Keep the draft to go on "
            "later (it is offered again when the register opens), or discard it?",
            parent=self,
        )
        keep = box.addButton("&Keep the draft", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("&Discard the draft", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(keep)
        box.exec()
        if box.clickedButton() is keep:
            if self.keeper.finish():
                event.accept()
            else:
                self.say("The draft could not be written: the window stays open.")
                event.ignore()
        elif box.clickedButton() is discard:
            self.keeper.discard()
            try:
                op.discard_draft(self.register, self.draft.ref)
            except CarappError as error:
                self.say(f"The draft could not be discarded: {error}")
                event.ignore()
                return
            event.accept()
        else:
            event.ignore()
