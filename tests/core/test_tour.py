"""The guided tour's departments, steps and moves, derived from the real knowledge and
from small made-up knowledge (so nothing depends on a hard-coded department list)."""

from __future__ import annotations

from pathlib import Path

from bot.core.knowledge import load_knowledge
from bot.core.models import Passage, Source
from bot.core.retrieval.highlight import gist
from bot.core.tour import Tour, TourState

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
SOURCE = Source(title="Test", seed="seed.txt")


def tour() -> Tour:
    return Tour(load_knowledge(KNOWLEDGE).passages)


def entry(pid: str, kind: str, department: str, related: tuple[str, ...] = ()) -> Passage:
    return Passage(id=pid, title=pid.title(), kind=kind, department=department,  # type: ignore[arg-type]
                   text=f"{pid} erster Satz. Zweiter Satz.", source=SOURCE, related=related)


def test_departments_are_those_with_roles_in_knowledge_order() -> None:
    passages = load_knowledge(KNOWLEDGE).passages
    expected = list(dict.fromkeys(p.department for p in passages if p.kind == "role"))
    assert list(tour().departments) == expected
    assert "Marketing und Vertrieb" not in tour().departments  # only overviews there


def test_marketing_tour_is_its_roles_then_the_comparisons_with_vertrieb() -> None:
    steps = tour().steps("Marketing")
    roles = [s for s in steps if s.part == "role"]
    neighbours = [s for s in steps if s.part == "neighbour"]
    assert steps[:len(roles)] == tuple(roles)  # roles first
    assert [s.passage.department for s in roles] == ["Marketing"] * len(roles)
    assert {s.passage.department for s in neighbours} == {"Marketing und Vertrieb"}
    kinds = [s.passage.kind for s in neighbours]
    assert kinds == sorted(kinds, key=lambda k: k != "overview")  # overviews first
    assert "gruppe-versus-einzelperson" in {s.passage.id for s in neighbours}
    assert [s.passage.id for s in tour().steps("Vertrieb")][-len(neighbours):] == [
        s.passage.id for s in neighbours]


def test_a_department_without_comparisons_ends_with_what_its_roles_relate_to() -> None:
    steps = tour().steps("E-Commerce")
    assert [s.part for s in steps] == ["role", "related", "related"]
    assert [s.passage.id for s in steps[1:]] == ["head-online-marketing",
                                                 "online-marketing-manager"]


def test_made_up_knowledge_gets_its_own_departments_and_links() -> None:
    made_up = Tour([
        entry("koch", "role", "Küche", related=("kellner",)),
        entry("spueler", "role", "Küche"),
        entry("kellner", "role", "Service"),
        entry("kueche-und-service", "comparison", "Küche und Service"),
        entry("kuechenchef-intro", "overview", "Küchenchef"),  # "Küche" only inside a word
    ])
    assert made_up.departments == ("Küche", "Service")
    assert [s.passage.id for s in made_up.steps("Küche")] == [
        "koch", "spueler", "kueche-und-service"]
    assert [(s.passage.id, s.part) for s in made_up.steps("Service")] == [
        ("kellner", "role"), ("kueche-und-service", "neighbour")]
    assert made_up.find("  küche ") == "Küche" and made_up.find("Keller") is None


def test_moves_forward_back_and_off_the_end() -> None:
    t = tour()
    total = len(t.steps("Vertrieb"))
    start = TourState(department="Vertrieb", language="en")
    assert t.move(start, "back") == start  # nothing before the first step
    second = t.move(start, "next")
    assert second == TourState(department="Vertrieb", position=1, language="en")
    assert t.move(second, "back") == start
    last = TourState(department="Vertrieb", position=total - 1)
    assert t.move(last, "next") is None  # "Weiter" on the last step ends the tour
    assert t.move(second, "end") is None
    assert t.move(second, "more") == second


def test_view_shows_the_gist_and_clamps_the_position() -> None:
    t = tour()
    view = t.view(TourState(department="Marketing"))
    assert view.step is not None and view.number == 1 and view.first and not view.last
    assert view.gist == gist(view.step.passage) and view.gist
    assert all(s in view.step.passage.text for s in view.gist)
    beyond = t.view(TourState(department="Marketing", position=999))
    assert beyond.last and beyond.number == beyond.total == len(t.steps("Marketing"))
    gone = t.view(TourState(department="Einkauf"))  # the knowledge changed meanwhile
    assert gone.step is None and gone.departments == t.departments


def test_menu_offers_only_a_valid_tour_to_continue() -> None:
    t = tour()
    resume = TourState(department="Vertrieb", position=3)
    menu = t.menu(resume)
    assert menu.resume == resume and menu.resume_total == len(t.steps("Vertrieb"))
    assert t.menu(TourState(department="Vertrieb", position=99)).resume is None
    assert t.menu(TourState(department="Einkauf")).resume is None
