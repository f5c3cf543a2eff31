"""Command line: argparse -> build / serve / check / new / authors new / companies new, and the contract's exit codes."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from byline.config import BuildOptions, SiteConfig, check_base_url, load_config
from byline.dates import ACCEPTED_FORMS, iso, parse_datetime
from byline.errors import BuildFailed, ContentError, UsageError

if TYPE_CHECKING:
    from byline.pipeline import Checked
    from byline.site.checks import Scheduled

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
COMMANDS = ("build", "serve", "check", "new", "authors", "companies")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit status (0 ok, 1 content errors, 2 usage errors)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or args_list[0].startswith("-") and args_list[0] not in ("-h", "--help"):
        args_list.insert(0, "build")
    parser = _parser()
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
        from byline.cli.scaffold import new_article, parse_tags

        path = new_article(
            options,
            args.title,
            args.author,
            now=options.now,
            section=args.section,
            tags=parse_tags(args.tags),
            region=args.region,
        )
        print(path)
        return EXIT_OK
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


def _build(options: BuildOptions) -> int:
    from byline.state import manifest

    started = time.perf_counter()
    options = replace(options, now=options.now or datetime.now(UTC))  # one clock for the whole run
    assert options.now is not None
    record = None
    inputs = manifest.scan_inputs(options)  # before the build reads anything: a save mid-build is seen next time
    if not options.clean:
        from byline.state.lock import output_lock
        from byline.state.write import check_output_folder

        check_output_folder(options.root, options.output)  # a usage error writes nothing, not even a lock
        with output_lock(options.root, options.output):  # a build under way may be changing it
            record = manifest.is_current(options, options.now, inputs)
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
        result = build(options, progress)
    except BuildFailed as failed:
        _report(failed.errors)
        errors = sum(1 for e in failed.errors if e.severity == "error")
        print(
            f"Build failed: {_plural(errors, 'error')}; {_shown(options.output)} was left as it was.", file=sys.stderr
        )
        return EXIT_CONTENT
    messages = [("stderr", problem.format()) for problem in result.warnings]
    if result.site is not None and (line := _next_scheduled_line(result.next_scheduled, result.site.config)):
        messages.append(("stdout", line))
    summary = (
        f"{_plural(result.articles, 'article')}, {_plural(result.pages, 'page')} "
        f"({_plural(result.files, 'file')}) in {_shown(result.output)}"
    )
    manifest.save(options, inputs, options.now, result.stable_until, f"Up to date: {summary}", messages)
    if options.verbose:
        for stage, seconds in result.timings.items():
            print(f"  {stage:<8} {seconds * 1000:8.1f} ms", file=sys.stderr)
        print(
            f"  parsed {result.parsed} files, rendered {result.rendered} outputs; the rest were unchanged",
            file=sys.stderr,
        )
    _replay(messages, "stderr")
    if not options.quiet:
        print(
            f"Built {_plural(result.articles, 'article')}, {_plural(result.pages, 'page')} "
            f"({_plural(result.files, 'file')}) into {_shown(result.output)} in {result.seconds:.2f} s"
        )
        _replay(messages, "stdout")
    return EXIT_OK


def _replay(messages: Sequence[Sequence[str]], stream: str) -> None:
    """Print the messages meant for one stream: warnings to stderr, notices to stdout."""
    for where, text in messages:
        if where == stream:
            print(text, file=sys.stderr if stream == "stderr" else sys.stdout)


def _check(options: BuildOptions, args: argparse.Namespace) -> int:
    """Report every problem; exit 1 for errors, and for warnings too under --strict."""
    from byline.pipeline import check

    checked = check(options)
    errors = [p for p in checked.problems if p.severity == "error"]
    warnings = [p for p in checked.problems if p.severity == "warning"]
    status = EXIT_CONTENT if errors or (args.strict and warnings) else EXIT_OK
    if args.format == "json":
        print(json.dumps(_check_report(checked, status), indent=2, ensure_ascii=False))
        return status
    _report(checked.problems)
    if errors:
        print(f"{_plural(len(errors), 'error')} found.", file=sys.stderr)
    elif status != EXIT_OK:
        print(f"{_plural(len(warnings), 'warning')} found, and --strict fails on warnings.", file=sys.stderr)
    elif not options.quiet and checked.site is not None:
        site = checked.site
        noted = f" ({_plural(len(warnings), 'warning')})" if warnings else ""
        print(
            f"No errors{noted}: {_plural(len(site.articles), 'published article')}, "
            f"{_plural(len(site.authors), 'author')}, {_plural(len(site.pages), 'page')}."
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
    root = Path(args.root)
    if not root.is_dir():
        raise UsageError(f"--root {args.root}: no such folder")
    if args.base_url and (reason := check_base_url(args.base_url)):
        raise UsageError(reason.replace("base_url", "--base-url", 1))
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be 1 or more")
    serving = args.command == "serve"
    options = BuildOptions(
        root=root,
        output=Path(args.output) if args.output else root / "public",
        drafts=args.drafts or serving,
        future=args.future or serving,
        base_url=args.base_url,
        clean=args.clean,
        quiet=args.quiet,
        verbose=args.verbose,
    )
    if args.jobs:
        options = replace(options, jobs=args.jobs)
    if args.now:
        options = replace(options, now=_parse_now(args.now, root))
    return options


def _parse_now(value: str, root: Path) -> datetime:
    config, _ = load_config(root)  # naive --now values are site-local, like front matter
    tz: ZoneInfo = config.timezone
    parsed = parse_datetime(value, tz)
    if parsed is None:
        raise UsageError(f"--now {value!r} is not a date; use {ACCEPTED_FORMS}")
    return parsed


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", default=".", help="site root folder (default: .)")
    common.add_argument("--output", help="output folder (default: ROOT/public)")
    common.add_argument("--drafts", action="store_true", help="include drafts")
    common.add_argument("--future", action="store_true", help="include scheduled articles")
    common.add_argument("--base-url", help="override site.toml's base_url")
    common.add_argument("--jobs", type=int, help="worker processes (default: all cores)")
    common.add_argument("--clean", action="store_true", help="ignore any build cache")
    common.add_argument("--now", help="the clock for scheduling and the news sitemap, e.g. '2014-01-27 10:30'")
    noise = common.add_mutually_exclusive_group()
    noise.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    noise.add_argument("-v", "--verbose", action="store_true", help="print stage timings")

    parser = argparse.ArgumentParser(
        prog="python build.py",
        description="Byline: build, preview and check a members' news site.",
        epilog="Run 'python build.py COMMAND --help' for a command's options.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("build", parents=[common], help="build the site (the default)")
    serve = commands.add_parser("serve", parents=[common], help="preview with live reload")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    check = commands.add_parser("check", parents=[common], help="validate all content; write nothing")
    check.add_argument("--strict", action="store_true", help="exit 1 on warnings too, not only on errors")
    check.add_argument("--format", choices=("text", "json"), default="text", help="report as text (default) or JSON")
    new = commands.add_parser("new", parents=[common], help="create a new article file")
    new.add_argument("title", help="the headline, in quotes")
    new.add_argument("--author", required=True, help="the author's slug, e.g. simon-malia")
    new.add_argument("--section", help="the section's slug (default: site.toml's default_section)")
    new.add_argument("--tags", help='topics, separated by commas: "BT, Outsourcing"')
    new.add_argument("--region", help='the region, e.g. "North West"')
    authors = commands.add_parser("authors", help="manage author profiles: 'authors new SLUG --name NAME'")
    author_commands = authors.add_subparsers(dest="authors_command", metavar="ACTION", required=True)
    new_author = author_commands.add_parser("new", parents=[common], help="create content/authors/SLUG.md")
    new_author.add_argument("slug", help="the file name and URL slug, e.g. simon-malia")
    new_author.add_argument("--name", required=True, help='the name as bylines show it, e.g. "Simon Malia"')
    new_author.add_argument("--role", help='e.g. "Reporter"')
    new_author.add_argument("--organisation", help='e.g. "Bdaily"')
    new_author.add_argument("--company", help="the slug of the member company they post for, e.g. bt-group")
    companies = commands.add_parser(
        "companies", help="manage member company profiles: 'companies new SLUG --name NAME'"
    )
    company_commands = companies.add_subparsers(dest="companies_command", metavar="ACTION", required=True)
    new_company = company_commands.add_parser("new", parents=[common], help="create content/companies/SLUG.md")
    new_company.add_argument("slug", help="the file name and URL slug, e.g. bt-group")
    new_company.add_argument("--name", required=True, help='the name as pages show it, e.g. "BT Group"')
    new_company.add_argument("--website", help='its web address, e.g. "https://www.bt.com"')
    new_company.add_argument("--sector", help='e.g. "Telecommunications"')
    new_company.add_argument("--region", help='e.g. "North West"')
    return parser


def _progress_printer():  # type: ignore[no-untyped-def]
    def show(done: int, total: int) -> None:
        end = "\n" if done == total else ""
        if total >= 1000:  # only long builds need a progress display
            print(f"\rRendering {done}/{total}", end=end, file=sys.stderr, flush=True)

    return show


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path) + os.sep
    except ValueError:
        return str(path)
