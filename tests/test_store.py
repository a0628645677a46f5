"""The register file: created at head with safe SQLite settings; anything that is not a sound
register is refused with one sentence and left byte-for-byte as it was."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import textwrap
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from alembic.config import Config

from carapp import operations as op
from carapp import store
from carapp.check import check
from carapp.errors import (
    CorruptRegisterError,
    NewerRegisterError,
    NotARegisterError,
    RegisterLockedError,
    RegisterMissingError,
)
from carapp.models.enums import Classification, Source
from carapp.queries import list_findings
from tests.conftest import TODAY, sha256

FIXTURES = Path(__file__).parent / "fixtures"


def test_revision_file_names_match_alembic_history() -> None:
    """Opening a register reads revisions from file names; they must be Alembic's chain."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(store.alembic_config())
    chain = [s.revision for s in reversed(list(scripts.walk_revisions()))]
    assert tuple(chain) == store.known_revisions()
    assert scripts.get_current_head() == store.head_revision()


def test_new_register_is_at_head_with_safe_settings(register: store.Register) -> None:
    assert store.schema_revision(register) == store.head_revision()
    with register.engine.connect() as conn:
        pragma = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in (
                "foreign_keys",
                "journal_mode",
                "synchronous",
                "busy_timeout",
                "application_id",
            )
        }
    assert pragma == {
        "foreign_keys": 1,
        "journal_mode": "wal",
        "synchronous": 2,  # FULL
        "busy_timeout": store.BUSY_TIMEOUT_MS,
        "application_id": store.APPLICATION_ID,
    }


def test_new_register_holds_the_catalog_and_default_rules(register: store.Register) -> None:
    with register.sessions() as session:
        assert op.requirement_by_code(session, "a.5.18").title == "Access rights"
        assert op.requirement_by_code(session, "10.1 (2013)").code == "10.2"
        assert op.setting(session, "organisation") == "Northwind Logistics Ltd"


def test_reopening_keeps_what_was_saved(register_path: Path) -> None:
    reg = op.create_register(register_path, "Org")
    ref = op.record_finding(
        reg,
        op.FindingDraft(
            "Scope statement out of date", Source.INTERNAL_AUDIT, Classification.MINOR, TODAY
        ),
    ).result
    reg.close()
    again = store.open_register(register_path)
    try:
        assert [r.ref for r in list_findings(again, today=TODAY)] == [ref]
    finally:
        again.close()


def _xlsx(path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["Ref", "Title"])
    book.save(path)


def _plain_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    conn.close()


def _register_then(path: Path, damage: str) -> None:
    op.create_register(path, "Org").close()
    data = bytearray(path.read_bytes())
    if damage == "truncated":
        path.write_bytes(bytes(data[: len(data) // 2]))
    elif damage == "corrupt":
        # Scribble over the middle pages, leaving the header intact.
        start = 4096 * 3
        data[start : start + 8192] = b"\xa5" * 8192
        path.write_bytes(bytes(data))
    elif damage == "newer":
        conn = sqlite3.connect(path)
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
        conn.commit()
        conn.close()


BAD_FILES: dict[str, tuple[Callable[[Path], object], type[Exception], str]] = {
    "text": (lambda p: p.write_text("Ref,Title\nNC-1,Leavers\n"), NotARegisterError, "text file"),
    "xlsx": (_xlsx, NotARegisterError, "Excel"),
    "empty": (lambda p: p.write_bytes(b""), NotARegisterError, "empty"),
    "other sqlite": (_plain_sqlite, NotARegisterError, "not a carapp register"),
    "truncated": (lambda p: _register_then(p, "truncated"), CorruptRegisterError, "truncated"),
    "corrupt": (lambda p: _register_then(p, "corrupt"), CorruptRegisterError, "damaged"),
    "newer": (lambda p: _register_then(p, "newer"), NewerRegisterError, "newer version"),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_bad_files_are_refused_in_one_sentence_and_left_untouched(
    tmp_path: Path, kind: str
) -> None:
    make, error, words = BAD_FILES[kind]
    path = tmp_path / "suspect.sqlite"
    make(path)
    before = sha256(path)
    siblings = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(error) as caught:
        store.open_register(path)
    message = str(caught.value)
    assert words in message
    assert "\n" not in message and message.endswith(".")
    assert str(path) in message
    assert sha256(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == siblings  # no -wal, no backup


@pytest.mark.parametrize("as_url", [False, True])
def test_a_missing_register_is_not_created_unless_asked(tmp_path: Path, as_url: bool) -> None:
    path = tmp_path / "nowhere.sqlite"
    with pytest.raises(RegisterMissingError, match="There is no register at"):
        store.open_register(f"sqlite:///{path}" if as_url else path)
    assert not path.exists()


def test_a_sqlite_url_opens_the_same_register(register_path: Path) -> None:
    op.create_register(register_path, "Org").close()
    register = store.open_register(f"sqlite:///{register_path}")
    try:
        assert register.path == register_path
        assert check(register).sound
    finally:
        register.close()


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("register-*.sqlite")))
def test_register_fixtures_of_every_released_schema_open_and_are_sound(
    tmp_path: Path, fixture: str
) -> None:
    """A register written at any released schema must open in every later carapp."""
    copy = tmp_path / "old.sqlite"
    shutil.copy(FIXTURES / fixture, copy)
    register = store.open_register(copy)
    try:
        assert store.schema_revision(register) == store.head_revision()
        assert check(register).sound
        assert len(list(list_findings(register, today=TODAY))) == 40
    finally:
        register.close()


def test_an_older_register_is_backed_up_before_it_is_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A future schema: the shipped revisions plus one that adds a column.
    scripts = tmp_path / "migrations"
    shutil.copytree(Path(store.__file__).parent / "migrations", scripts)
    (scripts / "versions" / "9001_future.py").write_text(
        textwrap.dedent(
            """
            import sqlalchemy as sa
            from alembic import op

            revision = "9001"
            down_revision = "{head}"
            branch_labels = None
            depends_on = None


            def upgrade():
                with op.batch_alter_table("people") as batch:
                    batch.add_column(sa.Column("phone", sa.String(40), nullable=True))
            """
        ).format(head=store.head_revision())
    )

    def future_config() -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(scripts))
        return cfg

    monkeypatch.setattr(store, "alembic_config", future_config)
    shipped = store.known_revisions()
    monkeypatch.setattr(store, "known_revisions", lambda: (*shipped, "9001"))
    path = tmp_path / "register.sqlite"
    shutil.copy(FIXTURES / "register-0001.sqlite", path)
    original = sha256(path)
    register = store.open_register(path)
    try:
        assert store.schema_revision(register) == "9001"
        with register.engine.connect() as conn:
            columns = [row[1] for row in conn.exec_driver_sql("PRAGMA table_info(people)")]
        assert "phone" in columns
    finally:
        register.close()
    backups = list(tmp_path.glob("register.before-upgrade-0001-*.sqlite"))
    assert len(backups) == 1
    copy = sqlite3.connect(backups[0])
    try:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert copy.execute("SELECT COUNT(*) FROM findings").fetchone() == (40,)
    finally:
        copy.close()
    assert sha256(path) != original


def test_a_locked_register_says_so_and_keeps_what_was_saved(
    register_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 200)
    reg = op.create_register(register_path, "Org")
    draft = op.FindingDraft("Backups not tested", Source.MONITORING, Classification.MINOR, TODAY)
    kept = op.record_finding(reg, draft).result
    other = sqlite3.connect(register_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        with pytest.raises(RegisterLockedError, match="locked by another program"):
            op.record_finding(reg, draft)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert [r.ref for r in list_findings(reg, today=TODAY)] == [kept]
    assert op.record_finding(reg, draft).result != kept  # works again once the lock is gone
    reg.close()


def test_backup_copy_is_a_complete_register(register: store.Register, tmp_path: Path) -> None:
    op.record_finding(
        register,
        op.FindingDraft(
            "SoA control without evidence",
            Source.INTERNAL_AUDIT,
            Classification.MAJOR,
            dt.date(2026, 1, 5),
            requirement_codes=("A.5.37",),
        ),
    )
    assert register.path is not None
    copy = store.backup(register.path, tmp_path / "copies" / "backup.sqlite")
    reopened = store.open_register(copy)
    try:
        assert check(reopened).sound
        assert [r.title for r in list_findings(reopened, today=TODAY)] == [
            "SoA control without evidence"
        ]
    finally:
        reopened.close()


# SQLAlchemy cannot reflect an index on expressions (0003's ref order); the ref sort test
# checks that SQLite walks it.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_migrations_build_the_schema_the_models_describe(tmp_path: Path) -> None:
    """A new register, made by running every migration, has each table, column and index
    the ORM models declare, and nothing they do not (the full-text tables aside)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from carapp.models.entities import Base

    register = store.open_register(tmp_path / "new.sqlite", create=True)
    try:
        with register.engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        register.close()
    ignored = {"alembic_version"}
    relevant = [
        d
        for d in differences
        if not (d[0] == "remove_table" and (d[1].name in ignored or "search" in d[1].name))
    ]
    assert relevant == []


@pytest.mark.parametrize("revision", store.known_revisions())
def test_the_tables_each_schema_must_have_are_what_its_migration_builds(
    tmp_path: Path, revision: str
) -> None:
    """Opening refuses a register whose tables do not match its schema version, so the list
    it checks against must be exactly what migrating to that version builds."""
    from alembic import command

    path = tmp_path / "new.sqlite"
    engine = store.make_engine(path)
    try:
        cfg = store.alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
        with engine.connect() as conn:
            tables = {
                name
                for (name,) in conn.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                )
            }
    finally:
        engine.dispose()
    shadow = {t for t in tables if t.startswith("finding_search_")}  # FTS5's own tables
    assert tables - shadow == store.SCHEMA_TABLES[revision]
