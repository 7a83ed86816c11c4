"""Prometheus metrics for ``GET /metrics``: questions, latency, feedback, platform API
errors and retries, the database's state, and the index in use. One registry per server
(not the global one), so tests can run many servers in one process."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    generate_latest,
)

if TYPE_CHECKING:
    from bot.conversation import Reply
    from bot.core.storage.guard import GuardedStore
    from bot.core.storage.port import Platform, Surface
    from bot.reload import Serving

__all__ = ["CONTENT_TYPE_LATEST", "METRICS_KEY", "Metrics"]

QUESTION_KINDS = frozenset({"role", "answer", "clarify", "none"})
LATENCY_BUCKETS = (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0)


def _timestamp(built_at: object) -> float:
    try:
        return datetime.strptime(str(built_at), "%Y-%m-%dT%H:%M:%S%z").timestamp()
    except ValueError:
        return 0.0


class Metrics:
    """The server's metrics; an :class:`~bot.conversation.Observer` of the conversation."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.questions = Counter(
            "rollenbot_replies", "Replies by platform, surface and outcome (reply kind).",
            ["platform", "surface", "outcome"], registry=r)
        self.latency = Histogram(
            "rollenbot_answer_seconds", "Time to decide the reply to a question.",
            ["platform"], buckets=LATENCY_BUCKETS, registry=r)
        self.feedback = Counter("rollenbot_feedback", "Feedback by verdict.", ["verdict"],
                                registry=r)
        self.api_errors = Counter(
            "rollenbot_platform_api_errors", "Failed calls to the Slack/Teams APIs.",
            ["platform", "status"], registry=r)
        self.api_retries = Counter(
            "rollenbot_platform_api_retries", "Retried calls to the Slack/Teams APIs.",
            ["platform"], registry=r)
        self.reloads = Gauge("rollenbot_index_reloads",
                             "Index reloads since start, by result (swapped or refused).",
                             ["result"], registry=r)
        self.index = Info("rollenbot_index", "The index in use.", registry=r)
        self.passages = Gauge("rollenbot_index_passages", "Passages in the index in use.",
                              registry=r)
        self.built = Gauge("rollenbot_index_built_timestamp_seconds",
                           "When the index in use was built (Unix time).", registry=r)
        self.healthy = Gauge("rollenbot_healthy", "1 when the engine passed its self-check.",
                             registry=r)
        self.database_up = Gauge("rollenbot_database_up",
                                 "1 while the database answers, 0 while it is away.", registry=r)
        self.database_outages = Gauge("rollenbot_database_outages",
                                      "Times the database went away since start.", registry=r)
        self.database_kept = Gauge("rollenbot_database_kept_writes",
                                   "Writes kept while the database is away.", registry=r)
        self.database_dropped = Gauge(
            "rollenbot_database_dropped_writes",
            "Writes dropped since start because the database stayed away too long.",
            registry=r)

    def replied(self, reply: Reply, *, platform: Platform, surface: Surface,
                seconds: float) -> None:
        """Count a reply; questions also go into the latency histogram."""
        self.questions.labels(platform, surface, reply.kind).inc()
        if reply.kind in QUESTION_KINDS:
            self.latency.labels(platform).observe(seconds)

    def feedback_given(self, verdict: str) -> None:
        """Count one stored verdict."""
        self.feedback.labels(verdict).inc()

    def serving(self, serving: Serving) -> None:
        """Publish the engine in use (after the start-up check and after each reload)."""
        manifest = serving.manifest
        from bot.reload import embedder_kind

        self.index.info({
            "built_at": str(manifest.get("built_at", "")),
            "knowledge_hash": str(manifest.get("knowledge_hash", "")),
            "model": str(manifest.get("model", "")),
            "embedder": embedder_kind(serving.engine),
        })
        self.passages.set(len(serving.engine.passages))
        self.built.set(_timestamp(manifest.get("built_at")))
        self.healthy.set(1 if serving.health.ok else 0)

    def database(self, store: GuardedStore, up: bool) -> None:
        """Publish the database's state (``up``: it answered just now)."""
        self.database_up.set(1 if up else 0)
        self.database_outages.set(store.outages)
        self.database_kept.set(store.kept)
        self.database_dropped.set(store.dropped)

    def render(self) -> bytes:
        """The metrics in the Prometheus text format."""
        return generate_latest(self.registry)


METRICS_KEY = web.AppKey("metrics", Metrics)
