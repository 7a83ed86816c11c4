"""Rollenbot: answers questions about marketing, sales, business development and
e-commerce roles by quoting a curated knowledge base."""

__version__ = "0.1.0"
