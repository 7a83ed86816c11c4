"""Screenshots of Rollenbot in Microsoft's Agents Playground (a Teams client), for
looking at every kind of card before a release.

A developer tool, not a test: ``scripts/teams_preview.sh`` starts ``rolle serve`` and the
Playground on loopback and runs this script, which drives Debian's Chromium with
Playwright (``executable_path``; no browser download) at 1280×900. It goes through the
scenes below (the welcome card, an answer, a follow-up, a comparison, marketing vs.
sales, "Meinst du …?", no answer, out of scope, a tour step, help, the list), and for
each:

* saves a screenshot of the screen right after the reply arrives, and checks that the
  card fits the chat area: its top and its last button in view (the welcome card also
  within :data:`WELCOME_MAX_PX`);
* clicks every button of the card, one after the other (view switches first, then the
  buttons that ask or show something, feedback last) and checks that each does
  something: a new reply, the card updated, or the card's view changed. A button gone
  after an earlier click is clicked on a fresh card (the scene is asked again);
* saves a screenshot after the first view switch ("Ganze Beschreibung" open).

The Playground lays every card out at its standard width (its renderer does not reflow),
so the stacked layout of comparisons on narrow clients is not shown here. Every request
to a host other than loopback is blocked (the Playground asks a CDN for fonts; the
fallback fonts are fine for checking the layout). Exit status 1 if anything does not
fit or a button does nothing.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import Locator, Page, Route, sync_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 900}
WELCOME_MAX_PX = 600
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
CARD = ".ac-adaptiveCard"
COMPOSE = "[contenteditable=true]"
REPLY_TIMEOUT_MS = 60_000
EFFECT_TIMEOUT_MS = 8_000
MAX_CLICKS = 40  # per scene
# First the buttons that switch the card's view, then those that ask, feedback last.
_SWITCHES = re.compile(r"Ganze Beschreibung|Kurzfassung|Aufgaben|Full description|Short "
                       r"version|Tasks|Hide tasks|zeigen|ausblenden|Unterschiede|Weniger|"
                       r"Show|Hide|differences|Fewer")
_FEEDBACK = re.compile(r"Hilfreich|Nicht hilfreich|Helpful|Not helpful|Keins davon|None of")


@dataclass(frozen=True)
class Scene:
    """One thing to look at: a name for the files and the line to send (None: the
    welcome card the Playground shows at start)."""

    name: str
    line: str | None
    ask_again: bool = True  # a button gone after a click: ask again for a fresh card


SCENES = [
    Scene("welcome", None),
    Scene("answer", "Was macht ein Business Development Manager?"),
    Scene("follow-up", "und der Head davon?"),
    Scene("comparison", "Unterschied zwischen Sales Manager und Vertriebsleiter?"),
    Scene("marketing-vs-sales", "Unterschied Marketing und Vertrieb?"),
    Scene("clarify", "Wer erledigt den Papierkram bei Kundenaufträgen?"),
    Scene("no-answer", "Wie beantrage ich Urlaub?"),
    Scene("out-of-scope", "Was verdient eine Vertriebsassistentin so im Schnitt?"),
    Scene("tour-step", "tour vertrieb"),
    Scene("help", "hilfe"),
    Scene("list", "liste"),
]


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


def _cards(page: Page) -> int:
    return page.locator(CARD).count()


def _send(page: Page, line: str) -> Locator:
    """Type ``line`` into the compose box, send it, and return the reply's card."""
    before = _cards(page)
    box = page.locator(COMPOSE).first
    box.click()
    box.fill(line)
    box.press("Enter")
    page.wait_for_function(f"document.querySelectorAll('{CARD}').length > {before}",
                           timeout=REPLY_TIMEOUT_MS)
    page.wait_for_timeout(900)  # the chat scrolls the new message into view
    return page.locator(CARD).nth(before)


def _chat_area(page: Page) -> tuple[float, float]:
    """The top and bottom of the visible chat (below the header, above the compose box)."""
    compose = page.locator(COMPOSE).first.bounding_box()
    bottom = compose["y"] - 8 if compose else VIEWPORT["height"]
    return 48.0, bottom


def _fits(page: Page, card: Locator) -> tuple[bool, float]:
    """Whether the card's top and its last visible button are in the chat area, and the
    card's height."""
    box = card.bounding_box()
    buttons = [b for b in card.locator("button").all() if b.is_visible()]
    last = buttons[-1].bounding_box() if buttons else box
    if box is None or last is None:
        return False, 0.0
    top, bottom = _chat_area(page)
    return box["y"] >= top - 1 and last["y"] + last["height"] <= bottom + 1, box["height"]


def _order(labels: list[str]) -> list[str]:
    """View switches first, then the buttons that ask or show, feedback last."""
    return sorted(labels, key=lambda x: 0 if _SWITCHES.search(x) and not _FEEDBACK.search(x)
                  else 2 if _FEEDBACK.search(x) else 1)


def _labels(card: Locator) -> list[str]:
    if not card.count():
        return []
    labels = [b.inner_text().strip() for b in card.locator("button").all() if b.is_visible()]
    return _order(list(dict.fromkeys(labels)))


def _button(card: Locator, label: str) -> Locator | None:
    for button in card.locator("button").all():
        if button.is_visible() and button.inner_text().strip() == label:
            return button
    return None


def _click(page: Page, card: Locator, button: Locator) -> str:
    """Click and say what happened ("" when nothing did)."""
    cards, html = _cards(page), card.inner_html()
    button.click()
    for _ in range(EFFECT_TIMEOUT_MS // 200):
        page.wait_for_timeout(200)
        if _cards(page) > cards:
            page.wait_for_timeout(600)
            return "new reply"
        if card.count() and card.inner_html() != html:
            return "card changed"
    return ""


def _reach(page: Page, scene: Scene, card: Locator, path: list[str], label: str
           ) -> tuple[Locator, Locator | None]:
    """Bring back the button ``label``: click again the buttons that revealed it, on this
    card, else on a fresh one (the scene asked again); the card and the button, if found."""
    for attempt in range(2):
        if attempt:
            if not (scene.ask_again and scene.line):
                break
            card = _send(page, scene.line)
        for step in path:
            button = _button(card, step)
            if button is not None:
                _click(page, card, button)
        found = _button(card, label)
        if found is not None:
            return card, found
    return card, None


def run(url: str, out: Path, scenes: list[Scene]) -> int:
    """Drive the Playground at ``url``; write PNGs to ``out``; 0 when every card fits
    and every button does something."""
    out.mkdir(parents=True, exist_ok=True)
    blocked: list[str] = []
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
        _loopback_only(page, blocked)
        page.goto(url, wait_until="networkidle")
        page.locator(CARD).first.wait_for(timeout=REPLY_TIMEOUT_MS)
        page.wait_for_timeout(800)
        for n, scene in enumerate(scenes):
            name = f"{n:02d}-{scene.name}"
            card = page.locator(CARD).first if scene.line is None else _send(page, scene.line)
            page.screenshot(path=str(out / f"{name}.png"))
            fits, height = _fits(page, card)
            if not fits or (scene.line is None and height > WELCOME_MAX_PX):
                problems.append(f"{name}: does not fit ({height:.0f}px)")
            results, switched, tested = [], False, set()
            paths: dict[str, list[str]] = {}  # the clicks that revealed a button
            queue = _labels(card)
            while queue and len(tested) < MAX_CLICKS:
                label = queue.pop(0)
                tested.add(label)
                button = _button(card, label)
                if button is None:  # hidden again (a new reply redraws the chat) or gone
                    card, button = _reach(page, scene, card, paths.get(label, []), label)
                if button is None:
                    results.append(f"{label}: not reached")
                    continue
                effect = _click(page, card, button)
                if not effect:
                    problems.append(f"{name}: button {label!r} does nothing")
                results.append(f"{label}: {effect or 'NOTHING'}")
                if effect == "card changed" and not switched and _SWITCHES.search(label):
                    switched = True
                    card.evaluate("e => e.scrollIntoView({block: 'start'})")
                    page.screenshot(path=str(out / f"{name}-open.png"))
                # Buttons a click revealed (the role list, a "Kurzfassung") come next,
                # while they are in view: those that ask first, then the view switches.
                fresh = [x for x in _labels(card) if x not in tested and x not in queue]
                for x in fresh:
                    paths[x] = [*paths.get(label, []), label]
                switches = [x for x in fresh if _SWITCHES.search(x)]
                queue = [*(x for x in fresh if x not in switches), *switches, *queue]
            print(f"{name}: {'fits' if fits else 'TOO TALL'} ({height:.0f}px); "
                  + "; ".join(results))
        browser.close()
    for problem in problems:
        print("PROBLEM:", problem)
    print(f"screenshots in {out}; {len(blocked)} non-loopback requests blocked")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:56150")
    parser.add_argument("--out", type=Path, default=Path("var/teams-preview"))
    parser.add_argument("scenes", nargs="*", help="scene names to run (default: all)")
    args = parser.parse_args(argv)
    chosen = [s for s in SCENES if not args.scenes or s.name in args.scenes]
    if not chosen or chosen[0].line is not None:
        chosen = [SCENES[0], *chosen]  # the welcome card is on the screen first anyway
    return run(args.url, args.out, chosen)


if __name__ == "__main__":
    sys.exit(main())
