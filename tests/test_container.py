"""The container can rebuild its index, read from the files Docker would build from (no
Docker engine here; tests/test_runtime_install.py runs the image's install and a
torch-free `rolle build` after a knowledge edit in a venv): the image's user owns the
index, which it builds itself, compose.yaml mounts the knowledge and builds into a
volume, and the README says how to keep the HEALTHCHECK with daemon-less builders."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def instructions() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments left out."""
    text = (ROOT / "Dockerfile").read_text("utf-8").replace("\\\n", " ")
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_the_images_user_owns_the_index_and_builds_it() -> None:
    lines = instructions()
    user = next(n for n, line in enumerate(lines) if "useradd" in line and " rolle" in line)
    assert "chown rolle /app/var /app/index" in lines[user]
    switch = lines.index("USER rolle")
    build = lines.index("RUN rolle build")
    assert user < switch < build  # built by the user who builds it again later
    assert not [line for line in lines if line.startswith("COPY") and "index" in line]
    assert any(line.startswith("HEALTHCHECK ") for line in lines)


def test_compose_builds_into_an_index_volume_from_the_mounted_knowledge() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text("utf-8"))
    services = compose["services"]
    assert services["index"]["command"] == ["rolle", "build"]
    mounts = {"./knowledge:/app/knowledge:ro", "index:/app/index"}
    for name in ("index", "bot1", "bot2"):
        assert mounts <= set(services[name]["volumes"]), name
    for name in ("bot1", "bot2"):
        assert services[name]["depends_on"]["index"] == {
            "condition": "service_completed_successfully"}
    assert "index" in compose["volumes"]


def test_the_readme_says_how_to_rebuild_and_keep_the_healthcheck() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "docker compose run --rm index" in readme
    assert re.search(r"podman build --format docker", readme)
    assert "buildah bud --format docker" in readme
