"""Small widgets every form of carapp uses the same way."""

from __future__ import annotations

from PySide6.QtWidgets import QPlainTextEdit, QWidget


class TextBox(QPlainTextEdit):
    """A multi-line box that Tab leaves, as every other field does (a tab typed into a
    statement is never wanted, and a keyboard user would be trapped in the box)."""

    def __init__(
        self, accessible_name: str, placeholder: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setAccessibleName(accessible_name)
        if placeholder:
            self.setPlaceholderText(placeholder)
