"""The Qt binding the app is installed with must not corrupt the interpreter.

PySide6 6.12.0 releases a reference to ``None`` on every call of a C++ method that returns
void. On Python 3.11, where ``None`` is reference-counted like any object, the app then
aborts ("deallocating None") after a few thousand paints: scrolling a large register was
enough. pyproject.toml keeps that release out; this test fails if it ever comes back.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from pytestqt.qtbot import QtBot

CALLS = 100


def test_void_methods_leave_none_alone(qtbot: QtBot) -> None:
    image = QImage(40, 20, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    rect = QRect(0, 0, 40, 20)
    try:
        before = sys.getrefcount(None)
        for _ in range(CALLS):
            # The calls a register table's badge makes for every painted row.
            painter.save()
            painter.setPen(QColor("#ffffff"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "Major")
            painter.restore()
        after = sys.getrefcount(None)
    finally:
        painter.end()
    # Other threads may hold or drop a few references meanwhile; a leak is thousands.
    assert after - before > -CALLS, f"None lost {before - after} references in {CALLS} calls"
