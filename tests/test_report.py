"""The knowledge-gap report on a real store (SQLite file) with the real packaged model,
and the `rolle report`, `rolle forget` and `rolle db` commands."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from itertools import combinations
from pathlib import Path

import pytest

from bot import cli, compose
from bot.config import Settings
from bot.core.embedding.protocol import Embedder
from bot.core.models import Outcome
from bot.core.storage.port import NewQuestion, PassageScore, Platform
from bot.report import build_report, group_questions, render_html, render_text, top_gaps
from bot.report.summary import percentile
from bot.store import SqlStore, open_store
from bot.store.migrate import head_revision
from tests.conftest import make_settings

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
GROWTH = ["Was verdient ein Growth Hacker?", "Wie viel verdient ein Growth Hacker?",
          "Gehalt Growth Hacker"]
DATA = ["Was macht ein Data Scientist?", "Was ist die Aufgabe eines Data Scientists?",
        "data scientist aufgaben"]
OTHERS = ["Wie beantrage ich Urlaub?", "Wer ist mein Ansprechpartner in der Buchhaltung?",
          "Was macht ein Scrum Master?"]


# Realistic unanswered questions: 8 topics in 3-4 wordings and 6 one-offs.
GAP_TOPICS = {
    "gehalt": ["Was verdient ein Growth Hacker?", "Wie viel verdient ein Growth Hacker?",
               "Gehalt Growth Hacker", "growth hacker gehalt pro jahr"],
    "data": ["Was macht ein Data Scientist?", "Was ist die Aufgabe eines Data Scientists?",
             "data scientist aufgaben", "Wofür brauchen wir einen Data Scientist?"],
    "urlaub": ["Wie beantrage ich Urlaub?", "Urlaubsantrag stellen",
               "Wo finde ich den Urlaubsantrag?"],
    "scrum": ["Was macht ein Scrum Master?", "Aufgaben Scrum Master",
              "Was ist die Rolle des Scrum Masters?"],
    "po": ["Was macht ein Product Owner?", "Product Owner Aufgaben",
           "Wer ist bei uns Product Owner?"],
    "homeoffice": ["Darf ich im Homeoffice arbeiten?", "Homeoffice Regelung",
                   "Wie viele Tage Homeoffice sind erlaubt?"],
    "controlling": ["Was macht das Controlling?", "Aufgaben im Controlling",
                    "Was macht ein Controller?"],
    "ux": ["Was macht ein UX Designer?", "UX Designer Aufgaben", "Was ist ein UX-Designer?"],
}
GAP_SINGLES = ["Wie ist das WLAN-Passwort?", "Wann ist die Weihnachtsfeier?",
               "Wer ist der Datenschutzbeauftragte?", "Wie funktioniert die Reisekostenabrechnung?",
               "Wo ist die Kantine?", "Was kostet ein Jobticket?"]


def ask(store: SqlStore, text: str, *, outcome: Outcome = "none", platform: Platform = "slack",
        latency: int = 100, days_ago: float = 1, passage: str | None = None) -> str:
    return store.record_question(NewQuestion(
        platform=platform, surface="mention" if platform == "slack" else "teams_personal",
        user_id="U1", text=text, language="de", outcome=outcome,
        latency_ms=latency, asked_at=NOW - timedelta(days=days_ago),
        passages=(PassageScore(passage_id=passage, score=0.7),) if passage else (),
    ))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    """A store with a month of questions and feedback."""
    s = open_store(f"sqlite:///{tmp_path / 'var' / 'r.db'}", secret="t")
    for i, text in enumerate(GROWTH * 2 + ["Was verdient ein Growth Hacker?"]):
        ask(s, text, days_ago=1 + i % 3, platform="teams" if i % 2 else "slack")
    for text in DATA:
        ask(s, text, days_ago=2)
    for text in OTHERS:
        ask(s, text, days_ago=3)
    ask(s, "<script>alert(1)</script> & Co?", days_ago=4)
    answered = [ask(s, "Was macht ein BDM?", outcome="answer", latency=10 * (i + 1),
                    passage="business-development-manager", days_ago=5) for i in range(20)]
    ask(s, "Marketing oder Vertrieb?", outcome="clarify", days_ago=6)
    ask(s, "zu alt", days_ago=31)
    for qid, comment in zip(answered[:3], ["Gehalt fehlt", None, "Zu <lang>"], strict=True):
        s.record_feedback(qid, user_id="U2", verdict="not_helpful", comment=comment)
    s.record_feedback(answered[3], user_id="U2", verdict="helpful")
    none_q = ask(s, "Was macht ein Astronaut?", days_ago=1)
    s.record_feedback(none_q, user_id="U3", verdict="not_helpful", comment="kein Treffer")
    yield s
    s.close()


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 0.95) is None
    assert percentile(list(range(1, 101)), 0.95) == 95
    assert percentile([7], 0.95) == 7


@pytest.fixture(scope="session")
def embedder(real_settings: Settings) -> Embedder:
    """What `rolle report` groups questions with: the built index's runtime embedder
    (the ONNX export, no torch), as :func:`bot.compose.question_embedder` loads it."""
    return compose.question_embedder(real_settings)


@pytest.mark.slow
def test_similar_unanswered_questions_are_grouped(embedder: Embedder) -> None:
    asked = [(t, NOW) for t in GROWTH + DATA + OTHERS + ["was verdient ein growth hacker"]]
    groups = group_questions(asked, embedder)
    as_sets = [set(g.examples) for g in groups]
    assert groups[0].count == 4 and as_sets[0] == set(GROWTH)  # exact repeat counted too
    assert set(DATA) in as_sets
    for other in OTHERS:
        assert {other} in as_sets
    assert sum(g.count for g in groups) == len(asked)


@pytest.mark.slow
def test_grouping_precision_and_recall_on_realistic_gaps(embedder: Embedder) -> None:
    topic = {q: t for t, qs in GAP_TOPICS.items() for q in qs} | {q: q for q in GAP_SINGLES}
    groups = group_questions([(q, NOW) for q in topic], embedder, examples=100)
    merged = {frozenset(p) for g in groups for p in combinations(g.examples, 2)}
    same = {frozenset(p) for p in combinations(topic, 2) if topic[p[0]] == topic[p[1]]}
    precision = len(merged & same) / len(merged)
    recall = len(merged & same) / len(same)
    # Measured: precision 1.00, recall 0.83 (25 of 30 same-topic pairs joined).
    assert precision == 1.0 and recall >= 0.8, (precision, recall)


@pytest.mark.slow
def test_report_figures(store: SqlStore, embedder: Embedder) -> None:
    report = build_report(store, embedder, days=30, now=NOW)
    assert report.total == 7 + 3 + 3 + 1 + 20 + 1 + 1  # "zu alt" is outside the period
    assert report.outcomes == {"answer": 20, "clarify": 1, "none": 15}
    assert report.rate("answer") == pytest.approx(20 / 36)
    assert report.platforms == {"slack": 33, "teams": 3}
    assert len(report.per_day) == 31 and sum(sum(d.values()) for d in report.per_day.values()) == 36
    assert report.per_day[(NOW - timedelta(days=5)).date()] == {"slack": 20}
    assert report.latency_median_ms == 100 and report.latency_p95_ms == 190
    assert (report.helpful, report.not_helpful) == (1, 4)
    assert report.gaps[0].count == 7 and set(report.gaps[0].examples) == set(GROWTH)
    assert report.gaps[1].count == 3 and set(report.gaps[1].examples) == set(DATA)
    worst = report.disliked[0]
    assert worst.passage_id == "business-development-manager"
    assert (worst.not_helpful, worst.helpful) == (2 + 1, 1)
    assert worst.comments == ("Zu <lang>", "Gehalt fehlt")
    assert report.disliked[1].passage_id is None and report.disliked[1].comments == (
        "kein Treffer",)
    gaps = top_gaps(store, embedder, days=30, limit=2, now=NOW)
    assert [g.count for g in gaps] == [7, 3]


@pytest.mark.slow
def test_report_renders_text_and_safe_html(store: SqlStore, embedder: Embedder) -> None:
    report = build_report(store, embedder, days=30, now=NOW)
    text = render_text(report)
    assert "Questions: 36 (slack 33, teams 3)" in text
    assert "answered 56% (20)" in text and "median 100 ms, p95 190 ms" in text
    assert "     7×  Was verdient ein Growth Hacker?" in text
    page = render_html(report)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co?" in page
    assert "Zu &lt;lang&gt;" in page

    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.seen: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.seen.append(tag)
            assert not any(name.startswith("on") or (value or "").startswith("http")
                           for name, value in attrs if name != "xmlns"), (tag, attrs)

    tags = Tags()
    tags.feed(page)
    assert tags.seen.count("svg") == 1 and tags.seen.count("rect") >= 8
    assert "img" not in tags.seen and "link" not in tags.seen  # nothing fetched: self-contained


@pytest.fixture
def rolle(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, real_settings: Settings, capsys):
    """Run `rolle ARGS` in-process on a SQLite database in tmp_path, with the session's
    index (`rolle report` groups with its ONNX export, as deployed)."""
    settings = make_settings(real_settings.index_dir,
                             database_url=f"sqlite:///{tmp_path / 'var' / 'cli.db'}",
                             secret="cli-secret")
    monkeypatch.setattr(cli, "get_settings", lambda: settings)

    def invoke(*args: str) -> tuple[int, str, str]:
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    invoke.url = settings.database_url  # type: ignore[attr-defined]
    return invoke


@pytest.mark.slow
def test_rolle_db_report_and_forget(rolle, tmp_path: Path) -> None:
    code, out, _ = rolle("db", "upgrade")
    assert code == 0 and f"migrated from empty to revision {head_revision()}" in out
    assert rolle("db", "upgrade")[1].startswith("Database sqlite:///")
    store = open_store(rolle.url, secret="cli-secret")
    for text in GROWTH:
        store.record_question(NewQuestion(platform="terminal", surface="terminal",
                                          user_id="alice", text=text, language="de",
                                          outcome="none", latency_ms=5))
    store.close()
    code, out, _ = rolle("report", "--days", "7", "--html", str(tmp_path / "r.html"))
    assert code == 0 and "Questions: 3 (terminal 3)" in out and "3×" in out
    assert "<svg" in (tmp_path / "r.html").read_text("utf-8")
    code, out, _ = rolle("forget", "alice")
    assert code == 0 and "Deleted all records of alice: 3 questions" in out
    assert "No records of alice" in rolle("forget", "alice")[1]
    assert "Purged records older than 90 days: nothing." in rolle("db", "purge")[1]
    code, _, err = rolle("report", "--html", str(tmp_path / "missing" / "r.html"))
    assert code == 1 and err.startswith("rolle: cannot write") and "Traceback" not in err


def test_report_of_an_empty_store(tmp_path: Path) -> None:
    empty = open_store(f"sqlite:///{tmp_path / 'e.db'}", secret="t")
    report = build_report(empty, None, days=7, now=NOW)
    assert report.total == 0 and report.rate("answer") == 0.0 and report.gaps == ()
    assert report.latency_median_ms is None and len(report.per_day) == 8
    text = render_text(report)
    assert "Questions: 0 (none)" in text and "median –, p95 –" in text
    assert text.count("(none)") == 3
    assert "<svg" in render_html(report)
    empty.close()
