"""Hypothesis strategies for the fuzzer (tests/test_fuzz.py, tests/test_fuzz_serve.py):
the real payload shapes of Slack and Teams, mutated (types swapped, fields nulled or
dropped, strings grown, values nested deep), and the checks every answer must pass."""

from __future__ import annotations

import copy
import json
import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from hypothesis import strategies as st

from bot.buttons import (
    AnswerRef,
    Ask,
    Decline,
    Missing,
    Rating,
    Share,
    ShowPassage,
    Toggle,
    TourStep,
)
from bot.teams.cards import submit_data
from tests.slack import payloads as p
from tests.slack.fake_slack import BOT_USER_ID
from tests.teams import harness as teams

Json = Any
QUESTION = "Was macht ein Sales Manager?"
# Lone surrogates, control and invisible characters, markup: text as it arrives.
ODD_TEXT = ["", " ", "\x00", "\ud800", "\udfff", "\u202e", "\ufeff", "<!channel>",
            f"<@{BOT_USER_ID}>", "payload", "hilfe", "liste", "&lt;at&gt;", "<at>x</at>",
            "%s %d {0}", "\\", '"', "\n\n> quote", "Vertriebsleiter"]

texts = st.one_of(st.sampled_from(ODD_TEXT), st.text(max_size=40),
                  st.text(alphabet=st.characters(codec="utf-8"), max_size=20))
scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70),
                    st.floats(allow_nan=True, allow_infinity=True), texts)
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(texts, inner, max_size=4)), max_leaves=12)


def nested(value: Json, levels: int, as_list: bool) -> Json:
    """``value`` wrapped ``levels`` times in lists or objects."""
    for _ in range(levels):
        value = [value] if as_list else {"a": value}
    return value


def paths(value: Json, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The paths to the values inside ``value`` (keys and list indices), 12 levels deep."""
    found = [prefix] if prefix else []
    if len(prefix) >= 12:
        return found
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:6]):
            found += paths(item, (*prefix, index))
    return found


def _set(root: Json, path: tuple[Any, ...], change: Callable[[Json, Any], None]) -> None:
    node = root
    for step in path[:-1]:
        node = node[step]
    change(node, path[-1])


@st.composite
def mutated(draw: st.DrawFn, base: Json, limit: int = 200_000) -> Json:
    """``base`` with one to three mutations at random places."""
    body = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        where = paths(body)
        if not where:
            break
        path = draw(st.sampled_from(where))
        how = draw(st.sampled_from(["value", "null", "drop", "grow", "nest", "deep", "add",
                                    "type"]))
        if how == "value":
            new = draw(json_values)
        elif how == "null":
            new = None
        elif how == "grow":
            new = draw(st.sampled_from(["x", "ä", "[", "\ud800"])) * draw(
                st.integers(1000, limit // 4))
        elif how == "nest":
            new = nested(draw(scalars), draw(st.integers(1, 70)), draw(st.booleans()))
        elif how == "deep":  # written out by dumps(): deeper than Python can nest
            new = f"{DEEP}{draw(st.integers(60, 60_000))}{'[' if draw(st.booleans()) else '{'}"
        elif how == "type":
            new = draw(st.sampled_from([0, 1.5, True, "", [], {}, ["x"], {"id": 1}]))
        elif how == "add":
            extra = {draw(texts): draw(json_values)}
            _set(body, path, lambda node, step, e=extra: node.__setitem__(
                step, {**node[step], **e} if isinstance(node[step], dict) else node[step]))
            continue
        else:  # drop
            _set(body, path, lambda node, step: node.pop(step) if isinstance(node, dict)
                 else node.__setitem__(step, None))
            continue
        _set(body, path, lambda node, step, v=new: node.__setitem__(step, v))
    return body


DEEP = "\x00deep:"
_DEEP = re.compile(r'"\\u0000deep:(\d+)([\[{])"')


def dumps(value: Json) -> str:
    """``value`` as JSON, each deep marker written as that many nested lists or objects."""
    def deep(match: re.Match[str]) -> str:
        levels, kind = int(match.group(1)), match.group(2)
        return "[" * levels + "]" * levels if kind == "[" else \
            '{"a":' * levels + "null" + "}" * levels
    return _DEEP.sub(deep, json.dumps(value))


# --- Slack ----------------------------------------------------------------------------
def slack_events() -> list[Json]:
    """Events API callbacks of every kind the bot listens to, and a few it does not."""
    mention = f"<@{BOT_USER_ID}> {QUESTION}"
    ts = p.next_ts()
    return [p.event_callback(e) for e in (
        p.app_mention(mention, ts=p.next_ts()),
        p.app_mention(mention, ts=p.next_ts(), thread_ts=ts),
        p.channel_message(mention, ts=p.next_ts()),
        p.channel_message("Und ein Vertriebsleiter?", ts=p.next_ts(), thread_ts=ts),
        p.im_message(QUESTION, ts=p.next_ts()),
        p.im_message("x", ts=p.next_ts(), subtype="message_changed",
                     message={"user": p.USER, "text": "y", "ts": ts}),
        p.app_home_opened(),
        p.member_joined_channel("U0NEW0001", "C0ONBOARD"),
        p.assistant_thread_started(),
        {"type": "reaction_added", "user": p.USER, "item": {"channel": p.CHANNEL, "ts": ts}},
    )] + [{"type": "url_verification", "challenge": "c", "token": "t"}]


ANSWER = AnswerRef(question=QUESTION, passages=("sales-manager", "vertriebsleiter"),
                   question_id="0" * 32)


def slack_interactions(response_url: str) -> list[Json]:
    """Button clicks of every kind the bot's messages carry, and a view submission."""
    clicks = [
        p.block_actions("show_passage.de.0", p.value(ShowPassage(passage="sales-manager")),
                        response_url=response_url),
        p.block_actions("ask_example.0", p.value(Ask(text=QUESTION)), response_url=response_url,
                        channel="D0ASKER01"),
        p.block_actions("share_answer", p.value(Share(answer=ANSWER)), response_url=response_url,
                        ephemeral=True),
        p.block_actions("feedback_helpful", p.value(Rating(verdict="helpful", answer=ANSWER)),
                        response_url=response_url),
        p.block_actions("feedback_not_helpful",
                        p.value(Rating(verdict="not_helpful", answer=ANSWER)),
                        response_url=response_url, thread_ts="1710000000.000001"),
        p.block_actions("answer_full", p.value(Toggle(answer=ANSWER)), response_url=response_url),
        p.block_actions("clarify_none", p.value(Decline(question_id="0" * 32)),
                        response_url=response_url),
        p.block_actions("tour.start.0",
                        p.value(TourStep(action="start", department="Marketing")),
                        response_url=response_url),
        p.block_actions("show_passage.en.1",
                        p.value(ShowPassage(passage="vertriebsleiter", language="en")),
                        container_type="view"),
    ]
    missing = p.block_actions("feedback_missing", p.value(Missing(answer=ANSWER)),
                              response_url=response_url)
    missing["state"] = {"values": {"feedback_missing_text": {
        "feedback_missing_text": {"type": "plain_text_input", "value": "mehr Beispiele"}}}}
    view = {"type": "view_submission", "user": {"id": p.USER, "team_id": "T0TEAM01"},
            "team": {"id": "T0TEAM01"}, "api_app_id": p.APP_ID, "trigger_id": "1.2.3",
            "view": {"id": "V1", "type": "modal", "callback_id": "x", "team_id": "T0TEAM01",
                     "state": {"values": {}}}}
    return [*clicks, missing, view]


@st.composite
def slash_command_forms(draw: st.DrawFn, response_url: str) -> str:
    """A form-encoded slash command with fields dropped, changed, repeated or added."""
    form = list(p.slash_command(draw(texts), response_url).items())
    for _ in range(draw(st.integers(0, 3))):
        how = draw(st.sampled_from(["drop", "change", "repeat", "payload", "grow"]))
        n = draw(st.integers(0, len(form) - 1)) if form else 0
        if how == "drop" and form:
            form.pop(n)
        elif how == "change" and form:
            form[n] = (form[n][0], draw(texts))
        elif how == "repeat" and form:
            form.append((form[n][0], draw(texts)))
        elif how == "payload":
            form.append(("payload", draw(st.one_of(texts, json_values.map(json.dumps)))))
        elif how == "grow" and form:
            form[n] = (form[n][0], "y" * draw(st.integers(1000, 60_000)))
    return urlencode(form, encoding="utf-8", errors="surrogatepass")


# --- Teams ----------------------------------------------------------------------------
def teams_activities(service_url: str) -> list[Json]:
    """Messages, card submissions, invokes and conversation updates as Teams sends them."""
    return [
        teams.personal_message(service_url, QUESTION),
        teams.group_message(service_url, "Was macht ein Vertriebsleiter?"),
        teams.channel_message(service_url, "hilfe"),
        teams.card_submit(service_url, submit_data(ShowPassage(passage="sales-manager"))),
        teams.card_submit(service_url, submit_data(Ask(text=QUESTION))),
        teams.card_submit(service_url, submit_data(Rating(verdict="helpful", answer=ANSWER))),
        teams.card_submit(service_url, {**submit_data(Missing(answer=ANSWER)),
                                        "missing": "mehr"}, conversation_type="channel"),
        teams.card_submit(service_url, submit_data(Decline(question_id="0" * 32))),
        teams.card_submit(service_url, submit_data(TourStep(action="start",
                                                            department="Marketing"))),
        teams.members_added(service_url, [{"id": teams.BOT_ID}, {"id": "29:new-member"}]),
        teams.members_added(service_url, [{"id": teams.BOT_ID}], conversation_type="personal",
                            locale="en-US"),
        {**teams.personal_message(service_url, ""), "type": "invoke",
         "name": "adaptiveCard/action", "value": {"action": {"type": "Action.Execute",
                                                             "verb": "x", "data": {}}}},
        {**teams.personal_message(service_url, ""), "type": "conversationUpdate",
         "membersRemoved": [{"id": "29:gone"}]},
        {**teams.personal_message(service_url, QUESTION), "deliveryMode": "expectReplies"},
    ]


# --- the checks -----------------------------------------------------------------------
class Recorder(logging.Handler):
    """Keeps every log record (of every logger) while installed."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def problems(self) -> list[str]:
        """Records with a traceback; errors of the libraries (the web server, the SDKs)
        and of the store (bad input reached the database)."""
        bad = []
        for record in self.records:
            text = record.getMessage()
            if record.exc_info or record.stack_info or "Traceback" in text or (
                    record.levelno >= logging.ERROR and record.name.startswith(
                        ("aiohttp", "asyncio", "slack_bolt", "microsoft_agents",
                         "bot.slack.bolt", "bot.core.storage.guard", "bot.store"))):
                error = record.exc_info[1] if record.exc_info else None
                cause = f" ({type(error).__name__}: {str(error)[:200]})" if error else ""
                bad.append(f"{record.levelname} {record.name}: {text[:300]}{cause}")
        return bad


def fresh_ids(body: Json, n: int) -> Json:
    """``body`` with new event, message and activity ids where they are strings, so the
    bot's dedup does not drop the examples after the first."""
    if not isinstance(body, dict):
        return body
    if isinstance(body.get("event_id"), str):
        body["event_id"] = f"EvFuzz{n:08d}"
    event = body.get("event")
    if isinstance(event, dict) and isinstance(event.get("ts"), str):
        event["ts"] = f"1720000000.{n:06d}"
    if isinstance(body.get("id"), str):
        body["id"] = f"fuzz-{n}"
    if isinstance(body.get("trigger_id"), str):
        body["trigger_id"] = f"trigger.fuzz.{n}"
    return body
