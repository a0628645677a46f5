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
from carapp.errors import RegisterLockedError
from carapp.models.enums import Classification, Source
from carapp.store import open_register

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
