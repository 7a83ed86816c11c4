"""Who holds a role here: the question, people.yaml, merging directories, and the
directory cache (bot.core.people, bot.core.directory)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.directory import CachedMembers, TitleDirectory
from bot.core.errors import KnowledgeError
from bot.core.knowledge import Knowledge, load_knowledge
from bot.core.models import Passage
from bot.core.people import (
    Directories,
    DirectoryError,
    FileDirectory,
    Person,
    asks_for_people,
    load_people,
)
from bot.core.storage.guard import GuardedStore
from bot.core.storage.port import Member, MemberSnapshot, Platform
from tests.conftest import ROOT
from tests.support import Clock, sqlite_store

Roles = tuple[Passage, ...]


@pytest.fixture(scope="module")
def roles(knowledge: Knowledge) -> Roles:
    """The roles of the real knowledge base."""
    return tuple(p for p in knowledge.passages if p.kind == "role")


@pytest.fixture(scope="module")
def sales_head(roles: Roles) -> Passage:
    """The Vertriebsleiter role."""
    return next(p for p in roles if p.id == "vertriebsleiter")


@pytest.mark.parametrize("question", [
    "Wer ist bei uns Vertriebsleiter?",
    "Wer ist unsere Vertriebsleiterin?",
    "wer macht bei uns das Online-Marketing?",
    "Wer ist hier Head of Sales?",
    "Wer leitet im Unternehmen den Vertrieb?",
    "Welche Kollegin ist bei uns Sales Managerin?",
    "Who is our head of sales?",
    "who's our CMO?",
    "Who handles e-commerce here?",
    "Who is the sales manager in our company?",
])
def test_questions_for_the_people_here(question: str) -> None:
    assert asks_for_people(question)


@pytest.mark.parametrize("question", [
    "Was macht ein Vertriebsleiter?",
    "Wer ist für Key Accounts zuständig?",  # which role, not which colleague
    "Who is responsible for key accounts?",
    "Was macht unser Vertrieb?",  # "ours", but no "who"
    "What does our sales manager do?",
    "Unterschied Marketing und Vertrieb?",
])
def test_questions_about_the_role_in_general(question: str) -> None:
    assert not asks_for_people(question)


# --- people.yaml ------------------------------------------------------------------------
def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "people.yaml"
    path.write_text(text, "utf-8")
    return path


def test_people_file_names_people_per_role(tmp_path: Path, roles: Roles,
                                           sales_head: Passage) -> None:
    path = write(tmp_path, "people:\n  vertriebsleiter:\n    - name: Erika Muster\n"
                 "      email: erika@example.com\n    - name: Max Beispiel\n")
    directory = load_people(path, [p.id for p in roles])
    assert directory.people(sales_head, roles, platform="teams") == (
        Person(name="Erika Muster", email="erika@example.com"), Person(name="Max Beispiel"))
    other = next(p for p in roles if p.id == "sales-manager")
    assert directory.people(other, roles, platform="slack") == ()


@pytest.mark.parametrize(("text", "message"), [
    ("people:\n  verkaufsgott:\n    - name: X\n",
     "people.yaml, entry verkaufsgott: unknown role id 'verkaufsgott'"),
    ("people:\n  vertriebsleiter:\n    - name: X\n      email: not-an-address\n",
     "people.yaml, entry vertriebsleiter, field #1.email: 'not-an-address' is not an e-mail"),
    ("people:\n  vertriebsleiter:\n    - name: X\n    - email: a@b.de\n",
     "people.yaml, entry vertriebsleiter, field #2.name: Field required"),
    ("people:\n  vertriebsleiter:\n    - name: X\n      phone: 123\n",
     "people.yaml, entry vertriebsleiter, field #1.phone: Extra inputs are not permitted"),
    ("staff: {}\n", "people.yaml, field people: Field required"),
    ("people: [\n", "people.yaml: invalid YAML at line 2"),
])
def test_a_broken_people_file_names_file_entry_and_field(
    tmp_path: Path, text: str, message: str, roles: Roles,
) -> None:
    with pytest.raises(KnowledgeError) as error:
        load_people(write(tmp_path, text), [p.id for p in roles])
    assert str(error.value).startswith(message)


def test_people_file_is_not_knowledge(tmp_path: Path) -> None:
    """A people.yaml in the knowledge folder is neither parsed as entries nor part of
    the content hash (adding people does not make the index stale)."""
    for source in (ROOT / "knowledge").glob("*.yaml"):
        (tmp_path / source.name).write_bytes(source.read_bytes())
    before = load_knowledge(tmp_path).content_hash
    write(tmp_path, "people:\n  vertriebsleiter:\n    - name: Erika Muster\n")
    assert load_knowledge(tmp_path).content_hash == before


# --- merging ------------------------------------------------------------------------------
class Broken:
    def people(self, role: Passage, roles: Sequence[Passage], *,
               platform: Platform) -> tuple[Person, ...]:
        raise DirectoryError("down")


def test_directories_merge_by_name_and_survive_a_broken_one(roles: Roles,
                                                            sales_head: Passage) -> None:
    slack = FileDirectory({"vertriebsleiter": (
        Person(name="Erika Muster", user_id="U1", url="https://x.slack.com/team/U1"),)})
    file = FileDirectory({"vertriebsleiter": (
        Person(name="erika  muster", email="erika@example.com"), Person(name="Max"))})
    merged = Directories(Broken(), slack, file).people(sales_head, roles, platform="slack")
    assert merged == (Person(name="Erika Muster", user_id="U1",
                             url="https://x.slack.com/team/U1", email="erika@example.com"),
                      Person(name="Max"))
    with pytest.raises(DirectoryError):
        Directories(Broken()).people(sales_head, roles, platform="slack")


# --- the cached directory -----------------------------------------------------------------
class Fetcher:
    """Counts fetches; fails while ``failing``."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.calls = 0
        self.failing = False
        self.members: tuple[Member, ...] = (
            Member(user_id="U1", name="Erika", title="Vertriebsleiterin"),
            Member(user_id="U2", name="Max", title="Sales Manager"))

    def __call__(self) -> MemberSnapshot:
        self.calls += 1
        if self.failing:
            raise RuntimeError("ratelimited")
        return MemberSnapshot(source="slack", fetched_at=self.clock(), members=self.members,
                              team_url="https://acme.slack.com/")



@pytest.fixture
def store(tmp_path: Path) -> GuardedStore:
    return sqlite_store(tmp_path)


def directory(fetch: Fetcher, store: GuardedStore | None, clock: Clock) -> TitleDirectory:
    return TitleDirectory(CachedMembers("slack", fetch, store=store, clock=clock),
                          platform="slack",
                          link=lambda snap, uid: f"{snap.team_url}team/{uid}")


def test_cached_directory_fetches_at_most_hourly(store: GuardedStore, roles: Roles,
                                                 sales_head: Passage) -> None:
    clock = Clock()
    fetch = Fetcher(clock)
    people = directory(fetch, store, clock)
    found = people.people(sales_head, roles, platform="slack")
    assert found == (Person(name="Erika", user_id="U1",
                            url="https://acme.slack.com/team/U1"),)
    clock.now += timedelta(minutes=59)
    people.people(sales_head, roles, platform="slack")
    assert fetch.calls == 1
    # Another replica (a fresh process) reads the shared store instead of Slack.
    assert directory(fetch, store, clock).people(sales_head, roles, platform="slack") == found
    assert fetch.calls == 1
    clock.now += timedelta(minutes=2)
    fetch.members = (Member(user_id="U3", name="Nora", title="Head of Sales"),)
    assert [p.name for p in people.people(sales_head, roles, platform="slack")] == ["Nora"]
    assert fetch.calls == 2
    assert people.people(sales_head, roles, platform="teams") == ()  # Slack's directory


def test_failed_refresh_keeps_the_last_copy_and_retries_a_minute_later(
    store: GuardedStore, roles: Roles, sales_head: Passage,
) -> None:
    clock = Clock()
    fetch = Fetcher(clock)
    people = directory(fetch, store, clock)
    people.people(sales_head, roles, platform="slack")
    clock.now += timedelta(hours=2)
    fetch.failing = True
    assert [p.name for p in people.people(sales_head, roles, platform="slack")] == ["Erika"]
    assert [p.name for p in people.people(sales_head, roles, platform="slack")] == ["Erika"]
    assert fetch.calls == 2  # one failed attempt per minute, across replicas
    clock.now += timedelta(minutes=1)
    fetch.failing = False
    people.people(sales_head, roles, platform="slack")
    assert fetch.calls == 3


def test_no_copy_and_a_failed_fetch_is_a_directory_error(roles: Roles,
                                                         sales_head: Passage) -> None:
    clock = Clock()
    fetch = Fetcher(clock)
    fetch.failing = True
    with pytest.raises(DirectoryError):
        directory(fetch, None, clock).people(sales_head, roles, platform="slack")
