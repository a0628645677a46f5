"""The workshop minutes PDF for a long workshop (12 whys, 6 actions), timed against a bare
reportlab document of the same text in plain Paragraphs.

    python -m bench.minutes

Both are timed in this process, median of 5, after one run of each (the bundled fonts are
parsed once a process, as in the app: the first minutes a session prints pay for that once).
The baseline uses the same fonts, so the ratio is what the layout (tables, the cause map,
the two-pass footer) costs on top of reportlab setting the text.
"""

from __future__ import annotations

import datetime as dt
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from carapp.exports.minutes import Minutes

TODAY = dt.date(2026, 11, 23)
WHYS = 12
ACTIONS = 6
REPEAT = 5
Row = tuple[str, int, float, str, float | None]


def _long_workshop(folder: Path) -> Minutes:
    """A register with one finding and a recorded workshop of ``WHYS`` whys and
    ``ACTIONS`` actions; the minutes of it."""
    from carapp import operations as op
    from carapp.exports.minutes import workshop_minutes
    from carapp.models.enums import CauseCategory, Classification, Source
    from carapp.models.workshop import Attendee, DraftAction
    from carapp.queries.workshops import start_workshop

    register = op.create_register(folder / "minutes.sqlite", "Northwind Logistics Ltd")
    try:
        owner = op.add_person(register, "Tom Okafor", "IT operations lead").result
        ref = op.record_finding(
            register,
            op.FindingDraft(
                title="Leavers retain active accounts after their last day",
                source=Source.SELF_IDENTIFIED,
                classification=Classification.MINOR,
                identified_on=dt.date(2026, 3, 3),
                statement="Three of twelve leavers sampled still had active accounts.",
                evidence_observed="HR leavers list for Q1 against the directory export.",
            ),
        ).result
        op.record_containment(register, ref, "Disabled the accounts.", dt.date(2026, 3, 4), owner)
        draft = start_workshop(register, ref, TODAY)
        draft.attendees = [Attendee("Tom Okafor", owner), Attendee("Σωκράτης Παπαδόπουλος")]
        above = None
        for n in range(1, WHYS + 1):
            why = draft.add_why(after=above)
            why.answer = f"Answer {n}: " + "the step before it was never checked by anyone " * 3
            why.evidence = f"Evidence {n}: interview notes and the ticket export"
            why.checked = n % 2 == 1
            above = why.key
        draft.root_key = above
        draft.category = CauseCategory.OWNERSHIP
        draft.statement = "Ownership gap: nobody owns the offboarding procedure."
        draft.actions = [
            DraftAction(
                description=f"Action {n}: change the procedure and train the team on it",
                owner_id=owner,
                target=f"2027-0{n}-15",
                outcome=f"Outcome {n}: measured monthly by sampling ten leavers",
            )
            for n in range(1, ACTIONS + 1)
        ]
        draft.elapsed_seconds = 55 * 60
        workshop = op.record_team_analysis(register, draft).result.workshop_id
        return workshop_minutes(register, ref, workshop, TODAY)
    finally:
        register.close()


def _bare(minutes: Minutes) -> Callable[[], bytes]:
    """The bare way: the same text, one plain Paragraph each, in a SimpleDocTemplate."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from carapp.exports.pdf import FONT, escape, register_fonts

    register_fonts()
    style = ParagraphStyle("plain", fontName=FONT, fontSize=9)
    texts = [minutes.organisation, minutes.ref, minutes.title, minutes.statement]
    texts += [minutes.evidence_observed, ", ".join(minutes.attendees)]
    for why in minutes.whys:
        texts += [why.question, why.answer, why.evidence]
    if minutes.cause is not None:
        texts += [minutes.cause.statement, minutes.cause.category]
    for action in minutes.actions:
        texts += [action.ref, action.description, action.owner, str(action.target)]
        texts.append(action.outcome)
    texts += [text for text, _ in minutes.parked]

    def run() -> bytes:
        buffer = io.BytesIO()
        SimpleDocTemplate(buffer, pagesize=A4).build([Paragraph(escape(t), style) for t in texts])
        return buffer.getvalue()

    return run


def _median(action: Callable[[], bytes]) -> float:
    action()  # fonts parsed, modules imported: what every later print meets
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def minutes_row() -> Row:
    """("workshop minutes PDF", findings in the register, seconds, baseline, seconds)."""
    from carapp.exports.minutes import minutes_pdf

    with tempfile.TemporaryDirectory(prefix="carapp-bench-minutes-") as folder:
        minutes = _long_workshop(Path(folder))
    seconds = _median(lambda: minutes_pdf(minutes))
    baseline = _median(_bare(minutes))
    return (
        f"minutes PDF {WHYS}w {ACTIONS}a",
        1,
        seconds,
        "reportlab plain Paragraphs",
        baseline,
    )


def main() -> int:
    name, size, seconds, base_name, base = minutes_row()
    ratio = f"{seconds / base:.1f}x" if base else ""
    print(f"{name:<22} {size:>9,} {seconds:9.3f}  {base_name:<26} {base or 0:9.3f} {ratio:>7}")
    print("(target: the minutes PDF in at most 1 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
