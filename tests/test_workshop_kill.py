"""A workshop killed mid-chain (SIGKILL: no chance to save anything on the way out) is
offered back word for word when the register opens again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from carapp.models.workshop import WorkshopDraft
from carapp.queries.workshops import unfinished_workshops
from carapp.store import open_register
from tests.conftest import World

CHILD = Path(__file__).with_name("workshop_child.py")


def test_a_killed_workshop_is_restored_word_for_word(world: World) -> None:
    ref = world.nc()
    assert world.register.path is not None
    path = str(world.register.path)
    world.register.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(CHILD.parents[1])}
    child = subprocess.Popen(
        [sys.executable, str(CHILD), path, ref],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line, child.stderr.read() if child.stderr else "the child printed nothing"
    finally:
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)  # reaps it and closes its pipes
    typed = WorkshopDraft.from_json(line)
    register = open_register(path)
    try:
        (kept,) = unfinished_workshops(register)
    finally:
        register.close()
    assert kept.ref == ref
    assert kept.draft == typed  # every why, evidence, tick, branch, attendee, parked issue, time
    assert [w.answer for w in typed.ordered()] == [
        "IT was not told that the three people had left.",
        "The HR offboarding checklist has no step to notify IT.",
        "It predates the IT system and was never updated.",
        "The HR system sends no leaver notice.",
    ]
    assert [w.checked for w in typed.ordered()] == [True, True, False, False]
    assert typed.ordered()[3].parent == typed.ordered()[0].key
    assert [a.name for a in typed.attendees][-1] == "Jose Nunez"
    assert [p.text for p in typed.parking] == ["Contractors are not in the HR system."]
