"""What a conversation remembers of its last reply, so that a follow-up ("und der Head
davon?", "and in English?", "mehr") can be read against it on any replica and after a
restart. Platform-free: the store keeps it per conversation key (a Slack thread or DM,
a Teams conversation, the terminal)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, Literal

from bot.core.models import Language

ContextKind = Literal["role", "answer", "clarify"]
MAX_IDS = 10
MAX_QUESTION_CHARS = 1000


@dataclass(frozen=True, kw_only=True)
class Context:
    """The last reply that quoted or offered passages in one conversation.

    Attributes:
        kind: the reply's kind (a quote, or a "Meinst du …?").
        shown: the ids of the quoted passages (two for a comparison).
        offered: the ids offered as buttons below.
        label: the text key of the offered passages' heading.
        comparison: ``shown`` was read side by side.
        language: the UI language of that reply.
        question: the question it answered ("" for a button).
        question_id: the recorded question (for "Keins davon" after a clarify).
    """

    kind: ContextKind
    shown: tuple[str, ...] = ()
    offered: tuple[str, ...] = ()
    label: str = ""
    comparison: bool = False
    language: Language = "de"
    question: str = ""
    question_id: str | None = None

    def encode(self) -> str:
        """Compact JSON for the store."""
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def decode(cls, raw: str | None) -> Context | None:
        """The context in ``raw`` (from the store), or None when it is not one."""
        try:
            data: Any = json.loads(raw or "")
        except ValueError:
            return None
        if not isinstance(data, dict) or data.get("kind") not in ("role", "answer", "clarify"):
            return None

        def ids(name: str) -> tuple[str, ...]:
            value = data.get(name)
            items = value if isinstance(value, list) else []
            return tuple(i for i in items[:MAX_IDS] if isinstance(i, str))

        question, qid = data.get("question"), data.get("question_id")
        return cls(kind=data["kind"], shown=ids("shown"), offered=ids("offered"),
                   label=str(data.get("label") or "")[:32],
                   comparison=data.get("comparison") is True,
                   language="en" if data.get("language") == "en" else "de",
                   question=question[:MAX_QUESTION_CHARS] if isinstance(question, str) else "",
                   question_id=qid if isinstance(qid, str) and len(qid) <= 32 else None)
