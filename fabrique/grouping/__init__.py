"""Grouping of need reports."""
