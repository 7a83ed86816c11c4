"""The shape of a request body, checked at the edge before an SDK sees it.

Slack's Bolt and the Microsoft Agents SDK read a few dozen fields of what they are sent
and assume their JSON types: a correctly signed body with a number where a string
belongs makes them raise, and the web server answers 500 with a traceback. The platform
modules (:mod:`bot.slack.shape`, :mod:`bot.teams.shape`) describe the fields that are
read with the small specs here; :meth:`Spec.check` names the first field that does not
fit (``event.user is a number, not a string``), or returns None. Fields nobody reads are
not looked at. :func:`json_object` parses a body with its nesting bounded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiohttp import web
from yarl import URL

MAX_DEPTH = 64  # a Slack or Teams payload nests about ten levels
# How reading a request body fails: broken chunks, a reset, a Content-Encoding it is not.
UNREADABLE: tuple[type[BaseException], ...] = (ValueError, ConnectionError,
                                                web.RequestPayloadError)
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')  # JSON strings are skipped whole


class Spec(Protocol):
    """A check of one JSON value."""

    @property
    def expected(self) -> str:
        """What the value should be, for the message ("a string")."""
        ...

    def check(self, value: Any, path: str) -> str | None:
        """What is wrong with ``value`` at ``path``, or None when it fits."""
        ...


def what(value: Any) -> str:
    """A JSON value's kind, as a message says it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


@dataclass(frozen=True)
class Is:
    """A JSON type: ``str``, ``bool``, ``dict`` or ``list``."""

    kind: type
    expected: str
    max_chars: int | None = None  # for strings

    def check(self, value: Any, path: str) -> str | None:
        if not isinstance(value, self.kind):
            return f"{path} is {what(value)}, not {self.expected}"
        if self.max_chars is not None and isinstance(value, str) and \
                len(value) > self.max_chars:
            return f"{path} is longer than {self.max_chars} characters"
        return None


STR = Is(str, "a string")
BOOL = Is(bool, "a boolean")
OBJ = Is(dict, "an object")
LIST = Is(list, "a list")


@dataclass(frozen=True)
class Strict:
    """A field that must fit ``spec`` whenever it is present: null is not read as absent
    (code reads it with ``.get(name, {})``)."""

    spec: Spec

    @property
    def expected(self) -> str:
        return self.spec.expected

    def check(self, value: Any, path: str) -> str | None:
        return self.spec.check(value, path)


@dataclass(frozen=True)
class Obj:
    """An object whose listed fields, when present and not null, fit their specs (a
    :class:`Strict` field also when null); ``required`` fields must be there, not null
    and not empty. Other fields are not looked at."""

    fields: Mapping[str, Spec]
    required: frozenset[str] = frozenset()
    expected: str = "an object"

    def check(self, value: Any, path: str) -> str | None:
        if not isinstance(value, dict):
            return f"{path} is {what(value)}, not an object"
        for name in sorted(self.required):
            if value.get(name) is None:
                return f"{_join(path, name)} is {'null' if name in value else 'missing'}"
            if value[name] == "":
                return f"{_join(path, name)} is empty"
        for name, spec in self.fields.items():
            if value.get(name) is not None or (name in value and isinstance(spec, Strict)):
                problem = spec.check(value[name], _join(path, name))
                if problem:
                    return problem
        return None


def obj(required: tuple[str, ...] = (), /, **fields: Spec) -> Obj:
    """An :class:`Obj` (JSON names that are no Python names go in as ``**{...}``)."""
    return Obj(fields, frozenset(required))


@dataclass(frozen=True)
class ListOf:
    """A list of at least ``min_items`` items that each fit ``item``."""

    item: Spec
    min_items: int = 0
    expected: str = "a list"

    def check(self, value: Any, path: str) -> str | None:
        if not isinstance(value, list):
            return f"{path} is {what(value)}, not a list"
        if len(value) < self.min_items:
            return f"{path} is an empty list"
        for n, item in enumerate(value):
            problem = self.item.check(item, f"{path}[{n}]")
            if problem:
                return problem
        return None


@dataclass(frozen=True)
class MapOf:
    """An object whose every value fits ``value``."""

    value: Spec
    expected: str = "an object"

    def check(self, value: Any, path: str) -> str | None:
        if not isinstance(value, dict):
            return f"{path} is {what(value)}, not an object"
        for key, item in value.items():
            problem = self.value.check(item, _join(path, key))
            if problem:
                return problem
        return None


@dataclass(frozen=True)
class Either:
    """A value that fits one of ``options`` (the first option of its JSON kind)."""

    options: tuple[Spec, ...]
    expected: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "expected", " or ".join(o.expected for o in self.options))

    def check(self, value: Any, path: str) -> str | None:
        problems = [o.check(value, path) for o in self.options]
        if None in problems:
            return None
        # An object (or list) that is wrong inside: say where, not just "not an object".
        inner = [p for o, p in zip(self.options, problems, strict=True)
                 if o.expected == what(value) and p]
        return inner[0] if inner else f"{path} is {what(value)}, not {self.expected}"


@dataclass(frozen=True)
class ByField:
    """An object checked by the spec its ``name`` field picks (``default`` otherwise)."""

    name: str
    cases: Mapping[str, Spec]
    default: Spec
    expected: str = "an object"

    def check(self, value: Any, path: str) -> str | None:
        kind = value.get(self.name) if isinstance(value, dict) else None
        spec = self.cases.get(kind, self.default) if isinstance(kind, str) else self.default
        return spec.check(value, path)


@dataclass(frozen=True)
class Text:
    """A string that code parses again as JSON (a button value): bounded in length and
    in how deep its brackets nest."""

    max_chars: int
    max_depth: int
    expected: str = "a string"

    def check(self, value: Any, path: str) -> str | None:
        problem = Is(str, "a string", self.max_chars).check(value, path)
        if problem:
            return problem
        if bracket_depth(value) > self.max_depth:
            return f"{path} nests brackets deeper than {self.max_depth} levels"
        return None


@dataclass(frozen=True)
class HttpUrl:
    """An absolute ``http(s)`` address with a host (where a reply will be sent)."""

    max_chars: int = 2048
    expected: str = "an http(s) URL"

    def check(self, value: Any, path: str) -> str | None:
        problem = Is(str, "a string", self.max_chars).check(value, path)
        if problem:
            return problem
        try:
            url = URL(value)
            usable = url.absolute and url.scheme in ("http", "https") and bool(url.host)
        except (ValueError, TypeError, UnicodeError):
            usable = False
        return None if usable else f"{path} is not an http(s) URL"


HTTP_URL = HttpUrl()


def _join(path: str, name: object) -> str:
    return f"{path}.{name}" if path else str(name)


def bracket_depth(text: str) -> int:
    """How deep ``[`` and ``{`` nest in ``text``, outside JSON strings."""
    level = deepest = 0
    for token in _BRACKETS.finditer(text):
        char = token.group()
        if char in "[{":
            level += 1
            deepest = max(deepest, level)
        elif char in "]}":
            level -= 1
    return deepest


def depth(value: Any) -> int:
    """How deep lists and objects nest in a parsed JSON value (iteratively: the value
    may come from a parser that allows more nesting than Python's recursion)."""
    return _walk(value)[0]


def json_problem(value: Any, max_depth: int = MAX_DEPTH) -> str | None:
    """What makes a parsed JSON value unfit to be handled at all: nesting deeper than
    ``max_depth``, or a string with a lone surrogate (``"\\ud800"`` is valid JSON but
    no text: a database, a log line or an encoder would fail on it)."""
    deepest, surrogate = _walk(value)
    if deepest > max_depth:
        return f"JSON nested deeper than {max_depth} levels"
    if surrogate:
        return "a JSON string holds a lone surrogate (\\ud800-\\udfff), which is no text"
    return None


def _walk(value: Any) -> tuple[int, bool]:
    deepest, surrogate = 0, False
    stack = [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, str):
            surrogate = surrogate or _SURROGATE.search(node) is not None
            continue
        if isinstance(node, dict):
            children: Any = [*node.keys(), *node.values()]
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest, surrogate


class BodyError(ValueError):
    """A body that is no JSON object within the bounds; the message says why."""


def json_object(text: str | bytes, max_depth: int = MAX_DEPTH) -> dict[str, Any]:
    """``text`` parsed as a JSON object nesting at most ``max_depth`` levels.

    Raises:
        BodyError: not JSON, not an object, or unfit (see :func:`json_problem`).
    """
    try:
        value = json.loads(text)
    except RecursionError as error:  # deeper than the parser's own limit
        raise BodyError(f"JSON nested deeper than {max_depth} levels") from error
    except ValueError as error:  # JSONDecodeError, and bytes that are no UTF-8
        raise BodyError(f"not JSON ({error})"[:200]) from error
    if not isinstance(value, dict):
        raise BodyError(f"JSON body is {what(value)}, not an object")
    problem = json_problem(value, max_depth)
    if problem:
        raise BodyError(problem)
    return value
