"""This process's name among the replicas, for the deliveries it holds: ``hostname:port``
(or ``ROLLE_INSTANCE``), known once the server listens. Two live processes cannot
listen on one port of one host, so a process that starts under a name is the successor
of any earlier process of that name: that one is dead."""

from __future__ import annotations

import asyncio
import socket

from aiohttp import web


class Instance:
    """The name, awaitable until the server is bound to its port."""

    def __init__(self, configured: str = "") -> None:
        self._name = configured
        self._bound = asyncio.Event()

    def bind(self, port: int) -> None:
        """The server listens on ``port`` now."""
        self._name = self._name or f"{socket.gethostname()}:{port}"
        self._bound.set()

    async def name(self) -> str:
        """The name, once the server listens."""
        await self._bound.wait()
        return self._name


INSTANCE_KEY = web.AppKey("instance", Instance)
