"""Composition: settings in, a ready engine (and what else the front ends share) out.

The only module that turns :class:`~bot.config.Settings` into core objects; the core
itself takes explicit arguments and never reads settings.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.config import Settings
from bot.conversation import Answerer, Conversation
from bot.core.embedding import packaged
from bot.core.embedding.index import Fingerprint, load_index, read_manifest
from bot.core.embedding.protocol import Embedder, SentenceTransformerEmbedder
from bot.core.embedding.runtime import BUILD_COMMAND, check_dimension, onnx_folder
from bot.core.engine import Engine
from bot.core.errors import IndexMissingError, ModelLoadError
from bot.core.knowledge import Knowledge, load_knowledge
from bot.core.people import Directories, Directory, load_people
from bot.core.retrieval.decision import Decision, load_decision
from bot.core.storage.guard import GuardedStore
from bot.core.storage.port import StoreError
from bot.core.text.lemma import use_tables
from bot.core.text.lemma_tables import find_tables as find_lemma_tables
from bot.ratelimit import Limiter, RateLimiter, StoreLimiter
from bot.store import SqlStore
from bot.store import open_store as open_sql_store

log = logging.getLogger(__name__)


def fingerprint(settings: Settings, knowledge: Knowledge) -> Fingerprint:
    """What the index for these settings and this knowledge must have been built from."""
    engine = ""
    if packaged.is_packaged_e5(settings.model):
        engine = f"{packaged.DISTRIBUTION} {packaged.version()}"
    return Fingerprint(
        knowledge_hash=knowledge.content_hash,
        model=settings.model,
        query_prompt=settings.query_prompt,
        passage_prompt=settings.passage_prompt,
        engine=engine,
    )


def load_embedder(settings: Settings) -> SentenceTransformerEmbedder:
    """The configured model with sentence-transformers (imports torch: for building, and
    as the fallback runtime)."""
    return SentenceTransformerEmbedder(
        settings.model,
        query_prompt=settings.query_prompt,
        passage_prompt=settings.passage_prompt,
        offline=settings.hf_offline,
    )


def runtime_embedder(settings: Settings, manifest: dict[str, Any]) -> Embedder:
    """The embedder for ask/chat/serve, checked against the loaded index's manifest: the
    packaged multilingual model's own engine; for another model its ONNX export (no
    torch), or sentence-transformers when ``ROLLE_EMBEDDER=sentence-transformers``.

    Raises:
        ModelLoadError: the model cannot be loaded, or its ONNX export is missing or
            damaged ("run `rolle build`").
        IndexDamagedError: the embedder's vectors do not have the index's dimension.
    """
    embedder: Embedder
    if packaged.is_packaged_e5(settings.model):
        embedder = packaged.PackagedE5Embedder(threads=settings.embed_threads)
    elif settings.embedder == "sentence-transformers":
        embedder = load_embedder(settings)
    else:
        folder = onnx_folder(settings.index_dir, manifest)
        if folder is None:
            raise ModelLoadError(
                f"The index in {settings.index_dir} has no ONNX export of the model: run "
                f"`{BUILD_COMMAND}` (or set ROLLE_EMBEDDER=sentence-transformers)."
            )
        from bot.core.embedding.onnx import OnnxEmbedder

        embedder = OnnxEmbedder(folder, query_prompt=settings.query_prompt,
                                passage_prompt=settings.passage_prompt,
                                expected_sha256=manifest["onnx"].get("sha256"))
    check_dimension(settings.index_dir, manifest, embedder)
    return embedder


def question_embedder(settings: Settings) -> Embedder:
    """The embedder the built index uses at run time (ONNX: no PyTorch), for embedding
    questions outside the engine (the knowledge-gap report groups them with it).

    Raises:
        IndexMissingError: there is no index yet ("run `rolle build`").
        ModelLoadError: its export is missing or damaged.
    """
    manifest = read_manifest(settings.index_dir)
    if manifest is None:
        raise IndexMissingError(f"No index in {settings.index_dir}: run `{BUILD_COMMAND}`.")
    return runtime_embedder(settings, manifest)


def decision(settings: Settings) -> Decision:
    """The learned answer decision for the configured model (``ROLLE_DECISION_FILE``, else
    the packaged one).

    Raises:
        ModelLoadError: there is none for this model, or it cannot be read.
    """
    return load_decision(settings.model, settings.decision_file)


def load_engine(settings: Settings, embedder: Embedder | None = None, *,
                with_decision: bool = True) -> Engine:
    """Load knowledge, index, the answer decision and the runtime embedder as
    ``settings`` say (without the decision: for fitting one, `rolle calibrate`).

    Raises:
        KnowledgeError, IndexMissingError, IndexStaleError, ModelLoadError: with a
        message that says what to do.
    """
    knowledge = load_knowledge(settings.knowledge_dir, settings.max_entry_chars)
    dense = load_index(settings.index_dir, fingerprint(settings, knowledge), knowledge)
    use_lemma_tables(settings)
    return Engine(
        knowledge=knowledge,
        dense=dense,
        embedder=embedder or runtime_embedder(settings, dense.manifest),
        decision=decision(settings) if with_decision else None,
        top_k=settings.top_k,
        max_question_chars=settings.max_question_chars,
    )


def use_lemma_tables(settings: Settings) -> None:
    """Read simplemma's dictionaries from the lemma tables `rolle build` wrote into the
    model cache folder (a fast start); without them, from simplemma's own backend (the
    same lemmas, about 0.7 s more to start)."""
    folder = find_lemma_tables(settings.model_cache)
    if folder is None:
        log.info("No lemma tables in %s (`%s` writes them): reading simplemma's own "
                 "dictionaries, which takes longer to start.", settings.model_cache,
                 BUILD_COMMAND)
    use_tables(folder)


def reload_engine(settings: Settings, previous: Engine) -> Engine:
    """Load the engine afresh (knowledge and the index ``current`` points to now), reusing
    ``previous``'s embedder when the new index was built with the same model export (the
    model is then not loaded twice).

    Raises:
        KnowledgeError, IndexMissingError, IndexStaleError, IndexDamagedError,
        ModelLoadError: the new index is not usable (the caller keeps ``previous``).
    """
    knowledge = load_knowledge(settings.knowledge_dir, settings.max_entry_chars)
    dense = load_index(settings.index_dir, fingerprint(settings, knowledge), knowledge)
    tables = find_lemma_tables(settings.model_cache)
    if tables is not None:  # e.g. written by the build that made this index: use them now
        use_tables(tables)
    old, new = previous.manifest, dense.manifest
    sha256 = [(m.get("onnx") or {}).get("sha256") for m in (old, new)]
    same_model = old.get("model") == new.get("model") and sha256[0] == sha256[1]
    embedder = previous.embedder if same_model else runtime_embedder(settings, new)
    check_dimension(settings.index_dir, new, embedder)
    return Engine(knowledge=knowledge, dense=dense, embedder=embedder,
                  decision=decision(settings), top_k=settings.top_k,
                  max_question_chars=settings.max_question_chars)


def store_from_settings(settings: Settings) -> SqlStore:
    """Open (and migrate) the store that ``settings`` name."""
    secret = settings.secret.get_secret_value() if settings.secret else None
    return open_sql_store(settings.database_url, secret=secret,
                          max_question_chars=settings.max_question_chars)


def open_store(settings: Settings) -> GuardedStore:
    """The database that ``settings`` name, migrated, behind the guard that turns a
    database failure into a log line instead of a lost answer.

    A database that is down at start does not stop the bot: it answers from the start
    and the store is opened on first use once the database is back (logged meanwhile).

    Raises:
        DatabaseURLError: ``ROLLE_DATABASE_URL`` cannot be used (one clear line).
    """
    try:
        return GuardedStore(store_from_settings(settings))
    except StoreError as exc:  # the guard says so once and opens it when it is back
        return GuardedStore(lambda: store_from_settings(settings), down=exc)


def directory(settings: Settings, engine: Answerer,
              store: GuardedStore | None = None) -> Directory | None:
    """Where "who is ours" finds people: the Slack workspace's profile titles (when
    Slack is configured; cached in ``store``) and the people file (``people.yaml``),
    merged; None when there is neither.

    Raises:
        KnowledgeError: the people file is broken or names an unknown role id.
    """
    sources: list[Directory] = []
    if settings.slack_enabled:
        from bot.slack.people import slack_directory

        sources.append(slack_directory(settings, store))
    path = settings.people_path
    if path is not None:
        sources.append(load_people(path, [p.id for p in engine.roles()]))
    return Directories(*sources) if sources else None


def conversation(settings: Settings, engine: Answerer,
                 store: GuardedStore | None = None, *,
                 people: Directory | None = None) -> Conversation:
    """The conversation core: the per-user rate limit from ``settings`` (kept in the
    store when there is one, so replicas share it), the question record, and the
    people directory (``people``, default: :func:`directory`)."""
    per_minute = settings.rate_limit_per_minute
    limiter: Limiter = StoreLimiter(store, per_minute) if store else RateLimiter(per_minute)
    return Conversation(engine, limiter=limiter, store=store, admins=frozenset(settings.admins),
                        directory=people or directory(settings, engine, store))
