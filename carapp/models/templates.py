"""Findings that recur across organisations, as starting points for a new finding."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from carapp.models.enums import Classification


@dataclass(frozen=True, slots=True)
class FindingTemplate:
    name: str
    title: str
    statement: str
    requirement_codes: Sequence[str]
    classification: Classification
