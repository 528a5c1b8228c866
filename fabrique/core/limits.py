"""Maximum lengths of free text, shared by models, forms, API serializers and imports.

Every text typed by someone is bounded: an unbounded field lets one request store megabytes and
hold a worker in the text processing that follows (grouping, search, exports).
"""

import datetime

SHORT_TEXT = 200  # a title, a name, a label
LONG_TEXT = 10_000  # a description, notes, a comment (about four pages)

# Dates typed by someone: a sane range. Year 1 is stored by PostgreSQL as 1 BC and breaks every page
# that shows it; year 9999 overflows date arithmetic.
DATE_MIN_YEAR = 1900
DATE_MAX_YEAR = 2100


def validate_sane_date(value: datetime.date | None) -> None:
    """For every date and date-time field a person fills in (models, forms, API serializers)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if value is None:
        return
    if not DATE_MIN_YEAR <= value.year <= DATE_MAX_YEAR:
        raise ValidationError(
            _("Saisissez une date entre %(min)s et %(max)s.") % {"min": DATE_MIN_YEAR, "max": DATE_MAX_YEAR},
            code="date_out_of_range",
        )
