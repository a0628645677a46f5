"""Bad input gets a sentence: text that would corrupt the register, its exports or a
terminal is refused by the use cases, naming the field, before anything is written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from carapp import operations as op
from carapp.errors import InvalidInputError
from carapp.models.enums import Classification, Source
from carapp.queries import finding_detail
from tests.conftest import TODAY, World


def draft(**fields: str) -> op.FindingDraft:
    values = {"title": "Leavers keep accounts", **fields}
    return op.FindingDraft(
        source=Source.SELF_IDENTIFIED,
        classification=Classification.MINOR,
        identified_on=dt.date(2026, 3, 3),
        **values,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("title", "Leavers\x00 keep accounts", "title"),
        ("title", "Leavers \x1b[31mkeep accounts", "title"),
        ("title", "Leavers\nkeep accounts", "title"),
        ("title", "Leavers \ud800 keep accounts", "title"),
        ("title", "x" * 301, "title"),
        ("cb_ref", "CB\x07-12", "certification body reference"),
        ("cb_ref", "C" * 65, "certification body reference"),
        ("area", "IT\x85ops", "area"),
        ("statement", "Three leavers\x00", "statement"),
        ("statement", "Three \x9b leavers", "statement"),
        ("evidence_observed", "export \udc80", "evidence observed"),
    ],
)
def test_finding_text_refused_naming_the_field(
    world: World, field: str, value: str, named: str
) -> None:
    with pytest.raises(InvalidInputError, match=named):
        op.record_finding(world.register, draft(**{field: value}))


def test_free_text_keeps_line_breaks_and_tabs(world: World) -> None:
    ref = op.record_finding(
        world.register, draft(statement="First line\n\tindented\r\nlast", area="IT")
    ).result
    assert finding_detail(world.register, ref, TODAY).statement == ("First line\n\tindented\nlast")


def test_people_and_requirements_refuse_controls_and_overlong(world: World) -> None:
    with pytest.raises(InvalidInputError, match="name"):
        op.add_person(world.register, "Ann\x00")
    with pytest.raises(InvalidInputError, match="email"):
        op.add_person(world.register, "Ann", email="a" * 321)
    with pytest.raises(InvalidInputError, match="role"):
        op.add_person(world.register, "Ann", role="CISO\x1b")


@pytest.mark.parametrize("mark", ["\u202e", "\u2066", "\u202a", "\u2069"])
def test_evidence_file_name_with_bidi_control_refused(
    world: World, tmp_path: Path, mark: str
) -> None:
    ref = world.nc()
    path = tmp_path / f"invoice{mark}fdp.exe"
    path.write_bytes(b"MZ")
    with pytest.raises(InvalidInputError, match="file name"):
        op.attach_evidence(world.register, path, finding_ref=ref, on=TODAY)


def test_evidence_file_name_plain_is_kept(world: World, tmp_path: Path) -> None:
    ref = world.nc()
    path = tmp_path / "leavers-Q1.csv"
    path.write_bytes(b"name\n")
    assert op.attach_evidence(world.register, path, finding_ref=ref, on=TODAY).result > 0
