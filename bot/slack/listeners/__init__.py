"""Bolt listeners, one module per kind of request; each has ``register(app, responder)``.

Callbacks are plain async functions. Bolt injects its arguments by parameter name
(``body``, ``client``, ``respond``, …); our own dependencies are keyword-only and bound
with :func:`bind`, so a test can call any callback directly.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


def bind(func: F, **dependencies: Any) -> F:
    """``func`` with keyword-only ``dependencies`` filled in, still looking like ``func``.

    Bolt reads the parameter names of the wrapped function (``__wrapped__``) to decide
    what to inject; the bound keyword-only parameters are not among them.
    """
    bound = functools.partial(func, **dependencies)
    return functools.update_wrapper(bound, func)  # type: ignore[return-value]


async def acknowledge(ack: Callable[[], Awaitable[Any]]) -> None:
    """Acknowledge at once; the lazy listener does the work after Slack got its 200."""
    await ack()
