"""The Teams app package (`rolle teams-package`): manifest.json with the bot's app ID,
plus the colour and outline icons (PNG files shipped with the package: a white person
symbol on the accent colour, 192x192, and in white on transparent, 32x32), zipped flat
as Teams expects for upload."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import uuid
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot import __version__
from bot.config import Settings
from bot.teams.auth import TeamsConfigError

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
COLOR_ICON = "color.png"
OUTLINE_ICON = "outline.png"
_FALLBACK_WEBSITE = "https://example.com/"


def _app_id(settings: Settings) -> str:
    if not settings.teams_app_id:
        raise TeamsConfigError(
            "MICROSOFT_APP_ID is not set: the Teams app package needs the bot's Microsoft "
            "App ID (Azure Bot > Configuration, a GUID). Set it and run `rolle teams-package` "
            "again; see the README, Microsoft Teams."
        )
    try:
        return str(uuid.UUID(settings.teams_app_id.strip()))
    except ValueError:
        raise TeamsConfigError(
            f"MICROSOFT_APP_ID {settings.teams_app_id!r} is not a GUID; copy the Microsoft "
            "App ID from the Azure Bot's Configuration page."
        ) from None


def _domain(settings: Settings) -> str | None:
    """ROLLE_TEAMS_DOMAIN as a bare host name, also when given as a URL."""
    value = (settings.teams_domain or "").strip()
    if not value:
        return None
    host = urlsplit(value if "//" in value else f"//{value}").hostname
    if not host:
        raise TeamsConfigError(f"ROLLE_TEAMS_DOMAIN {value!r} is not a host name.")
    return host


def _version() -> str:
    return __version__


def build_manifest(settings: Settings) -> dict[str, Any]:
    """The app manifest for this deployment, from the packaged template.

    Raises:
        TeamsConfigError: when MICROSOFT_APP_ID is missing or not a GUID, or
            ROLLE_TEAMS_DOMAIN is not a host name.
    """
    app_id = _app_id(settings)
    domain = _domain(settings)
    website = settings.teams_website_url or (f"https://{domain}/" if domain else None)
    if website is None:
        logger.warning("Neither ROLLE_TEAMS_WEBSITE_URL nor ROLLE_TEAMS_DOMAIN is set: "
                       "the package links to %s as website, privacy and terms page.",
                       _FALLBACK_WEBSITE)
        website = _FALLBACK_WEBSITE
    template = resources.files("bot.teams").joinpath(MANIFEST).read_text(encoding="utf-8")
    manifest: dict[str, Any] = json.loads(template)
    manifest["id"] = app_id
    manifest["version"] = _version()
    for bot in manifest["bots"]:
        bot["botId"] = app_id
    manifest["developer"].update(
        name=settings.teams_developer_name,
        websiteUrl=website,
        privacyUrl=website,
        termsOfUseUrl=website,
    )
    manifest["validDomains"] = [domain] if domain else []
    return manifest


def build_package(settings: Settings, out: Path) -> Path:
    """Write the Teams app package zip to ``out``.

    Args:
        settings: needs MICROSOFT_APP_ID; ROLLE_TEAMS_DOMAIN and the developer fields
            are optional.
        out: the zip file to write (parent folders are created; replaced atomically).

    Returns:
        ``out``.

    Raises:
        TeamsConfigError: see :func:`build_manifest`.
    """
    manifest = build_manifest(settings)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".teams-package-", suffix=".zip", dir=out.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp_name, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
            for icon in (COLOR_ICON, OUTLINE_ICON):
                archive.writestr(icon, resources.files("bot.teams").joinpath(icon).read_bytes())
        os.chmod(tmp_name, 0o644)  # mkstemp creates 0600; the package is no secret
        os.replace(tmp_name, out)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return out
