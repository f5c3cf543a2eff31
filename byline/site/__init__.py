"""Stage 2, model: models -> the Site (what is published, groupings, pictures, editorial checks)."""
