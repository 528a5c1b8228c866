"""The public site's pages (anyone may see them; not part of the permission matrix, which scans the
back-office, the API and the network head) with their query budgets (tests/test_query_budgets.py)."""

from .rules import PUBLIC, Rule


def _unsubscribe_token(world) -> str:
    from fabrique.notifications.services import unsubscribe_token

    team = world.a.team
    return unsubscribe_token(user=team.officer, fabrique=team.fabrique, kind="report_received")


def _feed_token(world) -> str:
    from fabrique.notifications.services import calendar_feed_get

    return calendar_feed_get(user=world.a.team.officer).token


def _supporter(world) -> int:
    from fabrique.directory.models import Organization, SupporterKind

    organization = Organization.objects.filter(fabrique=world.a.team.fabrique).order_by("pk").first()
    Organization.objects.filter(pk=organization.pk).update(public_supporter=SupporterKind.FUNDER)
    return organization.pk


PAGES = {
    "public:home": Rule(PUBLIC),
    "public:accessibility": Rule(PUBLIC),
    "public:privacy": Rule(PUBLIC),
    "public:fabrique": Rule(PUBLIC, queries=12),
    "public:fabrique_logo": Rule(PUBLIC),
    "public:supporter_logo": Rule(PUBLIC, params=lambda w: {"pk": _supporter(w)}),
    "public:report_create": Rule(PUBLIC),
    "public:report_thanks": Rule(PUBLIC),
    "public:report_followup": Rule(PUBLIC, params=lambda w: {"token": w.a.attached_report.followup_token}),
    "public:need_suggestions": Rule(PUBLIC),
    "public:call_list": Rule(PUBLIC),
    "public:call_detail": Rule(PUBLIC, params=lambda w: {"call_slug": w.a.call.slug}),
    "public:application_create": Rule(PUBLIC, params=lambda w: {"call_slug": w.a.call.slug}),
    "public:application_done": Rule(PUBLIC, params=lambda w: {"call_slug": w.a.call.slug}),
    "public:project_portfolio": Rule(PUBLIC),
    "public:territory_search": Rule(PUBLIC),
    # fabriques, their départements, chantiers, two territory centre queries (fixed)
    "public:network_directory": Rule(PUBLIC, queries=12),
    "public:notification_unsubscribe": Rule(PUBLIC, params=lambda w: {"token": _unsubscribe_token(w)}),
    "public:calendar_feed": Rule(PUBLIC, params=lambda w: {"token": _feed_token(w)}),
}
