"""Who has a register open for writing, so that a busy register can be named to a person.

Each carapp process that opens a register for writing leaves a small JSON note in the
user's runtime folder (never beside the register, whose folder may be read-only or shared):
``carapp/open/<hash of the register's path>-<pid>.json``. A note whose process has died is
ignored, and removed by whoever finds it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from carapp.files import write_text_atomically

# What this process is, as a person would call it; the window sets it when it starts.
COMMAND = "carapp command"
WINDOW = "carapp window"
program = COMMAND


@dataclass(frozen=True)
class Writer:
    pid: int
    user: str
    host: str
    since: dt.datetime
    program: str

    def __str__(self) -> str:
        since = self.since.astimezone().strftime("%H:%M")
        return f"another {self.program} (pid {self.pid}, user {self.user}, open since {since})"


def notes_folder() -> Path:
    """``CARAPP_OPEN`` when set (tests); else the runtime folder, emptied at each login,
    or the state folder where the system has no runtime folder."""
    if os.environ.get("CARAPP_OPEN"):
        return Path(os.environ["CARAPP_OPEN"])
    import platformdirs

    # Without XDG_RUNTIME_DIR, platformdirs guesses a /tmp folder anyone could have made.
    if sys.platform.startswith("linux") and not os.environ.get("XDG_RUNTIME_DIR"):
        return Path(platformdirs.user_state_dir("carapp", appauthor=False)) / "open"
    return Path(platformdirs.user_runtime_dir("carapp", appauthor=False)) / "open"


def _key(path: Path) -> str:
    return hashlib.sha256(str(path.resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def announce(path: Path) -> Path | None:
    """Leave this process's note for ``path``; None when the runtime folder cannot be
    written (the note only improves a sentence, so it never stops a register opening)."""
    from carapp.account import os_account

    note = notes_folder() / f"{_key(path)}-{os.getpid()}.json"
    body = {
        "pid": os.getpid(),
        "user": os_account(),
        "host": socket.gethostname(),
        "since": dt.datetime.now(dt.UTC).isoformat(),
        "program": program,
        "register": str(path.resolve()),
    }
    try:
        note.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomically(note, json.dumps(body))
    except OSError:
        return None
    return note


def withdraw(note: Path | None) -> None:
    if note is not None:
        with contextlib.suppress(OSError):
            note.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    except OSError:
        return False
    return True


def others(path: Path) -> list[Writer]:
    """The other live processes on this machine that have ``path`` open for writing."""
    found: list[Writer] = []
    host = socket.gethostname()
    try:
        notes = sorted(notes_folder().glob(f"{_key(path)}-*.json"))
    except OSError:
        return found
    for note in notes:
        try:
            body = json.loads(note.read_text(encoding="utf-8"))
            writer = Writer(
                pid=int(body["pid"]),
                user=str(body["user"]),
                host=str(body["host"]),
                since=dt.datetime.fromisoformat(str(body["since"])),
                program=str(body["program"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if writer.pid == os.getpid():
            continue
        if writer.host == host and not _alive(writer.pid):
            withdraw(note)
            continue
        found.append(writer)
    return found
