"""Small widgets every form of carapp uses the same way."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QPlainTextEdit, QWidget


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
