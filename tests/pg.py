"""A throwaway PostgreSQL server for tests, started from the system's binaries.

``initdb`` + ``pg_ctl`` on a temporary folder and a free loopback port; no network, no
packages beyond PostgreSQL itself (Debian/Ubuntu: ``apt-get install postgresql``).
PostgreSQL refuses to run as root, so under root (CI containers) the server runs as the
``postgres`` account if there is one, else as ``nobody``.

``ROLLE_TEST_POSTGRES_URL`` (e.g. ``postgresql+psycopg://postgres:pw@127.0.0.1:5432/postgres``)
uses an existing server instead, e.g. a CI service container. Without either, the
PostgreSQL tests fail with a message saying so: they are never skipped silently.

The fixtures ``pg_admin_url`` (one server per session) and ``pg_private`` (a server of
the test's own, which it may stop) are defined here; a conftest imports them to use them.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

SEARCH = ("/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin", "/usr/local/pgsql/bin",
          "/opt/homebrew/opt/postgresql*/bin", "/usr/local/opt/postgresql*/bin")


class PostgresUnavailable(RuntimeError):
    """PostgreSQL could not be found or started; the message says what to do."""


def find_bin() -> Path:
    """The folder holding ``initdb`` and ``pg_ctl`` (newest version first).

    Raises:
        PostgresUnavailable: no PostgreSQL binaries anywhere we know.
    """
    on_path = shutil.which("pg_ctl")
    candidates = [Path(on_path).parent] if on_path else []
    for pattern in SEARCH:
        candidates += sorted((Path(p) for p in glob.glob(pattern)),
                             key=lambda p: [int(s) for s in p.parent.name.split(".")
                                            if s.isdigit()] or [0], reverse=True)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    raise PostgresUnavailable(
        "PostgreSQL binaries (initdb, pg_ctl) not found in PATH or "
        f"{', '.join(SEARCH)}: install PostgreSQL (apt-get install postgresql) or set "
        "ROLLE_TEST_POSTGRES_URL to a server the tests may create databases on")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_as() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresUnavailable("running as root and neither 'postgres' nor 'nobody' exists")


@dataclass
class PostgresServer:
    """One PostgreSQL cluster in a temporary folder, listening on 127.0.0.1 only."""

    bin: Path
    user: pwd.struct_passwd | None = field(default_factory=_run_as)
    # Under root, /tmp itself: TMPDIR may be a folder the server's account cannot enter.
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(
        prefix="rolle-pg-", dir="/tmp" if os.geteuid() == 0 and os.path.isdir("/tmp") else None)))
    port: int = field(default_factory=_free_port)

    def _pg(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        kwargs: dict[str, object] = {}
        if self.user is not None:
            kwargs = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}
        return subprocess.run(  # type: ignore[call-overload]
            [str(self.bin / args[0]), *args[1:]], capture_output=True, text=True,
            timeout=timeout, cwd=self.folder, env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"},
            **kwargs)

    def init(self) -> None:
        """Create the cluster (user ``rolle``, trust authentication on loopback)."""
        if self.user is not None:
            os.chown(self.folder, self.user.pw_uid, self.user.pw_gid)
        done = self._pg("initdb", "-D", str(self.folder / "data"), "-U", "rolle", "-A", "trust",
                        "-E", "UTF8", "--no-locale", "--no-sync")
        if done.returncode:
            raise PostgresUnavailable(f"initdb failed: {done.stderr.strip()[-800:]}")

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c full_page_writes=off")
        done = self._pg("pg_ctl", "-D", str(self.folder / "data"), "-l",
                        str(self.folder / "server.log"), "-o", options, "-w", "-t", "60", "start")
        if done.returncode:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-800:] if log.exists() else ""
            raise PostgresUnavailable(
                f"pg_ctl start failed on port {self.port}: {done.stderr.strip()} {tail}")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``immediate`` is a crash-like stop)."""
        self._pg("pg_ctl", "-D", str(self.folder / "data"), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        """Stop and delete the cluster."""
        self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def admin_url(self) -> str:
        """URL of the maintenance database."""
        return f"postgresql+psycopg://rolle@127.0.0.1:{self.port}/postgres"


def start_server() -> PostgresServer:
    """Initialise and start a new cluster; on failure clean up and raise."""
    server = PostgresServer(find_bin())
    try:
        server.init()
        server.start()
    except Exception:
        shutil.rmtree(server.folder, ignore_errors=True)
        raise
    return server


def _admin(admin_url: str, sql: str) -> None:
    url = make_url(admin_url)
    with psycopg.connect(host=url.host, port=url.port, user=url.username,
                         password=url.password, dbname=url.database or "postgres",
                         autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql.encode())


def create_database(admin_url: str) -> str:
    """A new empty database on the server of ``admin_url``; returns its URL."""
    name = f"rolle_test_{uuid.uuid4().hex[:12]}"
    _admin(admin_url, f'CREATE DATABASE "{name}"')
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, url: str) -> None:
    """Drop a database made by :func:`create_database`, closing its connections."""
    _admin(admin_url, f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """Admin URL of a PostgreSQL server for this session; fails loudly if none."""
    existing = os.environ.get("ROLLE_TEST_POSTGRES_URL")
    if existing:
        yield existing
        return
    try:
        server = start_server()
    except PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL tests cannot run: {exc}", pytrace=False)
    try:
        yield server.admin_url
    finally:
        server.remove()


@pytest.fixture
def pg_private() -> Iterator[PostgresServer]:
    """A PostgreSQL server of this test's own, which the test may stop and start."""
    try:
        server = start_server()
    except PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL tests cannot run: {exc}", pytrace=False)
    try:
        yield server
    finally:
        server.remove()
