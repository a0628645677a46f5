"""Opening, creating, migrating and backing up a register.

A register is one SQLite file (or any SQLAlchemy URL, for teams on PostgreSQL later). A file
is inspected read-only before anything writes to it: a file that is not a register, a
damaged register, one whose tables do not match its schema version or one written by a newer
carapp is refused with a sentence and left byte-for-byte as it was. A register at an older
schema is copied with SQLite's backup API before it is migrated.

A file's path never goes into a URL as text (a ``?`` or ``#`` in a folder name would start
a query): SQLite is handed the path itself, or a URI with every special character quoted.
A register the user cannot write to opens read-only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import sqlite3
import stat
import struct
import threading
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import URL, Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, configure_mappers, sessionmaker

from carapp import writers
from carapp.errors import (
    CarappError,
    CorruptRegisterError,
    DiskFullError,
    DiskIOError,
    NewerRegisterError,
    NotARegisterError,
    RegisterLockedError,
    RegisterMissingError,
    RegisterReadOnlyError,
)
from carapp.files import atomic_path
from carapp.models import history, rules
from carapp.models.history import Clock

if TYPE_CHECKING:
    from alembic.config import Config

# 'CARR' in the SQLite header marks a file as a carapp register before any table is read.
APPLICATION_ID = 0x43415252
SQLITE_MAGIC = b"SQLite format 3\x00"
# How long a write waits for another program's write to finish before saying the register
# is locked. SQLite's waiting is polling, not a queue: against a writer that saves in a tight
# loop (an import, a script) a few seconds can pass before a gap is caught.
BUSY_TIMEOUT_MS = 10000
# Tests set it short.
BUSY_TIMEOUT_ENV = "CARAPP_BUSY_TIMEOUT_MS"
DEFAULT_FILE_NAME = "register.sqlite"
# A random id, written first into every new register's history so that entry 1, whose hash
# names the register to its anchors (carapp/anchors.py), differs between any two registers.
REGISTER_ID_KEY = "register.id"
QUICK_CHECK_LIMIT = 256 * 1024 * 1024

# The tables each released schema has (FTS5's own shadow tables aside). Released revisions
# never change, so neither do their rows here; a test holds this to what the migrations build.
_TABLES_0001 = frozenset(
    {
        "alembic_version",
        "audits",
        "corrective_actions",
        "deadline_rules",
        "effectiveness_reviews",
        "evidence",
        "extension_requests",
        "finding_actions",
        "finding_requirements",
        "finding_root_causes",
        "findings",
        "history",
        "history_head",
        "people",
        "ref_counters",
        "requirements",
        "root_causes",
        "settings",
        "why_steps",
    }
)
SCHEMA_TABLES: dict[str, frozenset[str]] = {
    "0001": _TABLES_0001,
    "0002": _TABLES_0001 | {"finding_sort_keys", "finding_search"},
    "0003": _TABLES_0001 | {"finding_sort_keys", "finding_search"},  # columns only
    "0004": _TABLES_0001 | {"finding_sort_keys", "finding_search"},  # an index only
    "0005": _TABLES_0001 | {"finding_sort_keys", "finding_search"},  # a column only
    "0006": _TABLES_0001 | {"finding_sort_keys", "finding_search"},  # a column only
    "0007": _TABLES_0001
    | {"finding_sort_keys", "finding_search"}
    | {"workshops", "workshop_attendees", "parked_issues", "similar_evaluations", "drafts"},
    "0008": _TABLES_0001
    | {"finding_sort_keys", "finding_search"}
    | {"workshops", "workshop_attendees", "parked_issues", "similar_evaluations", "drafts"}
    | {"imports"},
}
# Only SQLite keeps the full-text table (see carapp.models.finding_index).
SQLITE_ONLY_TABLES = frozenset({"finding_search"})


def default_register_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("carapp", appauthor=False)) / DEFAULT_FILE_NAME


def is_url(location: str | os.PathLike[str]) -> bool:
    return "://" in str(location)


@dataclass
class Register:
    """An open register: an engine and a factory of short sessions, one per operation.

    ``url`` names it to a person; ``location`` is what reaches it again (a file's path is
    not safe to turn back into a URL). A ``read_only`` register refuses every write with
    :class:`RegisterReadOnlyError`.
    """

    url: str
    engine: Engine
    path: Path | None
    sessions: sessionmaker[Session] = field(repr=False)
    read_only: bool = False
    # This process's note that it has the register open for writing (carapp.writers).
    note: Path | None = field(default=None, repr=False)
    # The clock of every session that names none (the CLI's --today sets it): history is
    # stamped by it and use cases take "today" from it, so one run has one today.
    clock: Clock | None = None
    # The transaction() this thread is in, if any (a Save runs off the GUI thread).
    _transaction: threading.local = field(default_factory=threading.local, repr=False)

    @property
    def name(self) -> str:
        return self.path.name if self.path else self.engine.url.render_as_string()

    @property
    def location(self) -> str | Path:
        return self.path.resolve() if self.path else self.url

    @contextlib.contextmanager
    def session(self, *, actor: str | None = None, clock: Clock | None = None) -> Iterator[Session]:
        """A session that commits on success, rolls back on error, and turns the database's
        own failures (locked, full, read-only) into sentences.

        Its transaction takes the write lock before its first read (on SQLite ``BEGIN
        IMMEDIATE``), so what a use case reads (the last reference number, the value a
        history entry changes from) is still true when it writes: a second writer waits
        for the first to commit instead of working from what it read before."""
        joined = getattr(self._transaction, "session", None)
        if joined is not None:
            # Inside transaction(): every use case adds to the one transaction, which commits
            # or rolls back whole when it ends.
            yield joined
            return
        with translate_errors(self), self.sessions(bind=self.writer) as session:
            if actor:
                session.info["actor"] = actor
            clock = clock or self.clock
            if clock:
                session.info["clock"] = clock
            with session.begin():
                yield session

    @contextlib.contextmanager
    def transaction(
        self, *, actor: str | None = None, clock: Clock | None = None
    ) -> Iterator[Session]:
        """One transaction for several use cases run by this thread: an editor's Save is all
        recorded, or, when any part is refused, none of it. Use cases called inside join it
        (their ``session()`` is this one) instead of committing on their own."""
        if getattr(self._transaction, "session", None) is not None:
            raise RuntimeError("transactions do not nest")
        with self.session(actor=actor, clock=clock) as session:
            self._transaction.session = session
            try:
                yield session
            finally:
                self._transaction.session = None

    @functools.cached_property
    def writer(self) -> Engine:
        """The engine for write transactions: the same connections, marked to lock first."""
        return self.engine.execution_options(**{WRITER_OPTION: True})

    def close(self) -> None:
        self.engine.dispose()
        writers.withdraw(self.note)
        self.note = None


# --- Errors --------------------------------------------------------------------------------


@contextlib.contextmanager
def translate_errors(register: Register | None = None, where: str | None = None) -> Iterator[None]:
    name = where or (str(register.path) if register and register.path else "the register")
    path = register.path if register else (Path(where) if where else None)
    try:
        yield
    except (OperationalError, DBAPIError) as exc:
        known = _known(exc.orig, name, path)
        if known is None:
            raise
        raise known from exc
    except sqlite3.Error as exc:
        known = _known(exc, name, path)
        if known is None:
            raise
        raise known from exc


# SQLite's primary result codes (https://www.sqlite.org/rescode.html); an extended code
# carries its primary code in the low byte.
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT = 5, 6, 8, 10, 11
SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 13, 14, 26
SQLITE_READONLY_RECOVERY, SQLITE_READONLY_ROLLBACK = 264, 776


def _known(exc: BaseException | None, name: str, path: Path | None = None) -> CarappError | None:
    """The sentence for a failure of the database itself, told apart by SQLite's error
    code; None for anything else, which is a bug."""
    code = getattr(exc, "sqlite_errorcode", None)
    if not isinstance(code, int):
        return None
    primary = code & 0xFF
    if primary in (SQLITE_BUSY, SQLITE_LOCKED):
        others = writers.others(path) if path is not None else []
        if others:
            return RegisterLockedError(
                f"{name} is being written by {others[0]}; wait for it to finish or close it, "
                "then try again."
            )
        return RegisterLockedError(
            f"{name} is locked by another program (another carapp window, a backup or "
            "sync tool); close that program and try again."
        )
    if primary == SQLITE_FULL:
        return DiskFullError(
            f"The disk holding {name} is full, so nothing was saved; free some space and try again."
        )
    if code in (SQLITE_READONLY_RECOVERY, SQLITE_READONLY_ROLLBACK):
        return RegisterReadOnlyError(
            f"{name} was left half-written by a program that stopped, and putting it right "
            "needs write access; copy it, with the files beside it that share its name, to a "
            "folder you can write to and open the copy."
        )
    if primary == SQLITE_READONLY:
        return RegisterReadOnlyError(
            f"{name} is read-only (the file or its folder cannot be written), so nothing was "
            "saved; copy it to a folder you can write to, or change its permissions."
        )
    if primary == SQLITE_IOERR:
        return DiskIOError(
            f"The disk holding {name} could not be read or written, so nothing was saved; "
            "check the drive or network connection and try again."
        )
    if primary == SQLITE_CANTOPEN:
        return DiskIOError(
            f"{name} cannot be opened (its folder may be read-only, or the drive or network "
            "share unavailable); check the folder and try again."
        )
    if primary in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return CorruptRegisterError(
            f"{name} is damaged and cannot be read; open your latest backup copy instead."
        )
    return None


# --- Inspecting a file without touching it ---------------------------------------------------


def _describe_non_sqlite(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "it is a ZIP archive (an Excel workbook or Office document?), not a register"
    if head.startswith(b"%PDF"):
        return "it is a PDF document, not a register"
    if not head:
        return "it is empty"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "it is not a SQLite database"
    return "it is a text file, not a register"


def _not_a_file(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def inspect_file(path: Path) -> bool:
    """Refuse ``path`` unless it is a sound carapp register; say whether it is read-only.

    Never writes to it, but for one thing any SQLite program does on opening: a write that
    was interrupted (a hot rollback journal beside the file) is rolled back first.
    """
    try:
        info = path.stat()
    except PermissionError:
        raise RegisterReadOnlyError(
            f"{path} cannot be read (permission denied); ask for access or copy the file."
        ) from None
    except OSError as exc:
        raise DiskIOError(f"{path} cannot be opened: {exc.strerror}.") from None
    if stat.S_ISDIR(info.st_mode):
        raise NotARegisterError(f"{path} is a folder, not a register file.")
    # Opening a named pipe or a device to read its header would wait for a writer forever.
    if not stat.S_ISREG(info.st_mode):
        raise NotARegisterError(
            f"{path} is {_not_a_file(info.st_mode)}, not a register file; choose a register file."
        )
    size = info.st_size
    try:
        with path.open("rb") as fh:
            header = fh.read(100)
    except PermissionError:
        raise RegisterReadOnlyError(
            f"{path} cannot be read (permission denied); ask for access or copy the file."
        ) from None
    if not header.startswith(SQLITE_MAGIC):
        raise NotARegisterError(f"{path} cannot be opened: {_describe_non_sqlite(header)}.")
    if len(header) < 100:
        raise CorruptRegisterError(
            f"{path} is truncated (only {size} bytes); open your latest backup copy instead."
        )
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    pages, change_counter, valid_for = (
        struct.unpack(">I", header[28:32])[0],
        struct.unpack(">I", header[24:28])[0],
        struct.unpack(">I", header[92:96])[0],
    )
    # A hot journal holds the pages as they were before the interrupted write: the file may
    # look short or damaged until SQLite has put them back.
    journal = _journal(path).exists()
    if not journal and pages and change_counter == valid_for and size < pages * page_size:
        raise CorruptRegisterError(
            f"{path} is truncated ({size} of {pages * page_size} bytes); "
            "open your latest backup copy instead."
        )
    application_id = struct.unpack(">I", header[68:72])[0]
    if application_id != APPLICATION_ID:
        raise NotARegisterError(
            f"{path} is a SQLite database but not a carapp register; "
            "choose a register file or create a new one."
        )
    read_only = is_read_only(path)
    if journal and not read_only:
        _recover(path)
    _check_contents(path)
    return read_only


def _journal(path: Path) -> Path:
    return Path(f"{path}-journal")


def _wal(path: Path) -> Path:
    return Path(f"{path}-wal")


def is_read_only(path: Path) -> bool:
    """Whether this process cannot write the register: the file or its folder (SQLite writes
    its journal beside the file). Asked of the system and then tried, because the
    administrator passes every permission check yet cannot write an immutable file or a
    read-only mount."""
    if not os.access(path, os.W_OK) or not _folder_writable(path.resolve().parent):
        return True
    try:
        os.close(os.open(path, os.O_RDWR))
    except OSError:
        return True
    return False


def _folder_writable(folder: Path) -> bool:
    # An immutable folder or a read-only mount fails this even for the administrator.
    return os.access(folder, os.W_OK | os.X_OK)


def _recover(path: Path) -> None:
    """Let SQLite roll back an interrupted write, as it does on any ordinary open: reading
    the schema through a writable connection replays a hot journal (and does nothing when
    the journal belongs to a write still under way in another program)."""
    with translate_errors(where=str(path)):
        conn = sqlite3.connect(path.resolve(), timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()


def _readonly_uri(path: Path) -> str:
    # quote() leaves only letters, digits, '/' and '_.-~' as they are: a '?', '#' or '%' in
    # a folder name stays part of the path instead of starting SQLite's URI parameters.
    uri = "file:" + urllib.parse.quote(str(path.resolve()), safe="/") + "?mode=ro"
    # With no journal or write-ahead log beside it there is nothing to recover: immutable=1
    # reads the file without creating -wal/-shm side files next to a file we may refuse,
    # or in a folder we cannot write to.
    if not _wal(path).exists() and not _journal(path).exists():
        uri += "&immutable=1"
    return uri


def _connect_readonly(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(
        _readonly_uri(path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
    )


def _check_contents(path: Path) -> None:
    with translate_errors(where=str(path)):
        conn = _connect_readonly(path)
        try:
            # quick_check reads every page: instant for a real register (a few MB), seconds
            # for a 1 GB one. Above the limit, damage is caught when a page is read (and
            # said in a sentence), and `carapp check` verifies the whole file.
            limit = 5 if path.stat().st_size <= QUICK_CHECK_LIMIT else 0
            problems = (
                [row[0] for row in conn.execute(f"PRAGMA quick_check({limit})")]
                if limit
                else ["ok"]
            )
            if problems != ["ok"]:
                raise CorruptRegisterError(
                    f"{path} is damaged ({problems[0]}); open your latest backup copy instead."
                )
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if "alembic_version" not in tables:
                raise CorruptRegisterError(
                    f"{path} is a carapp register that was never completed; "
                    "create a new register or open a backup copy."
                )
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    version = revision[0] if revision else None
    _check_revision(str(path), version)
    assert version is not None
    _check_tables(str(path), version, tables, full_text=True)


def table_problems(revision: str, tables: set[str], *, full_text: bool) -> list[str]:
    """What is wrong with a register's tables for its schema ``revision``: tables it lacks,
    and tables of a later schema that say its version label is wrong."""
    expected = SCHEMA_TABLES.get(revision, frozenset())
    if not full_text:
        expected -= SQLITE_ONLY_TABLES
    out = [f"the {name} table is missing" for name in sorted(expected - tables)]
    later: set[str] = set()
    for later_revision, later_tables in SCHEMA_TABLES.items():
        if later_revision > revision:
            later |= later_tables - expected
    if later & tables:
        out.append(
            f"it says schema {revision} but holds tables of a later schema "
            f"({', '.join(sorted(later & tables))})"
        )
    return out


def _check_tables(name: str, revision: str, tables: set[str], *, full_text: bool) -> None:
    problems = table_problems(revision, tables, full_text=full_text)
    if problems:
        raise CorruptRegisterError(
            f"{name} is not a whole register ({'; '.join(problems)}); "
            "open your latest backup copy instead."
        )


def _check_revision(name: str, revision: str | None) -> None:
    if revision is None:
        raise CorruptRegisterError(f"{name} has no schema version; open a backup copy instead.")
    if revision not in known_revisions():
        raise NewerRegisterError(
            f"{name} was written by a newer version of carapp (schema {revision}); "
            "install the newer carapp to open it."
        )


# --- Engines and migrations ------------------------------------------------------------------


def known_revisions() -> tuple[str, ...]:
    """Schema revisions this carapp knows, oldest first.

    Read from the file names (``NNNN_what.py``, a convention a test holds the files to), so
    that opening a register does not load Alembic, which is only needed to migrate.
    """
    files = resources.files("carapp.migrations").joinpath("versions").iterdir()
    names = sorted(f.name for f in files if f.name[:4].isdigit() and f.name.endswith(".py"))
    return tuple(name.split("_", 1)[0] for name in names)


def head_revision() -> str:
    return known_revisions()[-1]


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "carapp:migrations")
    return cfg


# An execution option that marks a connection's transactions as writes (Register.writer).
WRITER_OPTION = "carapp_writer"


def _take_over_transactions(engine: Engine) -> None:
    """Let SQLAlchemy, not the sqlite3 module, begin every transaction.

    The sqlite3 module starts a transaction only at the first INSERT, UPDATE or DELETE, so
    the reads of a write ran outside it and another process could write in between (two
    processes handed out the same reference). SQLAlchemy's pysqlite notes give the recipe:
    turn the module's own handling off and emit BEGIN ourselves: IMMEDIATE, which takes
    the write lock at once, for write transactions; a plain BEGIN, a consistent snapshot
    that blocks nobody in WAL mode, for reads.
    """

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        writer = conn.get_execution_options().get(WRITER_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")


def busy_timeout_ms() -> int:
    """How long a write waits for another's to finish before saying the register is busy."""
    value = os.environ.get(BUSY_TIMEOUT_ENV, "")
    return int(value) if value.isdigit() else BUSY_TIMEOUT_MS


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # see _take_over_transactions
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _on_readonly_connect(dbapi_connection: Any, _record: Any) -> None:
    # No journal mode or synchronous setting: both would write to the file.
    dbapi_connection.isolation_level = None  # see _take_over_transactions
    dbapi_connection.execute("PRAGMA foreign_keys=ON")
    dbapi_connection.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")


def make_engine(location: str | os.PathLike[str], *, read_only: bool = False) -> Engine:
    """An engine for a database URL, or for a register file's path (read-only if asked)."""
    if not isinstance(location, os.PathLike):
        engine = create_engine(location)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _on_sqlite_connect)
            _take_over_transactions(engine)
        return engine
    path = Path(location).resolve()

    def connect() -> sqlite3.Connection:
        if read_only:
            return _connect_readonly(path)
        # An absolute path, never a URI: SQLite takes every character of it literally.
        return sqlite3.connect(path, timeout=busy_timeout_ms() / 1000, check_same_thread=False)

    # The URL only names the dialect and, for a person, the file: creator= makes the
    # connections, so the path is never parsed out of it.
    engine = create_engine(URL.create("sqlite", database=str(path)), creator=connect)
    event.listen(engine, "connect", _on_readonly_connect if read_only else _on_sqlite_connect)
    _take_over_transactions(engine)
    return engine


def _file_url(path: Path) -> str:
    return URL.create("sqlite", database=str(path.resolve())).render_as_string()


def prepare_mappings() -> None:
    """Work out the ORM's mappings now. SQLAlchemy does it on first use, which takes 70 ms:
    a GUI calls this at start so that opening a register does not pay it."""
    configure_mappers()


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    factory = sessionmaker(engine, expire_on_commit=False)
    rules.install(factory)
    history.install(factory)
    return factory


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()


def migrate(engine: Engine) -> None:
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def backup(register_path: Path, destination: Path) -> Path:
    """Copy a live register with SQLite's backup API (consistent even mid-write).

    The copy is complete or absent: a failure leaves any file already at ``destination``
    as it was."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    with translate_errors(where=str(destination)), atomic_path(destination) as partial:
        source = sqlite3.connect(register_path.resolve(), timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            target = sqlite3.connect(partial)
            try:
                source.backup(target)
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
        finally:
            source.close()
    return destination


@dataclass(frozen=True, slots=True)
class BackupTarget:
    """What a backup copy saved at ``path`` would replace, found without writing anything:
    so the caller can refuse or ask before :func:`backup` replaces a file."""

    path: Path
    exists: bool
    is_open_register: bool = False  # the register being copied itself
    # Set when the file is a carapp register: the organisation it belongs to.
    organisation: str | None = None
    # Set when the file is something else: what it is ("it is a text file, not a register").
    what: str = ""
    source_organisation: str = ""  # the organisation of the register being copied


def _organisation_at(path: Path) -> str | None:
    """The organisation a carapp register names, read without writing; None if the file is
    no carapp register SQLite can read."""
    uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            row = conn.execute("SELECT value FROM settings WHERE key = 'organisation'").fetchone()
            conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else ""


def backup_target(register_path: Path, destination: Path) -> BackupTarget:
    """What saving a backup copy of the register at ``register_path`` onto ``destination``
    would replace (see :class:`BackupTarget`)."""
    source = _organisation_at(register_path) or ""
    if not (destination.exists() or destination.is_symlink()):
        return BackupTarget(destination, exists=False, source_organisation=source)
    try:
        same = destination.resolve() == register_path.resolve() or os.path.samefile(
            destination, register_path
        )
    except OSError:
        same = False
    if same:
        return BackupTarget(
            destination, exists=True, is_open_register=True, source_organisation=source
        )
    what = ""
    try:
        info = destination.stat()
        if stat.S_ISDIR(info.st_mode):
            what = "it is a folder"
        elif not stat.S_ISREG(info.st_mode):
            what = f"it is {_not_a_file(info.st_mode)}"
        else:
            with destination.open("rb") as fh:
                header = fh.read(100)
            if not header.startswith(SQLITE_MAGIC):
                what = _describe_non_sqlite(header)
    except OSError as exc:
        what = f"it cannot be read ({exc.strerror})"
    organisation = None if what else _organisation_at(destination)
    if organisation is None and not what:
        what = "it is a SQLite database of another program, or a damaged one"
    return BackupTarget(
        destination,
        exists=True,
        organisation=organisation,
        what=what,
        source_organisation=source,
    )


def _pre_migration_backup(path: Path, revision: str) -> Path:
    stamp_ = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return backup(
        path, path.with_name(f"{path.stem}.before-upgrade-{revision}-{stamp_}{path.suffix}")
    )


def open_register(location: str | os.PathLike[str], *, create: bool = False) -> Register:
    """Open the register at a path or URL; create it at the head schema if asked to.

    Refused registers are left exactly as they were.
    """
    if is_url(location):
        file_url = make_url(str(location))
        if file_url.get_backend_name() != "sqlite" or not file_url.database:
            return _open_url(str(location), create=create)
        # A SQLite URL names a file: inspect it like one, before SQLite may create it.
        location = file_url.database
    path = Path(location).expanduser()
    try:
        exists = path.exists()
    except PermissionError:
        raise RegisterReadOnlyError(
            f"{path} cannot be reached (permission denied on its folder); ask for access "
            "or copy the register somewhere you can read it."
        ) from None
    if not exists:
        if not create:
            raise RegisterMissingError(
                f"There is no register at {path}; check the path, or create a new register."
            )
        return _create_file(path)
    read_only = inspect_file(path)
    engine = make_engine(path, read_only=read_only)
    try:
        with translate_errors(where=str(path)):
            revision = current_revision(engine)
            if revision != head_revision():
                assert revision is not None
                if read_only:
                    raise RegisterReadOnlyError(
                        f"{path} was written by an older carapp and must be upgraded, but it "
                        "is read-only; copy it to a folder you can write to and open the copy."
                    )
                _pre_migration_backup(path, revision)
                migrate(engine)
    except BaseException:
        engine.dispose()
        raise
    return Register(
        url=_file_url(path),
        engine=engine,
        path=path,
        sessions=make_sessions(engine),
        read_only=read_only,
        note=None if read_only else writers.announce(path),
    )


def _create_file(path: Path) -> Register:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RegisterReadOnlyError(
            f"The folder for {path} cannot be created: {exc.strerror}."
        ) from None
    if not _folder_writable(path.parent):
        raise RegisterReadOnlyError(
            f"{path} cannot be created because its folder is read-only; choose a folder "
            "you can write to."
        )
    engine = make_engine(path)
    try:
        with translate_errors(where=str(path)):
            with engine.begin() as conn:
                conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
            migrate(engine)
            register = Register(
                url=_file_url(path), engine=engine, path=path, sessions=make_sessions(engine)
            )
            _name_register(register)
            # The application id lives in page 1, which WAL mode keeps in the log until a
            # checkpoint: without one, another program that opens the register meanwhile
            # reads a header that does not yet say it is a carapp register.
            with engine.connect() as conn:
                raw = conn.connection.driver_connection
                assert raw is not None
                raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except BaseException:
        engine.dispose()
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    register.note = writers.announce(path)
    return register


def _name_register(register: Register) -> None:
    from carapp.models.entities import Setting

    with register.session() as session:
        session.add(Setting(key=REGISTER_ID_KEY, value=uuid.uuid4().hex))


def _open_url(url: str, *, create: bool) -> Register:
    engine = make_engine(url)
    try:
        with translate_errors(where=engine.url.render_as_string()):
            tables = set(inspect(engine).get_table_names())
            if not tables:
                if not create:
                    raise RegisterMissingError(
                        f"The database at {engine.url.render_as_string()} holds no register; "
                        "create one first."
                    )
                migrate(engine)
                _name_register(
                    Register(url=url, engine=engine, path=None, sessions=make_sessions(engine))
                )
            elif "alembic_version" not in tables or "findings" not in tables:
                raise NotARegisterError(
                    f"The database at {engine.url.render_as_string()} is not a carapp register."
                )
            else:
                revision = current_revision(engine)
                _check_revision(engine.url.render_as_string(), revision)
                assert revision is not None
                _check_tables(
                    engine.url.render_as_string(),
                    revision,
                    tables,
                    full_text=engine.dialect.name == "sqlite",
                )
                if revision != head_revision():
                    migrate(engine)
    except BaseException:
        engine.dispose()
        raise
    return Register(url=url, engine=engine, path=None, sessions=make_sessions(engine))


def schema_revision(register: Register) -> str | None:
    return current_revision(register.engine)
