"""Deadlines: when the action plan and the closure are due and how long is left, the day
the action plan went to the certification body, and the extensions asked for and
answered. An extended date is always shown with the one it replaced."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from carapp import operations as op
from carapp.models.enums import Deadline, ExtensionStatus, Stage
from carapp.queries import FindingDetail, find_audit
from carapp.queries.findings import ExtensionView
from carapp.ui.editor.fields import DateField, EnumBox, FieldProblem
from carapp.ui.editor.section import Edit, EditorContext, SaveContext, Section
from carapp.ui.editor.small_dialog import SmallDialog
from carapp.ui.widgets import TextBox, add_row, record_table

OVERDUE_STYLE = "color: #b00000; font-weight: 600;"
COLUMNS = (
    "Deadline",
    "Asked on",
    "Previous due",
    "New date asked",
    "Reason",
    "Status",
    "Granted date",
    "Decided on",
)


# "Plan" alone reads as any plan; the certification body's letters say "action plan".
DEADLINE_NAMES = {Deadline.PLAN: "Action plan", Deadline.CLOSURE: "Closure"}


@dataclass(frozen=True)
class PendingRequest:
    deadline: Deadline
    asked_on: dt.date
    requested_due: dt.date
    reason: str


@dataclass(frozen=True)
class PendingAnswer:
    granted: bool
    on: dt.date
    granted_due: dt.date | None
    note: str


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def due_text(
    name: str,
    due: dt.date | None,
    original: dt.date | None,
    today: dt.date,
    *,
    sent_on: dt.date | None = None,
    running: bool = True,
) -> tuple[str, bool]:
    """The line that says a deadline, and whether it is overdue."""
    if due is None:
        return f"{name}: no deadline (the deadline rules set none for this finding).", False
    text = f"{name} due {due.isoformat()}"
    if original is not None and original != due:
        text += f" (extended from {original.isoformat()})"
    if sent_on is not None:
        return f"{text}: met, the action plan was sent on {sent_on.isoformat()}.", False
    if not running:
        return f"{text}.", False
    left = (due - today).days
    if left < 0:
        return f"{text}: overdue by {_days(-left)}.", True
    if left == 0:
        return f"{text}: due today.", False
    return f"{text}: {_days(left)} left.", False


def original_due(detail: FindingDetail, deadline: Deadline) -> dt.date | None:
    """The date set by the rules, before any granted extension moved it."""
    granted = [
        e
        for e in detail.extensions
        if e.deadline is deadline and e.status is ExtensionStatus.GRANTED
    ]
    return granted[0].previous_due if granted else None


class DeadlinesSection(Section):
    key = "deadlines"
    title = "Deadlines"

    def __init__(self, context: EditorContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.plan_line = QLabel(self)
        self.plan_line.setAccessibleName("Action plan deadline")
        self.closure_line = QLabel(self)
        self.closure_line.setAccessibleName("Closure deadline")
        self.rule_line = QLabel(self)
        self.rule_line.setAccessibleName("Where the deadlines come from")
        self.rule_line.setWordWrap(True)
        self.rule_line.setStyleSheet("font-style: italic;")
        for line in (self.plan_line, self.closure_line, self.rule_line):
            line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sent = DateField("Action plan sent on", self)
        sent_help = QLabel(
            "The day the action plan (root cause and planned actions) went to the "
            "certification body; it meets the action plan deadline.",
            self,
        )
        sent_help.setWordWrap(True)
        form = QFormLayout()
        add_row(form, "Action plan &sent on", self.sent, focus=self.sent.line)
        form.addRow(sent_help)

        heading = QLabel("<b>Extension requests</b>", self)
        self.table = record_table("Extension requests", COLUMNS, self)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(150)
        self.request_button = QPushButton("&Request an extension\u2026", self)
        self.request_button.setAccessibleName("Request an extension\u2026")
        self.answer_button = QPushButton("Record the body's &answer\u2026", self)
        self.answer_button.setAccessibleName("Record the body's answer\u2026")
        self.answer_button.setToolTip("For the extension request selected in the list")
        buttons = QHBoxLayout()
        buttons.addWidget(self.request_button)
        buttons.addWidget(self.answer_button)
        buttons.addStretch(1)

        box = QVBoxLayout(self)
        box.addWidget(self.plan_line)
        box.addWidget(self.closure_line)
        box.addWidget(self.rule_line)
        box.addSpacing(8)
        box.addLayout(form)
        box.addSpacing(8)
        box.addWidget(heading)
        box.addWidget(self.table)
        box.addLayout(buttons)
        box.addStretch(1)

        self.requests: list[PendingRequest] = []
        self.answers: dict[int, PendingAnswer] = {}
        self.dialog: SmallDialog | None = None
        self.watch(self.sent)
        self.request_button.clicked.connect(self.ask_request)
        self.answer_button.clicked.connect(self.ask_answer)
        self.table.itemSelectionChanged.connect(self._enable)

    # --- Showing ---------------------------------------------------------------------

    def load(self, detail: FindingDetail | None) -> None:
        self.requests = []
        self.answers = {}
        self.sent.set_value(detail.plan_sent_on if detail else None)
        if detail is None:
            self.plan_line.clear()
            self.closure_line.clear()
            self.rule_line.clear()
        else:
            running = detail.stage not in (Stage.CLOSED, Stage.VOID)
            for line, name, due, deadline, sent in (
                (
                    self.plan_line,
                    "Action plan",
                    detail.plan_due,
                    Deadline.PLAN,
                    detail.plan_sent_on,
                ),
                (self.closure_line, "Closure", detail.closure_due, Deadline.CLOSURE, None),
            ):
                text, overdue = due_text(
                    name,
                    due,
                    original_due(detail, deadline),
                    self.context.today,
                    sent_on=sent,
                    running=running,
                )
                line.setText(text)
                line.setStyleSheet(OVERDUE_STYLE if overdue else "")
            self.rule_line.setText(self._rule_source(detail))
        self._fill_table()

    def _rule_source(self, detail: FindingDetail) -> str:
        rules = f"The register's deadline rules for a {detail.classification.label} set the days"
        if detail.audit is not None:
            audit = find_audit(self.context.register, detail.audit)
            if audit is not None and audit.report_received_on is not None:
                by = f", {audit.certification_body}" if audit.certification_body else ""
                return (
                    f"Counted from {audit.report_received_on.isoformat()}, the day the report "
                    f"of {audit.ref} ({audit.kind.label}{by}) arrived. {rules}; a granted "
                    "extension replaces the date."
                )
        return (
            f"Counted from {detail.identified.isoformat()}, the day the finding was "
            f"identified. {rules}; a granted extension replaces the date."
        )

    def _fill_table(self) -> None:
        saved = self.detail.extensions if self.detail else ()
        self.table.setRowCount(len(saved) + len(self.requests))
        for row, e in enumerate(saved):
            answer = self.answers.get(e.id)
            if answer is None:
                status = e.status.label
                granted, decided = e.granted_due, e.decided_on
            else:
                status = f"{'Granted' if answer.granted else 'Refused'} (unsaved)"
                granted = (answer.granted_due or e.requested_due) if answer.granted else None
                decided = answer.on
            self._set_row(
                row,
                e.id,
                (
                    DEADLINE_NAMES[e.deadline],
                    e.asked_on.isoformat(),
                    e.previous_due.isoformat(),
                    e.requested_due.isoformat(),
                    e.reason,
                    status,
                    granted.isoformat() if granted else "",
                    decided.isoformat() if decided else "",
                ),
            )
        for offset, p in enumerate(self.requests):
            due = self._current_due(p.deadline)
            self._set_row(
                len(saved) + offset,
                None,
                (
                    DEADLINE_NAMES[p.deadline],
                    p.asked_on.isoformat(),
                    due.isoformat() if due else "",
                    p.requested_due.isoformat(),
                    p.reason,
                    "Requested (unsaved)",
                    "",
                    "",
                ),
            )
        self._enable()

    def _set_row(self, row: int, request_id: int | None, cells: tuple[str, ...]) -> None:
        for column, text in enumerate(cells):
            item = QTableWidgetItem(" ".join(text.split()))
            item.setToolTip(text)
            item.setData(Qt.ItemDataRole.UserRole, request_id)
            self.table.setItem(row, column, item)

    def _current_due(self, deadline: Deadline) -> dt.date | None:
        if self.detail is None:
            return None
        return self.detail.plan_due if deadline is Deadline.PLAN else self.detail.closure_due

    def selected_request(self) -> ExtensionView | None:
        """The saved, still undecided request selected in the list."""
        rows = self.table.selectionModel().selectedRows()
        if not rows or self.detail is None:
            return None
        item = self.table.item(rows[0].row(), 0)
        request_id = item.data(Qt.ItemDataRole.UserRole) if item else None
        return next(
            (
                e
                for e in self.detail.extensions
                if e.id == request_id and e.status is ExtensionStatus.REQUESTED
            ),
            None,
        )

    def _enable(self) -> None:
        self.answer_button.setEnabled(self.selected_request() is not None)
        if self.detail and not any(
            e.status is ExtensionStatus.REQUESTED for e in self.detail.extensions
        ):
            self.answer_button.setToolTip("No request is waiting for the body's answer.")
        else:
            self.answer_button.setToolTip("For the extension request selected in the list")

    # --- Asking ----------------------------------------------------------------------

    def ask_request(self) -> None:
        dues = []
        for name, due in (
            ("action plan", self._current_due(Deadline.PLAN)),
            ("closure", self._current_due(Deadline.CLOSURE)),
        ):
            dues.append(f"{name} due {due.isoformat()}" if due else f"no {name} deadline")
        dialog = SmallDialog(
            "Request an extension",
            f"Now: {'; '.join(dues)}. An extension must be asked for before the deadline it "
            "extends. It is recorded as requested when you Save; record the body's answer "
            "when it comes.",
            "&Add the request",
            self,
        )
        deadline = EnumBox("Deadline", list(Deadline), parent=dialog)
        for index, member in enumerate(Deadline):
            deadline.setItemText(index, DEADLINE_NAMES[member])
        if self.detail is not None and (
            self.detail.plan_sent_on is not None or self.detail.plan_due is None
        ):
            deadline.set_value(Deadline.CLOSURE)
        asked = DateField("Asked on", dialog)
        asked.set_value(self.context.today)
        new = DateField("New date asked", dialog)
        reason = TextBox("Reason", dialog, lines=3)
        add_row(dialog.form, "&Deadline", deadline)
        add_row(dialog.form, "As&ked on", asked, focus=asked.line)
        add_row(dialog.form, "&New date asked", new, focus=new.line)
        add_row(dialog.form, "&Reason", reason)
        result: list[PendingRequest] = []

        def check() -> None:
            chosen, on, until = deadline.value(), asked.value(), new.value()
            if on is None:
                raise FieldProblem(asked.line, "Say when the extension was asked for.")
            if until is None:
                raise FieldProblem(new.line, "Say which new date is asked for.")
            if not reason.text().strip():
                raise FieldProblem(reason, "Say why the extension is needed.")
            assert chosen is not None
            result[:] = [PendingRequest(chosen, on, until, reason.text())]

        dialog.check = check
        dialog.accepted.connect(lambda: self._add_request(result[0]))
        self._open(dialog)

    def _add_request(self, request: PendingRequest) -> None:
        self.requests.append(request)
        self._fill_table()
        self.edited.emit()

    def ask_answer(self) -> None:
        request = self.selected_request()
        if request is None:
            return
        dialog = SmallDialog(
            "The certification body's answer",
            f"{DEADLINE_NAMES[request.deadline]} deadline {request.previous_due.isoformat()}, "
            f"asked to move to {request.requested_due.isoformat()}.",
            "&Record the answer",
            self,
        )
        granted = QRadioButton("&Granted", dialog)
        refused = QRadioButton("Re&fused", dialog)
        group = QButtonGroup(dialog)
        group.addButton(granted)
        group.addButton(refused)
        granted.setChecked(True)
        choice = QHBoxLayout()
        choice.addWidget(granted)
        choice.addWidget(refused)
        choice.addStretch(1)
        decided = DateField("Decided on", dialog)
        decided.set_value(self.context.today)
        until = DateField("Granted date", dialog)
        until.set_value(request.requested_due)
        note = TextBox("Note on the answer", dialog, lines=2)
        dialog.form.addRow(choice)
        add_row(dialog.form, "&Decided on", decided, focus=decided.line)
        add_row(dialog.form, "Granted da&te", until, focus=until.line)
        add_row(dialog.form, "N&ote on the answer", note)
        granted.toggled.connect(until.setEnabled)
        result: list[PendingAnswer] = []

        def check() -> None:
            on = decided.value()
            if on is None:
                raise FieldProblem(decided.line, "Say when the body answered.")
            new_due = until.value() if granted.isChecked() else None
            if granted.isChecked() and new_due is None:
                raise FieldProblem(until.line, "Say which date the body granted.")
            result[:] = [PendingAnswer(granted.isChecked(), on, new_due, note.text())]

        dialog.check = check
        dialog.accepted.connect(lambda: self._add_answer(request.id, result[0]))
        self._open(dialog)

    def _add_answer(self, request_id: int, answer: PendingAnswer) -> None:
        self.answers[request_id] = answer
        self._fill_table()
        self.edited.emit()

    def _open(self, dialog: SmallDialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    # --- Saving ----------------------------------------------------------------------

    def edits(self) -> list[Edit]:
        d = self.detail
        if d is None:
            return []
        out: list[Edit] = []
        sent = self.sent.value()
        if sent != d.plan_sent_on:
            if sent is None:
                raise FieldProblem(
                    self.sent.line,
                    "The date the action plan was sent cannot be emptied; correct it instead.",
                )
            out.append(
                Edit(
                    "Record the action plan as sent",
                    lambda s: op.record_plan_sent(s.register, s.finding, sent),
                    self.sent.line,
                )
            )
        for p in self.requests:
            out.append(Edit("Request an extension", _request_edit(p), self.table))
        for request_id, a in self.answers.items():
            out.append(
                Edit(
                    "Record the certification body's answer",
                    _answer_edit(request_id, a),
                    self.table,
                )
            )
        return out


def _request_edit(p: PendingRequest) -> Callable[[SaveContext], op.Changes[int]]:
    def apply(s: SaveContext) -> op.Changes[int]:
        return op.request_extension(
            s.register, s.finding, p.deadline, p.asked_on, p.requested_due, p.reason
        )

    return apply


def _answer_edit(request_id: int, a: PendingAnswer) -> Callable[[SaveContext], op.Changes[None]]:
    def apply(s: SaveContext) -> op.Changes[None]:
        return op.decide_extension(
            s.register, request_id, a.granted, a.on, a.note, granted_due=a.granted_due
        )

    return apply
