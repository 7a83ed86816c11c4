"""simplemma's dictionaries as SQLite tables (bot.core.text.lemma_tables): written once by
`rolle build`, the same lemmas as simplemma's own backend, refused when damaged or from
another simplemma."""

from __future__ import annotations

import logging
import random
import re
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from simplemma.strategies.dictionaries import DefaultDictionaryFactory

from bot import compose
from bot.build import build_lemma_tables
from bot.config import Settings
from bot.core.engine import Engine
from bot.core.errors import IndexPermissionError
from bot.core.knowledge import load_knowledge
from bot.core.text import lemma
from bot.core.text.lemma_tables import LANGS, TableFactory, find_tables, source_key
from bot.evaluation.evaluate import load_questions
from tests.conftest import ROOT, SHARED_EVAL, make_settings


@pytest.fixture(scope="module")
def tables(real_settings: Settings) -> Path:
    """The tables `rolle build`'s step wrote into the session's model cache."""
    folder = find_tables(real_settings.model_cache)
    assert folder is not None and folder.name == source_key()
    return folder


@pytest.fixture
def backend() -> Iterator[None]:
    """Restore simplemma's own backend after a test that switches."""
    yield
    lemma.use_tables(None)


def words() -> list[str]:
    """Every word of the knowledge base and of the labelled questions, as written and in
    lower case (the forms the analyzer looks up)."""
    texts = [p.text for p in load_knowledge(ROOT / "knowledge").passages]
    for path in [SHARED_EVAL.with_name("calibration_questions.yaml"), SHARED_EVAL,
                 *sorted((ROOT / "tests" / "data").glob("*questions.yaml"))]:
        if path.is_file():
            texts += [q["q"] for q in load_questions(path)[0]]
    found = set(re.findall(r"[^\W\d_][\w-]*", " ".join(texts)))
    return sorted(found | {w.lower() for w in found} | {w.capitalize() for w in found})


def test_every_entry_is_simplemmas(tables: Path) -> None:
    for lang in LANGS:
        shipped = DefaultDictionaryFactory(cache_max_size=1).get_dictionary(lang)
        table = TableFactory(tables).get_dictionary(lang)
        assert len(table) == len(shipped) > 100_000
        keys = list(shipped)
        for form in random.Random(7).sample(keys, 20_000):
            assert table.get(form) == shipped[form]
        assert table.get("Xqzvwplörk") is None and "Xqzvwplörk" not in table
        with pytest.raises(KeyError):
            table["Xqzvwplörk"]


def test_same_lemmas_as_simplemmas_own_backend(tables: Path, backend: None) -> None:
    forms = words()
    assert len(forms) > 2000
    lemma.use_tables(None)
    own = [(lemma.lemmatize(w, ("de", "en")), lemma.lemmatize(w, "de"), lemma.is_known(w, "de"))
           for w in forms]
    lemma.use_tables(tables)
    assert [(lemma.lemmatize(w, ("de", "en")), lemma.lemmatize(w, "de"),
             lemma.is_known(w, "de")) for w in forms] == own
    assert lemma.lemmatize("Umsätze", "de") == "Umsatz"  # the tables are really read


def test_lookups_from_many_threads(tables: Path) -> None:
    table = TableFactory(tables).get_dictionary("de")
    expected = {w: table.get(w) for w in ("Kunden", "Umsätze", "Märkte", "gingen", "xyz")}
    seen: list[dict[str, str | None]] = []

    def look() -> None:
        seen.append({w: table.get(w) for _ in range(200) for w in expected})

    threads = [threading.Thread(target=look) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [expected] * 8 and expected["Umsätze"] == "Umsatz"


def test_damaged_or_foreign_tables_are_not_used(tables: Path, tmp_path: Path) -> None:
    cache = tmp_path / "models"
    shutil.copytree(tables, cache / tables.name)
    assert find_tables(cache) == cache / tables.name
    (cache / tables.name / "en.sqlite").write_bytes(b"not a database")
    assert find_tables(cache) is None

    shutil.rmtree(cache / tables.name)
    shutil.copytree(tables, cache / tables.name)
    with sqlite3.connect(cache / tables.name / "de.sqlite") as db:
        db.execute("UPDATE meta SET value = 'simplemma-0.0-other' WHERE name = 'source'")
    db.close()
    assert find_tables(cache) is None
    assert find_tables(tmp_path / "nowhere") is None


def test_build_writes_them_once_and_says_where(tables: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    settings = make_settings(tmp_path / "index")
    shutil.copytree(tables, settings.model_cache / tables.name)
    assert build_lemma_tables(settings) is None  # intact: left alone
    # English only (a second of work instead of five): a damaged copy is replaced.
    monkeypatch.setattr("bot.core.text.lemma_tables.LANGS", ("en",))
    name = source_key()
    assert name != tables.name
    shutil.copytree(tables, settings.model_cache / name)
    (settings.model_cache / name / "en.sqlite").write_bytes(b"")
    written = build_lemma_tables(settings)
    assert written == settings.model_cache / name == find_tables(settings.model_cache)
    assert written.stat().st_mode & 0o755 == 0o755  # readable by the serving user
    assert (written / "en.sqlite").stat().st_mode & 0o644 == 0o644
    assert TableFactory(written).get_dictionary("en").get("went") == "go"
    assert build_lemma_tables(settings) is None
    assert sorted(p.name for p in settings.model_cache.iterdir()) == sorted([tables.name, name])


def test_an_unwritable_model_cache_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    settings = make_settings(tmp_path / "index").model_copy(
        update={"model_cache_dir": blocker / "models"})
    with pytest.raises(IndexPermissionError, match="model cache folder"):
        build_lemma_tables(settings)


def test_the_engine_uses_them_and_says_when_it_cannot(
        real_settings: Settings, tables: Path, tmp_path: Path,
        caplog: pytest.LogCaptureFixture, backend: None) -> None:
    compose.use_lemma_tables(real_settings)
    assert lemma._tables == tables
    bare = real_settings.model_copy(update={"model_cache_dir": tmp_path / "empty"})
    with caplog.at_level(logging.INFO, logger="bot.compose"):
        compose.use_lemma_tables(bare)
    assert lemma._tables is None
    assert "No lemma tables in" in caplog.text and "rolle build" in caplog.text


@pytest.mark.slow
def test_a_reload_switches_to_tables_written_since_the_start(
        real_settings: Settings, real_engine: Engine, tables: Path, backend: None) -> None:
    """A server started before its model cache had lemma tables (an older build) reads
    them from the next reload on; the lemmas are the same, so nothing else changes."""
    lemma.use_tables(None)
    reloaded = compose.reload_engine(real_settings, real_engine)
    assert lemma._tables == tables
    assert reloaded.embedder is real_engine.embedder  # same export: the model not reloaded
