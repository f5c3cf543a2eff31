"""Full-text search: a Pagefind index of the published articles, in shards, made while pages render.

``documents`` makes what is indexed and the shards' keys, ``indexer`` runs Pagefind in a
background process, which runs ``pagefind_run``; ``bundle`` makes its output reproducible
(docs/design.md, "Search"). Nothing is imported here: the indexing process imports this
package, and must not load the model with it.
"""
