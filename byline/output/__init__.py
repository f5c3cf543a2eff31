"""Stage 3, render: the Site -> views, the plan of every output, rendered bytes and the search index."""
