"""byline.urls: the contract's URL table, output paths and slugs."""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePosixPath
from zoneinfo import ZoneInfo

import pytest

from byline import urls


def test_contract_url_table() -> None:
    moment = datetime(2014, 1, 27, 10, 30, tzinfo=ZoneInfo("Europe/London"))
    assert urls.HOME == "/"
    assert urls.article(moment, "one-connect") == "/articles/2014/01/27/one-connect/"
    assert urls.section("members-news") == "/members-news/"
    assert urls.section("members-news", 2) == "/members-news/page/2/"
    assert (urls.AUTHORS, urls.author("simon-malia"), urls.author("simon-malia", 3)) == (
        "/authors/",
        "/authors/simon-malia/",
        "/authors/simon-malia/page/3/",
    )
    assert (urls.TOPICS, urls.topic("bt"), urls.topic("bt", 2)) == ("/topics/", "/topics/bt/", "/topics/bt/page/2/")
    assert (urls.COMPANIES, urls.company("bt-group"), urls.company("bt-group", 2)) == (
        "/companies/",
        "/companies/bt-group/",
        "/companies/bt-group/page/2/",
    )
    assert "companies" in urls.OWN_FOLDERS
    assert urls.region("north-west") == "/regions/north-west/"
    assert (urls.ARCHIVE, urls.archive_year(2014), urls.archive_month(2014, 1)) == (
        "/archive/",
        "/archive/2014/",
        "/archive/2014/01/",
    )
    assert (urls.SEARCH, urls.page("about")) == ("/search/", "/about/")
    assert urls.FEED == "/feed.xml"
    assert urls.feed_of(urls.section("news")) == "/news/feed.xml"
    assert urls.feed_of(urls.author("simon-malia")) == "/authors/simon-malia/feed.xml"
    assert urls.feed_of(urls.topic("bt")) == "/topics/bt/feed.xml"
    assert urls.feed_of(urls.company("bt-group")) == "/companies/bt-group/feed.xml"
    assert (urls.SITEMAP, urls.NEWS_SITEMAP, urls.ROBOTS, urls.NOT_FOUND) == (
        "/sitemap.xml",
        "/news-sitemap.xml",
        "/robots.txt",
        "/404.html",
    )


def test_page_one_is_the_index_itself() -> None:
    assert urls.paginated("/news/", 1) == "/news/"
    assert urls.home(1) == "/"
    assert urls.home(2) == "/page/2/"


@pytest.mark.parametrize(("count", "pages"), [(0, 1), (1, 1), (20, 1), (21, 2), (40, 2), (41, 3)])
def test_an_index_takes_as_many_pages_as_its_articles_fill_and_one_at_least(count: int, pages: int) -> None:
    assert urls.page_count(count, 20) == pages
    assert list(urls.page_numbers(count, 20)) == list(range(1, pages + 1))


def test_page_n_shows_its_share_of_the_articles_in_order() -> None:
    articles = list(range(45))
    assert [articles[urls.page_slice(n, 20)] for n in (1, 3)] == [list(range(20)), list(range(40, 45))]


def test_a_sitemap_is_split_into_parts_only_past_its_limit() -> None:
    assert urls.sitemap_parts(50_000, urls.SITEMAP_LIMIT) == []
    assert urls.sitemap_parts(50_001, urls.SITEMAP_LIMIT) == ["/sitemaps/sitemap-1.xml", "/sitemaps/sitemap-2.xml"]


def test_article_url_uses_the_date_it_is_given() -> None:
    late_utc = datetime(2014, 7, 27, 23, 30, tzinfo=ZoneInfo("UTC"))
    local = late_utc.astimezone(ZoneInfo("Europe/London"))
    assert urls.article(local, "x") == "/articles/2014/07/28/x/"


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("/", "index.html"),
        ("/news/", "news/index.html"),
        ("/news/page/2/", "news/page/2/index.html"),
        ("/feed.xml", "feed.xml"),
        ("/articles/2014/01/27/x/", "articles/2014/01/27/x/index.html"),
        ("/old/page.html", "old/page.html"),
        ("/a/./b/", "a/b/index.html"),
        ("//a//b.html", "a/b.html"),
        ("/.well-known/x.txt", ".well-known/x.txt"),
        ("/.._/", ".._/index.html"),  # a name that starts with two dots is a name (found by the alias fuzz test)
        ("/..x.html", "..x.html"),
    ],
)
def test_output_path_gives_folders_an_index_html(url: str, path: str) -> None:
    assert urls.output_path(url) == PurePosixPath(path)


@pytest.mark.parametrize("url", ["news/", "/../etc/passwd", "/a/../../b/", "/a\\b/", "/a/..", "//../b/"])
def test_output_path_refuses_paths_outside_the_output(url: str) -> None:
    with pytest.raises(ValueError, match="not a safe site path"):
        urls.output_path(url)


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        (
            "BT and Lancashire County Council to transform One Connect",
            "bt-and-lancashire-county-council-to-transform-one-connect",
        ),
        ("BT & Lancashire", "bt-lancashire"),
        ("BT's £1.5m deal", "bts-1-5m-deal"),
        ("Simon’s €2bn plan", "simons-2bn-plan"),
        ("Café Señor — Zürich", "cafe-senor-zurich"),
        ("  North   West  ", "north-west"),
        ("!!!", ""),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert urls.slugify(text) == slug


def test_slugify_cuts_long_titles_at_a_word_boundary() -> None:
    slug = urls.slugify("word " * 40)
    assert len(slug) <= urls.MAX_SLUG_LENGTH
    assert slug.endswith("word") and urls.SLUG_PATTERN.match(slug)


@pytest.mark.parametrize("alias", ["/articles/2014/01/27/old/", "/old-page.html", "/news/2014/a_b~c/"])
def test_good_aliases_pass(alias: str) -> None:
    assert urls.check_alias(alias) is None


@pytest.mark.parametrize(
    "alias", ["old/", "//evil.example/x/", "/a/../b/", "/a/./b/", "/a?b=1/", "/a#b/", "/no-slash", "/a b/", "/a\\b/"]
)
def test_bad_aliases_are_refused(alias: str) -> None:
    assert urls.check_alias(alias) is not None


def test_reserved_names_cover_the_generators_own_folders() -> None:
    for name in ("authors", "topics", "regions", "archive", "search", "static", "page", "pagefind", "sitemaps"):
        assert name in urls.OWN_FOLDERS
    assert "feed.xml" in urls.OWN_FILES


def test_output_tree_takes_a_file_and_the_files_beside_and_below_its_folder() -> None:
    tree: urls.OutputTree[str] = urls.OutputTree()
    assert tree.claim("/articles/2026/01/05/hello/", "article") is None
    assert tree.claim("/articles/2026/01/05/hello/photo.html", "alias") is None
    assert tree.claim("/articles/2026/01/05.html", "alias") is None


@pytest.mark.parametrize(
    ("first", "second", "kind", "where"),
    [
        ("/x/", "/x/index.html", "same", "x/index.html"),
        ("/x.html", "/x.html/", "under_file", "x.html"),
        ("/x.html/", "/x.html", "over_folder", "x.html"),
        ("/a/", "/a/index.html/", "under_file", "a/index.html"),
        ("/a/", "/a/index.html/b/", "under_file", "a/index.html"),
    ],
)
def test_output_tree_refuses_a_path_that_is_a_file_and_a_folder_whichever_comes_first(
    first: str, second: str, kind: str, where: str
) -> None:
    tree: urls.OutputTree[str] = urls.OutputTree()
    assert tree.claim(first, "first") is None
    assert tree.claim(second, "second") == urls.Clash(kind, "first", where)  # type: ignore[arg-type]


def test_output_tree_keeps_whole_folders_and_their_own_path() -> None:
    tree: urls.OutputTree[str] = urls.OutputTree()
    tree.claim_folder(".well-known", "byline")
    assert tree.claim("/.well-known/byline.json/", "alias") == urls.Clash("inside", "byline", ".well-known")
    assert tree.claim("/.well-known", "alias") == urls.Clash("inside", "byline", ".well-known")
    assert tree.claim("/.well-known.html", "alias") is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (
            "/" + "a" * 256 + "/",
            "name aaaaaaaaaaaaaaaaaaaa… is 256 bytes long; file systems take names of at most 255 bytes",
        ),
        (
            "/" + "é" * 128 + ".html",
            "name éééééééééééééééééééé… is 261 bytes long; file systems take names of at most 255 bytes",
        ),
        ("/" + "b/" * 1000, "path is 2,010 bytes long; a URL may be at most 2,000"),
    ],
)
def test_output_tree_refuses_names_and_paths_too_long_for_a_file_system(url: str, reason: str) -> None:
    tree: urls.OutputTree[str] = urls.OutputTree()
    clash = tree.claim(url, "alias")
    assert clash is not None and (clash.kind, clash.other, clash.reason) == ("invalid", None, reason)
    assert tree.claim("/" + "a" * 255 + "/", "alias") is None


def test_every_file_byline_writes_at_the_top_is_reserved() -> None:
    assert urls.REDIRECTS[1:] in urls.OWN_FILES and ".well-known" in urls.OWN_FOLDERS
    for url in (urls.FEED, urls.SITEMAP, urls.NEWS_SITEMAP, urls.ROBOTS, urls.NOT_FOUND, urls.HOME):
        assert urls.output_file(url) in urls.OWN_FILES
