"""The `rolle` command: a thin layer over the engine.

Exit codes: 0 for answers and "not found" alike, 1 when the bot cannot work (broken
knowledge, missing index, model not loadable), 2 for usage errors.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from bot.config import Settings, get_settings
from bot.core.engine import Engine
from bot.core.errors import RollenbotError
from bot.core.knowledge import by_department, load_knowledge
from bot.terminal import answer_json, render_answer, render_catalogue, render_passage
from bot.texts import HELP_WORDS, LIST_WORDS, t

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def _engine(settings: Settings) -> Engine:
    return Engine.load(settings)


def cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.build import build

    knowledge = load_knowledge(settings.knowledge_dir, settings.max_entry_chars)
    print_ = print if not args.quiet else (lambda *a, **k: None)
    manifest = build(settings, knowledge, force=args.force,
                     on_wait=lambda message: print(message, file=sys.stderr))
    if manifest is None:
        print_(f"Index is up to date ({len(knowledge.passages)} passages, model "
               f"{settings.model}): nothing to do.")
    else:
        onnx = manifest.get("onnx")
        export = (f"; ONNX export {'reused' if onnx['reused'] else 'written'}, cosine to "
                  f"sentence-transformers ≥ {onnx['min_cosine_to_sentence_transformers']}"
                  if onnx else "")
        print_(f"Built index: {manifest['passages']} passages, {manifest['chunks']} chunks, "
               f"dimension {manifest['dimension']}, {manifest['build_seconds']} s "
               f"({manifest['build_reason']}{export}).")
    return EXIT_OK


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    if args.batch is None and not args.question:
        print("rolle ask: give a QUESTION or --batch FILE", file=sys.stderr)
        return EXIT_USAGE
    if args.batch is not None:
        try:
            text = sys.stdin.read() if args.batch == "-" else Path(args.batch).read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"rolle ask: cannot read {args.batch}: {exc}", file=sys.stderr)
            return EXIT_USAGE
        questions = text.splitlines()
    else:
        questions = [" ".join(args.question)]
    engine = _engine(settings)
    for answer in engine.answer_many(questions, top_k=args.top_k):
        if args.json:
            print(answer_json(answer))
        else:
            print(render_answer(answer, limit=engine.max_question_chars))
            if len(questions) > 1:
                print("\n" + "-" * 40)
    return EXIT_OK


def cmd_roles(args: argparse.Namespace, settings: Settings) -> int:
    print(render_catalogue(by_department(load_knowledge(settings.knowledge_dir).passages)))
    return EXIT_OK


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.evaluate import evaluate

    report = evaluate(_engine(settings), Path(args.file))
    if args.verbose:
        for o in report.outcomes:
            got = o.answer.hits[0].passage.id if o.answer.answered else "(no answer)"
            print(f"{'ok ' if o.correct else 'XX '} {o.question!r} -> {got} "
                  f"(expected {o.expect or 'no answer'})")
    s = report.summary()
    print(f"correct: {s['correct']}/{s['total']}")
    print(f"top-1: {s['top1']}/{s['in_scope']}  top-3: {s['top3']}/{s['in_scope']}")
    print(f"refusals: {s['refused_correctly']}/{s['out_of_scope']} out-of-scope refused, "
          f"{s['refused_wrongly']} in-scope refused")
    return EXIT_OK


def reply(engine: Engine, text: str) -> str:
    """The terminal chat's reply to one line: help, the list, a role, or an answer."""
    word = text.strip().lower()
    if word in HELP_WORDS:
        return t("help", "en" if word == "help" else "de")
    if word in LIST_WORDS:
        return render_catalogue(engine.by_department(), "en" if word in {"list", "roles"} else "de")
    passage = engine.lookup(text)
    if passage is not None:
        return render_passage(passage)
    return render_answer(engine.answer(text), limit=engine.max_question_chars)


def chat(engine: Engine, lines: Iterable[str], write: Callable[[str], None]) -> None:
    """Answer each line until "exit"/"quit" or the end of input."""
    for line in lines:
        if line.strip().lower() in {"exit", "quit", "q", "ende"}:
            break
        if line.strip():
            write(reply(engine, line) + "\n")


def _prompt_lines() -> Iterable[str]:
    while True:
        try:
            yield input("Frage> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    engine = _engine(settings)
    print("Rollenbot – frag mich nach Rollen in Marketing, Vertrieb, Business Development "
          "und E-Commerce. 'hilfe', 'liste', 'exit'.")
    chat(engine, _prompt_lines() if sys.stdin.isatty() else sys.stdin, print)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.server import serve

    if not (settings.slack_enabled or settings.teams_enabled):
        print("rolle serve: set SLACK_BOT_TOKEN (Slack) or MICROSOFT_APP_ID / "
              "ROLLE_TEAMS_ANONYMOUS=true (Teams) first; see README.", file=sys.stderr)
        return EXIT_USAGE
    # Check the platform settings before the model loads: a missing secret is reported
    # in a second, not after the engine has started.
    if settings.slack_enabled:
        from bot.slack.app import check_settings

        check_settings(settings)
    if settings.teams_enabled:
        from bot.teams.auth import auth_configuration

        auth_configuration(settings)
    serve(settings, _engine(settings))
    return EXIT_OK


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    if settings.slack_enabled or settings.teams_enabled:
        return cmd_serve(args, settings)
    print("No Slack or Teams credentials set: starting the terminal chat.")
    return cmd_chat(args, settings)


def cmd_teams_package(args: argparse.Namespace, settings: Settings) -> int:
    from bot.teams.package import build_package

    path = build_package(settings, Path(args.output))
    print(f"Teams app package written to {path}")
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rolle", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ask", help="answer a question")
    p.add_argument("question", nargs="*")
    p.add_argument("--json", action="store_true", help="one JSON object per question")
    p.add_argument("--batch", metavar="FILE", help="one question per line ('-' = stdin)")
    p.add_argument("--top-k", type=int, default=3, choices=range(1, 11), metavar="N")
    p.set_defaults(func=cmd_ask)
    p = sub.add_parser("build", help="build the index if the knowledge or model changed")
    p.add_argument("--force", action="store_true", help="build even if up to date")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_build)
    sub.add_parser("roles", help="list roles and topics").set_defaults(func=cmd_roles)
    p = sub.add_parser("eval", help="score a question file in the dev format")
    p.add_argument("file")
    p.add_argument("-v", "--verbose", action="store_true", help="one line per question")
    p.set_defaults(func=cmd_eval)
    sub.add_parser("chat", help="interactive terminal chat").set_defaults(func=cmd_chat)
    sub.add_parser("serve", help="run the Slack/Teams server").set_defaults(func=cmd_serve)
    sub.add_parser("run", help="serve when credentials are set, else chat").set_defaults(
        func=cmd_run)
    p = sub.add_parser("teams-package", help="zip the Teams app package")
    p.add_argument("--output", default="dist/rollenbot-teams.zip")
    p.set_defaults(func=cmd_teams_package)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `rolle` console script."""
    args = _parser().parse_args(argv)
    try:
        settings = get_settings()
    except Exception as exc:  # pydantic's ValidationError: a bad environment variable
        print(f"rolle: invalid configuration: {exc}", file=sys.stderr)
        return EXIT_USAGE
    level = settings.log_level.upper()
    if args.command not in {"serve", "run"} and level != "DEBUG":
        level = "WARNING"  # terminal commands: the answer, not the library chatter
    logging.basicConfig(level=level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args, settings))
    except RollenbotError as exc:
        print(f"rolle: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
