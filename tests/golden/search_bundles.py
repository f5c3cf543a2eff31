"""Pagefind bundles read back into a form that does not depend on the order Pagefind met the pages in.

Pagefind numbers pages in the order it walks its input folder, which is the order the
file system lists it: ext4 lists by a hash seeded when the disk was formatted, tmpfs by
creation. So the same documents give the same fragments on every machine but, from one
machine to another, other page numbers in the index, filter and metadata files (and so
other names for them). The golden test compares those files as they read: each page by
its fragment, each word's postings, each filter value's pages and each sort order.
"""

from __future__ import annotations

import json
import re
from typing import Any

from byline.output.search.bundle import decode

# The files whose bytes carry page numbers: everything else in a bundle is compared byte for byte.
PAGE_NUMBERED = re.compile(
    r"^pagefind/[^/]+/(?:filter/[^/]+|index/[^/]+|pagefind\.[^/]+\.pf_meta|pagefind-entry\.json)$"
)


def bundles(files: dict[str, bytes]) -> dict[str, Any]:
    """Each bundle among ``files`` (a snapshot of an output), keyed by its folder, as it reads."""
    found = {}
    for name in files:
        if match := re.fullmatch(r"(pagefind/[^/]+)/pagefind-entry\.json", name):
            found[match.group(1)] = _bundle(files, match.group(1))
    return found


def _bundle(files: dict[str, bytes], folder: str) -> dict[str, Any]:
    entry = json.loads(files[f"{folder}/pagefind-entry.json"])
    languages = {}
    for language, info in entry.pop("languages").items():
        meta = decode(files[f"{folder}/pagefind.{info.pop('hash')}.pf_meta"])
        version, pages, chunks, filters, sorts, fields = meta
        fragment = [name for name, _ in pages]  # page number -> the fragment (named by its content)
        words: dict[str, Any] = {}
        for _, _, chunk in chunks:
            [entries] = decode(files[f"{folder}/index/{chunk}.pf_index"])
            for word, postings, more in entries:
                page, found = 0, []
                for delta, locations, meta_locations in postings:  # page numbers go up by deltas
                    page += delta
                    found.append((fragment[page], locations, meta_locations))
                words[word] = (sorted(found), more)
        values = {}
        for name, file in filters:
            filter_name, by_value = decode(files[f"{folder}/filter/{file}.pf_filter"])
            assert filter_name == name
            values[name] = {value: sorted(fragment[p] for p in numbers) for value, numbers in by_value}
        languages[language] = {
            "info": info,
            "version": version,
            "pages": sorted(map(tuple, pages)),
            "chunks": [(first, last) for first, last, _ in chunks],
            "words": words,
            "filters": values,
            "sorts": {name: [fragment[p] for p in order] for name, order in sorts},
            "fields": fields,
        }
    return {"entry": entry, "languages": languages}
