"""Hold a function in a worker thread until the test releases it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class Hold:
    """Holds the calls of a function (in worker threads) until released."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def around(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def held(*args: Any, **kwargs: Any) -> Any:
            self.entered.set()
            assert self.release.wait(30)
            return real(*args, **kwargs)
        return held
