"""Rows read back from the database, turned into the port's dataclasses."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime

from sqlalchemy import Connection, RowMapping, and_, select

from bot.core.storage.port import Delivery, FeedbackRow, PassageScore, QuestionRow
from bot.store.schema import feedback, question_passages, questions


def delivery(row: RowMapping) -> Delivery:
    """A ``deliveries`` row as a :class:`Delivery`."""
    return Delivery(
        key=row["key"], platform=row["platform"], kind=row["kind"],
        payload=json.loads(row["payload"]),
        target=None if row["target"] is None else json.loads(row["target"]),
        status=row["status"], accepted_at=row["accepted_at"],
    )


def questions_since(conn: Connection, since: datetime) -> tuple[QuestionRow, ...]:
    """Questions asked at or after ``since`` with their passages, oldest first."""
    rows = conn.execute(
        select(questions).where(questions.c.asked_at >= since).order_by(questions.c.asked_at)
    ).mappings().all()
    hits: dict[str, list[PassageScore]] = defaultdict(list)
    joined = select(question_passages).join(
        questions, questions.c.id == question_passages.c.question_id,
    ).where(questions.c.asked_at >= since).order_by(
        question_passages.c.question_id, question_passages.c.rank)
    for h in conn.execute(joined).mappings():
        hits[h["question_id"]].append(PassageScore(passage_id=h["passage_id"], score=h["score"]))
    return tuple(
        QuestionRow(
            id=r["id"], asked_at=r["asked_at"], platform=r["platform"], surface=r["surface"],
            user_key=r["user_key"], text=r["text"], language=r["language"],
            outcome=r["outcome"], latency_ms=r["latency_ms"],
            passages=tuple(hits.get(r["id"], ())),
        )
        for r in rows
    )


def feedback_since(conn: Connection, since: datetime) -> tuple[FeedbackRow, ...]:
    """Feedback given at or after ``since``, with the question's best passage."""
    query = (
        select(feedback.c.question_id, feedback.c.given_at, feedback.c.verdict,
               feedback.c.comment, questions.c.text, question_passages.c.passage_id)
        .join(questions, questions.c.id == feedback.c.question_id)
        .outerjoin(question_passages, and_(
            question_passages.c.question_id == feedback.c.question_id,
            question_passages.c.rank == 0))
        .where(feedback.c.given_at >= since)
        .order_by(feedback.c.given_at, feedback.c.id)
    )
    return tuple(
        FeedbackRow(question_id=r["question_id"], given_at=r["given_at"], verdict=r["verdict"],
                    comment=r["comment"], question=r["text"], passage_id=r["passage_id"])
        for r in conn.execute(query).mappings()
    )
