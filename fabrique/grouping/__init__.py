"""Grouping of need reports (signalements) into needs.

Pure Python, no database::

    from fabrique.grouping.api import group_reports, featurize, suggest, candidate_filter, pair_score

See docs/grouping.md.  This package module stays import-light so that Django can load the app without
loading the engine.
"""
