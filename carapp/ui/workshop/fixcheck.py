"""Fix check: the room proposes its actions, one line each, and every one that only treats
the symptom (a reminder, re-training, a manual check) is flagged as it is typed, next to
what a structural fix looks like. Nothing here blocks: the summary lists what stayed
flagged, so the decision to keep it is the team's and is on the record."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from carapp.models.symptoms import STRUCTURAL_ALTERNATIVES, symptom_fix_warning
from carapp.models.symptoms import STRUCTURAL_STARTS as STARTS
from carapp.models.workshop import DraftAction, WorkshopDraft
from carapp.ui.workshop.page import WizardContext, WorkshopPage

WARNING_STYLE = "background: #fff1b8; color: #000000; border-left: 8px solid #b35c00; padding: 6px;"


class _Proposal(QWidget):
    """One proposed action: its line and, under it, what the check found."""

    def __init__(self, number: int, parent: QWidget) -> None:
        super().__init__(parent)
        self.line = QLineEdit(self)
        self.line.setAccessibleName(f"Proposed action {number}")
        self.line.setPlaceholderText("What will the team do? One action per line; Enter adds one.")
        self.caption = QLabel(f"{number}.", self)
        self.caption.setBuddy(self.line)
        self.check = QLabel(self)
        self.check.setAccessibleName(f"Proposed action {number} check")
        self.check.setWordWrap(True)
        self.check.setStyleSheet(WARNING_STYLE)
        self.check.hide()
        row = QHBoxLayout()
        row.addWidget(self.caption)
        row.addWidget(self.line, 1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(row)
        box.addWidget(self.check)

    def show_check(self) -> None:
        warning = symptom_fix_warning(self.line.text())
        self.check.setText(warning)
        self.check.setVisible(bool(warning))


class FixCheckPage(WorkshopPage):
    key = "fixcheck"
    title = "Fix check"
    hint = (
        "Propose the actions, one line each. Would each one stop the cause, or only treat "
        "the symptom?"
    )

    def __init__(self, context: WizardContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.proposals: list[_Proposal] = []
        intro = QLabel(
            "A reminder, re-training or a manual check treats the symptom: the finding is "
            "likely to recur. A structural fix changes the process so that the lapse cannot "
            "happen again.",
            self,
        )
        intro.setWordWrap(True)
        self.rows = QVBoxLayout()
        self.add = QPushButton("&Add proposed action", self)
        self.add.setAccessibleName("Add proposed action")
        self.add.clicked.connect(lambda: self.add_proposal(""))

        alternatives = QGroupBox("What a structural fix looks like", self)
        # Each sentence over its button: side by side, the longest button took half the
        # width at 24 pt and squeezed the sentences into three lines each.
        column = QVBoxLayout(alternatives)
        self.alternative_buttons: list[QPushButton] = []
        for row, (name, sentence) in enumerate(STRUCTURAL_ALTERNATIVES):
            text = QLabel(f"<b>{name}</b>: {sentence}", alternatives)
            text.setWordWrap(True)
            text.setTextFormat(Qt.TextFormat.RichText)
            button = QPushButton(f"Add: {name}", alternatives)
            button.setAccessibleName(f"Add: {name}")
            button.setToolTip(
                f"Adds a proposed action starting \u201c{STARTS[name].strip()}\u2026\u201d"
            )
            button.clicked.connect(lambda _c=False, n=name: self.add_proposal(STARTS[n]))
            self.alternative_buttons.append(button)
            column.addWidget(text)
            column.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
            if row < len(STRUCTURAL_ALTERNATIVES) - 1:
                column.addSpacing(text.fontMetrics().lineSpacing() // 2)

        add_row = QHBoxLayout()
        add_row.addWidget(self.add)
        add_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(self.rows)
        layout.addLayout(add_row)
        layout.addWidget(alternatives)
        layout.addStretch(1)

    # --- Showing ------------------------------------------------------------------------

    def show_draft(self, draft: WorkshopDraft) -> None:
        super().show_draft(draft)
        self._rebuild()

    def entered(self) -> None:
        if self.draft is None:
            return
        self._rebuild()
        if not self.draft.actions:
            # A line to type into; an empty action is not recorded, so this is no edit.
            self.draft.actions.append(DraftAction())
            self._rebuild()
        target = next((p for p in self.proposals if not p.line.text().strip()), None)
        (target or self.proposals[-1]).line.setFocus()

    def _rebuild(self) -> None:
        for proposal in self.proposals:
            self.rows.removeWidget(proposal)
            proposal.setParent(None)
            proposal.deleteLater()
        self.proposals = []
        for action in self.draft.actions if self.draft else []:
            self._append_row(action.description)

    def _append_row(self, text: str) -> _Proposal:
        number = len(self.proposals) + 1
        proposal = _Proposal(number, self)
        proposal.line.setText(text)
        proposal.line.setCursorPosition(0)  # a long action shows its start, not its end
        proposal.show_check()
        index = number - 1
        proposal.line.textEdited.connect(lambda t, i=index: self._typed(i, t))
        proposal.line.returnPressed.connect(lambda i=index: self._enter(i))
        self.rows.addWidget(proposal)
        proposal.show()  # a layout shows a late child only on the next event loop turn
        self.proposals.append(proposal)
        return proposal

    # --- Editing ------------------------------------------------------------------------

    def add_proposal(self, start: str) -> None:
        """A new proposed action, typed from ``start``."""
        if self.draft is None:
            return
        last = self.draft.actions[-1] if self.draft.actions else None
        if last is not None and not last.description.strip() and last.is_blank():
            # Fill the empty line left at the end rather than leave a gap above the new one.
            last.description = start
            proposal = self.proposals[-1]
            proposal.line.setText(start)
            proposal.show_check()
        else:
            self.draft.actions.append(DraftAction(description=start))
            proposal = self._append_row(start)
        proposal.line.setFocus()
        proposal.line.setCursorPosition(len(start))
        if start:
            self.changed()

    def _typed(self, index: int, text: str) -> None:
        if self.draft is None or index >= len(self.draft.actions):
            return
        self.draft.actions[index].description = text
        self.proposals[index].show_check()
        self.changed()

    def _enter(self, index: int) -> None:
        if index + 1 < len(self.proposals):
            self.proposals[index + 1].line.setFocus()
        elif self.proposals[index].line.text().strip():
            self.add_proposal("")
