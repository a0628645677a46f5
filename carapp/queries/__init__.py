"""Read-only views of the register, by subject: findings (the list and one finding whole),
audits, people, similar findings, the summary at a glance, the register table's SQL, and
one JSON encoder for all of them.

Every view is a frozen dataclass holding enums and dates, never strings to parse back.
"""

from carapp.queries.audits import (
    AuditChoice,
    AuditView,
    audit_choices,
    audit_refs,
    find_audit,
    list_audits,
)
from carapp.queries.findings import (
    FindingDetail,
    FindingRow,
    HistoryView,
    finding_detail,
    finding_history,
    list_findings,
    load_findings_whole,
)
from carapp.queries.history_words import HistoryLine, history_lines
from carapp.queries.json import to_json
from carapp.queries.people import list_people
from carapp.queries.pickers import (
    OtherAction,
    OtherCause,
    find_requirements,
    other_actions,
    other_root_causes,
)
from carapp.queries.settings import (
    DeadlineRuleView,
    evidence_data,
    list_deadline_rules,
    register_settings,
)
from carapp.queries.similar import Cluster, Similar, SimilarFindings, similar_findings
from carapp.queries.summary import RegisterSummary, register_summary

__all__ = [
    "AuditChoice",
    "AuditView",
    "Cluster",
    "DeadlineRuleView",
    "FindingDetail",
    "FindingRow",
    "HistoryLine",
    "HistoryView",
    "OtherAction",
    "OtherCause",
    "RegisterSummary",
    "Similar",
    "SimilarFindings",
    "audit_choices",
    "audit_refs",
    "evidence_data",
    "find_audit",
    "find_requirements",
    "finding_detail",
    "finding_history",
    "history_lines",
    "list_audits",
    "list_deadline_rules",
    "list_findings",
    "list_people",
    "load_findings_whole",
    "other_actions",
    "other_root_causes",
    "register_settings",
    "register_summary",
    "similar_findings",
    "to_json",
]
