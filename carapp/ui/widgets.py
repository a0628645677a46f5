"""Small widgets every screen shares, so that each behaves the same way everywhere.

A multi-line box lets Tab move focus (a tab character in a finding's statement is never
what the user meant, and it traps keyboard users); every input is named for screen readers
and tests by its visible label.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QPlainTextEdit, QWidget


def plain(label: str) -> str:
    """A label without its mnemonic marker ("&Title" -> "Title", "R&&D" -> "R&D")."""
    return label.replace("&&", "\0").replace("&", "").replace("\0", "&")


class TextBox(QPlainTextEdit):
    """Multi-line text in which Tab moves focus to the next input."""

    def __init__(self, name: str, parent: QWidget | None = None, *, lines: int = 3) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setAccessibleName(plain(name))
        line = self.fontMetrics().lineSpacing()
        self.setMinimumHeight(line * lines + 12)

    def text(self) -> str:
        return self.toPlainText()

    def setText(self, text: str) -> None:
        if text != self.toPlainText():
            self.setPlainText(text)


def add_row(
    form: QFormLayout, label: str, field: QWidget, *, focus: QWidget | None = None
) -> QLabel:
    """Add ``field`` under ``label`` (with its mnemonic), named after the label.

    ``focus`` is the input inside ``field`` that the mnemonic and the name belong to, when
    ``field`` is a composite (a date with its calendar button)."""
    caption = QLabel(label)
    target = focus or field
    caption.setBuddy(target)
    if not target.accessibleName():
        target.setAccessibleName(plain(label))
    form.addRow(caption, field)
    return caption
