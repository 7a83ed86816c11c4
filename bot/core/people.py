"""Who holds a role here: the question that asks for it, and where the people come from.

"Wer ist bei uns Vertriebsleiter?" asks for the role *and* for the colleagues who hold
it. :func:`asks_for_people` recognises such questions by general patterns of German and
English (a "who" with a marker of "here/ours"); the engine still decides which role is
meant. A :class:`Directory` answers with the people: the Slack directory matches
profile titles (:mod:`bot.core.directory`), the optional ``people.yaml`` names people
per role id (:class:`FileDirectory`, for Teams and workspaces without titles).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.core.errors import KnowledgeError
from bot.core.models import Passage
from bot.core.storage.port import Platform

log = logging.getLogger(__name__)

MAX_PEOPLE = 20  # shown per role; a directory may hold more
EMAIL = re.compile(r"[^@\s<>()\[\]]+@[^@\s<>()\[\]]+\.[^@\s<>()\[\]]+")

# "who" and a marker that the asker means this company, not the role in general.
_WHO = re.compile(r"\b(?:wer|wen|wem|welche[rsnm]?\s+(?:kolleg\w*|person\w*|mitarbeiter\w*)"
                  r"|who(?:'s|’s|\s+is|\s+are|\s+does|\s+handles)?|which\s+(?:colleague|"
                  r"person|people|employee)s?)\b", re.IGNORECASE)
_HERE = re.compile(
    r"\b(?:bei\s+uns|hier|unser(?:e|er|em|en|es)?|im\s+(?:haus|unternehmen|team|betrieb)"
    r"|in\s+der\s+firma|our|here|at\s+(?:our|this)\s+(?:company|firm|org\w*)"
    r"|in\s+(?:our|this|the)\s+(?:company|firm|team|org\w*))\b",
    re.IGNORECASE)


def asks_for_people(question: str) -> bool:
    """Whether ``question`` asks who holds a role *here* ("Wer ist bei uns …?",
    "Wer ist unsere …?", "Who is our …?", "Who handles … here?")."""
    return bool(_WHO.search(question)) and bool(_HERE.search(question))


@dataclass(frozen=True, kw_only=True)
class Person:
    """A colleague who holds a role, as shown to the asker.

    Attributes:
        name: the display name (or real name), shown as text, never as a mention.
        user_id: the platform's user id, when the person came from a directory.
        url: a link to their profile (Slack), shown without notifying them.
        email: an e-mail address (from ``people.yaml``), for a mailto link.
    """

    name: str
    user_id: str | None = None
    url: str | None = None
    email: str | None = None


class DirectoryError(Exception):
    """A directory could not be read (the platform API or the store failed)."""


class Directory(Protocol):
    """Where the people holding a role come from."""

    def people(self, role: Passage, roles: Sequence[Passage], *,
               platform: Platform) -> tuple[Person, ...]:
        """The people holding ``role`` (one of ``roles``, all role passages) for an
        asker on ``platform``.

        Raises:
            DirectoryError: the directory could not be read.
        """
        ...


class FileDirectory:
    """People named per role id in ``people.yaml``; the same for every platform."""

    def __init__(self, by_role: Mapping[str, tuple[Person, ...]]) -> None:
        self.by_role = dict(by_role)

    def people(self, role: Passage, roles: Sequence[Passage], *,
               platform: Platform) -> tuple[Person, ...]:
        """The people the file names for ``role``."""
        return self.by_role.get(role.id, ())


class Directories:
    """Several directories asked in order, their people merged (the same name once).

    A directory that fails is logged and skipped; only when every one fails does the
    lookup fail.
    """

    def __init__(self, *directories: Directory) -> None:
        self.directories = directories

    def people(self, role: Passage, roles: Sequence[Passage], *,
               platform: Platform) -> tuple[Person, ...]:
        """The merged people of all directories for ``role``."""
        found: dict[str, Person] = {}
        failed = 0
        for directory in self.directories:
            try:
                people = directory.people(role, roles, platform=platform)
            except DirectoryError as exc:
                log.warning("people: %s", exc)
                failed += 1
                continue
            except Exception:  # a bug, not an outage: keep the traceback
                log.exception("people: %s failed", type(directory).__name__)
                failed += 1
                continue
            for person in people:
                key = " ".join(person.name.casefold().split())
                if key not in found:
                    found[key] = person
                elif found[key].email is None and person.email:  # keep the link, add mail
                    found[key] = Person(name=found[key].name, user_id=found[key].user_id,
                                        url=found[key].url, email=person.email)
        if failed and failed == len(self.directories):
            raise DirectoryError("no directory could be read")
        return tuple(found.values())[:MAX_PEOPLE]


# --- people.yaml ----------------------------------------------------------------------
class _PersonSchema(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(None, max_length=254)

    @field_validator("email")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is not None and not EMAIL.fullmatch(value):
            raise ValueError(f"'{value}' is not an e-mail address")
        return value


class _PeopleSchema(BaseModel):
    model_config = ConfigDict(extra="forbid")
    people: dict[str, list[_PersonSchema]]


def load_people(path: Path, role_ids: Sequence[str]) -> FileDirectory:
    """Read and validate ``people.yaml``: ``people:`` maps role ids to lists of
    ``{name, email?}``.

    Raises:
        KnowledgeError: the file is unreadable, not YAML, fails the schema (naming the
            role id as the entry and the field) or names a role id that is not a role.
    """
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except OSError as exc:
        raise KnowledgeError(path.name, f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise KnowledgeError(path.name, f"not UTF-8 text ({exc.reason})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise KnowledgeError(path.name, f"invalid YAML{where}") from None
    try:
        parsed = _PeopleSchema.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = [str(part) for part in error["loc"]]
        entry = loc[1] if len(loc) >= 2 else None
        index = f"#{int(loc[2]) + 1}" if len(loc) >= 3 and loc[2].isdigit() else None
        field = ".".join(filter(None, [index, *loc[3:]])) or (loc[0] if loc else None)
        message = error["msg"].removeprefix("Value error, ")
        raise KnowledgeError(path.name, message, entry=entry, field=field) from None
    known = set(role_ids)
    for role_id in parsed.people:
        if role_id not in known:
            raise KnowledgeError(path.name, f"unknown role id '{role_id}' (known roles: "
                                 f"{', '.join(sorted(known))})", entry=role_id)
    return FileDirectory({
        role_id: tuple(Person(name=p.name, email=p.email) for p in people)
        for role_id, people in parsed.people.items()})
