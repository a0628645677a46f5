"""Small widgets every screen shares, so that each behaves the same way everywhere.

A multi-line box lets Tab move focus (a tab character in a finding's statement is never
what the user meant, and it traps keyboard users); every input is named for screen readers
and tests by its visible label.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QWidget,
)


def plain(label: str) -> str:
    """A label without its mnemonic marker ("&Title" -> "Title", "R&&D" -> "R&D")."""
    return label.replace("&&", "\0").replace("&", "").replace("\0", "&")


class TextBox(QPlainTextEdit):
    """Multi-line text that Tab leaves, as every other field does."""

    def __init__(
        self,
        name: str,
        parent: QWidget | None = None,
        *,
        placeholder: str = "",
        lines: int = 3,
    ) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setAccessibleName(plain(name))
        if placeholder:
            self.setPlaceholderText(placeholder)
        # Room for ``lines`` lines, growing to about twice that with the window; more text
        # scrolls, so that one long statement does not push the rest of a form off screen.
        line = self.fontMetrics().lineSpacing()
        self.setMinimumHeight(line * lines + 12)
        self.setMaximumHeight(line * max(lines * 2, 4) + 12)

    def text(self) -> str:
        return self.toPlainText()

    def setText(self, text: str) -> None:
        if text != self.toPlainText():
            self.setPlainText(text)


def record_table(name: str, headers: Sequence[str], parent: QWidget) -> QTableWidget:
    """A read-only list of records (actions, files, extension requests): whole rows are
    selected one at a time, and Tab leaves it instead of walking its cells."""
    table = QTableWidget(0, len(headers), parent)
    table.setAccessibleName(name)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)
    table.verticalHeader().hide()
    return table


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
