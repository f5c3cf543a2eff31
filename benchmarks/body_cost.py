"""What a body costs, step by step: ``python -m benchmarks.body_cost --articles 2000``.

Every article body of a generated corpus (or of the site at ``--root``) is parsed as the
load stage parses it and finished as the render stage finishes it, each step timed apart
over all the bodies: CPU milliseconds an article, the median of ``--repeat`` runs. Not a
test: nothing asserts a duration.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from byline.content import markup
from byline.content.embeds import replace_embeds
from byline.content.front_matter import split_front_matter
from byline.content.removals import find_removals
from byline.output.body import LinkPolicy, finish_body
from byline.site.images import ImageCatalog, ImageInfo

from .corpus import generate_corpus, parse_site_options

Step = Callable[[], object]


def bodies_of(root: Path) -> list[str]:
    """The Markdown body of every article under ``root``/content/articles, in path order."""
    bodies = []
    for path in sorted((root / "content" / "articles").rglob("*.md")):
        parsed, _ = split_front_matter(str(path), path.read_text("utf-8"))
        if parsed is not None:
            bodies.append(parsed.body)
    return bodies


def steps(bodies: list[str]) -> dict[str, Step]:
    """Each step of a body's way to the page, as a function doing it for every body."""
    converter = markup.make_converter()
    converted = [converter.reset().convert(body) for body in bodies]
    sanitised = [markup.sanitise(html) for html in converted]
    pictures = {src for html in sanitised for src in markup.inline_sources(html)}
    catalog = ImageCatalog({src: ImageInfo(src, src, "0" * 64, 1600, 900, "JPEG") for src in pictures})
    ugc = LinkPolicy("news.example", ("ugc",))
    allowed = (markup.ALLOWED_TAGS, markup.ALLOWED_ATTRIBUTES, markup.ALLOWED_CLASSES, markup.URL_SCHEMES)
    return {
        "Markdown conversion": lambda: [converter.reset().convert(body) for body in bodies],
        "removals (bodies with HTML)": lambda: [
            find_removals(html, *allowed) for html, body in zip(converted, bodies, strict=True) if "<" in body
        ],
        "nh3": lambda: [markup.sanitise(html) for html in converted],
        "embeds": lambda: [replace_embeds(html) for html in sanitised],
        "first paragraph, word count": lambda: [markup.text_facts(html) for html in sanitised],
        "pictures and links listed": lambda: [(markup.inline_sources(h), markup.link_targets(h)) for h in sanitised],
        "a whole parse (render_markdown)": lambda: [markup.render_markdown(body) for body in bodies],
        "finishing, no link policy": lambda: [finish_body(html, catalog, str, "100vw") for html in sanitised],
        "finishing, link_rel ugc": lambda: [finish_body(html, catalog, str, "100vw", ugc) for html in sanitised],
    }


def measure(bodies: list[str], repeat: int) -> dict[str, float]:
    """Median CPU milliseconds an article of each step, the steps taking turns within each run."""
    timed = steps(bodies)
    runs: dict[str, list[float]] = {name: [] for name in timed}
    for _ in range(repeat):
        for name, step in timed.items():
            started = time.process_time()
            step()
            runs[name].append((time.process_time() - started) * 1000 / len(bodies))
    return {name: statistics.median(values) for name, values in runs.items()}


def table(costs: dict[str, float]) -> str:
    lines = ["| step | CPU ms an article |", "|---|---:|"]
    lines += [f"| {name} | {ms:.3f} |" for name, ms in costs.items()]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.body_cost", description=(__doc__ or "").splitlines()[0])
    args = parse_site_options(parser, argv, "measure this site's articles instead of a generated corpus", repeat=3)
    with tempfile.TemporaryDirectory(prefix="byline-body-cost-") as folder:
        root = args.root or generate_corpus(Path(folder) / "site", args.articles, args.seed).root
        bodies = bodies_of(root)
        if not bodies:
            parser.error(f"no articles under {root}/content/articles")
        print(f"# What a body costs: {len(bodies):,} article bodies, medians of {args.repeat} runs\n")
        print(table(measure(bodies, args.repeat)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
