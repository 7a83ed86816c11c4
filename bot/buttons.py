"""What a button points at, the same on every platform: a passage to show, a line to ask
as if typed, "Keins davon", 👍/👎 and "Was hat gefehlt?" under an answer, the answer's
whole or short version, sharing it, a step of the guided tour.

Each kind is a pydantic model and :data:`Button` their union, told apart by ``kind``.
The adapters only serialise a button (Slack: the button's ``value``, see
:mod:`bot.slack.values`; Teams: the Action.Submit ``data``, see :mod:`bot.teams.cards`)
and read it back with :func:`read`, which refuses anything that is not a button of ours
(a click is user-controlled data). What a click leads to is decided by
:meth:`bot.conversation.Conversation.click`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

from bot.core.context import MAX_IDS, Context
from bot.core.models import Language
from bot.core.storage.port import MAX_DEPARTMENT_CHARS, Verdict
from bot.core.tour import TourAction
from bot.reply import Feedback

ButtonKind = Literal["show", "ask", "decline", "feedback", "missing", "full", "share", "tour"]
MAX_TEXT_CHARS = 2000  # a line to ask, or the question an answer button carries
MAX_POSITION = 10_000  # tour steps


def _encodable(value: str) -> str:
    """Refuse a lone surrogate (no reply could carry it to Slack, Teams or the store)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("a lone surrogate") from None
    return value


def _clip(limit: int) -> BeforeValidator:
    """Cut a longer string (a question only picks the gist again; a department name that
    long is no department)."""
    return BeforeValidator(lambda value: value[:limit] if isinstance(value, str) else value)


PassageId = Annotated[str, StringConstraints(pattern=r"^[\w.-]{1,200}$")]
QuestionId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{1,32}$")]
UserId = Annotated[str, StringConstraints(pattern=r"^[\w.:-]{1,100}$")]
Question = Annotated[str, _clip(MAX_TEXT_CHARS), AfterValidator(_encodable)]
Department = Annotated[str, _clip(MAX_DEPARTMENT_CHARS), AfterValidator(_encodable)]
Line = Annotated[str, Field(max_length=MAX_TEXT_CHARS), AfterValidator(_encodable)]


class _Model(BaseModel):
    # Unknown keys are ignored: Teams adds the card's inputs to the submitted data.
    model_config = ConfigDict(frozen=True, extra="ignore")


class AnswerRef(_Model):
    """An answer message, enough to show it again: the question (it picks the gist), the
    passages (the quoted ones first), how many are quoted (two: a comparison), the
    heading of the others, the recorded question (feedback is stored with it), and the
    state it was in: whole or gist, its feedback line. ``echo``, ``share`` and
    ``shared_by`` say how a Slack message looked (the question repeated on top, "Im Kanal
    teilen", who shared it); Teams cards leave them unset."""

    question: Question = ""
    passages: tuple[PassageId, ...] = Field(min_length=1, max_length=MAX_IDS)
    shown: Literal[1, 2] = 1
    label: Literal["more", "related"] = "more"
    question_id: QuestionId | None = None
    language: Language = "de"
    full: bool = False
    feedback: Feedback = "ask"
    echo: bool = False
    share: bool = False
    shared_by: UserId | None = None

    def context(self) -> Context:
        """The reply this describes, as the conversation core restores it."""
        return Context(kind="role" if self.label == "related" else "answer",
                       shown=self.passages[:self.shown], offered=self.passages[self.shown:],
                       label=self.label, comparison=self.shown == 2, language=self.language,
                       question=self.question, question_id=self.question_id)


class ShowPassage(_Model):
    """Show a passage (and its related ones)."""

    kind: Literal["show"] = "show"
    passage: PassageId
    language: Language = "de"


class Ask(_Model):
    """Ask a line as if typed: an example question, a department's roles, the tour, help."""

    kind: Literal["ask"] = "ask"
    text: Line
    language: Language = "de"


class Decline(_Model):
    """"Keins davon" under a "Meinst du …?": the recorded question was missed."""

    kind: Literal["decline"] = "decline"
    question_id: QuestionId | None = None
    language: Language = "de"


class Rating(_Model):
    """👍 or 👎 under an answer."""

    kind: Literal["feedback"] = "feedback"
    verdict: Verdict
    answer: AnswerRef


class Missing(_Model):
    """"Senden" under "Was hat gefehlt?" (the line itself is in the message's input)."""

    kind: Literal["missing"] = "missing"
    answer: AnswerRef


class Toggle(_Model):
    """"Ganze Beschreibung" / "Kurzfassung": ``answer`` is the version to show."""

    kind: Literal["full"] = "full"
    answer: AnswerRef


class Share(_Model):
    """"Im Kanal teilen" under a private answer."""

    kind: Literal["share"] = "share"
    answer: AnswerRef


class TourStep(_Model):
    """A guided-tour button: the move, the tour's department, the step it was shown on,
    and ``keep`` (answer with a new message instead of replacing the clicked one, as on
    the welcome message)."""

    kind: Literal["tour"] = "tour"
    action: TourAction = "menu"
    department: Department = ""
    position: int = Field(0, ge=0, lt=MAX_POSITION)
    language: Language = "de"
    keep: bool = False


Button = Annotated[ShowPassage | Ask | Decline | Rating | Missing | Toggle | Share | TourStep,
                   Field(discriminator="kind")]
B = TypeVar("B", bound=_Model)
_BUTTONS: TypeAdapter[Button] = TypeAdapter(Button)


def dump(button: Button) -> dict[str, Any]:
    """``button`` as JSON-ready data, ``kind`` first, defaults left out."""
    return {"kind": button.kind, **button.model_dump(mode="json", exclude_defaults=True)}


def parse(payload: object) -> Button | None:
    """The button in ``payload`` (its data, or its JSON text); None when it is none
    (malformed, forged, or from an older version)."""
    try:
        if isinstance(payload, str | bytes):
            return _BUTTONS.validate_json(payload)
        return _BUTTONS.validate_python(payload)
    except ValidationError:
        return None


def read(payload: object, kind: type[B]) -> B | None:
    """The button of type ``kind`` in ``payload``; None when it is no such button."""
    button = parse(payload)
    return button if isinstance(button, kind) else None
