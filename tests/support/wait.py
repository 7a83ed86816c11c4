"""Waiting in tests for something to happen: on the signal it gives where there is one
(a condition notified, a log line, a line of a child process), else a bounded poll (the
state of another process or of a database, which sends none)."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import IO, Any


def wait_until(predicate: Callable[[], object], timeout: float = 30.0, *,
               what: str = "the condition", changed: threading.Condition | None = None,
               every: float = 0.05) -> float:
    """Seconds until ``predicate()`` holds.

    Args:
        predicate: checked at once, then whenever ``changed`` is notified (with its lock
            held), or every ``every`` seconds without one.
        timeout: seconds before giving up.
        what: named in the failure.
        changed: notified by whoever changes what ``predicate`` reads.
        every: the poll's interval without ``changed``.

    Raises:
        AssertionError: ``predicate`` did not hold within ``timeout``.
    """
    started = time.monotonic()
    with changed if changed is not None else contextlib.nullcontext():
        while not predicate():
            left = started + timeout - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{what}: not within {timeout} s")
            if changed is not None:
                changed.wait(left)
            else:
                time.sleep(min(every, left))
    return time.monotonic() - started


class Logged(logging.Handler):
    """The messages one logger emits while in use (``with Logged("bot.reload") as
    said:``), to wait for the line the code logs when something happened.

    It listens on the root logger, after the handlers already there (pytest's caplog):
    once a line is seen here, caplog has it too."""

    def __init__(self, logger: str, level: int = logging.INFO) -> None:
        super().__init__(level)
        self.messages: list[str] = []
        self._name = logger
        self._logger = logging.getLogger(logger)
        self._changed = threading.Condition()
        self._level = logging.NOTSET

    def emit(self, record: logging.LogRecord) -> None:
        if record.name != self._name and not record.name.startswith(self._name + "."):
            return
        with self._changed:
            self.messages.append(record.getMessage())
            self._changed.notify_all()

    def __enter__(self) -> Logged:
        self._level = self._logger.level
        if self._logger.getEffectiveLevel() > self.level:
            self._logger.setLevel(self.level)
        logging.getLogger().addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger().removeHandler(self)
        self._logger.setLevel(self._level)

    def wait_for(self, text: str, timeout: float = 30.0, times: int = 1) -> float:
        """Seconds until ``times`` messages containing ``text`` were logged (counting
        those logged before the call)."""
        return wait_until(lambda: sum(text in m for m in self.messages) >= times, timeout,
                          what=f"{times} log line(s) with {text!r}", changed=self._changed)


class Lines:
    """The lines a child process writes to a pipe, read in a thread as they come."""

    def __init__(self, stream: IO[Any]) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._ended = False
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[Any]) -> None:
        for line in stream:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._ended = True
            self._changed.notify_all()

    def wait_for(self, text: str, timeout: float = 120.0) -> str:
        """The first line containing ``text``; fails after ``timeout``, or when the
        stream ended without it."""
        def found() -> str | None:
            return next((line for line in self.lines if text in line), None)

        wait_until(lambda: self._ended or found(), timeout, what=f"a line with {text!r}",
                   changed=self._changed)
        line = found()
        assert line is not None, f"ended without a line with {text!r}: {''.join(self.lines)}"
        return line

    def text(self, timeout: float = 300.0) -> str:
        """Everything the process wrote, once the stream has ended (it exited)."""
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the stream did not end"
        return "".join(self.lines)
