"""Similar findings (clause 10.2 b) 3)) and clusters of minors, checked against SQL written
here on its own, on the register file itself."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator

import pytest

from carapp import operations as op
from carapp.models.enums import CauseCategory, Classification, RootCauseMethod, Stage
from carapp.queries import list_findings
from carapp.queries.similar import similar_findings
from carapp.store import Register
from tests.conftest import TODAY, World, demo_register

# The same rule, said another way: the other finding shares a requirement with this one, or
# a root-cause category of both findings' current rounds; it is not void, not this one, and
# was identified no earlier than 365 days before this one was. Those sharing most come
# first (requirements and categories in common), newest first among equals.
INDEPENDENT_SQL = """
SELECT f.ref FROM findings f, findings me
WHERE me.ref = :ref AND f.id <> me.id AND f.stage <> 'void'
  AND f.identified_on >= date(me.identified_on, '-365 days')
  AND (
    EXISTS (SELECT 1 FROM finding_requirements mine, finding_requirements theirs
            WHERE mine.finding_id = me.id AND theirs.finding_id = f.id
              AND mine.requirement_id = theirs.requirement_id)
    OR EXISTS (SELECT 1 FROM finding_root_causes ml, root_causes mc,
                             finding_root_causes tl, root_causes tc
               WHERE ml.finding_id = me.id AND ml.cycle = me.cycle AND mc.id = ml.root_cause_id
                 AND tl.finding_id = f.id AND tl.cycle = f.cycle AND tc.id = tl.root_cause_id
                 AND mc.category = tc.category)
  )
ORDER BY
  (SELECT count(*) FROM finding_requirements mine, finding_requirements theirs
   WHERE mine.finding_id = me.id AND theirs.finding_id = f.id
     AND mine.requirement_id = theirs.requirement_id)
  + (SELECT count(DISTINCT mc.category) FROM finding_root_causes ml, root_causes mc,
                                             finding_root_causes tl, root_causes tc
     WHERE ml.finding_id = me.id AND ml.cycle = me.cycle AND mc.id = ml.root_cause_id
       AND tl.finding_id = f.id AND tl.cycle = f.cycle AND tc.id = tl.root_cause_id
       AND mc.category = tc.category) DESC,
  f.identified_on DESC, f.ref DESC
"""


def raw_similar(register: Register, ref: str) -> list[str]:
    assert register.path is not None
    with sqlite3.connect(register.path) as db:
        return [r for (r,) in db.execute(INDEPENDENT_SQL, {"ref": ref})]


def test_a_shared_requirement_within_the_window_makes_a_finding_similar(world: World) -> None:
    base = world.nc(requirements=("A.5.18", "A.8.2"), identified=dt.date(2026, 3, 3), audit=None)
    on_the_edge = world.nc(requirements=("A.8.2",), identified=dt.date(2025, 3, 3), audit=None)
    a_day_too_old = world.nc(requirements=("A.8.2",), identified=dt.date(2025, 3, 2), audit=None)
    both = world.nc(requirements=("A.5.18", "A.8.2"), identified=dt.date(2025, 11, 1), audit=None)
    since = world.nc(requirements=("A.5.18",), identified=dt.date(2026, 10, 1), audit=None)
    unrelated = world.nc(requirements=("A.7.1",), identified=dt.date(2026, 3, 3), audit=None)
    void = world.nc(requirements=("A.5.18",), identified=dt.date(2026, 3, 4), audit=None)
    op.void(world.register, void, "Recorded twice.", TODAY)

    found = similar_findings(world.register, base)

    assert [s.ref for s in found.items] == raw_similar(world.register, base)
    assert [s.ref for s in found.items] == [both, since, on_the_edge]  # most shared first
    assert {a_day_too_old, unrelated, void, base}.isdisjoint(s.ref for s in found.items)
    shared = found.get(both)
    assert shared is not None
    assert shared.requirements == ("A.5.18", "A.8.2")
    assert shared.reasons == ("requirement A.5.18", "requirement A.8.2")
    assert shared.classification is Classification.MINOR
    assert shared.stage is Stage.IDENTIFIED
    assert shared.identified_on == dt.date(2025, 11, 1)
    assert shared.root_cause_id is None


def test_a_shared_root_cause_category_counts_and_offers_the_cause(world: World) -> None:
    base = world.nc(requirements=("A.5.18",))
    same_category = world.nc(requirements=("5.3",), title="Nobody owns the asset register")
    other_category = world.nc(requirements=("7.2",), title="Training records missing")
    world.find_cause(base)  # ownership
    cause_id = world.find_cause(same_category)  # ownership too
    op.record_root_cause(
        world.register,
        [other_category],
        RootCauseMethod.FIVE_WHYS,
        "The induction has no security module.",
        CauseCategory.TRAINING_AWARENESS,
    )

    found = similar_findings(world.register, base)

    assert [s.ref for s in found.items] == raw_similar(world.register, base)
    (item,) = found.items
    assert item.ref == same_category
    assert item.reasons == ("root cause: ownership",)
    assert item.categories == (CauseCategory.OWNERSHIP,)
    assert item.requirements == ()
    assert item.root_cause_id == cause_id
    assert item.root_cause_statement.startswith("Nobody owns the offboarding procedure")


def test_three_minors_on_one_requirement_may_be_a_major(world: World) -> None:
    base = world.nc(requirements=("A.5.18",), identified=dt.date(2026, 3, 3), audit=None)
    second = world.nc(requirements=("A.5.18",), identified=dt.date(2025, 6, 1), audit=None)
    assert similar_findings(world.register, base).clusters == ()  # two are not a cluster
    world.nc(requirements=("A.5.18",), classification=Classification.MAJOR)
    world.nc(requirements=("A.5.18",), classification=Classification.OBSERVATION)
    too_old = world.nc(requirements=("A.5.18",), identified=dt.date(2024, 6, 1), audit=None)
    void = world.nc(requirements=("A.5.18",))
    op.void(world.register, void, "Recorded twice.", TODAY)
    assert similar_findings(world.register, base).clusters == ()  # none of those is one
    assert too_old

    third = world.nc(requirements=("A.5.18",), identified=dt.date(2026, 2, 1), audit=None)
    (cluster,) = similar_findings(world.register, base).clusters

    assert cluster.requirement == "A.5.18"
    assert cluster.refs == (base, third, second)
    assert cluster.sentence() == (
        "3 minors on A.5.18 Access rights within 12 months (this one included): together they "
        "may be a major "
        "nonconformity."
    )


def test_a_major_is_not_counted_in_its_own_cluster(world: World) -> None:
    base = world.nc(requirements=("A.5.18",), classification=Classification.MAJOR)
    world.nc(requirements=("A.5.18",))
    world.nc(requirements=("A.5.18",))
    assert similar_findings(world.register, base).clusters == ()
    world.nc(requirements=("A.5.18",))
    (cluster,) = similar_findings(world.register, base).clusters
    assert len(cluster.refs) == 3 and base not in cluster.refs


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    yield from demo_register(tmp_path_factory, findings=600, seed=7)


def test_the_demo_register_agrees_with_independent_sql(demo: Register) -> None:
    refs = [row.ref for row in list_findings(demo, today=TODAY)]
    checked = 0
    for ref in refs[:: max(1, len(refs) // 40)]:
        found = similar_findings(demo, ref)
        assert [s.ref for s in found.items] == raw_similar(demo, ref), ref
        checked += len(found.items)
    assert checked > 100  # the demo has causes and shared requirements to compare
