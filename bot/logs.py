"""Logging set-up: plain text (default) or one JSON object per line
(``ROLLE_LOG_FORMAT=json``), each line carrying the reference of the request it belongs
to. The server sets the reference per incoming request (a context variable, so worker
threads started with ``asyncio.to_thread`` inherit it); the reference shown to users in
error messages is the same one."""

from __future__ import annotations

import json
import logging
import sys
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Literal

REQUEST_REF: ContextVar[str | None] = ContextVar("request_ref", default=None)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(ref)s: %(message)s"


def new_ref() -> str:
    """A short random reference (12 hex digits)."""
    return uuid.uuid4().hex[:12]


def current_ref() -> str | None:
    """The reference of the request being handled, if any."""
    return REQUEST_REF.get()


class _RefFilter(logging.Filter):
    """Adds ``request`` (the reference or None) and ``ref`` (" [ref]" or "") to records."""

    def filter(self, record: logging.LogRecord) -> bool:
        ref = REQUEST_REF.get()
        record.request = ref
        record.ref = f" [{ref}]" if ref else ""
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request, exception."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request": getattr(record, "request", None),
        }
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def configure(level: str, fmt: Literal["text", "json"] = "text") -> None:
    """Log to stderr at ``level`` in the given format. Like :func:`logging.basicConfig`,
    it leaves logging alone when the root logger already has handlers (a test runner)."""
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_RefFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)


def reason(error: BaseException) -> str:
    """An exception in one short line: its type and the first line of its message."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:200]}" if text else type(error).__name__


def failure(logger: logging.Logger, error: BaseException,
            expected: tuple[type[BaseException], ...], message: str, *args: object) -> None:
    """Log that something failed: one ERROR line with the reason when ``error`` is of
    an ``expected`` kind (an API that refused, a connection that failed: the traceback
    says nothing), else with the traceback (a bug)."""
    if isinstance(error, expected):
        logger.error(f"{message}: %s", *args, reason(error))
    else:
        logger.error(message, *args, exc_info=error)
