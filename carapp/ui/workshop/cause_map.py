"""The cause map: the why tree drawn for the room, next to the list they type in.

The problem sits at the top; each why is a box below what it answers, indented one step
per level, with a line from the box it answers. The root cause and weak answers are said
in words inside the box as well as in colour, so that a projector that washes colours out
still shows them. Everything is measured from the widget's font, which the window sets
(24 pt and up in workshop mode), so the map grows with the type.

The map is repainted as the team types: laying out a dozen boxes is a few text
measurements, far below a keystroke's budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
    QResizeEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from carapp.models.symptoms import symptom_phrases
from carapp.models.workshop import WorkshopDraft

INK = QColor("#000000")
QUIET = QColor("#3a3a3a")  # still dark enough to read on a washed-out projector
PAPER = QColor("#ffffff")
PROBLEM_FILL = QColor("#e8e8e8")
ROOT_FILL = QColor("#dcefdc")
ROOT_EDGE = QColor("#1b5e20")
WEAK_FILL = QColor("#fff1b8")
WEAK_EDGE = QColor("#b35c00")
FOCUS = QColor("#0047ab")

_WRAP = int(Qt.TextFlag.TextWordWrap)


@dataclass
class _Box:
    key: str | None  # None: the problem
    answers: str | None  # the box this one answers ("" for the problem itself)
    depth: int
    rect: QRectF
    title: str
    body: str
    note: str
    title_h: float
    body_h: float
    root: bool = False
    weak: bool = False
    empty: bool = False


@lru_cache(maxsize=512)
def _weak(answer: str) -> tuple[str, ...]:
    # Every box is measured and described again on each keystroke; the answers mostly
    # have not changed, so their weak words are looked up once.
    return tuple(symptom_phrases(answer))


def branch_of(draft: WorkshopDraft, key: str) -> int | None:
    """The number of the why that ``key`` is a second (or later) answer to, if it is one."""
    why = draft.why(key)
    siblings = draft.children(why.parent)
    if why.parent is None or siblings.index(why) == 0:
        return None
    return draft.number(why.parent)


def describe(draft: WorkshopDraft) -> str:
    """The tree in words, for a screen reader and for the minutes."""
    parts = [f"Problem: {draft.facts.title.strip() or 'the finding'}."]
    numbers = {w.key: n for n, w in enumerate(draft.ordered(), start=1)}
    for why in draft.ordered():
        n = numbers[why.key]
        if why.parent is None:
            where = "answering the problem"
        else:
            siblings = draft.children(why.parent)
            kind = "branch of" if siblings.index(why) > 0 else "answering"
            where = f"{kind} why {numbers[why.parent]}"
        tags = []
        if draft.root_key == why.key:
            tags.append("the root cause")
        found = _weak(why.answer)
        if found:
            tags.append("weak answer: " + ", ".join(found))
        tail = f" ({'; '.join(tags)})" if tags else ""
        parts.append(_sentence(f"Why {n}, {where}{tail}: {why.answer.strip() or 'no answer yet'}"))
        if why.evidence.strip():
            checked = "checked" if why.checked else "not checked"
            parts.append(_sentence(f"Evidence, {checked}: {why.evidence.strip()}"))
    return " ".join(parts)


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else text + "."


class CauseMap(QWidget):
    """The why tree drawn. Call :meth:`refresh` after every change to the draft."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft: WorkshopDraft | None = None
        self.current: str | None = None
        self._boxes: list[_Box] = []
        self._laid_for: int | None = None  # the width the boxes were laid out for
        self._height = 0
        self._heights: dict[int, int] = {}  # heightForWidth, asked often by the layouts
        self.setAccessibleName("Cause map")
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setAutoFillBackground(False)

    # --- Feeding it ----------------------------------------------------------------------

    def show_draft(self, draft: WorkshopDraft) -> None:
        self.draft = draft
        self.refresh()

    def refresh(self) -> None:
        self._laid_for = None
        self._heights.clear()
        self.setAccessibleDescription(describe(self.draft) if self.draft else "")
        self._lay_out(self.width())
        self.updateGeometry()
        self.update()

    def set_current(self, key: str | None) -> None:
        if key != self.current:
            self.current = key
            self.update()

    def box_rect(self, key: str) -> QRect:
        """Where the why's box is drawn (empty when it is not)."""
        self._lay_out(self.width())
        for box in self._boxes:
            if box.key == key:
                return box.rect.toAlignedRect()
        return QRect()

    # --- Size ----------------------------------------------------------------------------

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        if width not in self._heights:
            self._heights[width] = self._measure(width)[1]
        return self._heights[width]

    def sizeHint(self) -> QSize:
        em = round(QFontMetricsF(self.font()).height())
        return QSize(em * 16, self.heightForWidth(self.width()) if self.width() else em * 8)

    def minimumSizeHint(self) -> QSize:
        em = round(QFontMetricsF(self.font()).height())
        return QSize(em * 8, em * 4)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self.refresh()
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._laid_for = None
        super().resizeEvent(event)

    # --- Layout --------------------------------------------------------------------------

    def _fonts(self) -> tuple[QFont, QFont, QFont]:
        body = QFont(self.font())
        title = QFont(body)
        title.setBold(True)
        note = QFont(body)
        note.setPointSizeF(max(body.pointSizeF() * 0.85, 1.0))
        return title, body, note

    def _lay_out(self, width: int) -> None:
        if self._laid_for == width:
            return
        self._boxes, self._height = self._measure(width)
        self._heights[width] = self._height
        self._laid_for = width

    def _measure(self, width: int) -> tuple[list[_Box], int]:
        draft = self.draft
        title_font, body_font, note_font = self._fonts()
        fm_title, fm_body, fm_note = (QFontMetricsF(f) for f in (title_font, body_font, note_font))
        em = fm_body.height()
        # The margin leaves room for the focus ring drawn around the current box.
        pad, gap, margin = em * 0.35, em * 0.45, max(em * 0.25, max(2.0, em / 12) * 3.5)
        width = max(width, int(em * 8))
        if draft is None:
            return [], int(margin * 2)
        ordered = draft.ordered()
        numbers = {w.key: n for n, w in enumerate(ordered, start=1)}
        depth: dict[str, int] = {}
        for why in ordered:
            depth[why.key] = 1 if why.parent is None else depth[why.parent] + 1
        deepest = max(depth.values(), default=1)
        # One step per level, narrowed for a long chain so the deepest box keeps most of
        # the width: the words matter more than the staircase.
        step = max(min(em * 1.4, width * 0.35 / deepest), em * 0.4)

        def text_h(fm: QFontMetricsF, text: str, w: float) -> float:
            if not text:
                return 0.0
            return fm.boundingRect(QRectF(0, 0, w, 1e6), _WRAP, text).height()

        boxes: list[_Box] = []
        y = margin

        def add(
            key: str | None, answers: str | None, level: int, title: str, body: str, note: str
        ) -> _Box:
            nonlocal y
            x = margin + level * step
            w = max(width - x - margin, em * 5)
            inner = w - 2 * pad
            title_h = text_h(fm_title, title, inner)
            body_h = text_h(fm_body, body, inner)
            note_h = text_h(fm_note, note, inner)
            h = pad + title_h + body_h + note_h + pad
            box = _Box(key, answers, level, QRectF(x, y, w, h), title, body, note, title_h, body_h)
            boxes.append(box)
            y += h + gap
            return box

        add(None, None, 0, "Problem", draft.facts.title.strip() or "The finding", "")
        for why in ordered:
            n = numbers[why.key]
            tags = [f"Why {n}"]
            branch = branch_of(draft, why.key)
            if branch is not None:
                tags.append(f"branch of why {branch}")
            root = draft.root_key == why.key
            if root:
                tags.append("ROOT CAUSE")
            found = _weak(why.answer)
            if found:
                tags.append("\u26a0 weak: " + ", ".join(found))
            note = ""
            if why.evidence.strip():
                mark = "\u2713 checked" if why.checked else "not checked"
                note = f"Evidence ({mark}): {why.evidence.strip()}"
            answer = why.answer.strip()
            box = add(
                why.key,
                why.parent or "",
                depth[why.key],
                " \u00b7 ".join(tags),
                answer or "(no answer yet)",
                note,
            )
            box.root, box.weak, box.empty = root, bool(found), not answer
        return boxes, int(y - gap + margin)

    # --- Painting ------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        self._lay_out(self.width())
        title_font, body_font, note_font = self._fonts()
        em = QFontMetricsF(body_font).height()
        line = max(2.0, em / 12)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), PAPER)
        by_key = {box.key: box for box in self._boxes}

        # Lines first, boxes over them: from the box answered down a rail to what answers it.
        painter.setPen(QPen(INK, line))
        painter.setBrush(INK)
        for box in self._boxes:
            if box.key is None:
                continue
            above = by_key.get(box.answers or None)
            if above is None:
                continue
            rail = above.rect.left() + (box.rect.left() - above.rect.left()) / 2
            mid = box.rect.top() + box.title_h / 2 + em * 0.35
            painter.drawLine(QPointF(rail, above.rect.bottom()), QPointF(rail, mid))
            tip = QPointF(box.rect.left(), mid)
            painter.drawLine(QPointF(rail, mid), tip)
            head = em * 0.3
            painter.drawPolygon(
                QPolygonF(
                    [
                        tip,
                        QPointF(tip.x() - head, mid - head / 1.6),
                        QPointF(tip.x() - head, mid + head / 1.6),
                    ]
                )
            )

        for box in self._boxes:
            fill, edge, width, style = PAPER, INK, line, Qt.PenStyle.SolidLine
            if box.key is None:
                fill = PROBLEM_FILL
            elif box.root:
                fill, edge, width = ROOT_FILL, ROOT_EDGE, line * 2
            elif box.weak:
                fill, edge, width, style = WEAK_FILL, WEAK_EDGE, line * 1.5, Qt.PenStyle.DashLine
            if box.key is not None and box.key == self.current:
                ring = QPen(FOCUS, line * 2)
                painter.setPen(ring)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                grow = line * 2.5
                painter.drawRoundedRect(box.rect.adjusted(-grow, -grow, grow, grow), 8, 8)
            painter.setPen(QPen(edge, width, style))
            painter.setBrush(fill)
            painter.drawRoundedRect(box.rect, 6, 6)

            pad = em * 0.35
            inner = box.rect.adjusted(pad, pad, -pad, -pad)
            painter.setPen(INK)
            painter.setFont(title_font)
            painter.drawText(
                QRectF(inner.left(), inner.top(), inner.width(), box.title_h), _WRAP, box.title
            )
            painter.setFont(body_font)
            if box.empty:
                italic = QFont(body_font)
                italic.setItalic(True)
                painter.setFont(italic)
                painter.setPen(QUIET)
            top = inner.top() + box.title_h
            painter.drawText(QRectF(inner.left(), top, inner.width(), box.body_h), _WRAP, box.body)
            if box.note:
                painter.setPen(QUIET)
                painter.setFont(note_font)
                top += box.body_h
                painter.drawText(
                    QRectF(inner.left(), top, inner.width(), inner.bottom() - top), _WRAP, box.note
                )
        painter.end()
