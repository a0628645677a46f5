"""The PDF register, read back with pypdf: every selected finding, the text exactly as
typed (markup characters, accents, Greek, Cyrillic), the fingerprint an auditor checks, the
detailed variant's analysis, the page sizes, the filters, and a cancelled export that
leaves the previous file as it was."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from carapp import operations as op
from carapp.anchors import fingerprint
from carapp.exports.register_pdf import write_register_pdf
from carapp.exports.scope import Cancelled, ExportScope, selected_ids
from carapp.models.enums import ActionKind, Classification
from carapp.queries.register_table import RegisterFilter
from carapp.store import Register
from tests.conftest import TODAY, World, demo_register

HOSTILE = "R&D <urgent> a<b"
NAMES = ("José Núñez", "Łucja Wójcik z Łodzi", "Σωκράτης Παπαδόπουλος", "Анна Иванова")


def text_of(path: Path) -> str:
    """The PDF's text, whitespace made single spaces (wrapped cells break lines)."""
    reader = PdfReader(path)
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def pages_of(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]


@pytest.fixture
def hostile(world: World) -> dict[str, str]:
    """A major NC titled with markup characters, owned by people named in four scripts, its
    cause found with a why chain; and a minor NC."""
    people = [op.add_person(world.register, name, "Owner").result for name in NAMES]
    major = world.nc(Classification.MAJOR, title=HOSTILE)
    world.contain(major)
    world.find_cause(major)
    for person, name in zip(people, NAMES, strict=True):
        op.plan_action(
            world.register,
            [major],
            ActionKind.CORRECTIVE,
            f"{name} adds the IT step to the checklist <b>now</b> & checks it.",
            person,
            dt.date(2026, 12, 15),
            "Every leaver disabled within a day.",
            year=2026,
        )
    minor = world.nc(title="Backups not tested")
    return {"major": major, "minor": minor}


def test_summary_holds_every_finding_the_names_and_the_fingerprint(
    world: World, hostile: dict[str, str], tmp_path: Path
) -> None:
    out = write_register_pdf(world.register, ExportScope(TODAY), tmp_path / "register.pdf")
    text = text_of(out)
    assert hostile["major"] in text and hostile["minor"] in text
    assert HOSTILE in text
    assert "&amp;" not in text and "&lt;" not in text
    for name in NAMES:
        assert name in text
    assert "page 1 of 1" in text
    full = fingerprint(world.register).full
    assert full in text
    assert f"carapp check --anchor {full}" in text
    assert "Northwind Logistics Ltd".upper() in text
    assert "All findings" in text
    # A4 landscape.
    box = PdfReader(out).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)


def test_detailed_holds_the_why_chain_the_actions_and_the_history(
    world: World, hostile: dict[str, str], tmp_path: Path
) -> None:
    out = write_register_pdf(
        world.register, ExportScope(TODAY), tmp_path / "detailed.pdf", detailed=True
    )
    text = text_of(out)
    assert f"{hostile['major']} · {HOSTILE}" in text
    for words in (
        "Why were the accounts active?",
        "IT was not told.",
        "The checklist has no IT step.",
        "Nobody owns the offboarding procedure",
        "Disabled the three accounts.",
        "A.5.18",
        "History (the last",
    ):
        assert words in text, words
    for name in NAMES:
        assert f"{name} adds the IT step to the checklist <b>now</b> & checks it." in text
    assert fingerprint(world.register).full in text
    assert "page 1 of" in text
    box = PdfReader(out).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_letter_pages(world: World, hostile: dict[str, str], tmp_path: Path) -> None:
    summary = write_register_pdf(
        world.register, ExportScope(TODAY), tmp_path / "s.pdf", page_size="Letter"
    )
    detailed = write_register_pdf(
        world.register, ExportScope(TODAY), tmp_path / "d.pdf", page_size="Letter", detailed=True
    )
    for path, size in ((summary, (792, 612)), (detailed, (612, 792))):
        box = PdfReader(path).pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == size
        assert HOSTILE in text_of(path)


def test_filters_select_the_findings(world: World, hostile: dict[str, str], tmp_path: Path) -> None:
    scope = ExportScope(TODAY, RegisterFilter(classifications=frozenset({Classification.MAJOR})))
    for detailed in (False, True):
        text = text_of(
            write_register_pdf(world.register, scope, tmp_path / "major.pdf", detailed=detailed)
        )
        assert hostile["major"] in text
        assert hostile["minor"] not in text
        assert "classification Major NC" in text


def test_cancel_leaves_the_previous_file(
    world: World, hostile: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    destination = folder / "register.pdf"
    write_register_pdf(world.register, ExportScope(TODAY), destination)
    before = destination.read_bytes()
    calls: list[tuple[int, int]] = []

    def stop(done: int, total: int) -> None:
        calls.append((done, total))
        if done > 0:
            raise Cancelled

    for detailed in (False, True):
        with pytest.raises(Cancelled):
            write_register_pdf(
                world.register, ExportScope(TODAY), destination, detailed=detailed, progress=stop
            )
        assert destination.read_bytes() == before
        assert sorted(p.name for p in folder.iterdir()) == ["register.pdf"]
    assert calls


def test_a_page_size_carapp_does_not_print_is_refused(world: World, tmp_path: Path) -> None:
    with pytest.raises(Exception, match="not a page size"):
        write_register_pdf(world.register, ExportScope(TODAY), tmp_path / "x.pdf", page_size="A3")
    assert not (tmp_path / "x.pdf").exists()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    yield from demo_register(tmp_path_factory, findings=120, seed=3)


def test_demo_summary_every_ref_and_the_header_on_every_page(
    demo: Register, tmp_path: Path
) -> None:
    seen: list[tuple[int, int]] = []
    out = write_register_pdf(
        demo, ExportScope(TODAY), tmp_path / "demo.pdf", progress=lambda d, t: seen.append((d, t))
    )
    text = text_of(out)
    refs = _refs(demo)
    assert len(refs) == 120
    for ref in refs:
        assert ref in text
    pages = pages_of(out)
    assert len(pages) > 2
    for number, page in enumerate(pages, start=1):
        assert f"page {number} of {len(pages)}" in page
        assert "Closure" in page and "Root-cause" in page  # the header row, repeated
    assert seen[-1] == (240, 240)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_demo_detailed_every_ref(demo: Register, tmp_path: Path) -> None:
    out = write_register_pdf(demo, ExportScope(TODAY), tmp_path / "demo.pdf", detailed=True)
    text = text_of(out)
    for ref in _refs(demo):
        assert f"{ref} · " in text


def _refs(register: Register) -> list[str]:
    from sqlalchemy import select

    from carapp.models.entities import Finding

    ids = selected_ids(register, ExportScope(TODAY))
    with register.engine.connect() as conn:
        return [ref for (ref,) in conn.execute(select(Finding.ref).where(Finding.id.in_(ids)))]


def test_no_finding_matches(world: World, hostile: dict[str, str], tmp_path: Path) -> None:
    scope = ExportScope(TODAY, RegisterFilter(search="nothing is called this"))
    for detailed in (False, True):
        out = write_register_pdf(world.register, scope, tmp_path / "none.pdf", detailed=detailed)
        text = text_of(out)
        assert "No finding matches these filters." in text
        assert hostile["major"] not in text
        assert "page 1 of 1" in text
