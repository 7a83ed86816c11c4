"""The test PostgreSQL fails loudly, with a message that says why, when it cannot start."""

from __future__ import annotations

import pytest

from tests.pg import PostgresServer, PostgresUnavailable, find_bin


def test_a_second_server_on_a_taken_port_fails_with_a_clear_message(
    pg_private: PostgresServer,
) -> None:
    clash = PostgresServer(find_bin(), port=pg_private.port)
    try:
        clash.init()
        with pytest.raises(PostgresUnavailable, match=f"pg_ctl start failed on port "
                                                      f"{pg_private.port}"):
            clash.start()
    finally:
        clash.remove()


def test_missing_binaries_say_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tests.pg.SEARCH", ())
    monkeypatch.setattr("shutil.which", lambda _name: None)
    with pytest.raises(PostgresUnavailable, match="apt-get install postgresql"):
        find_bin()
