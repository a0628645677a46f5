"""The minutes of a root-cause workshop, as a PDF kept with the finding as evidence.

:func:`workshop_minutes` reads everything the minutes print into plain data (so that the
PDF is drawn without a session open, and a test can read what will be printed);
:func:`minutes_pdf` draws it; :func:`attach_minutes` does both and stores the file on the
finding, so that an auditor sees the team's analysis as the team left the room with it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing, Line, Polygon, Rect, String
from reportlab.lib.colors import Color, white
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer
from sqlalchemy import select

from carapp.anchors import fingerprint
from carapp.errors import NotFoundError
from carapp.exports.pdf import (
    ACCENT,
    BOLD,
    FONT,
    GOOD,
    HIGHLIGHT,
    INK,
    MUTED,
    ROOT,
    RULE,
    Cell,
    build_pdf,
    escape,
    facts_table,
    fit,
    frame_width,
    para,
    printable,
    section,
    styles,
    table,
    title_block,
)
from carapp.models.entities import Workshop
from carapp.models.symptoms import symptom_fixes
from carapp.operations.changes import Changes
from carapp.operations.evidence import attach_evidence
from carapp.queries.findings import finding_detail
from carapp.queries.settings import register_settings
from carapp.queries.workshops import workshops_of
from carapp.store import Register

# --- What the minutes print ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MinutesWhy:
    number: int  # the why's position in the chain, as the room numbered it
    parent: int | None  # the why it answers; None: the problem
    branch: bool  # a second answer to its parent, not the next step down
    question: str
    answer: str
    evidence: str
    checked: bool
    is_root: bool


@dataclass(frozen=True, slots=True)
class MinutesCause:
    statement: str
    category: str  # as people read it: "Ownership"
    justification: str  # why a symptom-like statement is the cause all the same
    root_why: int | None  # the why the team named the root cause
    linked_from: str | None  # the finding whose cause this one is, when it was linked
    also_explains: tuple[str, ...]  # the other findings this cause explains


@dataclass(frozen=True, slots=True)
class MinutesAction:
    ref: str
    kind: str
    description: str
    owner: str
    target: dt.date | None
    outcome: str


@dataclass(frozen=True, slots=True)
class MinutesEvaluation:
    ref: str
    related: bool
    note: str


@dataclass(frozen=True, slots=True)
class Minutes:
    organisation: str
    fingerprint: str  # the register's, short, when the minutes were read
    printed_on: dt.date
    ref: str
    title: str
    statement: str
    evidence_observed: str
    requirements: tuple[tuple[str, str], ...]  # (code, title)
    classification: str
    held_on: dt.date
    minutes_taken: int
    attendees: tuple[str, ...]
    fewer_whys_reason: str
    whys: tuple[MinutesWhy, ...]
    cause: MinutesCause | None
    evaluations: tuple[MinutesEvaluation, ...]
    actions: tuple[MinutesAction, ...]
    parked: tuple[tuple[str, str], ...]  # (text, the finding it became or "")

    @property
    def file_name(self) -> str:
        return f"Workshop minutes {self.ref} {self.held_on.isoformat()}.pdf"


def workshop_minutes(register: Register, ref: str, workshop_id: int, today: dt.date) -> Minutes:
    """Everything the minutes of workshop ``workshop_id`` on ``ref`` print, as the register
    holds it now."""
    detail = finding_detail(register, ref, today)
    workshop = next((w for w in workshops_of(register, ref) if w.id == workshop_id), None)
    if workshop is None:
        raise NotFoundError(f"{ref} has no workshop number {workshop_id}.")
    with register.engine.connect() as conn:
        cycle, fewer_reason = conn.execute(
            select(Workshop.cycle, Workshop.fewer_whys_reason).where(Workshop.id == workshop_id)
        ).one()
    cause_view = next((c for c in detail.root_causes if c.id == workshop.root_cause_id), None)
    whys: tuple[MinutesWhy, ...] = ()
    cause = None
    if cause_view is not None:
        whys = tuple(
            MinutesWhy(
                number=w.position,
                parent=w.branch_of if w.branch_of is not None else (w.position - 1 or None),
                branch=w.branch_of is not None,
                question=w.question,
                answer=w.answer,
                evidence=w.evidence,
                checked=w.checked,
                is_root=w.is_root,
            )
            for w in sorted(cause_view.whys, key=lambda w: w.position)
        )
        # A cause the workshop linked to was recorded on another finding first.
        first = cause_view.findings[0] if cause_view.findings else ref
        cause = MinutesCause(
            statement=cause_view.statement,
            category=cause_view.category.label if cause_view.category else "",
            justification=cause_view.symptom_justification,
            root_why=next((w.number for w in whys if w.is_root), None),
            linked_from=first if first != detail.ref else None,
            also_explains=tuple(r for r in cause_view.findings if r != detail.ref),
        )
    return Minutes(
        organisation=register_settings(register).get("organisation", ""),
        fingerprint=fingerprint(register).short,
        printed_on=today,
        ref=detail.ref,
        title=detail.title,
        statement=detail.statement,
        evidence_observed=detail.evidence_observed,
        requirements=tuple((r.code, r.title) for r in detail.requirements),
        classification=detail.classification.label,
        held_on=workshop.held_on,
        minutes_taken=workshop.minutes_taken,
        attendees=workshop.attendees,
        fewer_whys_reason=fewer_reason,
        whys=whys,
        cause=cause,
        evaluations=tuple(MinutesEvaluation(*e) for e in workshop.evaluations),
        actions=tuple(
            MinutesAction(
                ref=a.ref,
                kind=a.kind.label,
                description=a.description,
                owner=a.owner or "",
                target=a.target_on,
                outcome=a.outcome,
            )
            for a in detail.actions
            if a.round == cycle
        ),
        parked=tuple((text, became) for _, text, became in workshop.parked),
    )


def attach_minutes(
    register: Register, ref: str, workshop_id: int, today: dt.date
) -> Changes[tuple[str, str]]:
    """Print the workshop's minutes and keep them with the finding as evidence; the file's
    name and SHA-256 (hex)."""
    minutes = workshop_minutes(register, ref, workshop_id, today)
    data = minutes_pdf(minutes)
    attached = attach_evidence(
        register, data=data, name=minutes.file_name, finding_ref=minutes.ref, on=today
    )
    return Changes((minutes.file_name, hashlib.sha256(data).hexdigest()), attached.records)


# --- The PDF -------------------------------------------------------------------------------


def minutes_pdf(minutes: Minutes, page_size: str = "A4") -> bytes:
    """The minutes as a PDF on A4 or Letter pages."""
    s = styles()
    width = frame_width(page_size)
    attendees = ", ".join(minutes.attendees) or "Nobody was recorded."
    story: list[Flowable] = title_block(
        minutes.organisation,
        "Root-cause workshop minutes",
        f"{minutes.ref} · {minutes.title}",
        [
            ("Held on", minutes.held_on.isoformat()),
            ("Time taken", _duration(minutes.minutes_taken)),
            ("Attendees", attendees),
            ("Printed on", minutes.printed_on.isoformat()),
        ],
        width,
    )

    story += section("The finding")
    requirements = "; ".join(f"{code} {title}".strip() for code, title in minutes.requirements)
    story.append(
        facts_table(
            [
                ("Classification", minutes.classification),
                ("Requirements", requirements or "None recorded."),
                ("Statement", minutes.statement or "None recorded."),
                ("Evidence observed", minutes.evidence_observed or "None recorded."),
            ],
            width,
        )
    )

    story += section("Similar findings evaluated")
    if minutes.evaluations:
        story.append(
            table(
                ["Finding", "Related", "Why"],
                [
                    [e.ref, "Related" if e.related else "Not related", e.note or "—"]
                    for e in minutes.evaluations
                ],
                [28 * mm, 24 * mm, width - 52 * mm],
            )
        )
    else:
        story.append(para("No similar findings were evaluated.", s.muted))

    story += section("Why chain")
    if minutes.whys:
        story.append(_why_table(minutes, width))
        if minutes.fewer_whys_reason.strip():
            story += [
                Spacer(1, 4),
                Paragraph(
                    "<b>Why fewer whys suffice:</b> " + escape(minutes.fewer_whys_reason), s.body
                ),
            ]
        # The heading stays with the map's first boxes; the map flows on from there.
        layout = _layout(minutes, width)
        story += section("Cause map", 40 + layout.boxes[min(2, len(layout.boxes) - 1)].bottom)
        story.append(CauseMap(layout))
    else:
        story.append(para("This workshop recorded no why chain.", s.muted))

    story += section("Root cause")
    story += _cause(minutes, width)

    story += section("Agreed actions")
    if minutes.actions:
        story.append(
            table(
                ["Action", "Description", "Owner", "Target", "Measurable outcome"],
                [
                    [
                        [para(a.ref, s.cell), para(a.kind, s.cell_muted)],
                        _description(a.description),
                        a.owner or "—",
                        a.target.isoformat() if a.target else "—",
                        a.outcome or "—",
                    ]
                    for a in minutes.actions
                ],
                [25 * mm, width - 124 * mm, 30 * mm, 22 * mm, 47 * mm],
            )
        )
    else:
        story.append(para("No actions were agreed.", s.muted))

    story += section("Parking lot")
    if minutes.parked:
        story.append(
            table(
                ["Issue set aside for later", "Raised as"],
                [[text, became or "Not yet raised"] for text, became in minutes.parked],
                [width - 32 * mm, 32 * mm],
            )
        )
    else:
        story.append(para("Nothing was set aside.", s.muted))

    footer = " · ".join(
        part
        for part in (minutes.organisation, f"Workshop minutes {minutes.ref}", str(minutes.held_on))
        if part.strip()
    )
    return build_pdf(
        story,
        title=f"Workshop minutes {minutes.ref} {minutes.held_on.isoformat()}",
        size=page_size,
        footer=footer,
        fingerprint=minutes.fingerprint,
        author=minutes.organisation,
    )


def _duration(minutes: int) -> str:
    if minutes <= 0:
        return "Not timed"
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d} min" if rest else f"{hours} h"


def _why_table(minutes: Minutes, width: float) -> Flowable:
    s = styles()
    rows: list[list[Cell]] = []
    highlight = []
    for index, why in enumerate(minutes.whys):
        number: list[Flowable] = [Paragraph(f"<b>{why.number}</b>", s.cell)]
        if why.branch:
            number.append(Paragraph(f"branch of why {why.parent}", s.cell_muted))
        answer: list[Flowable] = [Paragraph(escape(why.question), s.cell_muted)]
        answer.append(Paragraph(escape(why.answer), s.cell))
        if why.is_root:
            answer.append(Paragraph("<b>Named the root cause</b>", _root_style()))
            highlight.append(index)
        checked = (
            Paragraph('<font color="#2f7d32">✓</font> Yes', s.cell)
            if why.checked
            else Paragraph("No", s.cell_muted)
        )
        rows.append([number, answer, why.evidence or "—", checked])
    return table(
        ["Why", "Question and answer", "Evidence", "Checked"],
        rows,
        [18 * mm, width - 95 * mm, 56 * mm, 21 * mm],
        highlight=highlight,
    )


def _root_style() -> ParagraphStyle:
    return ParagraphStyle("root", styles().cell, textColor=ROOT)


def _cause(minutes: Minutes, width: float) -> list[Flowable]:
    s = styles()
    cause = minutes.cause
    if cause is None:
        return [para("No root cause is recorded for this workshop.", s.muted)]
    facts: list[tuple[str, str | Flowable]] = [
        ("Statement", Paragraph(f"<b>{escape(cause.statement)}</b>", s.cell)),
        ("Category", cause.category or "Not categorised"),
        (
            "Root cause why",
            f"Why {cause.root_why}" if cause.root_why else "No why was named the root cause.",
        ),
    ]
    if cause.justification.strip():
        facts.append(("Why it is the cause", cause.justification))
    if cause.linked_from:
        facts.append(("Linked cause", f"The root cause of {cause.linked_from}, found earlier."))
    if cause.also_explains:
        facts.append(("Also explains", ", ".join(cause.also_explains)))
    return [KeepTogether(facts_table(facts, width))]


# --- The cause map ------------------------------------------------------------------------

_PAD = 5.0
_LABEL = 7.0
_TEXT = 8.0
_LEAD = 10.0
_GAP = 16.0  # between rows: room for the arrow
_COLUMN_GAP = 14.0
_MAX_LINES = 6
_ARROW = 4.0
_CAPTION = 16.0
_CHECKED = "✓ checked"


@dataclass(frozen=True, slots=True)
class _Box:
    number: int  # 0: the problem
    label: str
    lines: tuple[str, ...]
    x: float
    top: float  # from the top of the whole map
    width: float
    height: float
    parent: int | None
    branch: bool
    root: bool
    checked: bool

    @property
    def bottom(self) -> float:
        return self.top + self.height


@dataclass(frozen=True, slots=True)
class _Layout:
    width: float
    boxes: tuple[_Box, ...]  # one a row, top to bottom

    @property
    def height(self) -> float:
        last = self.boxes[-1]
        return last.top + last.height


def _layout(minutes: Minutes, width: float) -> _Layout:
    """The why tree as rows, one box a row in chain order, the problem on top. The main
    chain is the left column; each branch takes a new column to its right, in the order the
    branches come, so that no connector crosses a box or another connector (a branch's
    steps come after everything between it and its parent)."""
    column: dict[int, int] = {0: 0}
    columns = 1
    for why in minutes.whys:
        if why.branch:
            column[why.number] = columns
            columns += 1
        else:
            column[why.number] = column.get(why.parent or 0, 0)
    box_width = (width - (columns - 1) * _COLUMN_GAP) / columns
    text_width = box_width - 2 * _PAD
    boxes = []
    top = 0.0
    entries: list[tuple[int, str, str, int | None, bool, bool, bool]] = [
        (0, f"PROBLEM · {printable(minutes.ref)}", minutes.title, None, False, False, False),
        *(
            (
                w.number,
                _why_label(w),
                w.answer,
                w.parent or 0,
                w.branch,
                w.is_root,
                w.checked,
            )
            for w in minutes.whys
        ),
    ]
    for number, label, text, parent, branch, root, checked in entries:
        lines = tuple(_wrap(text, text_width))
        height = 2 * _PAD + _LABEL + 3 + len(lines) * _LEAD
        x = column[number] * (box_width + _COLUMN_GAP)
        boxes.append(
            _Box(number, label, lines, x, top, box_width, height, parent, branch, root, checked)
        )
        top += height + _GAP
    return _Layout(width, tuple(boxes))


def _why_label(why: MinutesWhy) -> str:
    """The box's label in full; :func:`_label_fitting` shortens it for a narrow box."""
    label = f"WHY {why.number}"
    if why.branch:
        label += f" · BRANCH OF WHY {why.parent}"
    if why.is_root:
        label += " · ROOT CAUSE"
    return label


def _label_fitting(label: str, width: float) -> str:
    """The longest form of ``label`` that fits: a narrow box (many branches side by side)
    drops what its arrow and colour already show (the branch, then "CAUSE"), rather than
    cutting a word in half."""
    head = label.split(" · ", maxsplit=1)[0]
    forms = [label]
    if "ROOT CAUSE" in label:
        forms += [f"{head} · ROOT CAUSE", f"{head} · ROOT"]
    forms.append(head)
    for form in forms:
        if stringWidth(form, BOLD, _LABEL) <= width:
            return form
    return fit(head, BOLD, _LABEL, width)


def _wrap(text: str, width: float) -> list[str]:
    """``text`` in lines that fit ``width``, words too long for a line broken, at most
    :data:`_MAX_LINES` (the whole text is in the why table)."""
    lines: list[str] = []
    for paragraph in printable(text).split("\n") or [""]:
        for split in simpleSplit(paragraph, FONT, _TEXT, width) or [""]:
            rest = split
            while stringWidth(rest, FONT, _TEXT) > width and len(rest) > 1:
                cut = len(rest)
                while cut > 1 and stringWidth(rest[:cut], FONT, _TEXT) > width:
                    cut -= 1
                lines.append(rest[:cut])
                rest = rest[cut:]
            lines.append(rest)
    if len(lines) > _MAX_LINES:
        lines = lines[:_MAX_LINES]
        last = lines[-1]
        while last and stringWidth(last + " …", FONT, _TEXT) > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + " …"
    return lines or [""]


class CauseMap(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """The why tree drawn as boxes and arrows. It flows: a map taller than the room left on
    a page continues on the next, the arrows running off one page and on at the next."""

    def __init__(self, layout: _Layout, first: int = 0, last: int | None = None) -> None:
        super().__init__()
        self.layout = layout
        self.first = first
        self.last = len(layout.boxes) - 1 if last is None else last
        # A piece that continues the map says so above its first box.
        self.caption = _CAPTION if first > 0 else 0.0

    def _span(self) -> tuple[float, float]:
        """The part of the whole map this piece shows, top and bottom, from its top."""
        boxes = self.layout.boxes
        top = 0.0 if self.first == 0 else boxes[self.first].top - _GAP / 2
        end = boxes[self.last]
        bottom = end.top + end.height
        if self.last < len(boxes) - 1:
            bottom += _GAP / 2
        return top, bottom

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        top, bottom = self._span()
        self.width, self.height = self.layout.width, bottom - top + self.caption
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        top, _ = self._span()
        boxes = self.layout.boxes
        fits = self.first - 1
        for index in range(self.first, self.last + 1):
            if boxes[index].bottom + _GAP / 2 - top + self.caption > availHeight:
                break
            fits = index
        # A piece of fewer than two boxes is not worth starting a page's foot with.
        if fits < self.first + 1 or fits >= self.last:
            return []
        return [CauseMap(self.layout, self.first, fits), CauseMap(self.layout, fits + 1, self.last)]

    def draw(self) -> None:
        renderPDF.draw(self.drawing(), self.canv, 0, 0)

    def drawing(self) -> Drawing:
        top, bottom = self._span()
        height = bottom - top + self.caption
        drawing = Drawing(self.layout.width, height)
        if self.caption:
            drawing.add(
                String(
                    0,
                    height - 9,
                    "Cause map, continued",
                    fontName=FONT,
                    fontSize=8,
                    fillColor=MUTED,
                )
            )

        def y(from_top: float) -> float:
            return height - self.caption - (from_top - top)

        def segment(x1: float, t1: float, x2: float, t2: float) -> None:
            """An upright or level line, given from the map's top, clipped to this piece."""
            if t1 == t2:
                if not top <= t1 <= bottom:
                    return
                upper, lower = t1, t1
            else:
                upper, lower = max(min(t1, t2), top), min(max(t1, t2), bottom)
                if upper >= lower:
                    return
            drawing.add(Line(x1, y(upper), x2, y(lower), strokeColor=MUTED, strokeWidth=0.9))

        boxes = {b.number: b for b in self.layout.boxes}
        for child in self.layout.boxes:
            if child.parent is None:
                continue
            parent = boxes[child.parent]
            centre = child.x + child.width / 2
            if child.branch:
                middle = parent.top + min(parent.height / 2, 14)
                segment(parent.x + parent.width, middle, centre, middle)
                segment(centre, middle, centre, child.top - _ARROW)
            else:
                segment(centre, parent.top + parent.height, centre, child.top - _ARROW)
            if top <= child.top <= bottom:
                tip = y(child.top)
                drawing.add(
                    Polygon(
                        [centre, tip, centre - 3, tip + _ARROW, centre + 3, tip + _ARROW],
                        fillColor=MUTED,
                        strokeColor=None,
                    )
                )
        for box in self.layout.boxes[self.first : self.last + 1]:
            self._draw_box(drawing, box, y(box.top))
        return drawing

    @staticmethod
    def _draw_box(drawing: Drawing, box: _Box, upper: float) -> None:
        fill: Color
        if box.number == 0:
            fill, edge, ink, label_ink, stroke = ACCENT, ACCENT, white, white, 1.0
        elif box.root:
            fill, edge, ink, label_ink, stroke = HIGHLIGHT, ROOT, INK, ROOT, 2.0
        else:
            fill, edge, ink, label_ink, stroke = white, RULE, INK, MUTED, 0.8
        drawing.add(
            Rect(
                box.x,
                upper - box.height,
                box.width,
                box.height,
                rx=3,
                ry=3,
                fillColor=fill,
                strokeColor=edge,
                strokeWidth=stroke,
            )
        )
        baseline = upper - _PAD - _LABEL
        room = box.width - 2 * _PAD
        checked = _CHECKED
        if box.checked:
            head = box.label.split(" · ")[0]
            if stringWidth(f"{head} {checked}", BOLD, _LABEL) + 6 > room:
                checked = "✓"
            room -= stringWidth(checked, FONT, _LABEL) + 6
        drawing.add(
            String(
                box.x + _PAD,
                baseline,
                _label_fitting(box.label, room),
                fontName=BOLD,
                fontSize=_LABEL,
                fillColor=label_ink,
            )
        )
        if box.checked:
            drawing.add(
                String(
                    box.x + box.width - _PAD,
                    baseline,
                    checked,
                    fontName=FONT,
                    fontSize=_LABEL,
                    fillColor=GOOD,
                    textAnchor="end",
                )
            )
        baseline -= 3
        for line in box.lines:
            baseline -= _LEAD
            drawing.add(
                String(
                    box.x + _PAD, baseline + 2, line, fontName=FONT, fontSize=_TEXT, fillColor=ink
                )
            )


def _description(text: str) -> Cell:
    """An action's description, flagged as the wizard flagged it when it only treats the
    symptom: the auditor reads the same warning the room saw."""
    found = symptom_fixes(text)
    if not found:
        return text
    s = styles()
    return [
        para(text, s.cell),
        para(f"\u26a0 Symptom fix ({', '.join(found)}): the finding may recur.", s.cell_muted),
    ]
