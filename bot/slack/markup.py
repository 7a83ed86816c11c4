"""Text helpers for Slack: escaping user text, reading questions out of Slack markup,
and splitting long text at natural boundaries to fit Block Kit limits."""

from __future__ import annotations

import re
from collections.abc import Callable

_SEPARATORS = ("\n\n", "\n", " ")


def escape(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` so that text cannot ping, link or format as markup.

    ``<!channel>`` becomes ``&lt;!channel&gt;``: Slack shows it literally and notifies
    no one.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Undo Slack's own escaping of ``&``, ``<`` and ``>`` in message text.

    Slack sends a typed ``<`` as ``&lt;``; real markup such as ``<!channel>`` stays as is
    and is escaped again (and so defused) when the question is echoed.
    """
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def strip_mention(text: str, bot_user_id: str | None) -> str:
    """Remove the bot's own mentions (``<@UBOT>`` or ``<@UBOT|name>``) from ``text``."""
    if not bot_user_id:
        return text.strip()
    pattern = re.compile(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>")
    return " ".join(pattern.sub(" ", text).split())


def mentions(text: str, user_id: str | None) -> bool:
    """Whether ``text`` mentions ``user_id``."""
    if not user_id:
        return False
    return re.search(rf"<@{re.escape(user_id)}(?:\|[^>]*)?>", text) is not None


def question_from(text: str | None, bot_user_id: str | None) -> str:
    """The plain question inside a Slack message text: own mention removed, unescaped."""
    return unescape(strip_mention(text or "", bot_user_id))


def shorten(text: str, limit: int, *, ellipsis: str = "…") -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, marked with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    room = limit - len(ellipsis)
    cut = text[:room]
    if " " in cut and not text[room].isspace():
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + ellipsis


def clip_lines(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters after a whole line, marked with "…"."""
    if len(text) <= limit:
        return text
    kept: list[str] = []
    used = 1  # room for the final "…"
    for line in text.split("\n"):
        if used + len(line) + 1 > limit:
            break
        kept.append(line)
        used += len(line) + 1
    if not kept:
        return shorten(text.split("\n", 1)[0], limit)
    return "\n".join([*kept, "…"])


def split_text(text: str, limit: int, render: Callable[[str], str] = lambda s: s) -> list[str]:
    """Split ``text`` into pieces whose rendered form fits ``limit`` characters.

    Pieces break at paragraphs first, then lines, then words. Only a single word longer
    than the limit is cut inside, which real text never has.

    Args:
        text: the text to split.
        limit: the maximum length of ``render(piece)``.
        render: how a piece will be shown (e.g. escaped and quoted); lengths are
            measured after rendering.

    Returns:
        The non-blank pieces in order.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    return _split(text, limit, render, 0) if text else []


def _split(text: str, limit: int, render: Callable[[str], str], level: int) -> list[str]:
    if len(render(text)) <= limit:
        return [text]
    if level == len(_SEPARATORS):
        return _split_chars(text, limit, render)
    sep = _SEPARATORS[level]
    pieces: list[str] = []
    current: str | None = None
    for part in text.split(sep):
        candidate = part if current is None else current + sep + part
        if len(render(candidate)) <= limit:
            current = candidate
            continue
        if current is not None:
            pieces.append(current)
        if len(render(part)) <= limit:
            current = part
        else:
            *done, current = _split(part, limit, render, level + 1)
            pieces.extend(done)
    if current is not None:
        pieces.append(current)
    return [p for p in pieces if p.strip()]


def _split_chars(text: str, limit: int, render: Callable[[str], str]) -> list[str]:
    pieces: list[str] = []
    while text:
        low, high = 1, len(text)  # the longest prefix that fits, by bisection
        while low < high:
            middle = (low + high + 1) // 2
            if len(render(text[:middle])) <= limit:
                low = middle
            else:
                high = middle - 1
        pieces.append(text[:low])
        text = text[low:]
    return pieces
