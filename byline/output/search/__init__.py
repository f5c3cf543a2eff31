"""Full-text search: a Pagefind index of the published articles, in shards, made while pages render.

``documents`` makes what is indexed and the shards' keys, ``indexer`` runs Pagefind in a
background process, ``bundle`` makes its output reproducible (docs/design.md, "Search").
"""

from byline.output.search.documents import (
    SearchDocument,
    assign_shards,
    index_key,
    search_documents,
    shard_members,
    shards_of,
)
from byline.output.search.indexer import BUNDLE, SearchIndexer, SearchResult

__all__ = [
    "BUNDLE",
    "SearchDocument",
    "SearchIndexer",
    "SearchResult",
    "assign_shards",
    "index_key",
    "search_documents",
    "shard_members",
    "shards_of",
]
