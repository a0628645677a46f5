"""Actions (clause 10.2 c): what will be done to remove the cause, by whom and by when,
and how success will be measured; then each action's completion, with evidence, or its
cancellation, with the reason.

Every change here waits for Save: a planned, completed, cancelled or linked action shows
in the table marked "(unsaved)" until then."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from carapp import operations as op
from carapp.models.enums import ActionKind, ActionStatus
from carapp.models.symptoms import symptom_fix_warning
from carapp.queries import FindingDetail, OtherAction, other_actions
from carapp.queries.findings import ActionView
from carapp.ui.editor.fields import DateField, EnumBox, FieldProblem, PersonChoice, parse_date
from carapp.ui.editor.rounds import (
    Chooser,
    PastRounds,
    fit,
    reading_label,
    round_heading,
    show_round,
    text_html,
)
from carapp.ui.editor.section import Edit, EditorContext, SaveContext, Section
from carapp.ui.widgets import TextBox, add_row, record_table

COLUMNS = (
    "Action",
    "Kind",
    "Description",
    "Owner",
    "Target date",
    "Outcome",
    "Status",
    "Also answers",
)
UNSAVED = "(unsaved)"


@dataclass(frozen=True)
class Completion:
    on: dt.date
    evidence: str
    file: Path | None


@dataclass
class _Row:
    """One action as the table shows it: as saved, with what the user changed since."""

    saved: ActionView | None  # None: planned here, not saved yet
    linked: OtherAction | None  # another finding's action, to link on Save
    kind: ActionKind
    description: str
    owner: PersonChoice
    target: str  # as typed: checked to be a date on Save
    outcome: str
    completion: Completion | None = None
    cancel_reason: str | None = None

    @classmethod
    def of(cls, action: ActionView) -> _Row:
        return cls(
            action,
            None,
            action.kind,
            action.description,
            action.owner_id,
            action.target_on.isoformat() if action.target_on else "",
            action.outcome,
        )

    @property
    def label(self) -> str:
        if self.saved:
            return self.saved.ref
        if self.linked:
            return self.linked.ref
        return "New action"

    @property
    def editable(self) -> bool:
        """Whether its plan can still be changed here."""
        if self.linked is not None:
            return False
        return self.saved is None or self.saved.status in (
            ActionStatus.PLANNED,
            ActionStatus.IN_PROGRESS,
        )

    def status(self) -> str:
        if self.linked is not None:
            return f"Linked {UNSAVED}"
        if self.saved is None:
            return f"Planned {UNSAVED}"
        if self.cancel_reason is not None:
            return f"Cancelled {UNSAVED}"
        if self.completion is not None:
            return f"Done {UNSAVED}"
        if self.plan_changed():
            return f"Changed {UNSAVED}"
        return self.saved.status.label

    def plan_changed(self) -> bool:
        a = self.saved
        if a is None:
            return True
        try:
            target = parse_date(self.target)
        except ValueError:
            return True  # not a date yet: Save says so
        return (self.kind, self.description, self.owner, target, self.outcome) != (
            a.kind,
            a.description,
            a.owner_id,
            a.target_on,
            a.outcome,
        )

    def is_pending(self) -> bool:
        return (
            self.saved is None
            or self.linked is not None
            or self.completion is not None
            or self.cancel_reason is not None
            or (self.editable and self.plan_changed())
        )


class ActionsSection(Section):
    key = "actions"
    title = "Actions"

    def __init__(self, context: EditorContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        intro = QLabel(
            "What will remove the cause, who does it and by when, and how you will know it "
            "worked. Complete each action with evidence (a description or a file).",
            self,
        )
        intro.setWordWrap(True)
        self.table = record_table("Actions of this round", COLUMNS, self)
        # One line per action, the whole text in its tooltip and in the form below: wrapped
        # cells made every row five lines high and still cut the text.
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 100), (1, 80), (3, 105), (4, 85), (6, 120), (7, 100)):
            self.table.setColumnWidth(column, width)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, arrows move in it

        self.plan = QPushButton("&Plan an action", self)
        self.complete = QPushButton("Compl&ete\u2026", self)
        self.cancel = QPushButton("&Cancel action\u2026", self)
        self.link = QPushButton("&Link an existing action\u2026", self)
        self.revert = QPushButton("Undo chan&ges to this action", self)
        buttons = QHBoxLayout()
        for button in (self.plan, self.complete, self.cancel, self.link, self.revert):
            button.setAccessibleName(button.text().replace("&", ""))
            buttons.addWidget(button)
        buttons.addStretch(1)

        self.form_box = QGroupBox("Selected action", self)
        self.form_box.setAccessibleName("Selected action")
        self.kind: EnumBox[ActionKind] = EnumBox("Kind", list(ActionKind), parent=self.form_box)
        self.description = TextBox("Description", self.form_box, lines=2)
        self.owner = context.person_picker("Owner", self.form_box)
        self.target = DateField("Target date", self.form_box)
        self.outcome = TextBox("Measurable outcome", self.form_box, lines=2)
        fit(self.description, 2)
        fit(self.outcome, 2)
        self.outcome.setPlaceholderText("e.g. 100% of leavers disabled within one working day")
        # Said as the action is typed, never blocking Save: the team may have a reason.
        self.fix_warning = QLabel(self.form_box)
        self.fix_warning.setAccessibleName("Symptom fix warning")
        self.fix_warning.setWordWrap(True)
        self.fix_warning.setStyleSheet(
            "background: #fff1b8; color: #000000; border-left: 6px solid #b35c00; padding: 4px;"
        )
        self.fix_warning.hide()
        self.state = QLabel(self.form_box)
        self.state.setWordWrap(True)
        self.state.setAccessibleName("Completion")
        self.state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout(self.form_box)
        add_row(form, "&Kind", self.kind)
        add_row(form, "&Description", self.description)
        form.addRow("", self.fix_warning)
        add_row(form, "&Owner", self.owner)
        add_row(form, "&Target date", self.target, focus=self.target.line)
        add_row(form, "Measurable o&utcome", self.outcome)
        form.addRow(self.state)
        self.read_box = QGroupBox("Selected action", self)
        self.read_box.setAccessibleName("Selected action, as saved")
        self.summary = reading_label("", "Action as saved", self.read_box)
        QVBoxLayout(self.read_box).addWidget(self.summary)

        self.past = PastRounds(_render_round, self)
        box = QVBoxLayout(self)
        box.addWidget(intro)
        self.heading = round_heading(self)
        box.addWidget(self.heading)
        box.addWidget(self.table)
        box.addLayout(buttons)
        box.addWidget(self.form_box)
        box.addWidget(self.read_box)
        box.addWidget(self.past)
        box.addStretch(1)

        self.rows: list[_Row] = []
        self.dialog: QDialog | None = None
        self.chooser: Chooser[OtherAction] | None = None
        self._showing = False
        self.watch(self.kind, self.description, self.owner, self.target, self.outcome)
        self.kind.activated.connect(lambda _i: self._typed())
        self.description.textChanged.connect(self._typed)
        self.owner.edited.connect(self._typed)
        self.target.edited.connect(self._typed)
        self.outcome.textChanged.connect(self._typed)
        self.description.textChanged.connect(self._check_fix)
        self.table.currentCellChanged.connect(lambda *_a: self._show_current())
        self.plan.clicked.connect(self._plan)
        self.complete.clicked.connect(self._ask_completion)
        self.cancel.clicked.connect(self._ask_cancel)
        self.link.clicked.connect(self._choose_link)
        self.revert.clicked.connect(self._revert)

    # --- The table ---------------------------------------------------------------------

    def current(self) -> _Row | None:
        index = self.table.currentRow()
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def _fill_row(self, index: int) -> None:
        row = self.rows[index]
        owner = self.context.people.name_of(row.owner) if row.linked is None else None
        if row.linked is not None:
            values = [
                row.linked.ref,
                "",
                row.linked.description,
                row.linked.owner or "",
                "",
                "",
                row.status(),
                ", ".join(row.linked.findings),
            ]
        else:
            others = [
                r
                for r in (row.saved.findings if row.saved else ())
                if self.detail and r != self.detail.ref
            ]
            values = [
                row.label,
                row.kind.label,
                row.description,
                owner or "",
                row.target,
                row.outcome,
                row.status(),
                ", ".join(others),
            ]
        for column, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setToolTip(value)
            self.table.setItem(index, column, item)

    def _show_rows(self, select: int) -> None:
        self.table.setRowCount(len(self.rows))
        for index in range(len(self.rows)):
            self._fill_row(index)
        if self.rows:
            self.table.setCurrentCell(max(0, min(select, len(self.rows) - 1)), 0)
        # As high as its rows (three at least, eight at most, then it scrolls).
        shown = min(max(len(self.rows), 3), 8)
        header = self.table.horizontalHeader().sizeHint().height()
        rows = self.table.verticalHeader().defaultSectionSize() * shown
        self.table.setFixedHeight(header + rows + 2 * self.table.frameWidth() + 18)
        self._show_current()

    def _show_current(self) -> None:
        row = self.current()
        self._showing = True
        try:
            # A done, cancelled or linked action is read, not edited: plain text, not a
            # greyed-out form nobody can read.
            self.form_box.setVisible(row is not None and row.editable)
            self.read_box.setVisible(row is not None and not row.editable)
            self.form_box.setTitle(f"Selected action: {row.label}" if row else "Selected action")
            self.read_box.setTitle(f"Selected action: {row.label}" if row else "Selected action")
            read_only = row is not None and not row.editable
            self.summary.setText(_summary_html(row, self._ref()) if row and read_only else "")
            self.kind.set_value(row.kind if row else ActionKind.CORRECTIVE)
            self.description.setText(row.description if row else "")
            self.owner.set_value(row.owner if row else None)
            self.target.line.setText(row.target if row else "")
            self.outcome.setText(row.outcome if row else "")
            self.state.setText(_state_html(row, self._ref()) if row else "")
            self.state.setVisible(bool(self.state.text()))
        finally:
            self._showing = False
        saved_live = bool(
            row
            and row.saved
            and row.linked is None
            and row.saved.status in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)
        )
        self.complete.setEnabled(saved_live and row is not None and row.cancel_reason is None)
        self.cancel.setEnabled(saved_live)
        self.revert.setEnabled(bool(row and row.is_pending()))
        self.cancel.setText("&Cancel action\u2026")

    def _ref(self) -> str:
        return self.detail.ref if self.detail else ""

    def _check_fix(self) -> None:
        warning = symptom_fix_warning(self.description.text())
        self.fix_warning.setText(warning)
        self.fix_warning.setVisible(bool(warning))

    def _typed(self) -> None:
        """Keep the selected row's draft as typed in the form."""
        row = self.current()
        if self._showing or row is None or not row.editable:
            return
        row.kind = self.kind.value() or row.kind
        row.description = self.description.text()
        row.owner = self.owner.value()
        row.target = self.target.text()
        row.outcome = self.outcome.text()
        self._fill_row(self.table.currentRow())
        self.revert.setEnabled(row.is_pending())

    def _plan(self) -> None:
        self.rows.append(_Row(None, None, ActionKind.CORRECTIVE, "", None, "", ""))
        self._show_rows(len(self.rows) - 1)
        self.description.setFocus()
        self.edited.emit()

    def _revert(self) -> None:
        row = self.current()
        if row is None:
            return
        index = self.table.currentRow()
        if row.saved is None:
            del self.rows[index]
        else:
            self.rows[index] = _Row.of(row.saved)
        self._show_rows(index)
        self.table.setFocus()
        self.edited.emit()

    # --- Completing, cancelling, linking -------------------------------------------------

    def _ask_completion(self) -> None:
        row = self.current()
        if row is None or row.saved is None:
            return
        dialog = CompletionDialog(row.label, self.context.today, row.completion, self)
        dialog.accepted.connect(lambda: self._completed(row, dialog.completion()))
        self.dialog = dialog
        dialog.open()

    def _completed(self, row: _Row, completion: Completion | None) -> None:
        if completion is None or row not in self.rows:
            return
        row.completion = completion
        self._show_rows(self.rows.index(row))
        self.table.setFocus()
        self.edited.emit()

    def _ask_cancel(self) -> None:
        row = self.current()
        if row is None or row.saved is None:
            return
        dialog = CancelDialog(row.label, row.cancel_reason or "", self)
        dialog.accepted.connect(lambda: self._cancelled(row, dialog.reason.text()))
        self.dialog = dialog
        dialog.open()

    def _cancelled(self, row: _Row, reason: str) -> None:
        if row not in self.rows:
            return
        row.cancel_reason = reason
        row.completion = None
        self._show_rows(self.rows.index(row))
        self.table.setFocus()
        self.edited.emit()

    def _choose_link(self) -> None:
        if self.detail is None:
            return
        register, ref = self.context.register, self.detail.ref
        chosen = {r.linked.ref for r in self.rows if r.linked}
        chooser: Chooser[OtherAction] = Chooser(
            "Link an existing action",
            "Actions",
            lambda text: [a for a in other_actions(register, ref, text) if a.ref not in chosen],
            lambda a: (
                f"{a.ref} ({', '.join(a.findings)}) \u2014 {a.description}"
                f" \u2014 {a.owner or 'no owner'}, {a.status.label.lower()}"
            ),
            self,
            none_yet="No other finding has a live action this one could share yet.",
        )
        chooser.accepted.connect(lambda: self._linked(chooser.choice()))
        self.chooser = chooser
        chooser.open()

    def _linked(self, choice: OtherAction | None) -> None:
        if choice is None:
            return
        self.rows.append(
            _Row(None, choice, ActionKind.CORRECTIVE, choice.description, None, "", "")
        )
        self._show_rows(len(self.rows) - 1)
        self.table.setFocus()
        self.edited.emit()

    # --- Loading and saving --------------------------------------------------------------

    def load(self, detail: FindingDetail | None) -> None:
        self.detail = detail
        self.rows = [_Row.of(a) for a in (detail.current_actions if detail else ())]
        self._show_rows(0)
        self.past.load(detail)
        show_round(self.heading, detail)

    def _target(self, row: _Row) -> dt.date | None:
        try:
            return parse_date(row.target)
        except ValueError:
            raise FieldProblem(
                self.target.line,
                f"The target date of {row.label.lower() if row.saved is None else row.label} "
                f"\u201c{row.target.strip()}\u201d is not a date: write it as 2026-03-04 or "
                "4 Mar 2026.",
            ) from None

    def edits(self) -> list[Edit]:
        if self.detail is None:
            return []
        out: list[Edit] = []
        for row in self.rows:
            out.extend(self._row_edits(row))
        return out

    def _row_edits(self, row: _Row) -> list[Edit]:
        if row.linked is not None:
            linked = row.linked.ref

            def link(s: SaveContext) -> op.Changes[None]:
                return op.link_action(s.register, s.finding, linked)

            return [Edit(f"Link {linked}", link, self.table)]
        kind, description, owner, outcome = row.kind, row.description, row.owner, row.outcome
        if row.saved is None:
            target = self._target(row)

            def plan(s: SaveContext) -> op.Changes[str]:
                return op.plan_action(
                    s.register, [s.finding], kind, description, s.person(owner), target, outcome
                )

            return [Edit("Plan an action", plan, self.description)]
        out: list[Edit] = []
        ref = row.saved.ref
        if row.editable and row.plan_changed():
            new_target = self._target(row)

            def update(s: SaveContext) -> op.Changes[None]:
                return op.update_action(
                    s.register, ref, kind, description, s.person(owner), new_target, outcome
                )

            out.append(Edit(f"Update {ref}", update, self.description))
        if row.cancel_reason is not None:
            reason = row.cancel_reason

            def cancel(s: SaveContext) -> op.Changes[None]:
                return op.cancel_action(s.register, ref, reason)

            out.append(Edit(f"Cancel {ref}", cancel, self.table))
        elif row.completion is not None:
            done = row.completion
            if done.file is not None:
                path = done.file

                def attach(s: SaveContext) -> op.Changes[int]:
                    return op.attach_evidence(s.register, path, action_ref=ref)

                out.append(Edit(f"Attach the evidence of {ref}", attach, self.table))

            def complete(s: SaveContext) -> op.Changes[None]:
                return op.complete_action(s.register, ref, done.on, done.evidence)

            out.append(Edit(f"Complete {ref}", complete, self.table))
        return out


class CompletionDialog(QDialog):
    """When an action was completed and what shows it: a description, a file, or both."""

    def __init__(
        self,
        label: str,
        today: dt.date,
        earlier: Completion | None,
        parent: QWidget,
        *,
        saved_on_ok: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Complete {label}")
        # The editor writes on Save; the actions tab, which has no Save, on OK.
        self.when = "when you press OK" if saved_on_ok else "on Save"
        self.on = DateField("Completion date", self)
        self.on.set_value(earlier.on if earlier else today)
        self.evidence = TextBox("Evidence", self, lines=4)
        self.evidence.setPlaceholderText("What shows it is done (a document, a ticket, a record)")
        self.evidence.setText(earlier.evidence if earlier else "")
        fit(self.evidence, 4)
        self.file: Path | None = earlier.file if earlier else None
        self.attach = QPushButton("Attach a &file\u2026", self)
        self.attach.setAccessibleName("Attach a file\u2026")
        self.file_label = QLabel(self)
        self.file_label.setAccessibleName("File")
        self.file_label.setWordWrap(True)
        self.problem = QLabel(self)
        self.problem.setAccessibleName("Problem")
        self.problem.setStyleSheet("color: #a00;")
        self.problem.setWordWrap(True)
        form = QFormLayout()
        add_row(form, "Completion &date", self.on, focus=self.on.line)
        add_row(form, "&Evidence", self.evidence)
        file_row = QHBoxLayout()
        file_row.addWidget(self.attach)
        file_row.addWidget(self.file_label, 1)
        form.addRow("", file_row)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        for button in buttons.buttons():
            button.setAccessibleName(button.text().replace("&", ""))
        # Enter in the date line means OK, not "attach a file" (the first button).
        self.attach.setAutoDefault(False)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setDefault(True)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(
            QLabel(
                "Written when you press OK."
                if saved_on_ok
                else "Written on Save, with everything else in the editor.",
                self,
            )
        )
        box.addLayout(form)
        box.addWidget(self.problem)
        box.addWidget(buttons)
        self.attach.clicked.connect(self._choose_file)
        self._show_file()
        self.resize(520, 300)

    def _choose_file(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(self, "Evidence of completion")
        if name:
            self.file = Path(name)
            self._show_file()

    def _show_file(self) -> None:
        self.file_label.setText(
            f"{self.file.name} is attached {self.when}" if self.file else "No file attached."
        )

    def _check(self) -> None:
        try:
            on = self.on.value()
        except FieldProblem as problem:
            self.problem.setText(problem.message)
            self.on.line.setFocus()
            return
        if on is None:
            self.problem.setText("Say when the action was completed.")
            self.on.line.setFocus()
            return
        self._on = on
        self.accept()

    def completion(self) -> Completion | None:
        on = getattr(self, "_on", None)
        if on is None:
            return None
        return Completion(on, self.evidence.text(), self.file)


class CancelDialog(QDialog):
    """Why an action is cancelled: it stays in the register, with the reason."""

    def __init__(
        self, label: str, reason: str, parent: QWidget, *, saved_on_ok: bool = False
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Cancel {label}")
        when = "when you confirm" if saved_on_ok else "on Save"
        self.reason = TextBox("Reason", self, lines=3)
        self.reason.setText(reason)
        self.reason.setPlaceholderText("e.g. replaced by CA-2026-012, which covers all sites")
        self.problem = QLabel(self)
        self.problem.setAccessibleName("Problem")
        self.problem.setStyleSheet("color: #a00;")
        form = QFormLayout()
        add_row(form, "&Reason", self.reason)
        buttons = QDialogButtonBox(self)
        ok = buttons.addButton("Cancel the &action", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setAccessibleName("Cancel the action")
        keep = buttons.addButton("&Keep it", QDialogButtonBox.ButtonRole.RejectRole)
        keep.setAccessibleName("Keep it")
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(
            QLabel(
                f"{label} stays in the register, marked cancelled with this reason ({when}).",
                self,
            )
        )
        box.addLayout(form)
        box.addWidget(self.problem)
        box.addWidget(buttons)
        self.resize(480, 220)

    def _check(self) -> None:
        if not self.reason.text().strip():
            self.problem.setText("Say why the action is cancelled: the reason is required.")
            self.reason.setFocus()
            return
        self.accept()


def _summary_html(row: _Row, ref: str) -> str:
    """An action that is no longer planned here, whole."""
    if row.linked is not None:
        a = row.linked
        lines = [
            f"<b>{html.escape(a.description)}</b>",
            html.escape(f"{a.status.label}, owner {a.owner or 'nobody'}"),
        ]
    else:
        target = row.target or "no target date"
        owner = row.saved.owner if row.saved and row.saved.owner else "nobody"
        lines = [
            f"<b>{text_html(row.description)}</b>",
            html.escape(f"{row.kind.label}, owner {owner}, target {target}"),
        ]
        if row.outcome:
            lines.append(f"Measurable outcome: {text_html(row.outcome)}")
    state = _state_html(row, ref)
    return "<br>".join([*lines, state] if state else lines)


def _state_html(row: _Row, ref: str) -> str:
    lines: list[str] = []
    if row.linked is not None:
        lines.append(
            f"{html.escape(row.linked.ref)} belongs to "
            f"{html.escape(', '.join(row.linked.findings))}"
            f"; on Save it answers this finding too {UNSAVED}. Its plan is edited there."
        )
    saved = row.saved
    if saved is not None:
        others = [r for r in saved.findings if r != ref]
        if others:
            lines.append("Shared with " + html.escape(", ".join(others)) + ".")
        if saved.status is ActionStatus.DONE:
            lines.append(
                f"Completed {saved.completed_on.isoformat() if saved.completed_on else ''}: "
                f"{text_html(saved.completion_evidence)}"
            )
        if saved.attachments:
            lines.append("Evidence files: " + html.escape(", ".join(saved.attachments)))
        if saved.status is ActionStatus.CANCELLED:
            lines.append(f"Cancelled: {text_html(saved.cancelled_reason)}")
    if row.completion is not None:
        done = row.completion
        extra = f" and {html.escape(done.file.name)}" if done.file else ""
        lines.append(
            f"<b>To be completed on Save {UNSAVED}:</b> {done.on.isoformat()}, "
            f"{text_html(done.evidence) or '<i>no evidence text</i>'}{extra}"
        )
    if row.cancel_reason is not None:
        lines.append(f"<b>To be cancelled on Save {UNSAVED}:</b> {text_html(row.cancel_reason)}")
    return "<br>".join(lines)


def _render_round(detail: FindingDetail, number: int) -> str | None:
    actions = [a for a in detail.actions if a.round == number]
    if not actions:
        return None
    lines = []
    for a in actions:
        facts = [a.kind.label, a.status.label]
        if a.owner:
            facts.append(a.owner)
        if a.target_on:
            facts.append(f"target {a.target_on.isoformat()}")
        if a.completed_on:
            facts.append(f"done {a.completed_on.isoformat()}")
        others = [r for r in a.findings if r != detail.ref]
        if others:
            facts.append("shared with " + ", ".join(others))
        line = (
            f"<b>{html.escape(a.ref)}</b> {text_html(a.description)} "
            f"({html.escape(', '.join(facts))})"
        )
        if a.outcome:
            line += f"<br>&nbsp;&nbsp;Outcome: {text_html(a.outcome)}"
        if a.completion_evidence:
            line += f"<br>&nbsp;&nbsp;Evidence: {text_html(a.completion_evidence)}"
        if a.cancelled_reason:
            line += f"<br>&nbsp;&nbsp;Cancelled: {text_html(a.cancelled_reason)}"
        lines.append(line)
    return "<br>".join(lines)
