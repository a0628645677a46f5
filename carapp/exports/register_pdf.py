"""The register as a PDF an auditor prints: a summary (one landscape table of the selected
findings) or, ``detailed``, one section per finding with everything the register holds on it.

Both are laid out lazily, so that 10,000 findings fit in memory: reportlab's platypus keeps
every flowable it is given, and a Table of 10,000 rows re-measures every row it has left
each time it splits over a page. The summary table here holds its rows as plain strings and
makes the cells of one page at a time (:class:`RegisterTable`); the detailed story is a list
that is refilled from the findings as platypus consumes it (:class:`_Refilling`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from sqlalchemy import select

from carapp.exports.pdf import (
    _TALLEST_FRAME,
    ACCENT,
    BOLD,
    FONT,
    HEADER_FILL,
    INK,
    RULE,
    Cell,
    build_pdf,
    escape,
    facts_table,
    frame_width,
    para,
    printable,
    styles,
    table,
    title_block,
)
from carapp.exports.scope import (
    ExportHeader,
    ExportScope,
    export_header,
    selected_findings,
    selected_ids,
    write_atomically,
)
from carapp.models.entities import Finding
from carapp.models.enums import Classification, Stage
from carapp.progress import Progress, no_progress
from carapp.queries.findings import FindingDetail, RootCauseView
from carapp.queries.history_words import history_lines
from carapp.store import Register

# The summary's columns; the title takes what the others leave, and at least TITLE_ROOM.
COLUMNS: tuple[str, ...] = (
    "Ref",
    "CB ref",
    "Classification",
    "Stage",
    "Title",
    "Requirements",
    "Root-cause category",
    "Owners",
    "Plan due",
    "Closure due",
    "Overdue",
    "Closed",
)
_TITLE = COLUMNS.index("Title")
TITLE_ROOM = 50 * mm
_WIDEST = 34 * mm  # a column of long text wraps rather than grow beyond this
_PAD_X, _PAD_TOP, _PAD_BOTTOM = 3.0, 2.5, 3.5
_NONE = "—"


def write_register_pdf(
    register: Register,
    scope: ExportScope,
    destination: Path,
    *,
    detailed: bool = False,
    page_size: str = "A4",
    progress: Progress = no_progress,
) -> Path:
    """The findings ``scope`` selects as a PDF register at ``destination`` (written whole
    or not at all): a landscape summary table, or one section per finding when
    ``detailed``. ``progress`` is told (done, total) as it goes and may raise Cancelled."""
    frame_width(page_size)  # a page size carapp does not print is refused before any work
    header = export_header(register, scope)
    ids = selected_ids(register, scope)
    counts = _counts(register, ids)

    def write(path: Path) -> None:
        if detailed:
            data = _detailed_pdf(register, scope, header, counts, page_size, progress)
        else:
            data = _summary_pdf(register, scope, header, counts, page_size, progress)
        path.write_bytes(data)

    return write_atomically(destination, write)


# --- What both variants open with ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Counts:
    total: int
    by_classification: dict[Classification, int]
    by_stage: dict[Stage, int]


def _counts(register: Register, ids: Sequence[int]) -> Counts:
    classes: Counter[Classification] = Counter()
    stages: Counter[Stage] = Counter()
    with register.engine.connect() as conn:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            query = select(Finding.classification, Finding.stage).where(Finding.id.in_(chunk))
            for classification, stage in conn.execute(query):
                classes[Classification(classification)] += 1
                stages[Stage(stage)] += 1
    return Counts(
        total=len(ids),
        by_classification={c: classes[c] for c in Classification if classes[c]},
        by_stage={s: stages[s] for s in Stage if stages[s]},
    )


def _opening(header: ExportHeader, counts: Counts, title: str, width: float) -> list[Flowable]:
    s = styles()
    verify = [
        Paragraph(f"<font name='DejaVuSansMono'>{escape(header.fingerprint_text)}</font>", s.cell),
        Paragraph(
            "To check this is the register you were sent, run "
            f"<font name='DejaVuSansMono'>carapp check --anchor "
            f"{escape(header.fingerprint_text)}</font> on it.",
            s.cell_muted,
        ),
    ]
    facts: list[tuple[str, Cell]] = [
        ("Findings", header.scope),
        ("As of", header.today.isoformat()),
        ("Exported", f"{header.exported_at} by {header.exported_by}"),
        ("Fingerprint", verify),
    ]
    story = title_block(header.organisation, title, _in_numbers(counts), facts, width)
    if counts.total:
        story += [Spacer(1, 4), _count_table(counts, width), Spacer(1, 8)]
    return story


def _in_numbers(counts: Counts) -> str:
    if counts.total == 0:
        return "No finding matches these filters."
    return f"{counts.total:,} finding{'s' if counts.total != 1 else ''}"


def _count_table(counts: Counts, width: float) -> Flowable:
    """Counts by classification and by stage, side by side."""
    s = styles()

    def lines(items: dict[Any, int], heading: str) -> list[list[Any]]:
        rows: list[list[Any]] = [[Paragraph(heading, s.cell_head), Paragraph("", s.cell_head)]]
        rows += [
            [Paragraph(k.label, s.cell), Paragraph(f"{n:,}", s.right)] for k, n in items.items()
        ]
        return rows

    left = lines(counts.by_classification, "Classification")
    right = lines(counts.by_stage, "Stage")
    depth = max(len(left), len(right))
    blank = [Paragraph("", s.cell), Paragraph("", s.cell)]
    left += [blank] * (depth - len(left))
    right += [blank] * (depth - len(right))
    data = [[*a, "", *b] for a, b in zip(left, right, strict=True)]
    out = Table(data, colWidths=[45 * mm, 16 * mm, 12 * mm, 45 * mm, 16 * mm], hAlign="LEFT")
    out.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (1, 0), 0.8, ACCENT),
                ("LINEBELOW", (3, 0), (4, 0), 0.8, ACCENT),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return out


def _footer(header: ExportHeader, what: str) -> str:
    return " · ".join(p for p in (header.organisation, what, header.today.isoformat()) if p.strip())


# --- The summary ---------------------------------------------------------------------------


def summary_line(detail: FindingDetail) -> tuple[str, ...]:
    """A finding's row of the summary table, as printed (plain text, not markup)."""
    owners = dict.fromkeys(a.owner for a in detail.current_actions if a.owner)
    categories = dict.fromkeys(
        c.category.label for c in detail.current_root_causes if c.category is not None
    )
    return (
        detail.ref,
        detail.cb_ref or _NONE,
        detail.classification.label,
        detail.stage_text,
        detail.title,
        ", ".join(r.code for r in detail.requirements) or _NONE,
        ", ".join(categories) or _NONE,
        ", ".join(owners) or _NONE,
        _day(detail.plan_due),
        _day(detail.closure_due),
        "Overdue" if detail.overdue else "No",
        _day(detail.closed_on),
    )


def _day(day: dt.date | None) -> str:
    return day.isoformat() if day else _NONE


def _summary_pdf(
    register: Register,
    scope: ExportScope,
    header: ExportHeader,
    counts: Counts,
    size: str,
    progress: Progress,
) -> bytes:
    width = frame_width(size, wide=True)
    total = counts.total
    # Reading the findings is half the work, laying out their rows the other half.
    lines = [
        summary_line(d)
        for d in selected_findings(
            register, scope, progress=lambda done, _: progress(done, 2 * total)
        )
    ]
    story = _opening(header, counts, "Corrective-action register", width)
    if lines:
        widths = column_widths(lines, width)
        story.append(
            RegisterTable(
                COLUMNS,
                lines,
                widths,
                on_rows=lambda done: progress(total + done, 2 * total),
            )
        )
    data = build_pdf(
        story,
        title=f"Corrective-action register {header.today.isoformat()}",
        size=size,
        wide=True,
        footer=_footer(header, "Corrective-action register"),
        fingerprint=header.fingerprint_text,
        author=header.organisation,
    )
    progress(2 * total, 2 * total)
    return data


def column_widths(lines: Sequence[tuple[str, ...]], width: float) -> list[float]:
    """Each column as wide as its longest text (up to _WIDEST) and never narrower than its
    longest word, so that no date or reference breaks inside; the title takes the rest, and
    when that is less than TITLE_ROOM the text columns give way towards their longest
    word."""
    cell, head = _cell_styles()

    def measure(text: str, style: ParagraphStyle) -> float:
        return float(stringWidth(text, style.fontName, style.fontSize)) + 2 * _PAD_X + 1

    least = [max(measure(w, head) for w in name.split()) for name in COLUMNS]
    most = list(least)
    for line in lines:
        for index, text in enumerate(line):
            if index == _TITLE:
                continue
            most[index] = max(most[index], measure(text, cell))
            words = text.replace(",", ", ").split() or [""]
            least[index] = max(least[index], *(measure(w, cell) for w in words))
    wanted = [max(lo, min(hi, _WIDEST)) for lo, hi in zip(least, most, strict=True)]
    wanted[_TITLE] = least[_TITLE] = 0.0
    spare = width - sum(wanted) - TITLE_ROOM
    if spare < 0:
        give = sum(w - lo for w, lo in zip(wanted, least, strict=True))
        share = min(1.0, -spare / give) if give else 0.0
        wanted = [w - (w - lo) * share for w, lo in zip(wanted, least, strict=True)]
    wanted[_TITLE] = max(width - sum(wanted), 0.0)
    return wanted


def _cell_styles() -> tuple[ParagraphStyle, ParagraphStyle]:
    s = styles()
    cell = ParagraphStyle("register_cell", s.cell, fontSize=7.5, leading=9.5)
    return cell, ParagraphStyle("register_head", cell, fontName=BOLD, textColor=ACCENT)


class RegisterTable(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """A table of many rows, held as strings, whose cells are made a page at a time: each
    split returns a reportlab Table of the rows that fit under the repeated header, and a
    RegisterTable of the rest. A string that fits its column on one line is drawn as a
    string (cheap); a longer one wraps in a Paragraph."""

    def __init__(
        self,
        header: Sequence[str],
        rows: Sequence[tuple[str, ...]],
        widths: Sequence[float],
        *,
        start: int = 0,
        on_rows: Callable[[int], None] = lambda _done: None,
    ) -> None:
        super().__init__()
        self.header, self.rows, self.widths = list(header), rows, list(widths)
        self.start, self.on_rows = start, on_rows
        self.cell, self.head = _cell_styles()
        self._made: dict[int, tuple[list[Any], float]] = {}
        self._header_row = self._make(self.header, self.head)
        self._whole: Table | None = None

    def _make(self, texts: Sequence[str], style: ParagraphStyle) -> tuple[list[Any], float]:
        cells: list[Any] = []
        tallest = style.leading
        for typed, width in zip(texts, self.widths, strict=True):
            room = width - 2 * _PAD_X
            text = printable(typed)
            if "\n" not in text and stringWidth(text, style.fontName, style.fontSize) <= room:
                cells.append(text)
                continue
            cell = Paragraph(escape(text), style)
            tallest = max(tallest, cell.wrap(room, 1e6)[1])
            cells.append(cell)
        return cells, tallest + _PAD_TOP + _PAD_BOTTOM

    def _row(self, index: int) -> tuple[list[Any], float]:
        if index not in self._made:
            self._made[index] = self._make(self.rows[index], self.cell)
        return self._made[index]

    def _fitting(self, height: float) -> int:
        """How many rows from ``start`` fit under the header in ``height``."""
        used = self._header_row[1]
        count = 0
        for index in range(self.start, len(self.rows)):
            used += self._row(index)[1]
            if used > height:
                break
            count += 1
        return count

    def _table(self, end: int) -> Table:
        rows = [self._header_row] + [self._row(i) for i in range(self.start, end)]
        out = Table(
            [cells for cells, _ in rows],
            colWidths=self.widths,
            rowHeights=[h for _, h in rows],
            hAlign="LEFT",
        )
        out.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("FONT", (0, 0), (-1, 0), BOLD, self.head.fontSize, self.head.leading),
                    ("TEXTCOLOR", (0, 0), (-1, 0), ACCENT),
                    ("FONT", (0, 1), (-1, -1), FONT, self.cell.fontSize, self.cell.leading),
                    ("TEXTCOLOR", (0, 1), (-1, -1), INK),
                    ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
                    ("LEFTPADDING", (0, 0), (-1, -1), _PAD_X),
                    ("RIGHTPADDING", (0, 0), (-1, -1), _PAD_X),
                    ("TOPPADDING", (0, 0), (-1, -1), _PAD_TOP),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), _PAD_BOTTOM),
                ]
            )
        )
        return out

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = sum(self.widths)
        if self._fitting(availHeight) == len(self.rows) - self.start:
            self._whole = self._table(len(self.rows))
            self.height = float(self._whole.wrap(availWidth, availHeight)[1])
        else:
            # More than the page holds: platypus will split.
            self._whole, self.height = None, availHeight + 1
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        fits = self._fitting(availHeight)
        if fits == 0:
            if self._row(self.start)[1] + self._header_row[1] <= _TALLEST_FRAME:
                return []  # the next page has room for it
            # A row taller than any page (a title of an essay): it flows over pages alone.
            texts = self.rows[self.start]
            cells: list[Cell] = list(texts)
            alone = table(self.header, [cells], self.widths)
            fits = 1
            pieces: list[Flowable] = [alone]
        else:
            pieces = [self._table(self.start + fits)]
        end = self.start + fits
        self.on_rows(end)
        for index in range(self.start, end):
            self._made.pop(index, None)
        if end < len(self.rows):
            rest = RegisterTable(
                self.header, self.rows, self.widths, start=end, on_rows=self.on_rows
            )
            rest._made = self._made
            pieces.append(rest)
        return pieces

    def draw(self) -> None:
        assert self._whole is not None
        self._whole.drawOn(self.canv, 0, 0)
        self.on_rows(len(self.rows))


# --- The detailed register -----------------------------------------------------------------


class _Refilling(list[Flowable]):
    """A story platypus consumes from the front, topped up from ``more`` as it shrinks, so
    that only the flowables of a few findings are alive at once."""

    LOW = 60

    def __init__(self, first: list[Flowable], more: Iterator[list[Flowable]]) -> None:
        super().__init__(first)
        self._more: Iterator[list[Flowable]] | None = more
        self._top_up()

    def _top_up(self) -> None:
        while self._more is not None and len(self) < self.LOW:
            batch = next(self._more, None)
            if batch is None:
                self._more = None
            else:
                self.extend(batch)

    def __delitem__(self, key: Any) -> None:
        super().__delitem__(key)
        self._top_up()


def _detailed_pdf(
    register: Register,
    scope: ExportScope,
    header: ExportHeader,
    counts: Counts,
    size: str,
    progress: Progress,
) -> bytes:
    width = frame_width(size)
    opening = _opening(header, counts, "Corrective-action register, in detail", width)
    if not counts.total:
        opening.append(para("There is no finding to show.", styles().muted))
    findings = selected_findings(register, scope, with_history=True, progress=progress)
    story = _Refilling(opening, (finding_section(d, width) for d in findings))
    data = build_pdf(
        story,
        title=f"Corrective-action register in detail {header.today.isoformat()}",
        size=size,
        footer=_footer(header, "Corrective-action register, in detail"),
        fingerprint=header.fingerprint_text,
        author=header.organisation,
    )
    progress(counts.total, counts.total)
    return data


def _finding_heading() -> ParagraphStyle:
    s = styles()
    return ParagraphStyle(
        "finding", s.heading, fontSize=13, leading=17, spaceBefore=4, spaceAfter=6
    )


def _part() -> ParagraphStyle:
    s = styles()
    return ParagraphStyle(
        "part", s.heading, fontSize=9.5, leading=12, spaceBefore=8, spaceAfter=3, textColor=INK
    )


def _part_heading(title: str, first: Flowable) -> list[Flowable]:
    """A heading kept on the page with the start of what follows it."""
    return [CondPageBreak(48), KeepTogether([Paragraph(escape(title), _part()), first])]


def finding_section(detail: FindingDetail, width: float) -> list[Flowable]:
    """Everything the register holds on one finding, as the detailed register prints it."""
    s = styles()
    out: list[Flowable] = [
        CondPageBreak(220),
        Spacer(1, 6),
        Paragraph(f"{escape(detail.ref)} · {escape(detail.title)}", _finding_heading()),
        _facts_grid(detail, width),
    ]

    def text(title: str, value: str) -> None:
        out.extend(_part_heading(title, para(value) if value.strip() else _none()))

    text("Statement", detail.statement)
    text("Evidence observed", detail.evidence_observed)

    if detail.requirements:
        first: Flowable = table(
            ["Code", "Requirement"],
            [[r.code, r.title or _NONE] for r in detail.requirements],
            [30 * mm, width - 30 * mm],
        )
    else:
        first = _none()
    out += _part_heading("Requirements breached", first)

    out += _part_heading("Containment", _containment(detail, width))

    causes = detail.current_root_causes
    if detail.classification.is_nonconformity or causes:
        if causes:
            for cause in causes:
                out += _cause(cause, width)
        else:
            out += _part_heading("Root cause", _none("No root cause is recorded yet."))

    actions = detail.current_actions
    if actions:
        first = table(
            ["Action", "Description", "Owner", "Target", "Status", "Completion evidence"],
            [
                [
                    [para(a.ref, s.cell), para(a.kind.label, s.cell_muted)],
                    a.description,
                    a.owner or _NONE,
                    _day(a.target_on),
                    _status(a.status.label, a.completed_on, a.cancelled_reason),
                    a.completion_evidence or _NONE,
                ]
                for a in actions
            ],
            # Status holds "Done, 2025-07-28": wide enough to keep the date whole.
            _widths(width, [24, 0, 28, 22, 27, 30]),
        )
        out += _part_heading("Actions", first)
    elif detail.classification.is_nonconformity:
        out += _part_heading("Actions", _none("No action is planned yet."))

    reviews = detail.current_reviews
    if reviews:
        first = table(
            ["Due", "Reviewer", "Method and criteria", "Done", "Result", "Notes"],
            [
                [
                    _day(r.due_on),
                    r.reviewer or _NONE,
                    [para(r.method, s.cell), para(r.criteria, s.cell_muted)],
                    _day(r.done_on),
                    r.result.label if r.result else "Not yet",
                    r.notes or _NONE,
                ]
                for r in reviews
            ],
            _widths(width, [22, 24, 0, 22, 19, 32]),
        )
        out += _part_heading("Effectiveness reviews", first)
    elif detail.classification.is_nonconformity:
        out += _part_heading("Effectiveness reviews", _none("No review is recorded yet."))

    out += _part_heading("Decisions", _decisions(detail, width))
    out += _part_heading("Deadlines and extensions", _deadlines(detail, width))

    lines = history_lines(detail.history, limit=10)
    if lines:
        first = table(
            ["When", "Who", "What", "Change"],
            [
                [
                    h.at,
                    h.actor,
                    h.what,
                    _change(h.old, h.new, h.note),
                ]
                for h in lines
            ],
            _widths(width, [28, 30, 55, 0]),
        )
    else:
        first = _none("No history is recorded.")
    out += _part_heading(f"History (the last {len(lines) or 10} changes, newest first)", first)
    return out


def _widths(width: float, mm_widths: Sequence[float]) -> list[float]:
    """Column widths in mm, the one given as 0 taking what is left."""
    fixed = sum(w * mm for w in mm_widths)
    return [w * mm if w else width - fixed for w in mm_widths]


def _none(text: str = "None recorded.") -> Flowable:
    return para(text, styles().muted)


def _status(label: str, completed: dt.date | None, cancelled: str) -> str:
    if completed:
        return f"{label}, {completed.isoformat()}"
    if cancelled.strip():
        return f"{label}: {cancelled}"
    return label


def _change(old: str, new: str, note: str) -> str:
    parts = []
    if old not in ("", _NONE):
        parts.append(f"{old} → {new or _NONE}")
    elif new:
        parts.append(new)
    if note.strip():
        parts.append(f"Note: {note}")
    return "\n".join(parts) or _NONE


def _facts_grid(detail: FindingDetail, width: float) -> Flowable:
    """The finding's facts, two label/value pairs a line."""
    s = styles()
    due = _NONE
    if detail.days_left is not None and detail.stage not in (Stage.CLOSED, Stage.VOID):
        days = detail.days_left
        due = f"{-days} days overdue" if days < 0 else f"{days} days left"
    facts = [
        ("Ref", detail.ref),
        ("CB ref", detail.cb_ref or _NONE),
        ("Classification", detail.classification.label),
        ("Stage", detail.stage_text),
        ("Source", detail.source.label),
        ("Audit", detail.audit or _NONE),
        ("Identified", detail.identified.isoformat()),
        ("Raised by", detail.raised_by or _NONE),
        ("Area", detail.area or _NONE),
        ("Next deadline", due),
        ("Plan due", _day(detail.plan_due)),
        ("Plan sent", _day(detail.plan_sent_on)),
        ("Closure due", _day(detail.closure_due)),
        ("Closed", _day(detail.closed_on)),
    ]
    if detail.void is not None:
        facts.append(("Void", f"{_day(detail.void.on)}: {detail.void.reason}"))
    rows = []
    for i in range(0, len(facts), 2):
        pair = facts[i : i + 2]
        row: list[Any] = []
        for label, value in pair:
            row += [Paragraph(escape(label), s.label), Paragraph(escape(value), s.cell)]
        row += [""] * (4 - len(row))
        rows.append(row)
    label = 26 * mm
    out = Table(rows, colWidths=[label, width / 2 - label] * 2, hAlign="LEFT")
    out.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 1.2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
                ("LINEABOVE", (0, 0), (-1, 0), 0.4, RULE),
                ("LINEBELOW", (0, -1), (-1, -1), 0.4, RULE),
            ]
        )
    )
    return out


def _containment(detail: FindingDetail, width: float) -> Flowable:
    c = detail.containment
    if c.what.strip():
        return table(
            ["What was done", "On", "By"],
            [[c.what, _day(c.on), c.by or _NONE]],
            _widths(width, [0, 22, 40]),
        )
    if c.none_needed_reason.strip():
        return para(f"None needed: {c.none_needed_reason}")
    return _none("No containment is recorded.")


def _cause(cause: RootCauseView, width: float) -> list[Flowable]:
    s = styles()
    facts: list[tuple[str, Cell]] = [
        ("Statement", Paragraph(f"<b>{escape(cause.statement)}</b>", s.cell)),
        ("Category", cause.category.label if cause.category else "Not categorised"),
        ("Method", cause.method.label),
    ]
    if cause.symptom_justification.strip():
        facts.append(("Why it is the cause", cause.symptom_justification))
    if len(cause.findings) > 1:
        facts.append(("Explains", ", ".join(cause.findings)))
    head = facts_table(facts, width)
    out = _part_heading("Root cause", head)
    if cause.whys:
        rows: list[list[Cell]] = []
        root = []
        for index, why in enumerate(sorted(cause.whys, key=lambda w: w.position)):
            number: list[Flowable] = [Paragraph(f"<b>{why.position}</b>", s.cell)]
            if why.branch_of is not None:
                number.append(Paragraph(f"branch of why {why.branch_of}", s.cell_muted))
            answer: list[Flowable] = [para(why.question, s.cell_muted), para(why.answer, s.cell)]
            if why.is_root:
                answer.append(Paragraph("<b>Named the root cause</b>", s.cell))
                root.append(index)
            rows.append([number, answer, why.evidence or _NONE, "Yes" if why.checked else "No"])
        chain = table(
            ["Why", "Question and answer", "Evidence", "Checked"],
            rows,
            _widths(width, [18, 0, 52, 19]),
            highlight=root,
        )
        out += _part_heading("Why chain", chain)
    return out


def _decisions(detail: FindingDetail, width: float) -> Flowable:
    rows: list[list[Cell]] = []
    if detail.decision.decision is not None:
        rows.append(["Observation", detail.decision.decision.label, detail.decision.note])
    if detail.dispute.raised_on is not None:
        outcome = detail.dispute.outcome.label if detail.dispute.outcome else "Undecided"
        rows.append(
            [f"Dispute raised {_day(detail.dispute.raised_on)}", outcome, detail.dispute.note]
        )
    for target, update in detail.isms_update.items():
        decided = update.decision.label if update.decision else "Not decided"
        rows.append([f"ISMS: {target.label}", decided, update.note or _NONE])
    if not rows:
        return _none("No decision is recorded.")
    return table(["About", "Decision", "Note"], rows, _widths(width, [48, 30, 0]))


def _deadlines(detail: FindingDetail, width: float) -> Flowable:
    if not detail.extensions:
        return para(
            f"Plan due {_day(detail.plan_due)}, sent {_day(detail.plan_sent_on)}; "
            f"closure due {_day(detail.closure_due)}. No extension was asked for.",
            styles().cell,
        )
    return table(
        ["Deadline", "Asked", "From", "Asked for", "Granted", "Decision", "Reason"],
        [
            [
                e.deadline.label,
                e.asked_on.isoformat(),
                e.previous_due.isoformat(),
                e.requested_due.isoformat(),
                _day(e.granted_due),
                f"{e.status.label} {_day(e.decided_on)}" if e.decided_on else e.status.label,
                e.reason or _NONE,
            ]
            for e in detail.extensions
        ],
        _widths(width, [19, 22, 22, 22, 22, 26, 0]),
    )


__all__ = [
    "COLUMNS",
    "RegisterTable",
    "column_widths",
    "finding_section",
    "summary_line",
    "write_register_pdf",
]
