"""How a kind of date looks: a shape, a letter and a colour, so no kind is told apart by
colour alone; an overdue date is red, outlined in bold and marked "!"."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QPolygonF

from carapp.models.due import DueKind

SHAPES = {
    DueKind.PLAN: "triangle",
    DueKind.CLOSURE: "square",
    DueKind.ACTION: "circle",
    DueKind.REVIEW: "diamond",
}
COLOURS = {
    DueKind.PLAN: QColor("#6a3d9a"),
    DueKind.CLOSURE: QColor("#1f4e9a"),
    DueKind.ACTION: QColor("#1b6e3f"),
    DueKind.REVIEW: QColor("#9a4a00"),
}
OVERDUE = QColor("#c62828")
OVERDUE_OUTLINE = QColor("#4a0000")
OVERDUE_TEXT = QColor("#b71c1c")
OVERDUE_ROW = QColor("#fdecea")

_PLURALS = {
    DueKind.PLAN: ("action plan due to the auditor", "action plans due to the auditor"),
    DueKind.CLOSURE: ("closure due", "closures due"),
    DueKind.ACTION: ("action target", "action targets"),
    DueKind.REVIEW: ("effectiveness review due", "effectiveness reviews due"),
}


def counted(kind: DueKind, n: int) -> str:
    """ "2 action targets", "1 closure due": a count of one kind, in words."""
    one, many = _PLURALS[kind]
    return f"{n:,} {one if n == 1 else many}"


def shape_path(kind: DueKind, box: QRectF) -> QPainterPath:
    path = QPainterPath()
    shape = SHAPES[kind]
    if shape == "circle":
        path.addEllipse(box)
    elif shape == "square":
        path.addRect(box.adjusted(1, 1, -1, -1))
    elif shape == "triangle":
        path.addPolygon(
            QPolygonF(
                [
                    QPointF(box.center().x(), box.top()),
                    QPointF(box.right(), box.bottom()),
                    QPointF(box.left(), box.bottom()),
                    QPointF(box.center().x(), box.top()),
                ]
            )
        )
    else:
        path.addPolygon(
            QPolygonF(
                [
                    QPointF(box.center().x(), box.top()),
                    QPointF(box.right(), box.center().y()),
                    QPointF(box.center().x(), box.bottom()),
                    QPointF(box.left(), box.center().y()),
                    QPointF(box.center().x(), box.top()),
                ]
            )
        )
    return path


def paint_marker(painter: QPainter, kind: DueKind, box: QRectF, overdue: bool) -> None:
    """One kind's shape with its letter inside, red with a bold outline when overdue."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    path = shape_path(kind, box)
    fill = OVERDUE if overdue else COLOURS[kind]
    outline = QPen(OVERDUE_OUTLINE if overdue else fill.darker(140), 2.2 if overdue else 1.0)
    painter.setPen(outline)
    painter.setBrush(fill)
    painter.drawPath(path)
    font = QFont(painter.font())
    font.setBold(True)
    font.setPixelSize(max(8, int(box.height() * 0.62)))
    painter.setFont(font)
    painter.setPen(QColor("white"))
    # The triangle's middle is low: its letter sits lower to stay inside.
    text_box = box.adjusted(0, box.height() * 0.22, 0, 0) if SHAPES[kind] == "triangle" else box
    painter.drawText(text_box, Qt.AlignmentFlag.AlignCenter, kind.letter)
    painter.restore()
