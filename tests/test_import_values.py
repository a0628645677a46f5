"""Cells read as our values: every date form in both orders, serial numbers as openpyxl writes
them, the date order a file settles, and the words of other people's registers mapped to ours;
whatever a cell holds, the readers return a value or raise ValueProblem, never anything else."""

from __future__ import annotations

import datetime as dt
import enum
import operator
import string
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.utils.datetime import from_excel, to_excel

from carapp.exports.scope import ExportScope
from carapp.exports.xlsx import cell_text, write_register_xlsx
from carapp.imports.fields import CellValue
from carapp.imports.values import (
    DateOrder,
    ValueProblem,
    action_status_of,
    cause_categories_of,
    cause_category_of,
    classification_of,
    isms_decision_of,
    observation_decision_of,
    parse_date,
    requirement_codes,
    review_result_of,
    settle_date_order,
    source_of,
    stage_claim,
    stage_on_path,
    text_of,
)
from carapp.models.enums import (
    ActionStatus,
    AuditKind,
    CauseCategory,
    Classification,
    IsmsDecision,
    IsmsTarget,
    ObservationDecision,
    ReviewResult,
    Source,
    Stage,
)
from carapp.queries.findings import finding_detail
from carapp.store import Register
from tests.conftest import TODAY, demo_register

DATES = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31))
ORDERS = st.sampled_from(DateOrder)
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

CELLS = st.one_of(
    st.none(),
    st.text(),
    st.text(alphabet=string.digits + "/.-: ,TZ+apmAPM", max_size=24),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
    st.times(),
)


def _ordinal(day: int) -> str:
    if day in (11, 12, 13):
        return f"{day}th"
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th') }"


def named_forms(d: dt.date) -> list[str]:
    """Every text form that names the month, so needs no date order."""
    month, mon = MONTHS[d.month - 1], MONTHS[d.month - 1][:3]
    day, wd = DAYS[d.weekday()], DAYS[d.weekday()][:3]
    forms = [
        d.isoformat(),
        f"{d.isoformat()}T10:30:00",
        f"{d.isoformat()}T10:30:00Z",
        f"{d.isoformat()} 10:30",
        f"{d.year}/{d.month:02}/{d.day:02}",
        f"{d.year}{d.month:02}{d.day:02}",
        f"{d.day} {mon} {d.year}",
        f"{d.day} {month} {d.year}",
        f"{d.day:02}-{mon}-{d.year}",
        f"{mon} {d.day}, {d.year}",
        f"{month} {d.day}, {d.year}",
        f"{_ordinal(d.day)} {month} {d.year}",
        f"{_ordinal(d.day)} of {month}, {d.year}",
        f"{day}, {d.day} {month} {d.year}",
        f"{wd} {d.day} {mon} {d.year}",
        f"{day}, {month} {d.day}, {d.year}",
        f"  {d.day} {mon.upper()} {d.year} ",
        str(int(to_excel(d))),
    ]
    if d.year <= 2089:  # two-digit years read 1990-2089
        forms += [f"{d.day:02}-{mon}-{d.year % 100:02}", f"{d.day} {mon} {d.year % 100:02}"]
    return forms


def numeric_forms(d: dt.date, order: DateOrder) -> list[str]:
    """Every numeric text form of ``d`` written in ``order``."""
    years = [str(d.year)] + ([f"{d.year % 100:02}"] if d.year <= 2089 else [])
    forms = []
    for sep in "/.-":
        for year in years:
            for day, month in ((str(d.day), str(d.month)), (f"{d.day:02}", f"{d.month:02}")):
                first, second = (day, month) if order is DateOrder.DMY else (month, day)
                forms.append(f"{first}{sep}{second}{sep}{year}")
    forms.append(forms[0] + " 14:30")
    forms.append(forms[0] + " 2:30 PM")
    forms.append(forms[0] + " 00:00:00")
    return forms


# --- dates --------------------------------------------------------------------------------


@given(DATES)
def test_every_named_form_reads_in_any_order(d: dt.date) -> None:
    for text in named_forms(d):
        for order in (None, *DateOrder):
            assert parse_date(text, order) == d, (text, order)


@given(DATES, ORDERS)
@example(dt.date(2025, 2, 3), DateOrder.DMY)
@example(dt.date(2025, 5, 5), DateOrder.MDY)
@example(dt.date(2025, 12, 13), DateOrder.MDY)
def test_numeric_forms_read_in_their_order_and_need_it_only_when_ambiguous(
    d: dt.date, order: DateOrder
) -> None:
    ambiguous = d.day <= 12 and d.month <= 12 and d.day != d.month
    for text in numeric_forms(d, order):
        assert parse_date(text, order) == d, text
        if ambiguous:
            with pytest.raises(ValueProblem, match=r"could be .* choose the date order"):
                parse_date(text, None)
        else:
            assert parse_date(text, None) == d, text


def test_an_ambiguous_date_names_both_readings() -> None:
    with pytest.raises(ValueProblem) as caught:
        parse_date("03/02/2025", None)
    assert str(caught.value) == (
        "could be 3 Feb or 2 Mar: choose the date order, day/month or month/day "
        "(--date-order dmy or mdy)"
    )


def test_a_weekday_tells_an_ambiguous_date_apart_and_is_checked() -> None:
    assert parse_date("Mon 03/02/2025", None) == dt.date(2025, 2, 3)
    assert parse_date("Sunday 03/02/2025", None) == dt.date(2025, 3, 2)
    with pytest.raises(ValueProblem, match="names a Tuesday, but 3 Feb 2025 is a Monday"):
        parse_date("Tue 3 Feb 2025", None)


@given(DATES, ORDERS)
def test_a_date_that_contradicts_the_chosen_order_is_refused(d: dt.date, order: DateOrder) -> None:
    assume(d.day > 12)
    other = DateOrder.MDY if order is DateOrder.DMY else DateOrder.DMY
    (text,) = numeric_forms(d, other)[:1]
    with pytest.raises(ValueProblem, match=r"is not a month .check the date order"):
        parse_date(text, order)


@pytest.mark.parametrize(
    ("text", "order", "reason"),
    [
        ("31/02/2025", DateOrder.DMY, "february 2025 has no day 31"),
        ("2025-02-29", None, "february 2025 has no day 29"),
        ("2025-13-01", None, "13 is not a month"),
        ("1989-12-31", None, "outside the years carapp takes (1990 to 2100)"),
        ("01/01/2101", DateOrder.DMY, "outside the years"),
        ("3 Feb", None, "has no year"),
        ("Feb 2025", None, "names a month, not a day"),
        ("soon", None, "is not a date (write it as 2025-02-03 or 3 Feb 2025)"),
        ("3 Fev 2025", None, "is not a date"),
        ("99999", None, "is a number, not a date"),
    ],
)
def test_what_is_no_date_says_why(text: str, order: DateOrder | None, reason: str) -> None:
    with pytest.raises(ValueProblem) as caught:
        parse_date(text, order)
    assert reason.lower() in str(caught.value).lower()
    assert str(caught.value)[0].islower()


@given(DATES, st.times())
def test_excel_dates_and_datetimes_read_as_dates(d: dt.date, t: dt.time) -> None:
    assert parse_date(d, None) == d
    assert parse_date(dt.datetime.combine(d, t), DateOrder.MDY) == d


@given(st.integers(min_value=int(to_excel(dt.date(1990, 1, 1))), max_value=73415))
def test_serial_numbers_read_as_openpyxl_writes_them(serial: int) -> None:
    day = parse_date(serial, None)
    assert day == from_excel(serial).date()
    assert day is not None and to_excel(day) == serial
    assert parse_date(float(serial), None) == day
    assert parse_date(str(serial), None) == day


@given(st.floats(min_value=32874, max_value=73415.99, allow_nan=False))
def test_a_serial_with_a_time_of_day_reads_as_openpyxl_reads_it(serial: float) -> None:
    expected = from_excel(serial).date()
    if expected.year > 2100:
        with pytest.raises(ValueProblem):
            parse_date(serial, None)
    else:
        assert parse_date(serial, None) == expected


@pytest.mark.parametrize("value", [0, 1, 60, 32873, 73416, 1e9, -5, float("nan"), float("inf")])
def test_numbers_outside_the_years_are_not_dates(value: float) -> None:
    with pytest.raises(ValueProblem):
        parse_date(value, None)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (True, "is true or false, not a date"),
        (dt.time(10, 30), "is a time of day, not a date"),
        (dt.date(1899, 12, 31), "outside the years"),
    ],
)
def test_cells_of_other_kinds_are_not_dates(value: CellValue, reason: str) -> None:
    with pytest.raises(ValueProblem, match=reason):
        parse_date(value, None)


@pytest.mark.parametrize("value", [None, "", "   ", "\t\n"])
def test_a_blank_cell_is_no_date(value: CellValue) -> None:
    assert parse_date(value, None) is None
    assert parse_date(value, DateOrder.DMY) is None


@given(CELLS, st.one_of(st.none(), ORDERS))
@example("29/02/2100", DateOrder.DMY)
@example("Feb 2025", None)
@example("45000.999999999", None)
@example("Mon 03/02/0000", None)
@example("Fri 03/12/9999", None)
def test_any_cell_reads_as_a_date_or_a_problem(value: CellValue, order: DateOrder | None) -> None:
    try:
        day = parse_date(value, order)
    except ValueProblem as problem:
        assert str(problem) and str(problem)[0].islower()
    else:
        assert day is None or (type(day) is dt.date and 1990 <= day.year <= 2100)


# --- the date order a file settles --------------------------------------------------------


@given(st.lists(DATES, max_size=30), ORDERS)
def test_a_column_written_in_one_order_settles_that_order_or_nothing(
    dates: list[dt.date], order: DateOrder
) -> None:
    texts = [numeric_forms(d, order)[0] for d in dates]
    settled = settle_date_order(texts)
    if any(d.day > 12 for d in dates):
        assert settled is order
    else:
        assert settled is None
    if settled is not None:
        assert [parse_date(t, settled) for t in texts] == dates


@given(st.lists(DATES, min_size=1, max_size=10), st.lists(DATES, min_size=1, max_size=10))
def test_a_column_that_mixes_orders_settles_nothing(dmy: list[dt.date], mdy: list[dt.date]) -> None:
    assume(any(d.day > 12 for d in dmy) and any(d.day > 12 for d in mdy))
    texts = [numeric_forms(d, DateOrder.DMY)[0] for d in dmy]
    texts += [numeric_forms(d, DateOrder.MDY)[0] for d in mdy]
    assert settle_date_order(texts) is None


def test_only_numeric_text_dates_settle_the_order() -> None:
    cells: list[CellValue] = [
        "2025-02-13",
        "13 Feb 2025",
        dt.date(2025, 2, 13),
        45000,
        None,
        "",
        "Tue 13/02/2024",
    ]
    assert settle_date_order(cells[:-1]) is None
    assert settle_date_order(cells) is DateOrder.DMY
    assert settle_date_order(["02/13/2025 10:00", "01/02/2025"]) is DateOrder.MDY


# --- text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("  Leavers keep access \n", "Leavers keep access"),
        ("line one_x000D_\nline two", "line one\r\nline two"),
        ("_x005F_x000D_ as typed", "_x000D_ as typed"),
        (12.0, "12"),
        (12, "12"),
        (1.5, "1.5"),
        (0.1 + 0.2, "0.3"),
        (True, "TRUE"),
        (dt.date(2025, 2, 3), "2025-02-03"),
        (dt.datetime(2025, 2, 3), "2025-02-03"),
        (dt.datetime(2025, 2, 3, 14, 30), "2025-02-03 14:30"),
        (dt.datetime(2025, 2, 3, 14, 30, 5), "2025-02-03 14:30:05"),
        (dt.time(9, 5), "09:05"),
    ],
)
def test_text_of(value: CellValue, text: str) -> None:
    assert text_of(value) == text


# --- words --------------------------------------------------------------------------------

PUNCTUATION = st.sampled_from([" ", "  ", "_", "-", ".", "/", "", " - ", "\u00a0"])


@st.composite
def variants(draw: st.DrawFn, word: str) -> str:
    """``word`` as someone else might type it: any case, other spacing and punctuation."""
    out = []
    for ch in word:
        if ch in " _/":
            out.append(draw(PUNCTUATION))
        else:
            out.append(ch.upper() if draw(st.booleans()) else ch.lower())
    lead = draw(st.sampled_from(["", " ", "\t", "* "]))
    return lead + "".join(out) + draw(st.sampled_from(["", " ", ".", "!", " ;"]))


WordReader = Callable[[CellValue], object]
label: Callable[[enum.Enum], str] = operator.attrgetter("label")  # every vocabulary has one


def _decision(read: Callable[[CellValue], tuple[object, str] | None]) -> WordReader:
    def decision(value: CellValue) -> object:
        found = read(value)
        return None if found is None else found[0]

    return decision


READERS: list[tuple[WordReader, type[enum.Enum]]] = [
    (classification_of, Classification),
    (stage_claim, Stage),
    (source_of, Source),
    (cause_category_of, CauseCategory),
    (action_status_of, ActionStatus),
    (review_result_of, ReviewResult),
    (_decision(isms_decision_of), IsmsDecision),
    (_decision(observation_decision_of), ObservationDecision),
]
READER_IDS = [e.__name__ for _, e in READERS]


@pytest.mark.parametrize(("reader", "enum"), READERS, ids=READER_IDS)
@given(data=st.data())
def test_our_own_labels_read_as_themselves_however_typed(
    reader: WordReader, enum: type[enum.Enum], data: st.DataObject
) -> None:
    member = data.draw(st.sampled_from(list(enum)))
    for word in (label(member), member.value):
        assert reader(data.draw(variants(word))) is member


@pytest.mark.parametrize(("reader", "enum"), READERS, ids=READER_IDS)
def test_every_label_reads_exactly(reader: WordReader, enum: type[enum.Enum]) -> None:
    for member in enum:
        assert reader(label(member)) is member
        assert reader(label(member).upper()) is member


@pytest.mark.parametrize(("reader", "enum"), READERS, ids=READER_IDS)
@given(value=CELLS)
@example(value="NC - Major / Minor")
@example(value="()")
@example(value="Closed (")
@example(value="Updated:")
@example(value=": note")
@example(value="a.5.1.")
def test_any_cell_reads_as_a_word_or_a_problem(
    reader: WordReader, enum: type[enum.Enum], value: CellValue
) -> None:
    try:
        found = reader(value)
    except ValueProblem as problem:
        assert str(problem) and str(problem)[0].islower()
    else:
        assert found is None or isinstance(found, enum)


@given(value=CELLS)
def test_any_cell_reads_as_codes(value: CellValue) -> None:
    codes = requirement_codes(value)
    assert all(isinstance(c, str) and c for c in codes)
    assert len(set(codes)) == len(codes)


@pytest.mark.parametrize(
    ("text", "classification"),
    [
        ("Major", Classification.MAJOR),
        ("MAJOR NC", Classification.MAJOR),
        ("Major non-conformity", Classification.MAJOR),
        ("NC - Major", Classification.MAJOR),
        ("Non-conformance (major)", Classification.MAJOR),
        ("Cat 1", Classification.MAJOR),
        ("Category A", Classification.MAJOR),
        ("Critical", Classification.MAJOR),
        ("Minor", Classification.MINOR),
        ("minor nc", Classification.MINOR),
        ("NC", Classification.MINOR),
        ("Nonconformity", Classification.MINOR),
        ("Cat 2", Classification.MINOR),
        ("Observation", Classification.OBSERVATION),
        ("Obs", Classification.OBSERVATION),
        ("Potential NC", Classification.OBSERVATION),
        ("Area of concern", Classification.OBSERVATION),
        ("Cat 3", Classification.OBSERVATION),
        ("OFI", Classification.OFI),
        ("Opportunity for Improvement", Classification.OFI),
        ("OFI (opportunity for improvement)", Classification.OFI),
        ("Improvement", Classification.OFI),
        ("Recommendation", Classification.OFI),
    ],
)
def test_classification_words(text: str, classification: Classification) -> None:
    assert classification_of(text) is classification


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("High", "is not a classification carapp knows (it reads major nc, minor nc"),
        ("Major / Minor", "says both major nc and minor nc: write one classification"),
    ],
)
def test_what_is_no_classification_says_why(text: str, reason: str) -> None:
    with pytest.raises(ValueProblem) as caught:
        classification_of(text)
    assert str(caught.value).lower().startswith(reason)


@pytest.mark.parametrize("value", [None, "", "  ", "-", "—", "?"])
@pytest.mark.parametrize(("reader", "enum"), READERS, ids=READER_IDS)
def test_a_blank_word_is_none(reader: WordReader, enum: type[enum.Enum], value: CellValue) -> None:
    assert reader(value) is None


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("Open", Stage.OPEN),
        ("New", Stage.IDENTIFIED),
        ("Raised", Stage.IDENTIFIED),
        ("Identified", Stage.IDENTIFIED),
        ("Overdue", Stage.IDENTIFIED),
        ("On hold", Stage.IDENTIFIED),
        ("Re-opened", Stage.IDENTIFIED),
        ("Contained", Stage.CONTAINED),
        ("Corrected", Stage.CONTAINED),
        ("Root cause identified", Stage.CAUSE_FOUND),
        ("Analysed", Stage.CAUSE_FOUND),
        ("Planned", Stage.ACTIONS_PLANNED),
        ("Action plan agreed", Stage.ACTIONS_PLANNED),
        ("In progress", Stage.ACTIONS_PLANNED),
        ("Ongoing", Stage.ACTIONS_PLANNED),
        ("Assigned", Stage.ACTIONS_PLANNED),
        ("Open - in progress", Stage.ACTIONS_PLANNED),
        ("Implemented", Stage.ACTIONS_DONE),
        ("Actions complete", Stage.ACTIONS_DONE),
        ("Awaiting verification", Stage.ACTIONS_DONE),
        ("Pending verification", Stage.ACTIONS_DONE),
        ("Completed - awaiting verification", Stage.ACTIONS_DONE),
        ("Actions done (round 2)", Stage.ACTIONS_DONE),
        ("Effective", Stage.EFFECTIVE),
        ("Verified effective", Stage.EFFECTIVE),
        ("Closed - verified effective", Stage.EFFECTIVE),
        ("Closed", Stage.CLOSED),
        ("Verified", Stage.CLOSED),
        ("Complete", Stage.CLOSED),
        ("Completed", Stage.CLOSED),
        ("Done", Stage.CLOSED),
        ("Resolved", Stage.CLOSED),
        ("Status: Closed", Stage.CLOSED),
        ("CLOSED.", Stage.CLOSED),
        ("Closed complete", Stage.CLOSED),
        ("Closed 2025-03-01", Stage.CLOSED),
        ("Done pending verification", Stage.ACTIONS_DONE),
        ("Cancelled", Stage.VOID),
        ("Closed cancelled", Stage.VOID),
        ("Withdrawn", Stage.VOID),
        ("Rejected", Stage.VOID),
        ("Void", Stage.VOID),
        ("Duplicate", Stage.VOID),
        ("N/A", Stage.VOID),
        ("Disputed", Stage.DISPUTED),
        ("Appealed", Stage.DISPUTED),
        ("Challenged", Stage.DISPUTED),
        ("Decided", Stage.DECIDED),
    ],
)
def test_status_words_claim_a_stage(text: str, stage: Stage) -> None:
    assert stage_claim(text) is stage


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Closed - void", "says both closed and void: write one status"),
        ("Pending approval", "is not a status carapp knows (it reads open, contained"),
        ("Closed incomplete", "is not a status carapp knows"),
        ("Closed - evidence received", "is not a status carapp knows"),
        ("Closed not verified", "is not a status carapp knows"),
    ],
)
def test_what_is_no_status_says_why(text: str, reason: str) -> None:
    with pytest.raises(ValueProblem) as caught:
        stage_claim(text)
    assert str(caught.value).startswith(reason)


@pytest.mark.parametrize("classification", list(Classification))
def test_an_opening_claim_is_the_first_stage_of_the_findings_path(
    classification: Classification,
) -> None:
    first = Stage.IDENTIFIED if classification.is_nonconformity else Stage.OPEN
    for claim in (Stage.OPEN, Stage.IDENTIFIED):
        assert stage_on_path(claim, classification) is first
    assert stage_on_path(Stage.CLOSED, classification) is Stage.CLOSED


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("External audit", Source.CERTIFICATION_AUDIT),
        ("Certification audit", Source.CERTIFICATION_AUDIT),
        ("CB audit", Source.CERTIFICATION_AUDIT),
        ("Surveillance", Source.CERTIFICATION_AUDIT),
        ("Surveillance audit 2", Source.CERTIFICATION_AUDIT),
        ("Stage 2", Source.CERTIFICATION_AUDIT),
        ("ISO 27001 Stage 2 audit (2025)", Source.CERTIFICATION_AUDIT),
        ("Recertification audit", Source.CERTIFICATION_AUDIT),
        ("Internal audit", Source.INTERNAL_AUDIT),
        ("Internal", Source.INTERNAL_AUDIT),
        ("Incident", Source.INCIDENT_REVIEW),
        ("Security incident", Source.INCIDENT_REVIEW),
        ("Customer complaint", Source.INCIDENT_REVIEW),
        ("Management review", Source.MANAGEMENT_REVIEW),
        ("MRM", Source.MANAGEMENT_REVIEW),
        ("Monitoring", Source.MONITORING),
        ("KPI", Source.MONITORING),
        ("Penetration test", Source.MONITORING),
        ("Self-identified", Source.SELF_IDENTIFIED),
        ("Staff", Source.SELF_IDENTIFIED),
        ("Surveillance audit - BSI", Source.CERTIFICATION_AUDIT),
        ("External audit (BSI)", Source.CERTIFICATION_AUDIT),
        ("Internal audit Q3 2025", Source.INTERNAL_AUDIT),
        *(
            (kind.label, Source.CERTIFICATION_AUDIT)
            for kind in AuditKind
            if kind.by_certification_body
        ),
    ],
)
def test_source_words(text: str, source: Source) -> None:
    assert source_of(text) is source


@pytest.mark.parametrize(
    "text", ["Customer audit", "Second party audit", "Audit", "Regulator", "Not internal audit"]
)
def test_sources_that_would_be_a_guess_are_refused(text: str) -> None:
    with pytest.raises(ValueProblem, match=r"^is not a source carapp knows .it reads cert"):
        source_of(text)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Process", CauseCategory.PROCESS_DESIGN),
        ("Method", CauseCategory.PROCESS_DESIGN),
        ("Training", CauseCategory.TRAINING_AWARENESS),
        ("Training and awareness", CauseCategory.TRAINING_AWARENESS),
        ("People", CauseCategory.TRAINING_AWARENESS),
        ("Management", CauseCategory.OWNERSHIP),
        ("Ownership gap", CauseCategory.OWNERSHIP),
        ("Machine", CauseCategory.TECHNOLOGY),
        ("Technology", CauseCategory.TECHNOLOGY),
        ("IT", CauseCategory.TECHNOLOGY),
        ("Resources", CauseCategory.RESOURCE),
        ("Lack of resource", CauseCategory.RESOURCE),
        ("Environment", CauseCategory.OTHER),
        ("Root cause category: ownership", CauseCategory.OWNERSHIP),
        ("Process - no step to tell IT in the HR checklist", CauseCategory.PROCESS_DESIGN),
        ("Training gap for new starters", CauseCategory.TRAINING_AWARENESS),
    ],
)
def test_cause_category_words(text: str, category: CauseCategory) -> None:
    assert cause_category_of(text) is category


def test_a_cell_of_several_causes_names_each_once() -> None:
    cell = "Process design\nTraining / awareness\nProcess design"
    assert cause_categories_of(cell) == [
        CauseCategory.PROCESS_DESIGN,
        CauseCategory.TRAINING_AWARENESS,
    ]
    with pytest.raises(ValueProblem, match="names more than one cause category"):
        cause_category_of(cell)
    assert cause_category_of("Ownership\nownership") is CauseCategory.OWNERSHIP
    assert cause_categories_of(None) == []


def test_human_error_is_no_cause_category() -> None:
    with pytest.raises(ValueProblem, match=r"^is not a cause category carapp knows"):
        cause_category_of("Human error")


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Not started", ActionStatus.PLANNED),
        ("Open", ActionStatus.PLANNED),
        ("Overdue", ActionStatus.PLANNED),
        ("Ongoing", ActionStatus.IN_PROGRESS),
        ("WIP", ActionStatus.IN_PROGRESS),
        ("Partially complete", ActionStatus.IN_PROGRESS),
        ("Complete", ActionStatus.DONE),
        ("Implemented", ActionStatus.DONE),
        ("Closed", ActionStatus.DONE),
        ("Canceled", ActionStatus.CANCELLED),
        ("N/A", ActionStatus.CANCELLED),
        ("Superseded", ActionStatus.CANCELLED),
        ("Done 3/3/25", ActionStatus.DONE),
    ],
)
def test_action_status_words(text: str, status: ActionStatus) -> None:
    assert action_status_of(text) is status


@pytest.mark.parametrize(
    ("value", "result"),
    [
        ("Effective", ReviewResult.EFFECTIVE),
        ("Yes", ReviewResult.EFFECTIVE),
        ("Pass", ReviewResult.EFFECTIVE),
        ("Passed", ReviewResult.EFFECTIVE),
        (True, ReviewResult.EFFECTIVE),
        ("Not effective", ReviewResult.NOT_EFFECTIVE),
        ("No", ReviewResult.NOT_EFFECTIVE),
        ("Fail", ReviewResult.NOT_EFFECTIVE),
        ("Failed", ReviewResult.NOT_EFFECTIVE),
        ("Ineffective", ReviewResult.NOT_EFFECTIVE),
        ("Partially effective", ReviewResult.NOT_EFFECTIVE),
        (False, ReviewResult.NOT_EFFECTIVE),
        ("Pending", None),
        ("TBC", None),
        ("N/A", None),
    ],
)
def test_review_result_words(value: CellValue, result: ReviewResult | None) -> None:
    assert review_result_of(value) is result


@pytest.mark.parametrize(
    ("text", "decision"),
    [
        ("Updated: risk register v3", (IsmsDecision.UPDATED, "risk register v3")),
        ("Not needed: scope unchanged", (IsmsDecision.NOT_NEEDED, "scope unchanged")),
        ("Updated: see: SoA v4 ", (IsmsDecision.UPDATED, "see: SoA v4")),
        ("Updated", (IsmsDecision.UPDATED, "")),
        ("Yes - SoA amended", (IsmsDecision.UPDATED, "SoA amended")),
        ("Y", (IsmsDecision.UPDATED, "")),
        ("No change", (IsmsDecision.NOT_NEEDED, "")),
        ("N/A", (IsmsDecision.NOT_NEEDED, "")),
        ("N/A - scope unchanged", (IsmsDecision.NOT_NEEDED, "scope unchanged")),
        (
            "No change to the SoA needed",
            (IsmsDecision.NOT_NEEDED, "No change to the SoA needed"),
        ),
        ("Update not needed: scope unchanged", (IsmsDecision.NOT_NEEDED, "scope unchanged")),
        ("Updates not needed as scope unchanged", ValueProblem),
        ("TBC", None),
        ("", None),
    ],
)
def test_isms_decisions_and_their_notes(
    text: str, decision: tuple[IsmsDecision, str] | type[ValueProblem] | None
) -> None:
    if decision is ValueProblem:
        with pytest.raises(ValueProblem):
            isms_decision_of(text)
    else:
        assert isms_decision_of(text) == decision


NOTES = st.text(min_size=1).map(str.strip).filter(lambda t: bool(t) and "_x" not in t)


@given(st.sampled_from(IsmsDecision), NOTES)
@example(IsmsDecision.UPDATED, "accordingly")
@example(IsmsDecision.NOT_NEEDED, "no: none")
def test_an_isms_decision_reads_back_as_carapps_export_writes_it(
    decision: IsmsDecision, note: str
) -> None:
    assert isms_decision_of(f"{decision.label}: {note}") == (decision, note)
    assert isms_decision_of(decision.label) == (decision, "")


@given(st.sampled_from(ObservationDecision), NOTES)
def test_an_observation_decision_reads_back_as_carapps_export_writes_it(
    decision: ObservationDecision, note: str
) -> None:
    assert observation_decision_of(f"{decision.label}: {note}") == (decision, note)


def test_an_isms_note_without_a_decision_is_refused() -> None:
    with pytest.raises(ValueProblem, match=r"^is not an ISMS decision carapp knows"):
        isms_decision_of("Risk register reviewed")


@pytest.mark.parametrize(
    ("text", "decision"),
    [
        ("Act: raise CA-12", (ObservationDecision.ACT, "raise CA-12")),
        ("Act", (ObservationDecision.ACT, "")),
        (
            "Accepted - will add to the Q3 plan",
            (ObservationDecision.ACT, "will add to the Q3 plan"),
        ),
        ("No action: accepted risk", (ObservationDecision.NO_ACTION, "accepted risk")),
        ("No action", (ObservationDecision.NO_ACTION, "")),
        ("Declined - not cost effective", (ObservationDecision.NO_ACTION, "not cost effective")),
        ("Noted", (ObservationDecision.NO_ACTION, "")),
        (
            "Action not required, risk accepted by the owner",
            (ObservationDecision.NO_ACTION, "risk accepted by the owner"),
        ),
        ("Under consideration", None),
    ],
)
def test_observation_decisions_and_their_notes(
    text: str, decision: tuple[ObservationDecision, str] | None
) -> None:
    assert observation_decision_of(text) == decision


@pytest.mark.parametrize(
    ("value", "codes"),
    [
        ("A.5.15, 9.2", ["A.5.15", "9.2"]),
        ("Clause 9.2 Internal audit", ["9.2"]),
        ("ISO 27001 A.8.2", ["A.8.2"]),
        ("ISO/IEC 27001:2022 clause 6.1.2 and A.5.1", ["6.1.2", "A.5.1"]),
        ("A.5.15; A.8.2\n9.2", ["A.5.15", "A.8.2", "9.2"]),
        ("10.1 (2013)", ["10.2"]),
        ("ISO/IEC 27001:2013 clause 10.1", ["10.2"]),
        ("10.1", ["10.1"]),
        ("a5.15 / Annex A 8.2 / A.05.01", ["A.5.15", "A.8.2", "A.5.1"]),
        ("Clause 7", ["7"]),
        ("7", ["7"]),
        (7, ["7"]),
        (9.2, ["9.2"]),
        ("A.9.2.6", ["A.9.2.6"]),
        ("A.8.2, a.8.2", ["A.8.2"]),
        ("A.5.99", ["A.5.99"]),
        ("Policy v4.2, reviewed 4.2.2025", []),
        ("Access control policy", []),
        (None, []),
    ],
)
def test_requirement_codes(value: CellValue, codes: list[str]) -> None:
    assert requirement_codes(value) == codes


# --- cells as openpyxl reads them from a real file ----------------------------------------


def test_cells_of_a_saved_workbook_read_as_openpyxl_gives_them(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    feb3 = dt.date(2025, 2, 3)
    sheet.append([feb3, dt.datetime(2025, 2, 3, 14, 30), 45691, "2025-02-03", "03/02/2025"])
    # XML reads a bare carriage return as a line feed: the export writes it escaped.
    sheet.append(["3 Feb 2025", dt.time(9, 30), True, cell_text("line one\r\nline two"), 12.0])
    sheet["E2"].number_format = "0.00"
    book.save(tmp_path / "cells.xlsx")
    read = load_workbook(tmp_path / "cells.xlsx", read_only=True, data_only=True)
    rows = [list(r) for r in read.active.iter_rows(values_only=True)]
    read.close()
    first, second = rows
    assert [parse_date(v, DateOrder.DMY) for v in first] == [feb3] * 5
    assert parse_date(second[0], None) == feb3
    for not_a_date in second[1:4]:
        with pytest.raises(ValueProblem):
            parse_date(not_a_date, None)
    assert [text_of(v) for v in second[1:]] == ["09:30", "TRUE", "line one\r\nline two", "12"]


def _padded(header: tuple[Any, ...], row: tuple[Any, ...]) -> dict[str, Any]:
    """A read-only sheet's row ends at its last value: the cells after it are blank."""
    return dict(zip(header, (*row, *[None] * (len(header) - len(row))), strict=True))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    yield from demo_register(tmp_path_factory, findings=40, seed=7)  # every stage but disputed


def test_carapps_own_export_reads_back_field_by_field(demo: Register, tmp_path: Path) -> None:
    """Every word, date, decision and code column of the export reads as the register holds
    it, from the file as the import reads it (read-only, cached values)."""
    path = write_register_xlsx(demo, ExportScope(TODAY), tmp_path / "register.xlsx")
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = iter(book["Findings"].iter_rows(values_only=True))
        header = next(sheet)
        rows = [_padded(header, row) for row in sheet if row[0] is not None]
        actions = iter(book["Actions"].iter_rows(values_only=True))
        action_header = next(actions)
        action_rows = [_padded(action_header, r) for r in actions if r[0]]
    finally:
        book.close()
    assert len(rows) == 40
    stages = set()
    details = [finding_detail(demo, str(cells["Ref"]), TODAY) for cells in rows]
    for cells, d in zip(rows, details, strict=True):
        stages.add(stage_claim(cells["Stage"]))
        assert stage_claim(cells["Stage"]) is d.stage
        assert source_of(cells["Source"]) is d.source
        assert classification_of(cells["Classification"]) is d.classification
        assert parse_date(cells["Identified"], None) == d.identified
        assert parse_date(cells["Contained on"], None) == d.containment.on
        assert parse_date(cells["Plan sent"], None) == d.plan_sent_on
        assert parse_date(cells["Closed on"], None) == d.closed_on
        assert requirement_codes(cells["Requirement codes"]) == [r.code for r in d.requirements]
        categories = [c.category for c in d.current_root_causes if c.category]
        assert cause_categories_of(cells["Cause category"]) == list(dict.fromkeys(categories))
        last = d.current_reviews[-1] if d.current_reviews else None
        result = last.result if last else None
        assert review_result_of(cells["Effectiveness result"]) is result
        for target in IsmsTarget:
            update = d.isms_update[target]
            expected = None if update.decision is None else (update.decision, update.note)
            assert isms_decision_of(cells[f"ISMS: {target.label}"]) == expected
        decision = d.decision
        expected_decision = (
            None if decision.decision is None else (decision.decision, decision.note)
        )
        assert observation_decision_of(cells["Observation decision"]) == expected_decision
        assert text_of(cells["Title"]) == d.title
    assert stages >= set(Stage) - {Stage.DISPUTED}
    owned = {a.ref: a for d in details for a in d.actions}
    for cells in action_rows:
        action = owned[str(cells["Ref"])]
        assert action_status_of(cells["Status"]) is action.status
        assert parse_date(cells["Target"], None) == action.target_on
