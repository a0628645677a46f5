"""A finding's history in the words its users use: "Action CA-2026-004 · Target date",
"3 Nov 2026", "Tom Okafor", never table or column names.

The history log keeps the register's own names (``corrective_actions``, ``owner_id``) so
that ``carapp check`` can replay it against the tables; this module is the one place that
translates them for people.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, Date
from sqlalchemy import Enum as EnumType

from carapp.models.entities import Base
from carapp.models.history import CREATED
from carapp.models.words import day_text
from carapp.queries.findings import HistoryView

DASH = "\u2014"


@dataclass(frozen=True, slots=True)
class HistoryLine:
    """One change as the detail pane shows it: ``what`` names the record and the field (or
    says what happened to the record), ``old`` and ``new`` are displayed values."""

    at: str  # local time, 'YYYY-MM-DD HH:MM'
    actor: str
    what: str
    old: str
    new: str
    note: str = ""


# Field labels shared by every record; a record's own labels come first.
_FIELDS: dict[str, str] = {
    "ref": "Reference",
    "title": "Title",
    "statement": "Statement",
    "evidence_observed": "Evidence observed",
    "area": "Area",
    "classification": "Classification",
    "source": "Source",
    "audit_id": "Audit",
    "cb_ref": "Certification body reference",
    "raised_by_id": "Raised by",
    "identified_on": "Date identified",
    "requirements": "Requirements breached",
    "containment": "Containment",
    "contained_on": "Contained on",
    "contained_by_id": "Contained by",
    "containment_none_reason": "Why no containment is needed",
    "dispute_raised_on": "Dispute raised on",
    "dispute_outcome": "Dispute outcome",
    "dispute_note": "Dispute note",
    "decision": "Decision",
    "decision_note": "Note on the decision",
    "isms_risk_assessment": "Risk assessment update",
    "isms_risk_assessment_note": "Risk assessment update note",
    "isms_soa": "Statement of Applicability update",
    "isms_soa_note": "Statement of Applicability update note",
    "isms_risk_treatment_plan": "Risk treatment plan update",
    "isms_risk_treatment_plan_note": "Risk treatment plan update note",
    "isms_policies": "Policies update",
    "isms_policies_note": "Policies update note",
    "plan_sent_on": "Plan sent on",
    "closed_on": "Closed on",
    "void_reason": "Reason voided",
    "voided_on": "Voided on",
    "stage": "Stage",
    "cycle": "Round",
    "plan_due": "Plan due",
    "closure_due": "Closure due",
    "method": "Method",
    "category": "Category",
    "symptom_justification": "Justification",
    "recorded_on": "Recorded on",
    "question": "Question",
    "answer": "Answer",
    "evidence": "Evidence",
    "checked": "Checked",
    "removed": "Removed",
    "parent_id": "Branches from",
    "position": "Position",
    "kind": "Kind",
    "description": "Description",
    "owner_id": "Owner",
    "target_on": "Target date",
    "outcome": "Expected outcome",
    "status": "Status",
    "completed_on": "Completed on",
    "completion_evidence": "Completion evidence",
    "cancelled_reason": "Reason cancelled",
    "criteria": "Criteria",
    "due_on": "Due date",
    "reviewer_id": "Reviewer",
    "done_on": "Done on",
    "result": "Result",
    "notes": "Notes",
    "deadline": "Deadline",
    "asked_on": "Asked on",
    "previous_due": "Due date before",
    "requested_due": "Date asked for",
    "granted_due": "Date granted",
    "reason": "Reason",
    "decided_on": "Decided on",
    "name": "File name",
    "media_type": "File type",
    "size": "Size (bytes)",
    "sha256": "SHA-256",
    "added_on": "Added on",
    "root_cause_id": "Root cause",
    "action_id": "Action",
    "finding_id": "Finding",
    "is_root": "Named the root cause",
    "held_on": "Held on",
    "minutes_taken": "Minutes taken",
    "fewer_whys_reason": "Why fewer whys were enough",
    "attendees": "Attendees",
    "text": "Issue",
    "related": "Related",
    "note": "Note",
}
_RECORD_FIELDS: dict[str, dict[str, str]] = {
    "extension_requests": {"decision_note": "Note on the decision", "status": "Decision"},
}

# What happened when each kind of record was created.
_CREATED: dict[str, str] = {
    "findings": "recorded",
    "root_causes": "recorded",
    "why_steps": "recorded",
    "corrective_actions": "planned",
    "effectiveness_reviews": "recorded",
    "extension_requests": "made",
    "evidence": "attached",
    "finding_root_causes": "linked",
    "finding_actions": "linked",
    "workshops": "held",
    "parked_issues": "parked",
    "similar_evaluations": "recorded",
}
# A link made in the same save as the record it links to says nothing more.
_LINKS = frozenset({"finding_root_causes", "finding_actions"})


def history_lines(
    detail_history: Sequence[HistoryView], *, limit: int | None = None
) -> list[HistoryLine]:
    """``detail_history`` (a finding's, oldest first) in the user's words, newest first;
    at most ``limit`` lines."""
    records_created = {
        (h.record_label, h.at)
        for h in detail_history
        if h.field == CREATED and h.record.split("#")[0] not in _LINKS
    }
    lines: list[HistoryLine] = []
    for h in reversed(detail_history):
        entity = h.record.split("#")[0]
        if h.field == CREATED:
            if entity in _LINKS and (h.record_label, h.at) in records_created:
                continue
            lines.append(_created_line(h, entity))
        else:
            lines.append(
                HistoryLine(
                    at=local_time(h.at),
                    actor=h.actor,
                    what=f"{h.record_label or _fallback_label(entity)} \u00b7 "
                    f"{field_label(entity, h.field)}",
                    old=h.old_name if h.old_name is not None else shown(entity, h.field, h.old),
                    new=h.new_name if h.new_name is not None else shown(entity, h.field, h.new),
                    note=h.note,
                )
            )
        if limit is not None and len(lines) >= limit:
            break
    return lines


def _created_line(h: HistoryView, entity: str) -> HistoryLine:
    label = h.record_label or _fallback_label(entity)
    verb = _CREATED.get(entity, "created")
    if entity == "effectiveness_reviews" and isinstance(h.new, dict) and not h.new.get("result"):
        verb = "scheduled"
    what = f"{label} {verb}"
    if entity in _LINKS and isinstance(h.new, dict):
        what += f" (round {h.new.get('cycle', 1)})"
    summary = ""
    if isinstance(h.new, dict):
        for key in (
            "title",
            "description",
            "statement",
            "answer",
            "method",
            "reason",
            "name",
            "text",
            "note",
        ):
            value = h.new.get(key)
            if isinstance(value, str) and value:
                summary = value
                break
    return HistoryLine(
        at=local_time(h.at), actor=h.actor, what=what, old=DASH, new=summary or DASH, note=h.note
    )


def _fallback_label(entity: str) -> str:
    # Every entry of a finding's history carries its label; a bare view (built by hand or
    # by an older caller) still never shows a table name.
    return {
        "findings": "Finding",
        "root_causes": "Root cause",
        "why_steps": "Root cause, why",
        "finding_root_causes": "Root cause",
        "corrective_actions": "Action",
        "finding_actions": "Action",
        "effectiveness_reviews": "Effectiveness review",
        "extension_requests": "Extension request",
        "evidence": "Attachment",
        "workshops": "Workshop",
        "parked_issues": "Workshop parking lot",
        "similar_evaluations": "Similar finding evaluated",
    }.get(entity, "Record")


def field_label(entity: str, field: str) -> str:
    return (
        _RECORD_FIELDS.get(entity, {}).get(field)
        or _FIELDS.get(field)
        or field.removesuffix("_id").replace("_", " ").capitalize()
    )


def local_time(at: str) -> str:
    """A history timestamp ('2026-11-23T09:05:00Z') in the computer's local time."""
    try:
        moment = dt.datetime.strptime(at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return at[:16].replace("T", " ")
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def shown(entity: str, field: str, value: Any) -> str:
    """A recorded value as the user reads it: labels for enums, dates as 3 Nov 2026,
    yes/no, and a dash for nothing."""
    if value is None or value in ("", []):
        return DASH
    column = Base.metadata.tables[entity].c.get(field) if entity in Base.metadata.tables else None
    kind = column.type if column is not None else None
    if isinstance(value, bool) or isinstance(kind, Boolean):
        return "yes" if value else "no"
    if isinstance(kind, EnumType) and kind.enum_class is not None:
        enum_class: type[enum.Enum] = kind.enum_class
        try:
            member = enum_class(value)
        except ValueError:
            return str(value)
        label = getattr(member, "label", None)
        return str(label) if label is not None else str(member.value)
    if isinstance(kind, Date) and isinstance(value, str):
        try:
            return day_text(dt.date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
