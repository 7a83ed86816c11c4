"""The Slack workspace directory for "who is ours": ``users.list`` (paginated) and the
workspace address from ``auth.test``, as a :class:`~bot.core.directory.TitleDirectory`.

Needs the ``users:read`` scope. Only active people with a profile title are kept
(deactivated users, bots, apps and Slackbot never), and of them only id, name, title
and team: what the title match and the profile link need. The conversation core calls
this from a worker thread, so it uses the synchronous client.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.web import WebClient

from bot.config import Settings
from bot.core.directory import CachedMembers, TitleDirectory
from bot.core.storage.guard import GuardedStore
from bot.core.storage.port import Member, MemberSnapshot
from bot.slack.kit import USER_ID

SOURCE = "slack"
PAGE_SIZE = 200  # Slack recommends at most 200 per page
MAX_PAGES = 500  # 100,000 people: a guard against a cursor that never ends
SLACKBOT = "USLACKBOT"


def sync_client(settings: Settings) -> WebClient:
    """A synchronous Web API client like the app's own (``SLACK_API_URL`` honoured),
    retrying a rate limit once (honouring ``Retry-After``): a question waits for it."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    options: dict[str, Any] = {
        "token": token, "timeout": 15,
        "retry_handlers": [RateLimitErrorRetryHandler(max_retry_count=1),
                           ServerErrorRetryHandler(max_retry_count=1),
                           ConnectionErrorRetryHandler(max_retry_count=1)]}
    if settings.slack_api_url:
        options["base_url"] = settings.slack_api_url.rstrip("/") + "/"
    return WebClient(**options)


def member(user: dict[str, Any]) -> Member | None:
    """The directory entry for one ``users.list`` member, or None for a deactivated
    user, a bot, an app user, Slackbot, or someone without a title."""
    if (user.get("deleted") or user.get("is_bot") or user.get("is_app_user")
            or user.get("id") == SLACKBOT or not USER_ID.fullmatch(str(user.get("id", "")))):
        return None
    profile = user.get("profile") or {}
    title = str(profile.get("title") or "").strip()
    name = next((str(n).strip() for n in (
        profile.get("display_name"), profile.get("real_name"), user.get("real_name"),
        user.get("name")) if n and str(n).strip()), "")
    if not title or not name:
        return None
    return Member(user_id=str(user["id"]), name=name, title=title,
                  team_id=str(user.get("team_id") or profile.get("team") or ""))


def users(client: WebClient) -> Iterator[dict[str, Any]]:
    """Every member of ``users.list``, page by page (``response_metadata.next_cursor``).

    Raises:
        slack_sdk.errors.SlackApiError: a page failed (after the client's retries).
    """
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        page = client.users_list(limit=PAGE_SIZE, cursor=cursor)
        yield from page.get("members") or []
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return


def fetcher(client: WebClient, clock: Callable[[], datetime] | None = None,
            ) -> Callable[[], MemberSnapshot]:
    """A function that reads the whole directory (``auth.test`` for the workspace's
    address, then ``users.list``)."""
    def fetch() -> MemberSnapshot:
        auth = client.auth_test()
        members = tuple(m for m in map(member, users(client)) if m is not None)
        fetched_at = clock() if clock else datetime.now(UTC)
        return MemberSnapshot(source=SOURCE, fetched_at=fetched_at, members=members,
                              team_url=str(auth.get("url") or ""))
    return fetch


def profile_link(snapshot: MemberSnapshot, user_id: str) -> str | None:
    """``https://<workspace>.slack.com/team/<USER_ID>``: the profile, no notification."""
    base = snapshot.team_url.rstrip("/")
    if not base.startswith("https://") or not USER_ID.fullmatch(user_id):
        return None
    return f"{base}/team/{user_id}"


def slack_directory(settings: Settings, store: GuardedStore | None, *,
                    clock: Callable[[], datetime] | None = None,
                    max_age_seconds: float | None = None) -> TitleDirectory:
    """The workspace directory for askers on Slack, cached in ``store``."""
    options: dict[str, Any] = {"store": store}
    if clock is not None:
        options["clock"] = clock
    options["max_age_seconds"] = (max_age_seconds if max_age_seconds is not None
                                  else settings.people_refresh_seconds)
    members = CachedMembers(SOURCE, fetcher(sync_client(settings), clock), **options)
    return TitleDirectory(members, platform="slack", link=profile_link)
