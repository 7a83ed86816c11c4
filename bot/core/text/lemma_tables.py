"""simplemma's German and English dictionaries as SQLite tables, for a fast start.

simplemma ships its dictionaries lzma-compressed. Its memory-frugal backend decompresses
them and walks every entry to index them on first use: about 0.7 s of every start for
German and English. ``rolle build`` copies the entries once into one SQLite table per
language in the model cache folder (a few seconds, about 45 MB); a process then opens
them in well under a millisecond and looks a form up in a few microseconds, with less
memory than the decompressed dictionaries. The lemmatizer is simplemma's own (its rules
and decompositions); only where its dictionary entries are read from changes, so the
lemmas are the same.

The folder name carries simplemma's version and a hash of its dictionary files: a
different simplemma finds no tables and falls back to its own backend until the next
build.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.resources
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import closing
from pathlib import Path

LANGS = ("de", "en")
_DATA = "simplemma.strategies.dictionaries"


def source_key() -> str:
    """The installed simplemma's version and a hash of its dictionary files for
    :data:`LANGS` (read from its package data)."""
    digest = hashlib.sha256()
    data = importlib.resources.files(_DATA) / "data"
    for lang in LANGS:
        digest.update((data / f"{lang}.plzma").read_bytes())
    return f"simplemma-{importlib.metadata.version('simplemma')}-{digest.hexdigest()[:12]}"


def find_tables(cache_dir: Path) -> Path | None:
    """The folder in ``cache_dir`` with intact tables of the installed simplemma's
    dictionaries, or None (not built yet, or built from another simplemma)."""
    key = source_key()
    folder = cache_dir / key
    try:
        for lang in LANGS:
            with closing(_connect(folder / f"{lang}.sqlite")) as db:
                row = db.execute("SELECT value FROM meta WHERE name = 'source'").fetchone()
            if row is None or row[0] != key:
                return None
    except sqlite3.Error:
        return None
    return folder


def prepare_tables(cache_dir: Path) -> tuple[Path, bool]:
    """Write the tables into ``cache_dir`` unless they are there already.

    Written into a temporary folder first and renamed into place, so a reader never
    sees half a table and two builds at once both end with one intact folder.

    Returns:
        The folder and whether it was written now.

    Raises:
        OSError: ``cache_dir`` is not writable.
    """
    found = find_tables(cache_dir)
    if found is not None:
        return found, False
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    key = source_key()
    cache_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".lemmas-", dir=cache_dir))
    try:
        for lang in LANGS:
            # A factory of its own: the full dictionary is dropped again afterwards.
            entries = DefaultDictionaryFactory(cache_max_size=1).get_dictionary(lang)
            _write(work / f"{lang}.sqlite", key, entries)
            (work / f"{lang}.sqlite").chmod(0o644)
        work.chmod(0o755)  # mkdtemp's 0700 would hide it from a server under another user
        target = cache_dir / key
        if target.exists():  # stale or damaged (find_tables said so): replace it
            shutil.rmtree(target)
        try:
            work.rename(target)
        except OSError:
            if find_tables(cache_dir) is None:  # not another build's intact result
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target, True


def _write(path: Path, key: str, entries: Mapping[str, str]) -> None:
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("CREATE TABLE lemmas (form TEXT PRIMARY KEY, lemma TEXT NOT NULL) "
                   "WITHOUT ROWID")
        db.executemany("INSERT INTO lemmas VALUES (?, ?)", sorted(entries.items()))
        db.executemany("INSERT INTO meta VALUES (?, ?)",
                       [("source", key), ("count", str(len(entries)))])
        db.commit()
    finally:
        db.close()


def _connect(path: Path) -> sqlite3.Connection:
    """A read-only connection (``immutable``: no locking, the file never changes)."""
    if not path.is_file():
        raise sqlite3.OperationalError(f"no such file: {path}")
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True,
                           check_same_thread=False)


class Table(Mapping[str, str]):
    """One language's forms → lemmas, read from its table; one connection per thread."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._local = threading.local()
        with closing(_connect(path)) as db:
            row = db.execute("SELECT value FROM meta WHERE name = 'count'").fetchone()
        self._count = int(row[0])

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = _connect(self._path)
        return db

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        row = self._db().execute("SELECT lemma FROM lemmas WHERE form = ?", (key,)).fetchone()
        return default if row is None else str(row[0])

    def __getitem__(self, key: str) -> str:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        for (form,) in self._db().execute("SELECT form FROM lemmas ORDER BY form"):
            yield str(form)

    def __len__(self) -> int:
        return self._count


class TableFactory:
    """simplemma's ``DictionaryFactory`` over the tables in one folder."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._tables: dict[str, Table] = {}
        self._lock = threading.Lock()

    def get_dictionary(self, lang: str) -> Mapping[str, str]:
        table = self._tables.get(lang)
        if table is None:
            if lang not in LANGS:
                raise ValueError(f"No lemma table for language {lang!r}")
            with self._lock:
                table = self._tables.setdefault(lang, Table(self._folder / f"{lang}.sqlite"))
        return table
