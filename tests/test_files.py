"""A backup copy (and every export after it) is whole or absent: a failure mid-write leaves
the file that was there before untouched and no partial file beside it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from carapp import store
from carapp.files import atomic_path
from tests.conftest import sha256


def test_a_finished_write_replaces_the_file(tmp_path: Path) -> None:
    target = tmp_path / "register.xlsx"
    target.write_text("last week's export")
    with atomic_path(target) as partial:
        partial.write_text("today's export")
        assert target.read_text() == "last week's export"  # not replaced until complete
    assert target.read_text() == "today's export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["register.xlsx"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_part(tmp_path: Path) -> None:
    target = tmp_path / "register.xlsx"
    target.write_text("last week's export")
    with pytest.raises(RuntimeError), atomic_path(target) as partial:
        partial.write_text("half of today's")
        raise RuntimeError("cancelled")
    assert target.read_text() == "last week's export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["register.xlsx"]


def test_a_backup_that_runs_out_of_space_keeps_the_previous_backup(
    register: store.Register, tmp_path: Path
) -> None:
    assert register.path is not None
    previous = tmp_path / "backups" / "register-backup.sqlite"
    previous.parent.mkdir()
    store.backup(register.path, previous)
    before = sha256(previous)
    # A child process whose files may not grow past 64 KiB: the disk is "full" mid-copy.
    script = textwrap.dedent(
        f"""
        import resource, signal, sys
        from pathlib import Path
        from carapp import store
        from carapp.errors import CarappError
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
        try:
            store.backup(Path({str(register.path)!r}), Path({str(previous)!r}))
        except CarappError as exc:
            print(exc)
            sys.exit(1)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 1, done.stderr
    assert "nothing was saved" in done.stdout or "full" in done.stdout, done.stdout
    assert sha256(previous) == before
    assert sorted(p.name for p in previous.parent.iterdir()) == [previous.name]
