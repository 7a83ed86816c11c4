"""The Teams app package: a flat zip of manifest.json and two PNG icons of the right size,
the manifest valid JSON carrying the bot's app ID, and clear errors without one."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from bot.config import Settings
from bot.teams.auth import TeamsConfigError
from bot.teams.package import build_package
from tests.support import reconfigure
from tests.teams.conftest import APP_ID


def png_info(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """Width, height, colour type and raw scanlines of an unfiltered 8-bit PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos = 8
    chunks: dict[bytes, bytes] = {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc, kind
        chunks[kind] = chunks.get(kind, b"") + body
        pos += 12 + length
    width, height, depth, colour, _, _, _ = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert depth == 8 and b"IEND" in chunks
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = 1 + width * 4
    rows = [raw[i:i + stride] for i in range(0, len(raw), stride)]
    assert all(row[0] == 0 for row in rows)  # filter type "none"
    return width, height, colour, [row[1:] for row in rows]


@pytest.fixture
def package_settings(settings: Settings) -> Settings:
    return reconfigure(settings, {
        "teams_app_id": APP_ID,
        "teams_domain": "https://rollenbot.example.org/api/messages",
        "teams_developer_name": "Beispiel GmbH",
        "teams_website_url": None,
    })


def test_package_contents(package_settings: Settings, tmp_path: Path) -> None:
    out = build_package(package_settings, tmp_path / "dist" / "rollenbot-teams.zip")
    assert out == tmp_path / "dist" / "rollenbot-teams.zip"
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        color = png_info(archive.read("color.png"))
        outline = png_info(archive.read("outline.png"))

    assert manifest["id"] == APP_ID
    [bot] = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert sorted(bot["scopes"]) == ["groupChat", "personal", "team"]
    commands = {c["title"] for lst in bot["commandLists"] for c in lst["commands"]}
    assert commands == {"hilfe", "liste"}
    assert manifest["manifestVersion"] == "1.22"
    assert manifest["$schema"].endswith("/v1.22/MicrosoftTeams.schema.json")
    assert manifest["validDomains"] == ["rollenbot.example.org"]
    assert manifest["developer"]["name"] == "Beispiel GmbH"
    assert manifest["developer"]["privacyUrl"] == "https://rollenbot.example.org/"
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert len(manifest["name"]["short"]) <= 30
    assert len(manifest["description"]["short"]) <= 80

    width, height, colour, _ = color
    assert (width, height, colour) == (192, 192, 6)
    width, height, colour, rows = outline
    assert (width, height, colour) == (32, 32, 6)
    pixels = [row[i:i + 4] for row in rows for i in range(0, len(row), 4)]
    assert all(p[3] == 0 or p[:3] == b"\xff\xff\xff" for p in pixels)  # white on transparent
    assert pixels[0][3] == 0 and any(p[3] == 255 for p in pixels)


def test_package_replaces_an_old_one(package_settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "pkg.zip"
    out.write_bytes(b"old")
    build_package(package_settings, out)
    assert zipfile.is_zipfile(out)
    assert [p.name for p in tmp_path.iterdir()] == ["pkg.zip"]


@pytest.mark.parametrize(("app_id", "message"), [
    (None, "MICROSOFT_APP_ID is not set"),
    ("my-bot", "is not a GUID"),
])
def test_package_needs_the_app_id(settings: Settings, tmp_path: Path, app_id: str | None,
                                  message: str) -> None:
    bad = reconfigure(settings, {"teams_app_id": app_id})
    with pytest.raises(TeamsConfigError, match=message):
        build_package(bad, tmp_path / "pkg.zip")
    assert not list(tmp_path.iterdir())


def test_rolle_teams_package_command(package_settings: Settings, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    from bot import cli

    monkeypatch.setattr(cli, "get_settings", lambda: package_settings)
    out = tmp_path / "teams.zip"
    assert cli.main(["teams-package", "--output", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    assert zipfile.is_zipfile(out)
    monkeypatch.setattr(cli, "get_settings",
                        lambda: reconfigure(package_settings, {"teams_app_id": None}))
    assert cli.main(["teams-package", "--output", str(tmp_path / "x.zip")]) != 0
    assert "MICROSOFT_APP_ID is not set" in capsys.readouterr().err
