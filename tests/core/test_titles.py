"""Job titles against the roles of the real knowledge base (bot.core.titles)."""

from __future__ import annotations

import pytest

from bot.core.knowledge import load_knowledge
from bot.core.titles import TitleMatcher, split_titles, tokens
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def matcher() -> TitleMatcher:
    roles = [p for p in load_knowledge(ROOT / "knowledge").passages if p.kind == "role"]
    return TitleMatcher(roles)


@pytest.mark.parametrize("title", [
    "Vertriebsleiter", "Vertriebsleiterin", "VERTRIEBSLEITERIN", "Vertriebsleiter:in",
    "Vertriebsleiter*in", "Vertriebsleiter_in", "Vertriebsleiter/in", "Vertriebsleiter/-in",
    "Vertriebsleiter(in)", "Vertriebsleiterinnen", "Vertriebsleiter:In", "VertriebsleiterIn",
    "Leiterin Vertrieb", "Leiter/in Vertrieb",
    "Head of Sales", "head of sales", "Head-of-Sales", "Vertriebsleiter (m/w/d)",
    "Head of Sales DACH", "Vertriebsleiterin Süd", "Senior Head of Sales",
    "Interim Vertriebsleiterin", "Verkaufsleiterin", "Vertriebschefin",
])
def test_gendered_and_written_forms_match_the_role(matcher: TitleMatcher, title: str) -> None:
    assert matcher.roles_of(title) == {"vertriebsleiter"}


@pytest.mark.parametrize("title", [
    "Assistant to the Head of Sales",  # the name inside, not at the head
    "Head of Sales Assistant",  # a supporting job
    "Stellvertretende Vertriebsleiterin",  # a deputy does not hold the role
    "Vertrieb",  # a department, not a title
    "Leiter",
    "Software Engineer",
    "",
    "   ",
])
def test_titles_that_only_contain_or_resemble_the_name_do_not_match(
    matcher: TitleMatcher, title: str,
) -> None:
    assert not matcher.matches(title, "vertriebsleiter")


@pytest.mark.parametrize(("title", "role"), [
    ("Marketingleiterin", "leiter-marketing"),
    ("Marketing-Leiterin", "leiter-marketing"),
    ("Marketing Leiter", "leiter-marketing"),
    ("Leiter:in Marketing", "leiter-marketing"),
    ("Sales Managerin", "sales-manager"),
    ("Senior Sales Manager", "sales-manager"),
    ("Sales Manager, Region Nord", "sales-manager"),
    ("Geschäftsentwicklerin", "business-development-manager"),
    ("Geschaeftsentwicklerin", "business-development-manager"),
    ("Ecommerce Manager", "leiter-e-commerce"),
    ("E-Commerce-Managerin", "leiter-e-commerce"),
    ("Online-Marketing-Referentin", "online-marketing-manager"),
    ("Teamleiterin Online Marketing", "head-online-marketing"),
    ("Innendienstmitarbeiterin", "vertriebsassistenz"),
    ("Vertriebsassistentin", "vertriebsassistenz"),
])
def test_titles_of_other_roles(matcher: TitleMatcher, title: str, role: str) -> None:
    assert matcher.roles_of(title) == {role}


def test_the_longest_role_name_wins(matcher: TitleMatcher) -> None:
    # "Business Development" is an alias of the manager; "... Director" of the head.
    assert matcher.roles_of("Business Development") == {"business-development-manager"}
    assert matcher.roles_of("Business Development Director") == {
        "head-of-business-development"}
    assert matcher.roles_of("Head of Online Marketing") == {"head-online-marketing"}
    assert matcher.roles_of("Leiter Marketing") == {"leiter-marketing"}


def test_one_field_with_two_titles_names_both(matcher: TitleMatcher) -> None:
    assert matcher.roles_of("Sales Manager / Vertriebsleiter") == {
        "sales-manager", "vertriebsleiter"}
    assert matcher.roles_of("CMO | Head of Sales") == {"leiter-marketing", "vertriebsleiter"}


def test_normalisation() -> None:
    assert tokens("Vertriebsleiter:innen") == ("vertriebsleiter",)
    assert tokens("Marketing") == ("marketing",)  # "-ing" is no feminine ending
    assert tokens("Büro Berlin") == ("buero", "berlin")
    assert tokens("Kauffrau im E-Commerce") == ("kaufmann", "im", "e", "commerce")
    assert split_titles("Leiter/in Vertrieb") == ["Leiter Vertrieb"]
    assert split_titles("E-Commerce - Shop / Marketing") == ["E-Commerce", "Shop", "Marketing"]
