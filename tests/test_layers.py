"""The import direction of the package, read from the source (every import, also those
inside functions; only ``if TYPE_CHECKING:`` blocks are left out): no circle anywhere,
the core imports nothing of the bot around it nor of a platform SDK, and the parts of the
core depend on each other one way only."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOT = ROOT / "bot"

# The parts of bot/core from the bottom up: a part may import its own modules and those
# of lower layers, never a part beside it or above it.
LAYERS: list[set[str]] = [
    {"models", "errors"},
    {"text"},
    {"knowledge", "titles", "context"},
    {"retrieval", "embedding"},
    {"tour"},
    {"storage"},
    {"people"},
    {"directory", "engine"},
]
PLATFORMS = ("slack_bolt", "slack_sdk", "microsoft_agents", "aiohttp", "sqlalchemy")
MAX_CORE_MODULES = 12


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in BOT.rglob("*.py")}


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, also inside functions; ``TYPE_CHECKING`` blocks out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for node in ast.walk(tree)
                   if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
                   for n in ast.walk(node)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in modules() else node.module)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: {m for m in imported(path) if m in known and m != name}
            for name, path in known.items()}


def core_part(name: str) -> str:
    """``bot.core.text.german`` -> ``text``; ``bot.core.engine`` -> ``engine``."""
    return name.split(".")[2]


def layer(part: str) -> int:
    return next(i for i, parts in enumerate(LAYERS) if part in parts)


def test_no_import_circle() -> None:
    edges = graph()
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            pytest.fail("import circle: " + " -> ".join([*path[path.index(name):], name]))
        if name in done:
            return
        for target in sorted(edges[name]):
            visit(target, [*path, name])
        done.add(name)

    for name in sorted(edges):
        visit(name, [])


def test_core_imports_nothing_around_it() -> None:
    wrong = [f"{name} imports {target}"
             for name, path in modules().items() if name.startswith("bot.core")
             for target in sorted(imported(path))
             if (target.startswith("bot.") and not target.startswith("bot.core"))
             or target.split(".")[0] in PLATFORMS]
    assert wrong == []


def test_core_parts_depend_one_way() -> None:
    wrong = []
    for name, targets in graph().items():
        if not name.startswith("bot.core.") or name.count(".") < 2:
            continue
        part = core_part(name)
        for target in sorted(t for t in targets if t.startswith("bot.core.")):
            other = core_part(target)
            if other != part and layer(other) >= layer(part):
                wrong.append(f"{name} ({part}) imports {target} ({other})")
    assert wrong == []


def test_every_core_part_has_a_layer() -> None:
    parts = {core_part(n) for n in modules() if n.startswith("bot.core.")}
    assert parts == set().union(*LAYERS)


def test_core_top_level_is_small() -> None:
    top = [p.name for p in (BOT / "core").glob("*.py") if p.name != "__init__.py"]
    assert len(top) <= MAX_CORE_MODULES, sorted(top)


def test_front_ends_do_not_import_each_other() -> None:
    wrong = [f"{name} imports {target}"
             for name, targets in graph().items()
             for front, other in (("bot.slack", "bot.teams"), ("bot.teams", "bot.slack"))
             if name.startswith(front)
             for target in targets if target.startswith(other)]
    assert wrong == []


def test_the_check_sees_a_circle(tmp_path: Path) -> None:
    """The reader finds imports inside functions and skips TYPE_CHECKING blocks."""
    source = tmp_path / "m.py"
    source.write_text("from typing import TYPE_CHECKING\n"
                      "if TYPE_CHECKING:\n    import bot.config\n"
                      "def f():\n    import bot.core.engine\n", encoding="utf-8")
    assert imported(source) == {"typing", "bot.core.engine"}
