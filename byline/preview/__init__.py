"""The preview server: watches the site, rebuilds, serves the result and reloads browsers."""
