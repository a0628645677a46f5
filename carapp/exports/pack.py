"""The audit response pack: for one audit, what the certification body asked for (each
finding with its NC number, correction, root cause, corrective action, owner, target date
and status) as a PDF and a workbook, the evidence files themselves, and a SHA-256 manifest
the auditor can check with ``sha256sum -c``, in one zip.

:func:`response_of` reads everything the pack holds into plain data (the e-mail draft reads
the same); :func:`write_response_pack` lays it out and writes the zip, whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.table import Table as XlTable
from openpyxl.worksheet.table import TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer, Table
from sqlalchemy import or_, select

from carapp.errors import InvalidInputError, NotFoundError
from carapp.exports.pdf import (
    Cell,
    build_pdf,
    escape,
    facts_table,
    frame_width,
    para,
    section,
    styles,
    table,
    title_block,
)
from carapp.exports.scope import (
    Cancelled,
    ExportHeader,
    ExportScope,
    export_header,
    selected_findings,
    write_atomically,
)
from carapp.models.entities import (
    Audit,
    CorrectiveAction,
    EffectivenessReview,
    Evidence,
    FindingAction,
    Person,
)
from carapp.models.enums import ActionStatus, Classification
from carapp.models.words import day_text
from carapp.operations.evidence import megabytes
from carapp.progress import Progress, no_progress
from carapp.queries.audits import AuditView, find_audit
from carapp.queries.findings import ActionView, Containment, FindingDetail
from carapp.queries.register_table import RegisterFilter
from carapp.store import Register

__all__ = ["Cancelled", "Response", "response_of", "write_response_pack"]

PDF_NAME = "response.pdf"
XLSX_NAME = "response.xlsx"
MANIFEST_NAME = "MANIFEST.sha256"
README_NAME = "README.txt"
EVIDENCE_FOLDER = "evidence"
NOT_RECORDED = "Not yet recorded"


# --- What the pack holds ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PackEvidence:
    """One evidence file as the pack holds it."""

    evidence_id: int
    attached_to: str  # "Finding", "Action CA-2026-004", "Effectiveness review (round 1)"
    name: str  # as the register keeps it
    size: int
    sha256: str
    path: str  # inside the zip


@dataclass(frozen=True, slots=True)
class PackFinding:
    detail: FindingDetail
    evidence: tuple[PackEvidence, ...]

    @property
    def actions(self) -> tuple[ActionView, ...]:
        """The corrective actions of the round in progress that still stand."""
        return tuple(
            a for a in self.detail.current_actions if a.status is not ActionStatus.CANCELLED
        )

    @property
    def owners(self) -> str:
        names = dict.fromkeys(a.owner for a in self.actions if a.owner)
        return "; ".join(names)

    @property
    def target(self) -> dt.date | None:
        """When the last of its actions is due: the date the finding's answer is complete."""
        dates = [a.target_on for a in self.actions if a.target_on is not None]
        return max(dates) if dates else None

    @property
    def status(self) -> str:
        stage = self.detail.stage.label
        return f"{stage} (overdue)" if self.detail.overdue else stage


@dataclass(frozen=True, slots=True)
class Response:
    """Everything a response to one audit says."""

    header: ExportHeader
    audit: AuditView
    lead_auditor_email: str
    findings: tuple[PackFinding, ...]

    @property
    def has_evidence(self) -> bool:
        return any(f.evidence for f in self.findings)

    @property
    def plan_due(self) -> dt.date | None:
        """The earliest action-plan deadline among the findings: when the response is due."""
        dates = [f.detail.plan_due for f in self.findings if f.detail.plan_due is not None]
        return min(dates) if dates else None

    @property
    def counts(self) -> str:
        """'2 findings (1 Major NC, 1 Minor NC)'."""
        by_class: dict[Classification, int] = defaultdict(int)
        for f in self.findings:
            by_class[f.detail.classification] += 1
        parts = [f"{n} {c.label}" for c in Classification if (n := by_class.get(c))]
        n = len(self.findings)
        return f"{n} finding{'s' if n != 1 else ''} ({', '.join(parts)})"


def audit_with_contact(register: Register, audit_ref: str) -> tuple[AuditView, str]:
    """The audit ``audit_ref`` and its lead auditor's e-mail address ("" when unknown), or
    a sentence saying there is no such audit."""
    audit = find_audit(register, audit_ref)
    if audit is None:
        raise NotFoundError(
            f"There is no audit {audit_ref!r} in this register: `carapp audits` lists them."
        )
    with register.engine.connect() as conn:
        email = conn.scalar(
            select(Person.email)
            .join(Audit, Audit.lead_auditor_id == Person.id)
            .where(Audit.ref == audit_ref)
        )
    return audit, (email or "").strip()


def response_of(
    register: Register, audit_ref: str, today: dt.date, *, progress: Progress = no_progress
) -> Response:
    """Everything the response to audit ``audit_ref`` holds, as the register holds it now;
    a sentence when there is no such audit or it raised no findings."""
    audit, email = audit_with_contact(register, audit_ref)
    scope = ExportScope(today, RegisterFilter(audit_ref=audit_ref))
    header = export_header(register, scope)
    details = list(selected_findings(register, scope, progress=progress))
    if not details:
        raise InvalidInputError(
            f"Audit {audit_ref} has no findings recorded against it, so there is nothing to "
            "respond to: record its findings first."
        )
    evidence = _evidence_of(register, details)
    return Response(
        header,
        audit,
        email,
        tuple(PackFinding(d, evidence.get(d.finding_id, ())) for d in details),
    )


def _evidence_of(
    register: Register, details: Sequence[FindingDetail]
) -> dict[int, tuple[PackEvidence, ...]]:
    """Each finding's evidence files, its own, its actions' and its reviews', named as they
    will be inside the zip. A file on an action shared by two findings of the audit is in
    the folder of each: each finding's folder is then complete on its own."""
    ids = [d.finding_id for d in details]
    refs = {d.finding_id: d.ref for d in details}
    with register.engine.connect() as conn:
        action_links: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for finding_id, action_id, action_ref in conn.execute(
            select(FindingAction.finding_id, FindingAction.action_id, CorrectiveAction.ref)
            .join(CorrectiveAction, CorrectiveAction.id == FindingAction.action_id)
            .where(FindingAction.finding_id.in_(ids))
            .order_by(FindingAction.id)
        ):
            action_links[action_id].append((finding_id, action_ref))
        reviews = {
            review_id: (finding_id, cycle)
            for review_id, finding_id, cycle in conn.execute(
                select(
                    EffectivenessReview.id,
                    EffectivenessReview.finding_id,
                    EffectivenessReview.cycle,
                ).where(EffectivenessReview.finding_id.in_(ids))
            )
        }
        rows = conn.execute(
            select(
                Evidence.id,
                Evidence.name,
                Evidence.size,
                Evidence.sha256,
                Evidence.finding_id,
                Evidence.action_id,
                Evidence.review_id,
            )
            .where(
                or_(
                    Evidence.finding_id.in_(ids),
                    Evidence.action_id.in_(list(action_links)),
                    Evidence.review_id.in_(list(reviews)),
                )
            )
            .order_by(Evidence.id)
        ).all()
    found: dict[int, list[tuple[int, str, str, int, str]]] = defaultdict(list)
    for row in rows:
        if row.finding_id is not None:
            found[row.finding_id].append((row.id, "Finding", row.name, row.size, row.sha256))
        elif row.action_id is not None:
            for finding_id, action_ref in action_links[row.action_id]:
                found[finding_id].append(
                    (row.id, f"Action {action_ref}", row.name, row.size, row.sha256)
                )
        else:
            finding_id, cycle = reviews[row.review_id]
            where = f"Effectiveness review (round {cycle})"
            found[finding_id].append((row.id, where, row.name, row.size, row.sha256))
    out: dict[int, tuple[PackEvidence, ...]] = {}
    folders: set[str] = set()
    for finding_id in ids:
        folder = _unique(safe_name(refs[finding_id], "finding"), folders)
        taken: set[str] = set()
        out[finding_id] = tuple(
            PackEvidence(
                evidence_id,
                attached_to,
                name,
                size,
                sha256,
                f"{EVIDENCE_FOLDER}/{folder}/{_unique(safe_name(name, 'evidence'), taken)}",
            )
            for evidence_id, attached_to, name, size, sha256 in found.get(finding_id, [])
        )
    return out


# --- Names safe inside a zip ------------------------------------------------------------------

# What Windows, macOS or an unzip tool could read as a folder, a drive or a wildcard.
_UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f-\x9f/\\:*?"<>|\u2028\u2029\ud800-\udfff]')
_WINDOWS_DEVICES = re.compile(r"(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?", re.IGNORECASE)
_LONGEST_NAME = 120


def safe_name(name: str, fallback: str) -> str:
    """``name`` as one path part that stays where it is put on every system: no folder
    separators (so ``../`` cannot climb out), no drive letters, no control characters, no
    leading dots, no Windows device names; ``fallback`` when nothing is left."""
    name = unicodedata.normalize("NFC", name)
    name = _UNSAFE_IN_NAME.sub("_", name).strip().lstrip(".").rstrip(". ")
    if not name.strip("_ "):
        name = fallback
    if _WINDOWS_DEVICES.fullmatch(name):
        name = "_" + name
    if len(name) > _LONGEST_NAME:
        suffix = PurePosixPath(name).suffix[:16]
        name = name[: _LONGEST_NAME - len(suffix)].rstrip(". ") + suffix
    return name


def _unique(name: str, taken: set[str]) -> str:
    """``name``, numbered "x (2).pdf" when the folder already holds it (compared without
    case, as Windows and macOS compare names)."""
    stem, suffix = _split(name)
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{stem} ({n}){suffix}"
    taken.add(candidate.casefold())
    return candidate


def _split(name: str) -> tuple[str, str]:
    suffix = PurePosixPath(name).suffix
    if not suffix or suffix == name:
        return name, ""
    return name[: -len(suffix)], suffix


# --- The PDF ------------------------------------------------------------------------------------


def _day(day: dt.date | None) -> str:
    return day_text(day) if day else NOT_RECORDED


def _audit_facts(response: Response) -> list[tuple[str, Cell]]:
    a, h = response.audit, response.header
    s = styles()
    dates = day_text(a.starts_on)
    if a.ends_on != a.starts_on:
        dates += f" to {day_text(a.ends_on)}"
    facts: list[tuple[str, Cell]] = [
        ("Audit", a.ref),
        ("Kind", a.kind.label),
        ("Certification body", a.certification_body or "Not recorded"),
        ("Lead auditor", a.lead_auditor or "Not recorded"),
        ("Audit dates", dates),
        ("Report received", _day(a.report_received_on) if a.report_received_on else "Not yet"),
    ]
    if a.scope_note.strip():
        facts.append(("Audit scope", a.scope_note))
    facts.append(("Findings", response.counts))
    if response.plan_due:
        facts.append(("Action plan due", day_text(response.plan_due)))
    facts += [
        ("Prepared", f"{h.exported_at} by {h.exported_by}"),
        ("Register fingerprint", Paragraph(escape(h.fingerprint_text), s.mono)),
    ]
    return facts


@functools.cache
def _hash_style() -> ParagraphStyle:
    # Small enough that 32 hex digits fit the column: a digest on two lines, not three.
    return ParagraphStyle("hash", styles().mono, fontSize=6.6, leading=8.5)


def _hash_cell(sha256: str) -> Paragraph:
    # Sixty-four hex digits have nowhere to wrap: two lines of 32, split where people
    # compare them.
    return Paragraph(f"{sha256[:32]}<br/>{sha256[32:]}", _hash_style())


def _not_recorded(text: str = NOT_RECORDED) -> Paragraph:
    return Paragraph(escape(text), styles().cell_muted)


def _correction(c: Containment) -> list[tuple[str, Cell]]:
    if c.what.strip():
        out: list[tuple[str, Cell]] = [("Correction", c.what)]
        done = " by ".join(x for x in (day_text(c.on) if c.on else "", c.by or "") if x)
        if done:
            out.append(("Correction made", done))
        return out
    if c.none_needed_reason.strip():
        return [("Correction", f"None needed: {c.none_needed_reason}")]
    return [("Correction", _not_recorded())]


def _reviews(d: FindingDetail) -> str:
    """The effectiveness reviews of the round in progress, in one line each."""
    lines = []
    for r in d.current_reviews:
        if r.result is not None:
            when = f", checked {day_text(r.done_on)}" if r.done_on else ""
            who = f" by {r.reviewer}" if r.reviewer else ""
            lines.append(f"{r.result.label}{when}{who}")
        elif r.due_on is not None:
            lines.append(f"Due {day_text(r.due_on)}" + (f" ({r.reviewer})" if r.reviewer else ""))
    return "\n".join(lines)


def _status(f: PackFinding) -> str:
    d = f.detail
    if d.closed_on is not None:
        return f"{d.stage.label} on {day_text(d.closed_on)}"
    return f.status


def _finding_story(f: PackFinding, width: float) -> list[Flowable]:
    d, s = f.detail, styles()
    title = f"{d.cb_ref or 'No NC number'} \u00b7 {d.ref} \u00b7 {d.title}"
    story = section(title, room=160)
    requirements = "; ".join(f"{r.code} {r.title}".strip() for r in d.requirements)
    causes = d.current_root_causes
    categories = "; ".join(dict.fromkeys(rc.category.label for rc in causes if rc.category))
    facts: list[tuple[str, Cell]] = [
        ("CB NC number", d.cb_ref or _not_recorded("Not given by the certification body")),
        ("Our reference", d.ref),
        ("Classification", d.classification.label),
        ("Requirement", requirements or _not_recorded("Not recorded")),
        ("Nonconformity", d.statement or _not_recorded()),
        *_correction(d.containment),
        (
            "Root cause",
            [para(rc.statement, s.cell) for rc in causes] if causes else _not_recorded(),
        ),
    ]
    if categories:
        facts.append(("Cause category", categories))
    facts += [
        ("Owner", f.owners or _not_recorded()),
        ("Target date", _day(f.target)),
        ("Status", _status(f)),
    ]
    due = [
        f"action plan {day_text(d.plan_due)}" if d.plan_due else "",
        f"closure {day_text(d.closure_due)}" if d.closure_due else "",
    ]
    if any(due):
        text = "; ".join(x for x in due if x)
        facts.append(("Due", text[0].upper() + text[1:]))
    reviews = _reviews(d)
    if reviews:
        facts.append(("Effectiveness", reviews))
    story.append(facts_table(facts, width))
    story.append(Spacer(1, 6))
    story.append(Paragraph("Corrective actions", s.label))
    story.append(Spacer(1, 2))
    if f.actions:
        rows: list[list[Cell]] = [
            [a.ref, a.description, a.owner or "", _day(a.target_on), a.status.label]
            for a in f.actions
        ]
        w = [26 * mm, width - 26 * mm - 34 * mm - 24 * mm - 22 * mm, 34 * mm, 24 * mm, 22 * mm]
        story.append(
            _whole_rows(table(["Action", "Description", "Owner", "Target", "Status"], rows, w))
        )
    else:
        story.append(_not_recorded("None planned yet."))
    story.append(Spacer(1, 6))
    story.append(Paragraph("Evidence", s.label))
    story.append(Spacer(1, 2))
    if f.evidence:
        rows = [
            [
                [para(e.name, s.cell), _not_recorded(e.attached_to)],
                Paragraph(escape(megabytes(e.size)), s.right),
                _hash_cell(e.sha256),
                Paragraph(escape(e.path), s.mono),
            ]
            for e in f.evidence
        ]
        w = [46 * mm, 16 * mm, 48 * mm, width - 110 * mm]
        story.append(_whole_rows(table(["File", "Size", "SHA-256", "In this pack"], rows, w)))
    else:
        story.append(_not_recorded("No evidence files attached yet."))
    return story


def _whole_rows(t: Table) -> Table:
    # These rows are a few lines each: one cut across a page break reads as two findings.
    t.splitInRow = 0
    return t


def response_pdf(response: Response, size: str = "A4") -> bytes:
    width = frame_width(size)
    h, a = response.header, response.audit
    s = styles()
    subtitle = " \u00b7 ".join(x for x in (a.ref, a.kind.label, a.certification_body or "") if x)
    story: list[Flowable] = title_block(
        h.organisation, "Corrective action response", subtitle, _audit_facts(response), width
    )
    story += section("Summary", room=100)
    rows: list[list[Cell]] = [
        [
            f.detail.cb_ref or "",
            f.detail.ref,
            f.detail.classification.label,
            f.detail.title,
            _day(f.target) if f.target else "",
            f.status,
        ]
        for f in response.findings
    ]
    # The owner is on each finding's page: the title gets the room.
    w = [29 * mm, 26 * mm, 19 * mm, 0.0, 22 * mm, 26 * mm]
    w[3] = width - sum(w)
    header = ["CB NC no.", "Our ref", "Class", "Finding", "Target", "Status"]
    story.append(_whole_rows(table(header, rows, w)))
    story.append(Spacer(1, 6))
    story.append(
        Paragraph(
            "Each finding follows on its own page with its correction, root cause, "
            "corrective actions and an index of its evidence. "
            + (
                f"The evidence files are in the folder {EVIDENCE_FOLDER}/ of this pack; "
                if response.has_evidence
                else "No evidence file is attached to these findings yet; "
            )
            + f"{MANIFEST_NAME} holds the SHA-256 of every file.",
            s.muted,
        )
    )
    for f in response.findings:
        story.append(PageBreak())
        story += _finding_story(f, width)
    return build_pdf(
        story,
        title=f"Corrective action response {a.ref}",
        size=size,
        footer=f"{h.organisation} \u00b7 corrective action response to audit {a.ref}",
        fingerprint=h.fingerprint_text,
        author=h.organisation,
    )


# --- The workbook -------------------------------------------------------------------------------

# Characters XML 1.0 cannot hold: openpyxl refuses them, Excel would not open the file.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _put(cell: XlCell, value: Any) -> None:
    """Write ``value``; text is always text, never a formula, whatever it starts with."""
    if isinstance(value, str):
        value = _XML_ILLEGAL.sub("\ufffd", value)
        cell.value = value
        cell.data_type = "s"
        if value.startswith(_FORMULA_START):
            cell.quotePrefix = True
    else:
        cell.value = value
        if isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"


def _sheet_table(
    ws: Worksheet,
    name: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[int],
) -> None:
    bold = Font(name="Calibri", bold=True)
    fill = PatternFill("solid", fgColor="E6EDF4")
    for col, title in enumerate(header, start=1):
        cell = ws.cell(1, col)
        _put(cell, title)
        cell.font, cell.fill = bold, fill
    wrap = Alignment(wrap_text=True, vertical="top")
    count = 1
    for count, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            cell = ws.cell(count, col)
            _put(cell, value)
            cell.alignment = wrap
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(1, col).column_letter].width = width
    ws.freeze_panes = "A2"
    last = ws.cell(max(count, 2), len(header)).coordinate
    if count == 1:
        ws.append([""] * len(header))  # a table needs a row under its header
    tab = XlTable(displayName=name, ref=f"A1:{last}")
    tab.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(tab)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


FINDING_COLUMNS = (
    ("CB NC number", 14),
    ("Our ref", 14),
    ("Classification", 13),
    ("Title", 40),
    ("Requirement", 26),
    ("Nonconformity", 50),
    ("Correction", 40),
    ("Correction date", 13),
    ("Root cause", 50),
    ("Cause category", 18),
    ("Corrective actions", 60),
    ("Owner", 20),
    ("Target date", 12),
    ("Status", 16),
    ("Action plan due", 13),
    ("Closure due", 12),
    ("Evidence files", 9),
)
EVIDENCE_COLUMNS = (
    ("Our ref", 14),
    ("CB NC number", 14),
    ("Attached to", 26),
    ("File", 36),
    ("Size (bytes)", 12),
    ("SHA-256", 66),
    ("Path in pack", 50),
)


def _finding_row(f: PackFinding) -> list[Any]:
    d = f.detail
    c = d.containment
    correction = c.what or (f"None needed: {c.none_needed_reason}" if c.none_needed_reason else "")
    causes = d.current_root_causes
    categories = "; ".join(dict.fromkeys(rc.category.label for rc in causes if rc.category))
    actions = "\n".join(
        f"{a.ref}: {a.description} (owner {a.owner or 'not named'}, target "
        f"{a.target_on.isoformat() if a.target_on else 'not set'}, {a.status.label.lower()})"
        for a in f.actions
    )
    return [
        d.cb_ref,
        d.ref,
        d.classification.label,
        d.title,
        "; ".join(f"{r.code} {r.title}".strip() for r in d.requirements),
        d.statement,
        correction,
        c.on,
        "\n".join(rc.statement for rc in causes),
        categories,
        actions,
        f.owners,
        f.target,
        f.status,
        d.plan_due,
        d.closure_due,
        len(f.evidence),
    ]


def response_xlsx(response: Response, destination: Path) -> None:
    wb = Workbook()
    about = wb.active
    about.title = "Response"
    h, a = response.header, response.audit
    facts = [
        ("Organisation", h.organisation),
        ("Document", "Corrective action response"),
        ("Audit", a.ref),
        ("Kind", a.kind.label),
        ("Certification body", a.certification_body or ""),
        ("Lead auditor", a.lead_auditor or ""),
        ("Audit starts", a.starts_on),
        ("Audit ends", a.ends_on),
        ("Report received", a.report_received_on),
        ("Findings", response.counts),
        ("Action plan due", response.plan_due),
        ("Prepared", f"{h.exported_at} by {h.exported_by}"),
        ("Register fingerprint", h.fingerprint_text),
        ("Verify with", f"carapp check --anchor {h.fingerprint_text}"),
    ]
    for row, (label, value) in enumerate(facts, start=1):
        _put(about.cell(row, 1), label)
        about.cell(row, 1).font = Font(name="Calibri", bold=True)
        _put(about.cell(row, 2), value)
        # Dates too read left to right under the label, as on the PDF's first page.
        about.cell(row, 2).alignment = Alignment(horizontal="left", wrap_text=True)
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 100
    about.page_setup.orientation = "landscape"
    about.page_setup.fitToWidth = 1
    about.page_setup.fitToHeight = 0
    about.sheet_properties.pageSetUpPr.fitToPage = True
    findings = wb.create_sheet("Findings")
    _sheet_table(
        findings,
        "Findings",
        [c for c, _ in FINDING_COLUMNS],
        (_finding_row(f) for f in response.findings),
        [w for _, w in FINDING_COLUMNS],
    )
    evidence = wb.create_sheet("Evidence")
    _sheet_table(
        evidence,
        "Evidence",
        [c for c, _ in EVIDENCE_COLUMNS],
        (
            [f.detail.ref, f.detail.cb_ref, e.attached_to, e.name, e.size, e.sha256, e.path]
            for f in response.findings
            for e in f.evidence
        ),
        [w for _, w in EVIDENCE_COLUMNS],
    )
    wb.save(destination)


# --- The zip --------------------------------------------------------------------------------


def readme(response: Response) -> str:
    h, a = response.header, response.audit
    body = f" by {a.certification_body}" if a.certification_body else ""
    lines = [
        f"Corrective action response to audit {a.ref}{body}",
        f"From {h.organisation}, prepared {h.exported_at} by {h.exported_by}.",
        "",
        "What this pack holds",
        f"  {PDF_NAME}    the response: each finding with the certification body's NC",
        "                  number, our reference, the correction, the root cause, the",
        "                  corrective actions with owner, target date and status, and an",
        "                  index of its evidence.",
        f"  {XLSX_NAME}   the same as a workbook, one row per finding (sheet Findings),",
        "                  and one row per evidence file (sheet Evidence).",
        f"  {EVIDENCE_FOLDER}/       the evidence files, one folder per finding (our reference)."
        if response.has_evidence
        else "  (no evidence files: none is attached to these findings yet)",
        f"  {MANIFEST_NAME} the SHA-256 of every other file in the pack.",
        "",
        f"The response covers {response.counts}.",
    ]
    if response.plan_due:
        lines.append(f"Action plan due: {day_text(response.plan_due)}.")
    lines += [
        "",
        "Checking the files",
        "  Unzip the pack, then in its folder run:",
        f"    sha256sum -c {MANIFEST_NAME}",
        "  Every line should end in OK. On Windows PowerShell, compare",
        "    Get-FileHash -Algorithm SHA256 <file>",
        "  with the file's line in the manifest.",
        "",
        "Checking the register",
        "  These documents were made from the corrective-action register whose fingerprint",
        "  (history entries and the hash of the last one) was:",
        f"    {h.fingerprint_text}",
        "  Whoever holds the register can show that it still contains exactly that history",
        "  (later entries may follow it) by running:",
        f"    carapp check --anchor {h.fingerprint_text}",
        "",
    ]
    return "\n".join(lines)


# Formats compressed already: deflating them again costs time and saves nothing.
_STORED = frozenset(
    {
        *(".zip", ".7z", ".gz", ".bz2", ".xz", ".rar"),
        *(".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic"),
        *(".mp4", ".mov", ".mp3", ".m4a"),
        *(".pdf", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp"),
    }
)


def _zip_info(path: str, when: dt.datetime) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=when.timetuple()[:6])
    stored = PurePosixPath(path).suffix.lower() in _STORED
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16  # unzipped files readable, not executable
    return info


def write_response_pack(
    register: Register,
    audit_ref: str,
    today: dt.date,
    destination: Path,
    *,
    progress: Progress = no_progress,
) -> Path:
    """The response pack for audit ``audit_ref`` as a zip at ``destination``, whole or not
    at all. ``progress(done, total)`` is told per finding and may raise Cancelled."""
    response = response_of(register, audit_ref, today)
    total = len(response.findings)
    progress(0, total)
    when = dt.datetime.now().replace(microsecond=0)

    def write(partial: Path) -> None:
        manifest: list[tuple[str, str]] = []
        with zipfile.ZipFile(partial, "w", allowZip64=True) as pack:

            def add(path: str, data: bytes) -> None:
                pack.writestr(_zip_info(path, when), data)
                manifest.append((hashlib.sha256(data).hexdigest(), path))

            with register.engine.connect() as conn:
                for done, finding in enumerate(response.findings, start=1):
                    for e in finding.evidence:
                        data = conn.scalar(
                            select(Evidence.data).where(Evidence.id == e.evidence_id)
                        )
                        add(e.path, bytes(data or b""))
                    progress(done, total)
            add(PDF_NAME, response_pdf(response))
            xlsx = partial.with_name(partial.name + ".xlsx")
            try:
                response_xlsx(response, xlsx)
                add(XLSX_NAME, xlsx.read_bytes())
            finally:
                xlsx.unlink(missing_ok=True)
            add(README_NAME, readme(response).encode("utf-8"))
            listing = sorted(manifest, key=lambda m: (m[1].startswith(EVIDENCE_FOLDER), m[1]))
            text = "".join(f"{digest}  {path}\n" for digest, path in listing)
            pack.writestr(_zip_info(MANIFEST_NAME, when), text.encode("utf-8"))

    return write_atomically(destination, write)
