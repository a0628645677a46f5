"""The closed vocabularies of the register, as the domain names them.

Values are stored as their lower-case ``value`` strings so that a register stays readable in
any SQL tool and survives a rename of the Python member.
"""

from __future__ import annotations

import enum


class _Labelled(enum.StrEnum):
    @property
    def label(self) -> str:
        return _LABELS.get(self.value, self.value.replace("_", " ").capitalize())


class AuditKind(_Labelled):
    INTERNAL = "internal"
    STAGE1 = "stage1"
    STAGE2 = "stage2"
    SURVEILLANCE = "surveillance"
    RECERTIFICATION = "recertification"
    OTHER = "other"

    @property
    def by_certification_body(self) -> bool:
        return self in (
            AuditKind.STAGE1,
            AuditKind.STAGE2,
            AuditKind.SURVEILLANCE,
            AuditKind.RECERTIFICATION,
        )


class Source(_Labelled):
    CERTIFICATION_AUDIT = "certification_audit"
    INTERNAL_AUDIT = "internal_audit"
    INCIDENT_REVIEW = "incident_review"
    MANAGEMENT_REVIEW = "management_review"
    MONITORING = "monitoring"
    SELF_IDENTIFIED = "self_identified"


class Classification(_Labelled):
    MAJOR = "major"
    MINOR = "minor"
    OBSERVATION = "observation"
    OFI = "ofi"

    @property
    def is_nonconformity(self) -> bool:
        return self in (Classification.MAJOR, Classification.MINOR)


class Stage(_Labelled):
    # Nonconformity path (clause 10.2), in order.
    IDENTIFIED = "identified"
    CONTAINED = "contained"
    CAUSE_FOUND = "cause_found"
    ACTIONS_PLANNED = "actions_planned"
    ACTIONS_DONE = "actions_done"
    EFFECTIVE = "effective"
    CLOSED = "closed"
    # Observation / OFI path.
    OPEN = "open"
    DECIDED = "decided"
    # Off either path.
    DISPUTED = "disputed"
    VOID = "void"


NC_PATH: tuple[Stage, ...] = (
    Stage.IDENTIFIED,
    Stage.CONTAINED,
    Stage.CAUSE_FOUND,
    Stage.ACTIONS_PLANNED,
    Stage.ACTIONS_DONE,
    Stage.EFFECTIVE,
    Stage.CLOSED,
)
OBSERVATION_PATH: tuple[Stage, ...] = (Stage.OPEN, Stage.DECIDED, Stage.CLOSED)


class RootCauseMethod(_Labelled):
    FIVE_WHYS = "five_whys"
    FISHBONE = "fishbone"
    PROCESS_REVIEW = "process_review"
    INTERVIEW = "interview"
    OTHER = "other"


class CauseCategory(_Labelled):
    PROCESS_DESIGN = "process_design"
    TRAINING_AWARENESS = "training_awareness"
    OWNERSHIP = "ownership"
    TECHNOLOGY = "technology"
    RESOURCE = "resource"
    OTHER = "other"

    @property
    def explanation(self) -> str:
        """One line telling the categories apart, for whoever picks one."""
        return _CAUSE_EXPLANATIONS[self]


class ActionKind(_Labelled):
    CORRECTION = "correction"
    CORRECTIVE = "corrective"
    PREVENTIVE = "preventive"


class ActionStatus(_Labelled):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class ReviewResult(_Labelled):
    EFFECTIVE = "effective"
    NOT_EFFECTIVE = "not_effective"


class RequirementKind(_Labelled):
    CLAUSE = "clause"
    ANNEX_A = "annex_a"
    INTERNAL_DOCUMENT = "internal_document"
    LEGAL = "legal"
    CONTRACTUAL = "contractual"


class DisputeOutcome(_Labelled):
    UPHELD = "upheld"  # the finding stands as written
    RECLASSIFIED = "reclassified"  # the finding stands with another classification
    WITHDRAWN = "withdrawn"  # the auditor withdrew it; the finding is then voided


class IsmsTarget(_Labelled):
    RISK_ASSESSMENT = "risk_assessment"
    SOA = "soa"
    RISK_TREATMENT_PLAN = "risk_treatment_plan"
    POLICIES = "policies"


class IsmsDecision(_Labelled):
    UPDATED = "updated"
    NOT_NEEDED = "not_needed"


class ObservationDecision(_Labelled):
    ACT = "act"
    NO_ACTION = "no_action"


class Deadline(_Labelled):
    PLAN = "plan"
    CLOSURE = "closure"


class ExtensionStatus(_Labelled):
    REQUESTED = "requested"
    GRANTED = "granted"
    REFUSED = "refused"


_LABELS: dict[str, str] = {
    "stage1": "Certification stage 1",
    "stage2": "Certification stage 2",
    "surveillance": "Surveillance",
    "recertification": "Recertification",
    "certification_audit": "Certification body audit",
    "major": "Major NC",
    "minor": "Minor NC",
    "ofi": "OFI",
    "cause_found": "Cause found",
    "actions_planned": "Actions planned",
    "actions_done": "Actions done",
    "five_whys": "Five whys",
    "process_design": "Process design",
    "training_awareness": "Training / awareness",
    "not_effective": "Not effective",
    "annex_a": "Annex A control",
    "clause": "ISO/IEC 27001 clause",
    "internal_document": "Internal document",
    "soa": "Statement of Applicability",
    "risk_treatment_plan": "Risk treatment plan",
    "not_needed": "Not needed",
    "no_action": "No action",
    "in_progress": "In progress",
}

_CAUSE_EXPLANATIONS: dict[CauseCategory, str] = {
    CauseCategory.PROCESS_DESIGN: "The procedure or checklist lacks a step, or its steps do "
    "not fit the work as done.",
    CauseCategory.TRAINING_AWARENESS: "People were never shown how, or the way they were "
    "shown does not reach them.",
    CauseCategory.OWNERSHIP: "Nobody clearly owns the process, so nobody keeps it up to date.",
    CauseCategory.TECHNOLOGY: "A tool or system does not do, or does not enforce, what the "
    "process relies on.",
    CauseCategory.RESOURCE: "Not enough people, time or budget to do the work as designed.",
    CauseCategory.OTHER: "None of the above: say which in the statement.",
}
