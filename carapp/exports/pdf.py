"""What every PDF carapp writes shares: the bundled fonts, safe text, styles, tables, the
title block and a page template whose footer says "page x of y" and the register's
fingerprint.

The fonts are DejaVu, shipped in ``carapp/resources/fonts`` (licence beside them), so that
a name typed in Polish, Greek or Cyrillic prints as typed on every machine; reportlab's
built-in Helvetica has none of those letters. Every string a user typed goes through
:func:`escape` before it becomes Paragraph markup: ``R&D <urgent>`` is text, not a tag.
"""

from __future__ import annotations

import functools
import io
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, TypeAlias

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    HRFlowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from carapp.errors import InvalidInputError

FONT = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
ITALIC = "DejaVuSans-Oblique"
MONO = "DejaVuSansMono"
_FONT_FILES = {FONT: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
_FONT_FILES |= {ITALIC: "DejaVuSans-Oblique.ttf", MONO: "DejaVuSansMono.ttf"}

PAGE_SIZES: dict[str, tuple[float, float]] = {"A4": A4, "Letter": LETTER}
MARGIN = 18 * mm
BOTTOM_MARGIN = 22 * mm  # room for the footer's two lines
# The least height a page of any size, either way up, gives the text: a table row taller
# than this cannot be moved to a fresh page whole.
_TALLEST_FRAME = min(min(w, h) for w, h in PAGE_SIZES.values()) - MARGIN - BOTTOM_MARGIN

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#5f6b7a")
RULE = colors.HexColor("#c3ccd6")
ACCENT = colors.HexColor("#1f4e79")
HEADER_FILL = colors.HexColor("#e6edf4")
HIGHLIGHT = colors.HexColor("#fff1cc")
ROOT = colors.HexColor("#b45309")
GOOD = colors.HexColor("#2f7d32")

# C0 and C1 controls (tab and newline are handled before), and lone surrogates, which
# no font draws and which cannot even be encoded.
_UNDRAWABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff]")
_LINE_BREAKS = re.compile("\r\n|\r|\u2028|\u2029|\x0b|\x0c|\x85")
REPLACEMENT = "\ufffd"


@functools.cache
def register_fonts() -> None:
    """Register the bundled DejaVu faces (once a process: parsing them takes a while), and
    the family, so that ``<b>`` and ``<i>`` in markup pick the bold and oblique faces."""
    folder = resources.files("carapp.resources").joinpath("fonts")
    for name, file in _FONT_FILES.items():
        data = folder.joinpath(file).read_bytes()
        pdfmetrics.registerFont(TTFont(name, io.BytesIO(data)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=ITALIC, boldItalic=BOLD)


def printable(text: str) -> str:
    """``text`` as it can be drawn: line breaks made ``\\n``, tabs spaces, and characters no
    font draws (control characters, lone surrogates) shown as the replacement mark."""
    text = _LINE_BREAKS.sub("\n", text).replace("\t", "    ")
    return _UNDRAWABLE.sub(REPLACEMENT, text)


def escape(text: str) -> str:
    """``text`` as Paragraph markup that prints exactly what was typed: ``&``, ``<`` and
    ``>`` are text, line breaks are kept, and undrawable characters are replaced."""
    text = printable(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # Runs of spaces would collapse to one in markup; keep what was typed visible.
    text = re.sub("  +", lambda m: " " + "\u00a0" * (len(m[0]) - 1), text)
    return text.replace("\n", "<br/>")


@dataclass(frozen=True, slots=True)
class Styles:
    body: ParagraphStyle
    small: ParagraphStyle
    muted: ParagraphStyle
    kicker: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    cell_muted: ParagraphStyle
    label: ParagraphStyle
    mono: ParagraphStyle
    right: ParagraphStyle


@functools.cache
def styles() -> Styles:
    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, textColor=INK)
    cell = ParagraphStyle("cell", body, fontSize=8.5, leading=11)
    return Styles(
        body=body,
        small=ParagraphStyle("small", body, fontSize=8, leading=10.5),
        muted=ParagraphStyle("muted", body, fontSize=8.5, leading=11.5, textColor=MUTED),
        kicker=ParagraphStyle("kicker", body, fontName=BOLD, fontSize=8.5, textColor=MUTED),
        title=ParagraphStyle(
            "title", body, fontName=BOLD, fontSize=18, leading=22, textColor=ACCENT
        ),
        subtitle=ParagraphStyle("subtitle", body, fontSize=11, leading=15, spaceAfter=6),
        heading=ParagraphStyle(
            "heading",
            body,
            fontName=BOLD,
            fontSize=11.5,
            leading=15,
            textColor=ACCENT,
            spaceBefore=12,
            spaceAfter=5,
        ),
        cell=cell,
        cell_head=ParagraphStyle("cell_head", cell, fontName=BOLD, textColor=ACCENT),
        cell_muted=ParagraphStyle("cell_muted", cell, textColor=MUTED),
        label=ParagraphStyle("label", cell, fontName=BOLD, textColor=MUTED),
        mono=ParagraphStyle("mono", cell, fontName=MONO, fontSize=7.5),
        right=ParagraphStyle("right", cell, alignment=TA_RIGHT),
    )


def section(title: str, room: float = 80) -> list[Flowable]:
    """A section heading, on a new page when less than ``room`` points are left under it:
    the heading stays with the start of what follows, and a long table after it still
    starts on this page and flows on (keepWithNext would push the whole table over)."""
    return [CondPageBreak(room), Paragraph(escape(title), styles().heading)]


def para(text: str, style: ParagraphStyle | None = None) -> Paragraph:
    """A paragraph of user text (escaped here)."""
    return Paragraph(escape(text), style or styles().body)


def page_size(name: str, *, wide: bool = False) -> tuple[float, float]:
    """The page ``name`` ("A4", "Letter"), upright, or landscape when ``wide``."""
    try:
        size = PAGE_SIZES[name]
    except KeyError:
        raise InvalidInputError(
            f"{name!r} is not a page size carapp prints: choose {' or '.join(PAGE_SIZES)}."
        ) from None
    return landscape(size) if wide else size


def frame_width(size: str, *, wide: bool = False) -> float:
    """The width text has on a page of ``size`` (landscape when ``wide``)."""
    return float(page_size(size, wide=wide)[0] - 2 * MARGIN)


def frame_height(size: str, *, wide: bool = False) -> float:
    return float(page_size(size, wide=wide)[1] - MARGIN - BOTTOM_MARGIN)


# A string is user text (escaped where it is laid out); a list of flowables stacks them.
Cell: TypeAlias = str | Flowable | list[Flowable]


def table(
    header: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    widths: Sequence[float],
    *,
    highlight: Sequence[int] = (),
) -> Table:
    """A table whose header row repeats on every page it flows over; a string cell is user
    text (escaped here); ``highlight`` are row numbers (from 0, header excluded) to mark."""
    s = styles()
    data: list[list[Any]] = [[Paragraph(escape(h), s.cell_head) for h in header]]
    for row in rows:
        data.append([Paragraph(escape(c), s.cell) if isinstance(c, str) else c for c in row])
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    for number in highlight:
        commands.append(("BACKGROUND", (0, number + 1), (-1, number + 1), HIGHLIGHT))
    out = FlowingTable(data, colWidths=list(widths), repeatRows=1, hAlign="LEFT", splitInRow=1)
    out.setStyle(TableStyle(commands))
    return out


class FlowingTable(Table):  # type: ignore[misc]  # reportlab is untyped
    """A table that splits between rows, and inside a row only when the row is taller than
    any page (an essay of an answer): then the row starts where the page has room, instead
    of reportlab's way, a second copy of the header under the rows that fit."""

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        self._calc(availWidth, availHeight)
        heights = list(self._rowHeights)
        used, fits = 0.0, 0
        for height in heights:
            if used + height > availHeight:
                break
            used, fits = used + height, fits + 1
        if fits < len(heights) and heights[fits] > _TALLEST_FRAME:
            rows: list[Flowable] = self._splitRows(availHeight, doInRowSplit=1)
            if rows:
                return rows
        result: list[Flowable] = super().split(availWidth, availHeight)
        return result


def facts_table(facts: Sequence[tuple[str, Cell]], width: float) -> Table:
    """Label and value pairs, one a line: the head of a document."""
    s = styles()
    label_width = 34 * mm
    data = [
        [
            Paragraph(escape(label), s.label),
            Paragraph(escape(v), s.cell) if isinstance(v, str) else v,
        ]
        for label, v in facts
    ]
    out = Table(data, colWidths=[label_width, width - label_width], hAlign="LEFT")
    out.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return out


def title_block(
    kicker: str, title: str, subtitle: str, facts: Sequence[tuple[str, Cell]], width: float
) -> list[Flowable]:
    """The head of a document: who it is from (``kicker``, e.g. the organisation), what it
    is, what it is about, and its facts as label/value lines, ruled off from the body."""
    s = styles()
    out: list[Flowable] = []
    if kicker.strip():
        out.append(Paragraph(escape(kicker.upper()), s.kicker))
    out += [Paragraph(escape(title), s.title), Paragraph(escape(subtitle), s.subtitle)]
    if facts:
        out.append(facts_table(facts, width))
    out += [Spacer(1, 4), HRFlowable(width="100%", thickness=0.8, color=ACCENT, spaceAfter=2)]
    return out


def fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` on one line of ``width``, cut with an ellipsis when it is longer."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip(" ·") + "…"


class _FooterCanvas(Canvas):  # type: ignore[misc]  # reportlab is untyped
    """Holds every page back until the document ends, so that each footer can say how many
    pages there are ("page 2 of 5") in one pass."""

    def __init__(self, *args: Any, footer: str = "", fingerprint: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._footer = printable(footer)
        self._fingerprint = printable(fingerprint)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        page = dict(self.__dict__)
        # A page's drawing operations are thousands of small strings: held as one
        # compressed string until the end, a register of 10,000 pages fits in memory.
        page["_code"] = zlib.compress("\n".join(self._code).encode("utf-8"))
        self._pages.append(page)
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        # Each page is let go once drawn: reportlab keeps its own copy until the file is out.
        self._pages.reverse()
        for number in range(1, total + 1):
            page = self._pages.pop()
            page["_code"] = [zlib.decompress(page["_code"]).decode("utf-8")]
            self.__dict__.update(page)
            self._draw_footer(number, total)
            super().showPage()
        super().save()

    def _draw_footer(self, number: int, total: int) -> None:
        width, _ = self._pagesize
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN, 15 * mm, width - MARGIN, 15 * mm)
        self.setFillColor(MUTED)
        self.setFont(FONT, 7.5)
        pages = f"page {number} of {total}"
        self.drawRightString(width - MARGIN, 11 * mm, pages)
        room = width - 2 * MARGIN - pdfmetrics.stringWidth(pages, FONT, 7.5) - 12
        self.drawString(MARGIN, 11 * mm, fit(self._footer, FONT, 7.5, room))
        if self._fingerprint:
            self.setFont(MONO, 6.5)
            self.drawString(MARGIN, 7.5 * mm, f"Register fingerprint {self._fingerprint}")
        self.restoreState()


def build_pdf(
    story: list[Flowable],
    *,
    title: str,
    size: str = "A4",
    footer: str = "",
    fingerprint: str = "",
    author: str = "",
    wide: bool = False,
) -> bytes:
    """The PDF of ``story`` on pages of ``size`` ("A4" or "Letter"; landscape when
    ``wide``), each with the footer line, "page x of y" and, when given, the register's
    fingerprint."""
    register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=page_size(size, wide=wide),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=printable(title),
        author=printable(author),
        creator="carapp",
    )
    doc.build(
        story,
        canvasmaker=functools.partial(_FooterCanvas, footer=footer, fingerprint=fingerprint),
    )
    return buffer.getvalue()
