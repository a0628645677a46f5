"""Settings: the organisation's name, the prefixes of new references, and the deadline
rules that give each finding its plan and closure due dates.

OK saves everything in one transaction, so a refused value leaves the register as it was
(the other values typed are not half-saved) and everything typed stays in the dialog to be
put right. A rule change moves the due dates of every open finding; closed and void
findings keep the dates they were held to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from carapp import operations as op
from carapp.errors import CarappError, InvalidInputError
from carapp.models.enums import Classification
from carapp.operations.changes import Changes, changes_of
from carapp.queries import DeadlineRuleView, list_audits, list_deadline_rules, register_settings
from carapp.store import Register
from carapp.ui import tasks
from carapp.ui.widgets import add_row

ANY = "*"
INTERNAL = "internal"
ANY_TEXT = "Any certification body"
INTERNAL_TEXT = "Internal (no certification body)"
# The prefix settings, as the dialog names them.
PREFIXES = (
    ("prefix.major", "&Major nonconformities"),
    ("prefix.minor", "M&inor nonconformities"),
    ("prefix.observation", "O&bservations"),
    ("prefix.ofi", "Opportunities for im&provement"),
    ("prefix.audit", "A&udits"),
    ("prefix.action", "Corrective a&ctions"),
)
PROBLEM_STYLE = "border: 2px solid #c00;"
RULE_COLUMNS = ("Certification body", "Classification", "Plan days", "Closure days")
PLAN, CLOSURE = 2, 3


def scope_text(scope: str) -> str:
    return {ANY: ANY_TEXT, INTERNAL: INTERNAL_TEXT}.get(scope, scope)


def scope_of(text: str) -> str:
    """The rule scope a typed body means; "any" and "internal" in any case too."""
    plain = text.strip()
    if plain.casefold() in (ANY_TEXT.casefold(), "any", ANY):
        return ANY
    if plain.casefold() in (INTERNAL_TEXT.casefold(), INTERNAL):
        return INTERNAL
    return plain


@dataclass(frozen=True)
class RuleRow:
    scope: str
    classification: Classification
    plan_days: int | None
    closure_days: int | None


@dataclass(frozen=True)
class Refusal:
    message: str
    widget: QWidget | None


class SettingsDialog(QDialog):
    def __init__(
        self,
        register: Register,
        parent: QWidget | None = None,
        *,
        on_changes: Callable[[Changes[Any]], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.register = register
        self.on_changes = on_changes or (lambda _c: None)
        self.changes: Changes[Any] | None = None
        self.saving: tasks.Task[Changes[Any] | Refusal] | None = None
        self.marked: QWidget | None = None  # the input a refusal came from
        self.setWindowTitle("Settings")
        self.resize(780, 660)
        self.settings = register_settings(register)
        self.rules = {(r.scope, r.classification): r for r in list_deadline_rules(register)}

        self.organisation = QLineEdit(self.settings["organisation"], self)
        self.organisation.setPlaceholderText("Shown in the window title and on every report")
        general = QFormLayout()
        add_row(general, "&Organisation", self.organisation)

        self.prefixes: dict[str, QLineEdit] = {}
        prefix_box = QGroupBox("Reference prefixes (for references given from now on)", self)
        # Two columns of three: the prefixes are short, the rules below need the height.
        prefix_grid = QHBoxLayout(prefix_box)
        columns = (QFormLayout(), QFormLayout())
        for index, (key, label) in enumerate(PREFIXES):
            line = QLineEdit(self.settings[key], self)
            line.setMaxLength(10)
            line.setMaximumWidth(self.fontMetrics().horizontalAdvance("W" * 10) + 12)
            self.prefixes[key] = line
            add_row(columns[index // 3], label, line)
        for form in columns:
            prefix_grid.addLayout(form)
        prefix_grid.addStretch(1)

        rules_box = QGroupBox("Deadline rules", self)
        intro = QLabel(
            "Days from the audit report (or from identification when there is no report) "
            "to the action plan and to closure. The first rule that matches a finding "
            "counts: its certification body's own, then any certification body's. Leave "
            "days empty for no deadline. Changing a rule moves the due dates of every open "
            "finding it applies to.",
            rules_box,
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(0, len(RULE_COLUMNS), rules_box)
        self.table.setAccessibleName("Deadline rules")
        self.table.setHorizontalHeaderLabels(list(RULE_COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.add_rule_button = QPushButton("&Add a rule", rules_box)
        self.add_rule_button.setAccessibleName("Add a rule")
        self.add_rule_button.clicked.connect(lambda _c=False: self.add_rule())
        rules_layout = QVBoxLayout(rules_box)
        rules_layout.addWidget(intro)
        rules_layout.addWidget(self.table, 1)
        add_line = QHBoxLayout()
        add_line.addWidget(self.add_rule_button)
        add_line.addStretch(1)
        rules_layout.addLayout(add_line)
        for rule in self.rules.values():
            self._add_row(rule, new=False)

        self.message = QLabel(self)
        self.message.setAccessibleName("Settings message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #a40000")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setAccessibleName("OK")
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        if register.read_only:
            self.ok_button.setEnabled(False)
            self.message.setText("This register is open read-only: settings cannot be changed.")

        top = QHBoxLayout()
        left = QVBoxLayout()
        left.addLayout(general)
        left.addWidget(prefix_box)
        left.addStretch(1)
        top.addLayout(left)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(rules_box, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    # --- Rules -----------------------------------------------------------------------

    def _add_row(self, rule: RuleRow | DeadlineRuleView, *, new: bool) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        if new:
            body = QComboBox(self.table)
            body.setEditable(True)
            body.setAccessibleName("Certification body")
            line = body.lineEdit()
            if line is not None:
                line.setAccessibleName("Certification body")
            bodies = sorted({a.certification_body or "" for a in list_audits(self.register)})
            body.addItems([ANY_TEXT, INTERNAL_TEXT, *(b for b in bodies if b)])
            classification = QComboBox(self.table)
            classification.setAccessibleName("Classification")
            for c in Classification:
                classification.addItem(c.label, c.value)
            self.table.setCellWidget(row, 0, body)
            self.table.setCellWidget(row, 1, classification)
        else:
            for column, text in ((0, scope_text(rule.scope)), (1, rule.classification.label)):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                item.setData(Qt.ItemDataRole.UserRole, (rule.scope, rule.classification))
                self.table.setItem(row, column, item)
        for column, days in ((PLAN, rule.plan_days), (CLOSURE, rule.closure_days)):
            item = QTableWidgetItem("" if days is None else str(days))
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setToolTip("Days allowed; empty for no deadline")
            self.table.setItem(row, column, item)
        return row

    def add_rule(self) -> None:
        """A new row: a body (any, internal or one named), a classification and its days."""
        row = self._add_row(RuleRow(ANY, Classification.MAJOR, None, None), new=True)
        body = self.table.cellWidget(row, 0)
        self.table.scrollToBottom()
        if body is not None:
            body.setFocus()

    def _days(self, row: int, column: int, what: str) -> int | None:
        item = self.table.item(row, column)
        text = item.text().strip() if item else ""
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            self.table.setCurrentCell(row, column)
            raise InvalidInputError(
                f"The {what} of the rule in row {row + 1} must be a whole number of days "
                "(such as 90), or empty for no deadline."
            ) from None

    def rule_rows(self) -> list[RuleRow]:
        """Every row as a rule; raises InvalidInputError at the first that is not one."""
        out: list[RuleRow] = []
        for row in range(self.table.rowCount()):
            plan = self._days(row, PLAN, "plan days")
            closure = self._days(row, CLOSURE, "closure days")
            body = self.table.cellWidget(row, 0)
            kind = self.table.cellWidget(row, 1)
            if isinstance(body, QComboBox) and isinstance(kind, QComboBox):
                scope = scope_of(body.currentText())
                if not scope:
                    body.setFocus()
                    raise InvalidInputError(
                        f"Name the certification body of the rule in row {row + 1}, or choose "
                        f"\u201c{ANY_TEXT}\u201d."
                    )
                classification = Classification(kind.currentData())
            else:
                item = self.table.item(row, 0)
                assert item is not None
                scope, classification = item.data(Qt.ItemDataRole.UserRole)
            out.append(RuleRow(scope, classification, plan, closure))
        return out

    # --- Saving ----------------------------------------------------------------------

    def save(self) -> None:
        if self.saving is not None and not self.saving.ended:
            return
        self.message.setText("")
        if self.marked is not None:
            self.marked.setStyleSheet("")
            self.marked.setToolTip("")
            self.marked = None
        try:
            rows = self.rule_rows()
        except InvalidInputError as exc:
            self.message.setText(str(exc))
            return
        settings = {"organisation": self.organisation.text()}
        settings |= {key: line.text() for key, line in self.prefixes.items()}
        changed = {k: v for k, v in settings.items() if v != self.settings[k]}
        seen: set[tuple[str, Classification]] = set()
        rules: list[RuleRow] = []
        for rule in rows:
            key = (rule.scope, rule.classification)
            if key in seen:
                self.message.setText(
                    f"There are two rules for {scope_text(rule.scope)} and "
                    f"{rule.classification.label}: keep one."
                )
                return
            seen.add(key)
            old = self.rules.get(key)
            if old is None or (old.plan_days, old.closure_days) != (
                rule.plan_days,
                rule.closure_days,
            ):
                rules.append(rule)
        if not changed and not rules:
            self.accept()
            return
        register = self.register
        fields = {**self.prefixes, "organisation": self.organisation}

        def work(_cancel: tasks.Cancel) -> Changes[Any] | Refusal:
            widget: QWidget | None = None
            try:
                with register.transaction() as session:
                    for key, value in changed.items():
                        widget = fields[key]
                        op.set_setting(register, key, value)
                    widget = self.table
                    for rule in rules:
                        op.set_deadline_rule(
                            register,
                            rule.scope,
                            rule.classification,
                            rule.plan_days,
                            rule.closure_days,
                        )
                    session.flush()
                    return changes_of(session, None)
            except CarappError as exc:
                return Refusal(str(exc), widget)

        self.ok_button.setEnabled(False)
        self.message.setText("Saving\u2026")
        self.saving = tasks.run(work, self._saved, self._failed)

    def _saved(self, outcome: Changes[Any] | Refusal) -> None:
        self.ok_button.setEnabled(True)
        if isinstance(outcome, Refusal):
            self.message.setText(f"Nothing was saved: {outcome.message}")
            if outcome.widget is not None:
                outcome.widget.setStyleSheet(PROBLEM_STYLE)
                outcome.widget.setToolTip(outcome.message)
                outcome.widget.setFocus()
                self.marked = outcome.widget
            return
        self.changes = outcome
        self.message.setText("")
        self.on_changes(outcome)
        self.accept()

    def _failed(self, sentence: str) -> None:
        self.ok_button.setEnabled(True)
        self.message.setText(sentence)

    # --- Closing while saving ----------------------------------------------------------

    def reject(self) -> None:
        if self.saving is not None and not self.saving.ended:
            self.message.setText("Saving\u2026 the dialog closes when the save has ended.")
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.saving is not None and not self.saving.ended:
            event.ignore()
            return
        super().closeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Return in the rules table finishes editing a cell; it does not press OK (the
        # cell's editor lets the key on to the dialog, and the value would not be in yet).
        focus = QApplication.focusWidget()
        in_table = focus is not None and (focus is self.table or self.table.isAncestorOf(focus))
        if in_table and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return
        super().keyPressEvent(event)
