"""A spreadsheet cell read as one of our values: a date, a word of our vocabularies, a list of
requirement codes, or text.

Every reader takes what openpyxl or the CSV reader gives (:data:`CellValue`), returns ``None``
for a blank cell, and raises :class:`ValueProblem` (a short lower-case reason, without the row
or column, which the import plan adds) for a cell it cannot read. Nothing else escapes.

Dates
-----
Excel dates come as ``datetime``; dates typed into a number cell or written by a program that
forgot the format come as serial numbers (days since 1899-12-30, the 1900 date system); dates
in CSV files and text cells come as text in whatever form the writer used. Day/month order is
the one thing text cannot always tell: ``03/02/2025`` is 3 February or 2 March. Such a date is
read only when the order is known, from ``--date-order`` or from the file itself
(:func:`settle_date_order`); otherwise the cell is reported, never guessed. Two-digit years
are read 1990-2089. Years outside 1990-2100 are refused: in a register they are typing
slips (0205 for 2025) or a number read as a date.

Words
-----
Words are matched ignoring case, accents, spaces and punctuation ("IN-PROGRESS",
"in progress" and "Inprogress" are one word). Our own labels (``Stage.ACTIONS_PLANNED.label``
and so on) and stored values are always understood, so carapp's own export reads back. The
other words are those real registers, CAPA tools and certification bodies write: the
ServiceNow, IFS, Scilife, Ideagen and Workcell CAPA states (New, On hold, In progress,
Pending verification, Effectiveness check pending, Implementing, Verified, Closed complete,
Closed cancelled), spreadsheet register templates (Open, Ongoing, Overdue, Complete, N/A),
and the grading the certification bodies' guidance uses (Major/Minor nonconformity,
Observation, Opportunity for improvement, Category 1/2/3; ISO 19011 6.4.8 allows grading by
number or by word). A cell such as "NC - Major", "Closed - verified effective" or
"Actions done (round 2)" is read by its parts; a date or number beside a status is ignored
("Closed 2025-03-01"); a source or cause category is read from its first words ("Surveillance
audit - BSI", "Training gap for new starters"), never where the next word denies them.

The readings that are a decision, not a dictionary entry:

- A status word is a *claim* (:func:`stage_claim`); the import plan imports a finding at the
  stage its content proves and flags a claim the content does not bear out. So a word that
  asserts much maps high: "Verified", "Complete", "Done" and "Resolved" claim Closed (that is
  what the person keeping the register meant by it), and the plan, not this module, refuses
  to promote a finding without the evidence.
- A word that says the finding is still open and nothing of how far it got ("Overdue",
  "Pending", "Outstanding", "On hold", "Reopened", "Not effective") claims only the start of
  the path, Identified; content that proves more wins. "Open" is our own label of the
  observation path's first stage, so it reads as Open; :func:`stage_on_path` turns either
  opening stage into the one on the finding's path.
- Where one cell makes several claims on the clause 10.2 path ("Completed - awaiting
  verification"), the least is taken: taking the most would promote the finding on words.
- "Nonconformity", "NC", "NCR" with no grade read as Minor NC: a major is always called one
  (it blocks certification), so an ungraded nonconformity is one the auditor did not
  escalate. "Critical" reads as Major NC (our register has nothing graver). Category 1/A is
  Major, 2/B Minor, 3/C Observation, the certification bodies' convention that 1 is gravest.
  "Recommendation", "Suggestion" and "Improvement" read as OFI; "Potential NC", "Concern" and
  "Area of concern" as Observation. Severity words (High/Medium/Low) are refused: they rate
  risk, not the kind of finding.
- "External audit" reads as a certification body audit: in an ISO 27001 register the external
  auditor is the certification body's. A customer's or a supplier's audit (second party) is
  refused rather than given a certification body's deadlines. A customer complaint reads as
  an incident review: it is an event reported from outside and investigated as one.
- "Partially effective" is Not effective: the review failed, so the finding goes back to root
  cause analysis. "Pending" and "TBC" in an effectiveness result, an ISMS decision or an
  observation decision mean none yet and read as blank; so does "N/A" as a result, while
  "N/A" as an ISMS decision is Not needed (nothing to update) and as an observation decision
  No action.
- "Overdue" as an action's status is Planned: it says the action is not done, nothing more.
- Cause categories from a fishbone's six Ms read: Method -> Process design, Machine and
  Tools -> Technology, Management -> Ownership, People/Man -> Training / awareness
  (competence; blaming a person is not a cause category), Measurement, Material,
  Environment -> Other. "Human error" is refused: it is a symptom, not a cause.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
import functools
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Generic, TypeVar

from openpyxl.utils.datetime import from_excel

from carapp.catalog import normalise_code
from carapp.imports.fields import CellValue
from carapp.models.enums import (
    NC_PATH,
    ActionStatus,
    AuditKind,
    CauseCategory,
    Classification,
    IsmsDecision,
    ObservationDecision,
    ReviewResult,
    Source,
    Stage,
)


class ValueProblem(ValueError):
    """A cell that does not read as the value its column holds; ``str()`` is the reason, in
    lower case, without the row or the column (e.g. "is not a date (write it as ...)")."""


class DateOrderProblem(ValueProblem):
    """A numeric date that the date order decides: read either way round, or not a date in
    the order chosen. The order is the file's, so such a cell stops its row wherever it is."""


class DateOrder(enum.StrEnum):
    """Which part of a numeric date such as 03/02/2025 is the day."""

    DMY = "dmy"
    MDY = "mdy"


# --- text ---------------------------------------------------------------------------------

# Excel escapes characters XML cannot hold (and a literal "_x" followed by four hex digits, as
# "_x005F_x...") in the ST_Xstring form; openpyxl hands them on as written.
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(match: re.Match[str]) -> str:
    return chr(int(match.group(1), 16))


def text_of(value: CellValue) -> str:
    """The cell as text: ends stripped, whole numbers without ".0", dates in ISO form, Excel's
    ``_x000D_`` escapes undone, a blank cell as ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        if "_x" in value:
            value = _ESCAPED.sub(_unescape, value)
        return value.strip()
    if isinstance(value, bool):  # before int: bool is an int
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        # Excel shows at most 15 significant digits; 0.30000000000000004 was typed as 0.3.
        return f"{value:.15g}"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds" if value.second else "minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value.isoformat(timespec="seconds" if value.second else "minutes")


# --- dates --------------------------------------------------------------------------------

FIRST_YEAR: Final = 1990
LAST_YEAR: Final = 2100
_EPOCH_ORDINAL: Final = dt.date(1899, 12, 30).toordinal()  # serial 0 in the 1900 system
_FIRST_SERIAL: Final = dt.date(FIRST_YEAR, 1, 1).toordinal() - _EPOCH_ORDINAL
_LAST_SERIAL: Final = dt.date(LAST_YEAR, 12, 31).toordinal() - _EPOCH_ORDINAL

_NOT_A_DATE: Final = "is not a date (write it as 2025-02-03 or 3 Feb 2025)"
_YEARS: Final = f"is outside the years carapp takes ({FIRST_YEAR} to {LAST_YEAR})"

_MONTHS: Final = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february", "febr"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_WEEKDAYS: Final = {
    name: number
    for number, names in enumerate(
        (
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "weds", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        )
    )
    for name in names
}

# A time of day after the date (Excel's text of a datetime, ISO's "T10:00:00Z", "2:30 pm"):
# read and dropped; a time zone does not move the date as written.
_TIME = (
    r"(?:(?:\s+|\s*t\s*|\s*,\s*|\s+at\s+)\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:[.,]\d+)?)?"
    r"(?:\s*[ap]\.?m\.?)?(?:\s*(?:z|utc|gmt|[+-]\d{2}(?::?\d{2})?))?)?"
)
_WEEKDAY = re.compile(r"([a-z]+)\.?,?\s*")
_YMD = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _TIME)
_NUMERIC = re.compile(r"(\d{1,2})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})\.?" + _TIME)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SERIAL_TEXT = re.compile(r"\d{5}(?:\.\d+)?")
_SEP = r"[\s\-/.,]*"
_ORDINAL = r"(?:st|nd|rd|th)?"
_DAY_NAMED = re.compile(
    rf"(\d{{1,2}}){_ORDINAL}(?:\s+of)?{_SEP}([a-z]+){_SEP}(\d{{4}}|\d{{2}})" + _TIME
)
# Between a day's digits and a year's there must be something, or "Feb 2025" is the 20th.
_NAMED_DAY = re.compile(rf"([a-z]+){_SEP}(\d{{1,2}}){_ORDINAL}[\s\-/.,]+(\d{{4}}|\d{{2}})" + _TIME)
_YEAR_NAMED = re.compile(rf"(\d{{4}}){_SEP}([a-z]+){_SEP}(\d{{1,2}}){_ORDINAL}" + _TIME)
_NO_YEAR = re.compile(
    rf"(?:\d{{1,2}}{_ORDINAL}(?:\s+of)?{_SEP}[a-z]+|[a-z]+{_SEP}\d{{1,2}}{_ORDINAL})"
)
_MONTH_YEAR = re.compile(rf"[a-z]+{_SEP}\d{{4}}")


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        return year + (1900 if year >= 90 else 2000)
    return year


# English names written out here, not by strftime: Qt sets the C locale from the desktop's.
_MONTH_NAMES: Final = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_DAY_NAMES: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _named(day: int, month: int) -> str:
    return f"{day} {_MONTH_NAMES[month - 1][:3]}"


def _make(year: int, month: int, day: int) -> dt.date:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueProblem(_YEARS)
    if not 1 <= month <= 12:
        raise ValueProblem(f"is not a date: {month} is not a month")
    try:
        return dt.date(year, month, day)
    except ValueError:
        name = _MONTH_NAMES[month - 1]
        raise ValueProblem(f"is not a date: {name} {year} has no day {day}") from None


def _day_month(first: int, second: int, order: DateOrder | None) -> tuple[int, int] | str:
    """(day, month) of a numeric date's first two parts, or why they are not one."""
    if order is DateOrder.DMY:
        if second > 12:
            return (
                f"is not a date in day/month/year order: {second} is not a month "
                "(check the date order)"
            )
        return first, second
    if order is DateOrder.MDY:
        if first > 12:
            return (
                f"is not a date in month/day/year order: {first} is not a month "
                "(check the date order)"
            )
        return second, first
    if first > 12:
        return first, second
    if second > 12 or first == second:
        return second, first
    return (
        f"could be {_named(first, second)} or {_named(second, first)}: choose the date "
        "order, day/month or month/day (--date-order dmy or mdy)"
    )


def _text_date(text: str, order: DateOrder | None) -> dt.date | str:
    """The date a text cell names, or why it names none (cached by the caller)."""
    # Fast path: the ISO form databases, programs and careful people write.
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            pass
        else:
            return day if FIRST_YEAR <= day.year <= LAST_YEAR else _YEARS
    s = text.strip().casefold()
    weekday: int | None = None
    if s[:1].isalpha():
        m = _WEEKDAY.match(s)
        if m and m.group(1) in _WEEKDAYS:
            weekday = _WEEKDAYS[m.group(1)]
            s = s[m.end() :]
    try:
        result = _read(s, order, weekday)
    except ValueProblem as problem:
        return str(problem)
    if weekday is not None and result.weekday() != weekday:
        return f"is not a date: it names a {_day_name(weekday)}, but {_spoken(result)} is a " + (
            _day_name(result.weekday())
        )
    return result


def _day_name(weekday: int) -> str:
    return _DAY_NAMES[weekday]


def _spoken(day: dt.date) -> str:
    return f"{day.day} {_MONTH_NAMES[day.month - 1][:3]} {day.year}"


def _read(s: str, order: DateOrder | None, weekday: int | None) -> dt.date:
    if m := _YMD.fullmatch(s):
        return _make(int(m.group(1)), int(m.group(3)), int(m.group(4)))
    if m := _NUMERIC.fullmatch(s):
        first, second, year = int(m.group(1)), int(m.group(3)), _year(m.group(4))
        parts = _day_month(first, second, order)
        if isinstance(parts, str):
            if weekday is not None and order is None:
                # The weekday written beside an ambiguous date tells the reading apart.
                fits = [
                    (d, mo)
                    for d, mo in ((first, second), (second, first))
                    if _valid(year, mo, d) and dt.date(year, mo, d).weekday() == weekday
                ]
                if len(fits) == 1:
                    return _make(year, fits[0][1], fits[0][0])
            raise DateOrderProblem(parts)
        return _make(year, parts[1], parts[0])
    if m := _DAY_NAMED.fullmatch(s):
        return _make(_year(m.group(3)), _month(m.group(2)), int(m.group(1)))
    if m := _NAMED_DAY.fullmatch(s):
        return _make(_year(m.group(3)), _month(m.group(1)), int(m.group(2)))
    if m := _YEAR_NAMED.fullmatch(s):
        return _make(int(m.group(1)), _month(m.group(2)), int(m.group(3)))
    if m := _COMPACT.fullmatch(s):
        year = int(m.group(1))
        if FIRST_YEAR <= year <= LAST_YEAR:
            return _make(year, int(m.group(2)), int(m.group(3)))
        raise ValueProblem(_NOT_A_DATE)
    if _SERIAL_TEXT.fullmatch(s):
        return _serial(float(s))
    if _NO_YEAR.fullmatch(s) and _month_or_none(s) is not None:
        raise ValueProblem("is not a whole date: it has no year (write it as 3 Feb 2025)")
    if _MONTH_YEAR.fullmatch(s) and _month_or_none(s) is not None:
        raise ValueProblem("names a month, not a day (write it as 3 Feb 2025)")
    raise ValueProblem(_NOT_A_DATE)


def _valid(year: int, month: int, day: int) -> bool:
    return (
        FIRST_YEAR <= year <= LAST_YEAR
        and 1 <= month <= 12
        and 1 <= day <= calendar.monthrange(year, month)[1]
    )


_LETTERS = re.compile(r"[a-z]+")


def _month_or_none(s: str) -> int | None:
    m = _LETTERS.search(s)
    return _MONTHS.get(m.group(0)) if m else None


def _month(name: str) -> int:
    month = _MONTHS.get(name)
    if month is None:
        raise ValueProblem(_NOT_A_DATE)
    return month


def _serial(number: float) -> dt.date:
    if not math.isfinite(number):
        raise ValueProblem("is not a date")
    if not _FIRST_SERIAL <= number < _LAST_SERIAL + 1:
        raise ValueProblem(
            f"is a number, not a date (as a date serial it would fall outside {FIRST_YEAR} "
            f"to {LAST_YEAR})"
        )
    if number.is_integer():
        return dt.date.fromordinal(_EPOCH_ORDINAL + int(number))
    # openpyxl rounds the time of day to the millisecond, so 45000.99999999 is the next day.
    day: dt.date = from_excel(number).date()
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueProblem(_YEARS)
    return day


@functools.lru_cache(maxsize=1 << 16)
def _cached_text_date(text: str, order: DateOrder | None) -> dt.date | str:
    return _text_date(text, order)


def parse_date(value: CellValue, order: DateOrder | None) -> dt.date | None:
    """The date a cell holds, ``None`` for a blank one.

    Excel dates and datetimes, serial numbers in a number cell (1900 system), and text: ISO
    (with or without a time), d/m/yyyy and m/d/yyyy with ``/``, ``.`` or ``-`` and two- or
    four-digit years, "3 Feb 2025", "3rd February 2025", "Feb 3, 2025", "03-Feb-25", a
    weekday in front (checked against the date), a serial number typed as text. A numeric
    date whose day and month could be swapped needs ``order``; without it the cell is
    refused with both readings named.
    """
    if type(value) is str:  # the common case first: CSV cells and text cells
        if "_x" in value:
            value = text_of(value)
        text = value.strip()
        if not text:
            return None
        result = _cached_text_date(text, order)
        if isinstance(result, str):
            raise ValueProblem(result)
        return result
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValueProblem(_YEARS)
        return value
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueProblem("is true or false, not a date")
    if isinstance(value, int | float):
        return _serial(float(value))
    if isinstance(value, dt.time):
        raise ValueProblem("is a time of day, not a date")
    return parse_date(str(value), order)


@functools.lru_cache(maxsize=1 << 16)
def _first_two(text: str) -> tuple[int, int] | None:
    """The first two parts of a numeric day/month date (d/m/y or m/d/y), else None."""
    s = text.strip().casefold()
    if s[:1].isalpha():
        m = _WEEKDAY.match(s)
        if m and m.group(1) in _WEEKDAYS:
            s = s[m.end() :]
    m = _NUMERIC.fullmatch(s)
    if m is None:
        return None
    first, second = int(m.group(1)), int(m.group(3))
    if first > 31 or second > 31:
        return None
    return first, second


def settle_date_order(values: Iterable[CellValue]) -> DateOrder | None:
    """The date order the cells settle: DMY when some text date's first part cannot be a
    month (13/02/2025), MDY when some second part cannot (02/13/2025); ``None`` when none
    does, or when both are seen (the file mixes orders, and the ambiguous cells are then
    reported one by one)."""
    dmy = mdy = False
    for value in values:
        if type(value) is not str or not value:
            continue
        parts = _first_two(value)
        if parts is None:
            continue
        first, second = parts
        if first > 12 and second <= 12:
            dmy = True
        elif second > 12 and first <= 12:
            mdy = True
        if dmy and mdy:
            return None
    if dmy:
        return DateOrder.DMY
    if mdy:
        return DateOrder.MDY
    return None


# --- words --------------------------------------------------------------------------------

E = TypeVar("E", bound=enum.Enum)

_WORD = re.compile(r"[^\W_]+")
_PARTS = re.compile(r"[-–—:;,|/\\+&()\[\]\n]")
_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]")


_LONGEST_LEAD: Final = 5  # words a cell's leading reading may take ("no change required")
_NEGATIONS: Final = frozenset({"not", "no", "never", "none", "nothing", "without"})


class _Nothing:
    """A word that means "no value yet" (TBC, pending): read as a blank cell."""


_NOTHING: Final = _Nothing()


@dataclass(frozen=True, slots=True)
class _Refusal:
    reason: str


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c))


def _tokens(text: str) -> list[str]:
    return _WORD.findall(_fold(text))


def _word_key(text: str) -> str:
    """``text`` as words are compared: case, accents, spaces and punctuation dropped."""
    return "".join(_tokens(text))


def _label(member: enum.Enum) -> str:
    return str(getattr(member, "label", member.value))


class _Words(Generic[E]):
    """A vocabulary: the words that mean each member, and how a cell is read against them.

    A *weak* word names a member only when nothing else in the cell names another ("NC" is
    Minor NC, but "NC - Major" is Major NC); *noise* words are dropped when the cell as a
    whole is not a word ("Status: Closed", "Surveillance audit 2").
    """

    def __init__(
        self,
        noun: str,
        words: Mapping[E, Iterable[str]],
        *,
        hint: str,
        weak: Mapping[E, Iterable[str]] | None = None,
        weak_members: Iterable[E] = (),
        nothing: Iterable[str] = (),
        noise: Iterable[str] = (),
        numbers_are_noise: bool = False,
        leading: bool = False,
        combine: Callable[[list[E]], E | None] | None = None,
    ) -> None:
        self.noun = noun
        self.hint = hint
        self._strong: dict[str, E] = {}
        self._weak: dict[str, E] = {}
        feeble = frozenset(weak_members)
        for member, phrases in words.items():
            table = self._weak if member in feeble else self._strong
            # Our own label and stored value always read as the member itself.
            for phrase in (_label(member), str(member.value), *phrases):
                self._add(table, phrase, member)
        for member, phrases in (weak or {}).items():
            for phrase in phrases:
                self._add(self._weak, phrase, member)
        self._nothing = frozenset(_word_key(w) for w in nothing)
        clash = self._nothing & self.keys.keys()
        if clash:
            raise AssertionError(f"{sorted(clash)} would mean both nothing and something")
        self._noise = frozenset(noise)
        self._numbers_are_noise = numbers_are_noise
        self._leading = leading
        self._combine = combine
        self._cache: dict[tuple[str, bool], E | _Nothing | _Refusal] = {}

    def _add(self, table: dict[str, E], phrase: str, member: E) -> None:
        key = _word_key(phrase)
        held = self._strong.get(key, self._weak.get(key))
        if held is not None and held is not member:
            raise AssertionError(f"{phrase!r} would mean both {held} and {member}")
        table[key] = member

    @functools.cached_property
    def keys(self) -> dict[str, E]:
        """Every word understood (as :func:`_word_key` gives it) and the member it names."""
        return {**self._weak, **self._strong}

    @property
    def unknown(self) -> str:
        return f"is not {self.noun} carapp knows (it reads {self.hint})"

    def _whole(self, text: str) -> tuple[E, bool] | _Nothing | None:
        """(member, strong) for ``text`` read as one word, _NOTHING, or None when unknown."""
        tokens = _tokens(text)
        quiet = [t for t in tokens if t not in self._noise]
        attempts = [tokens, quiet]
        if self._numbers_are_noise:
            attempts.append([t for t in quiet if not t.isdigit()])
        for attempt in attempts:
            key = "".join(attempt)
            if not key:
                continue
            if key in self._nothing:
                return _NOTHING
            if key in self._strong:
                return self._strong[key], True
            if key in self._weak:
                return self._weak[key], False
        return None

    def read(self, text: str, *, split: bool = True) -> E | _Nothing | _Refusal:
        """The member ``text`` names, _NOTHING, or why it names none."""
        cached = self._cache.get((text, split))
        if cached is None:
            cached = self._read(text, split)
            if len(self._cache) > 8192:  # a column of free text must not grow it forever
                self._cache.clear()
            self._cache[(text, split)] = cached
        return cached

    def _read(self, text: str, split: bool) -> E | _Nothing | _Refusal:
        if not _word_key(text):
            return _NOTHING  # "-", "?", "—": a dash for nothing
        whole = self._whole(text)
        if whole is not None:
            return whole if isinstance(whole, _Nothing) else whole[0]
        if split:
            parts = self._parts(text)
            if parts is not None:
                return parts
            stripped = _BRACKETED.sub(" ", text)
            if stripped != text and _word_key(stripped):
                found = self._whole(stripped)
                if isinstance(found, tuple):
                    return found[0]
            if self._leading:
                lead = self.lead(stripped)
                if lead is not None:
                    return lead
        return _Refusal(self.unknown)

    def lead(self, text: str) -> E | None:
        """The member the cell's first words name ("Surveillance audit - BSI", "Internal audit
        Q3 2025"), the longest reading first; never one the next word denies."""
        first = _PARTS.split(text, maxsplit=1)[0]
        if first != text:
            found = self._whole(first)
            if isinstance(found, tuple) and found[1]:
                return found[0]
        tokens = _tokens(text)
        for n in range(min(_LONGEST_LEAD, len(tokens) - 1), 0, -1):
            if tokens[n] in _NEGATIONS:
                continue
            found = self._whole(" ".join(tokens[:n]))
            if isinstance(found, tuple) and found[1]:
                return found[0]
        return None

    def _parts(self, text: str) -> E | _Refusal | None:
        pieces = [p for p in _PARTS.split(text) if _word_key(p)]
        if len(pieces) < 2:
            return None
        strong: list[E] = []
        weak: list[E] = []
        for piece in pieces:
            if all(t in self._noise for t in _tokens(piece)):
                continue
            found = self._whole(piece)
            if found is None:
                return None
            if isinstance(found, tuple):
                (strong if found[1] else weak).append(found[0])
        chosen = list(dict.fromkeys(strong or weak))
        if not chosen:
            return None
        if len(chosen) == 1 or not strong:
            return chosen[0]
        if self._combine is not None:
            combined = self._combine(chosen)
            if combined is not None:
                return combined
        names = " and ".join(_lower_label(m) for m in chosen)
        noun = self.noun.split(" ", 1)[1]  # "a status" -> "status", "an action status" -> ...
        return _Refusal(f"says both {names}: write one {noun}")

    def member(self, value: CellValue) -> E | None:
        text = text_of(value)
        if not text:
            return None
        found = self.read(text)
        if isinstance(found, _Nothing):
            return None
        if isinstance(found, _Refusal):
            raise ValueProblem(found.reason)
        return found


def _lower_label(member: enum.Enum) -> str:
    label = _label(member)
    return label if label.isupper() else label.lower()


# - classification

_CLASSIFICATION = _Words(
    "a classification",
    {
        Classification.MAJOR: (
            "major",
            "maj",
            "major nc",
            "major nonconformity",
            "major non conformity",
            "major nonconformance",
            "major non conformance",
            "major finding",
            "critical",
            "cat 1",
            "category 1",
            "cat i",
            "category i",
            "cat a",
            "category a",
        ),
        Classification.MINOR: (
            "minor",
            "min",
            "minor nc",
            "minor nonconformity",
            "minor non conformity",
            "minor nonconformance",
            "minor non conformance",
            "minor finding",
            "cat 2",
            "category 2",
            "cat ii",
            "category ii",
            "cat b",
            "category b",
        ),
        Classification.OBSERVATION: (
            "observation",
            "observations",
            "obs",
            "potential nc",
            "potential nonconformity",
            "potential non conformity",
            "potential nonconformance",
            "area of concern",
            "aoc",
            "concern",
            "cat 3",
            "category 3",
            "cat iii",
            "category iii",
            "cat c",
            "category c",
        ),
        Classification.OFI: (
            "ofi",
            "ofis",
            "opportunity for improvement",
            "opportunities for improvement",
            "improvement opportunity",
            "opportunity",
            "improvement",
            "area for improvement",
            "afi",
            "recommendation",
            "suggestion",
        ),
    },
    weak={Classification.MINOR: ("nc", "ncr", "non conformity", "nonconformance")},
    noise=(
        "nc",
        "ncr",
        "non",
        "conformity",
        "nonconformity",
        "conformance",
        "nonconformance",
        "finding",
        "grade",
    ),
    hint="major NC, minor NC, observation, OFI, NC, cat 1/2/3",
)


def classification_of(value: CellValue) -> Classification | None:
    """The classification a cell names (see the module's notes for the readings decided)."""
    return _CLASSIFICATION.member(value)


# - stage


def _least_on_path(claims: list[Stage]) -> Stage | None:
    if all(c in NC_PATH for c in claims):
        return min(claims, key=NC_PATH.index)
    return None  # off the path (void, disputed) or on the other one: no one reading


_STAGE = _Words(
    "a status",
    {
        Stage.IDENTIFIED: (
            "new",
            "raised",
            "reported",
            "logged",
            "recorded",
            "not started",
            "draft",
            "submitted",
            "to do",
            "action required",
            "pending",
            "outstanding",
            "overdue",
            "late",
            "past due",
            "on hold",
            "reopened",
            "not effective",
            "ineffective",
            "under investigation",
            "investigating",
            "awaiting root cause",
            "awaiting action plan",
            "awaiting response",
            "live",
            "active",
        ),
        Stage.OPEN: ("opened", "still open", "open"),
        Stage.CONTAINED: (
            "corrected",
            "correction made",
            "correction done",
            "correction complete",
            "correction completed",
            "containment done",
            "containment complete",
            "containment in place",
            "immediate action taken",
            "contained awaiting root cause",
        ),
        Stage.CAUSE_FOUND: (
            "root cause found",
            "root cause identified",
            "root cause analysed",
            "root cause analyzed",
            "root cause analysis complete",
            "root cause analysis done",
            "rca complete",
            "rca done",
            "cause identified",
            "cause determined",
            "analysed",
            "analyzed",
            "investigated",
            "investigation complete",
        ),
        Stage.ACTIONS_PLANNED: (
            "planned",
            "action planned",
            "action plan agreed",
            "action plan approved",
            "action plan accepted",
            "action plan submitted",
            "plan agreed",
            "plan approved",
            "plan accepted",
            "plan submitted",
            "cap submitted",
            "cap accepted",
            "cap approved",
            "in progress",
            "action in progress",
            "actions in progress",
            "work in progress",
            "wip",
            "ongoing",
            "underway",
            "under way",
            "assigned",
            "started",
            "implementing",
            "in hand",
            "on track",
            "scheduled",
            "partial",
            "partially complete",
            "partially completed",
            "partially implemented",
            "awaiting implementation",
            "pending implementation",
            "pending action",
        ),
        Stage.ACTIONS_DONE: (
            "action done",
            "actions complete",
            "action complete",
            "actions completed",
            "action completed",
            "implemented",
            "action implemented",
            "actions implemented",
            "awaiting verification",
            "pending verification",
            "verification pending",
            "ready for verification",
            "awaiting effectiveness check",
            "awaiting effectiveness review",
            "effectiveness check pending",
            "effectiveness review pending",
            "pending effectiveness check",
            "pending effectiveness review",
            "effectiveness check due",
            "awaiting evidence review",
            "awaiting evidence",
            "pending evidence",
            "evidence submitted",
            "awaiting closure",
            "pending closure",
            "ready to close",
            "ready for closure",
            "awaiting sign off",
            "complete pending verification",
            "completed pending verification",
            "completed awaiting verification",
            "done pending verification",
            "done awaiting verification",
            "implemented awaiting verification",
        ),
        Stage.EFFECTIVE: (
            "verified effective",
            "effectiveness verified",
            "effectiveness confirmed",
            "confirmed effective",
            "effectiveness check passed",
            "effectiveness review passed",
        ),
        Stage.CLOSED: (
            "close",
            "closed out",
            "closed complete",
            "closed completed",
            "closed verified",
            "verified closed",
            "verified",
            "complete",
            "completed",
            "done",
            "resolved",
            "finished",
            "fixed",
            "cleared",
        ),
        Stage.DECIDED: ("decision made", "decision taken"),
        Stage.DISPUTED: (
            "in dispute",
            "appealed",
            "under appeal",
            "appeal",
            "challenged",
            "contested",
        ),
        Stage.VOID: (
            "voided",
            "cancelled",
            "canceled",
            "closed cancelled",
            "closed canceled",
            "withdrawn",
            "rejected",
            "duplicate",
            "duplicated",
            "n/a",
            "not applicable",
            "invalid",
            "raised in error",
            "superseded",
            "no longer applicable",
            "not required",
            "deleted",
        ),
    },
    noise=(
        "status",
        "finding",
        "nc",
        "ncr",
        "capa",
        "car",
        "the",
        "is",
        "now",
        "currently",
        "fully",
        "all",
    ),
    weak_members=(Stage.IDENTIFIED, Stage.OPEN),
    numbers_are_noise=True,  # "Closed 2025-03-01", "Actions done (round 2)"
    combine=_least_on_path,
    hint="open, contained, root cause found, in progress, implemented, pending verification, "
    "verified effective, closed, disputed, void, or our own stages",
)


def stage_claim(value: CellValue) -> Stage | None:
    """The stage a status word claims; the import plan compares it with what the row's content
    proves (see the module's notes: a claim is never a promotion)."""
    return _STAGE.member(value)


def stage_on_path(claim: Stage, classification: Classification) -> Stage:
    """``claim`` on the path ``classification`` takes: "Open" and "Identified" both say only
    that the finding is open, and are the first stage of one path each."""
    if classification.is_nonconformity and claim is Stage.OPEN:
        return Stage.IDENTIFIED
    if not classification.is_nonconformity and claim is Stage.IDENTIFIED:
        return Stage.OPEN
    return claim


# - source

_SOURCE = _Words(
    "a source",
    {
        Source.CERTIFICATION_AUDIT: (
            *(kind.label for kind in AuditKind if kind.by_certification_body),
            "certification audit",
            "certification body",
            "cb audit",
            "cb",
            "external audit",
            "external",
            "external auditor",
            "third party audit",
            "3rd party audit",
            "third party",
            "registrar audit",
            "registration audit",
            "certification",
            "initial certification",
            "stage 1",
            "stage 2",
            "stage one",
            "stage two",
            "surveillance",
            "recertification",
            "recert",
            "renewal",
            "transition",
            "special audit",
        ),
        Source.INTERNAL_AUDIT: (
            "internal",
            "ia",
            "internal auditor",
            "first party audit",
            "1st party audit",
            "first party",
            "internal audit programme",
            "internal audit program",
            "process audit",
        ),
        Source.INCIDENT_REVIEW: (
            "incident",
            "incidents",
            "security incident",
            "information security incident",
            "incident report",
            "post incident review",
            "near miss",
            "security event",
            "event",
            "breach",
            "data breach",
            "personal data breach",
            "complaint",
            "customer complaint",
            "client complaint",
            "problem management",
        ),
        Source.MANAGEMENT_REVIEW: (
            "mr",
            "mrm",
            "management review meeting",
            "management meeting",
            "leadership review",
        ),
        Source.MONITORING: (
            "monitoring and measurement",
            "measurement",
            "metrics",
            "metric",
            "kpi",
            "kpis",
            "key performance indicator",
            "performance monitoring",
            "pen test",
            "penetration test",
            "penetration testing",
            "vulnerability scan",
            "vulnerability scanning",
            "vulnerability assessment",
            "security testing",
            "technical review",
            "log review",
            "access review",
            "user access review",
            "risk assessment",
            "risk review",
            "compliance check",
            "compliance review",
            "spot check",
            "inspection",
        ),
        Source.SELF_IDENTIFIED: (
            "self reported",
            "self raised",
            "identified internally",
            "staff",
            "staff member",
            "employee",
            "staff suggestion",
            "employee suggestion",
            "process owner",
            "proactive",
        ),
    },
    # "ISO 27001 surveillance audit 2", "Stage 2 (2025)": the standard, the word audit and a
    # visit's number say nothing of the source.
    noise=(
        "iso",
        "iec",
        "27001",
        "isms",
        "audit",
        "visit",
        "year",
        "no",
        "number",
        *(str(y) for y in range(FIRST_YEAR, LAST_YEAR + 1)),
    ),
    numbers_are_noise=True,
    leading=True,
    hint="certification body audit, stage 1/2, surveillance, external audit, internal audit, "
    "incident, complaint, management review, monitoring, KPI, self-identified, staff",
)


def source_of(value: CellValue) -> Source | None:
    """Where the finding came from; see the module's notes for external audits and
    complaints."""
    return _SOURCE.member(value)


# - cause category

_CAUSE = _Words(
    "a cause category",
    {
        CauseCategory.PROCESS_DESIGN: (
            "process",
            "procedure",
            "procedural",
            "process design",
            "process gap",
            "procedure gap",
            "method",
            "methods",
            "documentation",
            "document",
            "policy",
            "design",
            "communication",
        ),
        CauseCategory.TRAINING_AWARENESS: (
            "training",
            "awareness",
            "training and awareness",
            "lack of training",
            "lack of awareness",
            "competence",
            "competency",
            "knowledge",
            "skills",
            "people",
            "man",
            "human factors",
        ),
        CauseCategory.OWNERSHIP: (
            "owner",
            "no owner",
            "ownership gap",
            "accountability",
            "responsibility",
            "roles and responsibilities",
            "governance",
            "management",
            "leadership",
            "oversight",
        ),
        CauseCategory.TECHNOLOGY: (
            "technical",
            "tool",
            "tools",
            "tooling",
            "system",
            "systems",
            "it",
            "software",
            "hardware",
            "equipment",
            "machine",
            "machinery",
            "infrastructure",
            "automation",
        ),
        CauseCategory.RESOURCE: (
            "resources",
            "resourcing",
            "lack of resource",
            "lack of resources",
            "staffing",
            "capacity",
            "workload",
            "budget",
            "time",
            "funding",
        ),
        CauseCategory.OTHER: (
            "measurement",
            "material",
            "materials",
            "environment",
            "supplier",
            "third party",
            "external",
            "unknown",
            "misc",
            "miscellaneous",
        ),
    },
    noise=("cause", "category", "root", "issue"),
    leading=True,
    hint="process design, training / awareness, ownership, technology, resource, other "
    "(and the fishbone's method, people, machine, management)",
)


def cause_categories_of(value: CellValue) -> list[CauseCategory]:
    """The cause categories a cell names, one a line (carapp's export writes one line per
    root cause), in order and without repeats."""
    text = text_of(value)
    out: list[CauseCategory] = []
    for line in text.splitlines():
        found = _CAUSE.member(line)
        if found is not None and found not in out:
            out.append(found)
    return out


def cause_category_of(value: CellValue) -> CauseCategory | None:
    """The cause category a cell names; a cell of several lines must name only one."""
    found = cause_categories_of(value)
    if len(found) > 1:
        names = " and ".join(_lower_label(c) for c in found)
        raise ValueProblem(f"names more than one cause category ({names})")
    return found[0] if found else None


# - action status

_ACTION_STATUS = _Words(
    "an action status",
    {
        ActionStatus.PLANNED: (
            "plan",
            "not started",
            "not yet started",
            "to do",
            "open",
            "new",
            "pending",
            "assigned",
            "scheduled",
            "proposed",
            "agreed",
            "approved",
            "outstanding",
            "overdue",
            "on hold",
        ),
        ActionStatus.IN_PROGRESS: (
            "ongoing",
            "on going",
            "started",
            "underway",
            "under way",
            "wip",
            "work in progress",
            "partial",
            "partially complete",
            "partially completed",
            "partially implemented",
            "implementing",
            "in hand",
            "on track",
            "active",
        ),
        ActionStatus.DONE: (
            "complete",
            "completed",
            "closed",
            "closed complete",
            "implemented",
            "finished",
            "delivered",
            "actioned",
            "resolved",
            "fixed",
            "verified",
        ),
        ActionStatus.CANCELLED: (
            "canceled",
            "closed cancelled",
            "closed canceled",
            "withdrawn",
            "dropped",
            "abandoned",
            "not required",
            "not needed",
            "n/a",
            "not applicable",
            "superseded",
            "rejected",
            "void",
            "duplicate",
        ),
    },
    noise=("status", "action", "the", "is", "now"),
    numbers_are_noise=True,
    hint="planned, not started, in progress, ongoing, done, complete, cancelled, n/a",
)


def action_status_of(value: CellValue) -> ActionStatus | None:
    """An action's status. "Overdue" says the action is not done, nothing of progress, so it
    reads as Planned."""
    return _ACTION_STATUS.member(value)


# - effectiveness result

_NO_RESULT_YET = (
    "pending",
    "tbc",
    "tbd",
    "to be confirmed",
    "to be determined",
    "not yet",
    "not yet reviewed",
    "not reviewed",
    "awaiting review",
    "due",
    "scheduled",
    "n/a",
    "not applicable",
)

_REVIEW_RESULT = _Words(
    "an effectiveness result",
    {
        ReviewResult.EFFECTIVE: (
            "yes",
            "y",
            "true",
            "pass",
            "passed",
            "satisfactory",
            "successful",
            "success",
            "ok",
            "verified",
            "verified effective",
            "effectiveness verified",
            "confirmed effective",
            "met",
            "achieved",
        ),
        ReviewResult.NOT_EFFECTIVE: (
            "ineffective",
            "no",
            "n",
            "false",
            "fail",
            "failed",
            "unsatisfactory",
            "not satisfactory",
            "unsuccessful",
            "not met",
            "not achieved",
            "partially effective",
            "partly effective",
            "not verified",
            "recurred",
        ),
    },
    nothing=_NO_RESULT_YET,
    noise=("result", "review", "effectiveness", "the", "was", "is"),
    hint="effective, yes, pass, not effective, no, fail; pending or n/a for none yet",
)


def review_result_of(value: CellValue) -> ReviewResult | None:
    """An effectiveness review's result; "Pending", "TBC" and "N/A" say there is none yet."""
    return _REVIEW_RESULT.member(value)


# - decisions with a note: ISMS updates, observations

_NO_DECISION_YET = ("tbc", "tbd", "to be confirmed", "to be decided", "pending", "under review")

_ISMS = _Words(
    "an ISMS decision",
    {
        IsmsDecision.UPDATED: (
            "update",
            "yes",
            "y",
            "true",
            "done",
            "changed",
            "amended",
            "revised",
            "updated accordingly",
        ),
        IsmsDecision.NOT_NEEDED: (
            "no",
            "n",
            "false",
            "none",
            "nil",
            "no change",
            "no changes",
            "no change needed",
            "no change required",
            "no changes needed",
            "no changes required",
            "no update",
            "no update needed",
            "no update required",
            "update not needed",
            "update not required",
            "not required",
            "n/a",
            "not applicable",
            "no impact",
            "unchanged",
            "not affected",
        ),
    },
    nothing=_NO_DECISION_YET,
    hint="updated, yes, not needed, no, no change, n/a, each with a note after a colon",
)

_OBSERVATION = _Words(
    "an observation decision",
    {
        ObservationDecision.ACT: (
            "action",
            "actioned",
            "yes",
            "y",
            "true",
            "accept",
            "accepted",
            "agreed",
            "adopted",
            "implement",
            "will act",
            "take action",
            "action taken",
            "action raised",
            "ca raised",
            "raise action",
        ),
        ObservationDecision.NO_ACTION: (
            "no",
            "n",
            "false",
            "none",
            "no action required",
            "no action needed",
            "action not required",
            "action not needed",
            "not needed",
            "no further action",
            "nfa",
            "rejected",
            "declined",
            "not accepted",
            "not adopted",
            "noted",
            "not required",
            "risk accepted",
            "n/a",
            "not applicable",
        ),
    },
    nothing=(*_NO_DECISION_YET, "under consideration"),
    hint="act, yes, accepted, no action, no, declined, noted, each with a note after a colon",
)

# "Updated: risk register v3", "Yes - SoA amended", "No action; accepted by the owner".
_HEAD = re.compile(r"\s*(.*?)\s*(?::|;|,|\s[-–—]+\s|[-–—]+\s|\s[-–—]+)\s*(.*)", re.S)


def _decision(words: _Words[E], value: CellValue) -> tuple[E, str] | None:
    text = text_of(value)
    if not text:
        return None
    # The decision before a separator first: "Updated: accordingly" is a note, even though
    # "Updated accordingly" alone is a decision.
    head = _HEAD.fullmatch(text)
    if head is not None and head.group(1):
        found = words.read(head.group(1), split=False)
        if isinstance(found, _Nothing):
            return None
        if not isinstance(found, _Refusal):
            return found, head.group(2).strip()
    whole = words.read(text, split=False)
    if isinstance(whole, _Nothing):
        return None
    if not isinstance(whole, _Refusal):
        return whole, ""
    # A note that opens with the decision ("No change to the SoA needed"): kept whole.
    lead = words.lead(text)
    if lead is not None:
        return lead, text
    raise ValueProblem(whole.reason)


def isms_decision_of(value: CellValue) -> tuple[IsmsDecision, str] | None:
    """The decision on one ISMS update and its note: carapp's export writes "Updated: note",
    "Not needed: note" or the bare decision; others write "Yes - ...", "No change", "N/A"
    (Not needed, no note)."""
    return _decision(_ISMS, value)


def observation_decision_of(value: CellValue) -> tuple[ObservationDecision, str] | None:
    """The decision on an observation or OFI and its note: "Act: note", "No action: note",
    "Yes", "Declined - not cost effective"."""
    return _decision(_OBSERVATION, value)


# --- requirement codes --------------------------------------------------------------------

# The standard named beside a code is not a code ("ISO/IEC 27001:2022 A.8.2").
_STANDARD = re.compile(
    r"\biso\s*(?:/\s*iec\s*)?2700\d\s*(?::\s*(\d{4}))?|\b2700\d\s*:\s*(\d{4})", re.I
)
_CODE = re.compile(
    r"(?<![\w.])(?:"
    r"(?:annex\s*)?(?P<annex>a)\s*\.?\s*(?P<theme>\d{1,2})(?P<rest>(?:\s*\.\s*\d{1,2}){1,2})"
    r"|(?:(?:clause|cl\.?|section|§)\s*)?(?P<clause>(?:[4-9]|10)(?:\.\d{1,2}){1,2})"
    r"|(?:clause|cl\.?|§)\s*(?P<top>[4-9]|10)"
    r")(?![\w]|\.\d)",
    re.I,
)
_TOP_CLAUSE = re.compile(r"(?:clause\s*)?([4-9]|10)", re.I)


def requirement_codes(value: CellValue) -> list[str]:
    """The clause and control codes a cell names, as 2022 codes, in order and without repeats:
    "A.5.15, 9.2", "Clause 9.2 Internal audit", "ISO 27001 A.8.2", "A5.15; A.8.2\\n9.2".
    10.1 in a cell that names the 2013 edition is 10.2. Codes not in the catalog are returned
    as written (2013 Annex A codes such as A.9.2.6 among them) for the plan to report."""
    text = text_of(value)
    return list(_codes(text)) if text else []


@functools.lru_cache(maxsize=4096)  # a column repeats its few codes on row after row
def _codes(text: str) -> tuple[str, ...]:
    edition_2013 = False
    for m in _STANDARD.finditer(text):
        edition_2013 = edition_2013 or "2013" in (m.group(1), m.group(2))
    edition_2013 = edition_2013 or "(2013)" in text
    text = _STANDARD.sub(" ", text)
    if whole := _TOP_CLAUSE.fullmatch(text.strip()):
        return (whole.group(1),)
    codes: list[str] = []
    for m in _CODE.finditer(text):
        if m.group("annex"):
            parts = [m.group("theme"), *re.findall(r"\d{1,2}", m.group("rest"))]
            code = "A." + ".".join(str(int(p)) for p in parts)
        else:
            raw = m.group("clause") or m.group("top")
            code = ".".join(str(int(p)) for p in raw.split("."))
            if code == "10.1" and edition_2013:
                code = normalise_code("10.1 (2013)")
        code = normalise_code(code)
        if code not in codes:
            codes.append(code)
    return tuple(codes)
