"""Rollenbot's Teams settings as the Agents SDK's connection configuration.

The SDK samples read ``CONNECTIONS__SERVICE_CONNECTION__SETTINGS__*`` from the
environment; Rollenbot reads its environment only in bot/config.py, so the same
configuration is built here from :class:`~bot.config.Settings`.
"""

from __future__ import annotations

from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.core import AgentAuthConfiguration
from microsoft_agents.hosting.core.authorization import AuthTypes

from bot.config import Settings
from bot.core.errors import RollenbotError

SERVICE_CONNECTION = "SERVICE_CONNECTION"


class TeamsConfigError(RollenbotError):
    """The Teams settings are incomplete; the message names the missing variable."""


def auth_configuration(settings: Settings) -> AgentAuthConfiguration:
    """The SDK configuration of the bot's Entra app registration.

    With ``MICROSOFT_APP_ID`` set, incoming requests must carry a valid Bot Framework
    token for that app, and replies are sent with a client-secret token from Entra ID.
    Without it, only ``ROLLE_TEAMS_ANONYMOUS=true`` (local testing) is accepted.

    Raises:
        TeamsConfigError: when a credential is missing or Teams is not configured at all.
    """
    if settings.teams_app_id:
        missing = [
            name
            for name, value in (
                ("MICROSOFT_APP_PASSWORD", settings.teams_app_password),
                ("MICROSOFT_APP_TENANT_ID", settings.teams_tenant_id),
            )
            if not value
        ]
        if missing:
            raise TeamsConfigError(
                f"MICROSOFT_APP_ID is set but {' and '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not: copy the client secret and "
                "the directory (tenant) ID of the bot's app registration "
                "(see the README, Microsoft Teams)."
            )
        return AgentAuthConfiguration(
            auth_type=AuthTypes.client_secret,
            client_id=settings.teams_app_id,
            tenant_id=settings.teams_tenant_id,
            client_secret=settings.teams_app_password.get_secret_value()
            if settings.teams_app_password else None,
            connection_name=SERVICE_CONNECTION,
            anonymous_allowed=settings.teams_anonymous,
        )
    if settings.teams_anonymous:
        return AgentAuthConfiguration(connection_name=SERVICE_CONNECTION, anonymous_allowed=True)
    raise TeamsConfigError(
        "Teams is not configured: set MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and "
        "MICROSOFT_APP_TENANT_ID, or ROLLE_TEAMS_ANONYMOUS=true for local testing."
    )


def connection_manager(settings: Settings) -> MsalConnectionManager:
    """An MSAL connection manager with the bot's single service connection.

    Raises:
        TeamsConfigError: see :func:`auth_configuration`.
    """
    return MsalConnectionManager(
        connections_configurations={SERVICE_CONNECTION: auth_configuration(settings)}
    )
