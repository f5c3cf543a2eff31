"""Measuring tools for Byline: a deterministic corpus generator and a build benchmark.

``python -m benchmarks.corpus`` writes a realistic site root of any size;
``python -m benchmarks.run`` builds such corpora and prints timing and memory tables.
"""
