"""Match job titles (as people write them in a profile) to the roles of the knowledge base.

A title matches a role when it names the role by its title or one of its aliases, after
normalising both the same way:

* case, Unicode forms and umlauts (``ä`` = ``ae``), hyphens and spaces
  ("Marketing-Leiter" = "Marketingleiter" = "Marketing Leiter");
* gender forms: ``-in``/``-innen`` after a masculine agent suffix ("Vertriebsleiterin",
  "Managerin", "Chefin"), ``:in``, ``*in``, ``_in``, ``/in``, ``/-in``, ``(in)``,
  ``-frau``/``-mann``, and a trailing "(m/w/d)";
* a leading seniority word ("Senior", "Junior", "Interim", ...) is ignored.

The rule (the *head rule*): a title matches a role name if, normalised, it **is** that
name, or **begins** with it and only a qualifier follows ("Head of Sales DACH",
"Vertriebsleiterin Süd"). A name inside a title does not count ("Assistant to the Head
of Sales" is not Head of Sales; "Stellvertretende Vertriebsleiterin" is not
Vertriebsleiter), nor does a qualifier that makes it a supporting job ("Head of Sales
Assistant"). A title separated by ",", ";", "|", " / " or " - " is several titles.
When a title matches names of several roles, the longest name wins: "Business
Development Director" is Head of Business Development, not Business Development
(Manager).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from bot.core.models import Passage

# Words in front of a title that do not change the role held.
SENIORITY = frozenset({"senior", "junior", "sr", "jr", "interim", "acting"})
# Words after a role name that make the job a supporting one, not the role itself.
SUPPORTING = frozenset({
    "assistant", "assistent", "assistenz", "deputy", "stellvertreter", "stellvertretung",
    "vertretung", "intern", "praktikant", "werkstudent", "trainee", "support",
})
# A feminine "-in"/"-innen" is dropped after these endings of a masculine agent noun
# ("leiterin" -> "leiter", "referentin" -> "referent"); "marketing", "berlin" stay.
_MASCULINE = ("er", "or", "ent", "ant", "ist", "eur", "chef", "og", "ekt", "ot")
_GENDER_MARK = re.compile(r"(?<=\w)\s?(?:[:*_/·]|/-|\(|\[)\s?(innen|in)\b[)\]]?",
                          re.IGNORECASE)
_MWD = re.compile(r"\(\s*[mwdfx](?:\s*/\s*[mwdfx])+\s*\)")
_SEPARATORS = re.compile(r"\s*(?:[,;|·]|\s/\s|\s[-–—]\s)\s*")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_TOKEN = re.compile(r"[a-z0-9]+")


def _ungender(token: str) -> str:
    if token.endswith("frau") and len(token) > 4:
        return token[:-4] + "mann"
    for ending in ("innen", "in"):
        stem = token[: -len(ending)]
        if token.endswith(ending) and len(stem) >= 3 and stem.endswith(_MASCULINE):
            return stem
    return token


def tokens(title: str) -> tuple[str, ...]:
    """The normalised words of one title (see the module docstring)."""
    text = unicodedata.normalize("NFKC", title)
    text = _MWD.sub(" ", text)
    text = _GENDER_MARK.sub("", text).lower().translate(_UMLAUTS)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return tuple(_ungender(word) for word in _TOKEN.findall(text))


def split_titles(title: str) -> list[str]:
    """The titles in one profile field ("Sales Manager / Vertriebsleiter": two)."""
    title = _GENDER_MARK.sub("", unicodedata.normalize("NFKC", title))
    return [part for part in _SEPARATORS.split(title) if part.strip()]


def _without_seniority(words: Sequence[str]) -> Sequence[str]:
    start = 0
    while start < len(words) - 1 and words[start] in SENIORITY:
        start += 1
    return words[start:]


class TitleMatcher:
    """Which roles a job title names, over all role passages (so that the longest
    name wins across roles)."""

    def __init__(self, roles: Iterable[Passage]) -> None:
        """Index the titles and aliases of ``roles`` by their compact normalised form."""
        self._by_name: dict[str, set[str]] = {}
        for role in roles:
            for name in (role.title, *role.aliases):
                compact = "".join(tokens(name))
                if compact:
                    self._by_name.setdefault(compact, set()).add(role.id)

    def roles_of(self, title: str) -> frozenset[str]:
        """The ids of the roles that ``title`` names (empty: none)."""
        found: set[str] = set()
        for part in split_titles(title):
            words = _without_seniority(tokens(part))
            best: set[str] = set()
            joined = ""
            for end, word in enumerate(words, 1):  # longer heads later: the longest wins
                joined += word
                ids = self._by_name.get(joined)
                if ids and not SUPPORTING.intersection(words[end:]):
                    best = ids
            found |= best
        return frozenset(found)

    def matches(self, title: str, role_id: str) -> bool:
        """Whether ``title`` names the role ``role_id``."""
        return role_id in self.roles_of(title)
