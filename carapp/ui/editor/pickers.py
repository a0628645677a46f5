"""Pickers for what a finding points at: the audit that raised it and the requirements it
breaches. Either can name something the register does not hold yet (an audit being
recorded with its first finding, the organisation's own procedure); that is pending, shown
"(unsaved)", and created on Save by the edit that needs it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QStringListModel, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from carapp import operations as op
from carapp.models.enums import AuditKind, RequirementKind
from carapp.operations.audits import AuditDraft
from carapp.queries import audit_choices, find_requirements
from carapp.queries.findings import RequirementView
from carapp.store import Register
from carapp.ui.editor.fields import (
    DateField,
    EnumBox,
    FieldProblem,
    PeopleList,
    PersonChoice,
    PersonPicker,
)
from carapp.ui.editor.section import SaveContext
from carapp.ui.widgets import TextBox, add_row, make_searchable, plain

NO_AUDIT = "\u2014 none \u2014"
NEW_AUDIT = "New audit\u2026"
UNSAVED = " (unsaved)"


def _day(on: dt.date) -> str:
    return f"{on.day} {on:%b %Y}"


@dataclass(frozen=True, slots=True)
class NewAudit:
    """An audit named in the editor, recorded on Save before the finding that cites it."""

    kind: AuditKind
    starts_on: dt.date
    ends_on: dt.date
    certification_body: str = ""
    lead: PersonChoice = None
    report_received_on: dt.date | None = None
    scope_note: str = ""

    @property
    def label(self) -> str:
        parts = ["New audit", self.kind.label, self.certification_body, _day(self.starts_on)]
        return " \u00b7 ".join(p for p in parts if p) + UNSAVED

    def add(self, s: SaveContext) -> str:
        return op.add_audit(
            s.register,
            AuditDraft(
                kind=self.kind,
                starts_on=self.starts_on,
                ends_on=self.ends_on,
                certification_body=self.certification_body or None,
                lead_auditor_id=s.person(self.lead),
                report_received_on=self.report_received_on,
                scope_note=self.scope_note,
            ),
        ).result


AuditChoice = str | NewAudit | None


class AuditPicker(QComboBox):
    """The audit a finding came from, found by typing part of its label, or a new one."""

    edited = Signal()

    def __init__(
        self, name: str, register: Register, people: PeopleList, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.name = plain(name)
        self.register = register
        self.people = people
        self.setAccessibleName(self.name)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(40)
        make_searchable(self)
        line = self.lineEdit()
        assert line is not None  # searchable means editable
        line.setAccessibleName(self.name)
        self._choices: list[AuditChoice] = []
        self._new: list[NewAudit] = []
        self._kinds: dict[str, AuditKind] = {}
        self._listed = False
        self.reload()
        self.activated.connect(self._chosen)

    def reload(self) -> None:
        """The register's audits as saved now; audits added here and not saved are dropped.

        Only the audit shown is read here; the whole list, which a large register holds
        thousands of, is read the first time the picker is used (focus or popup)."""
        self._new = []
        self._listed = False
        self._fill(None)

    def focusInEvent(self, event: QFocusEvent) -> None:
        self._list_all()
        super().focusInEvent(event)

    def showPopup(self) -> None:
        self._list_all()
        super().showPopup()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Typed into before it had the focus (its window not active yet): list them now,
        # before the key reaches the search.
        self._list_all()
        super().keyPressEvent(event)

    def _list_all(self) -> None:
        if not self._listed:
            self._listed = True
            self._fill(self.value())

    def set_value(self, choice: AuditChoice) -> None:
        if isinstance(choice, str) and choice not in self._choices:
            self._fill(choice)
        self._select(choice)

    def _fill(self, keep: AuditChoice) -> None:
        # One list model, set at once: adding ten thousand items one by one took longer
        # than the whole editor may to open.
        self.blockSignals(True)
        if self._listed:
            saved = audit_choices(self.register)
        else:
            saved = audit_choices(self.register, refs=[keep] if isinstance(keep, str) else [])
        self._kinds = {audit.ref: audit.kind for audit in saved}
        self._choices = [None, *self._new, *(audit.ref for audit in saved), None]
        labels = [NO_AUDIT, *(new.label for new in self._new), *(a.label for a in saved)]
        self.setModel(QStringListModel([*labels, NEW_AUDIT], self))
        self._select(keep)
        self.blockSignals(False)

    def _chosen(self, index: int) -> None:
        if index == self.count() - 1:
            audit = ask_new_audit(self, self.people)
            if audit is None:
                self.setCurrentIndex(0)
                return
            self._new.append(audit)
            self._fill(audit)
        self.edited.emit()

    def value(self) -> AuditChoice:
        index = self.currentIndex()
        if index < 0 or index == self.count() - 1:
            return None
        return self._choices[index]

    def _select(self, choice: AuditChoice) -> None:
        if choice in self._choices[:-1]:
            self.setCurrentIndex(self._choices.index(choice))
        else:
            self.setCurrentIndex(0)

    def kind_of(self, choice: AuditChoice) -> AuditKind | None:
        if isinstance(choice, NewAudit):
            return choice.kind
        return self._kinds.get(choice) if choice is not None else None


class _Problems(QLabel):
    """The sentence a dialog shows when what was typed cannot be taken yet."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAccessibleName("Problem")
        self.setStyleSheet("color: #a00;")
        self.hide()

    def say(self, problem: FieldProblem) -> None:
        self.setText(problem.message)
        self.show()
        problem.widget.setFocus()


def _buttons(dialog: QDialog) -> QDialogButtonBox:
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class NewAuditDialog(QDialog):
    def __init__(self, people: PeopleList, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New audit")
        self.kind = EnumBox("Kind", list(AuditKind), parent=self)
        self.body = QLineEdit(self)
        self.body.setPlaceholderText("BSI, LRQA, \u2026")
        self.body.setToolTip("Needed for a certification body's audit")
        self.lead = PersonPicker("Lead auditor", people, self)
        self.starts = DateField("Starts on", self)
        self.ends = DateField("Ends on", self)
        self.report = DateField("Report received on", self)
        self.scope = TextBox("Scope note", self, lines=2)
        self.scope.setMaximumHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.ends.line.setToolTip("Left empty: the day it starts")
        self.setMinimumWidth(480)
        form = QFormLayout()
        add_row(form, "&Kind", self.kind)
        add_row(form, "Certification &body", self.body)
        add_row(form, "&Lead auditor", self.lead)
        add_row(form, "&Starts on", self.starts, focus=self.starts.line)
        add_row(form, "&Ends on", self.ends, focus=self.ends.line)
        add_row(form, "&Report received on", self.report, focus=self.report.line)
        add_row(form, "Scope &note", self.scope)
        self.problems = _Problems(self)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.problems)
        box.addWidget(_buttons(self))

    def audit(self) -> NewAudit:
        """What was typed as an audit; FieldProblem for what is not one yet (the register
        checks the rest on Save)."""
        kind = self.kind.value()
        assert kind is not None  # the box has no "none"
        starts, ends, report = self.starts.value(), self.ends.value(), self.report.value()
        if starts is None:
            raise FieldProblem(self.starts.line, "Say when the audit started.")
        ends = ends or starts
        if ends < starts:
            raise FieldProblem(self.ends.line, "The audit ends before it starts; check the dates.")
        body = self.body.text().strip()
        if kind.by_certification_body and not body:
            raise FieldProblem(
                self.body, f"A {kind.label.lower()} audit needs the certification body's name."
            )
        return NewAudit(kind, starts, ends, body, self.lead.value(), report, self.scope.text())

    def ask(self) -> NewAudit | None:
        while self.exec() == QDialog.DialogCode.Accepted:
            try:
                return self.audit()
            except FieldProblem as problem:
                self.problems.say(problem)
        return None


def ask_new_audit(parent: QWidget, people: PeopleList) -> NewAudit | None:
    return NewAuditDialog(people, parent).ask()


# --- Requirements ---------------------------------------------------------------------

OWN_KINDS = (RequirementKind.INTERNAL_DOCUMENT, RequirementKind.LEGAL, RequirementKind.CONTRACTUAL)


@dataclass(frozen=True, slots=True)
class NewRequirement:
    """The organisation's own document or a legal or contractual duty, added on Save."""

    kind: RequirementKind
    code: str
    title: str

    def add(self, s: SaveContext) -> op.Changes[int]:
        return op.add_requirement(s.register, self.kind, self.code, self.title)


def best_match(register: Register, text: str) -> RequirementView | None:
    """What Enter adds for ``text``: the requirement with exactly that code ("A.6.3" is the
    control, not clause 6.3, which a bare "6.3" would find first), else the best ranked."""
    found = find_requirements(register, text, limit=5)
    exact = [r for r in found if r.code.casefold() == text.strip().casefold()]
    best = exact or found
    return best[0] if best else None


def requirement_text(code: str, title: str) -> str:
    return f"{code}  {title}"


class _Matches(QCompleter):
    """The requirements find_requirements offers for what is typed, already ranked there,
    so the completer shows them as they are instead of filtering them again."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.items = QStandardItemModel(self)
        self.setModel(self.items)
        self.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.setMaxVisibleItems(12)

    def show_matches(self, found: list[RequirementView]) -> None:
        self.items.clear()
        for r in found:
            item = QStandardItem(requirement_text(r.code, r.title))
            item.setData(r.code, Qt.ItemDataRole.UserRole)
            self.items.appendRow(item)

    def texts(self) -> list[str]:
        return [self.items.item(i).text() for i in range(self.items.rowCount())]

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        code = index.data(Qt.ItemDataRole.UserRole)
        return str(code) if code is not None else super().pathFromIndex(index)


class _ChosenList(QListWidget):
    removed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.currentItem():
            self.takeItem(self.currentRow())
            self.removed.emit()
            return
        super().keyPressEvent(event)


class RequirementPicker(QWidget):
    """Requirements breached: type a code or words, Enter adds the best match (or the one
    highlighted); the chosen ones are listed, each removable."""

    edited = Signal()

    def __init__(self, name: str, register: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = plain(name)
        self.register = register
        self.line = QLineEdit(self)
        self.line.setAccessibleName(self.name)
        self.line.setPlaceholderText("Type a code (5.18) or words (access rights), then Enter")
        self.matches = _Matches(self)
        self.line.setCompleter(self.matches)
        self.hint = QLabel(self)
        self.hint.setAccessibleName(f"{self.name}: matches")
        self.hint.setWordWrap(True)
        self.hint.hide()
        self.chosen = _ChosenList(self)
        self.chosen.setAccessibleName("Chosen requirements")
        self.chosen.setMaximumHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.remove = QPushButton("Remo&ve requirement", self)
        self.remove.setAccessibleName("Remove requirement")
        self.add_own = QPushButton("Add a docume&nt or duty\u2026", self)
        self.add_own.setAccessibleName("Add a document or duty\u2026")
        self.add_own.setToolTip(
            "A requirement of your own (a procedure, a law, a contract) that the catalog "
            "does not hold: added to the register on Save"
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.remove)
        buttons.addWidget(self.add_own)
        buttons.addStretch(1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.line)
        box.addWidget(self.hint)
        box.addWidget(self.chosen)
        box.addLayout(buttons)
        self.setFocusProxy(self.line)
        self._new: list[NewRequirement] = []
        self.line.textEdited.connect(self._typed)
        self.line.returnPressed.connect(self._enter)
        self.matches.activated[QModelIndex].connect(self._picked)  # type: ignore[index]
        self.remove.clicked.connect(self._remove_current)
        self.chosen.removed.connect(self._changed)
        self.add_own.clicked.connect(self._add_own)

    # --- reading and showing ---------------------------------------------------------

    def set_codes(self, requirements: list[tuple[str, str]]) -> None:
        """Show these (code, title) as chosen; pending new requirements are dropped."""
        self._new = []
        self.chosen.clear()
        for code, title in requirements:
            self._append(code, title, pending=False)
        self.line.clear()
        self._say("")

    def codes(self) -> list[str]:
        return [
            str(self.chosen.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.chosen.count())
        ]

    def pending(self) -> list[NewRequirement]:
        """The new requirements still chosen: only those are added on Save."""
        codes = set(self.codes())
        return [r for r in self._new if r.code in codes]

    # --- choosing --------------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.hint.setText(text)
        self.hint.setVisible(bool(text))

    def _typed(self, text: str) -> None:
        found = find_requirements(self.register, text) if text.strip() else []
        found += [
            RequirementView(r.code, r.title, r.kind)
            for r in self._new
            if text.strip().casefold() in requirement_text(r.code, r.title).casefold()
        ]
        self.matches.show_matches(found)
        if not text.strip():
            self._say("")
        elif found:
            self._say(f"Enter adds {requirement_text(found[0].code, found[0].title)}")
        else:
            self._say("No requirement matches; Add a document or duty\u2026 names one of your own.")
        if found:
            self.matches.complete()

    def _enter(self) -> None:
        text = self.line.text().strip()
        if not text:
            return
        pending = next((r for r in self._new if r.code.casefold() == text.casefold()), None)
        if pending is not None:
            self._choose(pending.code, pending.title)
            return
        found = best_match(self.register, text)
        if found is not None:
            self._choose(found.code, found.title)
        else:
            self._say(
                f"No requirement matches \u201c{text}\u201d; Add a document or duty\u2026 "
                "names one of your own."
            )

    def _picked(self, index: QModelIndex) -> None:
        code = index.data(Qt.ItemDataRole.UserRole)
        title = str(index.data()).partition("  ")[2]
        if code is not None:
            self._choose(str(code), title)

    def _choose(self, code: str, title: str) -> None:
        if code not in self.codes():
            self._append(code, title, pending=any(r.code == code for r in self._new))
            self._changed()
        self.line.clear()
        self._say(f"Added {code}.")
        self.matches.show_matches([])

    def _append(self, code: str, title: str, *, pending: bool) -> None:
        item = QListWidgetItem(requirement_text(code, title) + (UNSAVED if pending else ""))
        item.setData(Qt.ItemDataRole.UserRole, code)
        self.chosen.addItem(item)
        self.chosen.setCurrentItem(item)

    def _remove_current(self) -> None:
        row = self.chosen.currentRow()
        if row >= 0:
            self.chosen.takeItem(row)
            self._changed()

    def _changed(self) -> None:
        self.remove.setEnabled(self.chosen.count() > 0)
        self.edited.emit()

    def _add_own(self) -> None:
        new = ask_new_requirement(self, self.register, self._new)
        if new is None:
            return
        self._new.append(new)
        self._append(new.code, new.title, pending=True)
        self._changed()


class NewRequirementDialog(QDialog):
    def __init__(
        self, register: Register, pending: list[NewRequirement], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.register = register
        self.pending = pending
        self.setWindowTitle("Add a document or duty")
        intro = QLabel(
            "A requirement the ISO/IEC 27001 catalog does not hold: one of your own "
            "documents (ISMS-PRO-020 Internal audit procedure), a law or a contract.",
            self,
        )
        intro.setWordWrap(True)
        self.kind = EnumBox("Kind", list(OWN_KINDS), parent=self)
        self.code = QLineEdit(self)
        self.code.setPlaceholderText("ISMS-PRO-020, GDPR Art. 32")
        self.title_line = QLineEdit(self)
        self.setMinimumWidth(480)
        form = QFormLayout()
        add_row(form, "&Kind", self.kind)
        add_row(form, "&Code", self.code)
        add_row(form, "&Title", self.title_line)
        self.problems = _Problems(self)
        box = QVBoxLayout(self)
        box.addWidget(intro)
        box.addLayout(form)
        box.addWidget(self.problems)
        box.addWidget(_buttons(self))

    def requirement(self) -> NewRequirement:
        kind = self.kind.value()
        assert kind is not None  # the box has no "none"
        code, title = self.code.text().strip(), self.title_line.text().strip()
        if not code:
            raise FieldProblem(self.code, "Give the document or duty a code to cite it by.")
        if not title:
            raise FieldProblem(self.title_line, "Give the document or duty its title.")
        taken = [
            r
            for r in find_requirements(self.register, code, limit=5)
            if r.code.casefold() == code.casefold()
        ] + [r for r in self.pending if r.code.casefold() == code.casefold()]
        if taken:
            raise FieldProblem(
                self.code,
                f"{taken[0].code} is already a requirement ({taken[0].title}): type its "
                "code in Requirements breached to pick it.",
            )
        return NewRequirement(kind, code, title)

    def ask(self) -> NewRequirement | None:
        while self.exec() == QDialog.DialogCode.Accepted:
            try:
                return self.requirement()
            except FieldProblem as problem:
                self.problems.say(problem)
        return None


def ask_new_requirement(
    parent: QWidget, register: Register, pending: list[NewRequirement]
) -> NewRequirement | None:
    return NewRequirementDialog(register, pending, parent).ask()
