"""Byline: a static publishing system for a business-news site's members' news section."""

__version__ = "0.1.0"
