"""The knowledge base: schema errors name file, entry and field; texts are verbatim."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.core.errors import KnowledgeError
from bot.core.knowledge import load_knowledge

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE = ROOT / "knowledge"
SEEDS = ROOT.parent / "shared" / "seeds"
DEBRIS = ["Warenkorb", "Informationen anfordern", "Header-Bild", "Trainingseinheiten",
          "Whitepaper", "Partner zu werden", "Hinterlassen Sie Ihre Daten"]


def _squash(text: str) -> str:
    text = re.sub(r"•\s*", "•", text)
    return " ".join(text.split())


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


def test_real_knowledge_loads_with_all_sections() -> None:
    knowledge = load_knowledge(KNOWLEDGE)
    titles = {p.title for p in knowledge.passages}
    for role in ["Leiter Marketing", "Head of Online Marketing", "Online Marketing Manager",
                 "Vertriebsleiter", "Sales Manager", "Vertriebsassistenz",
                 "Head of Business Development", "Business Development Manager",
                 "Leiter E-Commerce"]:
        assert role in titles
    for topic in ["Gruppe versus Einzelperson", "Bedarf versus Transaktion", "Ziehen vs. Drücken",
                  "Reichweite vs. Umsatz", "Strategisch versus taktisch",
                  "Langfristig versus kurzfristig", "Marke versus Kunde"]:
        assert topic in titles
    kinds = {p.kind for p in knowledge.passages}
    assert kinds == {"role", "comparison", "overview"}
    assert len({p.id for p in knowledge.passages}) == len(knowledge.passages)  # unique ids
    assert knowledge.synonyms["sales"] == ("vertrieb", "verkauf")


@pytest.mark.skipif(not SEEDS.is_dir(), reason="needs ../shared/seeds beside the checkout")
def test_every_paragraph_is_quoted_verbatim_from_its_seed() -> None:
    for passage in load_knowledge(KNOWLEDGE).passages:
        seed = _squash((SEEDS / passage.source.seed).read_text("utf-8"))
        for paragraph in passage.paragraphs:
            assert _squash(paragraph) in seed, f"{passage.id}: not verbatim: {paragraph[:60]}"


def test_no_web_page_debris_is_quoted() -> None:
    for passage in load_knowledge(KNOWLEDGE).passages:
        for junk in DEBRIS:
            assert junk not in passage.text, f"{passage.id} quotes debris {junk!r}"


def test_every_entry_has_a_source_and_roles_have_aliases() -> None:
    for passage in load_knowledge(KNOWLEDGE).passages:
        assert passage.source.title and passage.source.seed.endswith(".txt")
        if passage.kind == "role":
            assert passage.title in passage.aliases
    smit = [p for p in load_knowledge(KNOWLEDGE).passages if p.source.author]
    assert smit and all(p.source.author == "Kenneth Smit" for p in smit)


def test_broken_yaml_names_file_and_line(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "positionen.yaml").write_text("source: [unclosed\n", "utf-8")
    with pytest.raises(KnowledgeError, match=r"positionen\.yaml: invalid YAML at line"):
        load_knowledge(folder)


def test_missing_field_names_file_entry_and_field(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "positionen.yaml"
    path.write_text(path.read_text("utf-8").replace("    kind: role\n", "", 1), "utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(folder)
    assert str(info.value).startswith("positionen.yaml, entry leiter-marketing, field kind:")


def test_wrong_kind_and_unknown_field_are_rejected(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "marketing_vs_vertrieb.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("kind: comparison", "kind: essay", 1), "utf-8")
    with pytest.raises(KnowledgeError, match="entry gruppe-versus-einzelperson, field kind"):
        load_knowledge(folder)
    path.write_text(text.replace("    aliases: []\n", "    alias: []\n", 1), "utf-8")
    with pytest.raises(KnowledgeError, match="field alias"):
        load_knowledge(folder)


def test_duplicate_ids_and_dangling_related_are_rejected(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "positionen.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("id: sales-manager", "id: vertriebsleiter"), "utf-8")
    with pytest.raises(KnowledgeError, match="duplicate id"):
        load_knowledge(folder)
    path.write_text(text.replace("related: [vertriebsleiter, vertriebsassistenz,",
                                 "related: [nobody, vertriebsassistenz,"), "utf-8")
    with pytest.raises(KnowledgeError, match="field related: unknown entry 'nobody'"):
        load_knowledge(folder)


def test_content_hash_follows_the_files(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    before = load_knowledge(folder).content_hash
    assert load_knowledge(folder).content_hash == before
    path = folder / "glossary.yaml"
    path.write_text(path.read_text("utf-8") + "  umsatzziel: [umsatzziel]\n", "utf-8")
    assert load_knowledge(folder).content_hash != before


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="knowledge folder not found"):
        load_knowledge(tmp_path / "nope")


def test_editor_lock_files_and_hidden_files_are_skipped(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    before = load_knowledge(folder)
    # Emacs' lock file: a dangling symlink named like the file being edited.
    (folder / ".#positionen.yaml").symlink_to("root@host.12345:1700000000")
    (folder / ".positionen.yaml").write_text("not: [valid", "utf-8")
    (folder / "notes.txt").write_text("ignored", "utf-8")
    after = load_knowledge(folder)
    assert after.content_hash == before.content_hash
    assert len(after.passages) == len(before.passages)


@pytest.mark.parametrize("kind", ["folder", "broken link"])
def test_a_folder_or_broken_link_named_yaml_is_one_clear_line(tmp_path: Path, kind: str) -> None:
    folder = _copy(tmp_path)
    odd = folder / "extra.yaml"
    if kind == "folder":
        odd.mkdir()
    else:
        odd.symlink_to(tmp_path / "gone.yaml")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(folder)
    message = str(info.value)
    assert message == f"extra.yaml: is a {kind}, not a knowledge file: remove or rename it"
    assert "\n" not in message


def test_a_link_to_a_real_yaml_file_is_read(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    elsewhere = tmp_path / "glossary-real.yaml"
    (folder / "glossary.yaml").rename(elsewhere)
    (folder / "glossary.yaml").symlink_to(elsewhere)
    assert load_knowledge(folder).synonyms["sales"] == ("vertrieb", "verkauf")


def test_an_over_long_text_is_refused_with_file_entry_and_field(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "positionen.yaml"
    text = path.read_text("utf-8")
    anchor = "  - id: leiter-marketing\n    title: Leiter Marketing\n    kind: role\n" \
             "    department: Marketing\n    text: |-\n"
    assert anchor in text
    huge = "Wort " * 2_000_000  # 10 MB pasted into one entry
    path.write_text(text.replace(anchor, f"{anchor}      {huge}\n\n", 1), "utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(folder)
    assert re.fullmatch(r"positionen\.yaml, entry leiter-marketing, field text: "
                        r"10,00\d,\d{3} characters, more than the limit of 20,000 "
                        r"\(ROLLE_MAX_ENTRY_CHARS\)", str(info.value)), str(info.value)
    wide = load_knowledge(folder, max_entry_chars=11_000_000)
    assert len(wide.passages) == len(load_knowledge(KNOWLEDGE).passages)


def test_the_limit_applies_to_names_and_is_configurable(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match=r"field text: [\d,]+ characters, more than the "
                                             r"limit of 500"):
        load_knowledge(KNOWLEDGE, max_entry_chars=500)
    folder = _copy(tmp_path)
    path = folder / "positionen.yaml"
    path.write_text(path.read_text("utf-8").replace("- CMO\n", f"- CMO\n      - {'x' * 20_001}\n",
                                                    1), "utf-8")
    with pytest.raises(KnowledgeError, match=r"entry leiter-marketing, field aliases: 20,001 "):
        load_knowledge(folder)
