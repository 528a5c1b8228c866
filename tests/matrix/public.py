"""The public site's pages (anyone may see them; not part of the permission matrix, which scans the
back-office, the API and the network head) with their query budgets (tests/test_query_budgets.py)."""

from .rules import PUBLIC, Rule

PAGES = {
    "public:home": Rule(PUBLIC),
    "public:accessibility": Rule(PUBLIC),
    "public:privacy": Rule(PUBLIC),
    "public:fabrique": Rule(PUBLIC),
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
}
