"""Build state: the cache, the manifest, the lock, and writing the output folder."""
