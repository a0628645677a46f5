"""Use cases: what a user does to the register, as plain functions of plain values.

Screens and the command line call these and nothing below them. Each runs in one short
session: it commits whole, or, when refused, changes nothing, and returns a
:class:`~carapp.operations.changes.Changes` naming what it changed. History is written by
the session hooks, so a use case only changes records. One module per subject; this
package gathers their names so that a caller imports one place.
"""

from __future__ import annotations

from carapp.models.refs import DEFAULT_SETTINGS, REF_WIDTH, format_ref
from carapp.operations.actions import (
    cancel_action,
    complete_action,
    link_action,
    plan_action,
    update_action,
)
from carapp.operations.analysis import (
    WhyDraft,
    link_root_cause,
    record_root_cause,
    update_root_cause,
)
from carapp.operations.audits import (
    AuditDraft,
    add_audit,
    record_audit_report,
)
from carapp.operations.changes import Changes, changes_of
from carapp.operations.common import (
    get_action,
    get_audit,
    get_finding,
    get_person,
    next_ref,
    required_text,
    requirement_by_code,
    setting,
)
from carapp.operations.deadlines import (
    decide_extension,
    record_plan_sent,
    request_extension,
    set_deadline_rule,
)
from carapp.operations.editing import confirm_unchanged
from carapp.operations.evidence import (
    MAX_EVIDENCE_BYTES,
    attach_evidence,
    evidence_name,
    megabytes,
    read_evidence_file,
    too_large,
)
from carapp.operations.findings import (
    FindingDraft,
    close,
    containment_not_needed,
    decide_isms_update,
    decide_observation,
    move,
    raise_dispute,
    record_containment,
    record_finding,
    reopen,
    resolve_dispute,
    set_requirements,
    update_finding,
    void,
)
from carapp.operations.registers import (
    add_person,
    add_requirement,
    create_register,
    seed,
    set_setting,
    update_person,
)
from carapp.operations.reviews import (
    ReviewDraft,
    record_review,
    update_review,
)
from carapp.operations.workshops import (
    TeamAnalysis,
    discard_draft,
    raise_parked_issue,
    record_team_analysis,
    save_draft,
)

__all__ = [
    "ACTIONS",
    "AUDITS",
    "DEADLINE_RULES",
    "DEFAULT_SETTINGS",
    "EVIDENCE",
    "EXTENSIONS",
    "FINDINGS",
    "MAX_EVIDENCE_BYTES",
    "PEOPLE",
    "REF_WIDTH",
    "REQUIREMENTS",
    "REVIEWS",
    "ROOT_CAUSES",
    "SETTINGS",
    "AuditDraft",
    "Changes",
    "FindingDraft",
    "ReviewDraft",
    "TeamAnalysis",
    "WhyDraft",
    "add_audit",
    "add_person",
    "add_requirement",
    "attach_evidence",
    "cancel_action",
    "changes_of",
    "close",
    "complete_action",
    "confirm_unchanged",
    "containment_not_needed",
    "create_register",
    "decide_extension",
    "decide_isms_update",
    "decide_observation",
    "discard_draft",
    "evidence_name",
    "format_ref",
    "get_action",
    "get_audit",
    "get_finding",
    "get_person",
    "link_action",
    "link_root_cause",
    "megabytes",
    "move",
    "next_ref",
    "plan_action",
    "raise_dispute",
    "raise_parked_issue",
    "read_evidence_file",
    "record_audit_report",
    "record_containment",
    "record_finding",
    "record_plan_sent",
    "record_review",
    "record_root_cause",
    "record_team_analysis",
    "reopen",
    "request_extension",
    "required_text",
    "requirement_by_code",
    "resolve_dispute",
    "save_draft",
    "seed",
    "set_deadline_rule",
    "set_requirements",
    "set_setting",
    "setting",
    "too_large",
    "update_action",
    "update_finding",
    "update_person",
    "update_review",
    "update_root_cause",
    "void",
]
