"""Small widgets every form of carapp uses the same way."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QCompleter, QPlainTextEdit, QWidget


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


class CatalogCompleter(QCompleter):
    """Offers (code, title) pairs as a line is typed, matching either anywhere, and puts
    the code alone in the line when one is picked (a filter or a list of codes wants the
    code, the person wants the title to recognise it)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items = QStandardItemModel(self)
        self.setModel(self._items)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setMaxVisibleItems(12)

    def set_catalog(self, pairs: Sequence[tuple[str, str]]) -> None:
        self._items.clear()
        for code, title in pairs:
            item = QStandardItem(f"{code}  {title}")
            item.setData(code, Qt.ItemDataRole.UserRole)
            self._items.appendRow(item)

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        code = index.data(Qt.ItemDataRole.UserRole)
        return str(code) if code is not None else super().pathFromIndex(index)


def make_searchable(combo: QComboBox) -> None:
    """Let a long choice (223 audits) be found by typing any part of its label: the combo
    becomes editable, typing offers the items that contain the text, and nothing typed is
    added as an item."""
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    completer, line = combo.completer(), combo.lineEdit()
    assert completer is not None and line is not None  # an editable combo has both
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    line.setPlaceholderText("Type part of a reference, kind, body or date")
    # Leaving the box with text that names no item shows the item still chosen again,
    # so what the box says is what filters.
    line.editingFinished.connect(
        lambda: (
            combo.setEditText(combo.itemText(combo.currentIndex()))
            if combo.findText(combo.currentText()) < 0
            else None
        )
    )
