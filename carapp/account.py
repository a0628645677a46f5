"""Who is making a change: the operating-system account, and the name its user goes by.

History names the person behind every change, so that name must not come from anything a
person can set for one command: ``USER=someone-else carapp ...`` changes the environment,
not the account. The account name is read from the operating system (the password database
on POSIX, the logon session on Windows); the display name beside it is the user's own
choice, kept in their config folder, and is recorded as "priya (Priya Natarajan)".
"""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from pathlib import Path

from carapp.errors import InvalidInputError
from carapp.files import write_text_atomically

CONFIG_ENV = "CARAPP_CONFIG"
NAME_LIMIT = 100


def config_folder() -> Path:
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    import platformdirs

    return Path(platformdirs.user_config_dir("carapp", appauthor=False))


def _user_file() -> Path:
    return config_folder() / "user.json"


def os_account() -> str:
    """The login name of the account this process runs as, never taken from the
    environment on POSIX (``getpass.getuser`` reads ``LOGNAME`` and ``USER`` first)."""
    if sys.platform == "win32":
        return _windows_account()
    import pwd

    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        # A container's uid with no entry in /etc/passwd: the number is still the truth.
        return f"uid {uid}"


def _windows_account() -> str:
    try:
        return os.getlogin()  # GetUserNameW: the logon session, not %USERNAME%
    except OSError:
        import getpass

        try:
            return getpass.getuser()
        except Exception:  # noqa: BLE001 - no login name at all (a service account)
            return "unknown"


def display_name() -> str:
    try:
        data = json.loads(_user_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    name = data.get("display_name", "") if isinstance(data, dict) else ""
    return _clean(name) if isinstance(name, str) else ""


def _clean(name: str) -> str:
    return " ".join(name.split())[:NAME_LIMIT]


def set_display_name(name: str) -> None:
    """Remember the name shown beside the account in history; an empty name clears it."""
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in name):
        raise InvalidInputError(
            "A name cannot hold control or invisible formatting characters; type it again."
        )
    cleaned = " ".join(name.split())
    if len(cleaned) > NAME_LIMIT:
        raise InvalidInputError(f"A name can be at most {NAME_LIMIT} characters long.")
    path = _user_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomically(path, json.dumps({"display_name": cleaned}, ensure_ascii=False))
    except OSError as exc:
        raise InvalidInputError(
            f"carapp could not save your name in {path.parent} ({exc.strerror}); check that "
            "the folder can be written."
        ) from None


def actor() -> str:
    """The person recorded in history for changes made now."""
    account = os_account()
    name = display_name()
    return f"{account} ({name})" if name and name != account else account
