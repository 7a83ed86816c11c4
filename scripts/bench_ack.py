#!/usr/bin/env python3
"""How long Slack waits for its 200: signed mentions to a real `rolle serve` (Slack HTTP
mode, SQLite, the given index), one at a time and from 8 clients at once, against the
fake Slack Web API of the tests. A measurement, not a test.

Usage: python scripts/bench_ack.py --index DIR [--source DIR] [--count N]
(``--source``: another checkout to serve from, e.g. ``git archive REV | tar -x -C DIR``,
run with this checkout's venv).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.slack import payloads as p  # noqa: E402
from tests.slack.fake_slack import BOT_USER_ID, FakeSlack  # noqa: E402
from tests.support.net import LoopThread, http, start_site  # noqa: E402
from tests.support.replica import SECRET, free_port, serve_env, signed_headers  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--source", type=Path, default=ROOT)
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    loop, fake = LoopThread(), FakeSlack()
    runner, fake.url = loop.run(start_site(fake.app()))
    folder = Path(tempfile.mkdtemp(prefix="bench-ack-"))
    port = free_port()
    env = {**serve_env(api_url=fake.url + "/api/", index_dir=args.index,
                       database_url=f"sqlite:///{folder / 'rollenbot.db'}",
                       ROLLE_RATE_LIMIT_PER_MINUTE="1000000"), "PORT": str(port)}
    with (folder / "serve.log").open("wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve"], cwd=args.source,
                                  env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        while http("GET", url + "/healthz").status != 200:
            if server.poll() is not None:
                sys.exit(f"rolle serve stopped: see {folder / 'serve.log'}")
            time.sleep(0.2)

        def send(n: int) -> float:
            body = json.dumps(p.event_callback(p.app_mention(
                f"<@{BOT_USER_ID}> Was macht ein BDM?", ts=f"1750000000.{n:06d}",
                user=f"U{n:07d}")))
            started = time.perf_counter()
            status = http("POST", url + "/slack/events", body.encode(),
                          signed_headers(SECRET, body, "application/json")).status
            assert status == 200, status
            return time.perf_counter() - started

        def answered(count: int) -> None:
            while len(fake.posts()) < count:
                time.sleep(0.05)

        one = [send(n) for n in range(args.count)]
        answered(args.count)
        with ThreadPoolExecutor(8) as pool:
            eight = list(pool.map(send, range(10**5, 10**5 + args.count)))
        answered(2 * args.count)
    finally:
        server.terminate()
        server.wait(30)
        loop.run(runner.cleanup())

    def ms(values: list[float], share: float) -> float:
        return sorted(values)[int(share * (len(values) - 1))] * 1000

    print(f"{args.source.name}: acknowledgement one at a time p50 {ms(one, 0.5):.1f} ms, "
          f"p95 {ms(one, 0.95):.1f} ms; 8 clients p50 {ms(eight, 0.5):.1f} ms, "
          f"p95 {ms(eight, 0.95):.1f} ms, max {max(eight) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
