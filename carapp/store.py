"""Opening, creating, migrating and backing up a register.

A register is one SQLite file (or any SQLAlchemy URL, for teams on PostgreSQL later). A file
is inspected read-only before anything writes to it: a file that is not a register, a
damaged register or one written by a newer carapp is refused with a sentence and left
byte-for-byte as it was. A register at an older schema is copied with SQLite's backup API
before it is migrated.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import struct
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, configure_mappers, sessionmaker

from carapp.errors import (
    CarappError,
    CorruptRegisterError,
    DiskFullError,
    NewerRegisterError,
    NotARegisterError,
    RegisterLockedError,
    RegisterMissingError,
    RegisterReadOnlyError,
)
from carapp.models import history, rules
from carapp.models.history import Clock

if TYPE_CHECKING:
    from alembic.config import Config

# 'CARR' in the SQLite header marks a file as a carapp register before any table is read.
APPLICATION_ID = 0x43415252
SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
DEFAULT_FILE_NAME = "register.sqlite"
# A random id, written first into every new register's history so that entry 1, whose hash
# names the register to its anchors (carapp/anchors.py), differs between any two registers.
REGISTER_ID_KEY = "register.id"
QUICK_CHECK_LIMIT = 256 * 1024 * 1024


def default_register_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("carapp", appauthor=False)) / DEFAULT_FILE_NAME


def is_url(location: str | os.PathLike[str]) -> bool:
    return "://" in str(location)


@dataclass
class Register:
    """An open register: an engine and a factory of short sessions, one per operation."""

    url: str
    engine: Engine
    path: Path | None
    sessions: sessionmaker[Session] = field(repr=False)

    @property
    def name(self) -> str:
        return self.path.name if self.path else self.engine.url.render_as_string()

    @contextlib.contextmanager
    def session(self, *, actor: str | None = None, clock: Clock | None = None) -> Iterator[Session]:
        """A session that commits on success, rolls back on error, and turns the database's
        own failures (locked, full, read-only) into sentences."""
        with translate_errors(self), self.sessions() as session:
            if actor:
                session.info["actor"] = actor
            if clock:
                session.info["clock"] = clock
            with session.begin():
                yield session

    def close(self) -> None:
        self.engine.dispose()


# --- Errors --------------------------------------------------------------------------------


@contextlib.contextmanager
def translate_errors(register: Register | None = None, where: str | None = None) -> Iterator[None]:
    name = where or (str(register.path) if register and register.path else "the register")
    try:
        yield
    except (OperationalError, DBAPIError) as exc:
        known = _known(exc.orig, name)
        if known is None:
            raise
        raise known from exc
    except sqlite3.Error as exc:
        known = _known(exc, name)
        if known is None:
            raise
        raise known from exc


def _known(exc: BaseException | None, name: str) -> CarappError | None:
    message = str(exc).lower()
    if "locked" in message or "busy" in message:
        return RegisterLockedError(
            f"{name} is locked by another program (another carapp window, a backup or "
            "sync tool); close that program and try again."
        )
    if "disk is full" in message or "database or disk is full" in message:
        return DiskFullError(
            f"The disk holding {name} is full, so nothing was saved; free some space and try again."
        )
    if "readonly" in message or "read-only" in message:
        return RegisterReadOnlyError(
            f"{name} cannot be written (the file or its folder is read-only); copy it "
            "to a folder you can write to, or change its permissions."
        )
    if "malformed" in message or "not a database" in message or "disk i/o" in message:
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


def inspect_file(path: Path) -> None:
    """Refuse ``path`` unless it is a sound carapp register; never writes to it."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            header = fh.read(100)
    except IsADirectoryError:
        raise NotARegisterError(f"{path} is a folder, not a register file.") from None
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
    if pages and change_counter == valid_for and size < pages * page_size:
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
    _check_readonly(path)


def _readonly_uri(path: Path) -> str:
    uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro"
    # With no write-ahead log beside it there is nothing to recover: immutable=1 reads the
    # file without creating -wal/-shm side files next to a file we may refuse.
    if not Path(str(path) + "-wal").exists():
        uri += "&immutable=1"
    return uri


def _check_readonly(path: Path) -> None:
    with translate_errors(where=str(path)):
        conn = sqlite3.connect(_readonly_uri(path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
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
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if "alembic_version" not in tables:
                raise CorruptRegisterError(
                    f"{path} is a carapp register that was never completed; "
                    "create a new register or open a backup copy."
                )
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    _check_revision(str(path), revision[0] if revision else None)


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


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def make_engine(url: str) -> Engine:
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _on_sqlite_connect)
    return engine


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
    """Copy a live register with SQLite's backup API (consistent even mid-write)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    with translate_errors(where=str(destination)):
        source = sqlite3.connect(register_path, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            target = sqlite3.connect(destination)
            try:
                source.backup(target)
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
        finally:
            source.close()
    return destination


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
    if not path.exists():
        if not create:
            raise RegisterMissingError(
                f"There is no register at {path}; check the path, or create a new register."
            )
        return _create_file(path)
    inspect_file(path)
    url = f"sqlite:///{path.resolve()}"
    engine = make_engine(url)
    try:
        with translate_errors(where=str(path)):
            revision = current_revision(engine)
            if revision != head_revision():
                assert revision is not None
                _pre_migration_backup(path, revision)
                migrate(engine)
    except BaseException:
        engine.dispose()
        raise
    return Register(url=url, engine=engine, path=path, sessions=make_sessions(engine))


def _create_file(path: Path) -> Register:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RegisterReadOnlyError(
            f"The folder for {path} cannot be created: {exc.strerror}."
        ) from None
    url = f"sqlite:///{path.resolve()}"
    engine = make_engine(url)
    try:
        with translate_errors(where=str(path)):
            with engine.begin() as conn:
                conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
            migrate(engine)
            register = Register(url=url, engine=engine, path=path, sessions=make_sessions(engine))
            _name_register(register)
    except BaseException:
        engine.dispose()
        with contextlib.suppress(OSError):
            path.unlink()
        raise
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
                if revision != head_revision():
                    migrate(engine)
    except BaseException:
        engine.dispose()
        raise
    return Register(url=url, engine=engine, path=None, sessions=make_sessions(engine))


def schema_revision(register: Register) -> str | None:
    return current_revision(register.engine)
