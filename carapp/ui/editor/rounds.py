"""Older analysis rounds, readable and not editable, and the small pieces the analysis
sections (root cause, actions, effectiveness) share: a chooser over other findings' records
and the way a round is named.

A failed effectiveness review starts a new round (clause 10.2 sends the finding back to
evaluate the cause); what the earlier rounds found stays in view, so the next analysis
can start from why the last one did not work."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from carapp.models.enums import ReviewResult
from carapp.queries import FindingDetail

T = TypeVar("T")


def round_title(detail: FindingDetail, number: int) -> str:
    """ "Round 1 — the effectiveness review found the actions not effective"."""
    failed = any(
        r.round == number and r.result is ReviewResult.NOT_EFFECTIVE for r in detail.reviews
    )
    if failed:
        return f"Round {number} \u2014 the effectiveness review found the actions not effective"
    return f"Round {number}"


def round_heading(parent: QWidget) -> QLabel:
    """Which round the inputs below belong to; shown from round 2 on."""
    label = QLabel(parent)
    label.setAccessibleName("Round")
    label.setWordWrap(True)
    label.setStyleSheet("font-weight: 600;")
    label.hide()
    return label


def show_round(label: QLabel, detail: FindingDetail | None) -> None:
    cycle = detail.cycle if detail else 1
    label.setText(
        f"Round {cycle}: round {cycle - 1}’s actions were found not effective, so the "
        "analysis starts again here. Earlier rounds are below, read-only."
        if cycle > 1
        else ""
    )
    label.setVisible(cycle > 1)


def past_rounds(detail: FindingDetail | None) -> list[int]:
    """The finished rounds, newest first (the one just failed is the most useful)."""
    if detail is None:
        return []
    return list(range(detail.cycle - 1, 0, -1))


P = TypeVar("P", bound=QPlainTextEdit)


def fit(box: P, lines: int) -> P:
    """Keep a text box to about ``lines`` lines high: left to grow, a page of text boxes
    pushes everything below it out of the window."""
    box.setMaximumHeight(box.fontMetrics().lineSpacing() * (lines + 1) + 14)
    return box


def text_html(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def reading_label(text: str, name: str, parent: QWidget | None = None) -> QLabel:
    """Read-only text that wraps, can be selected and copied, and is named."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAccessibleName(name)
    label.setText(text)
    return label


class PastRounds(QWidget):
    """One group per finished round, each a read-only text rendered by ``render``
    (None: that round has nothing of this kind)."""

    def __init__(
        self, render: Callable[[FindingDetail, int], str | None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._render = render
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 8, 0, 0)
        self.groups: list[QGroupBox] = []

    def load(self, detail: FindingDetail | None) -> None:
        for group in self.groups:
            self.box.removeWidget(group)
            group.deleteLater()
        self.groups = []
        for number in past_rounds(detail):
            assert detail is not None
            body = self._render(detail, number)
            title = round_title(detail, number)
            group = QGroupBox(title, self)
            group.setAccessibleName(title)
            inner = QVBoxLayout(group)
            inner.addWidget(
                reading_label(body or "<i>Nothing was recorded in this round.</i>", title, group)
            )
            self.box.addWidget(group)
            self.groups.append(group)
        self.setVisible(bool(self.groups))


class Chooser(QDialog, Generic[T]):
    """Pick one of another finding's records: typing narrows the list (``find`` is the
    query), Enter or OK takes the highlighted one. Opened window-modal without blocking,
    so whoever opened it connects ``accepted`` and reads :meth:`choice`."""

    def __init__(
        self,
        title: str,
        list_name: str,
        find: Callable[[str], Sequence[T]],
        describe: Callable[[T], str],
        parent: QWidget | None = None,
        *,
        none_yet: str = "No other finding has one yet.",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self._find = find
        self.describe = describe
        self.items: list[T] = []
        self.none_yet = none_yet
        self.search = QLineEdit(self)
        self.search.setAccessibleName("Search")
        self.search.setPlaceholderText("Type words of the text or a finding's reference")
        caption = QLabel("&Search", self)
        caption.setBuddy(self.search)
        self.list = QListWidget(self)
        self.list.setAccessibleName(list_name)
        self.list.setWordWrap(True)
        self.empty = QLabel("", self)
        self.empty.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        for button in self.buttons.buttons():
            button.setAccessibleName(button.text().replace("&", ""))
        self.buttons.accepted.connect(self._take)
        self.buttons.rejected.connect(self.reject)
        self.list.itemActivated.connect(lambda _i: self._take())
        box = QVBoxLayout(self)
        box.addWidget(caption)
        box.addWidget(self.search)
        box.addWidget(self.list, 1)
        box.addWidget(self.empty)
        box.addWidget(self.buttons)
        self.search.textChanged.connect(self._refresh)
        # Enter in the search line takes the highlighted record, as a search box does.
        self.search.returnPressed.connect(self._take)
        self.resize(640, 420)
        self._refresh("")

    def _refresh(self, text: str) -> None:
        self.items = list(self._find(text))
        self.list.clear()
        for item in self.items:
            self.list.addItem(QListWidgetItem(self.describe(item)))
        if self.items:
            self.list.setCurrentRow(0)
            self.empty.setText("")
        else:
            self.empty.setText(
                "Nothing matches: try fewer words." if text.strip() else self.none_yet
            )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setEnabled(bool(self.items))

    def _take(self) -> None:
        if self.choice() is not None:
            self.accept()

    def choice(self) -> T | None:
        row = self.list.currentRow()
        return self.items[row] if 0 <= row < len(self.items) else None
