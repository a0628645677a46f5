"""Reference numbers are never handed out twice, even after the counters were reset."""

from __future__ import annotations

import sqlite3

from carapp.check import check
from tests.conftest import World


def reset_counters(world: World, statement: str = "UPDATE ref_counters SET last = 0") -> None:
    """What someone with the sqlite3 shell can do: the counters are not in history."""
    conn = sqlite3.connect(str(world.register.path))
    try:
        conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def test_a_reset_counter_never_hands_out_a_reference_twice(world: World) -> None:
    first = world.nc()
    second = world.nc()
    action = world.plan(first)
    assert (first, second, action) == ("NC-2026-001", "NC-2026-002", "CA-2026-001")
    reset_counters(world)
    assert world.nc() == "NC-2026-003"
    assert world.plan(second) == "CA-2026-002"
    reset_counters(world, "DELETE FROM ref_counters")
    assert world.nc() == "NC-2026-004"
    assert check(world.register).sound


def test_the_next_number_follows_the_highest_not_the_last_in_text_order(world: World) -> None:
    world.nc()
    world.nc()
    # 1000 sorts before 999 as text; the number after both is 1001.
    reset_counters(world, "UPDATE findings SET ref = 'NC-2026-1000' WHERE ref = 'NC-2026-001'")
    reset_counters(world, "UPDATE findings SET ref = 'NC-2026-999' WHERE ref = 'NC-2026-002'")
    reset_counters(world)
    assert world.nc() == "NC-2026-1001"


def test_a_reference_of_another_year_or_with_a_suffix_does_not_count(world: World) -> None:
    for _ in range(3):
        world.nc()
    reset_counters(world, "UPDATE findings SET ref = 'NC-2026-900b' WHERE ref = 'NC-2026-001'")
    reset_counters(world, "UPDATE findings SET ref = 'NC-2027-500' WHERE ref = 'NC-2026-002'")
    reset_counters(world)
    assert world.nc() == "NC-2026-004"
