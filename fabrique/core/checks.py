"""System checks of the installation (`fabrique check --deploy`)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0", ""}


@register(Tags.security, deploy=True)
def site_url_check(app_configs: object = None, **kwargs: object) -> list[Warning]:
    """E-mails and calendar feeds carry absolute links: in production they need the real address."""
    url = getattr(settings, "FABRIQUE_SITE_URL", "") or ""
    parts = urlsplit(url)
    if parts.scheme != "https" or (parts.hostname or "") in LOCAL_HOSTS:
        return [
            Warning(
                "FABRIQUE_SITE_URL is missing or not a public https address "
                f"({url or 'empty'}): links in e-mails and calendar feeds would be wrong.",
                hint="Set FABRIQUE_SITE_URL=https://fabrique.example.org in the environment.",
                id="fabrique.W001",
            )
        ]
    return []
