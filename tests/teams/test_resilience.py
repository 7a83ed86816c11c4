"""Refusals and retries: every bad Teams token is a 401 with one WARNING line (never a
500 or a traceback), and replies survive a throttling or failing Bot Connector."""

from __future__ import annotations

import base64
import json
import logging
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from microsoft_agents.hosting.core.authorization import JwtTokenValidator

from bot.config import Settings
from bot.conversation import Conversation
from bot.server import start
from tests.support.net import LoopThread, http
from tests.teams.conftest import APP_ID
from tests.teams.harness import FakeConnector, TeamsClient, card_of, personal_message
from tests.test_ops import metric

KID = "rollenbot-test-key"
ISSUER = "https://api.botframework.com"
_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
_OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"iss": ISSUER, "aud": APP_ID, "iat": now - 60, "nbf": now - 60,
            "exp": now + 3600, "serviceUrl": "http://127.0.0.1/", **changes}


def signed(payload: dict[str, Any], key: Any = _KEY, **headers: Any) -> str:
    return jwt.encode(payload, key, algorithm="RS256", headers=headers or None)


TOKENS = {
    "garbage": "!!!garbage!!!",
    "three-garbage-parts": "abc.def.ghi",
    "no-kid": signed(claims()),
    "alg-none": f"{b64({'alg': 'none', 'typ': 'JWT', 'kid': KID})}.{b64(claims())}.",
    "hs256": jwt.encode(claims(), "a-shared-secret-of-32-bytes-long!", algorithm="HS256",
                        headers={"kid": KID}),
    "expired": signed(claims(exp=int(time.time()) - 3600), kid=KID),
    "wrong-audience": signed(claims(aud="00000000-0000-0000-0000-000000000000"), kid=KID),
    "wrong-signature": signed(claims(), _OTHER_KEY, kid=KID),
}


@pytest.fixture
def signing_keys(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The Bot Framework key set, served locally: our test key under KID (no network)."""
    asked: list[str] = []

    async def get_signing_key(jwks_uri: str, header: dict[str, Any]) -> Any:
        asked.append(header["kid"])
        if header["kid"] != KID:
            raise jwt.PyJWKClientError(f"Unable to find a signing key that matches: {KID}")
        return jwt.PyJWK.from_dict(json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(
            _KEY.public_key())) | {"kid": KID, "alg": "RS256"})

    monkeypatch.setattr(JwtTokenValidator._jwk_client_manager, "get_signing_key",
                        get_signing_key)
    return asked


@pytest.mark.parametrize("case", sorted(TOKENS))
def test_every_bad_token_is_a_401_with_one_warning(
        case: str, secured_bot: TeamsClient, connector: FakeConnector,
        signing_keys: list[str], caplog: pytest.LogCaptureFixture) -> None:
    activity = personal_message(connector.url, "Was macht ein Vertriebsleiter?")
    with caplog.at_level(logging.DEBUG):
        status, body = secured_bot.post(activity,
                                        headers={"Authorization": f"Bearer {TOKENS[case]}"})
    assert status == 401, body
    assert body == {"error": "Invalid token or authentication failed."}
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    [line] = warnings
    assert line.levelno == logging.WARNING and line.name == "bot.teams.app"
    assert line.getMessage().startswith("Teams: refused a request from 127.0.0.1: ")
    assert line.exc_info is None
    assert connector.recorded == []
    # Only tokens that pass the header checks reach the key set.
    assert signing_keys == ([KID] if case in {"expired", "wrong-audience",
                                              "wrong-signature"} else [])


def test_the_refusal_says_why(secured_bot: TeamsClient, connector: FakeConnector,
                              signing_keys: list[str],
                              caplog: pytest.LogCaptureFixture) -> None:
    reasons = {}
    for case in ("no-kid", "alg-none", "expired", "wrong-audience"):
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            secured_bot.post(personal_message(connector.url, "Hallo"),
                             headers={"Authorization": f"Bearer {TOKENS[case]}"})
        reasons[case] = caplog.records[-1].getMessage().split("127.0.0.1: ", 1)[1]
    assert reasons == {
        "no-kid": "the token names no signing key (kid)",
        "alg-none": "algorithm 'none' is not accepted",
        "expired": "the token has expired",
        "wrong-audience": "the token is not valid (ValueError: Invalid audience.)",
    }


@pytest.mark.parametrize(("status", "headers"), [(429, {"Retry-After": "0"}), (503, {})],
                         ids=["429-retry-after", "503-backoff"])
def test_a_throttled_reply_is_retried_and_arrives(
        bot: TeamsClient, connector: FakeConnector, status: int, headers: dict[str, str],
        caplog: pytest.LogCaptureFixture) -> None:
    connector.fail_next(2, status, headers)
    with caplog.at_level(logging.WARNING, logger="bot.teams.retry"):
        code, _ = bot.post(personal_message(connector.url, "Was macht ein Vertriebsleiter?"))
        assert code == 202
        [reply] = connector.wait_messages(1)
    assert connector.refused == [status, status]
    assert card_of(reply)["body"][0]["text"] == "Vertriebsleiter"
    retries = [r.getMessage() for r in caplog.records if r.name == "bot.teams.retry"]
    assert len(retries) == 2 and f"HTTP {status}" in retries[0]


def test_retries_and_errors_show_in_the_metrics(
        loop_thread: LoopThread, anonymous_settings: Settings, engine: Any,
        connector: FakeConnector) -> None:
    running = loop_thread.run(start(anonymous_settings, Conversation(engine),
                                    host="127.0.0.1", port=0))
    try:
        connector.fail_next(3, 429, {"Retry-After": "0"})
        result = http("POST", f"http://127.0.0.1:{running.port}/api/messages",
                      json.dumps(personal_message(connector.url,
                                                  "Was macht ein Vertriebsleiter?")).encode(),
                      {"Content-Type": "application/json"})
        assert result.status == 202
        connector.wait_messages(1)
        page = http("GET", f"http://127.0.0.1:{running.port}/metrics").body
    finally:
        loop_thread.run(running.stop())
    assert metric(page, "rollenbot_platform_api_retries_total", platform="teams") == 3
    assert metric(page, "rollenbot_platform_api_errors_total", platform="teams",
                  status="429") == 0
