"""The knowledge-gap report as data: what was asked, how it went, what is missing.

Reads only through the store port, so it works on any store and in tests on a real one.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from bot.core.embedding.protocol import Embedder
from bot.core.storage.port import FeedbackRow, QuestionRow
from bot.report.gaps import Gap, group_questions

OUTCOMES = ("answer", "clarify", "none")


class QuestionLog(Protocol):
    """The part of the store the report reads (a Store or a GuardedStore)."""

    def questions_since(self, since: datetime) -> tuple[QuestionRow, ...]:
        """Questions asked at or after ``since``."""
        ...

    def feedback_since(self, since: datetime) -> tuple[FeedbackRow, ...]:
        """Feedback given at or after ``since``."""
        ...


@dataclass(frozen=True, kw_only=True)
class DislikedPassage:
    """A passage that people marked unhelpful, with their comments (newest first)."""

    passage_id: str | None  # None: the 👎 was on a reply without a passage
    not_helpful: int
    helpful: int
    comments: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Report:
    """Everything ``rolle report`` shows for one period."""

    since: datetime
    until: datetime
    total: int
    per_day: Mapping[date, Mapping[str, int]]  # every day of the period, per platform
    platforms: Mapping[str, int]
    outcomes: Mapping[str, int]
    latency_median_ms: float | None
    latency_p95_ms: float | None
    helpful: int
    not_helpful: int
    gaps: tuple[Gap, ...]
    disliked: tuple[DislikedPassage, ...]

    def rate(self, outcome: str) -> float:
        """Share of questions with this outcome (0..1; 0 when there were none)."""
        return self.outcomes.get(outcome, 0) / self.total if self.total else 0.0


def percentile(values: list[int], share: float) -> float | None:
    """Nearest-rank percentile (``share`` 0..1) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[max(0, math.ceil(share * len(ordered)) - 1)])


def _window(days: int, now: datetime | None) -> tuple[datetime, datetime]:
    until = now or datetime.now(UTC)
    return until - timedelta(days=days), until


def top_gaps(
    log: QuestionLog, embedder: Embedder, *, days: int = 30, limit: int = 5,
    now: datetime | None = None, threshold: float | None = None,
) -> tuple[Gap, ...]:
    """The largest groups of unanswered questions of the last ``days`` days.

    For admins in Slack's App Home, ``/rolle bericht`` and Teams' ``bericht``.
    """
    since, _ = _window(days, now)
    unanswered = [(q.text, q.asked_at) for q in log.questions_since(since) if q.outcome == "none"]
    return group_questions(unanswered, embedder, threshold=threshold)[:limit]


def build_report(
    log: QuestionLog, embedder: Embedder | None, *, days: int = 30,
    now: datetime | None = None, gap_limit: int = 15, threshold: float | None = None,
) -> Report:
    """Collect the report for the last ``days`` days.

    Args:
        log: the store to read.
        embedder: groups the unanswered questions; None leaves ``gaps`` empty.
        days: length of the period, ending now.
        now: the end of the period (tests); default the current time.
        gap_limit: groups of unanswered questions kept at most.
        threshold: cosine similarity needed to join a group.
    """
    since, until = _window(days, now)
    asked = log.questions_since(since)
    per_day: dict[date, Counter[str]] = {
        (since + timedelta(days=i)).date(): Counter() for i in range(days + 1)}
    for q in asked:
        per_day.setdefault(q.asked_at.date(), Counter())[q.platform] += 1
    latencies = [q.latency_ms for q in asked]
    unanswered = [(q.text, q.asked_at) for q in asked if q.outcome == "none"]
    gaps = group_questions(unanswered, embedder, threshold=threshold)[:gap_limit] if (
        embedder is not None) else ()
    feedback = log.feedback_since(since)
    return Report(
        since=since, until=until, total=len(asked),
        per_day={d: dict(c) for d, c in sorted(per_day.items())},
        platforms=dict(Counter(q.platform for q in asked).most_common()),
        outcomes={o: sum(q.outcome == o for q in asked) for o in OUTCOMES},
        latency_median_ms=float(statistics.median(latencies)) if latencies else None,
        latency_p95_ms=percentile(latencies, 0.95),
        helpful=sum(f.verdict == "helpful" for f in feedback),
        not_helpful=sum(f.verdict == "not_helpful" for f in feedback),
        gaps=gaps, disliked=_disliked(feedback),
    )


def _disliked(feedback: tuple[FeedbackRow, ...], limit: int = 10) -> tuple[DislikedPassage, ...]:
    votes: dict[str | None, Counter[str]] = defaultdict(Counter)
    comments: dict[str | None, list[str]] = defaultdict(list)
    for f in feedback:
        votes[f.passage_id][f.verdict] += 1
        if f.verdict == "not_helpful" and f.comment:
            comments[f.passage_id].append(f.comment)
    disliked = [
        DislikedPassage(passage_id=pid, not_helpful=v["not_helpful"], helpful=v["helpful"],
                        comments=tuple(reversed(comments[pid]))[:5])
        for pid, v in votes.items() if v["not_helpful"]
    ]
    disliked.sort(key=lambda d: (-d.not_helpful, d.helpful, d.passage_id or ""))
    return tuple(disliked[:limit])
