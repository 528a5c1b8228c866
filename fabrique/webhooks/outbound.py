"""The outgoing HTTP of webhooks, hardened against server-side request forgery.

- only `http` and `https` URLs, no user:password part;
- the host is resolved once and every address must be public (unless
  `FABRIQUE_WEBHOOK_ALLOW_PRIVATE`, on in development and tests, off in production): loopback,
  private, link-local, shared (CGNAT), multicast, reserved and unspecified addresses are refused,
  IPv4-mapped IPv6 included;
- the connection goes to the address that was checked (no second resolution: no DNS rebinding);
  TLS still verifies the certificate against the host name;
- redirects are never followed (a 3xx is a failure), timeouts are short, only the first bytes of
  the response are read.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

EXCERPT_BYTES = 2048


class UnsafeURL(ValueError):  # noqa: N818 - a refusal, not a crash
    """The URL may not be called; the message is French, for the admin."""


@dataclass(frozen=True)
class Response:
    status: int
    duration_ms: int
    excerpt: str


def allow_private() -> bool:
    return bool(getattr(settings, "FABRIQUE_WEBHOOK_ALLOW_PRIVATE", False))


def timeout() -> float:
    return float(getattr(settings, "FABRIQUE_WEBHOOK_TIMEOUT", 5.0))


def check_url(url: str) -> SplitResult:
    """Refuse what is not an http(s) URL with a host (without resolving it)."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise UnsafeURL(_("Cette adresse n'est pas valable.")) from exc
    if parts.scheme not in ("http", "https"):
        raise UnsafeURL(_("Seules les adresses http:// et https:// sont acceptées."))
    if not parts.hostname:
        raise UnsafeURL(_("L'adresse doit indiquer un serveur."))
    if parts.username or parts.password:
        raise UnsafeURL(_("L'adresse ne doit pas contenir d'identifiant ni de mot de passe."))
    return parts


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def resolve(parts: SplitResult) -> list[str]:
    """The addresses of the URL's host, all checked. Raises UnsafeURL."""
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnsafeURL(_("Le nom « %(host)s » ne correspond à aucun serveur.") % {"host": host}) from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise UnsafeURL(_("Le nom « %(host)s » ne correspond à aucun serveur.") % {"host": host})
    if not allow_private():
        for address in addresses:
            if not is_public_address(address):
                raise UnsafeURL(
                    _(
                        "L'adresse %(address)s de « %(host)s » est locale ou privée : "
                        "les webhooks ne peuvent appeler que des serveurs publics."
                    )
                    % {"address": address, "host": host}
                )
    return addresses


def check_destination(url: str) -> list[str]:
    """Everything a form or a delivery checks before calling `url`."""
    return resolve(check_url(url))


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int | None, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int | None, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(url: str, *, body: bytes, headers: dict[str, str]) -> Response:
    """POST `body` to `url` once. Raises UnsafeURL (refused) or OSError (network, timeout)."""
    parts = check_url(url)
    address = resolve(parts)[0]
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(parts.hostname or "", parts.port, address, timeout())
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    started = time.monotonic()
    try:
        connection.request("POST", path, body=body, headers={**headers, "Content-Length": str(len(body))})
        response = connection.getresponse()
        raw = response.read(EXCERPT_BYTES)
        status = response.status
    except http.client.HTTPException as exc:  # a malformed answer: a network failure for us
        raise ConnectionError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        connection.close()
    duration = int((time.monotonic() - started) * 1000)
    return Response(status=status, duration_ms=duration, excerpt=raw.decode("utf-8", "replace"))
