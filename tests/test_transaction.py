"""One Save, one transaction: use cases run inside Register.transaction() are recorded
together, or, when any is refused, none of them."""

from __future__ import annotations

import datetime as dt

import pytest

from carapp import operations as op
from carapp.errors import InvalidInputError, StaleEditError
from carapp.queries import finding_detail
from carapp.store import open_register
from tests.conftest import TODAY, World


def test_everything_in_a_transaction_is_saved_together(world: World) -> None:
    ref = world.nc()
    before = finding_detail(world.register, ref, TODAY)
    with world.register.transaction():
        op.record_containment(
            world.register, ref, "Disabled the accounts.", dt.date(2026, 3, 4), world.owner
        )
        op.decide_observation  # noqa: B018 - keeps the name imported for the refusal below
        op.set_requirements(world.register, ref, ["A.5.18", "A.5.15"])
    after = finding_detail(world.register, ref, TODAY)
    assert after.containment.what == "Disabled the accounts."
    assert [r.code for r in after.requirements] == ["A.5.15", "A.5.18"]
    # Two use cases, one save: whoever edits next counts one version more, not two.
    assert after.version == before.version + 1


def test_a_refusal_inside_a_transaction_saves_nothing(world: World) -> None:
    ref = world.nc()
    before = finding_detail(world.register, ref, TODAY)
    with pytest.raises(InvalidInputError), world.register.transaction():
        op.record_containment(
            world.register, ref, "Disabled the accounts.", dt.date(2026, 3, 4), world.owner
        )
        op.containment_not_needed(world.register, ref, "   ")
    # Read through a second connection, as another window would.
    assert world.register.path is not None
    other = open_register(world.register.path)
    try:
        after = finding_detail(other, ref, TODAY)
    finally:
        other.close()
    assert after.containment == before.containment
    assert after.version == before.version
    assert len(after.history) == len(before.history)


def test_a_stale_version_inside_a_transaction_saves_nothing(world: World) -> None:
    ref = world.nc()
    seen = finding_detail(world.register, ref, TODAY).version
    op.record_containment(world.register, ref, "First.", dt.date(2026, 3, 4), world.owner)
    with pytest.raises(StaleEditError), world.register.transaction():
        op.set_requirements(world.register, ref, ["A.5.15"])
        op.record_containment(
            world.register,
            ref,
            "Second.",
            dt.date(2026, 3, 4),
            world.owner,
            expected_version=seen,
        )
    after = finding_detail(world.register, ref, TODAY)
    assert after.containment.what == "First."
    assert [r.code for r in after.requirements] == ["A.5.18"]
