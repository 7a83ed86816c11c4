"""Loopback networking for tests: serve an aiohttp app on 127.0.0.1, plain HTTP
requests without proxies, and an asyncio loop in a thread for synchronous tests."""

from __future__ import annotations

import asyncio
import threading
import urllib.error
import urllib.request
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import web

T = TypeVar("T")
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


async def start_site(app: web.Application) -> tuple[web.AppRunner, str]:
    """Serve ``app`` on 127.0.0.1 at a free port; returns the runner and the base URL."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


class LoopThread:
    """An asyncio event loop in a daemon thread, for tests that stay synchronous."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
        """Run ``coro`` in the loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        """Stop the loop and the thread."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


@dataclass
class HttpResult:
    """Status and body of a response."""

    status: int
    body: str


def http(method: str, url: str, data: bytes | None = None,
         headers: dict[str, str] | None = None) -> HttpResult:
    """One HTTP request without proxies; errors come back as results, not exceptions
    (status 0: no connection)."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with _NO_PROXY.open(request, timeout=30) as response:
            return HttpResult(response.status, response.read().decode())
    except urllib.error.HTTPError as error:
        return HttpResult(error.code, error.read().decode())
    except (urllib.error.URLError, ConnectionError) as error:  # nobody listening (yet)
        return HttpResult(0, str(error))
