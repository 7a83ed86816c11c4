"""Load and validate the knowledge base (knowledge/*.yaml).

Every entry file has a ``source`` block and a list of ``entries``; ``glossary.yaml``
holds search synonyms. A broken file raises :class:`KnowledgeError` naming the file,
the entry and the field, so nothing is built from half-valid knowledge. Only regular
``*.yaml`` files are read; names starting with "." (editor lock files such as
``.#positionen.yaml``) are skipped, and so is ``people.yaml`` (who holds which role,
see :mod:`bot.core.people`: not knowledge); a folder or broken link named ``*.yaml`` is
refused with one line. Every text field of an entry has a size limit.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from bot.core.errors import KnowledgeError
from bot.core.models import Passage, Source

GLOSSARY_FILE = "glossary.yaml"
PEOPLE_FILE = "people.yaml"  # who holds which role (bot.core.people): not knowledge
MAX_ENTRY_CHARS = 20_000  # default limit per text field of an entry (Settings: max_entry_chars)
M = TypeVar("M", bound=BaseModel)
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# libyaml parses a large file about 70 times faster than the pure-Python loader.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# YAML errors about something opened and never closed: the place to fix is where it was
# opened (the parser only notices at the end of the file).
_UNCLOSED = {
    "while scanning a quoted scalar": "a quoted text that starts here is not closed",
    "while parsing a flow sequence": "a list in [ ] that starts here is not closed",
    "while parsing a flow mapping": "a mapping in { } that starts here is not closed",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SourceSchema(_Strict):
    title: str = Field(min_length=1)
    seed: str = Field(min_length=1)
    author: str | None = None


class EntrySchema(_Strict):
    id: str
    title: str = Field(min_length=1)
    kind: Literal["role", "comparison", "overview"]
    department: str = Field(min_length=1)
    text: str = Field(min_length=20)
    aliases: list[str] = []
    search_terms: list[str] = []
    related: list[str] = []
    source: SourceSchema | None = None

    @field_validator("title", "text", "aliases", "search_terms")
    @classmethod
    def _size_limit(cls, value: str | list[str], info: ValidationInfo) -> str | list[str]:
        limit = (info.context or {}).get("max_chars", MAX_ENTRY_CHARS)
        longest = max((len(v) for v in value), default=0) if isinstance(value, list) else len(
            value)
        if longest > limit:
            raise ValueError(f"{longest:,} characters, more than the limit of {limit:,} "
                             "(ROLLE_MAX_ENTRY_CHARS)")
        return value

    @field_validator("id")
    @classmethod
    def _id_format(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("must be lower-case letters, digits and hyphens")
        return value


class FileSchema(_Strict):
    source: SourceSchema
    entries: list[EntrySchema] = Field(min_length=1)


class GlossarySchema(_Strict):
    synonyms: dict[str, list[str]]


@dataclass(frozen=True)
class Knowledge:
    """The validated knowledge base."""

    passages: tuple[Passage, ...]
    synonyms: dict[str, tuple[str, ...]]
    content_hash: str


def load_knowledge(directory: Path, max_entry_chars: int = MAX_ENTRY_CHARS) -> Knowledge:
    """Read and validate every YAML file in ``directory``.

    Args:
        directory: the knowledge folder.
        max_entry_chars: the longest text allowed in any text field of an entry.

    Returns:
        The passages in file order (files sorted by name), the glossary and a hash of
        the files' content.

    Raises:
        KnowledgeError: a file is missing, unreadable, not a regular file, not YAML,
            fails the schema or has a text longer than ``max_entry_chars``.
    """
    digest = hashlib.sha256()
    passages: list[Passage] = []
    files: list[str] = []  # the file of each passage, for errors
    synonyms: dict[str, tuple[str, ...]] = {}
    for path in _knowledge_files(directory):
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise KnowledgeError(path.name, f"cannot read: {exc.strerror or exc}") from None
        digest.update(path.name.encode() + b"\0" + raw + b"\0")
        data = _parse_yaml(path, raw)
        if path.name == GLOSSARY_FILE:
            glossary = _validate(GlossarySchema, data, path, max_entry_chars)
            synonyms = {k.lower().strip(): tuple(v) for k, v in glossary.synonyms.items()}
        else:
            parsed = _validate(FileSchema, data, path, max_entry_chars)
            found = _passages(parsed, path)
            passages.extend(found)
            files.extend([path.name] * len(found))
    if not passages:
        raise KnowledgeError(str(directory), "no entries found (expected *.yaml files)")
    _check_references(passages, files)
    return Knowledge(tuple(passages), synonyms, digest.hexdigest())


def _knowledge_files(directory: Path) -> list[Path]:
    """The regular ``*.yaml`` files in ``directory`` not starting with ".", by name."""
    try:
        names = sorted(os.listdir(directory))
    except FileNotFoundError:
        raise KnowledgeError(str(directory), "knowledge folder not found") from None
    except OSError as exc:
        raise KnowledgeError(str(directory), f"cannot read the knowledge folder: "
                             f"{exc.strerror or exc}") from None
    files = []
    for name in names:
        if not name.endswith(".yaml") or name.startswith(".") or name == PEOPLE_FILE:
            continue  # also editor lock and backup files: .#positionen.yaml
        path = directory / name
        if not path.is_file():  # follows links: a folder, a broken link, a device ...
            what = ("a broken link" if path.is_symlink() and not path.exists()
                    else "a folder" if path.is_dir() else "not a regular file")
            raise KnowledgeError(name, f"is {what}, not a knowledge file: remove or rename it")
        files.append(path)
    return files


def by_department(passages: tuple[Passage, ...]) -> dict[str, list[Passage]]:
    """Passages grouped by department, departments in order of first appearance."""
    groups: dict[str, list[Passage]] = {}
    for passage in passages:
        groups.setdefault(passage.department, []).append(passage)
    return groups


def _parse_yaml(path: Path, raw: bytes) -> Any:
    try:
        return yaml.load(raw.decode("utf-8"), Loader=_LOADER)  # a safe loader (C or Python)
    except UnicodeDecodeError as exc:
        raise KnowledgeError(path.name, f"not UTF-8 text ({exc.reason})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        opened, context = getattr(exc, "context_mark", None), getattr(exc, "context", None)
        if opened is not None and context in _UNCLOSED:
            later = f" at line {mark.line + 1}" if mark else ""
            problem = f"{_UNCLOSED[context]} ({problem}{later})"
            mark = opened
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise KnowledgeError(path.name, f"invalid YAML{where}: {problem}") from None


def _validate(schema: type[M], data: Any, path: Path, max_chars: int) -> M:
    if not isinstance(data, dict):
        what = "empty" if data is None else f"a {type(data).__name__}, not a mapping"
        needs = " and ".join(f"`{name}:`" for name in schema.model_fields)
        raise KnowledgeError(path.name, f"the file is {what}: it needs {needs} at the top")
    try:
        return schema.model_validate(data, context={"max_chars": max_chars})
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = list(error["loc"])
        entry = None
        if len(loc) >= 2 and loc[0] == "entries" and isinstance(loc[1], int):
            entries = data.get("entries") if isinstance(data, dict) else None
            item = entries[loc[1]] if isinstance(entries, list) else None
            ident = item.get("id") if isinstance(item, dict) else None
            entry = str(ident) if ident else f"#{loc[1] + 1}"
            loc = loc[2:]
        field = ".".join(str(part) for part in loc) or None
        message = error["msg"].removeprefix("Value error, ")
        raise KnowledgeError(path.name, message, entry=entry, field=field) from None


def _passages(parsed: FileSchema, path: Path) -> list[Passage]:
    out = []
    for entry in parsed.entries:
        src = entry.source or parsed.source
        out.append(
            Passage(
                id=entry.id,
                title=entry.title,
                kind=entry.kind,
                department=entry.department,
                text=entry.text.strip(),
                source=Source(title=src.title, seed=src.seed, author=src.author),
                aliases=tuple(entry.aliases),
                search_terms=tuple(entry.search_terms),
                related=tuple(entry.related),
            )
        )
    return out


def _check_references(passages: list[Passage], files: list[str]) -> None:
    """Ids unique, every ``related`` id known; an error names the file of the entry."""
    seen: dict[str, str] = {}
    for passage, file in zip(passages, files, strict=True):
        if passage.id in seen:
            first = seen[passage.id]
            also = "earlier in this file" if first == file else f"also in {first}"
            raise KnowledgeError(file, f"duplicate id ({also})", entry=passage.id, field="id")
        seen[passage.id] = file
    for passage, file in zip(passages, files, strict=True):
        for ref in passage.related:
            if ref not in seen:
                raise KnowledgeError(file, f"unknown entry '{ref}'", entry=passage.id,
                                     field="related")
