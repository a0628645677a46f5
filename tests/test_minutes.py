"""The workshop minutes: recorded from a real workshop, printed to PDF, kept as evidence,
and read back out of the PDF as a person would read it."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from carapp import operations as op
from carapp.errors import InvalidInputError, NotFoundError
from carapp.exports.minutes import attach_minutes, minutes_pdf, workshop_minutes
from carapp.exports.pdf import escape, printable
from carapp.models.workshop import Attendee, DraftAction, ParkedIssue, WorkshopDraft
from carapp.queries.findings import finding_detail
from carapp.queries.settings import evidence_data
from carapp.queries.workshops import workshops_of
from tests.conftest import TODAY, World
from tests.workshop_data import BRANCH, LEAVERS_WHYS, leavers_draft

HOSTILE = "R&D <urgent> a<b"
NAMES = ("José Núñez", "Wojciech Kowalski z Łodzi", "Σωκράτης Παπαδόπουλος", "Анна Иванова")


def _text(data: bytes) -> tuple[str, int]:
    """The PDF's text, whitespace made single spaces (lines wrap where they will), and its
    page count."""
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(text.split()), len(reader.pages)


def _hostile_draft(world: World, ref: str) -> WorkshopDraft:
    draft = leavers_draft(world, ref)
    draft.ordered()[2].answer = f"It predates the IT system ({HOSTILE}) and was never updated."
    draft.attendees += [Attendee(NAMES[1]), Attendee(NAMES[2]), Attendee(NAMES[3])]
    draft.parking.append(ParkedIssue(HOSTILE))
    return draft


def _long_draft(world: World, ref: str, whys: int = 12, actions: int = 6) -> WorkshopDraft:
    """A chain of ``whys`` long answers with a branch, and ``actions`` actions."""
    draft = leavers_draft(world, ref)
    draft.whys = []
    above = None
    for n in range(1, whys + 1):
        why = draft.add_why(after=above)
        why.answer = f"Answer {n}: " + "the step before it was never checked by anyone " * 3
        why.evidence = f"Evidence {n}: interview notes and ticket export"
        why.checked = n % 2 == 1
        above = why.key
    branch = draft.add_why(branch_of=draft.ordered()[3].key)
    branch.answer = "Branch answer: the directory has no feed from the HR system."
    draft.root_key = above
    draft.actions = [
        DraftAction(
            description=f"Action {n}: change the procedure and train the team on it",
            owner_id=world.owner,
            target=f"2027-0{n}-15",
            outcome=f"Outcome {n}: measured monthly by sampling ten leavers",
        )
        for n in range(1, actions + 1)
    ]
    return draft


def _recorded(world: World, draft: WorkshopDraft) -> int:
    return op.record_team_analysis(world.register, draft).result.workshop_id


@pytest.fixture
def leavers(world: World) -> tuple[str, int]:
    ref = world.nc()
    world.contain(ref)
    return ref, _recorded(world, _hostile_draft(world, ref))


def test_minutes_read_what_the_workshop_recorded(world: World, leavers: tuple[str, int]) -> None:
    ref, workshop = leavers
    minutes = workshop_minutes(world.register, ref, workshop, TODAY)
    assert minutes.organisation == "Northwind Logistics Ltd"
    assert minutes.held_on == TODAY and minutes.minutes_taken == 47
    assert set(NAMES) | {"Priya Natarajan", "Tom Okafor"} == set(minutes.attendees)
    assert [w.answer for w in minutes.whys][:2] == [a for a, _ in LEAVERS_WHYS[:2]]
    branch = next(w for w in minutes.whys if w.answer == BRANCH)
    assert branch.branch and branch.parent == 1
    assert minutes.cause is not None and minutes.cause.category == "Ownership"
    assert minutes.cause.root_why == 5 and minutes.cause.linked_from is None
    assert [a.owner for a in minutes.actions] == ["Priya Natarajan", "José Núñez"]
    assert (HOSTILE, "") in minutes.parked
    assert minutes.file_name == f"Workshop minutes {ref} 2026-11-23.pdf"
    with pytest.raises(NotFoundError, match="no workshop number 999"):
        workshop_minutes(world.register, ref, 999, TODAY)


def test_attached_minutes_print_everything_as_typed(world: World, leavers: tuple[str, int]) -> None:
    ref, workshop = leavers
    name, sha = attach_minutes(world.register, ref, workshop, TODAY).result

    assert name == f"Workshop minutes {ref} 2026-11-23.pdf"
    stored = next(e for e in finding_detail(world.register, ref, TODAY).evidence if e.name == name)
    stored_name, data = evidence_data(world.register, stored.id)
    assert stored_name == name and data.startswith(b"%PDF-")
    assert hashlib.sha256(data).hexdigest() == sha == stored.sha256
    assert stored.media_type == "application/pdf"

    text, pages = _text(data)
    minutes = workshop_minutes(world.register, ref, workshop, TODAY)
    for why in minutes.whys:
        assert " ".join(why.answer.split()) in text, why.answer
    assert HOSTILE in text
    assert "&amp;" not in text and "&lt;" not in text
    for person in NAMES:
        assert person in text, person
    assert "Ownership gap: nobody owns the offboarding procedure." in text
    for action in minutes.actions:
        assert " ".join(action.description.split()) in text
        assert action.ref in text
    assert "Contractors are not in the HR system at all." in text
    assert "Northwind Logistics Ltd" in text
    assert f"page 1 of {pages}" in text
    assert "Ticket queue for Q1: no leaver tickets." in text  # a why's evidence


def test_a_long_chain_flows_over_pages_numbered_right(world: World) -> None:
    ref = world.nc()
    world.contain(ref)
    workshop = _recorded(world, _long_draft(world, ref))
    minutes = workshop_minutes(world.register, ref, workshop, TODAY)
    assert len(minutes.whys) == 13 and len(minutes.actions) == 6

    started = time.perf_counter()
    data = minutes_pdf(minutes)
    took = time.perf_counter() - started
    letter = minutes_pdf(minutes, page_size="Letter")

    text, pages = _text(data)
    assert pages >= 3
    for number in range(1, pages + 1):
        assert f"page {number} of {pages}" in text
    assert f"page {pages + 1} of" not in text
    for why in minutes.whys:
        assert " ".join(why.answer.split()) in text
    for n in range(1, 7):
        assert f"Outcome {n}: measured monthly" in text
    assert took < 1.0, f"the minutes took {took:.2f} s"
    assert PdfReader(io.BytesIO(letter)).pages[0].mediabox.width == pytest.approx(612)


def test_each_page_renders(world: World, tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    ref = world.nc()
    world.contain(ref)
    workshop = _recorded(world, _long_draft(world, ref))
    pdf = tmp_path / "minutes.pdf"
    pdf.write_bytes(minutes_pdf(workshop_minutes(world.register, ref, workshop, TODAY)))
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pngs = sorted(tmp_path.glob("page*.png"))
    assert len(pngs) == len(PdfReader(pdf).pages)
    assert all(p.stat().st_size > 1000 for p in pngs)


def test_a_linked_cause_is_named_as_linked(world: World, leavers: tuple[str, int]) -> None:
    first, _ = leavers
    ref = world.nc(title="Leavers keep VPN access")
    world.contain(ref)
    cause = finding_detail(world.register, first, TODAY).current_root_causes[0].id
    draft = leavers_draft(world, ref)
    draft.link_cause_id = cause
    workshop = _recorded(world, draft)
    minutes = workshop_minutes(world.register, ref, workshop, TODAY)
    assert minutes.cause is not None and minutes.cause.linked_from == first
    text, _ = _text(minutes_pdf(minutes))
    assert f"The root cause of {first}, found earlier." in text


def test_escape_prints_markup_as_text() -> None:
    assert escape(HOSTILE) == "R&amp;D &lt;urgent&gt; a&lt;b"
    assert escape("one\ntwo") == "one<br/>two"
    assert printable("bell\x07 nul\x00 tab\tend\r\n") == "bell\ufffd nul\ufffd tab    end\n"
    assert re.fullmatch(r"[^\x00-\x1f]*", escape("a\x1bb\x0cc"))


def test_an_unknown_page_size_is_refused(world: World, leavers: tuple[str, int]) -> None:
    ref, workshop = leavers
    minutes = workshop_minutes(world.register, ref, workshop, TODAY)
    with pytest.raises(InvalidInputError, match="A4 or Letter"):
        minutes_pdf(minutes, page_size="A5")


def test_workshops_of_lists_the_recorded_one(world: World, leavers: tuple[str, int]) -> None:
    ref, workshop = leavers
    assert [w.id for w in workshops_of(world.register, ref)] == [workshop]
    assert dt.date(2026, 11, 23) == workshops_of(world.register, ref)[0].held_on


def test_an_answer_longer_than_a_page_still_prints(world: World) -> None:
    ref = world.nc()
    world.contain(ref)
    draft = leavers_draft(world, ref)
    essay = " ".join(f"Sentence {n} of a very long answer that goes on." for n in range(600))
    draft.ordered()[1].answer = essay
    draft.parking.append(ParkedIssue("x" * 3000))  # one word wider than any column
    workshop = _recorded(world, draft)
    text, pages = _text(minutes_pdf(workshop_minutes(world.register, ref, workshop, TODAY)))
    assert pages >= 4
    assert "Sentence 599 of a very long answer" in text
    assert f"page {pages} of {pages}" in text
