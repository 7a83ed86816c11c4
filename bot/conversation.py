"""One conversation step for every front end: text in, one decided :class:`Reply` out.

The terminal, Slack and Teams all call :meth:`Conversation.respond` (or
:meth:`Conversation.show` for a "show this passage" button) and only render the result.
What a line means (help, the list, a role by name, a question), which language the UI
speaks, which passages are quoted and which are offered as buttons, and whether the
asker is over the rate limit is decided here, once.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

from bot.core import language as lang
from bot.core.embedder import Embedder
from bot.core.highlight import highlights as choose_highlights
from bot.core.models import Answer, Hit, Language, Passage
from bot.core.people import Directory, Person, asks_for_people
from bot.core.store import NewQuestion, PassageScore, Platform, Surface
from bot.core.store_guard import GuardedStore
from bot.core.text import clean_question
from bot.core.tour import TourAction, TourView
from bot.logs import current_ref
from bot.ratelimit import Limiter, Verdict
from bot.report.gaps import Gap
from bot.report.summary import top_gaps
from bot.tour_guide import ENGLISH_TOUR, TOUR_WORDS, TourGuide

log = logging.getLogger(__name__)

ReplyKind = Literal[
    "help", "listing", "role", "answer", "clarify", "none", "empty", "too_long", "rate_limited",
    "report", "tour",
]
# Which heading the offered passages get (keys of bot.texts).
OfferLabel = Literal["more", "related", "did_you_mean", "no_answer", ""]

HELP_WORDS = frozenset({"hilfe", "help", "?"})
LIST_WORDS = frozenset({"liste", "list", "rollen", "roles", "themen", "topics"})
REPORT_WORDS = frozenset({"bericht", "report"})
ENGLISH_COMMANDS = frozenset({"help", "list", "roles", "topics", "report"})
REPORT_DAYS = 30  # the report in chat covers this many days
# Replies that answer a question, and the outcome the store records for them.
_RECORDED: dict[str, Literal["answer", "clarify", "none"]] = {
    "role": "answer", "answer": "answer", "clarify": "clarify", "none": "none"}
MAX_OFFERED = 2  # further matches or related roles shown as buttons under a quote
_TRAILING = "!.:;, \t"


class Answerer(Protocol):
    """What the conversation needs from the engine (the real one, or a stub in tests)."""

    max_question_chars: int
    passages: tuple[Passage, ...]

    def answer(self, question: str) -> Answer:
        """Retrieve and decide for one question."""
        ...

    def lookup(self, name: str) -> Passage | None:
        """The role or topic called exactly ``name``."""
        ...

    def get(self, passage_id: str) -> Passage | None:
        """The passage with this id."""
        ...

    def roles(self) -> tuple[Passage, ...]:
        """All role passages."""
        ...

    @property
    def embedder(self) -> Embedder:
        """The model that embeds questions (the report groups unanswered ones with it)."""
        ...

    def by_department(self) -> dict[str, list[Passage]]:
        """All passages grouped by department."""
        ...


@dataclass(frozen=True, kw_only=True)
class Reply:
    """What to tell the asker, decided once for every front end.

    Attributes:
        kind: what sort of reply this is.
        language: the UI language (quoted passages stay German).
        question: the question as cleaned for answering ("" for buttons).
        shown: passages quoted in full, best first (two for a comparison).
        offered: passages offered as buttons below (further matches, related roles,
            "did you mean" candidates, or the known roles after "no answer").
        offer_label: the text key of the heading above ``offered``.
        hits: the engine's scored hits, for the terminal and JSON.
        catalogue: departments and their passages, for ``listing``.
        comparison: ``shown`` holds two passages to read side by side.
        limit: the maximum question length, for ``too_long``.
        notify: for ``rate_limited``: tell the asker (first time) or stay quiet.
        question_id: the recorded question's id (for feedback), None if not recorded.
        gaps: for ``report``: the largest groups of unanswered questions.
        highlights: for each passage in ``shown`` (by id), its gist: the verbatim
            sentences that best match the question, shown first by the chat front ends.
        tour: for ``tour``: the guided tour's menu, step or end.
        people: for a question who holds the role here ("Wer ist bei uns …?"): the
            colleagues holding the quoted role, by name (never to be shown as mentions).
        people_asked: the question asked for people and the directory was read, so an
            empty ``people`` means "nobody found" (False: show the role alone).
    """

    kind: ReplyKind
    language: Language = "de"
    question: str = ""
    shown: tuple[Passage, ...] = ()
    offered: tuple[Passage, ...] = ()
    offer_label: OfferLabel = ""
    hits: tuple[Hit, ...] = ()
    catalogue: Mapping[str, Sequence[Passage]] | None = None
    comparison: bool = False
    limit: int = 0
    notify: bool = True
    question_id: str | None = None
    gaps: tuple[Gap, ...] = ()
    highlights: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    tour: TourView | None = None
    people: tuple[Person, ...] = ()
    people_asked: bool = False

    def gist(self, passage: Passage) -> tuple[str, ...]:
        """The highlighted sentences of a shown ``passage`` (empty if none)."""
        return tuple(self.highlights.get(passage.id, ()))

    @property
    def best(self) -> Passage | None:
        """The first quoted passage, if any."""
        return self.shown[0] if self.shown else None

    @property
    def quotes(self) -> bool:
        """Whether this reply quotes the knowledge base (role or answer)."""
        return self.kind in ("role", "answer") and bool(self.shown)


def new_request_id() -> str:
    """A short id that ties a log line to what the user was told: the reference of the
    request being handled (every log line of it carries the same), else a new one."""
    return current_ref() or uuid.uuid4().hex[:12]


def command_word(text: str) -> str:
    """The text as a command word: lower case, trailing punctuation dropped ("Hilfe!" ->
    "hilfe"); a lone "?" stays."""
    word = text.strip().lower()
    return word if word == "?" else word.rstrip(_TRAILING).strip()


class Observer(Protocol):
    """Told about every reply (metrics); must be quick and must not raise."""

    def replied(self, reply: Reply, *, platform: Platform, surface: Surface,
                seconds: float) -> None:
        """``reply`` was decided in ``seconds`` for a line asked on ``platform``/``surface``."""
        ...


def with_highlights(reply: Reply) -> Reply:
    """``reply`` with the gist of each shown passage for its question (see
    :mod:`bot.core.highlight`)."""
    if not reply.shown:
        return reply
    return replace(reply, highlights=choose_highlights(reply.shown, reply.question))


class Conversation:
    """Decides the reply to a line of text; front ends render it.

    ``engine`` may be replaced while the conversation is in use (hot reload): each call
    reads it once, so a reply comes wholly from the old engine or wholly from the new.
    """

    def __init__(self, engine: Answerer, *, limiter: Limiter | None = None,
                 store: GuardedStore | None = None, admins: frozenset[str] = frozenset(),
                 observer: Observer | None = None, directory: Directory | None = None,
                 ) -> None:
        """Wrap ``engine``; with a ``limiter``, questions count against a per-user limit
        (help and the list do not); with a ``store``, questions and their outcomes are
        recorded (pass a guarded store: recording must never cost an answer), and the
        ``admins`` (user ids) may ask for the knowledge-gap report; an ``observer`` is told
        about every reply; with a ``directory``, a question who holds a role here is
        answered with the role and its people."""
        self.engine = engine
        self.directory = directory
        self.limiter = limiter
        self.store = store
        self.admins = admins
        self.observer = observer
        self.guide = TourGuide(store)

    def is_admin(self, user: str | None) -> bool:
        """Whether ``user`` may see the knowledge-gap report (and there is a store)."""
        return self.store is not None and user is not None and user in self.admins

    def gaps(self) -> tuple[Gap, ...]:
        """The largest groups of unanswered questions of the last 30 days."""
        if self.store is None:
            return ()
        return top_gaps(self.store, self.engine.embedder, days=REPORT_DAYS)

    def respond(self, text: str, *, user: str | None = None, platform: Platform = "terminal",
                surface: Surface = "terminal") -> Reply:
        """The reply to one line from ``user`` (None: no rate limit applies), asked on
        ``platform`` through ``surface`` (both only recorded).

        The engine is synchronous and CPU-bound: async front ends call this in a worker
        thread.
        """
        started = time.perf_counter()
        engine = self.engine
        reply = self.with_people(self._decide(text, user, engine), engine, platform)
        seconds = time.perf_counter() - started
        if self.observer is not None:
            self.observer.replied(reply, platform=platform, surface=surface, seconds=seconds)
        if self.store is None or reply.kind not in _RECORDED:
            return reply
        latency_ms = int(seconds * 1000)
        scores = {h.passage.id: h.score for h in reply.hits}
        passages = reply.shown + reply.offered if reply.kind != "none" else ()
        question_id = self.store.record_question(NewQuestion(
            platform=platform, surface=surface, user_id=user or "-", text=reply.question,
            language=reply.language, outcome=_RECORDED[reply.kind], latency_ms=latency_ms,
            passages=tuple(PassageScore(passage_id=p.id, score=scores.get(p.id, 1.0))
                           for p in passages)))
        return replace(reply, question_id=question_id)

    def _decide(self, text: str, user: str | None, engine: Answerer) -> Reply:
        question = clean_question(text)
        word = command_word(question)
        command_language: Language = "en" if word in ENGLISH_COMMANDS else "de"
        if word in HELP_WORDS:
            return Reply(kind="help", language=command_language, question=question)
        if word in LIST_WORDS:
            return Reply(kind="listing", language=command_language, question=question,
                         catalogue=engine.by_department())
        if word in REPORT_WORDS and self.is_admin(user):  # everyone else: a question
            return Reply(kind="report", language=command_language, question=question,
                         gaps=self.gaps())
        if word in ENGLISH_TOUR or word.split(" ", 1)[0] in TOUR_WORDS:
            view, tour_language = self.guide.command(
                engine.passages, word, user=user,
                language="en" if word in ENGLISH_TOUR else "de")
            return Reply(kind="tour", language=tour_language, question=question, tour=view)
        language = lang.detect(question)
        if question and user is not None and self.limiter is not None:
            verdict = self.limiter.check(user)
            if verdict is not Verdict.ALLOW:
                return Reply(kind="rate_limited", language=language, question=question,
                             notify=verdict is Verdict.NOTIFY)
        passage = engine.lookup(question) if question else None
        if passage is not None:
            return self._role(passage, language, question, engine)
        # The engine gets the text with its line breaks: quoted lines ("> …") are chatter.
        answer = engine.answer(text)
        related = answer.suggestions[0] if answer.reason == "out_of_scope" else None
        if (related is not None and related.kind == "role" and self.directory is not None
                and asks_for_people(question)):
            # The articles do not say who holds the role here; the directory does.
            return self._role(related, language, question, engine)
        return self.from_answer(answer, engine)

    def with_people(self, reply: Reply, engine: Answerer, platform: Platform) -> Reply:
        """``reply`` with the people holding its role, when the question asked who holds
        it here and one role is quoted; a directory failure is logged and the role is
        shown alone."""
        role = reply.best
        if (self.directory is None or role is None or role.kind != "role"
                or reply.comparison or not reply.quotes or not asks_for_people(reply.question)):
            return reply
        try:
            people = self.directory.people(role, engine.roles(), platform=platform)
        except Exception as exc:
            log.warning("people for %s: directory unavailable (%s); the role alone",
                        role.id, exc)
            return reply
        return replace(reply, people=people, people_asked=True)

    def show(self, passage_id: str, language: Language = "de") -> Reply:
        """The reply to a "show this passage" button: the passage and its related ones,
        or "no answer" with the known roles when the id is unknown (an old button)."""
        engine = self.engine
        passage = engine.get(passage_id)
        if passage is None:
            return Reply(kind="none", language=language, offered=engine.roles(),
                         offer_label="no_answer")
        return self._role(passage, language, "", engine)

    def _role(self, passage: Passage, language: Language, question: str,
              engine: Answerer) -> Reply:
        related = tuple(p for p in map(engine.get, passage.related) if p is not None)
        return with_highlights(Reply(
            kind="role", language=language, question=question, shown=(passage,),
            offered=related[:MAX_OFFERED], offer_label="related"))

    def from_answer(self, answer: Answer, engine: Answerer | None = None) -> Reply:
        """The reply for an engine :class:`Answer` (given by ``engine``, default the
        current one)."""
        engine = engine or self.engine
        language, question = answer.language, clean_question(answer.question)
        passages = tuple(h.passage for h in answer.hits)
        if answer.reason in ("empty", "too_long"):
            return Reply(kind=answer.reason, language=language, question=question,
                         limit=engine.max_question_chars)
        if answer.outcome == "answer" and passages:
            shown = 2 if answer.comparison and len(passages) >= 2 else 1
            return with_highlights(Reply(
                kind="answer", language=language, question=question, shown=passages[:shown],
                offered=passages[shown:shown + MAX_OFFERED], offer_label="more",
                hits=answer.hits, comparison=shown == 2))
        if answer.outcome == "clarify" and passages:
            return Reply(kind="clarify", language=language, question=question,
                         offered=passages, offer_label="did_you_mean", hits=answer.hits)
        return Reply(kind="none", language=language, question=question,
                     offered=answer.suggestions or engine.roles(), offer_label="no_answer")

    # --- the guided tour (decided by bot.tour_guide) ------------------------------------
    def tour_departments(self) -> tuple[str, ...]:
        """The departments a guided tour can start in (for welcome messages)."""
        return self.guide.tour_of(self.engine.passages).departments

    def tour(self, action: TourAction, *, user: str | None, department: str = "",
             position: int = 0, language: Language = "de") -> Reply:
        """One step of the guided tour for a button (or a typed "weiter"): see
        :meth:`bot.tour_guide.TourGuide.click`."""
        view, language = self.guide.click(
            self.engine.passages, action, user=user, department=department,
            position=position, language=language)
        return Reply(kind="tour", language=language, tour=view)
