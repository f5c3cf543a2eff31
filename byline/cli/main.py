"""Command line: argparse -> build / serve / check / new / authors new / companies new, and the contract's exit codes."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from byline.config import BuildOptions, SiteConfig, check_base_url, load_config
from byline.dates import ACCEPTED_FORMS, NonexistentTime, iso, parse_datetime
from byline.errors import BuildFailed, ContentError, UsageError
from byline.text import plural

if TYPE_CHECKING:
    from byline.pipeline import Checked
    from byline.site.checks import Scheduled

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
COMMANDS = ("build", "serve", "check", "new", "publish", "authors", "companies")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit status (0 ok, 1 content errors, 2 usage errors)."""
    args_list = _command_first(list(sys.argv[1:] if argv is None else argv))
    parser = _parser()
    try:
        _refuse_foreign_options(args_list)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # argparse has printed the problem; usage errors exit 2
        return int(exc.code or 0) and EXIT_USAGE
    try:
        return _run(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("", file=sys.stderr)
        return 130


def _run(args: argparse.Namespace) -> int:
    options = _options(args)
    if args.command == "check":
        return _check(options, args)
    if args.command == "new":
        return _new(options, args)
    if args.command == "publish":
        return _publish(options, args)
    if args.command == "authors":
        from byline.cli.scaffold import new_author

        print(
            new_author(
                options, args.slug, args.name, role=args.role, organisation=args.organisation, company=args.company
            )
        )
        return EXIT_OK
    if args.command == "companies":
        from byline.cli.scaffold import new_company

        print(new_company(options, args.slug, args.name, website=args.website, sector=args.sector, region=args.region))
        return EXIT_OK
    if args.command == "serve":
        from byline.preview.server import serve

        return serve(options, host=args.host, port=args.port)
    return _build(options)


def _new(options: BuildOptions, args: argparse.Namespace) -> int:
    """Write the draft; warn at once of a topic that looks like a typo of an established one."""
    from byline.cli.scaffold import new_article, parse_tags, topic_warnings

    when = _parse_when("--date", args.date, options.root) if args.date else options.now
    tags = parse_tags(args.tags)
    path = new_article(
        options,
        args.title,
        args.author,
        now=when,
        section=args.section,
        tags=tags,
        region=args.region,
        slug=args.slug,
        image=args.image,
        image_alt=args.image_alt,
    )
    print(path)
    for warning in topic_warnings(options, tags, path):
        print(f"warning: {warning}", file=sys.stderr)
    return EXIT_OK


def _publish(options: BuildOptions, args: argparse.Namespace) -> int:
    """Date the draft now (or --at) and make it public; print where it will be."""
    from byline.cli.publish import publish

    try:
        done = publish(options, args.path, args.at)
    except BuildFailed as failed:
        _report(failed.errors)
        print(
            f"{args.path} was left as it was: fix {'these' if len(failed.errors) > 1 else 'this'} first.",
            file=sys.stderr,
        )
        return EXIT_CONTENT
    if done.scheduled:
        print(f"{done.path}: scheduled for {done.when}; it goes live with the first build after then, at")
    else:
        print(f"{done.path}: published, dated {done.when}; it goes live with the next build, at")
    print(done.url)
    return EXIT_OK


def _build(options: BuildOptions) -> int:
    from byline.state.manifest import scan_inputs
    from byline.state.workspace import Workspace

    started = time.perf_counter()
    options = replace(options, now=options.clock())  # one clock for the whole run
    assert options.now is not None
    inputs = scan_inputs(options)  # before the build reads anything: a save mid-build is seen next time
    workspace = Workspace(options.root, options.output)
    with workspace.locked():  # the manifest is read, the build committed and recorded, under one lock
        record = None if options.clean else workspace.current(options, options.now, inputs)
        if record is not None:
            _replay(record.messages, "stderr")  # the same warnings as last time: the inputs are the same
            if not options.quiet:
                seconds = time.perf_counter() - started
                print(f"{record.summary}; nothing changed since the last build ({seconds:.2f} s)")
                _replay(record.messages, "stdout")
            return EXIT_OK
        from byline.pipeline import build

        progress = _progress_printer() if sys.stderr.isatty() and not options.quiet else None
        try:
            result = build(options, progress, workspace=workspace)
        except BuildFailed as failed:
            _report(failed.errors)
            errors = sum(1 for e in failed.errors if e.severity == "error")
            print(
                f"Build failed: {plural(errors, 'error')}; {_shown(options.output)} was left as it was.",
                file=sys.stderr,
            )
            return EXIT_CONTENT
        messages = [("stderr", problem.format()) for problem in result.warnings]
        if result.site is not None and (line := _next_scheduled_line(result.next_scheduled, result.site.config)):
            messages.append(("stdout", line))
        summary = (
            f"{plural(result.articles, 'article')}, {plural(result.pages, 'page')} "
            f"({plural(result.files, 'file')}) in {_shown(result.output)}"
        )
        workspace.save_manifest(options, inputs, options.now, result.stable_until, f"Up to date: {summary}", messages)
    if options.verbose:
        _print_timings(result.timings)
        print(
            f"  parsed {result.parsed} files, rendered {result.rendered} outputs; the rest were unchanged",
            file=sys.stderr,
        )
    _replay(messages, "stderr")
    if not options.quiet:
        print(
            f"Built {plural(result.articles, 'article')}, {plural(result.pages, 'page')} "
            f"({plural(result.files, 'file')}) into {_shown(result.output)} in {result.seconds:.2f} s"
        )
        _replay(messages, "stdout")
    return EXIT_OK


def _print_timings(timings: dict[str, float]) -> None:
    for stage, seconds in timings.items():
        print(f"  {stage:<8} {seconds * 1000:8.1f} ms", file=sys.stderr)


def _replay(messages: Sequence[Sequence[str]], stream: str) -> None:
    """Print the messages meant for one stream: warnings to stderr, notices to stdout."""
    for where, text in messages:
        if where == stream:
            print(text, file=sys.stderr if stream == "stderr" else sys.stdout)


def _check(options: BuildOptions, args: argparse.Namespace) -> int:
    """Report every problem; exit 1 for errors, and for warnings too under --strict."""
    from byline.pipeline import check

    checked = check(options)
    if options.verbose:
        _print_timings(checked.timings)
    errors = [p for p in checked.problems if p.severity == "error"]
    warnings = [p for p in checked.problems if p.severity == "warning"]
    status = EXIT_CONTENT if errors or (args.strict and warnings) else EXIT_OK
    if args.format == "json":
        print(json.dumps(_check_report(checked, status), indent=2, ensure_ascii=False))
        return status
    _report(checked.problems)
    if errors:
        print(f"{plural(len(errors), 'error')} found.", file=sys.stderr)
    elif status != EXIT_OK:
        print(f"{plural(len(warnings), 'warning')} found, and --strict fails on warnings.", file=sys.stderr)
    elif not options.quiet and checked.site is not None:
        site = checked.site
        noted = f" ({plural(len(warnings), 'warning')})" if warnings else ""
        print(
            f"No errors{noted}: {plural(len(site.articles), 'published article')}, "
            f"{plural(len(site.authors), 'author')}, {plural(len(site.pages), 'page')}."
        )
        if line := _next_scheduled_line(checked.next_scheduled, site.config):
            print(line)
    return status


def _check_report(checked: Checked, status: int) -> dict[str, Any]:
    """`check --format json`: the same facts as the text report, for tools (CI annotations, editors)."""
    site = checked.site
    upcoming = checked.next_scheduled
    return {
        "ok": status == EXIT_OK,
        "errors": sum(1 for p in checked.problems if p.severity == "error"),
        "warnings": sum(1 for p in checked.problems if p.severity == "warning"),
        "problems": [
            {"path": p.path, "line": p.line, "severity": p.severity, "message": p.message} for p in checked.problems
        ],
        "published": None
        if site is None
        else {"articles": len(site.articles), "authors": len(site.authors), "pages": len(site.pages)},
        "next_scheduled": None
        if upcoming is None or site is None
        else {"path": upcoming.source, "at": iso(upcoming.at.astimezone(site.config.timezone))},
    }


def _next_scheduled_line(upcoming: Scheduled | None, config: SiteConfig) -> str | None:
    """Static hosting cannot publish on its own: say when the next build is needed."""
    if upcoming is None:
        return None
    from byline.site.checks import describe_moment

    return f"next scheduled: {upcoming.source} at {describe_moment(upcoming.at, config)} — rebuild then to publish it"


def _report(problems: Sequence[ContentError]) -> None:
    for problem in problems:
        print(problem.format(), file=sys.stderr)


def _options(args: argparse.Namespace) -> BuildOptions:
    given = vars(args)  # each command has only the common options that affect it
    root = Path(args.root)
    if not root.is_dir():
        raise UsageError(f"--root {args.root}: no such folder")
    base_url = given.get("base_url")
    if base_url and (reason := check_base_url(base_url)):
        raise UsageError(reason.replace("base_url", "--base-url", 1))
    jobs = given.get("jobs")
    if jobs is not None and jobs < 1:
        raise UsageError("--jobs must be 1 or more")
    serving = args.command == "serve"
    output = given.get("output")
    options = BuildOptions(
        root=root,
        output=Path(output) if output else root / "public",
        drafts=given.get("drafts", False) or serving,
        future=given.get("future", False) or serving,
        base_url=base_url,
        clean=given.get("clean", False),
        quiet=given.get("quiet", False),
        verbose=given.get("verbose", False),
        strict=given.get("strict", False),
    )
    if jobs:
        options = replace(options, jobs=jobs)
    if given.get("now"):
        options = replace(options, now=_parse_when("--now", args.now, root))
    return options


def _parse_when(option: str, value: str, root: Path) -> datetime:
    config, _ = load_config(root)  # naive values are site-local, like front matter
    tz: ZoneInfo = config.timezone
    try:
        parsed = parse_datetime(value, tz)
    except NonexistentTime as exc:
        raise UsageError(f"--now {exc}") from None
    if parsed is None:
        raise UsageError(f"{option} {value!r} is not a date; use {ACCEPTED_FORMS}")
    return parsed


# The options each command takes besides its own: a command's --help lists only what affects it.
COMMON: dict[str, tuple[str, ...]] = {
    "build": ("root", "output", "drafts", "base-url", "jobs", "now", "noise"),
    "serve": ("root", "base-url", "jobs", "now", "noise"),
    "check": ("root", "output", "drafts", "base-url", "jobs", "now", "noise"),
    "new": ("root", "now"),
    "publish": ("root", "base-url", "now"),
    "authors new": ("root",),
    "companies new": ("root",),
}
OPTION_NAMES = {
    "root": ("--root",),
    "output": ("--output",),
    "drafts": ("--drafts", "--future"),
    "base-url": ("--base-url",),
    "jobs": ("--jobs", "--clean"),
    "now": ("--now",),
    "noise": ("-q", "--quiet", "-v", "--verbose"),
}
VALUE_OPTIONS = frozenset({"--root", "--output", "--base-url", "--jobs", "--now"})  # they take the next word


def _refuse_foreign_options(args: list[str]) -> None:
    """A common option given to a command it does nothing for is a mistake worth saying plainly."""
    command = " ".join(args[:2]) if args[:1] in (["authors"], ["companies"]) else args[0]
    if command not in COMMON:
        return
    allowed = {name for group in COMMON[command] for name in OPTION_NAMES[group]}
    for arg in args[: args.index("--") if "--" in args else len(args)]:
        name = arg.split("=", 1)[0]
        if name not in allowed and any(name in names for names in OPTION_NAMES.values()):
            raise UsageError(f"{name} does nothing for '{command}'; see: python build.py {command} --help")


def _command_first(args: list[str]) -> list[str]:
    """Put the command (and the action of ``authors`` or ``companies``) first, so common options may come before it.

    No command is ``build``.
    """
    words: list[int] = []
    index = 0
    while index < len(args) and args[index] != "--":
        if args[index] in VALUE_OPTIONS:
            index += 2
            continue
        if not args[index].startswith("-"):
            words.append(index)
            if len(words) == 2 or args[words[0]] not in ("authors", "companies"):
                break
        index += 1
    if not words:
        return args if "-h" in args or "--help" in args else ["build", *args]
    return [args[i] for i in words] + [a for i, a in enumerate(args) if i not in words]


def _add_common(parser: argparse.ArgumentParser, command: str) -> None:
    wanted = COMMON[command]
    add = parser.add_argument
    if "root" in wanted:
        add("--root", default=".", help="site root folder (default: .)")
    if "output" in wanted:
        what = "the output folder the last build wrote, for comparing URLs" if command == "check" else "output folder"
        add("--output", help=f"{what} (default: ROOT/public)")
    if "drafts" in wanted:
        add("--drafts", action="store_true", help="include drafts")
        add("--future", action="store_true", help="include scheduled articles")
    if "base-url" in wanted:
        add("--base-url", help="override site.toml's base_url")
    if "jobs" in wanted:
        add("--jobs", type=int, help="worker processes (default: all cores)")
        add("--clean", action="store_true", help="ignore any build cache")
    if "now" in wanted:
        add("--now", help="the time to take as now, e.g. '2014-01-27 10:30' (default: the real time)")
    if "noise" in wanted:
        noise = parser.add_mutually_exclusive_group()
        noise.add_argument("-q", "--quiet", action="store_true", help="print errors only")
        noise.add_argument("-v", "--verbose", action="store_true", help="print stage timings")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python build.py",
        description="Byline: build, preview and check a members' news site.",
        epilog="Common options such as --root may come before or after the command. "
        "Run 'python build.py COMMAND --help' for a command's options.",
        allow_abbrev=False,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help: str, within: argparse._SubParsersAction[argparse.ArgumentParser] = commands, common: str | None = None) -> argparse.ArgumentParser:
        made = within.add_parser(name, help=help, description=help[0].upper() + help[1:] + ".", allow_abbrev=False)
        _add_common(made, common or name)
        return made

    command("build", "build the site (the default)")
    serve = command("serve", "preview with drafts and scheduled articles, and live reload")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    check = command("check", "validate all content; write nothing")
    check.add_argument("--strict", action="store_true", help="exit 1 on warnings too, and on any draft's problems")
    check.add_argument("--format", choices=("text", "json"), default="text", help="report as text (default) or JSON")
    new = command("new", "create a draft article with its front matter filled in")
    new.add_argument("title", help="the headline, in quotes")
    new.add_argument("--author", required=True, help="the author's slug, e.g. simon-malia")
    new.add_argument("--section", help="the section's slug (default: site.toml's default_section)")
    new.add_argument("--tags", help='topics, separated by commas: "BT, Outsourcing"')
    new.add_argument("--region", help='the region, e.g. "North West"')
    new.add_argument("--slug", help="the URL's last part, [a-z0-9-]+ (default: made from the title)")
    new.add_argument("--date", help="its date, e.g. '2026-12-06 09:00' (default: now; `publish` sets it again)")
    new.add_argument("--image", help="lead picture, e.g. /static/images/depot.jpg (needs --image-alt)")
    new.add_argument("--image-alt", help="what the picture shows, for readers who cannot see it")
    publish = command("publish", "make a draft public: remove 'draft: true' and date it now (or --at)")
    publish.add_argument("path", help="the article's file, e.g. content/articles/2026/12/harbour-deal.md")
    publish.add_argument(
        "--at", help="publish at this time instead of now, e.g. '2026-12-08 07:00'; later schedules it"
    )
    authors = commands.add_parser("authors", help="manage author profiles: 'authors new SLUG --name NAME'")
    author_commands = authors.add_subparsers(dest="authors_command", metavar="ACTION", required=True)
    new_author = command("new", "create content/authors/SLUG.md", author_commands, "authors new")
    new_author.add_argument("slug", help="the file name and URL slug, e.g. simon-malia")
    new_author.add_argument("--name", required=True, help='the name as bylines show it, e.g. "Simon Malia"')
    new_author.add_argument("--role", help='e.g. "Reporter"')
    new_author.add_argument("--organisation", help='e.g. "Bdaily"')
    new_author.add_argument("--company", help="the slug of the member company they post for, e.g. bt-group")
    companies = commands.add_parser(
        "companies", help="manage member company profiles: 'companies new SLUG --name NAME'"
    )
    company_commands = companies.add_subparsers(dest="companies_command", metavar="ACTION", required=True)
    new_company = command("new", "create content/companies/SLUG.md", company_commands, "companies new")
    new_company.add_argument("slug", help="the file name and URL slug, e.g. bt-group")
    new_company.add_argument("--name", required=True, help='the name as pages show it, e.g. "BT Group"')
    new_company.add_argument("--website", help='its web address, e.g. "https://www.bt.com"')
    new_company.add_argument("--sector", help='e.g. "Telecommunications"')
    new_company.add_argument("--region", help='e.g. "North West"')
    return parser


def _progress_printer() -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        end = "\n" if done == total else ""
        if total >= 1000:  # only long builds need a progress display
            print(f"\rRendering {done}/{total}", end=end, file=sys.stderr, flush=True)

    return show


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path) + os.sep
    except ValueError:
        return str(path)
