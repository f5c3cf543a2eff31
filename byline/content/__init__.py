"""Stage 1, load: content files -> validated models (sources, front matter, Markdown)."""
