"""The `rolle` command: a thin layer over the engine.

Exit codes: 0 for answers and "not found" alike, 1 when the bot cannot work (broken
knowledge, missing index, model not loadable), 2 for usage errors (a bad setting: one
line per variable), 141 when the reader of its output went away (``rolle … | head``),
as for other command-line tools.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from pydantic import ValidationError

from bot import compose
from bot.config import Settings, get_settings, problems
from bot.conversation import Conversation
from bot.core.errors import RollenbotError
from bot.core.knowledge import by_department, load_knowledge
from bot.core.models import Language
from bot.core.tour import TourView
from bot.logs import configure as configure_logging
from bot.terminal import answer_json, render, render_catalogue, tour_input

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
EXIT_PIPE = 128 + 13  # SIGPIPE: the shell's status for a writer whose reader closed


def cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    from bot.build import build, build_lemma_tables

    knowledge = load_knowledge(settings.knowledge_dir, settings.max_entry_chars)
    print_ = print if not args.quiet else (lambda *a, **k: None)
    manifest = build(settings, knowledge, force=args.force,
                     on_wait=lambda message: print(message, file=sys.stderr))
    tables = build_lemma_tables(settings)
    if tables is not None:
        print_(f"Wrote the lemma tables for a fast start: {tables}")
    if manifest is None:
        print_(f"Index is up to date ({len(knowledge.passages)} passages, model "
               f"{settings.model}): nothing to do.")
    else:
        onnx = manifest.get("onnx")
        if not onnx:
            export = ""
        elif "checked_texts" not in onnx:
            export = "; ONNX export reused, knowledge embedded with it"
        else:
            export = (f"; ONNX export {'reused' if onnx['reused'] else 'written'}, knowledge "
                      f"embedded with it, cosine to sentence-transformers on "
                      f"{onnx['checked_texts']} chunks ≥ "
                      f"{onnx['min_cosine_to_sentence_transformers']}")
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
            raw = sys.stdin.buffer.read() if args.batch == "-" else Path(args.batch).read_bytes()
        except OSError as exc:
            print(f"rolle ask: cannot read {args.batch}: {exc}", file=sys.stderr)
            return EXIT_USAGE
        questions = decode_input(raw).splitlines()
    else:
        # argv arrives with undecodable bytes as lone surrogates: back to bytes, then
        # decoded like every other input.
        questions = [decode_input(os.fsencode(" ".join(args.question)))]
    engine = compose.load_engine(settings)
    conversation = Conversation(engine, directory=compose.directory(settings, engine))
    for answer in engine.answer_many(questions, top_k=args.top_k):
        if args.json:
            print(answer_json(answer))
        else:
            reply = conversation.from_answer(answer)
            print(render(conversation.with_people(reply, engine, "terminal"),
                         color=sys.stdout.isatty()))
            if len(questions) > 1:
                print("\n" + "-" * 40)
    return EXIT_OK


def cmd_roles(args: argparse.Namespace, settings: Settings) -> int:
    print(render_catalogue(by_department(load_knowledge(settings.knowledge_dir).passages)))
    return EXIT_OK


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.evaluation.evaluate import evaluate

    paths = [Path(f) for f in args.files]
    for path in paths:  # before the model loads
        if not path.is_file():
            print(f"rolle eval: {path}: no such file", file=sys.stderr)
            return EXIT_USAGE
    engine = compose.load_engine(settings)
    if args.cv:
        from bot.evaluation.calibrate import cross_validate, load_items

        engine = compose.load_engine(settings, with_decision=False)
        items = load_items(engine, paths)
        kinds = [p.kind for p in engine.passages]
        print("\n".join(cross_validate(items, kinds, settings.model, k=args.cv).lines()))
        return EXIT_OK
    report = evaluate(compose.load_engine(settings), *paths)
    if args.verbose:
        for o in report.outcomes:
            got = o.answer.hits[0].passage.id if o.answer.hits else "(no answer)"
            if o.answer.outcome == "clarify":
                got = "clarify: " + ", ".join(h.passage.id for h in o.answer.hits)
            print(f"{'ok ' if o.correct else 'XX '} {o.question!r} -> {got} "
                  f"(expected {o.expect or 'no answer'})")
    s = report.summary()
    print(f"correct: {s['correct']}/{s['total']} ({100 * s['correct'] / max(s['total'], 1):.1f} %)")
    print(f"top-1: {s['top1']}/{s['in_scope']}  top-3: {s['top3']}/{s['in_scope']}")
    print(f"refusals: {s['refused_correctly']}/{s['out_of_scope']} out-of-scope without a quote "
          f"({s['oos_quoted']} quoted), {s['refused_wrongly']} in-scope not answered, "
          f"{s['clarified']} clarify replies")
    styles = report.by_style()
    if len(styles) > 1:
        print("by style: " + ", ".join(f"{k} {c}/{t}" for k, (c, t) in styles.items()))
    return EXIT_OK


def cmd_calibrate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.retrieval.decision import decision_file
    from bot.evaluation.calibrate import cross_validate, fit, load_items
    from bot.evaluation.evaluate import question_files

    paths = [Path(f) for f in args.files] or question_files()
    engine = compose.load_engine(settings, with_decision=False)
    items = load_items(engine, paths)
    kinds = [p.kind for p in engine.passages]
    fitted_on: dict[str, object] = {"questions": len(items),
                                    "files": sorted(p.name for p in paths)}
    if args.cv:
        report = cross_validate(items, kinds, settings.model, k=args.cv)
        print("\n".join(report.lines()))
        right, total = report.total
        fitted_on.update(cv_folds=args.cv, cv_correct=right, cv_questions=total,
                         cv_oos_quoted=report.oos_answered)
    decision = fit(items, kinds, settings.model)
    decision = replace(decision, fitted_on=fitted_on)
    output = Path(args.output) if args.output else decision_file(settings.model)
    output.write_text(decision.to_json(), "utf-8")
    r = decision.ranking
    print(f"Fitted on {len(items)} questions: dense weight {r.dense_weight}, kind weight "
          f"{r.kind_weight}, name bonus {r.name_bonus}, answer at p ≥ "
          f"{decision.answer_threshold}, clarify at p ≥ {decision.clarify_threshold}. "
          f"Written to {output}.")
    return EXIT_OK


def decode_input(raw: bytes) -> str:
    """Text typed or piped in: UTF-8, with undecodable bytes replaced by U+FFFD (one
    bad byte costs that character, never the line, the batch or the session)."""
    return raw.decode("utf-8", errors="replace")


def _stdin_lines() -> Iterator[str]:
    """Lines of a piped stdin, decoded with :func:`decode_input`."""
    for raw in sys.stdin.buffer:
        yield decode_input(raw)


TERMINAL_THREAD = "terminal"  # the terminal's one conversation, for follow-ups
PROMPT = "Frage> "


def chat(conversation: Conversation, lines: Iterable[str], write: Callable[[str], None],
         *, color: bool = False, echo: bool = False) -> None:
    """Answer each line until "exit"/"quit" or the end of input. While a guided tour
    is shown, "weiter"/"zurück"/"mehr"/"ende" (or a department's number) move it.

    Args:
        conversation: decides every reply.
        lines: what was typed (or piped in).
        write: prints one reply.
        color: ANSI styles (a terminal).
        echo: write each line after the prompt first, as a terminal shows it (piped
            input, so that a transcript reads like a session).
    """
    tour: TourView | None = None  # the tour view shown last, waiting for a key
    language: Language = "de"
    for line in lines:
        if echo:
            write(PROMPT + line.rstrip("\r\n"))
        step = tour_input(line, tour) if tour is not None else None
        if step is not None:
            action, department, position = step
            reply = conversation.tour(action, user=None, department=department,
                                      position=position, language=language)
        elif line.strip().lower() in {"exit", "quit", "q", "ende"}:
            break
        elif line.strip():
            reply = conversation.respond(line, thread=TERMINAL_THREAD)
        else:
            continue
        tour = reply.tour if reply.kind == "tour" else None
        language = reply.language
        write(render(reply, color=color) + "\n")


def _prompt_lines() -> Iterable[str]:
    if isinstance(sys.stdin, io.TextIOWrapper):  # a terminal in a strict encoding
        sys.stdin.reconfigure(errors="replace")
    while True:
        try:
            yield input(PROMPT)
        except (EOFError, KeyboardInterrupt):
            print()
            return


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    engine = compose.load_engine(settings)
    try:
        store = compose.open_store(settings)
    except RollenbotError as exc:  # the chat still works; it just records nothing
        print(f"rolle: questions are not recorded: {exc}", file=sys.stderr)
        store = None
    conversation = Conversation(engine, store=store,
                                directory=compose.directory(settings, engine, store))
    print("Rollenbot – frag mich nach Rollen in Marketing, Vertrieb, Business Development "
          "und E-Commerce. 'hilfe', 'liste', 'exit'.")
    interactive = sys.stdin.isatty()
    chat(conversation, _prompt_lines() if interactive else _stdin_lines(), print,
         color=sys.stdout.isatty(), echo=not interactive)
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
    store = compose.open_store(settings)
    serve(settings, compose.conversation(settings, compose.load_engine(settings), store))
    return EXIT_OK


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    if settings.slack_enabled or settings.teams_enabled:
        return cmd_serve(args, settings)
    if not sys.stdin.isatty():  # a container or a service: chatting with nobody is an error
        print("rolle run: no Slack or Teams settings and no terminal: set SLACK_BOT_TOKEN or "
              "MICROSOFT_APP_ID (see README), or use `rolle chat` to read questions from "
              "input.", file=sys.stderr)
        return EXIT_USAGE
    print("No Slack or Teams credentials set: starting the terminal chat.")
    return cmd_chat(args, settings)


def cmd_teams_package(args: argparse.Namespace, settings: Settings) -> int:
    from bot.teams.package import build_package

    path = build_package(settings, Path(args.output))
    print(f"Teams app package written to {path}")
    return EXIT_OK


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    from bot.admin import db_purge, db_upgrade

    print(db_upgrade(settings) if args.action == "upgrade" else db_purge(settings))
    return EXIT_OK


def cmd_forget(args: argparse.Namespace, settings: Settings) -> int:
    from bot.admin import forget

    print(forget(settings, args.user_id))
    return EXIT_OK


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from bot.admin import report

    print(report(settings, days=args.days, html=Path(args.html) if args.html else None))
    return EXIT_OK


def _days(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 3660:
        raise argparse.ArgumentTypeError(f"'{value}' is not a number of days (1-3660)")
    return int(value)


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
    p = sub.add_parser("eval", help="score question files in the dev format")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--cv", type=int, default=0, metavar="K",
                   help="k-fold cross-validate the learned decision over the files instead")
    p.add_argument("-v", "--verbose", action="store_true", help="one line per question")
    p.set_defaults(func=cmd_eval)
    p = sub.add_parser("calibrate", help="fit the answer decision on labelled questions")
    p.add_argument("files", nargs="*", metavar="FILE",
                   help="question files (default: every labelled question file)")
    p.add_argument("--cv", type=int, default=5, metavar="K",
                   help="also report the K-fold cross-validated figure (0: skip)")
    p.add_argument("--output", metavar="FILE",
                   help="where to write it (default: the packaged decision of the model)")
    p.set_defaults(func=cmd_calibrate)
    sub.add_parser("chat", help="interactive terminal chat").set_defaults(func=cmd_chat)
    sub.add_parser("serve", help="run the Slack/Teams server").set_defaults(func=cmd_serve)
    sub.add_parser("run", help="serve when credentials are set, else chat").set_defaults(
        func=cmd_run)
    p = sub.add_parser("teams-package", help="zip the Teams app package")
    p.add_argument("--output", default="dist/rollenbot-teams.zip")
    p.set_defaults(func=cmd_teams_package)
    p = sub.add_parser("db", help="database: apply migrations, or purge old records")
    p.add_argument("action", choices=["upgrade", "purge"])
    p.set_defaults(func=cmd_db)
    p = sub.add_parser("forget", help="delete every record of one user (data protection)")
    p.add_argument("user_id", metavar="USER_ID",
                   help="the Slack or Teams user id; '-' for the terminal chat's questions")
    p.set_defaults(func=cmd_forget)
    p = sub.add_parser("report", help="knowledge-gap report of the recorded questions")
    p.add_argument("--days", type=_days, default=30, metavar="N", help="period (default 30)")
    p.add_argument("--html", metavar="FILE", help="also write a self-contained HTML page")
    p.set_defaults(func=cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `rolle` console script."""
    try:
        code = _main(argv)
        sys.stdout.flush()  # a closed pipe shows here, not after the exit
    except BrokenPipeError:
        # The reader went away (`rolle … | head -1`): stop quietly, as other tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_PIPE
    return code


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = get_settings()
    except ValidationError as exc:  # a bad environment variable: one line each
        for line in problems(exc):
            print(f"rolle: {line}", file=sys.stderr)
        return EXIT_USAGE
    level = settings.log_level.upper()
    serving = args.command == "serve" or (
        args.command == "run" and (settings.slack_enabled or settings.teams_enabled))
    if not serving and level != "DEBUG":
        level = "WARNING"  # terminal commands: the answer, not the library chatter
    configure_logging(level, settings.log_format)
    try:
        return int(args.func(args, settings))
    except RollenbotError as exc:
        print(f"rolle: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
