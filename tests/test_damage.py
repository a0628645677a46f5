"""Odd paths, odd files, interrupted writes, read-only registers and damage: each is opened
as the file it is, or refused with one sentence and left as it was; `carapp check` names
what is wrong instead of crashing."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from carapp import cli, store
from carapp import operations as op
from carapp.check import check
from carapp.demo import write_demo
from carapp.errors import (
    CorruptRegisterError,
    DiskFullError,
    DiskIOError,
    NotARegisterError,
    RegisterLockedError,
    RegisterReadOnlyError,
)
from carapp.models.enums import Classification, Source
from carapp.queries import list_findings
from tests.conftest import TODAY, sha256

FIXTURES = Path(__file__).parent / "fixtures"
DRAFT = op.FindingDraft("Backups not tested", Source.MONITORING, Classification.MINOR, TODAY)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    write_demo(path, findings=20, seed=5, today=TODAY)
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The command line in this process: exit code, stdout, stderr."""
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_sentence(err: str) -> str:
    assert err.startswith("carapp: ") and err.count("\n") == 1, err
    assert "internal error" not in err
    return err


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- A register path is a path -------------------------------------------------------------

ODD_NAMES = [
    "audit?2026.sqlite",
    "what?.sqlite",
    "round #2.sqlite",
    "100% done.sqlite",
    "100%3F.sqlite",
    "with spaces.sqlite",
    "Prüfung Ærø 监查.sqlite",
]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_a_path_with_url_characters_opens_that_file(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "q?x#y%20z"
    path = folder / name
    created = op.create_register(path, "Org")
    ref = op.record_finding(created, DRAFT).result
    created.close()
    assert files_in(tmp_path) == [folder.name]
    assert files_in(folder) == [name]  # no "audit" or "what" beside it
    code, out, err = run(capsys, "--register", str(path), "--today", TODAY.isoformat(), "list")
    assert (code, err) == (0, "")
    assert ref in out and "Backups not tested" in out
    code, out, err = run(capsys, "--register", str(path), "check")
    assert code == 0 and out.startswith("Sound:"), err
    assert files_in(folder) == [name]


def test_an_odd_path_is_backed_up_before_it_is_migrated(tmp_path: Path) -> None:
    folder = tmp_path / "audit?2026 #1"
    folder.mkdir()
    path = folder / "register?.sqlite"
    shutil.copy(FIXTURES / "register-0001.sqlite", path)
    register = store.open_register(path)
    try:
        assert store.schema_revision(register) == store.head_revision()
        assert check(register).sound
    finally:
        register.close()
    (backup,) = folder.glob("register?.before-upgrade-0001-*.sqlite")
    copy = sqlite3.connect(backup)
    try:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert copy.execute("SELECT COUNT(*) FROM findings").fetchone() == (40,)
    finally:
        copy.close()
    assert sorted(files_in(folder)) == sorted([path.name, backup.name])


def test_a_relative_odd_path_opens_that_file_and_creates_nothing_else(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    op.create_register(tmp_path / "what?.sqlite", "Org").close()
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "--register", "what?.sqlite", "list")
    assert (code, err) == (0, "") and out.startswith("REF")
    assert files_in(tmp_path) == ["what?.sqlite"]  # not an empty "what" beside it
    code, _out, err = run(capsys, "--register", "nowhere?.sqlite", "list")
    assert code == 1 and "There is no register at nowhere?.sqlite" in one_sentence(err)
    assert files_in(tmp_path) == ["what?.sqlite"]


def test_an_explicit_sqlite_url_still_opens_its_file(tmp_path: Path) -> None:
    path = tmp_path / "register.sqlite"
    op.create_register(path, "Org").close()
    register = store.open_register(f"sqlite:///{path}?mode=rw")
    try:
        assert register.path == path and not register.read_only
        op.record_finding(register, DRAFT)
        assert len(list(list_findings(register, today=TODAY))) == 1
    finally:
        register.close()


def test_an_empty_register_path_is_wrong_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["--register", "", "list"])
    assert exited.value.code == 2
    assert "--register needs a register file" in capsys.readouterr().err


def test_a_named_pipe_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "register.sqlite"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []

    def open_it() -> None:
        try:
            store.open_register(fifo)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)

    opener = threading.Thread(target=open_it, daemon=True)
    opener.start()
    opener.join(10)
    if opener.is_alive():
        # Give the blocked reader its end of file so the thread can finish.
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        opener.join(10)
        pytest.fail("opening a named pipe waited instead of refusing it")
    (error,) = outcome
    assert isinstance(error, NotARegisterError)
    assert str(error) == f"{fifo} is a named pipe, not a register file; choose a register file."
    assert stat.S_ISFIFO(fifo.stat().st_mode) and files_in(tmp_path) == [fifo.name]


def test_a_device_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "--register", os.devnull, "check")
    assert code == 1 and "is a device, not a register file" in one_sentence(err)


# --- Refused means untouched ---------------------------------------------------------------


def _half_made(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id={store.APPLICATION_ID}")
    conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    conn.execute("INSERT INTO alembic_version VALUES (?)", (store.head_revision(),))
    conn.commit()
    conn.close()


def test_a_half_made_register_is_refused_byte_for_byte_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "register.sqlite"
    _half_made(path)
    before = path.read_bytes()
    with pytest.raises(CorruptRegisterError) as caught:
        store.open_register(path)
    message = str(caught.value)
    assert message.startswith(f"{path} is not a whole register (the audits table is missing;")
    assert "the people table is missing" in message and message.endswith("instead.")
    assert path.read_bytes() == before
    assert files_in(tmp_path) == [path.name]


def test_a_register_labelled_with_an_older_schema_is_refused_before_any_backup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "register.sqlite"
    shutil.copy(FIXTURES / "register-0002.sqlite", path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '0001'")
    conn.commit()
    conn.close()
    before = sha256(path)
    code, _out, err = run(capsys, "--register", str(path), "list")
    assert code == 1
    assert (
        "it says schema 0001 but holds tables of a later schema "
        "(finding_search, finding_sort_keys)" in one_sentence(err)
    )
    assert sha256(path) == before
    assert files_in(tmp_path) == [path.name]  # no backup, no -wal


def _interrupted_write(register: Path) -> None:
    """Leave ``register`` as a program killed in the middle of a write in rollback-journal
    mode leaves it: some changed pages already in the file, the originals in -journal."""
    conn = sqlite3.connect(register)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            # A one-page cache makes SQLite write changed pages into the file mid-write.
            "c.execute('PRAGMA cache_size=1')\n"
            "c.execute('BEGIN IMMEDIATE')\n"
            'c.execute("UPDATE findings SET statement = statement || hex(randomblob(2000))")\n'
            "print('writing', flush=True)\n"
            "time.sleep(120)\n",
            str(register),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    with writer.stdout:
        try:
            assert writer.stdout.readline() == "writing\n"
        finally:
            writer.send_signal(signal.SIGKILL)
            writer.wait()


def test_an_interrupted_write_is_rolled_back_and_nothing_committed_is_lost(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "register.sqlite"
    shutil.copy(demo, path)
    conn = sqlite3.connect(path)
    committed = sorted(conn.execute("SELECT ref, title, statement FROM findings").fetchall())
    conn.close()
    _interrupted_write(path)
    journal = tmp_path / "register.sqlite-journal"
    assert journal.stat().st_size > 0
    register = store.open_register(path)
    try:
        assert not register.read_only
        assert check(register).sound
        with register.engine.connect() as reopened:
            rows = reopened.exec_driver_sql("SELECT ref, title, statement FROM findings").all()
        assert sorted(tuple(r) for r in rows) == committed
        op.record_finding(register, DRAFT)  # and it takes new work
    finally:
        register.close()
    assert not journal.exists()
    code, out, _err = run(capsys, "--register", str(path), "check")
    assert code == 0 and out.startswith("Sound:")


# --- Read-only registers -------------------------------------------------------------------


def _make_read_only(target: Path, undo: list[Path]) -> None:
    """Read-only for this process. The administrator passes every permission check, so as
    root the file or folder is made immutable, which even root cannot write."""
    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        if chattr is None:
            pytest.skip("running as root without chattr: nothing makes a file read-only to root")
        result = subprocess.run([chattr, "+i", str(target)], capture_output=True, check=False)
        if result.returncode != 0:
            pytest.skip(f"running as root and chattr +i failed: {result.stderr!r}")
        undo.append(target)
    else:
        target.chmod(0o555 if target.is_dir() else 0o444)
        undo.append(target)


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_read_only_register_opens_read_only_and_checks_sound(
    demo: Path,
    tmp_path: Path,
    what: str,
    read_only_undo: list[Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    path = folder / "register.sqlite"
    shutil.copy(demo, path)
    before = sha256(path)
    _make_read_only(path if what == "file" else folder, read_only_undo)
    code, out, err = run(capsys, "--register", str(path), "check")
    assert (code, err) == (0, "") and out.startswith("Sound:")
    register = store.open_register(path)
    try:
        assert register.read_only
        assert len(list(list_findings(register, today=TODAY))) == 20
        with pytest.raises(RegisterReadOnlyError) as caught:
            op.record_finding(register, DRAFT)
        assert str(caught.value) == (
            f"{path} is read-only (the file or its folder cannot be written), so nothing was "
            "saved; copy it to a folder you can write to, or change its permissions."
        )
        assert len(list(list_findings(register, today=TODAY))) == 20
    finally:
        register.close()
    assert files_in(folder) == ["register.sqlite"]  # no -wal, -shm or -journal left
    assert sha256(path) == before


def test_a_read_only_register_of_an_older_schema_is_refused_without_a_backup(
    tmp_path: Path, read_only_undo: list[Path]
) -> None:
    path = tmp_path / "register.sqlite"
    shutil.copy(FIXTURES / "register-0001.sqlite", path)
    _make_read_only(tmp_path, read_only_undo)
    with pytest.raises(RegisterReadOnlyError, match="must be upgraded, but it is read-only"):
        store.open_register(path)
    assert files_in(tmp_path) == [path.name]


def test_no_register_is_created_in_a_read_only_folder(
    tmp_path: Path, read_only_undo: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _make_read_only(tmp_path, read_only_undo)
    code, _out, err = run(capsys, "demo", str(tmp_path / "new.sqlite"), "--findings", "0")
    assert code == 1
    assert one_sentence(err) == (
        f"carapp: {tmp_path / 'new.sqlite'} cannot be created because its folder is "
        "read-only; choose a folder you can write to.\n"
    )
    assert files_in(tmp_path) == []


def test_a_writable_register_is_not_read_only(register: store.Register) -> None:
    assert not register.read_only


# --- Database errors by SQLite's code ------------------------------------------------------


def _sqlite_error(message: str, code: int) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError(message)
    error.sqlite_errorcode = code
    return error


@pytest.mark.parametrize(
    ("code", "message", "error", "words"),
    [
        (10, "disk I/O error", DiskIOError, "could not be read or written"),
        (266, "database disk image is malformed", DiskIOError, "check the drive"),  # IOERR_READ
        (13, "no space", DiskFullError, "is full"),
        (5, "something", RegisterLockedError, "locked by another program"),
        (6, "something", RegisterLockedError, "locked by another program"),
        (8, "something", RegisterReadOnlyError, "is read-only"),
        (11, "something", CorruptRegisterError, "is damaged"),
        (26, "file is not a database", CorruptRegisterError, "is damaged"),
    ],
)
def test_database_errors_are_told_apart_by_their_code(
    code: int, message: str, error: type[Exception], words: str
) -> None:
    with pytest.raises(error) as caught, store.translate_errors(where="register.sqlite"):
        raise _sqlite_error(message, code)
    assert words in str(caught.value)
    if error is DiskIOError:
        assert "damaged" not in str(caught.value) and "backup" not in str(caught.value)


def test_an_error_whose_text_only_sounds_known_is_a_bug() -> None:
    with pytest.raises(sqlite3.OperationalError), store.translate_errors(where="register"):
        raise _sqlite_error("database is locked; disk is full; readonly", 1)


def test_a_real_full_register_says_the_disk_is_full(register: store.Register) -> None:
    with register.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()

    def no_more_pages(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    from sqlalchemy import event

    register.engine.dispose()
    event.listen(register.engine, "connect", no_more_pages)
    long = op.FindingDraft("x" * 200, Source.MONITORING, Classification.MINOR, TODAY, "y" * 9000)
    with pytest.raises(DiskFullError, match="is full, so nothing was saved"):
        for _ in range(50):
            op.record_finding(register, long)


# --- check names what is missing -----------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "record"),
    [("corrective_actions", "CorrectiveAction"), ("root_causes", "RootCause")],
)
def test_check_names_a_row_deleted_with_another_tool(
    demo: Path, tmp_path: Path, table: str, record: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "register.sqlite"
    shutil.copy(demo, path)
    conn = sqlite3.connect(path)
    (row_id,) = conn.execute(f"SELECT min(id) FROM {table}").fetchone()
    conn.execute(f"DROP TRIGGER {table}_no_delete")
    conn.execute(f"DELETE FROM {table} WHERE id = ?", (row_id,))
    conn.commit()
    conn.close()
    code, _out, err = run(capsys, "--register", str(path), "check")
    assert code == 1 and "internal error" not in err
    assert err.startswith("carapp: ") and "problem(s) found in register.sqlite" in err
    assert f"{record} " in err and "was removed outside carapp" in err
    assert f"points at {table} #{row_id}, which was removed outside carapp" in err


DROPPABLE = ["people", "history", "history_head", "finding_sort_keys", "finding_search"]


@pytest.mark.parametrize("table", DROPPABLE)
@pytest.mark.parametrize("command", ["check", "list"])
def test_a_dropped_table_is_named_and_the_register_refused(
    demo: Path, tmp_path: Path, table: str, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "register.sqlite"
    shutil.copy(demo, path)
    conn = sqlite3.connect(path)
    conn.execute(f"DROP TABLE {table}")
    conn.commit()
    conn.close()
    before = sha256(path)
    code, out, err = run(capsys, "--register", str(path), command)
    assert (code, out) == (1, "")
    assert one_sentence(err) == (
        f"carapp: {path} is not a whole register (the {table} table is missing); "
        "open your latest backup copy instead.\n"
    )
    assert sha256(path) == before
    with pytest.raises(CorruptRegisterError, match=f"the {table} table is missing"):
        store.open_register(path)  # what the window calls


@pytest.mark.parametrize("table", DROPPABLE)
def test_check_of_an_open_register_reports_a_table_dropped_meanwhile(
    demo: Path, tmp_path: Path, table: str
) -> None:
    path = tmp_path / "register.sqlite"
    shutil.copy(demo, path)
    register = store.open_register(path)
    try:
        other = sqlite3.connect(path)
        other.execute(f"DROP TABLE {table}")
        other.commit()
        other.close()
        register.engine.dispose()  # a fresh connection sees the new schema
        report = check(register)
    finally:
        register.close()
    assert not report.sound
    assert f"database: the {table} table is missing" in [str(p) for p in report.problems]


def test_check_names_a_register_with_no_schema_version(
    register: store.Register,
) -> None:
    with register.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM alembic_version")
    assert [str(p) for p in check(register).problems][-1] == (
        "schema: the register has no schema version"
    )


def test_the_hot_journal_of_a_read_only_register_is_named(
    demo: Path, tmp_path: Path, read_only_undo: list[Path]
) -> None:
    path = tmp_path / "register.sqlite"
    shutil.copy(demo, path)
    _interrupted_write(path)
    _make_read_only(tmp_path, read_only_undo)
    with pytest.raises(RegisterReadOnlyError, match="was left half-written by a program"):
        store.open_register(path)
    assert sorted(files_in(tmp_path)) == ["register.sqlite", "register.sqlite-journal"]
