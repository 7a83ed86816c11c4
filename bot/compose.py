"""Composition: settings in, a ready engine (and what else the front ends share) out.

The only module that turns :class:`~bot.config.Settings` into core objects; the core
itself takes explicit arguments and never reads settings.
"""

from __future__ import annotations

from bot.config import Settings
from bot.conversation import Answerer, Conversation
from bot.core.embedder import Embedder, SentenceTransformerEmbedder
from bot.core.engine import Engine
from bot.core.index import Fingerprint, build_index, load_index, staleness
from bot.core.knowledge import Knowledge, load_knowledge
from bot.core.store_guard import GuardedStore
from bot.ratelimit import Limiter, RateLimiter, StoreLimiter


def fingerprint(settings: Settings, knowledge: Knowledge) -> Fingerprint:
    """What the index for these settings and this knowledge must have been built from."""
    return Fingerprint(
        knowledge_hash=knowledge.content_hash,
        model=settings.model,
        query_prompt=settings.query_prompt,
        passage_prompt=settings.passage_prompt,
    )


def load_embedder(settings: Settings) -> Embedder:
    """The configured sentence-transformers model."""
    return SentenceTransformerEmbedder(
        settings.model,
        query_prompt=settings.query_prompt,
        passage_prompt=settings.passage_prompt,
        offline=settings.hf_offline,
    )


def load_engine(settings: Settings, embedder: Embedder | None = None) -> Engine:
    """Load knowledge, index and model as ``settings`` say.

    Raises:
        KnowledgeError, IndexMissingError, IndexStaleError, ModelLoadError: with a
        message that says what to do.
    """
    knowledge = load_knowledge(settings.knowledge_dir)
    dense = load_index(settings.index_dir, fingerprint(settings, knowledge))
    return Engine(
        knowledge=knowledge,
        dense=dense,
        embedder=embedder or load_embedder(settings),
        top_k=settings.top_k,
        max_question_chars=settings.max_question_chars,
    )


def build(settings: Settings, *, force: bool = False) -> tuple[Knowledge, dict | None, str | None]:
    """Build the index if it is stale (or ``force``).

    Returns:
        The knowledge, the new manifest (None when the index was up to date) and why it
        was stale (None when it was not).
    """
    knowledge = load_knowledge(settings.knowledge_dir)
    wanted = fingerprint(settings, knowledge)
    reason = staleness(settings.index_dir, wanted)
    manifest = build_index(settings.index_dir, knowledge, wanted,
                           lambda: load_embedder(settings), force=force)
    return knowledge, manifest, reason


def open_store(settings: Settings) -> GuardedStore:
    """The database that ``settings`` name, migrated, behind the guard that turns a
    database failure into a log line instead of a lost answer.

    Raises:
        DatabaseURLError, StoreError: the database cannot be opened (one clear line).
    """
    from bot.store.admin import store_from_settings

    return GuardedStore(store_from_settings(settings))


def conversation(settings: Settings, engine: Answerer,
                 store: GuardedStore | None = None) -> Conversation:
    """The conversation core: the per-user rate limit from ``settings`` (kept in the
    store when there is one, so replicas share it) and the question record."""
    per_minute = settings.rate_limit_per_minute
    limiter: Limiter = StoreLimiter(store, per_minute) if store else RateLimiter(per_minute)
    return Conversation(engine, limiter=limiter, store=store, admins=frozenset(settings.admins))
