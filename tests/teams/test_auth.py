"""Authentication and request checks: credentials map onto the SDK configuration; with
credentials, requests without a valid token are refused with 401 and get no answer;
malformed activities get 400; anonymous mode only when asked for, with a warning, and
without token fetches for replies."""

from __future__ import annotations

import logging

import pytest
from aiohttp import web

from bot.config import Settings
from bot.conversation import Conversation
from bot.teams.app import add_teams_routes
from bot.teams.auth import TeamsConfigError, auth_configuration
from tests.support import reconfigure
from tests.support.net import http
from tests.teams.conftest import APP_ID, TENANT_ID
from tests.teams.harness import FakeConnector, TeamsClient, personal_message

pytestmark = [
    # The SDK's JWT middleware stores the identity under a plain string request key.
    pytest.mark.filterwarnings("ignore::aiohttp.web_exceptions.NotAppKeyWarning"),
]


def test_credentials_map_to_the_service_connection(credential_settings: Settings) -> None:
    config = auth_configuration(credential_settings)
    assert config.CLIENT_ID == APP_ID
    assert config.TENANT_ID == TENANT_ID
    assert config.CLIENT_SECRET == "not-a-real-secret"
    assert config.CONNECTION_NAME == "SERVICE_CONNECTION"
    assert config.ANONYMOUS_ALLOWED is False


def test_anonymous_only_when_asked_for(settings: Settings) -> None:
    assert auth_configuration(reconfigure(settings, {"teams_anonymous": True})
                              ).ANONYMOUS_ALLOWED is True
    with pytest.raises(TeamsConfigError, match="ROLLE_TEAMS_ANONYMOUS=true"):
        auth_configuration(settings)


@pytest.mark.parametrize(
    ("update", "missing"),
    [
        ({"teams_app_password": None}, "MICROSOFT_APP_PASSWORD is not"),
        ({"teams_tenant_id": None}, "MICROSOFT_APP_TENANT_ID is not"),
        ({"teams_app_password": None, "teams_tenant_id": None},
         "MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID are not"),
    ],
)
def test_incomplete_credentials_name_the_missing_variable(
    credential_settings: Settings, update: dict, missing: str
) -> None:
    with pytest.raises(TeamsConfigError, match=missing):
        add_teams_routes(web.Application(), reconfigure(credential_settings, update),
                         conversation=None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer two parts"},
        {"Authorization": "Bearer not-a-jwt"},
        {"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.e30.invalid"},
    ],
    ids=["missing", "basic", "empty-bearer", "two-parts", "not-a-jwt", "broken-jwt"],
)
def test_requests_without_a_valid_token_get_401_and_no_answer(
    secured_bot: TeamsClient, connector: FakeConnector, headers: dict[str, str]
) -> None:
    activity = personal_message(connector.url, "Was macht ein Vertriebsleiter?")
    status, body = secured_bot.post(activity, headers=headers)
    assert status == 401
    assert "Vertriebsleiter" not in str(body)
    # The SDK answers within the request, so nothing can arrive later.
    assert connector.recorded == []


def test_anonymous_mode_answers_without_a_token_and_fetches_none(
    bot: TeamsClient, connector: FakeConnector
) -> None:
    status, _ = bot.post(personal_message(connector.url, "Was macht ein Vertriebsleiter?"))
    assert status == 202
    [reply] = connector.wait_messages(1)
    assert reply["attachments"]
    # Replies to the loopback connector carry no token; the autouse outbound guard
    # fails the test if anything tried to reach login.microsoftonline.com.
    assert all(r.authorization is None for r in connector.recorded)


def test_anonymous_mode_logs_a_warning(
    anonymous_settings: Settings, engine: object, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.teams.app"):
        add_teams_routes(web.Application(), anonymous_settings, Conversation(engine))  # type: ignore[arg-type]
    assert any("WITHOUT authentication" in r.getMessage() and r.levelno == logging.WARNING
               for r in caplog.records)


def test_credential_mode_logs_no_warning(
    credential_settings: Settings, engine: object, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="bot.teams.app"):
        add_teams_routes(web.Application(), credential_settings, Conversation(engine))  # type: ignore[arg-type]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert any(APP_ID in r.getMessage() for r in caplog.records)


def test_the_messages_route_is_post_only(
    secured_bot: TeamsClient, connector: FakeConnector
) -> None:
    assert http("GET", secured_bot.base_url + "/api/messages").status == 405
    assert connector.recorded == []


@pytest.mark.parametrize("body", [{}, [], "hallo", {"type": "message"}])
def test_malformed_activities_get_400(bot: TeamsClient, connector: FakeConnector,
                                      body: object) -> None:
    assert bot.post(body)[0] == 400
    assert connector.recorded == []
