"""One conversation step for every front end: text in, one decided :class:`Reply` out.

The terminal, Slack and Teams all call :meth:`Conversation.respond` (or
:meth:`Conversation.click` for a button: see :mod:`bot.buttons`) and only render the
result. What a line means (help, the list, a
role by name, a follow-up, a question), which language the UI speaks, which passages
are quoted and which are offered, the ways on, and whether the asker is over the rate
limit is decided here, once. The last reply of each conversation (``thread``) is kept
in the store, so follow-ups work on every replica and after a restart.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import OrderedDict
from dataclasses import replace
from typing import Literal, Protocol

from bot import clicks, followup, leads, replies
from bot.buttons import Button, ButtonKind
from bot.core.context import Context
from bot.core.models import Answer, Language
from bot.core.people import Directory, asks_for_people
from bot.core.storage.guard import GuardedStore
from bot.core.storage.port import NewQuestion, PassageScore, Platform, Surface
from bot.core.text import language as lang
from bot.core.text.clean import clean_question
from bot.core.tour import TourAction
from bot.logs import current_ref
from bot.ratelimit import Admission, Limiter
from bot.replies import Answerer
from bot.reply import Lead, Reply, ReplyKind
from bot.report.gaps import Gap
from bot.report.summary import top_gaps
from bot.tour_guide import ENGLISH_TOUR, TOUR_WORDS, TourGuide

__all__ = ["Answerer", "Conversation", "Lead", "Reply", "ReplyKind", "command_word",
           "new_request_id"]
log = logging.getLogger(__name__)

HELP_WORDS = frozenset({"hilfe", "help", "?"})
LIST_WORDS = frozenset({"liste", "list", "rollen", "roles", "themen", "topics"})
REPORT_WORDS = frozenset({"bericht", "report"})
ENGLISH_COMMANDS = frozenset({"help", "list", "roles", "topics", "report"})
REPORT_DAYS = 30  # the report in chat covers this many days
# Replies that answer a question, and the outcome the store records for them.
_RECORDED: dict[str, Literal["answer", "clarify", "none"]] = {
    "role": "answer", "answer": "answer", "clarify": "clarify", "none": "none"}
MAX_CONTEXTS = 10_000  # remembered in memory when there is no store
_TRAILING = "!.:;, \t"


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
        recorded and each conversation's last reply is kept (pass a guarded store:
        recording must never cost an answer), and the ``admins`` (user ids) may ask for
        the knowledge-gap report; an ``observer`` is told about every reply; with a
        ``directory``, a question who holds a role here is answered with the role and
        its people."""
        self.engine = engine
        self.directory = directory
        self.limiter = limiter
        self.store = store
        self.admins = admins
        self.observer = observer
        self.guide = TourGuide(store)
        self._names: followup.Names | None = None
        self._contexts: OrderedDict[str, Context] = OrderedDict()  # without a store

    def is_admin(self, user: str | None) -> bool:
        """Whether ``user`` may see the knowledge-gap report (and there is a store)."""
        return self.store is not None and user is not None and user in self.admins

    def gaps(self) -> tuple[Gap, ...]:
        """The largest groups of unanswered questions of the last 30 days."""
        if self.store is None:
            return ()
        return top_gaps(self.store, self.engine.embedder, days=REPORT_DAYS)

    def respond(self, text: str, *, user: str | None = None, platform: Platform = "terminal",
                surface: Surface = "terminal", thread: str | None = None) -> Reply:
        """The reply to one line from ``user`` (None: no rate limit applies), asked on
        ``platform`` through ``surface`` (both only recorded), in the conversation
        ``thread`` (a key for its follow-ups; None: no follow-ups).

        The engine is synchronous and CPU-bound: async front ends call this in a worker
        thread.
        """
        started = time.perf_counter()
        engine = self.engine
        context = self.context(thread)
        reply, record = self._decide(text, user, engine, context)
        reply = self.with_people(reply, engine, platform)
        seconds = time.perf_counter() - started
        if self.observer is not None:
            self.observer.replied(reply, platform=platform, surface=surface, seconds=seconds)
        if record:
            reply = self._record(reply, user, platform, surface, int(seconds * 1000))
        self._remember(thread, user, reply)
        return reply

    def _record(self, reply: Reply, user: str | None, platform: Platform, surface: Surface,
                latency_ms: int) -> Reply:
        if self.store is None or reply.kind not in _RECORDED:
            return reply
        scores = {h.passage.id: h.score for h in reply.hits}
        passages = reply.shown + reply.offered if reply.kind != "none" else ()
        question_id = self.store.record_question(NewQuestion(
            platform=platform, surface=surface, user_id=user or "-",
            text=reply.question or (reply.best.title if reply.best else ""),
            language=reply.language, outcome=_RECORDED[reply.kind], latency_ms=latency_ms,
            passages=tuple(PassageScore(passage_id=p.id, score=scores.get(p.id, 1.0))
                           for p in passages)))
        return replace(reply, question_id=question_id)

    def _decide(self, text: str, user: str | None, engine: Answerer,
                context: Context | None) -> tuple[Reply, bool]:
        """The reply, and whether it is to be recorded as a question."""
        question = clean_question(text)
        word = command_word(question)
        first, _, rest = word.partition(" ")
        command_language: Language = "en" if first in ENGLISH_COMMANDS else "de"
        if word in HELP_WORDS:
            return Reply(kind="help", language=command_language, question=question,
                         leads=leads.for_help(command_language)), False
        departments = {d.lower(): d for d in engine.by_department()}
        if first in LIST_WORDS and (not rest or rest in departments):
            return replies.listing(command_language, engine, departments.get(rest)), False
        if word in REPORT_WORDS and self.is_admin(user):  # everyone else: a question
            return Reply(kind="report", language=command_language, question=question,
                         gaps=self.gaps()), False
        if word in ENGLISH_TOUR or first in TOUR_WORDS:
            view, tour_language = self.guide.command(
                engine.passages, word, user=user,
                language="en" if word in ENGLISH_TOUR else "de")
            return Reply(kind="tour", language=tour_language, question=question,
                         tour=view), False
        language = lang.detect(question)
        if question and user is not None and self.limiter is not None:
            admission = self.limiter.check(user)
            if admission is not Admission.ALLOW:
                return Reply(kind="rate_limited", language=language, question=question,
                             notify=admission is Admission.NOTIFY), False
        if context is not None and question:
            reading = followup.read(question, context, self._names_of(engine), engine.get)
            if reading is not None:
                read = self._follow(reading, context, question, language, engine)
                if read is not None:
                    return read
        passage = engine.lookup(question) if question else None
        if passage is not None:
            return replies.role(passage, language, question, engine), True
        # The engine gets the text with its line breaks: quoted lines ("> …") are chatter.
        answer = engine.answer(text)
        related = answer.suggestions[0] if answer.reason == "out_of_scope" else None
        if (related is not None and related.kind == "role" and self.directory is not None
                and asks_for_people(question)):
            # The articles do not say who holds the role here; the directory does.
            return replies.role(related, language, question, engine), True
        return replies.from_answer(answer, engine), True

    def _follow(self, reading: followup.Reading, context: Context, question: str,
                language: Language, engine: Answerer) -> tuple[Reply, bool] | None:
        if reading.kind == "again":
            again = self.restore(context, language=reading.language, full=reading.full,
                                 engine=engine)
            return (again, False) if again is not None else None
        if reading.kind == "decline":
            return self.decline(context.question_id, context.language), False
        if reading.kind == "role" and reading.passage is not None:
            role = replies.role(reading.passage, language, question, engine)
            return replace(role, about=reading.about), True
        answer = engine.answer(reading.question)
        return replace(replies.from_answer(answer, engine, question),
                       about=reading.about), True

    # --- follow-up contexts ---------------------------------------------------------------
    def context(self, thread: str | None) -> Context | None:
        """The last reply remembered for the conversation ``thread``."""
        if thread is None:
            return None
        if self.store is not None:
            return self.store.load_context(thread)
        return self._contexts.get(thread)

    def _remember(self, thread: str | None, user: str | None, reply: Reply) -> None:
        if thread is None or reply.kind not in ("role", "answer", "clarify"):
            return
        if reply.kind != "clarify" and not reply.shown:
            return
        context = Context(kind=reply.kind, shown=tuple(p.id for p in reply.shown),
                          offered=tuple(p.id for p in reply.offered),
                          label=reply.offer_label, comparison=reply.comparison,
                          language=reply.language, question=reply.question,
                          question_id=reply.question_id)
        if self.store is not None:
            self.store.save_context(thread, user or "-", context)
            return
        self._contexts.pop(thread, None)
        self._contexts[thread] = context
        while len(self._contexts) > MAX_CONTEXTS:
            self._contexts.popitem(last=False)

    def _names_of(self, engine: Answerer) -> followup.Names:
        names = self._names
        if names is None or names.passages is not engine.passages:
            names = self._names = followup.Names(engine.passages)
        return names

    def restore(self, context: Context, *, language: Language | None = None,
                full: bool = False, engine: Answerer | None = None) -> Reply | None:
        """A reply described by ``context`` (a follow-up's last reply, or a button's
        reference) once more: in ``language`` (default its own), whole if ``full``; None
        when none of its passages exists any more."""
        return replies.restore(context, engine or self.engine, language or context.language,
                               full=full)

    # --- replies ----------------------------------------------------------------------
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

    def show(self, passage_id: str, language: Language = "de", *, user: str | None = None,
             platform: Platform = "terminal", surface: Surface = "terminal",
             thread: str | None = None) -> Reply:
        """The reply to a "show this passage" button: the passage and its related ones
        (recorded like a question, so its feedback is stored with it), or "no answer"
        with the ways on when the id is unknown (an old button)."""
        engine = self.engine
        passage = engine.get(passage_id)
        if passage is None:
            return replies.no_answer("no_match", language, engine)
        reply = self._record(replies.role(passage, language, "", engine), user, platform,
                             surface, 0)
        self._remember(thread, user, reply)
        return reply

    # --- buttons (decided by bot.clicks) --------------------------------------------------
    def click(self, button: Button, *, user: str | None = None,
              platform: Platform = "terminal", surface: Surface = "terminal",
              thread: str | None = None, comment: str | None = None) -> Reply:
        """The reply to ``user`` clicking ``button`` on ``platform``/``surface`` in the
        conversation ``thread`` (``comment``: the line typed under "Was hat gefehlt?");
        see :func:`bot.clicks.click`. Blocking: call it in a worker thread."""
        return clicks.click(self, button, user=user, platform=platform, surface=surface,
                            thread=thread, comment=comment)

    def refused(self, kind: ButtonKind, *, user: str | None = None) -> Reply:
        """The reply to a click of ``kind`` whose payload is no button of ours; see
        :func:`bot.clicks.refused`."""
        return clicks.refused(self, kind, user=user)

    def decline(self, question_id: str | None, language: Language = "de") -> Reply:
        """"Keins davon" under a "Meinst du …?": the question is recorded as a miss (the
        knowledge-gap report counts it), and the ways on are offered."""
        if question_id and self.store is not None:
            self.store.mark_missed(question_id)
        return replies.no_answer("declined", language, self.engine)

    def from_answer(self, answer: Answer, engine: Answerer | None = None, *,
                    question: str | None = None) -> Reply:
        """The reply for an engine :class:`Answer` (given by ``engine``, default the
        current one); see :func:`bot.replies.from_answer`."""
        return replies.from_answer(answer, engine or self.engine, question)

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
