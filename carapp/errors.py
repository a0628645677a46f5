"""Errors a user can act on, each with a sentence that says what happened and what to do.

Anything else that goes wrong is a bug and is left to propagate.
"""

from __future__ import annotations


class CarappError(Exception):
    """Base of every user-facing error; ``str(error)`` is the sentence shown to the user."""


class NotARegisterError(CarappError):
    pass


class CorruptRegisterError(CarappError):
    pass


class NewerRegisterError(CarappError):
    pass


class RegisterLockedError(CarappError):
    pass


class RegisterReadOnlyError(CarappError):
    pass


class DiskFullError(CarappError):
    pass


class DiskIOError(CarappError):
    """The drive or network share failed to read or write: not damage to the register."""


class RegisterMissingError(CarappError):
    pass


class NotFoundError(CarappError):
    pass


class InvalidInputError(CarappError):
    pass


class WorkflowRefused(CarappError):
    """A stage move that the record does not prove; the message names what is missing."""

    def __init__(self, message: str, missing: list[str]) -> None:
        super().__init__(message)
        self.missing = missing


class StaleEditError(CarappError):
    """A save made from a version of a record that someone else has saved over since."""
