"""Screenshots of Rollenbot's answers in Microsoft's Agents Playground (a Teams emulator).

A developer tool, not a test: ``scripts/teams_preview.sh`` starts ``rolle serve`` and the
Playground on loopback and runs this script, which drives Debian's Chromium with
Playwright (``executable_path``; no browser download), sends each question, and writes
for each one a screenshot of the screen as a user sees it right after the answer
arrives, and one after clicking "Ganze Beschreibung" (and "Aufgaben" when present).
Every request to a host other than loopback is blocked (the Playground asks a CDN for
fonts; the fallback fonts are fine for checking the layout).

It prints one line per question: whether the answer card's title, gist, source and
buttons are on the first screen (the card's top and its last button inside the
viewport), and the card's height.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import Locator, Page, Route, sync_playwright

from bot.texts import t

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 1000}
QUESTIONS = ["Was macht ein Vertriebsleiter?", "Wer ist für Key Accounts zuständig?",
             "Unterschied zwischen Sales Manager und Vertriebsleiter?", "Sales Manager"]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
CARD = ".ac-adaptiveCard"
REPLY_TIMEOUT_MS = 60_000
FULL = (t("full_description", "de"), t("full_description", "en"))
TASKS = (t("tasks", "de"), t("tasks", "en"))


def _loopback_only(page: Page, blocked: list[str]) -> None:
    """Abort every request that would leave the machine."""

    def handle(route: Route) -> None:
        url = route.request.url
        if urlparse(url).hostname in LOOPBACK or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    page.route("**/*", handle)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]


def _send(page: Page, question: str) -> Locator:
    """Type ``question`` into the compose box, send it, and return the new answer card."""
    before = page.locator(CARD).count()
    box = page.locator("[contenteditable=true]").first
    box.click()
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(f"document.querySelectorAll('{CARD}').length > {before}",
                           timeout=REPLY_TIMEOUT_MS)
    page.wait_for_timeout(800)  # the chat scrolls the new message into view
    return page.locator(CARD).nth(before)


def _first_screen(page: Page, card: Locator) -> tuple[bool, float]:
    """Whether the card's top and its last button are within the viewport as shown,
    and the card's height in pixels."""
    box = card.bounding_box()
    buttons = card.locator("button")
    last = buttons.nth(buttons.count() - 1).bounding_box() if buttons.count() else box
    if box is None or last is None:
        return False, 0.0
    height = VIEWPORT["height"]
    return box["y"] >= 0 and last["y"] + last["height"] <= height, box["height"]


def _click(card: Locator, *titles: str) -> bool:
    """Click the card's first button with one of ``titles``; False if there is none."""
    for title in titles:
        button = card.locator("button", has_text=re.compile(f"^{re.escape(title)}$"))
        if button.count():
            button.first.click()
            return True
    return False


def run(url: str, out: Path, questions: list[str]) -> int:
    """Drive the Playground at ``url``; write PNGs to ``out``; 0 when every answer's
    first screen holds the whole card head (title, gist, source, buttons)."""
    out.mkdir(parents=True, exist_ok=True)
    blocked: list[str] = []
    failures = 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
        _loopback_only(page, blocked)
        page.goto(url, wait_until="networkidle")
        page.locator(CARD).first.wait_for(timeout=REPLY_TIMEOUT_MS)  # the welcome card
        page.screenshot(path=str(out / "00-welcome.png"))
        for n, question in enumerate(questions, 1):
            card = _send(page, question)
            name = f"{n:02d}-{_slug(question)}"
            page.screenshot(path=str(out / f"{name}.png"))
            fits, height = _first_screen(page, card)
            failures += not fits
            expanded = _click(card, *FULL)
            full_height = 0.0
            if expanded:  # the whole passage: from the card's top, then its end
                page.wait_for_timeout(400)
                full_height = (card.bounding_box() or {"height": 0.0})["height"]
                card.evaluate("e => e.scrollIntoView({block: 'start'})")
                page.screenshot(path=str(out / f"{name}-full.png"))
                card.evaluate("e => e.scrollIntoView({block: 'end'})")
                page.screenshot(path=str(out / f"{name}-full-end.png"))
                _click(card, *FULL)  # back to the gist
            tasks = _click(card, *TASKS)
            if tasks:
                page.wait_for_timeout(400)
                card.evaluate("e => e.scrollIntoView({block: 'end'})")
                page.screenshot(path=str(out / f"{name}-tasks.png"))
            print(f"{name}: first screen {'OK' if fits else 'TOO TALL'} "
                  f"(card {height:.0f}px; {full_height:.0f}px with the whole passage), "
                  f"full={expanded}, tasks={tasks}")
        browser.close()
    print(f"screenshots in {out}; {len(blocked)} non-loopback requests blocked")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:56150")
    parser.add_argument("--out", type=Path, default=Path("var/teams-preview"))
    parser.add_argument("questions", nargs="*", default=QUESTIONS)
    args = parser.parse_args(argv)
    return run(args.url, args.out, args.questions or QUESTIONS)


if __name__ == "__main__":
    sys.exit(main())
