"""The finding editor's pickers: requirements by code or title words, and the root causes
and actions of other findings, on a real register."""

from __future__ import annotations

import datetime as dt

import pytest

from carapp import operations as op
from carapp.models.enums import ActionKind, ActionStatus, RequirementKind, Stage
from carapp.queries import find_requirements, other_actions, other_root_causes
from carapp.store import Register
from tests.conftest import World


@pytest.mark.parametrize("typed", ["5.18", "a.5.18", "A.5.18", " A.5.18 "])
def test_a_control_is_found_however_its_code_is_typed(register: Register, typed: str) -> None:
    found = find_requirements(register, typed)
    assert found[0].code == "A.5.18"
    assert found[0].title == "Access rights"
    assert found[0].kind is RequirementKind.ANNEX_A


def test_codes_starting_with_the_text_come_first_in_their_order(register: Register) -> None:
    codes = [r.code for r in find_requirements(register, "5.1", limit=50)]
    assert codes[0] == "5.1"  # clause 5.1 is exactly what was typed
    starting = [c for c in codes if c.removeprefix("A.").startswith("5.1")]
    assert codes[: len(starting)] == starting
    assert "A.5.10" in codes and "A.5.2" not in codes
    assert codes.index("A.5.1") < codes.index("A.5.10") < codes.index("A.5.11")


def test_title_words_match_in_any_order_and_case(register: Register) -> None:
    # A.8.2 is "Privileged access rights".
    assert [r.code for r in find_requirements(register, "access rights")] == ["A.5.18", "A.8.2"]
    assert "A.5.18" in [r.code for r in find_requirements(register, "RIGHTS access")]
    assert find_requirements(register, "access nonsenseword") == []
    assert len(find_requirements(register, "security", limit=3)) == 3


def test_the_organisations_own_requirements_are_found(register: Register) -> None:
    op.add_requirement(register, RequirementKind.INTERNAL_DOCUMENT, "HR-POL-3", "Leavers procedure")
    op.add_requirement(register, RequirementKind.LEGAL, "GDPR-32", "Security of processing")
    assert [(r.code, r.kind) for r in find_requirements(register, "hr-pol")] == [
        ("HR-POL-3", RequirementKind.INTERNAL_DOCUMENT)
    ]
    assert "GDPR-32" in [r.code for r in find_requirements(register, "processing security")]


def test_other_root_causes_offers_causes_of_other_findings(world: World) -> None:
    first = world.nc(title="Leavers keep accounts")
    cause = world.find_cause(first)
    second = world.nc(title="Movers keep old rights")
    assert [(c.id, c.findings) for c in other_root_causes(world.register, second)] == [
        (cause, (first,))
    ]
    (offered,) = other_root_causes(world.register, second, "offboarding OWNS")
    assert offered.statement.startswith("Nobody owns the offboarding procedure")
    assert offered.category is not None
    assert other_root_causes(world.register, second, "firewall") == []
    assert other_root_causes(world.register, second, first.lower())  # by a finding's ref
    # Its own cause is not offered; once shared, neither is the other's.
    assert other_root_causes(world.register, first) == []
    op.link_root_cause(world.register, second, cause)
    assert other_root_causes(world.register, second) == []
    third = world.nc()
    assert other_root_causes(world.register, third)[0].findings == (first, second)


def test_other_actions_offers_live_actions_of_other_findings(world: World) -> None:
    first = world.nc()
    world.advance(first, Stage.CAUSE_FOUND)
    live = world.plan(first)
    cancelled = op.plan_action(
        world.register, [first], ActionKind.CORRECTIVE, "Buy a tool", None, None, "", year=2026
    ).result
    op.cancel_action(world.register, cancelled, "Too expensive.")
    second = world.nc()
    offered = other_actions(world.register, second)
    assert [(a.ref, a.owner, a.status, a.findings) for a in offered] == [
        (live, "Tom Okafor", ActionStatus.PLANNED, (first,))
    ]
    assert offered[0].description.startswith("Name an owner")
    assert [a.ref for a in other_actions(world.register, second, "tom checklist")] == [live]
    assert other_actions(world.register, second, "firewall") == []
    assert other_actions(world.register, first) == []
    op.link_action(world.register, second, live)
    assert other_actions(world.register, second) == []
    world.complete(live, dt.date(2026, 4, 20))
    assert [a.status for a in other_actions(world.register, world.nc())] == [ActionStatus.DONE]
