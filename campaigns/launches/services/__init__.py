"""Writes of templates, variants and CSV imports, by topic."""
