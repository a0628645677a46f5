"""The wizard's second page: the team asks why, and why again, from the keyboard.

Left, one row per why in the tree's order, each indented by its depth; right, the same
tree drawn (:mod:`cause_map`). The room types an answer and presses Enter for the next
why; Ctrl+B starts a branch, Ctrl+Up/Down move a why and Ctrl+Delete removes it, from any
input of the page. A weak answer ("they forgot") is met by a prompt under its row while it
is typed: never a dialog, never the focus taken away.

Typing touches only its own row and the map. Rows are rebuilt, reusing the row of each why,
only when the tree's shape changes, so that a long chain types as fast as a short one.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFont,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpacerItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from carapp.models.symptoms import WEAK_ANSWER_PROMPT, symptom_phrases
from carapp.models.workshop import MIN_WHYS, Why, WorkshopDraft, problems_chain
from carapp.ui.workshop.cause_map import CauseMap, branch_of
from carapp.ui.workshop.page import WizardContext, WorkshopPage

PROMPT_FILL = QColor("#fff1b8")
PROMPT_EDGE = QColor("#b35c00")
ROW_EDGE = QColor("#6b6b6b")
BRANCH_EDGE = QColor("#0047ab")
QUESTION_INK = QColor("#333333")
FOCUS_RING = QColor("#0047ab")

CTRL = Qt.KeyboardModifier.ControlModifier


class _Card(QFrame):
    """A why's inputs, with a bar down its left edge: dashed blue for a branch. Painted,
    not styled, because a style sheet would stop the window's type reaching the rows."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.branch = False

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        painter = QPainter(self)
        style = Qt.PenStyle.DashLine if self.branch else Qt.PenStyle.SolidLine
        painter.setPen(QPen(BRANCH_EDGE if self.branch else ROW_EDGE, 4, style))
        painter.drawLine(2, 0, 2, self.height())
        painter.end()


class _Prompt(QLabel):
    """The weak-answer prompt: dark on light yellow with an orange bar, as in workshop mode."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("weakPrompt")
        self.setWordWrap(True)
        self.setContentsMargins(14, 4, 6, 4)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, PROMPT_FILL)
        palette.setColor(QPalette.ColorRole.WindowText, QColor("#000000"))
        self.setPalette(palette)
        self.setAutoFillBackground(True)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        painter = QPainter(self)
        painter.fillRect(0, 0, 8, self.height(), PROMPT_EDGE)
        painter.end()


class _Check(QCheckBox):
    """A check box drawn at the size of its type: the style's box stays a few pixels
    wide at 24 pt, and nobody at the back of the room could see it ticked."""

    def _side(self) -> int:
        return max(13, round(self.fontMetrics().height() * 0.8))

    def sizeHint(self) -> QSize:
        fm = self.fontMetrics()
        side = self._side()
        return QSize(
            side + side // 2 + fm.horizontalAdvance(self.text()) + 8, max(side, fm.height()) + 8
        )

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def hitButton(self, pos: QPoint) -> bool:
        return self.rect().contains(pos)

    def paintEvent(self, event: QPaintEvent) -> None:
        side = self._side()
        line = max(2.0, side / 10)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        box = QRectF(4, (self.height() - side) / 2, side, side)
        enabled = self.isEnabled()
        painter.setPen(QPen(QColor("#000000" if enabled else "#777777"), line))
        painter.setBrush(QColor("#ffffff"))
        painter.drawRect(box)
        if self.isChecked():
            painter.setPen(QPen(QColor("#000000"), line * 1.6))
            painter.drawPolyline(
                [
                    QPointF(box.left() + side * 0.2, box.top() + side * 0.55),
                    QPointF(box.left() + side * 0.42, box.top() + side * 0.78),
                    QPointF(box.left() + side * 0.82, box.top() + side * 0.25),
                ]
            )
        text = QRectF(
            box.right() + side / 2, 0, self.width() - box.right() - side / 2, self.height()
        )
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        painter.setFont(self.font())
        painter.drawText(
            text, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), self.text()
        )
        if self.hasFocus():
            painter.setPen(QPen(FOCUS_RING, line * 1.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(self.rect()).adjusted(line, line, -line, -line))
        painter.end()


def match_type(widget: QWidget, points: float) -> None:
    """Give ``widget`` and everything in it type of ``points`` (times a widget's
    ``fontScale``, as the window does), keeping bold and italic."""
    for each in [widget, *widget.findChildren(QWidget)]:
        scale = each.property("fontScale")
        size = points * (float(scale) if isinstance(scale, float | int) else 1.0)
        if each.font().pointSizeF() != size:
            font = QFont(each.font())
            font.setPointSizeF(size)
            each.setFont(font)


def weak_prompt(answer: str) -> str:
    """What the room is asked when an answer describes a person; empty when it does not."""
    found = symptom_phrases(answer)
    if not found:
        return ""
    return ", ".join(f'"{p}"' for p in found) + f": {WEAK_ANSWER_PROMPT}"


class WhyRow(QWidget):
    """One why: the question it answers, its answer, evidence and whether that was checked."""

    def __init__(self, page: ChainPage, key: str) -> None:
        super().__init__()
        self.page = page
        self.key = key
        self.indent = QSpacerItem(0, 0, QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Minimum)
        self.card = _Card(self)
        self.header = QLabel(self.card)
        self.header.setWordWrap(True)
        # Bold by markup, not by a font of its own, so that it follows the window's type.
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.question = QLabel(self.card)
        self.question.setWordWrap(True)
        palette = self.question.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QUESTION_INK)
        self.question.setPalette(palette)
        self.answer = QLineEdit(self.card)
        self.answer.setPlaceholderText("Because\u2026 (Enter: the next why)")
        self.evidence = QLineEdit(self.card)
        self.evidence.setPlaceholderText("Evidence (a record, a ticket)")
        self.checked = _Check("evidence checked", self.card)
        self.prompt = _Prompt(self.card)
        self.prompt.setVisible(False)

        def button(text: str, tip: str, do: Callable[[], None]) -> QPushButton:
            b = QPushButton(text, self.card)
            b.setToolTip(tip)
            # The keys are the room's way to these; Tab stays answer, evidence, checked.
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(do)
            return b

        self.branch_button = button("Branch", "A second answer to this why (Ctrl+B)", self._branch)
        self.up_button = button("\u2191", "Move this why up (Ctrl+Up)", self._up)
        self.down_button = button("\u2193", "Move this why down (Ctrl+Down)", self._down)
        self.remove_button = button("Remove", "Remove this why (Ctrl+Delete)", self._remove)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.header, 1)
        for b in (self.branch_button, self.up_button, self.down_button, self.remove_button):
            top.addWidget(b)
        proof = QHBoxLayout()
        proof.setContentsMargins(0, 0, 0, 0)
        proof.addWidget(self.evidence, 1)
        proof.addWidget(self.checked)
        inside = QVBoxLayout(self.card)
        inside.setContentsMargins(10, 2, 0, 2)
        inside.setSpacing(3)
        inside.addLayout(top)
        inside.addWidget(self.question)
        inside.addWidget(self.answer)
        inside.addLayout(proof)
        inside.addWidget(self.prompt)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addSpacerItem(self.indent)
        outer.addWidget(self.card, 1)

        self.answer.textEdited.connect(self._answer_edited)
        self.answer.returnPressed.connect(self._enter)
        self.evidence.textEdited.connect(self._evidence_edited)
        self.checked.clicked.connect(self._checked)
        for widget in self.inputs():
            widget.installEventFilter(page)

    def inputs(self) -> tuple[QWidget, ...]:
        return (self.answer, self.evidence, self.checked)

    def fill(self, why: Why, number: int, question: str, branch: int | None) -> None:
        """Show ``why`` as why ``number``; the inputs keep their cursor when unchanged."""
        self.header.setText(
            f"<b>Why {number}</b>" + (f" \u2014 branch of why {branch}" if branch else "")
        )
        if self.card.branch != (branch is not None):
            self.card.branch = branch is not None
            self.card.update()
        self.question.setText(question)
        for line, text in ((self.answer, why.answer), (self.evidence, why.evidence)):
            if line.text() != text:
                line.setText(text)
                if not line.hasFocus():
                    line.setCursorPosition(0)  # a sentence reads from its start
        if self.checked.isChecked() != why.checked:
            self.checked.setChecked(why.checked)
        self.show_prompt(why.answer)
        for widget, what in (
            (self.question, "question"),
            (self.answer, "answer"),
            (self.evidence, "evidence"),
            (self.checked, "checked"),
            (self.prompt, "prompt"),
            (self.branch_button, "branch"),
            (self.remove_button, "remove"),
            (self.up_button, "up"),
            (self.down_button, "down"),
        ):
            widget.setAccessibleName(f"Why {number} {what}")

    def set_indent(self, pixels: int) -> None:
        self.indent.changeSize(pixels, 0, QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Minimum)
        layout = self.layout()
        if layout is not None:
            layout.invalidate()

    def show_prompt(self, answer: str) -> None:
        text = weak_prompt(answer)
        if text != self.prompt.text():
            self.prompt.setText(text)
        if self.prompt.isVisibleTo(self) != bool(text):
            self.prompt.setVisible(bool(text))

    def set_read_only(self, read_only: bool) -> None:
        self.answer.setReadOnly(read_only)
        self.evidence.setReadOnly(read_only)
        self.checked.setEnabled(not read_only)
        for b in (self.branch_button, self.up_button, self.down_button, self.remove_button):
            b.setEnabled(not read_only)

    # The row says what happened; the page changes the draft.
    def _answer_edited(self, text: str) -> None:
        self.page.answer_edited(self.key, text)

    def _evidence_edited(self, text: str) -> None:
        self.page.evidence_edited(self.key, text)

    def _checked(self, on: bool) -> None:
        self.page.checked_edited(self.key, on)

    def _enter(self) -> None:
        self.page.next_why(self.key)

    def _branch(self) -> None:
        self.page.branch(self.key)

    def _up(self) -> None:
        self.page.move_why(self.key, -1)

    def _down(self) -> None:
        self.page.move_why(self.key, 1)

    def _remove(self) -> None:
        self.page.remove(self.key)


class ChainPage(WorkshopPage):
    key = "chain"
    title = "Why chain"
    hint = "Ask why until the answer is something the organisation can change (F1: the keys)."

    def __init__(self, context: WizardContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.rows: dict[str, WhyRow] = {}
        self.current: str | None = None

        self.rows_box = QWidget(self)
        self.rows_layout = QVBoxLayout(self.rows_box)
        self.rows_layout.setContentsMargins(0, 0, 6, 0)
        self.rows_layout.setSpacing(12)
        self.rows_layout.addStretch(1)
        self.rows_scroll = QScrollArea(self)
        self.rows_scroll.setWidgetResizable(True)
        self.rows_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.rows_scroll.setWidget(self.rows_box)

        self.fewer_label = QLabel(self)
        self.fewer_label.setWordWrap(True)
        self.fewer = QLineEdit(self)
        self.fewer.setAccessibleName("Why fewer whys are enough")
        self.fewer.setPlaceholderText("e.g. the second answer already names the missing control")
        self.fewer_label.setBuddy(self.fewer)
        self.fewer.textEdited.connect(self._fewer_edited)
        self.fewer.installEventFilter(self)

        self.map = CauseMap(self)
        self.map_scroll = QScrollArea(self)
        self.map_scroll.setWidgetResizable(True)
        self.map_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.map_scroll.setWidget(self.map)
        self.map_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        map_title = QLabel("<b>Cause map</b>", self)

        left = QVBoxLayout()
        left.addWidget(self.rows_scroll, 1)
        left.addWidget(self.fewer_label)
        left.addWidget(self.fewer)
        right = QVBoxLayout()
        right.addWidget(map_title)
        right.addWidget(self.map_scroll, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(left, 11)
        layout.addLayout(right, 9)

    # --- Showing the draft ---------------------------------------------------------------

    def show_draft(self, draft: WorkshopDraft) -> None:
        super().show_draft(draft)
        if not draft.whys:
            # A page to type in, not an edit: nothing is kept until the room types.
            draft.add_why()
        if self.fewer.text() != draft.fewer_whys_reason:
            self.fewer.setText(draft.fewer_whys_reason)
        self.fewer.setReadOnly(self.context.read_only)
        self.map.show_draft(draft)
        self._rebuild()

    def _rebuild(self) -> None:
        """Lay the rows out again after the tree's shape changed, reusing each why's row."""
        draft = self._draft()
        ordered = draft.ordered()
        keys = {w.key for w in ordered}
        for key in [k for k in self.rows if k not in keys]:
            gone = self.rows.pop(key)
            gone.hide()
            gone.deleteLater()
        for kept in self.rows.values():
            self.rows_layout.removeWidget(kept)
        step = self._indent_step(ordered)
        previous: QWidget | None = None
        for place, why in enumerate(ordered):
            row = self.rows.get(why.key)
            if row is None:
                row = WhyRow(self, why.key)
                row.set_read_only(self.context.read_only)
                match_type(row, self.font().pointSizeF())
                self.rows[why.key] = row
            self.rows_layout.insertWidget(place, row)
            row.fill(why, place + 1, draft.question(why), branch_of(draft, why.key))
            row.set_indent(int((draft.depth(why.key) - 1) * step))
            row.show()
            for widget in row.inputs():
                if previous is not None:
                    QWidget.setTabOrder(previous, widget)
                previous = widget
        if previous is not None:
            QWidget.setTabOrder(previous, self.fewer)
        self._show_fewer()
        self.map.refresh()

    def _indent_step(self, ordered: list[Why]) -> float:
        draft = self._draft()
        em = self.fontMetrics().horizontalAdvance("M")
        deepest = max((draft.depth(w.key) for w in ordered), default=1)
        # A dozen whys deep must still leave the answers most of the width.
        width = max(self.rows_scroll.viewport().width(), em * 20)
        return max(min(em * 1.2, width * 0.3 / deepest), em * 0.4)

    def _reindent(self) -> None:
        if self.draft is None:
            return
        ordered = self.draft.ordered()
        step = self._indent_step(ordered)
        for why in ordered:
            if why.key in self.rows:
                self.rows[why.key].set_indent(int((self.draft.depth(why.key) - 1) * step))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            # Under the window's style sheet the type stops at the page: pass it on.
            match_type(self, self.font().pointSizeF())
            self._reindent()
        super().changeEvent(event)

    def _show_fewer(self) -> None:
        draft = self._draft()
        count = len(draft.answered())
        wanted = count < MIN_WHYS or bool(draft.fewer_whys_reason.strip())
        self.fewer_label.setText(
            f"Why fewer whys are enough ({count} answered; ask at least {MIN_WHYS}, or say why "
            "fewer will do):"
        )
        if self.fewer.isVisibleTo(self) != wanted:
            self.fewer_label.setVisible(wanted)
            self.fewer.setVisible(wanted)

    def _draft(self) -> WorkshopDraft:
        assert self.draft is not None, "show_draft comes before any edit"
        return self.draft

    # --- Typing --------------------------------------------------------------------------

    def answer_edited(self, key: str, text: str) -> None:
        draft = self._draft()
        why = draft.why(key)
        why.answer = text
        self.rows[key].show_prompt(text)
        for child in draft.children(key):  # their question quotes this answer
            if child.key in self.rows:
                self.rows[child.key].question.setText(draft.question(child))
        self._show_fewer()
        self.map.refresh()
        self.changed()

    def evidence_edited(self, key: str, text: str) -> None:
        self._draft().why(key).evidence = text
        self.map.refresh()
        self.changed()

    def checked_edited(self, key: str, on: bool) -> None:
        self._draft().why(key).checked = on
        self.map.refresh()
        self.changed()

    def _fewer_edited(self, text: str) -> None:
        self._draft().fewer_whys_reason = text
        self.changed()

    # --- The tree's shape ----------------------------------------------------------------

    def _refuse_read_only(self) -> bool:
        if self.context.read_only:
            self.context.say("This register is open read-only: the chain cannot be changed.")
        return self.context.read_only

    def next_why(self, key: str) -> None:
        """Enter: go to the next why down the chain, starting it if need be."""
        if self._refuse_read_only():
            return
        draft = self._draft()
        below = draft.children(key)
        if below and not below[0].answer.strip():
            self.focus_why(below[0].key)
            return
        if not draft.why(key).answer.strip():
            self.context.say(
                f"Why {draft.number(key)} has no answer yet: write it, then Enter starts "
                "the next why."
            )
            return
        self._reshaped(draft.add_why(after=key).key)

    def branch(self, key: str) -> None:
        """Ctrl+B: a second answer to this why, beside the one it has."""
        if self._refuse_read_only():
            return
        self._reshaped(self._draft().add_why(branch_of=key).key)

    def move_why(self, key: str, step: int) -> None:
        if self._refuse_read_only():
            return
        draft = self._draft()
        why = draft.why(key)
        number = draft.number(key)
        # The cursor follows the words: in a one-line chain the model swaps two whys'
        # contents, so the words moved land in the neighbour's row.
        if len(draft.children(why.parent)) > 1:
            follow: str | None = key
        elif step < 0:
            follow = why.parent
        else:
            below = draft.children(key)
            follow = below[0].key if len(below) == 1 else None
        before = _shape(draft)
        draft.move_why(key, step)
        if _shape(draft) == before or follow is None:
            where = "up" if step < 0 else "down"
            self.context.say(f"Why {number} cannot move {where} from here.")
            return
        self._reshaped(follow)

    def remove(self, key: str) -> None:
        if self._refuse_read_only():
            return
        draft = self._draft()
        why = draft.why(key)
        number = draft.number(key)
        ordered = [w.key for w in draft.ordered()]
        had_text = bool(why.answer.strip() or why.evidence.strip())
        answer = why.answer.strip()
        try:
            draft.remove_why(key)
        except ValueError as refused:
            self.context.say(str(refused))
            return
        if not draft.whys:
            draft.add_why()
        at = ordered.index(key)
        left = [k for k in ordered[:at] if any(w.key == k for w in draft.whys)]
        target = left[-1] if left else draft.ordered()[0].key
        if had_text:
            self.context.say(f"Why {number} removed" + (f': "{answer}".' if answer else "."))
        self._reshaped(target)

    def _reshaped(self, focus: str) -> None:
        self._rebuild()
        self.changed()
        self.focus_why(focus)

    # --- Keys and focus ------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.FocusIn:
            row = self._row_of(watched)
            if row is not None:
                self._set_current(row.key)
                # However the cursor got there: the whole why in view if it fits, and
                # the input in view whatever.
                self.rows_scroll.ensureWidgetVisible(row, 0, 0)
                if isinstance(watched, QWidget):
                    self.rows_scroll.ensureWidgetVisible(watched, 0, 0)
        elif kind == QEvent.Type.FocusOut and isinstance(watched, QLineEdit):
            assert isinstance(event, QFocusEvent)
            # A long answer left behind shows its start, which reads as a sentence; not
            # when the window merely lost the focus, or typing would resume at the start.
            if event.reason() not in (
                Qt.FocusReason.ActiveWindowFocusReason,
                Qt.FocusReason.PopupFocusReason,
            ):
                watched.setCursorPosition(0)
        elif kind in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            assert isinstance(event, QKeyEvent)
            do = self._shortcut(event)
            if do is not None:
                if kind == QEvent.Type.ShortcutOverride:
                    # Claim the key from the line edit (Ctrl+Delete deletes a word there)
                    # so that it arrives here as a key press.
                    event.accept()
                    return True
                key = self.current
                if key is not None and self.draft is not None and key in self.rows:
                    do(key)
                return True
        return super().eventFilter(watched, event)

    def _shortcut(self, event: QKeyEvent) -> Callable[[str], None] | None:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if mods != CTRL:
            return None
        keys: dict[Qt.Key, Callable[[str], None]] = {
            Qt.Key.Key_B: self.branch,
            Qt.Key.Key_Up: lambda k: self.move_why(k, -1),
            Qt.Key.Key_Down: lambda k: self.move_why(k, 1),
            Qt.Key.Key_Delete: self.remove,
        }
        return keys.get(Qt.Key(event.key()))

    def _row_of(self, widget: QObject) -> WhyRow | None:
        current: QObject | None = widget
        while current is not None:
            if isinstance(current, WhyRow):
                return current
            current = current.parent()
        return None

    def _set_current(self, key: str) -> None:
        self.current = key
        self.map.set_current(key)
        rect = self.map.box_rect(key)
        if not rect.isNull():
            self.map_scroll.ensureVisible(rect.center().x(), rect.center().y(), 0, rect.height())

    def focus_why(self, key: str, where: str = "answer") -> None:
        row = self.rows[key]
        widget = {"answer": row.answer, "evidence": row.evidence, "checked": row.checked}[where]
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
        self._set_current(key)

        def into_view() -> None:
            # Once the layout has placed a new row.
            if isValid(row) and isValid(self.rows_scroll):
                self.rows_scroll.ensureWidgetVisible(row, 0, 0)
                self.rows_scroll.ensureWidgetVisible(widget, 0, 0)

        QTimer.singleShot(0, into_view)

    def entered(self) -> None:
        if self.draft is None:
            return
        ordered = self.draft.ordered()
        empty = [w for w in ordered if not w.answer.strip()]
        self.focus_why((empty[0] if empty else ordered[-1]).key)

    def problems(self, draft: WorkshopDraft) -> list[str]:
        return problems_chain(draft)


def _shape(draft: WorkshopDraft) -> list[tuple[str, str, str, bool, str | None]]:
    return [(w.key, w.answer, w.evidence, w.checked, w.parent) for w in draft.whys]
