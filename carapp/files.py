"""Writing a file so that it is either whole or not there, and crash logs that never
collide.

A backup copy, an export or an anchor file is written under a temporary name in the same
folder and renamed over the destination only once it is complete and on disk, so a full
disk, a crash or a cancel leaves no half file and never destroys the previous one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import traceback
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(destination: Path) -> Iterator[Path]:
    """A temporary path beside ``destination`` to write to; renamed over it when the block
    ends without an error, removed otherwise."""
    destination = destination.resolve()
    temporary = destination.with_name(f".{destination.name}.{secrets.token_hex(4)}.part")
    try:
        yield temporary
        _sync(temporary)
        os.replace(temporary, destination)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    _sync_folder(destination.parent)


def write_text_atomically(destination: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``destination``, whole or not at all."""
    with atomic_path(destination) as partial:
        partial.write_text(text, encoding="utf-8")


def _sync(path: Path) -> None:
    with path.open("rb+") as fh:
        os.fsync(fh.fileno())


def _sync_folder(folder: Path) -> None:
    # The rename is only durable once the folder's entry is; Windows has no folder handles.
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_crash_log(folder: Path | None = None) -> Path:
    """A new file holding the traceback; two crashes in the same second (two windows, or a
    script running carapp in a loop) never write into the same log."""
    import platformdirs

    folder = folder or Path(platformdirs.user_log_dir("carapp", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    stamp = f"{dt.datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}"
    while True:
        path = folder / f"crash-{stamp}-{secrets.token_hex(4)}.log"
        try:
            with open(path, "x", encoding="utf-8") as out:
                out.write(traceback.format_exc())
        except FileExistsError:
            continue
        return path
