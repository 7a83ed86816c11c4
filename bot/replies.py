"""How the conversation core turns what the engine found into a :class:`~bot.reply.Reply`:
which passages are quoted and with which sentences first, which are offered, and the
ways on when there is no answer. :mod:`bot.conversation` decides *which* of these a
line gets; the functions here only build them, for every front end alike."""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from bot import leads
from bot.comparison import contrast as contrast_of
from bot.comparison import openings
from bot.core.context import Context
from bot.core.embedding.protocol import Embedder
from bot.core.models import Answer, Hit, Language, Passage
from bot.core.retrieval.highlight import gist
from bot.core.retrieval.highlight import highlights as choose_highlights
from bot.core.text.clean import clean_question
from bot.reply import NoAnswer, OfferLabel, Reply, ReplyKind

MAX_OFFERED = 2  # further matches or related roles shown as buttons under a quote
MAX_BLURB_CHARS = 120  # the one line shown per "Meinst du …?" candidate


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


def blurb(passage: Passage, question: str) -> str:
    """One verbatim line that says what ``passage`` is: its sentence that best matches
    ``question`` (a heading such as "Aufgaben-Beispiele:" skipped), cut at a word."""
    line = next((s for s in gist(passage, question) if not s.endswith(":")), passage.title)
    line = line.removeprefix("• ")
    if len(line) <= MAX_BLURB_CHARS:
        return line
    return line[:MAX_BLURB_CHARS].rsplit(" ", 1)[0].rstrip(" ,;:–-") + " …"


def quote(kind: ReplyKind, shown: tuple[Passage, ...], offered: tuple[Passage, ...],
          label: OfferLabel, question: str, language: Language, engine: Answerer, *,
          comparison: bool = False, hits: tuple[Hit, ...] = ()) -> Reply:
    """A reply quoting ``shown``: each passage's gist for the question (for a
    comparison, the same kind of sentences for both), and for a question how two
    departments differ, their comparison paragraphs side by side."""
    chosen = openings(shown) if comparison else choose_highlights(shown, question)
    contrast = None if comparison or kind != "answer" else contrast_of(
        shown[0], engine.passages, list(engine.by_department()), question)
    if contrast is not None:
        rows = {row.passage.id for row in contrast.rows}
        offered = tuple(p for p in offered if p.id not in rows)
    return Reply(kind=kind, language=language, question=question, shown=shown,
                 offered=offered, offer_label=label, hits=hits, comparison=comparison,
                 highlights=chosen, contrast=contrast)


def role(passage: Passage, language: Language, question: str, engine: Answerer) -> Reply:
    """A role (or topic) asked for by name or button, with its related passages."""
    related = tuple(p for p in map(engine.get, passage.related) if p is not None)
    return quote("role", (passage,), related[:MAX_OFFERED], "related", question, language,
                 engine)


def clarify(offered: tuple[Passage, ...], question: str, language: Language,
            hits: tuple[Hit, ...] = ()) -> Reply:
    """"Meinst du …?": the candidates, each with its line."""
    return Reply(kind="clarify", language=language, question=question, offered=offered,
                 offer_label="did_you_mean", hits=hits,
                 blurbs={p.id: blurb(p, question) for p in offered})


def no_answer(why: NoAnswer, language: Language, engine: Answerer, *, question: str = "",
              offered: tuple[Passage, ...] = ()) -> Reply:
    """No answer, saying ``why``, with the ``offered`` related passages and the ways on."""
    return Reply(kind="none", language=language, question=question, offered=offered,
                 offer_label="related" if offered else "", no_answer=why,
                 leads=leads.ways_on(engine.by_department(), language))


def listing(language: Language, engine: Answerer, department: str | None = None) -> Reply:
    """All roles and topics by department, or those of ``department``."""
    groups = engine.by_department()
    if department is not None and department in groups:
        return Reply(kind="listing", language=language,
                     catalogue={department: groups[department]},
                     leads=leads.commands(language, listing=True))
    return Reply(kind="listing", language=language, catalogue=groups,
                 leads=leads.commands(language))


def from_answer(answer: Answer, engine: Answerer, question: str | None = None) -> Reply:
    """The reply for an engine :class:`Answer`; ``question`` is what the asker wrote when
    the engine was asked something else (a follow-up)."""
    language = answer.language
    question = clean_question(answer.question) if question is None else question
    passages = tuple(h.passage for h in answer.hits)
    if answer.reason in ("empty", "too_long"):
        return Reply(kind=answer.reason, language=language, question=question,
                     limit=engine.max_question_chars)
    if answer.outcome == "answer" and passages:
        shown = 2 if answer.comparison and len(passages) >= 2 else 1
        return quote("answer", passages[:shown], passages[shown:shown + MAX_OFFERED], "more",
                     question, language, engine, comparison=shown == 2, hits=answer.hits)
    if answer.outcome == "clarify" and passages:
        return clarify(passages, question, language, answer.hits)
    if answer.reason == "out_of_scope":
        return no_answer("out_of_scope", language, engine, question=question,
                         offered=answer.suggestions[:MAX_OFFERED])
    return no_answer("no_match", language, engine, question=question)


def restore(context: Context, engine: Answerer, language: Language, *,
            full: bool = False) -> Reply | None:
    """The reply ``context`` describes once more (in ``language``, whole if ``full``),
    with its recorded question; None when none of its passages exists any more."""
    shown = tuple(p for p in map(engine.get, context.shown) if p is not None)
    offered = tuple(p for p in map(engine.get, context.offered) if p is not None)
    if context.kind == "clarify":
        if not offered:
            return None
        return replace(clarify(offered, context.question, language),
                       question_id=context.question_id)
    if not shown:
        return None
    label: OfferLabel = "related" if context.label == "related" else "more"
    reply = quote(context.kind, shown, offered, label, context.question, language, engine,
                  comparison=context.comparison)
    return replace(reply, question_id=context.question_id, full=full)
