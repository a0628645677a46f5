"""The fields an imported column can fill, and what kind of cell each one reads."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Literal

# A cell as a spreadsheet reader gives it: openpyxl's values, or text from a CSV file.
CellValue = str | int | float | bool | dt.datetime | dt.date | dt.time | None

Kind = Literal["text", "date", "person", "word", "codes"]


class Field(enum.StrEnum):
    """A field of the register an imported column fills; at most one column fills each."""

    REF = "ref"
    CB_REF = "cb_ref"
    IDENTIFIED_ON = "identified_on"
    SOURCE = "source"
    AUDIT = "audit"
    RAISED_BY = "raised_by"
    TITLE = "title"
    STATEMENT = "statement"
    EVIDENCE_OBSERVED = "evidence_observed"
    AREA = "area"
    REQUIREMENTS = "requirements"
    CLASSIFICATION = "classification"
    STATUS = "status"
    CONTAINMENT = "containment"
    CONTAINED_ON = "contained_on"
    CONTAINED_BY = "contained_by"
    ROOT_CAUSE = "root_cause"
    CAUSE_CATEGORY = "cause_category"
    ACTION = "action"
    ACTION_OWNER = "action_owner"
    ACTION_TARGET = "action_target"
    ACTION_OUTCOME = "action_outcome"
    ACTION_STATUS = "action_status"
    ACTION_COMPLETED_ON = "action_completed_on"
    COMPLETION_EVIDENCE = "completion_evidence"
    PLAN_SENT_ON = "plan_sent_on"
    REVIEW_METHOD = "review_method"
    REVIEW_DUE = "review_due"
    REVIEWER = "reviewer"
    REVIEW_DONE_ON = "review_done_on"
    REVIEW_RESULT = "review_result"
    REVIEW_NOTES = "review_notes"
    ISMS_RISK_ASSESSMENT = "isms_risk_assessment"
    ISMS_SOA = "isms_soa"
    ISMS_RISK_TREATMENT_PLAN = "isms_risk_treatment_plan"
    ISMS_POLICIES = "isms_policies"
    OBSERVATION_DECISION = "observation_decision"
    CLOSED_ON = "closed_on"
    VOID_REASON = "void_reason"

    @property
    def label(self) -> str:
        """The field's name as the mapping dialog and the reports show it."""
        return _LABELS[self][0]

    @property
    def kind(self) -> Kind:
        return _LABELS[self][1]


_LABELS: dict[Field, tuple[str, Kind]] = {
    Field.REF: ("Reference (theirs)", "text"),
    Field.CB_REF: ("Certification body ref", "text"),
    Field.IDENTIFIED_ON: ("Date identified", "date"),
    Field.SOURCE: ("Source", "word"),
    Field.AUDIT: ("Audit", "text"),
    Field.RAISED_BY: ("Raised by", "person"),
    Field.TITLE: ("Title", "text"),
    Field.STATEMENT: ("Statement (description)", "text"),
    Field.EVIDENCE_OBSERVED: ("Evidence observed", "text"),
    Field.AREA: ("Area / process", "text"),
    Field.REQUIREMENTS: ("Requirement (clause or control)", "codes"),
    Field.CLASSIFICATION: ("Classification", "word"),
    Field.STATUS: ("Status", "word"),
    Field.CONTAINMENT: ("Containment / correction", "text"),
    Field.CONTAINED_ON: ("Contained on", "date"),
    Field.CONTAINED_BY: ("Contained by", "person"),
    Field.ROOT_CAUSE: ("Root cause", "text"),
    Field.CAUSE_CATEGORY: ("Cause category", "word"),
    Field.ACTION: ("Corrective action", "text"),
    Field.ACTION_OWNER: ("Action owner", "person"),
    Field.ACTION_TARGET: ("Action target date", "date"),
    Field.ACTION_OUTCOME: ("Expected outcome", "text"),
    Field.ACTION_STATUS: ("Action status", "word"),
    Field.ACTION_COMPLETED_ON: ("Action completed on", "date"),
    Field.COMPLETION_EVIDENCE: ("Completion evidence", "text"),
    Field.PLAN_SENT_ON: ("Plan sent on", "date"),
    Field.REVIEW_METHOD: ("Effectiveness method", "text"),
    Field.REVIEW_DUE: ("Effectiveness review due", "date"),
    Field.REVIEWER: ("Effectiveness reviewer", "person"),
    Field.REVIEW_DONE_ON: ("Effectiveness reviewed on", "date"),
    Field.REVIEW_RESULT: ("Effectiveness result", "word"),
    Field.REVIEW_NOTES: ("Effectiveness notes", "text"),
    Field.ISMS_RISK_ASSESSMENT: ("ISMS: risk assessment", "text"),
    Field.ISMS_SOA: ("ISMS: Statement of Applicability", "text"),
    Field.ISMS_RISK_TREATMENT_PLAN: ("ISMS: risk treatment plan", "text"),
    Field.ISMS_POLICIES: ("ISMS: policies", "text"),
    Field.OBSERVATION_DECISION: ("Observation decision", "text"),
    Field.CLOSED_ON: ("Date closed", "date"),
    Field.VOID_REASON: ("Void reason", "text"),
}
