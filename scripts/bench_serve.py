#!/usr/bin/env python3
"""Benchmark `rolle serve` as a replica runs it, for sizing: start to healthy (/healthz
200, i.e. the self-check passed), resident memory (peak and after the run), and
questions per second per core (questions answered over HTTP, divided by the CPU
seconds the server process spent). Teams runs in local-test mode on 127.0.0.1 and
replies go to a small connector in this process. A measurement, not a test.

Usage: python scripts/bench_serve.py [--index DIR] [--rounds N] [--starts N]
(without --index, the index is built into a temporary folder first).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from bench import _questions  # noqa: E402

from bot.config import Settings  # noqa: E402

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_ids = itertools.count(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def connector() -> tuple[str, list[float]]:
    """A Bot Connector stand-in on a thread: accepts every reply, records arrival times."""
    arrived: list[float] = []

    async def post(request: web.Request) -> web.Response:
        arrived.append(time.perf_counter())
        return web.json_response({"id": "r"}, status=201)

    app = web.Application()
    app.router.add_post("/v3/conversations/{cid}/activities/{rid}", post)
    app.router.add_post("/v3/conversations/{cid}/activities", post)
    port = free_port()
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app, access_log=None)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
    threading.Thread(target=loop.run_forever, daemon=True).start()
    return f"http://127.0.0.1:{port}/", arrived


def activity(service_url: str, text: str) -> bytes:
    return json.dumps({
        "type": "message", "id": str(next(_ids)), "channelId": "msteams",
        "serviceUrl": service_url, "text": text, "locale": "de-DE",
        "from": {"id": "29:bench", "aadObjectId": "bench-user"},
        "recipient": {"id": "28:bot", "name": "Rollenbot"},
        "conversation": {"conversationType": "personal", "id": "a:bench"},
    }).encode()


def post(url: str, body: bytes | None = None) -> int:
    request = urllib.request.Request(url, data=body, method="POST" if body else "GET",
                                     headers={"Content-Type": "application/json"})
    try:
        with _NO_PROXY.open(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return 0


def proc(pid: int) -> dict[str, float]:
    status = Path(f"/proc/{pid}/status").read_text()
    fields = {line.split(":")[0]: line.split()[1] for line in status.splitlines()
              if line.startswith(("VmRSS", "VmHWM"))}
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return {"rss": int(fields["VmRSS"]) / 1024, "hwm": int(fields["VmHWM"]) / 1024,
            "cpu": (int(stat[11]) + int(stat[12])) / ticks}


def one_start(env: dict[str, str], questions: list[str], rounds: int) -> dict[str, Any]:
    port = free_port()
    service_url, arrived = connector()
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve"], cwd=ROOT,
                              env={**env, "PORT": str(port)}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        while post(base + "/healthz") != 200:
            if server.poll() is not None or time.perf_counter() - started > 120:
                raise SystemExit("bench_serve: the server did not become healthy")
            time.sleep(0.05)
        healthy = time.perf_counter() - started
        at_start = proc(server.pid)
        latencies: list[float] = []
        for question in questions * rounds:
            before = len(arrived)
            t0 = time.perf_counter()
            if post(base + "/api/messages", activity(service_url, question)) not in (200, 202):
                raise SystemExit("bench_serve: a question was not accepted")
            while len(arrived) <= before:
                time.sleep(0.0005)
            latencies.append(arrived[before] - t0)
        after = proc(server.pid)
    finally:
        server.terminate()
        server.wait(30)
    n = len(latencies)
    return {"healthy": healthy, "cpu_start": at_start["cpu"], "rss_start": at_start["rss"],
            "rss_end": after["rss"],
            "hwm": after["hwm"], "cpu_per_q": (after["cpu"] - at_start["cpu"]) / n,
            "p50": statistics.median(latencies),
            "p95": statistics.quantiles(latencies, n=20)[18], "n": n}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="a built index folder (default: build)")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the questions")
    parser.add_argument("--starts", type=int, default=3, help="fresh server processes")
    args = parser.parse_args()
    questions = _questions()
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("ROLLE_", "SLACK_", "MICROSOFT_"))}
        env.update(PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1", ROLLE_HOST="127.0.0.1",
                   ROLLE_TEAMS_ANONYMOUS="true", ROLLE_RATE_LIMIT_PER_MINUTE="1000000",
                   ROLLE_DATABASE_URL=f"sqlite:///{tmp}/bench.db",
                   ROLLE_INDEX_DIR=str(args.index or Path(tmp, "index")))
        if args.index is None:
            subprocess.run([sys.executable, "-m", "bot.cli", "build", "--quiet"], cwd=ROOT,
                           env=env, check=True)
        runs = [one_start(env, questions, args.rounds) for _ in range(args.starts)]

    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    print(f"`python scripts/bench_serve.py --rounds {args.rounds} --starts {args.starts}` "
          f"({runs[0]['n']} Teams questions over loopback HTTP per start, one at a time; "
          f"{os.cpu_count()} CPUs; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
          "medians of the starts)\n")
    model = Settings.model_fields["model"].default  # the ROLLE_ variables were cleared
    print(f"| rolle serve ({model}, SQLite store) | value |\n|---|---|")
    print(f"| start to healthy (spawn → /healthz 200, self-check passed) | "
          f"{med('healthy'):.2f} s |")
    print(f"| CPU time of the server until healthy (user + system) | "
          f"{med('cpu_start'):.2f} s |")
    print(f"| resident memory when healthy | {med('rss_start'):.0f} MiB |")
    print(f"| resident memory after the questions / peak | {med('rss_end'):.0f} MiB / "
          f"{med('hwm'):.0f} MiB |")
    print(f"| question → reply at the connector, p50 / p95 | {med('p50') * 1000:.1f} ms / "
          f"{med('p95') * 1000:.1f} ms |")
    print(f"| server CPU per question | {med('cpu_per_q') * 1000:.1f} ms |")
    print(f"| questions per second per core (1 / CPU per question) | "
          f"{1 / med('cpu_per_q'):.0f} |")


if __name__ == "__main__":
    main()
