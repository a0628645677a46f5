"""Anchors: what carapp has seen of each register's history, kept outside the register.

The hash chain proves the order of the history, not its origin: someone who rewrites a
register carefully (changes an owner, recomputes every hash and the head) leaves a chain that
``carapp check`` alone finds sound. So each time carapp opens a register it remembers, in the
user's data folder, the position and hash of the last history entry it saw (and when, and
where the file was). Later, a chain that no longer holds that entry unchanged at that position
was rewritten, or cut short, since that day, and carapp says so.

**Which register.** Anchors are filed under the register's own identity: the hash of its
history entry 1. Entry 1 never changes in a sound register, a copy or a backup keeps it (a
copy *is* the same register and must hold the same history), and its hash covers its time
stamp, the account that wrote it and the record it created. Registers created by this version
of carapp write a random id as entry 1 (``store.REGISTER_ID_KEY``), so no two of them share an
identity; in older registers entry 1 is the first record of the register, and two of them
share an identity only if the same account created them in the same second with the same
first record (the deterministic demo registers of one seed did). An identity kept in a
setting alone would not be safer: whoever rewrites the file can change a setting as easily
as entry 1. A register rewritten from entry 1 on gets a new identity and no anchors; carapp
then warns, once, if another register was last seen at the same place. What anchors cannot
see is such a register moved elsewhere, or the anchor folder itself deleted: an auditor who
keeps the fingerprint (:func:`fingerprint`) outside the laptop covers both, with
``carapp check --anchor N:HASH``. Nor can they tell an entry appended with another tool
after the last anchor from one carapp wrote: the chain proves order, not origin.

A few anchors are kept per register (the last one seen each day, :data:`KEPT`), so that a
rewrite is reported as "last seen intact on DATE". A register found rewritten is not
anchored again: the anchors that it contradicts keep saying so on every opening.

Writing the anchors never stops a register from opening: a failure becomes a warning
sentence. No Qt here: the command line and the window both call :func:`verify_and_record`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from carapp.errors import InvalidInputError
from carapp.files import write_text_atomically
from carapp.models import history
from carapp.store import Register, translate_errors

ANCHORS_ENV = "CARAPP_ANCHORS"
KEPT = 30
SHORT_HASH = 12
FILE_VERSION = 1

_table = history.history_table


def anchors_folder() -> Path:
    if os.environ.get(ANCHORS_ENV):
        return Path(os.environ[ANCHORS_ENV])
    import platformdirs

    return Path(platformdirs.user_data_dir("carapp", appauthor=False)) / "anchors"


# --- The fingerprint -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """How many history entries a register holds and the hash of the last one."""

    entries: int
    head_hash: str

    @property
    def full(self) -> str:
        """For machines and for auditors who will verify later: ``1234:<64 hex>``."""
        return f"{self.entries}:{self.head_hash}"

    @property
    def short(self) -> str:
        """For people reading a screen: ``1234:9f2c1a0b3c4d``."""
        return f"{self.entries}:{self.head_hash[:SHORT_HASH]}"

    def __str__(self) -> str:
        return self.short


def fingerprint(register: Register) -> Fingerprint:
    """The register's fingerprint: entry count and head hash, as the chain itself ends."""
    with translate_errors(register), register.engine.connect() as conn:
        return _fingerprint(conn)


def _fingerprint(conn: Connection) -> Fingerprint:
    last = conn.execute(
        select(_table.c.seq, _table.c.hash).order_by(_table.c.seq.desc()).limit(1)
    ).one_or_none()
    if last is None:
        return Fingerprint(0, history.GENESIS)
    return Fingerprint(int(last.seq), str(last.hash))


_IDENTITY = re.compile(r"[0-9a-f]{64}")
_ANCHOR_TEXT = re.compile(r"\s*(\d+)\s*:\s*([0-9a-fA-F]+)\s*")


def parse_anchor(value: str) -> tuple[int, str]:
    """``N:HASH`` as printed by ``carapp check``; the hash may be shortened to its first
    :data:`SHORT_HASH` characters."""
    match = _ANCHOR_TEXT.fullmatch(value)
    if match is None or int(match[1]) < 1 or not SHORT_HASH <= len(match[2]) <= 64:
        raise InvalidInputError(
            f"{value!r} is not a fingerprint: write the entry number, a colon and its hash "
            f"(at least {SHORT_HASH} hexadecimal characters), as `carapp check` prints it."
        )
    return int(match[1]), match[2].lower()


def check_anchor(register: Register, seq: int, expected: str) -> str | None:
    """None when entry ``seq`` still has the hash ``expected`` (or starts with it), else a
    sentence naming the entry."""
    with translate_errors(register), register.engine.connect() as conn:
        actual = conn.scalar(select(_table.c.hash).where(_table.c.seq == seq))
        count = _fingerprint(conn).entries
    if actual is None:
        return (
            f"history entry {seq} is not in this register (it holds {count} entries): entries "
            "were removed since the fingerprint was taken, or this is an earlier copy"
        )
    if not str(actual).startswith(expected):
        return (
            f"history entry {seq} no longer has the hash {expected[:SHORT_HASH]}\u2026 it had "
            f"when the fingerprint was taken (it now has {str(actual)[:SHORT_HASH]}\u2026): "
            "the history was rewritten since"
        )
    return None


# --- Verifying against the anchors -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Anchor:
    seq: int
    hash: str
    seen_at: str  # ISO 8601, UTC
    path: str

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash, "seen_at": self.seen_at, "path": self.path}

    @property
    def day(self) -> str:
        return self.seen_at[:10]


@dataclass(frozen=True, slots=True)
class AnchorReport:
    """What the anchors say of a register: ``rewritten`` sentences mean its history changed
    since carapp last saw it; ``warnings`` are about the anchors themselves."""

    identity: str | None
    fingerprint: Fingerprint
    rewritten: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    anchors_checked: int = 0

    @property
    def intact(self) -> bool:
        return not self.rewritten

    @property
    def sentences(self) -> list[str]:
        return self.rewritten + self.warnings


Now = Callable[[], dt.datetime]


def verify(register: Register) -> AnchorReport:
    """Compare the register with its anchors; writes nothing (a read-only register is
    verified the same way)."""
    with translate_errors(register), register.engine.connect() as conn:
        return _verify(conn, _load(_identity(conn), set_aside=False))


def verify_and_record(register: Register, now: Now = history.now_utc) -> AnchorReport:
    """Verify the register against its anchors and, if it holds them all, remember its head
    as seen now. Call it after opening a register."""
    with translate_errors(register), register.engine.connect() as conn:
        identity = _identity(conn)
        stored = _load(identity)
        report = _verify(conn, stored)
    if identity is None or not report.intact or report.fingerprint.entries == 0:
        return report
    if not stored.anchors:
        report.warnings.extend(_replaced(identity, _where(register)))
    warning = _record(identity, stored, report.fingerprint, _where(register), now())
    if warning:
        report.warnings.append(warning)
    return report


def _identity(conn: Connection) -> str | None:
    first = conn.scalar(select(_table.c.hash).where(_table.c.seq == 1))
    return None if first is None else str(first)


@dataclass
class _Stored:
    anchors: list[Anchor]
    warnings: list[str]


def _file(identity: str) -> Path:
    return anchors_folder() / f"{identity}.json"


def _load(identity: str | None, *, set_aside: bool = True) -> _Stored:
    if identity is None:
        return _Stored([], [])
    path = _file(identity)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        anchors = [
            Anchor(int(a["seq"]), str(a["hash"]), str(a["seen_at"]), str(a["path"]))
            for a in data["anchors"]
        ]
    except (FileNotFoundError, NotADirectoryError):
        # Never anchored (a folder that cannot exist is said when writing it fails).
        return _Stored([], [])
    except OSError as exc:
        return _Stored([], [f"carapp cannot read its anchors for this register ({exc.strerror})"])
    except (ValueError, KeyError, TypeError):
        if not set_aside:
            return _Stored([], [f"carapp's anchors for this register in {path} are damaged"])
        # Set aside, not overwritten: it may be the evidence someone wanted gone.
        aside = path.with_name(f"{path.stem}.damaged-{dt.datetime.now():%Y%m%d-%H%M%S}.json")
        with contextlib.suppress(OSError):
            path.replace(aside)
        return _Stored(
            [],
            [
                f"carapp's anchors for this register were damaged and were set aside as {aside}; "
                "it starts new ones"
            ],
        )
    return _Stored(sorted(anchors, key=lambda a: (a.seen_at, a.seq)), [])


def _verify(conn: Connection, stored: _Stored) -> AnchorReport:
    print_ = _fingerprint(conn)
    identity = _identity(conn)
    if not stored.anchors:
        return AnchorReport(identity, print_, [], list(stored.warnings), 0)
    seqs = sorted({a.seq for a in stored.anchors})
    now_held: dict[int, str] = {
        int(seq): str(h)
        for seq, h in conn.execute(
            select(_table.c.seq, _table.c.hash).where(_table.c.seq.in_(seqs))
        )
    }
    broken = [a for a in stored.anchors if now_held.get(a.seq) != a.hash]
    if not broken:
        return AnchorReport(identity, print_, [], list(stored.warnings), len(stored.anchors))
    last_seen = stored.anchors[-1]
    # The lowest entry that changed, and the highest one below it still intact: the rewrite
    # lies between them.
    first_broken = min(broken, key=lambda a: a.seq)
    intact_below = [a.seq for a in stored.anchors if a not in broken and a.seq < first_broken.seq]
    since = (
        f"carapp last saw it intact on {last_seen.day} ({last_seen.seq} entries, at "
        f"{last_seen.path})"
    )
    if first_broken.seq not in now_held:
        sentence = (
            f"this register's history was cut short: {since}, but it now holds only "
            f"{print_.entries} entries; entries after {print_.entries} were removed, or this "
            "is an earlier copy of the register"
        )
    else:
        span = (
            f"; entry {max(intact_below)} is still as it was, so the change lies in entries "
            f"{max(intact_below) + 1} to {first_broken.seq}"
            if intact_below
            else ""
        )
        sentence = (
            f"this register's history was rewritten: {since}, and history entry "
            f"{first_broken.seq} no longer has the hash it had on {first_broken.day}{span}"
        )
    return AnchorReport(identity, print_, [sentence], list(stored.warnings), len(stored.anchors))


def _replaced(identity: str, where: str) -> list[str]:
    """A register never seen before, at a place where carapp last saw another one: the
    history was rewritten from entry 1 (which changes the identity), or another register
    was put there. Said once, as a warning: recreating a register there is legitimate."""
    out = []
    for path in sorted(anchors_folder().glob("*.json")):
        if path.stem == identity or not _IDENTITY.fullmatch(path.stem):
            continue  # this register's own, or one set aside as damaged
        latest = _load(path.stem, set_aside=False).anchors[-1:]
        if latest and latest[0].path == where:
            out.append(
                f"when carapp last saw {where} on {latest[0].day}, it held a different register "
                f"({latest[0].seq} history entries, another entry 1): its history was rewritten "
                "from the start, or another register was put in its place"
            )
    return out


def _where(register: Register) -> str:
    if register.path is not None:
        return str(register.path.resolve())
    return register.engine.url.render_as_string(hide_password=True)


def _record(
    identity: str, stored: _Stored, seen: Fingerprint, where: str, moment: dt.datetime
) -> str | None:
    at = moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    anchor = Anchor(seen.entries, seen.head_hash, at, where)
    # The last one seen each day; the newest KEPT days.
    kept = [a for a in stored.anchors if a.day != anchor.day] + [anchor]
    kept = kept[-KEPT:]
    data = {
        "version": FILE_VERSION,
        "register": identity,
        "anchors": [a.as_json() for a in kept],
    }
    path = _file(identity)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomically(path, json.dumps(data, indent=1))
    except OSError as exc:
        return (
            f"carapp could not remember this register's history in {path.parent} "
            f"({exc.strerror or exc}), so a later rewrite of it may go unnoticed; the register "
            "itself is unchanged"
        )
    return None
