"""Two carapp processes writing to one register at the same time: neither corrupts,
collides with nor silently overwrites the other."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from carapp import operations as op
from carapp.check import check
from carapp.errors import RegisterLockedError, StaleEditError
from carapp.models.enums import Classification, IsmsDecision, IsmsTarget, Source, Stage
from carapp.queries import finding_detail
from carapp.store import open_register
from tests.conftest import World

WRITER = textwrap.dedent(
    """
    import datetime as dt, sys
    from pathlib import Path
    from carapp import operations as op
    from carapp.models.enums import Classification, Source
    from carapp.store import open_register

    register = open_register(Path(sys.argv[1]))
    start = Path(sys.argv[2])
    while not start.exists():
        pass  # both processes begin together
    errors = 0
    for n in range(int(sys.argv[3])):
        try:
            op.record_finding(register, op.FindingDraft(
                f"Writer {sys.argv[4]} finding {n}", Source.INTERNAL_AUDIT,
                Classification.MINOR, dt.date(2026, 3, 3), requirement_codes=("A.5.18",)))
        except Exception as exc:
            errors += 1
            print(type(exc).__name__, exc, file=sys.stderr)
    register.close()
    print(errors)
    """
)


def test_two_processes_creating_findings_never_share_a_reference(
    register_path: Path, tmp_path: Path
) -> None:
    op.create_register(register_path, "Northwind").close()
    start = tmp_path / "go"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(register_path), str(start), "200", name],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in "AB"
    ]
    start.touch()
    results = [w.communicate(timeout=180) for w in writers]
    assert [w.returncode for w in writers] == [0, 0], results
    assert [out.strip() for out, _err in results] == ["0", "0"], results
    conn = sqlite3.connect(register_path)
    refs = [r[0] for r in conn.execute("SELECT ref FROM findings")]
    conn.close()
    assert len(refs) == len(set(refs)) == 400
    assert sorted(refs) == [f"NC-2026-{n:03d}" for n in range(1, 401)]
    register = open_register(register_path)
    try:
        report = check(register)
        assert report.sound, report.problems
    finally:
        register.close()


EDITOR = textwrap.dedent(
    """
    import datetime as dt, sys
    from pathlib import Path
    from carapp import operations as op
    from carapp.errors import StaleEditError
    from carapp.store import open_register

    register = open_register(Path(sys.argv[1]))
    version, start, who = int(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
    while not start.exists():
        pass
    try:
        op.record_containment(register, "NC-2026-001", f"Accounts disabled by {who}.",
                              dt.date(2026, 3, 4), int(sys.argv[5]), expected_version=version)
        print("saved")
    except StaleEditError as exc:
        print("refused:", exc)
    register.close()
    """
)


def test_two_processes_saving_one_finding_from_the_same_version_one_is_refused(
    world: World, tmp_path: Path
) -> None:
    ref = world.nc()
    version = finding_detail(world.register, ref, dt.date(2026, 3, 5)).version
    start = tmp_path / "go"
    path = str(world.register.path)
    editors = [
        subprocess.Popen(
            [sys.executable, "-c", EDITOR, path, str(version), str(start), who, str(world.owner)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("Tom", "Priya")
    ]
    start.touch()
    results = [e.communicate(timeout=60) for e in editors]
    assert [e.returncode for e in editors] == [0, 0], results
    outputs = sorted(out.strip() for out, _err in results)
    assert outputs[1] == "saved"
    assert outputs[0].startswith(f"refused: {ref} was changed by ")
    assert "since you opened it (containment, contained on, contained by)" in outputs[0]
    assert outputs[0].endswith(
        "nothing was saved: reopen it to see the changes, then make yours again."
    )
    detail = finding_detail(world.register, ref, dt.date(2026, 3, 5))
    assert detail.version == version + 1
    winner = "Tom" if "Tom" not in outputs[0].split("(")[0] else "Priya"
    assert detail.containment.what.startswith("Accounts disabled by")
    report = check(world.register)
    assert report.sound, report.problems
    assert winner  # the refusal names the other writer's account, not a guess


def test_a_save_from_an_old_version_changes_nothing(world: World) -> None:
    ref = world.nc()
    seen = finding_detail(world.register, ref, dt.date(2026, 3, 5)).version
    op.record_containment(
        world.register, ref, "Disabled the accounts.", dt.date(2026, 3, 4), world.owner
    )
    op.decide_isms_update(
        world.register, ref, IsmsTarget.POLICIES, IsmsDecision.NOT_NEEDED, "No policy change."
    )
    with world.register.engine.connect() as conn:
        before = conn.exec_driver_sql("SELECT count(*) FROM history").scalar()
    with pytest.raises(StaleEditError) as refused:
        op.void(world.register, ref, "Duplicate.", dt.date(2026, 3, 6), expected_version=seen)
    # Both saves since are named, oldest field first.
    assert "(containment, contained on, contained by, isms policies, isms policies note)" in str(
        refused.value
    )
    with world.register.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM history").scalar() == before
    now = finding_detail(world.register, ref, dt.date(2026, 3, 5))
    assert now.stage is not Stage.VOID and now.version == seen + 2
    op.void(world.register, ref, "Duplicate.", dt.date(2026, 3, 6), expected_version=seen + 2)


HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from carapp import writers
    from carapp.store import open_register

    writers.program = writers.WINDOW
    register = open_register(Path(sys.argv[1]))
    with register.session() as session:
        session.connection()  # the write lock is held from here to the end of the block
        print("holding", flush=True)
        time.sleep(float(sys.argv[2]))
    register.close()
    """
)


def test_a_busy_register_names_the_carapp_window_writing_it(
    register_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    op.create_register(register_path, "Northwind").close()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(register_path), "5"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        monkeypatch.setenv("CARAPP_BUSY_TIMEOUT_MS", "300")
        register = open_register(register_path)
        try:
            started = time.monotonic()
            with pytest.raises(RegisterLockedError) as refused:
                op.record_finding(
                    register,
                    op.FindingDraft(
                        "Leavers keep access",
                        Source.INTERNAL_AUDIT,
                        Classification.MINOR,
                        dt.date(2026, 3, 3),
                    ),
                )
            waited = time.monotonic() - started
        finally:
            register.close()
    finally:
        holder.kill()
        holder.communicate()
    assert waited < 3
    message = str(refused.value)
    assert f"is being written by another carapp window (pid {holder.pid}, user " in message
    assert message.endswith("wait for it to finish or close it, then try again.")
