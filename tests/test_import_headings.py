"""Headings as other people's registers write them, matched to our fields: the issue's
examples, the templates the synonyms come from, carapp's own export, and what must not
match (derived columns, data rows, long text)."""

from __future__ import annotations

import pytest

from carapp.imports.fields import Field
from carapp.imports.headings import SYNONYMS, auto_map, field_for, header_score, normalise
from carapp.workbook_layout import FINDING_COLUMNS


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("NC No.", "nc number"),
        ("Ref #", "ref number"),
        ("N° NC", "number nc"),
        ("No.", "number"),
        ("Date raised (dd/mm/yyyy)", "date raised"),
        ("Date raised dd/mm/yy", "date raised"),
        ("Overdue (Y/N)", "overdue"),
        ("Effective? (Yes/No)", "effective"),
        ("Title*", "title"),
        ("  Responsible\nPerson  ", "responsible person"),
        ("Réf.", "ref"),
        ("Root_Cause", "root cause"),
        ("Risk & Opportunity", "risk and opportunity"),
        ("ISMS: Risk assessment", "isms risk assessment"),
        ("Non-conformity", "nonconformity"),
        ("NON CONFORMANCE", "nonconformance"),
        ("Classification (Major/Minor/OFI)", "classification"),
        ("Owner (e.g. IT manager)", "owner"),
        ("Target date (optional)", "target date"),
        ("Cited Clause(s)", "cited clause"),
        ("3. Description", "description"),
        ("Requirements (titles)", "requirements titles"),
        ("Date (closed)", "date closed"),
        ("Ação corretiva", "acao corretiva"),
        ("", ""),
        ("(Y/N)", "y n"),
    ],
)
def test_normalise(heading: str, expected: str) -> None:
    assert normalise(heading) == expected


def test_synonyms_are_normalised_and_each_names_one_field() -> None:
    owner: dict[str, Field] = {}
    for field, names in SYNONYMS.items():
        assert names, field
        for name in names:
            assert normalise(name) == name
            assert owner.setdefault(name, field) is field
            assert field_for(name) is field
    assert set(SYNONYMS) == set(Field)


@pytest.mark.parametrize(
    ("heading", "field"),
    [
        # The examples.
        ("Ref", Field.REF),
        ("NC number", Field.REF),
        ("Date raised", Field.IDENTIFIED_ON),
        ("Finding", Field.TITLE),
        ("Details", Field.STATEMENT),
        ("Cause", Field.ROOT_CAUSE),
        ("Action owner", Field.ACTION_OWNER),
        ("Assigned to", Field.ACTION_OWNER),
        ("Due date", Field.ACTION_TARGET),
        ("Date closed", Field.CLOSED_ON),
        ("Grade", Field.CLASSIFICATION),
        ("Clause", Field.REQUIREMENTS),
        # psjenkins/ISMS corrective actions register template.
        ("Action ID", Field.REF),
        ("Issue Summary", Field.TITLE),
        ("Action Description", Field.ACTION),
        ("Owner", Field.ACTION_OWNER),
        ("Target Date", Field.ACTION_TARGET),
        ("Closure Evidence", Field.COMPLETION_EVIDENCE),
        ("Closure Date", Field.CLOSED_ON),
        ("Priority", None),
        ("Progress Update", None),
        ("Linked Records", None),
        # iso-docs corrective action register.
        ("Source of Issue", Field.SOURCE),
        ("Description of Non-Conformity", Field.STATEMENT),
        ("Responsible Person", Field.ACTION_OWNER),
        ("Verification of Effectiveness", Field.REVIEW_NOTES),
        ("Remarks / Notes", None),
        # CAPA logs and forms.
        ("CAPA ID", Field.REF),
        ("Trigger Event", Field.SOURCE),
        ("Date Initiated", Field.IDENTIFIED_ON),
        ("Root Cause Summary", Field.ROOT_CAUSE),
        ("Actual Completion Date", Field.ACTION_COMPLETED_ON),
        ("Effectiveness Check", Field.REVIEW_METHOD),
        ("Problem statement", Field.STATEMENT),
        ("Immediate correction or containment action", Field.CONTAINMENT),
        ("Effectiveness verification result", Field.REVIEW_RESULT),
        ("Preventive Action", None),
        # Finding trackers and tools.
        ("Finding ID", Field.REF),
        ("Finding Description", Field.STATEMENT),
        ("Severity", Field.CLASSIFICATION),
        ("Evidence of Closure", Field.COMPLETION_EVIDENCE),
        ("Cited Clause(s)", Field.REQUIREMENTS),
        ("Finding statement", Field.STATEMENT),
        ("Statement of Concern", Field.STATEMENT),
        ("Containment Action", Field.CONTAINMENT),
        ("Statement of Cause", Field.ROOT_CAUSE),
        ("Verified By", Field.REVIEWER),
        ("Date Verified", Field.REVIEW_DONE_ON),
        ("Functional Area", Field.AREA),
        ("Deadline date", Field.ACTION_TARGET),
        ("Identified on", Field.IDENTIFIED_ON),
        ("Occurrence date", Field.IDENTIFIED_ON),
        ("NC Reference", Field.REF),
        # Case, spacing and punctuation do not matter.
        ("DATE   RAISED", Field.IDENTIFIED_ON),
        ("root-cause", Field.ROOT_CAUSE),
        ("Responsible\nperson", Field.ACTION_OWNER),
        ("Ref No.", Field.REF),
        ("Clause / control", Field.REQUIREMENTS),
        # Partial: a phrase of two words or more inside a longer heading.
        ("Root cause analysis / findings", Field.ROOT_CAUSE),
        ("Corrective action plan (CAP)", Field.ACTION),
        ("Corrective action due date", Field.ACTION_TARGET),
        ("Target completion date for the action", Field.ACTION_TARGET),
        ("Description of the nonconformity found", None),
        # ...never a date field's phrase in a heading without one, nor the reverse.
        ("Date of corrective action", None),
        # Derived, unknown, blank and long text never match.
        ("Plan due", None),
        ("Closure due", None),
        ("Days left", None),
        ("Overdue", None),
        ("Days overdue since target date", None),
        ("Risk owner", None),
        ("", None),
        ("   ", None),
        ("Nobody owns the offboarding procedure so the root cause was never found", None),
    ],
)
def test_field_for(heading: str, field: Field | None) -> None:
    assert field_for(heading) is field


def test_of_two_phrases_as_long_the_last_wins() -> None:
    # English headings end with what they are.
    assert field_for("Root cause action owner") is Field.ACTION_OWNER
    assert field_for("Containment date raised") is Field.IDENTIFIED_ON
    # A longer phrase beats a shorter one wherever it is.
    assert field_for("Corrective action owner notes") is Field.ACTION_OWNER


def test_carapps_own_export_maps_as_the_lead_expects() -> None:
    names = [c.name for c in FINDING_COLUMNS]
    mapped = dict(zip(names, auto_map(names), strict=True))
    assert mapped == {
        "Ref": Field.REF,
        "CB ref": Field.CB_REF,
        "Identified": Field.IDENTIFIED_ON,
        "Source": Field.SOURCE,
        "Audit": Field.AUDIT,
        "Raised by": Field.RAISED_BY,
        "Title": Field.TITLE,
        "Statement": Field.STATEMENT,
        "Evidence observed": Field.EVIDENCE_OBSERVED,
        "Area": Field.AREA,
        "Requirement codes": Field.REQUIREMENTS,
        "Requirements": None,  # the titles: the codes column, to its left, came first
        "Classification": Field.CLASSIFICATION,
        "Stage": Field.STATUS,
        "Containment": Field.CONTAINMENT,
        "Contained on": Field.CONTAINED_ON,
        "Contained by": Field.CONTAINED_BY,
        "Root cause": Field.ROOT_CAUSE,
        "Cause category": Field.CAUSE_CATEGORY,
        "Cause justification": None,  # read with the causes of carapp's own export
        "Actions": Field.ACTION,
        "Action owners": Field.ACTION_OWNER,
        "Plan due": None,
        "Plan sent": Field.PLAN_SENT_ON,
        "Closure due": None,
        "Days left": None,
        "Overdue": None,
        "Effectiveness result": Field.REVIEW_RESULT,
        "Effectiveness reviewer": Field.REVIEWER,
        "ISMS: Risk assessment": Field.ISMS_RISK_ASSESSMENT,
        "ISMS: Statement of Applicability": Field.ISMS_SOA,
        "ISMS: Risk treatment plan": Field.ISMS_RISK_TREATMENT_PLAN,
        "ISMS: Policies": Field.ISMS_POLICIES,
        "Observation decision": Field.OBSERVATION_DECISION,
        "Closed on": Field.CLOSED_ON,
        "Void reason": Field.VOID_REASON,
    }


def test_auto_map_uses_each_field_once_exact_before_partial_then_leftmost() -> None:
    headings = [
        "Root cause analysis notes",  # partial ROOT_CAUSE
        "Owner",
        "Ref",
        "Responsible person",  # exact ACTION_OWNER, but Owner is further left
        "Root cause",  # exact: beats the partial match on its left
        "NC number",  # exact REF again: Ref came first
        "Whatever",
        "",
    ]
    assert auto_map(headings) == (
        None,
        Field.ACTION_OWNER,
        Field.REF,
        None,
        Field.ROOT_CAUSE,
        None,
        None,
        None,
    )
    assert auto_map([]) == ()


def test_header_score_counts_distinct_fields_in_text_cells() -> None:
    assert header_score(["Ref", "Title", "Date raised", "Status", "Owner", "Due date"]) == 6
    # Two headings naming one field count once; numbers, dates and blanks never count.
    assert header_score(["Ref", "NC number", 12, None, "", "Title"]) == 2
    # A row of data names few fields, if any.
    assert header_score(["NC-001", "Leavers keep accounts", "Minor", "Open", "Tom", 45000.0]) == 0
    assert header_score([]) == 0


@pytest.mark.parametrize(
    ("template", "row"),
    [
        (
            "psjenkins/ISMS corrective actions register",
            {
                "Action ID": Field.REF,
                "Source": Field.SOURCE,
                "Issue Summary": Field.TITLE,
                "Action Description": Field.ACTION,
                "Owner": Field.ACTION_OWNER,
                "Priority": None,
                "Target Date": Field.ACTION_TARGET,
                "Status": Field.STATUS,
                "Progress Update": None,
                "Closure Evidence": Field.COMPLETION_EVIDENCE,
                "Closure Date": Field.CLOSED_ON,
                "Linked Records": None,
            },
        ),
        (
            "iso-docs corrective action register",
            {
                "Action ID": Field.REF,
                "Source of Issue": Field.SOURCE,
                "Description of Non-Conformity": Field.STATEMENT,
                "Root Cause": Field.ROOT_CAUSE,
                "Corrective Action": Field.ACTION,
                "Responsible Person": Field.ACTION_OWNER,
                "Target Date": Field.ACTION_TARGET,
                "Status (Open / In Progress / Closed)": Field.STATUS,
                "Verification of Effectiveness": Field.REVIEW_NOTES,
                "Remarks / Notes": None,
            },
        ),
        (
            "clinicalstudies.in CAPA log",
            {
                "CAPA ID": Field.REF,
                "Trigger Event": Field.SOURCE,
                "Date Initiated": Field.IDENTIFIED_ON,
                "Root Cause Summary": Field.ROOT_CAUSE,
                "Corrective Action": Field.ACTION,
                "Preventive Action": None,
                "Owner": Field.ACTION_OWNER,
                "Due Date": Field.ACTION_TARGET,
                "Actual Completion Date": Field.ACTION_COMPLETED_ON,
                "Status": Field.STATUS,
                "Effectiveness Check": Field.REVIEW_METHOD,
            },
        ),
        (
            "the seeds guide's log entry",
            {
                "Reference number": Field.REF,
                "Date identified": Field.IDENTIFIED_ON,
                "Source": Field.SOURCE,
                "Description": Field.STATEMENT,
                "Clause or requirement": Field.REQUIREMENTS,
                "Classification": Field.CLASSIFICATION,
                "Root cause analysis": Field.ROOT_CAUSE,
                "Corrective action agreed": Field.ACTION,
                "Owner": Field.ACTION_OWNER,
                "Target date": Field.ACTION_TARGET,
                "Evidence of completion": Field.COMPLETION_EVIDENCE,
                "Verification method": Field.REVIEW_METHOD,
                "Result": Field.REVIEW_RESULT,
                "Date closed": Field.CLOSED_ON,
            },
        ),
    ],
)
def test_template_header_rows(template: str, row: dict[str, Field | None]) -> None:
    assert dict(zip(row, auto_map(list(row)), strict=True)) == row, template
    assert header_score(list(row)) >= 3
