"""Column headings as people write them, matched to the fields an imported column fills.

A heading is first :func:`normalise`\\ d (case, accents, punctuation, "&", "No."/"#", hints
such as "(dd/mm/yyyy)" or "(Y/N)" and a trailing "*" no longer matter), then looked up among
:data:`SYNONYMS`; only when no synonym matches exactly does a conservative partial rule
apply (see :func:`field_for`).

The synonyms are the headings of real, public register templates and of the register
forms of tools people export from, plus carapp's own export (``FINDING_COLUMNS`` in
:mod:`carapp.exports.xlsx`) and the list of what a log entry should hold in the guide in
``../shared/seeds/``. Sources read (2026):

- psjenkins/ISMS, ``04-registers/corrective-actions-register-template.md`` (an ISO 27001
  corrective actions register): Action ID, Source, Issue Summary, Action Description,
  Owner, Priority, Target Date, Status, Progress Update, Closure Evidence, Closure Date,
  Linked Records.
- iso-docs.com, ISO 22301 corrective action register template: Action ID, Source of Issue,
  Description of Non-Conformity, Root Cause, Corrective Action, Responsible Person, Target
  Date, Status, Verification of Effectiveness, Remarks / Notes.
- help.venvera.com, ISO 27001 nonconformity register: NC Reference, Title, Description,
  Classification (Major NC, Minor NC, Observation, OFI), Source, responsible person, target
  date, Root Cause, corrective action, preventive action, Status.
- clinicalstudies.in, CAPA log fields auditors expect: CAPA ID, Trigger Event, Date
  Initiated, Root Cause Summary, Corrective Action, Preventive Action, Owner, Due Date,
  Actual Completion Date, Status, Effectiveness Check.
- capaguide.com, CAPA form structure: CAPA number, initiation date, Source of CAPA, Problem
  statement, Immediate correction or containment action, Root cause analysis, Corrective
  action plan, Action owner, target date, Implementation evidence, Effectiveness check plan,
  Effectiveness verification result.
- truvara.ai, audit finding remediation tracker: Finding ID, Finding Description, Severity,
  Owner, Root Cause, Corrective Action, Evidence of Closure, Target Date, Status.
- SafetyCulture public library, process audit template: Internal Audit Number, Cited
  Clause(s), Requirement statement, Finding statement, Type, Classification, CAPA Event
  Number.
- Audit Desktop, new finding: Code, Title, Status, Deadline date, Identified on, Risk level,
  Responsible person, Process, Cause.
- 3DEXPERIENCE, audit finding properties: Auditor, Description, Severity, Justification,
  Resolution Assigned To, Resolution Summary, Functional Area, Verified By, Date Verified,
  Planned Follow-Up Date.
- QMSCAPA: Statement of Concern, Containment Action, Statement of Cause, Assigned to,
  Process or Department, CA completed date, CAPA Status.
- Qualyteam nonconformity: Description, Occurrence date, Processes, Origin, Due Date.
- ServiceNow correction actions and health & safety actions: Number, Assigned to, Short
  description, Description, State, Implementation date, Validated date, Due date.
- Cassa corrective actions register: Category, Issue Details, Action to be Taken,
  Responsible Person, Close Out Date, Status.
- ISOwl findings tracker: ID, Type (NC major/minor, observation, OFI), Date, clause
  reference, auditor.
- Stanford UIT project tracker (Smartsheet): Row ID, Date Created, Item Description,
  Assigned To; steadyon CAPA action fields: Title, Description, Due date, Assigned to,
  Status; Centrik findings: Corrective Action Plan (CAP) by date, Closure Due by date.
- ../shared/seeds guide, "Each entry in your log should capture": reference number, date
  identified, source, description, clause or requirement, classification, root cause,
  corrective action, owner and target date, evidence of completion, effectiveness
  verification method and result, date closed.

Deliberately not synonyms: "Priority" and "Risk level" (a rating, not our
classification), "Preventive action" (a second action column would be imported as the
action), "Close out date" (one template uses it for the date due), bare "Closed" and
"Open" (status values that would make a data row look like headings), and carapp's
derived export columns (Plan due, Closure due, Days left, Overdue), which the partial rule
also leaves alone.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence

from carapp.imports.fields import CellValue, Field

# Raw, human-written synonyms; SYNONYMS holds them normalised. Keep each phrase under one
# field only (_build refuses a phrase listed under two). Kept as written, several a line.
# fmt: off
_RAW: dict[Field, tuple[str, ...]] = {
    Field.REF: (
        "Ref", "Reference", "Ref No", "Reference number", "ID", "No.", "#", "Number",
        "Item number", "Serial number", "S/N", "Sr. No", "NC number", "NC No", "NC ID",
        "NC ref", "NC reference", "NCR number", "NCR No", "NCR ref", "NCR ID",
        "Nonconformity number", "Nonconformity ID", "Nonconformity reference",
        "Nonconformance number", "Nonconformance reference", "Finding ID",
        "Finding number", "Finding ref", "Finding reference", "CAR number", "CAR No",
        "CAR ID", "CAR ref", "CAPA ID", "CAPA number", "CAPA No", "CAPA ref",
        "CAPA event number", "Action ID", "CA ID", "CA number", "Issue ID", "Issue number",
        "Row ID", "Log number", "Record number", "Our ref", "Internal ref", "N° NC",
        "N° NCR",
    ),
    Field.CB_REF: (
        "CB ref", "CB reference", "CB NC number", "CB finding ref",
        "Certification body ref", "Certification body reference",
        "Certification body NC number", "External ref", "External reference",
        "Auditor ref", "Auditor reference", "Registrar ref", "Audit report ref",
        "Audit report reference",
    ),
    Field.IDENTIFIED_ON: (
        "Identified", "Identified on", "Date identified", "Date raised", "Raised on",
        "Raised date", "Date", "Date opened", "Opened", "Opened on", "Open date",
        "Date reported", "Reported on", "Date initiated", "Initiated on", "Initiation date",
        "Date found", "Date detected", "Detection date", "Occurrence date",
        "Date of occurrence", "Date logged", "Logged on", "Date created", "Created on",
        "Date of finding", "Finding date", "NC date", "NCR date", "Date NC raised",
        "Date of nonconformity", "Date recorded", "Issue date", "Date issued",
        "Date of issue", "Issued on", "Audit date", "Date of audit",
    ),
    Field.SOURCE: (
        "Source", "Source of issue", "Source of nonconformity", "Source of finding",
        "Source of CAPA", "NC source", "Finding source", "Origin", "Raised from",
        "Trigger event", "Trigger", "How identified", "Identified through",
        "Type of audit", "Audit type", "Detected by method",
    ),
    Field.AUDIT: (
        "Audit", "Audit ref", "Audit reference", "Audit number", "Audit ID",
        "Audit name", "Audit title", "Audit report", "Related audit",
        "Internal audit number",
    ),
    Field.RAISED_BY: (
        "Raised by", "Reported by", "Identified by", "Found by", "Originator",
        "Initiator", "Initiated by", "Auditor", "Auditor name", "Lead auditor",
        "Logged by", "Recorded by", "Author", "Created by", "Observed by",
    ),
    Field.TITLE: (
        "Title", "Finding", "Finding title", "Finding summary", "NC title", "Issue",
        "Issue summary", "Issue title", "Summary", "Short description", "Subject",
        "Nonconformity", "Nonconformance", "NC", "Problem", "Problem title", "Headline",
        "Observation", "Item description", "Nonconformity title",
    ),
    Field.STATEMENT: (
        "Statement", "Description", "Details", "Detail", "Full description",
        "Finding description", "Description of finding", "Finding details",
        "Finding statement", "Description of nonconformity", "Nonconformity description",
        "Nonconformity details", "Details of nonconformity", "Statement of nonconformity",
        "Description of nonconformance", "Nonconformance description", "NC description",
        "NC details", "Issue description", "Issue details", "Problem description",
        "Problem statement", "Statement of concern", "Observation details",
        "What was found",
    ),
    Field.EVIDENCE_OBSERVED: (
        "Evidence observed", "Evidence", "Objective evidence", "Audit evidence",
        "Evidence of nonconformity", "Supporting evidence", "Observed evidence",
        "Justification",
    ),
    Field.AREA: (
        "Area", "Process", "Processes", "Department", "Dept", "Function",
        "Functional area", "Business unit", "Business area", "Area / process",
        "Process area", "Process or department", "Department / process", "Location",
        "Site", "Team", "Affected area", "Area affected", "Affected process",
        "Process affected", "Organisational unit", "Organizational unit", "Auditee",
    ),
    Field.REQUIREMENTS: (
        "Requirement codes", "Requirement", "Requirements", "Requirement reference",
        "Requirement (clause or control)", "Clause", "Clauses", "Clause ref",
        "Clause reference", "Clause number", "Clause / control", "Clause or control",
        "Clause or requirement", "Clause / requirement", "Requirement / clause",
        "Cited clause(s)", "ISO clause", "ISO 27001 clause", "ISO 27001:2022 clause",
        "ISO reference", "ISO ref", "Standard clause", "Standard reference",
        "Reference to standard", "Control", "Controls", "Control ref",
        "Control reference", "Control number", "Annex A control", "Annex A ref",
        "Relevant clause", "Applicable clause", "Related requirement",
        "Requirement not met",
    ),
    Field.CLASSIFICATION: (
        "Classification", "Grade", "NC grade", "Severity", "Severity level", "Category",
        "NC category", "Finding category", "Type", "Finding type", "NC type",
        "Type of finding", "Nonconformity type", "NC classification",
        "Finding classification", "Finding grade", "Major / minor", "Major / minor / OFI",
        "Rating",
    ),
    Field.STATUS: (
        "Stage", "Status", "NC status", "Finding status", "Current status", "State",
        "CAPA status", "CAR status", "Overall status", "Open / closed", "Workflow stage",
        "Status of NC",
    ),
    Field.CONTAINMENT: (
        "Containment", "Containment action", "Containment actions", "Correction",
        "Correction taken", "Correction / containment", "Containment / correction",
        "Immediate action", "Immediate actions", "Immediate action taken",
        "Immediate correction", "Immediate containment", "Interim action",
        "Immediate correction or containment action", "Disposition",
    ),
    Field.CONTAINED_ON: (
        "Contained on", "Containment date", "Date contained", "Contained date",
        "Correction date", "Date of correction", "Corrected on", "Date corrected",
        "Immediate action date", "Containment completed",
    ),
    Field.CONTAINED_BY: (
        "Contained by", "Containment by", "Containment owner", "Correction by",
        "Corrected by", "Immediate action by",
    ),
    Field.ROOT_CAUSE: (
        "Root cause", "Root causes", "Cause", "Causes", "Root cause analysis", "RCA",
        "Cause analysis", "Root cause summary", "Root cause findings",
        "Root cause identified", "Cause of nonconformity", "Cause of NC",
        "Statement of cause", "Underlying cause", "Reason", "Investigation",
    ),
    Field.CAUSE_CATEGORY: (
        "Cause category", "Root cause category", "Category of cause", "Cause type",
        "Root cause type", "Cause code", "Cause classification",
    ),
    Field.ACTION: (
        "Actions", "Action", "Corrective action", "Corrective actions",
        "Corrective action plan", "Corrective action description",
        "Corrective action taken", "Proposed corrective action", "Action plan",
        "Action description", "Action to be taken", "Actions to be taken",
        "Action required", "Required action", "Proposed action", "Planned action",
        "Planned actions", "Action taken", "Actions taken", "Remediation",
        "Remediation plan", "Remediation action", "Corrective and preventive action",
        "CAPA", "Resolution", "Resolution summary",
    ),
    Field.ACTION_OWNER: (
        "Action owners", "Action owner", "Owner", "Owners", "Owner name", "Responsible",
        "Responsible person", "Person responsible", "Responsible party",
        "Responsibility", "Resp", "Assigned to", "Assignee", "Action by", "By whom",
        "Who", "Actionee", "Accountable", "Accountable person",
        "Resolution assigned to", "CA owner", "CAPA owner", "Corrective action owner",
        "Action responsible",
    ),
    Field.ACTION_TARGET: (
        "Due date", "Due", "Due by", "Date due", "Target date", "Target", "Action target",
        "Action target date", "Action due date", "Action due", "Deadline",
        "Deadline date", "Target completion date", "Planned completion date",
        "Completion due", "Target date for completion", "Target close date",
        "Target closure date", "Implementation date", "Planned date", "Timescale",
        "Corrective action due date",
    ),
    Field.ACTION_OUTCOME: (
        "Expected outcome", "Expected result", "Intended outcome", "Desired outcome",
        "Success criteria", "Completion criteria", "Measure of success",
    ),
    Field.ACTION_STATUS: (
        "Action status", "Status of action", "CA status", "Corrective action status",
        "Implementation status", "Completion status", "Action progress",
    ),
    Field.ACTION_COMPLETED_ON: (
        "Action completed on", "Completed on", "Completion date", "Date completed",
        "Completed date", "Date of completion", "Actual completion date",
        "Date implemented", "Implemented on", "CA completed date", "Action completed",
        "Date action completed", "Actual finish",
    ),
    Field.COMPLETION_EVIDENCE: (
        "Completion evidence", "Evidence of completion", "Closure evidence",
        "Evidence of closure", "Implementation evidence", "Evidence of implementation",
        "Evidence ref", "Evidence reference", "Proof of completion",
        "Evidence of action",
    ),
    Field.PLAN_SENT_ON: (
        "Plan sent", "Plan sent on", "Date plan sent", "Plan submitted",
        "Plan submitted on", "Action plan sent", "Action plan submitted",
        "Corrective action plan submitted", "CAP submitted", "CAP sent",
        "CAP submission date", "Response sent", "Date response sent",
        "Response submitted", "Plan sent to CB",
    ),
    Field.REVIEW_METHOD: (
        "Effectiveness method", "Effectiveness review method", "Verification method",
        "Method of verification", "Effectiveness check", "Effectiveness check plan",
        "Verification plan", "How verified", "Review method",
    ),
    Field.REVIEW_DUE: (
        "Effectiveness review due", "Effectiveness due", "Effectiveness due date",
        "Review due", "Review due date", "Verification due", "Verification due date",
        "Effectiveness check due", "Follow up date", "Planned follow up date",
    ),
    Field.REVIEWER: (
        "Effectiveness reviewer", "Reviewer", "Reviewed by", "Verified by", "Verifier",
        "Verification by", "Checked by", "Effectiveness verified by",
    ),
    Field.REVIEW_DONE_ON: (
        "Effectiveness reviewed on", "Reviewed on", "Review date", "Date reviewed",
        "Date verified", "Verified on", "Verification date", "Date of verification",
        "Validated date", "Effectiveness review date", "Effectiveness verified on",
        "Effectiveness check date",
    ),
    Field.REVIEW_RESULT: (
        "Effectiveness result", "Effectiveness", "Effective", "Effective?",
        "Result", "Review result", "Verification result",
        "Effectiveness verification result", "Effectiveness verified",
        "Verified effective", "Was it effective", "Effectiveness outcome",
    ),
    Field.REVIEW_NOTES: (
        "Effectiveness notes", "Review notes", "Verification notes",
        "Verification comments", "Effectiveness comments", "Verification of effectiveness",
        "Effectiveness evidence", "Verification details",
    ),
    Field.ISMS_RISK_ASSESSMENT: (
        "ISMS: Risk assessment", "ISMS: risk assessment updated",
        "Risk assessment updated", "Risk assessment update",
    ),
    Field.ISMS_SOA: (
        "ISMS: Statement of Applicability", "ISMS: SoA", "SoA updated", "SoA update",
        "Statement of Applicability updated",
    ),
    Field.ISMS_RISK_TREATMENT_PLAN: (
        "ISMS: Risk treatment plan", "ISMS: RTP", "Risk treatment plan updated",
        "RTP updated", "Risk treatment plan update",
    ),
    Field.ISMS_POLICIES: (
        "ISMS: Policies", "ISMS: policies updated", "Policies updated", "Policy updated",
        "Policy update",
    ),
    Field.OBSERVATION_DECISION: (
        "Observation decision", "Decision", "OFI decision", "Decision on observation",
        "Observation response", "Response to observation",
    ),
    Field.CLOSED_ON: (
        "Closed on", "Date closed", "Closure date", "Close date", "Closed date",
        "Date of closure", "Actual closure date", "Actual close date", "Date closed out",
        "NC closed date", "Date NC closed",
    ),
    Field.VOID_REASON: (
        "Void reason", "Reason for void", "Void", "Cancelled reason",
        "Cancellation reason", "Reason for cancellation", "Reason cancelled",
        "Withdrawn reason", "Reason for withdrawal", "Rejection reason",
    ),
}
# fmt: on

# A parenthesised or bracketed group at the end that only tells the user how to fill the
# column: a list of choices ("Major/Minor"), a date format, "optional", "e.g. ...".
_HINT_WORDS = re.compile(
    r"^\s*(e\.?\s?g\b|i\.?\s?e\b|eg\b|ie\b|if\b|see\b|select\b|choose\b|enter\b|pick\b|"
    r"optional\b|required\b|mandatory\b|max\b|free\s+text\b|dd\b|mm\b|yy|d/m|m/d|"
    r"date\s+format|format\b|y\s*/\s*n\b|yes\s*/\s*no\b)",
    re.IGNORECASE,
)
_TRAILING_GROUP = re.compile(r"\s*[\(\[]([^\(\)\[\]]*)[\)\]]\s*$")
_TRAILING_FORMAT = re.compile(
    r"\s+(?:(?:dd|mm|yy|yyyy|d|m|y)(?:\s*[/.\-]\s*(?:dd|mm|yy|yyyy|d|m|y)){1,2}|"
    r"y\s*/\s*n|yes\s*/\s*no)\s*$",
    re.IGNORECASE,
)
_PLURAL_S = re.compile(r"\(s\)", re.IGNORECASE)
_LEADING_NUMBER = re.compile(r"^\s*\d{1,2}\s*[.)]\s+(?=\D)")
_NON_WORD = re.compile(r"[\W_]+")
_NUMBER_WORDS = re.compile(r"\b(?:no\.|n\s*°|n\s*º|nbr|num|nr)(?=\s|$|\W)|\bno$")
_NON_PREFIX = re.compile(r"\bnon (conform|complian)")

# Words that make a heading something computed (carapp's own Days left, Overdue): such a
# heading is never matched partially.
_DERIVED = frozenset({"days", "overdue", "age", "ageing", "aging", "count", "total", "rag"})
_DATE_WORDS = frozenset({"date", "dated", "deadline", "when"})
# A cell this long is text, not a heading: it is never matched at all.
_MAX_HEADING_WORDS = 8


def normalise(heading: str) -> str:
    """``heading`` as synonyms are compared: casefolded, accents folded, punctuation,
    underscores, line breaks and runs of spaces one space, "&" as "and", "No."/"#" as
    "number", and trailing hints such as "(dd/mm/yyyy)", "(Y/N)" or "*" dropped."""
    text = heading.replace("\u00a0", " ").strip()
    text = _PLURAL_S.sub("", text)
    text = _LEADING_NUMBER.sub("", text)
    while True:
        before = text
        text = text.rstrip(" \t\r\n*:?.")
        group = _TRAILING_GROUP.search(text)
        if group and text[: group.start()].strip():
            inside = group.group(1)
            if not inside.strip() or "/" in inside or "," in inside or _HINT_WORDS.match(inside):
                text = text[: group.start()]
        fmt = _TRAILING_FORMAT.search(text)
        if fmt and text[: fmt.start()].strip():
            text = text[: fmt.start()]
        if text == before:
            break
    # "No." and "nº" before accents are folded, which would make "nº" an "no".
    text = _NUMBER_WORDS.sub(" number ", text.casefold())
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ").replace("#", " number ")
    text = _NON_WORD.sub(" ", text).strip()
    text = _NON_PREFIX.sub(r"non\1", text)
    return " ".join(text.split())


def _build() -> dict[Field, tuple[str, ...]]:
    seen: dict[str, Field] = {}
    built: dict[Field, tuple[str, ...]] = {}
    for field, raw in _RAW.items():
        names: dict[str, None] = {}
        for phrase in raw:
            name = normalise(phrase)
            other = seen.setdefault(name, field)
            if other is not field:
                raise ValueError(f"synonym {phrase!r} is listed under {other} and {field}")
            names[name] = None
        built[field] = tuple(names)
    return built


SYNONYMS: dict[Field, tuple[str, ...]] = _build()

_EXACT: dict[str, Field] = {name: f for f, names in SYNONYMS.items() for name in names}
# Partial matches use phrases of two words or more only: one word inside a longer heading
# ("owner" in "Risk owner") says too little.
_PHRASES: tuple[tuple[str, int, Field], ...] = tuple(
    (f" {name} ", len(name.split()), f)
    for f, names in SYNONYMS.items()
    for name in names
    if " " in name
)


def _match(heading: str) -> tuple[Field, bool] | None:
    """The field ``heading`` names and whether the match is exact."""
    name = normalise(heading)
    if not name:
        return None
    exact = _EXACT.get(name)
    if exact is not None:
        return exact, True
    words = name.split()
    if len(words) > _MAX_HEADING_WORDS or _DERIVED.intersection(words):
        return None
    padded = f" {name} "
    found: list[tuple[int, int, Field]] = []  # (words, where the phrase ends, field)
    for phrase, count, field in _PHRASES:
        at = padded.rfind(phrase)
        if at >= 0:
            found.append((count, at + len(phrase), field))
    if _DATE_WORDS.intersection(words):
        # "Corrective action due date" is a date, whatever else it names.
        found = [m for m in found if m[2].kind == "date"]
    if not found:
        return None
    # The longest phrase; between equally long ones the last, as the last words of an
    # English heading say what it is ("Root cause of the corrective action").
    found.sort(key=lambda m: (m[0], m[1]), reverse=True)
    best = found[0]
    rivals = {m[2] for m in found if m[0] == best[0] and m[1] == best[1]}
    if len(rivals) > 1:
        return None
    return best[2], False


@functools.lru_cache(maxsize=4096)
def _cached(heading: str) -> tuple[Field, bool] | None:
    return _match(heading)


def field_for(heading: str) -> Field | None:
    """The field ``heading`` names: an exact synonym after :func:`normalise`, else the
    longest synonym of two words or more that the heading contains (a heading with a date
    word only names a date field; one naming something computed, such as "Days left",
    none); None when nothing matches or two fields match equally."""
    match = _cached(heading)
    return None if match is None else match[0]


def auto_map(headings: Sequence[str]) -> tuple[Field | None, ...]:
    """One field (or None) per heading, each field used at most once: exact matches are
    served before partial ones, and the leftmost heading first."""
    found = [(i, m) for i, h in enumerate(headings) if h and (m := _cached(h)) is not None]
    found.sort(key=lambda im: (not im[1][1], im[0]))
    result: list[Field | None] = [None] * len(headings)
    used: set[Field] = set()
    for i, (field, _exact) in found:
        if field not in used:
            used.add(field)
            result[i] = field
    return tuple(result)


def header_score(cells: Sequence[CellValue]) -> int:
    """How many distinct fields the text cells of a row name: a row of headings scores
    high, a row of data low (numbers and dates are never headings)."""
    fields = {field_for(c) for c in cells if isinstance(c, str) and c.strip()}
    fields.discard(None)
    return len(fields)
