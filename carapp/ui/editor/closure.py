"""ISMS update and closure (clause 10.2 e): whether each part of the ISMS was updated
after the finding, or why it needed no update; for an observation, whether to act on it.
Also what ends or suspends a finding: a dispute with the certification body and its
outcome, voiding, and reopening a closed finding. Closing itself is the step bar's move."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from carapp import operations as op
from carapp.models.enums import (
    Classification,
    DisputeOutcome,
    IsmsDecision,
    IsmsTarget,
    ObservationDecision,
    Stage,
)
from carapp.queries import FindingDetail
from carapp.ui.editor.fields import DateField, EnumBox, FieldProblem
from carapp.ui.editor.section import Edit, EditorContext, SaveContext, Section
from carapp.ui.editor.small_dialog import SmallDialog
from carapp.ui.widgets import TextBox, add_row

UNDECIDED = "\u2014 not decided \u2014"
PENDING_STYLE = "color: #7a4b00; font-weight: 600;"

_NOTE_HINT = {
    None: "Choose Updated or Not needed first",
    IsmsDecision.UPDATED: "Reference of the update (document, version)",
    IsmsDecision.NOT_NEEDED: "Why no update is needed",
}


def target_name(target: IsmsTarget) -> str:
    return target.label


@dataclass
class IsmsRow:
    target: IsmsTarget
    decision: EnumBox[IsmsDecision]
    note: QLineEdit


class ClosureSection(Section):
    key = "closure"
    title = "ISMS update and closure"

    def __init__(self, context: EditorContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.pending_void: str | None = None
        self.pending_reopen: str | None = None
        self.raising = False
        self.dialog: QWidget | None = None

        # ISMS update decisions (nonconformities).
        self.isms_box = QGroupBox("Does the ISMS need updating? (clause 10.2 e)", self)
        intro = QLabel(
            "For each part of the ISMS: Updated, with the reference of the update, or Not "
            "needed, with the reason. A nonconformity cannot close without all four.",
            self.isms_box,
        )
        intro.setWordWrap(True)
        grid = QGridLayout()
        grid.addWidget(QLabel("<b>Part of the ISMS</b>", self.isms_box), 0, 0)
        grid.addWidget(QLabel("<b>Decision</b>", self.isms_box), 0, 1)
        grid.addWidget(QLabel("<b>Reference (updated) or reason (not needed)</b>"), 0, 2)
        self.isms: list[IsmsRow] = []
        mnemonics = {
            IsmsTarget.RISK_ASSESSMENT: "R&isk assessment",
            IsmsTarget.SOA: "Statement of A&pplicability",
            IsmsTarget.RISK_TREATMENT_PLAN: "Risk &treatment plan",
            IsmsTarget.POLICIES: "Polic&ies",
        }
        for row, target in enumerate(IsmsTarget, start=1):
            decision: EnumBox[IsmsDecision] = EnumBox(
                target_name(target), list(IsmsDecision), none=UNDECIDED, parent=self.isms_box
            )
            note = QLineEdit(self.isms_box)
            note.setAccessibleName(f"{target_name(target)}: reference or reason")
            note.setPlaceholderText(_NOTE_HINT[None])
            caption = QLabel(mnemonics.get(target, target_name(target)), self.isms_box)
            caption.setBuddy(decision)
            grid.addWidget(caption, row, 0)
            grid.addWidget(decision, row, 1)
            grid.addWidget(note, row, 2)
            entry = IsmsRow(target, decision, note)
            decision.currentIndexChanged.connect(lambda _i, e=entry: self._hint(e))
            self.isms.append(entry)
            self.watch(decision, note)
        grid.setColumnStretch(2, 1)
        isms_layout = QVBoxLayout(self.isms_box)
        isms_layout.addWidget(intro)
        isms_layout.addLayout(grid)

        # The decision on an observation or OFI.
        self.observation_box = QGroupBox("Act on this observation?", self)
        self.act: EnumBox[ObservationDecision] = EnumBox(
            "Decision", list(ObservationDecision), none=UNDECIDED, parent=self.observation_box
        )
        self.act_note = TextBox("Note on the decision", self.observation_box, lines=2)
        observation_form = QFormLayout(self.observation_box)
        add_row(observation_form, "D&ecision", self.act)
        add_row(observation_form, "&Note on the decision", self.act_note)
        self.watch(self.act, self.act_note)

        # Dispute.
        self.dispute_box = QGroupBox("Dispute with the certification body", self)
        self.dispute_state = QLabel(self.dispute_box)
        self.dispute_state.setWordWrap(True)
        self.dispute_state.setAccessibleName("Dispute")
        self.raise_button = QPushButton("Raise a &dispute", self.dispute_box)
        self.raise_button.setAccessibleName("Raise a dispute")
        self.raise_form = QWidget(self.dispute_box)
        self.raised_on = DateField("Date disputed", self.raise_form)
        self.grounds = TextBox("Grounds of the dispute", self.raise_form, lines=3)
        raise_layout = QFormLayout(self.raise_form)
        raise_layout.setContentsMargins(0, 0, 0, 0)
        add_row(raise_layout, "Date dis&puted", self.raised_on, focus=self.raised_on.line)
        add_row(raise_layout, "&Grounds of the dispute", self.grounds)
        self.outcome_form = QWidget(self.dispute_box)
        self.outcome: EnumBox[DisputeOutcome] = EnumBox(
            "Outcome", list(DisputeOutcome), none=UNDECIDED, parent=self.outcome_form
        )
        self.outcome.set_explanations(
            {
                DisputeOutcome.UPHELD: "The finding stands as written.",
                DisputeOutcome.RECLASSIFIED: "The finding stands with another classification.",
                DisputeOutcome.WITHDRAWN: "The auditor withdrew it: the finding becomes void.",
            }
        )
        self.outcome_note = TextBox("Note on the outcome", self.outcome_form, lines=2)
        self.outcome_on = DateField("Date of the outcome", self.outcome_form)
        self.new_class: EnumBox[Classification] = EnumBox(
            "New classification", list(Classification), parent=self.outcome_form
        )
        outcome_layout = QFormLayout(self.outcome_form)
        outcome_layout.setContentsMargins(0, 0, 0, 0)
        add_row(outcome_layout, "&Outcome", self.outcome)
        add_row(outcome_layout, "Note on the o&utcome", self.outcome_note)
        add_row(outcome_layout, "Date of the outco&me", self.outcome_on, focus=self.outcome_on.line)
        add_row(outcome_layout, "New c&lassification", self.new_class)
        dispute_layout = QVBoxLayout(self.dispute_box)
        dispute_layout.addWidget(self.dispute_state)
        raise_row = QHBoxLayout()
        raise_row.addWidget(self.raise_button)
        raise_row.addStretch(1)
        dispute_layout.addLayout(raise_row)
        dispute_layout.addWidget(self.raise_form)
        dispute_layout.addWidget(self.outcome_form)
        self.watch(self.raised_on, self.grounds, self.outcome, self.outcome_note, self.outcome_on)
        self.watch(self.new_class)
        self.raise_button.clicked.connect(self._start_dispute)
        self.outcome.currentIndexChanged.connect(lambda _i: self._enable_outcome())

        # Closing, reopening, voiding.
        self.close_box = QGroupBox("Closing", self)
        self.close_state = QLabel(self.close_box)
        self.close_state.setWordWrap(True)
        self.close_state.setAccessibleName("Closing")
        self.pending_line = QLabel(self.close_box)
        self.pending_line.setWordWrap(True)
        self.pending_line.setAccessibleName("Waiting for Save")
        self.pending_line.setStyleSheet(PENDING_STYLE)
        self.reopen_button = QPushButton("&Reopen\u2026", self.close_box)
        self.reopen_button.setAccessibleName("Reopen\u2026")
        self.void_button = QPushButton("&Void this finding\u2026", self.close_box)
        self.void_button.setAccessibleName("Void this finding\u2026")
        self.undo_button = QPushButton("&Keep it as it is", self.close_box)
        self.undo_button.setAccessibleName("Keep it as it is")
        self.undo_button.setToolTip("Forget the reopening or voiding not saved yet")
        buttons = QHBoxLayout()
        buttons.addWidget(self.reopen_button)
        buttons.addWidget(self.void_button)
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        close_layout = QVBoxLayout(self.close_box)
        close_layout.addWidget(self.close_state)
        close_layout.addWidget(self.pending_line)
        close_layout.addLayout(buttons)
        self.reopen_button.clicked.connect(self.ask_reopen)
        self.void_button.clicked.connect(self.ask_void)
        self.undo_button.clicked.connect(self._undo)

        # Text boxes keep to a few lines: the page is read top to bottom at a glance.
        for text in (self.act_note, self.grounds, self.outcome_note):
            text.setMaximumHeight(text.fontMetrics().lineSpacing() * 4 + 12)
        box = QVBoxLayout(self)
        box.addWidget(self.isms_box)
        box.addWidget(self.observation_box)
        box.addWidget(self.dispute_box)
        box.addWidget(self.close_box)
        box.addStretch(1)

    # --- Showing ---------------------------------------------------------------------

    def load(self, detail: FindingDetail | None) -> None:
        self.pending_void = None
        self.pending_reopen = None
        self.raising = False
        nonconformity = detail is None or detail.classification.is_nonconformity
        self.isms_box.setVisible(nonconformity)
        self.observation_box.setVisible(not nonconformity)
        for entry in self.isms:
            saved = detail.isms_update.get(entry.target) if detail else None
            entry.decision.set_value(saved.decision if saved else None)
            entry.note.setText(saved.note if saved else "")
            self._hint(entry)
        self.act.set_value(detail.decision.decision if detail else None)
        self.act_note.setText(detail.decision.note if detail else "")
        self.raised_on.set_value(None)
        self.grounds.setText("")
        self.outcome.set_value(None)
        self.outcome_note.setText("")
        self.outcome_on.set_value(None)
        if detail is not None:
            self.new_class.set_value(detail.classification)
        # A closed or void finding's decisions are what it was closed on: they change only
        # once it is reopened.
        settled = detail is not None and detail.stage in (Stage.CLOSED, Stage.VOID)
        self.isms_box.setEnabled(not settled)
        self.observation_box.setEnabled(not settled)
        self._show_state()

    def _show_state(self) -> None:
        d = self.detail
        stage = d.stage if d else None
        disputed = stage is Stage.DISPUTED
        running = d is not None and stage not in (Stage.CLOSED, Stage.VOID)
        self.dispute_state.setText(self._dispute_text())
        self.raise_button.setVisible(running and not disputed and not self.raising)
        self.raise_form.setVisible(self.raising)
        self.outcome_form.setVisible(disputed)
        self._enable_outcome()

        if d is None:
            self.close_state.clear()
        elif d.void is not None:
            on = d.void.on.isoformat() if d.void.on else "an unrecorded day"
            self.close_state.setText(f"Void since {on}: {d.void.reason}")
        elif stage is Stage.CLOSED:
            on = d.closed_on.isoformat() if d.closed_on else "an unrecorded day"
            self.close_state.setText(
                f"Closed on {on}. Reopen it if the problem came back or the closure was wrong."
            )
        else:
            self.close_state.setText(
                "Close with the step bar's Save and close once nothing is missing."
            )
        pending = ""
        if self.pending_reopen is not None:
            pending = f"Reopened when you Save (unsaved): {self.pending_reopen}"
        elif self.pending_void is not None:
            pending = f"Voided when you Save (unsaved): {self.pending_void}"
        self.pending_line.setText(pending)
        self.pending_line.setVisible(bool(pending))
        waiting = bool(pending)
        self.reopen_button.setVisible(stage is Stage.CLOSED and not waiting)
        self.void_button.setVisible(d is not None and stage is not Stage.VOID and not waiting)
        self.undo_button.setVisible(waiting)

    def _dispute_text(self) -> str:
        d = self.detail
        if d is None:
            return ""
        if d.stage is Stage.DISPUTED:
            on = d.dispute.raised_on.isoformat() if d.dispute.raised_on else "?"
            return (
                f"Disputed since {on}. Grounds: {d.dispute.note}\nRecord the outcome when "
                "the certification body decides."
            )
        if d.dispute.outcome is not None:
            on = d.dispute.raised_on.isoformat() if d.dispute.raised_on else "?"
            return f"Disputed on {on}; outcome: {d.dispute.outcome.label.lower()}. {d.dispute.note}"
        if d.stage in (Stage.CLOSED, Stage.VOID):
            return "Not disputed."
        return "Not disputed. Raise a dispute if the finding is wrong as written."

    def _hint(self, entry: IsmsRow) -> None:
        entry.note.setPlaceholderText(_NOTE_HINT[entry.decision.value()])

    def _enable_outcome(self) -> None:
        self.new_class.setEnabled(self.outcome.value() is DisputeOutcome.RECLASSIFIED)

    def _start_dispute(self) -> None:
        self.raising = True
        if not self.raised_on.text().strip():
            self.raised_on.set_value(self.context.today)
        self._show_state()
        self.raised_on.line.setFocus()
        self.edited.emit()

    # --- Asking ----------------------------------------------------------------------

    def _reason_dialog(
        self, title: str, intro: str, ok: str, label: str, then: Callable[[str], None]
    ) -> None:
        dialog = SmallDialog(title, intro, ok, self)
        reason = TextBox(label.replace("&", ""), dialog, lines=3)
        add_row(dialog.form, label, reason)

        def check() -> None:
            if not reason.text().strip():
                raise FieldProblem(reason, f"Write the {label.replace('&', '').lower()}.")

        dialog.check = check
        dialog.accepted.connect(lambda: then(reason.text()))
        self.dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def ask_reopen(self) -> None:
        if self.detail is None:
            return
        self._reason_dialog(
            f"Reopen {self.detail.ref}",
            f"{self.detail.ref} goes back to the furthest stage its record proves, and the "
            "reason is kept in its history. Nothing changes until you Save.",
            "&Reopen when I save",
            "Reason for &reopening",
            self._reopen,
        )

    def _reopen(self, reason: str) -> None:
        self.pending_reopen = reason
        self._show_state()
        self.edited.emit()

    def ask_void(self) -> None:
        if self.detail is None:
            return
        self._reason_dialog(
            f"Void {self.detail.ref}",
            "A void finding stays in the register, marked void with its reason; nothing "
            "is deleted. Use it for a duplicate or a finding raised in error. Voiding is "
            "final: a void finding cannot be reopened (record a new finding instead).",
            "&Next\u2026",
            "Reason for &voiding",
            self._confirm_void,
        )

    def _confirm_void(self, reason: str) -> None:
        d = self.detail
        assert d is not None
        closed = (
            " It is closed: voiding it takes it out of the closed findings."
            if (d.stage is Stage.CLOSED)
            else ""
        )
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            f"Void {d.ref}?",
            f"Void {d.ref} \u201c{d.title}\u201d?{closed}\n\nReason: {reason}\n\n"
            "It is voided when you Save, and voiding is final: it cannot be reopened.",
            parent=self,
        )
        yes = box.addButton(f"&Void {d.ref}", QMessageBox.ButtonRole.DestructiveRole)
        no = box.addButton("&Keep it", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(no)

        def answered() -> None:
            if box.clickedButton() is yes:
                self.pending_void = reason
                self._show_state()
                self.edited.emit()

        self.dialog = box
        box.finished.connect(lambda _r: answered())
        box.finished.connect(box.deleteLater)
        box.open()

    def _undo(self) -> None:
        self.pending_void = None
        self.pending_reopen = None
        self._show_state()
        self.edited.emit()

    # --- Saving ----------------------------------------------------------------------

    def edits(self) -> list[Edit]:
        d = self.detail
        if d is None:
            return []
        out: list[Edit] = []
        if d.classification.is_nonconformity:
            out += self._isms_edits(d)
        else:
            out += self._observation_edits(d)
        out += self._dispute_edits(d)
        if self.pending_reopen is not None:
            out.append(
                Edit("Reopen the finding", _reopen_edit(self.pending_reopen), self.reopen_button)
            )
        if self.pending_void is not None:
            out.append(Edit("Void the finding", _void_edit(self.pending_void), self.void_button))
        return out

    def _isms_edits(self, d: FindingDetail) -> list[Edit]:
        out: list[Edit] = []
        for entry in self.isms:
            saved = d.isms_update.get(entry.target)
            decision, note = entry.decision.value(), entry.note.text()
            if saved is not None and (decision, note) == (saved.decision, saved.note):
                continue
            if decision is None:
                if saved is not None and saved.decision is not None:
                    raise FieldProblem(
                        entry.decision,
                        f"The decision for the {target_name(entry.target)} cannot be taken "
                        "back; choose Updated or Not needed.",
                    )
                if not note.strip():
                    continue
                raise FieldProblem(
                    entry.decision,
                    f"Choose Updated or Not needed for the {target_name(entry.target)}.",
                )
            out.append(
                Edit(
                    f"Record the ISMS update decision for the {target_name(entry.target)}",
                    _isms_edit(entry.target, decision, note),
                    entry.note,
                )
            )
        return out

    def _observation_edits(self, d: FindingDetail) -> list[Edit]:
        decision, note = self.act.value(), self.act_note.text()
        if (decision, note) == (d.decision.decision, d.decision.note):
            return []
        if decision is None:
            if d.decision.decision is not None or note.strip():
                raise FieldProblem(self.act, "Choose Act or No action.")
            return []

        def apply(s: SaveContext) -> op.Changes[None]:
            return op.decide_observation(s.register, s.finding, decision, note)

        return [Edit("Record the decision on the observation", apply, self.act_note)]

    def _dispute_edits(self, d: FindingDetail) -> list[Edit]:
        if d.stage is Stage.DISPUTED:
            outcome = self.outcome.value()
            if outcome is None:
                if self.outcome_note.text().strip() or self.outcome_on.text().strip():
                    raise FieldProblem(self.outcome, "Choose the outcome of the dispute.")
                return []
            on = self.outcome_on.value()
            if on is None:
                raise FieldProblem(self.outcome_on.line, "Say when the dispute was decided.")
            new = self.new_class.value() if outcome is DisputeOutcome.RECLASSIFIED else None
            note = self.outcome_note.text()

            def resolve(s: SaveContext) -> op.Changes[None]:
                return op.resolve_dispute(s.register, s.finding, outcome, note, on, new)

            widget = self.new_class if new is not None else self.outcome
            return [Edit("Record the outcome of the dispute", resolve, widget)]
        if not self.raising:
            return []
        raised, grounds = self.raised_on.value(), self.grounds.text()
        if raised is None:
            raise FieldProblem(self.raised_on.line, "Say when the finding was disputed.")

        def dispute(s: SaveContext) -> op.Changes[None]:
            return op.raise_dispute(s.register, s.finding, raised, grounds)

        return [Edit("Raise a dispute", dispute, self.grounds)]


def _isms_edit(
    target: IsmsTarget, decision: IsmsDecision, note: str
) -> Callable[[SaveContext], op.Changes[None]]:
    def apply(s: SaveContext) -> op.Changes[None]:
        return op.decide_isms_update(s.register, s.finding, target, decision, note)

    return apply


def _reopen_edit(reason: str) -> Callable[[SaveContext], op.Changes[None]]:
    def apply(s: SaveContext) -> op.Changes[None]:
        return op.reopen(s.register, s.finding, reason, s.today)

    return apply


def _void_edit(reason: str) -> Callable[[SaveContext], op.Changes[None]]:
    def apply(s: SaveContext) -> op.Changes[None]:
        return op.void(s.register, s.finding, reason, s.today)

    return apply
