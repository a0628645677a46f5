"""How references look (``NC-2026-007``) and the register's default settings, the
reference prefixes among them: what the use cases hand out and an import keeps."""

from __future__ import annotations

DEFAULT_SETTINGS: dict[str, str] = {
    "organisation": "",
    "prefix.major": "NC",
    "prefix.minor": "NC",
    "prefix.observation": "OBS",
    "prefix.ofi": "OFI",
    "prefix.audit": "AUD",
    "prefix.action": "CA",
}


REF_WIDTH = {"audit": 2}


def format_ref(prefix: str, year: int, number: int, width: int = 3) -> str:
    return f"{prefix}-{year}-{number:0{width}d}"
