"""What a page tells machines about itself: schema.org JSON-LD and Open Graph / Twitter cards.

Made from views, so it matches what the page shows; templates print ``page.json_ld`` and ``page.social`` as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

View = dict[str, Any]
TWITTER_TITLE_LIMIT = 70
DESCRIPTION_LIMIT = 200  # Twitter's limit; Open Graph descriptions are cut the same way
ELLIPSIS = "…"


def shorten(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` characters at a word boundary, marking the cut with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS) + 1]
    space = cut.rfind(" ")
    cut = cut[:space] if space > 0 else cut[: limit - len(ELLIPSIS)]
    return cut.rstrip(" ,;:–—-") + ELLIPSIS


def locale(language: str) -> str:
    """A language tag as Open Graph spells a locale: en-GB -> en_GB."""
    parts = language.split("-")
    return "_".join([parts[0].lower(), *(p.upper() if len(p) == 2 else p for p in parts[1:])])


# --- JSON-LD ----------------------------------------------------------------------------------


def organisation(site: View) -> View:
    """The publisher as schema.org Organization, with its logo when site.toml names one."""
    publisher = site["publisher"]
    data: View = {"@type": "Organization", "name": publisher["name"], "url": publisher["url"]}
    if publisher["logo"]:
        logo = publisher["logo"]
        data["logo"] = {"@type": "ImageObject", "url": logo["url"]}
        if logo["width"]:
            data["logo"].update(width=logo["width"], height=logo["height"])
    return data


def person(author: View) -> View:
    """An author as schema.org Person: the name alone in ``name``, the profile page as ``url``, their employer."""
    data: View = {"@type": "Person", "name": author["name"], "url": author["abs_url"]}
    if author.get("same_as"):
        data["sameAs"] = author["same_as"]
    if author.get("role"):
        data["jobTitle"] = author["role"]
    if author.get("company"):
        data["worksFor"] = company_organisation(author["company"])
    elif author.get("organisation"):
        data["worksFor"] = {"@type": "Organization", "name": author["organisation"]}
    return data


def company_organisation(company: View) -> View:
    """A member company as schema.org Organization: its page on this site, logo and website when known."""
    data: View = {"@type": "Organization", "name": company["name"]}
    if company.get("abs_url"):
        data["url"] = company["abs_url"]
    logo = company.get("logo")
    if logo:
        data["logo"] = {"@type": "ImageObject", "url": logo["abs_src"]}
        if logo["width"]:
            data["logo"].update(width=logo["width"], height=logo["height"])
    if company.get("website"):
        data["sameAs"] = [company["website"]]
    return data


def article_json_ld(article: View, site: View, trail: Sequence[tuple[str, str]]) -> list[View]:
    """NewsArticle (or its section's schema_type) matching the visible article, and its breadcrumb trail."""
    data: View = {
        "@context": "https://schema.org",
        "@type": article["schema_type"],
        "mainEntityOfPage": {"@type": "WebPage", "@id": article["abs_url"]},
        "url": article["abs_url"],
        "identifier": article["id"],
        "headline": article["title"],
        "description": article["summary"],
        "datePublished": article["date"]["iso"],
        "dateModified": article["modified"]["iso"],
        "author": [person(author) for author in article["authors"]],
        "publisher": organisation(site),
        "articleSection": article["section"]["title"],
        "keywords": [tag["name"] for tag in article["tags"]],
        "wordCount": article["word_count"],
        "inLanguage": site["language"],
        "isAccessibleForFree": True,
    }
    image = article["image"]
    if image:
        picture: View = {"@type": "ImageObject", "url": image["abs_src"]}
        if image["width"]:
            picture.update(width=image["width"], height=image["height"])
        if image["credit"]:
            picture["creditText"] = image["credit"]
        data["image"] = [picture]
    if article["company"]:
        data["sourceOrganization"] = company_organisation(article["company"])
    if article["region"]:
        data["contentLocation"] = {"@type": "Place", "name": article["region"]["name"]}
    if article["corrections"]:
        data["correction"] = [
            {"@type": "CorrectionComment", "text": c["note"], "datePublished": c["date"]["iso"]}
            for c in article["corrections"]
        ]
    return [data, breadcrumbs(site, trail)]


def breadcrumbs(site: View, trail: Sequence[tuple[str, str]]) -> View:
    """A BreadcrumbList from the front page down to this page; ``trail`` is (name, absolute URL) pairs."""
    items = [(site["name"], site["abs_home_url"]), *trail]
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": url} for n, (name, url) in enumerate(items, 1)
        ],
    }


def collection_json_ld(page: View, site: View, items: Sequence[str], trail: Sequence[tuple[str, str]]) -> list[View]:
    """A CollectionPage listing ``items`` (absolute URLs, in page order), and its breadcrumb trail."""
    data: View = {
        "@context": "https://schema.org",
        "@type": "CollectionPage",
        "@id": page["canonical"],
        "url": page["canonical"],
        "name": page["title"],
        "inLanguage": site["language"],
        "isPartOf": {"@type": "WebSite", "name": site["name"], "url": site["abs_home_url"]},
        "publisher": organisation(site),
    }
    if page["description"]:
        data["description"] = page["description"]
    if items:
        data["mainEntity"] = {
            "@type": "ItemList",
            "itemListElement": [{"@type": "ListItem", "position": n, "url": url} for n, url in enumerate(items, 1)],
        }
    return [data, breadcrumbs(site, trail)] if trail else [data]


def profile_json_ld(page: View, site: View, author: View, trail: Sequence[tuple[str, str]]) -> list[View]:
    """An author page as ProfilePage whose main entity is the Person, and its breadcrumb trail."""
    someone = person(author)
    if author.get("abs_avatar"):
        someone["image"] = author["abs_avatar"]
    if author.get("bio_text"):
        someone["description"] = author["bio_text"]
    return _profile_page(page, site, someone, trail)


def company_json_ld(page: View, site: View, company: View, trail: Sequence[tuple[str, str]]) -> list[View]:
    """A company page as ProfilePage whose main entity is the Organization, and its breadcrumb trail."""
    entity = company_organisation(company)
    if company.get("summary"):
        entity["description"] = company["summary"]
    return _profile_page(page, site, entity, trail)


def _profile_page(page: View, site: View, entity: View, trail: Sequence[tuple[str, str]]) -> list[View]:
    data: View = {
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "@id": page["canonical"],
        "url": page["canonical"],
        "name": page["title"],
        "inLanguage": site["language"],
        "mainEntity": entity,
    }
    return [data, breadcrumbs(site, trail)]


def webpage_json_ld(page: View, site: View, trail: Sequence[tuple[str, str]]) -> list[View]:
    """A standalone page as WebPage, and its breadcrumb trail."""
    data: View = {
        "@context": "https://schema.org",
        "@type": "WebPage",
        "@id": page["canonical"],
        "url": page["canonical"],
        "name": page["title"],
        "inLanguage": site["language"],
        "isPartOf": {"@type": "WebSite", "name": site["name"], "url": site["abs_home_url"]},
    }
    if page["description"]:
        data["description"] = page["description"]
    return [data, breadcrumbs(site, trail)]


def website_json_ld(site: View) -> View:
    """The site itself, on the front page: its name, address and publisher."""
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": site["name"],
        "url": site["abs_home_url"],
        "inLanguage": site["language"],
        "publisher": organisation(site),
    }


# --- social cards ---------------------------------------------------------------------------


def social_tags(page: View, site: View, image: View | None = None, article: View | None = None) -> list[View]:
    """Open Graph and Twitter <meta> tags as {attr, key, value}; Twitter's limits applied at word boundaries."""
    kind = "article" if article else "profile" if page["kind"] == "author" else "website"
    description = shorten(page["description"], DESCRIPTION_LIMIT) if page["description"] else ""
    tags = [
        ("property", "og:site_name", site["name"]),
        ("property", "og:locale", site["locale"]),
        ("property", "og:type", kind),
        ("property", "og:title", page["title"]),
        ("property", "og:url", page["canonical"]),
    ]
    if description:
        tags.append(("property", "og:description", description))
    if image:
        tags.append(("property", "og:image", image["abs_src"]))
        if image["width"]:
            tags += [("property", "og:image:width", str(image["width"]))]
            tags += [("property", "og:image:height", str(image["height"]))]
        tags.append(("property", "og:image:alt", image["alt"]))
    if article:
        tags += [
            ("property", "article:published_time", article["date"]["iso"]),
            ("property", "article:modified_time", article["modified"]["iso"]),
        ]
        tags += [("property", "article:author", author["abs_url"]) for author in article["authors"]]
        tags += [("property", "article:section", article["section"]["title"])]
        tags += [("property", "article:tag", tag["name"]) for tag in article["tags"]]
    tags += [
        ("name", "twitter:card", "summary_large_image" if image else "summary"),
        ("name", "twitter:title", shorten(page["title"], TWITTER_TITLE_LIMIT)),
    ]
    if description:
        tags.append(("name", "twitter:description", description))
    if image:
        tags += [("name", "twitter:image", image["abs_src"]), ("name", "twitter:image:alt", image["alt"])]
    return [{"attr": attr, "key": key, "value": value} for attr, key, value in tags]
