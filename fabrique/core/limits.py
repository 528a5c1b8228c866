"""Maximum lengths of free text, shared by models, forms, API serializers and imports.

Every text typed by someone is bounded: an unbounded field lets one request store megabytes and
hold a worker in the text processing that follows (grouping, search, exports).
"""

SHORT_TEXT = 200  # a title, a name, a label
LONG_TEXT = 10_000  # a description, notes, a comment (about four pages)
