"""The finding itself (clause 10.2, "the nature of the nonconformity"): what was required
and what was seen, where, how serious, where it came from and which requirements it
breaches. Its edit records a new finding, which gives the other sections a reference."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from carapp import operations as op
from carapp.models.entities import Finding
from carapp.models.enums import AuditKind, Classification, Source
from carapp.operations.common import length_of
from carapp.operations.findings import FindingDraft
from carapp.queries import FindingDetail
from carapp.ui.editor.fields import DateField, EnumBox, FieldProblem, PersonChoice
from carapp.ui.editor.pickers import (
    AuditChoice,
    AuditPicker,
    NewAudit,
    RequirementPicker,
    best_match,
)
from carapp.ui.editor.section import Edit, EditorContext, SaveContext, Section
from carapp.ui.widgets import TextBox, add_row

CHOOSE = "\u2014 choose \u2014"
# Before this many years ago a date is more likely a mistyped year than an old finding.
OLD_YEARS = 3
NEW_SOURCE = Source.SELF_IDENTIFIED


def years_ago(on: dt.date, today: dt.date) -> int:
    return today.year - on.year - ((today.month, today.day) < (on.month, on.day))


@dataclass(frozen=True)
class Typed:
    """What the section's inputs say, as the domain's values (the audit may be pending)."""

    title: str
    statement: str
    evidence: str
    area: str
    classification: Classification | None
    source: Source
    audit: AuditChoice
    cb_ref: str
    raised_by: PersonChoice
    identified: dt.date | None
    requirements: tuple[str, ...]


class FindingSection(Section):
    key = "finding"
    title = "Finding"
    needs_record = False

    def __init__(self, context: EditorContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self._template_used = False
        self.title_line = QLineEdit(self)
        self.title_line.setPlaceholderText("Leavers retain active accounts after their last day")
        self.statement = TextBox(
            "Statement",
            self,
            placeholder="What was required (the requirement, in its words), and what was seen",
            lines=4,
        )
        self.evidence = TextBox(
            "Evidence observed",
            self,
            placeholder="The records, samples and interviews the finding rests on",
            lines=3,
        )
        line = self.fontMetrics().lineSpacing()
        self.statement.setMaximumHeight(line * 6 + 12)
        self.evidence.setMaximumHeight(line * 4 + 12)
        self.area = QLineEdit(self)
        self.area.setPlaceholderText("HR offboarding, supplier management, \u2026")
        self.classification = EnumBox(
            "Classification", list(Classification), none=CHOOSE, parent=self
        )
        self.classification.set_explanations(
            {
                Classification.MAJOR: "A requirement not met at all, or a doubt that the "
                "ISMS achieves its outcomes",
                Classification.MINOR: "A single lapse that does not put the ISMS in doubt",
                Classification.OBSERVATION: "Not a nonconformity yet, but could become one",
                Classification.OFI: "An opportunity for improvement",
            }
        )
        self.source = EnumBox("Source", list(Source), parent=self)
        self.audit = AuditPicker("Audit", context.register, context.people, self)
        self.cb_ref = QLineEdit(self)
        self.cb_ref.setPlaceholderText("The certification body's own number for it, if any")
        self.raised_by = context.person_picker("Raised by", self)
        self.identified = DateField("Date identified", self)
        self.old_date = QLabel(self)
        self.old_date.setAccessibleName("Date identified: warning")
        self.old_date.setStyleSheet("color: #8a5a00;")
        self.old_date.setWordWrap(True)
        self.old_date.hide()
        dated = QWidget(self)
        dated_box = QVBoxLayout(dated)
        dated_box.setContentsMargins(0, 0, 0, 0)
        dated_box.addWidget(self.identified)
        dated_box.addWidget(self.old_date)
        self.requirements = RequirementPicker("Requirements breached", context.register, self)

        form = QFormLayout()
        add_row(form, "&Title", self.title_line)
        add_row(form, "State&ment", self.statement)
        add_row(form, "&Evidence observed", self.evidence)
        add_row(form, "&Area / process", self.area)
        add_row(form, "C&lassification", self.classification)
        add_row(form, "Sou&rce", self.source)
        add_row(form, "A&udit", self.audit)
        add_row(form, "Certification &body's reference", self.cb_ref)
        add_row(form, "Raised b&y", self.raised_by)
        add_row(form, "&Date identified", dated, focus=self.identified.line)
        add_row(form, "Re&quirements breached", self.requirements, focus=self.requirements.line)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addStretch(1)
        # Tab walks the form top to bottom, whatever order the inputs were made in.
        chain = [
            self.title_line,
            self.statement,
            self.evidence,
            self.area,
            self.classification,
            self.source,
            self.audit,
            self.cb_ref,
            self.raised_by,
            self.identified.line,
            self.requirements.line,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        # As long as the register's columns hold: typing past them would only be refused.
        self.title_line.setMaxLength(length_of(Finding.title))
        self.area.setMaxLength(length_of(Finding.area))
        self.cb_ref.setMaxLength(length_of(Finding.cb_ref))

        self.watch(
            self.title_line,
            self.statement,
            self.evidence,
            self.area,
            self.classification,
            self.source,
            self.audit,
            self.cb_ref,
            self.raised_by,
            self.identified,
        )
        self.requirements.edited.connect(self.edited.emit)
        self.audit.edited.connect(self._audit_chosen)
        self.source.activated.connect(lambda _i: setattr(self, "_source_touched", True))
        self.identified.edited.connect(self._check_age)
        self._source_touched = False

    # --- showing ---------------------------------------------------------------------

    def load(self, detail: FindingDetail | None) -> None:
        self.audit.reload()
        self._source_touched = False
        template = self.context.template if detail is None and not self._template_used else None
        if detail is None:
            self._template_used = True
            self.title_line.setText(template.title if template else "")
            self.statement.setText(template.statement if template else "")
            self.evidence.setText("")
            self.area.setText("")
            self.classification.set_value(template.classification if template else None)
            self.source.set_value(NEW_SOURCE)
            self.audit.set_value(None)
            self.cb_ref.setText("")
            self.raised_by.set_value(None)
            self.identified.set_value(self.context.today)
            self.requirements.set_codes(
                self._titled(template.requirement_codes if template else ())
            )
        else:
            self.title_line.setText(detail.title)
            self.statement.setText(detail.statement)
            self.evidence.setText(detail.evidence_observed)
            self.area.setText(detail.area)
            self.classification.set_value(detail.classification)
            self.source.set_value(detail.source)
            self.audit.set_value(detail.audit)
            self.cb_ref.setText(detail.cb_ref)
            self.raised_by.set_value(detail.raised_by_id)
            self.identified.set_value(detail.identified)
            self.requirements.set_codes([(r.code, r.title) for r in detail.requirements])
        self._check_age()
        self.title_line.setCursorPosition(0)

    def _titled(self, codes: Sequence[str]) -> list[tuple[str, str]]:
        """Codes with their titles as the register holds them (a code it lacks is left out:
        the template's catalog may be newer than the register's)."""
        out: list[tuple[str, str]] = []
        for code in codes:
            found = best_match(self.context.register, code)
            if found is not None and found.code.casefold() == code.casefold():
                out.append((found.code, found.title))
        return out

    def _audit_chosen(self) -> None:
        """A finding from an audit usually has that audit's source: follow it unless the
        user chose the source."""
        self.edited.emit()
        if self._source_touched:
            return
        kind = self.audit.kind_of(self.audit.value())
        if kind is None:
            return
        self.source.set_value(
            Source.INTERNAL_AUDIT if kind is AuditKind.INTERNAL else Source.CERTIFICATION_AUDIT
        )

    def _check_age(self) -> None:
        try:
            on = self.identified.value()
        except FieldProblem:
            on = None
        age = years_ago(on, self.context.today) if on else 0
        if on is not None and age > OLD_YEARS:
            self.old_date.setText(f"That is {age} years ago: check the year.")
            self.old_date.show()
        else:
            self.old_date.clear()
            self.old_date.hide()

    # --- saving ----------------------------------------------------------------------

    def typed(self) -> Typed:
        source = self.source.value()
        assert source is not None  # the box has no "none"
        return Typed(
            title=self.title_line.text(),
            statement=self.statement.text(),
            evidence=self.evidence.text(),
            area=self.area.text(),
            classification=self.classification.value(),
            source=source,
            audit=self.audit.value(),
            cb_ref=self.cb_ref.text(),
            raised_by=self.raised_by.value(),
            identified=self.identified.value(),
            requirements=tuple(self.requirements.codes()),
        )

    def _saved(self) -> Typed:
        d = self.detail
        if d is None:
            return Typed("", "", "", "", None, NEW_SOURCE, None, "", None, self.context.today, ())
        return Typed(
            d.title,
            d.statement,
            d.evidence_observed,
            d.area,
            d.classification,
            d.source,
            d.audit,
            d.cb_ref,
            d.raised_by_id,
            d.identified,
            tuple(r.code for r in d.requirements),
        )

    def edits(self) -> list[Edit]:
        typed, saved = self.typed(), self._saved()
        # The order requirements were picked in is not a change; which ones are.
        if set(typed.requirements) == set(saved.requirements):
            saved = replace(saved, requirements=typed.requirements)
        if typed == saved:
            return []
        classification = typed.classification
        if classification is None:
            raise FieldProblem(
                self.classification,
                "Choose the classification: major, minor, observation or opportunity for "
                "improvement.",
            )
        identified = typed.identified
        if identified is None:
            raise FieldProblem(self.identified.line, "Say when the finding was identified.")
        out = [
            Edit(f"Add requirement {new.code}", new.add, self.requirements.line)
            for new in self.requirements.pending()
        ]
        audit = typed.audit
        raised_by = typed.raised_by

        def draft(s: SaveContext) -> FindingDraft:
            audit_ref = audit.add(s) if isinstance(audit, NewAudit) else audit
            return FindingDraft(
                title=typed.title,
                source=typed.source,
                classification=classification,
                identified_on=identified,
                statement=typed.statement,
                evidence_observed=typed.evidence,
                area=typed.area,
                audit_ref=audit_ref,
                cb_ref=typed.cb_ref,
                raised_by_id=s.person(raised_by),
                requirement_codes=typed.requirements,
            )

        widget = self._refusal_widget(typed, classification, identified)
        if self.detail is None:

            def record(s: SaveContext) -> op.Changes[str]:
                changes = op.record_finding(s.register, draft(s))
                s.ref = changes.result
                return changes

            out.append(Edit("Record the finding", record, widget))
        else:
            out.append(
                Edit(
                    "Update the finding",
                    lambda s: op.update_finding(s.register, s.finding, draft(s)),
                    widget,
                )
            )
        return out

    def _refusal_widget(
        self, typed: Typed, classification: Classification, identified: dt.date
    ) -> QWidget:
        """The input the register's refusal of this edit will most likely be about (the
        register decides; this only says where to show it)."""
        if not typed.title.strip():
            return self.title_line
        if identified > self.context.today:
            return self.identified.line
        if classification is Classification.MAJOR and not typed.requirements:
            return self.requirements.line
        if isinstance(typed.audit, NewAudit):
            return self.audit
        return self.identified.line
