"""Root cause: which answered why is the cause, what kind of cause it is, and the sentence
the register keeps; or, when another finding already has this cause, a link to it.

A statement that reads like a symptom ("human error") is not refused: the room may know
better, but it has to say why, in writing, next to the warning."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from carapp.models.enums import CauseCategory
from carapp.models.symptoms import symptom_phrases
from carapp.models.workshop import Why, WorkshopDraft, problems_root
from carapp.queries.pickers import OtherCause
from carapp.ui.widgets import TextBox
from carapp.ui.workshop.page import WizardContext, WorkshopPage


def deepest_of_first_chain(draft: WorkshopDraft) -> Why | None:
    """The last answered why down the first answers from the problem: where the room
    stopped asking, so the likeliest root cause."""
    found: Why | None = None
    children = draft.children(None)
    while children:
        why = children[0]
        if why.answer.strip():
            found = why
        children = draft.children(why.key)
    return found


def cause_line(cause: OtherCause) -> str:
    category = cause.category.label if cause.category else "no category"
    findings = ", ".join(cause.findings) or "no finding"
    return f"{cause.statement} \u2014 {category} \u2014 {findings}"


def symptom_warning(found: list[str]) -> str:
    phrases = ", ".join(f"\u201c{p}\u201d" for p in found)
    return (
        f"This statement reads like a symptom ({phrases}): the process that let it happen "
        "is still in place. Keep asking why, or write below why it is the cause all the same."
    )


class RootCausePage(WorkshopPage):
    key = "root"
    title = "Root cause"
    hint = "Say which why is the root cause, what kind of cause it is, and write it in one line."

    def __init__(self, context: WizardContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self._filling = False

        self.own = QRadioButton("&Write our own root cause", self)
        self.own.setAccessibleName("Write our own root cause")
        self.link = QRadioButton("&Link an existing root cause instead", self)
        self.link.setAccessibleName("Link an existing root cause")
        modes = QButtonGroup(self)
        modes.addButton(self.own)
        modes.addButton(self.link)
        self.own.setChecked(True)

        # --- Our own cause ------------------------------------------------------------
        self.own_box = QGroupBox("Our root cause", self)
        self.why_label = QLabel("Root cause &why", self.own_box)
        self.why_pick = QComboBox(self.own_box)
        self.why_pick.setAccessibleName("Root cause why")
        self.why_pick.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.why_pick.setMinimumContentsLength(30)
        self.why_label.setBuddy(self.why_pick)
        self.no_whys = QLabel(
            "No why has an answer yet: go back to the why chain and answer at least one.",
            self.own_box,
        )
        self.no_whys.setWordWrap(True)
        self.no_whys.setAccessibleName("Root cause why missing")

        self.category_box = QGroupBox("Category", self.own_box)
        self.category_box.setAccessibleName("Root cause category")
        self.categories = QButtonGroup(self)
        self.category_buttons: dict[CauseCategory, QRadioButton] = {}
        grid = QGridLayout(self.category_box)
        grid.setColumnStretch(1, 1)
        for row, category in enumerate(CauseCategory):
            button = QRadioButton(category.label, self.category_box)
            button.setAccessibleName(category.label)
            button.setAccessibleDescription(category.explanation)
            explanation = QLabel(category.explanation, self.category_box)
            explanation.setWordWrap(True)
            explanation.setBuddy(button)
            self.categories.addButton(button)
            self.category_buttons[category] = button
            grid.addWidget(button, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(explanation, row, 1)

        self.statement_label = QLabel("Root cause &statement (one sentence)", self.own_box)
        self.statement = TextBox("Root cause statement", self.own_box, lines=2)
        self.statement_label.setBuddy(self.statement)
        self.warning = QLabel(self.own_box)
        self.warning.setObjectName("weakPrompt")
        self.warning.setAccessibleName("Root cause symptom warning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(
            "background: #fff1b8; color: #000000; border-left: 8px solid #b35c00; padding: 6px;"
        )
        self.justification_label = QLabel("Why it is the cause &all the same", self.own_box)
        self.justification = TextBox("Why it is the cause all the same", self.own_box, lines=2)
        self.justification_label.setBuddy(self.justification)

        own = QVBoxLayout(self.own_box)
        own.addWidget(self.why_label)
        own.addWidget(self.why_pick)
        own.addWidget(self.no_whys)
        own.addWidget(self.category_box)
        own.addWidget(self.statement_label)
        own.addWidget(self.statement)
        own.addWidget(self.warning)
        own.addWidget(self.justification_label)
        own.addWidget(self.justification)

        # --- Someone else's cause -----------------------------------------------------
        self.link_box = QGroupBox("An existing root cause", self)
        self.search = QLineEdit(self.link_box)
        self.search.setAccessibleName("Search existing root causes")
        self.search.setPlaceholderText("Type words of the statement, a category or a reference")
        self.causes = QListWidget(self.link_box)
        self.causes.setAccessibleName("Existing root causes")
        self.causes.setWordWrap(True)
        self.causes.setMinimumHeight(self.causes.fontMetrics().lineSpacing() * 6)
        self.linked = QLabel(self.link_box)
        self.linked.setAccessibleName("Linked root cause")
        self.linked.setWordWrap(True)
        self.linked.setTextFormat(Qt.TextFormat.RichText)
        links = QVBoxLayout(self.link_box)
        links.addWidget(self.search)
        links.addWidget(self.causes)
        links.addWidget(self.linked)

        layout = QVBoxLayout(self)
        layout.addWidget(self.own)
        layout.addWidget(self.link)
        layout.addWidget(self.link_box)  # above: on a projector the list must be in view
        layout.addWidget(self.own_box)
        layout.addStretch(1)

        self.why_pick.activated.connect(self._why_picked)
        self.categories.buttonClicked.connect(self._category_picked)
        self.statement.textChanged.connect(self._statement_typed)
        self.justification.textChanged.connect(self._justification_typed)
        self.own.toggled.connect(self._mode_changed)
        self.search.textChanged.connect(lambda _t: self._fill_causes())
        self.causes.currentItemChanged.connect(lambda *_a: self._cause_picked())
        self._show_mode()

    # --- Showing ------------------------------------------------------------------------

    def show_draft(self, draft: WorkshopDraft) -> None:
        super().show_draft(draft)
        self._filling = True
        try:
            linked = draft.link_cause_id is not None
            self.link.setChecked(linked)
            self.own.setChecked(not linked)
            self._fill_whys()
            for category, button in self.category_buttons.items():
                button.setChecked(category is draft.category)
            if draft.category is None:
                # A button group cannot have none checked while it is exclusive.
                self.categories.setExclusive(False)
                for button in self.category_buttons.values():
                    button.setChecked(False)
                self.categories.setExclusive(True)
            self._show_category()
            self.statement.setText(draft.statement)
            self.justification.setText(draft.justification)
            self._fill_causes()
        finally:
            self._filling = False
        self._show_warning()
        self._show_mode()

    def entered(self) -> None:
        draft = self.draft
        if draft is None:
            return
        # The chain may have changed on the page before: offer what it now holds, and
        # name the likeliest root cause when the room has not picked one.
        answered = [w.key for w in draft.answered()]
        if draft.link_cause_id is None and draft.root_key not in answered:
            default = deepest_of_first_chain(draft)
            if default is not None:
                self._pick(default.key)
        self.show_draft(draft)
        if self.link.isChecked():
            self.search.setFocus()
        elif self.why_pick.count():
            self.why_pick.setFocus()

    def context_ready(self) -> None:
        self._fill_causes()
        self._show_mode()

    def _fill_whys(self) -> None:
        draft = self.draft
        self.why_pick.clear()
        if draft is None:
            return
        for why in draft.answered():
            number = draft.number(why.key)
            self.why_pick.addItem(f"Why {number}: {why.answer.strip()}", why.key)
            self.why_pick.setItemData(
                self.why_pick.count() - 1, why.answer.strip(), Qt.ItemDataRole.ToolTipRole
            )
        at = self.why_pick.findData(draft.root_key)
        self.why_pick.setCurrentIndex(at)
        self.no_whys.setVisible(self.why_pick.count() == 0)
        self.why_pick.setVisible(self.why_pick.count() > 0)

    def _other_causes(self) -> list[OtherCause] | None:
        causes = self.context.extras.get("causes")
        if not isinstance(causes, list):
            return None
        return [c for c in causes if isinstance(c, OtherCause)]

    def _fill_causes(self) -> None:
        causes = self._other_causes()
        self.causes.blockSignals(True)
        self.causes.clear()
        if causes is None:
            item = QListWidgetItem("Looking for the root causes of other findings\u2026")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.causes.addItem(item)
        else:
            words = self.search.text().lower().split()
            shown = [c for c in causes if all(w in cause_line(c).lower() for w in words)]
            for cause in shown:
                item = QListWidgetItem(cause_line(cause))
                item.setData(Qt.ItemDataRole.UserRole, cause.id)
                self.causes.addItem(item)
                if self.draft is not None and cause.id == self.draft.link_cause_id:
                    self.causes.setCurrentItem(item)
            if not shown:
                item = QListWidgetItem(
                    "No other finding has a root cause with these words."
                    if causes
                    else "No other finding has a root cause yet."
                )
                item.setFlags(Qt.ItemFlag.NoItemFlags)
                self.causes.addItem(item)
        self.causes.blockSignals(False)
        self._show_linked()

    def _show_linked(self) -> None:
        draft = self.draft
        if draft is None or draft.link_cause_id is None:
            self.linked.setText(
                "Pick the cause this finding shares: it becomes this finding's root cause too."
            )
            return
        cause = next((c for c in self._other_causes() or [] if c.id == draft.link_cause_id), None)
        if cause is None:
            self.linked.setText(f"Linked to root cause number {draft.link_cause_id}.")
            return
        category = cause.category.label if cause.category else "no category"
        findings = ", ".join(cause.findings)
        self.linked.setText(
            f"<b>Linked:</b> \u201c{html.escape(cause.statement)}\u201d "
            f"({html.escape(category)}), the root cause of {html.escape(findings)}."
        )

    def _show_warning(self) -> None:
        found = symptom_phrases(self.statement.text())
        self.warning.setText(symptom_warning(found) if found else "")
        for widget in (self.warning, self.justification_label, self.justification):
            widget.setVisible(bool(found))

    def _show_mode(self) -> None:
        linking = self.link.isChecked()
        self.own_box.setEnabled(not linking)
        # Workshop mode's high contrast draws disabled text black: the title says it.
        self.own_box.setTitle(
            "Our root cause (not used while an existing one is linked)"
            if linking
            else "Our root cause"
        )
        self.link_box.setVisible(linking)

    # --- Editing ------------------------------------------------------------------------

    def _pick(self, key: str) -> None:
        """Make ``key`` the root cause, carrying its answer into the statement unless the
        room has written a statement of its own."""
        draft = self.draft
        if draft is None:
            return
        previous = ""
        if draft.root_key is not None and any(w.key == draft.root_key for w in draft.whys):
            previous = draft.why(draft.root_key).answer.strip()
        if not draft.statement.strip() or draft.statement.strip() == previous:
            draft.statement = draft.why(key).answer.strip()
        draft.root_key = key
        self.changed()

    def _why_picked(self, index: int) -> None:
        key = self.why_pick.itemData(index)
        if self.draft is None or not isinstance(key, str):
            return
        self._pick(key)
        self._filling = True
        try:
            self.statement.setText(self.draft.statement)
        finally:
            self._filling = False
        self._show_warning()

    def _category_picked(self) -> None:
        if self.draft is None:
            return
        checked = self.categories.checkedButton()
        self.draft.category = next(
            (c for c, b in self.category_buttons.items() if b is checked), None
        )
        self._show_category()
        self.changed()

    def _show_category(self) -> None:
        # The style's round indicator stays 13 px at 24 pt: the title says the choice in
        # words the back of the room can read.
        category = self.draft.category if self.draft else None
        self.category_box.setTitle(f"Category: {category.label}" if category else "Category")

    def _statement_typed(self) -> None:
        self._show_warning()
        if self._filling or self.draft is None:
            return
        self.draft.statement = self.statement.text()
        self.changed()

    def _justification_typed(self) -> None:
        if self._filling or self.draft is None:
            return
        self.draft.justification = self.justification.text()
        self.changed()

    def _mode_changed(self) -> None:
        self._show_mode()
        if self._filling or self.draft is None:
            return
        if self.own.isChecked() and self.draft.link_cause_id is not None:
            self.draft.link_cause_id = None
            self._show_linked()
            self.changed()
        if self.link.isChecked():
            self._cause_picked()
            self.search.setFocus()

    def _cause_picked(self) -> None:
        item = self.causes.currentItem()
        cause_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if self._filling or self.draft is None or not isinstance(cause_id, int):
            return
        if self.link.isChecked() and self.draft.link_cause_id != cause_id:
            self.draft.link_cause_id = cause_id
            self._show_linked()
            self.changed()

    def problems(self, draft: WorkshopDraft) -> list[str]:
        if self.link.isChecked() and draft.link_cause_id is None:
            return ["Pick the existing root cause to link, or write our own."]
        return problems_root(draft)
