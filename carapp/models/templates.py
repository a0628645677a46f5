"""Findings that recur across organisations, as starting points for a new finding."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from carapp.models.enums import Classification


@dataclass(frozen=True, slots=True)
class FindingTemplate:
    name: str
    title: str
    statement: str
    requirement_codes: Sequence[str]
    classification: Classification


# Each template gives the title, the requirements breached and the usual classification,
# and a statement that says what was required and leaves what was seen to the person who
# saw it: a template never invents evidence.
SEEN = "Seen: \u2026"


def _statement(required: str) -> str:
    return f"Required: {required}\n{SEEN}"


FINDING_TEMPLATES: tuple[FindingTemplate, ...] = (
    FindingTemplate(
        "Risk assessment not updated after a change",
        "Information security risk assessment not updated after a significant change",
        _statement(
            "risk assessments are performed at planned intervals and when significant "
            "changes are proposed or occur (clauses 6.1.2 and 8.2)."
        ),
        ("6.1.2", "8.2"),
        Classification.MINOR,
    ),
    FindingTemplate(
        "Internal audit programme incomplete",
        "Internal audit programme not carried out as planned",
        _statement(
            "internal audits are conducted at planned intervals under a programme that "
            "covers the whole ISMS (clause 9.2)."
        ),
        ("9.2",),
        Classification.MINOR,
    ),
    FindingTemplate(
        "Management review inputs missing",
        "Management review did not consider all the required inputs",
        _statement(
            "the management review considers the inputs listed in clause 9.3.2, among "
            "them audit results, nonconformities and the status of risk treatment "
            "(clause 9.3)."
        ),
        ("9.3",),
        Classification.MINOR,
    ),
    FindingTemplate(
        "Leavers keep their access",
        "Leavers retain active accounts after their last day",
        _statement(
            "access rights are removed when employment ends, as the access control "
            "policy sets out (control A.5.18)."
        ),
        ("A.5.18",),
        Classification.MINOR,
    ),
    FindingTemplate(
        "Supplier assessments overdue",
        "Supplier security assessments overdue",
        _statement(
            "supplier information security practices and service delivery are "
            "monitored, reviewed and evaluated regularly (control A.5.22)."
        ),
        ("A.5.22",),
        Classification.MINOR,
    ),
    FindingTemplate(
        "Training records incomplete",
        "Competence and awareness training records incomplete",
        _statement(
            "the competence of people doing work that affects information security is "
            "determined and evidence of it retained (clause 7.2), and staff receive "
            "awareness training (control A.6.3)."
        ),
        ("7.2", "A.6.3"),
        Classification.MINOR,
    ),
    FindingTemplate(
        "Policies unsigned or undated",
        "Information security policies not approved or not dated",
        _statement(
            "the information security policy is established by top management (clause "
            "5.2) and policies are approved, published and reviewed (control A.5.1)."
        ),
        ("5.2", "A.5.1"),
        Classification.MINOR,
    ),
    FindingTemplate(
        "Scope statement out of date",
        "ISMS scope statement does not reflect the current organisation",
        _statement(
            "the boundaries and applicability of the ISMS are determined and available "
            "as documented information (clause 4.3)."
        ),
        ("4.3",),
        Classification.MINOR,
    ),
    FindingTemplate(
        "SoA control without evidence",
        "Control stated as implemented in the Statement of Applicability without evidence",
        _statement(
            "the Statement of Applicability states which controls are implemented, and "
            "each implemented control operates as stated (clause 6.1.3)."
        ),
        ("6.1.3",),
        Classification.MINOR,
    ),
)
