"""Rollenbot's Teams settings as the Agents SDK's connection configuration.

The SDK samples read ``CONNECTIONS__SERVICE_CONNECTION__SETTINGS__*`` from the
environment; Rollenbot reads its environment only in bot/config.py, so the same
configuration is built here from :class:`~bot.config.Settings`.

:func:`authorize` checks incoming tokens with the SDK's validator, but turns every
failure into a refusal (401 and one WARNING line) instead of an exception.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import jwt
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.core import AgentAuthConfiguration, ClaimsIdentity
from microsoft_agents.hosting.core.authorization import AuthTypes, JwtTokenValidator

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


_SDK_VALIDATOR_LOG = "microsoft_agents.hosting.core.authorization.jwt.jwt_token_validator"


class _Quiet(logging.Filter):
    """Drops the SDK validator's own warnings: :func:`authorize` logs one line per refusal."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.WARNING


logging.getLogger(_SDK_VALIDATOR_LOG).addFilter(_Quiet())


@dataclass(frozen=True)
class TokenRefusal:
    """Why a request's token was refused (for the one WARNING line; never sent back)."""

    reason: str


async def authorize(header: str | None, config: AgentAuthConfiguration
                    ) -> ClaimsIdentity | TokenRefusal:
    """Check a request's ``Authorization`` header the way the SDK does, but refuse every
    bad token with a :class:`TokenRefusal` instead of raising: no ``kid``, an algorithm other
    than RS256 (``alg: none``), not a JWT, a bad signature, expired, wrong audience or
    issuer, keys not reachable.

    Returns:
        The verified claims (anonymous claims when allowed and no header came), or why
        the request is refused.
    """
    validator = JwtTokenValidator(config)
    if not header:
        if config.ANONYMOUS_ALLOWED:
            return validator.get_anonymous_claims()
        return TokenRefusal("no Authorization header")
    parts = header.split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        return TokenRefusal("the Authorization header is not 'Bearer <token>'")
    token = parts[1]
    try:
        unverified = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        return TokenRefusal(f"not a JWT ({type(exc).__name__})")
    if unverified.get("alg") != "RS256":
        return TokenRefusal(f"algorithm {str(unverified.get('alg'))[:20]!r} is not accepted")
    if not isinstance(unverified.get("kid"), str) or not unverified["kid"]:
        return TokenRefusal("the token names no signing key (kid)")
    try:
        return await validator.validate_token(token)
    except jwt.ExpiredSignatureError:
        return TokenRefusal("the token has expired")
    except (jwt.PyJWTError, ValueError, KeyError, TypeError) as exc:
        return TokenRefusal(f"the token is not valid ({type(exc).__name__}: {str(exc)[:80]})")
