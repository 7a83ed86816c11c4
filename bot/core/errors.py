"""Errors the engine raises; each message tells the user what to do."""

from __future__ import annotations


class RollenbotError(Exception):
    """Base class for errors with a message meant for the person running the bot."""


class KnowledgeError(RollenbotError):
    """A knowledge YAML file is broken: the message names file, entry and field."""

    def __init__(self, file: str, message: str, *, entry: str | None = None,
                 field: str | None = None) -> None:
        where = file
        if entry:
            where += f", entry {entry}"
        if field:
            where += f", field {field}"
        super().__init__(f"{where}: {message}")
        self.file = file
        self.entry = entry
        self.field = field


class IndexMissingError(RollenbotError):
    """No index has been built yet."""


class IndexStaleError(RollenbotError):
    """The index was built from other knowledge or with another model."""


class ModelLoadError(RollenbotError):
    """The embedding model could not be loaded."""


class IndexDamagedError(IndexMissingError):
    """The index files are unreadable or do not fit together: rebuild with --force."""


class IndexPermissionError(RollenbotError):
    """The index (or its folder) cannot be read or written by this user."""
