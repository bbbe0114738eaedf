"""Where a webhook may be sent, and sending it there.

A client's webhook is a request the CRO's server makes on a client's behalf, so it may reach only public
addresses (no requests into the CRO's own network for a client). Every address that is not
``is_global`` counts as private — loopback, RFC 1918, link-local (169.254.169.254, the cloud metadata service),
carrier-grade NAT (100.64.0.0/10), unspecified (0.0.0.0), IPv4-mapped IPv6 of any of these. Three rules make
the check hold:

- a literal address, or a name that resolves to a private one, is refused when the webhook is saved (a name that
  does not resolve then is accepted and checked at delivery);
- at delivery the host is resolved once, checked, and the connection is made to exactly the address that was
  checked (no second lookup for a DNS-rebinding answer to slip into); HTTPS still verifies the certificate and
  sends SNI for the host name;
- redirects are not followed: a 3xx is recorded as the response.

Staff webhooks (an ERP on the CRO's LAN) are not limited; ``WEBHOOK_ALLOW_PRIVATE_TARGETS`` lifts the limit for
client webhooks too (an on-premises installation whose clients' systems share its network).
"""

import http.client
import ipaddress
import socket
import ssl
import urllib.parse
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _


class PrivateTarget(Exception):
    """The target resolves to an address a client's webhook may not reach."""


REFUSED = "refused: a client's webhook may not target a private or loopback address"
SAVE_MESSAGE = _("A client's webhook may only reach public addresses, not %(address)s (private, loopback or reserved).")


def check_scheme(url: str) -> None:
    """The one check of a webhook's scheme, whoever saves it (API, portal, admin): ``https://``, or ``http://`` where
    ``WEBHOOK_ALLOW_HTTP`` is set (development); nothing else (``ftp://``, ``file://`` …)."""
    from django.core.exceptions import ValidationError

    schemes = ("https", "http") if settings.WEBHOOK_ALLOW_HTTP else ("https",)
    try:
        parts = urllib.parse.urlsplit(url)
        usable = parts.scheme.lower() in schemes and bool(parts.hostname)
    except ValueError:
        usable = False
    if not usable:
        message = _("Use an https:// address.") if len(schemes) == 1 else _("Use an http:// or https:// address.")
        raise ValidationError({"url": [message]})


def public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def must_be_public(webhook) -> bool:
    return webhook.client_id is not None and not settings.WEBHOOK_ALLOW_PRIVATE_TARGETS


def _port(parts: urllib.parse.SplitResult) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


def _resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def private_address_at_save(url: str) -> str | None:
    """The private address ``url`` names or resolves to now, if any (``None`` when public or unresolvable)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    try:
        addresses = _resolve(host, _port(parts))
    except (OSError, UnicodeError, ValueError):
        return None  # checked again at delivery
    return next((address for address in addresses if not public_address(address)), None)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # certificate checked for the name


@dataclass(frozen=True)
class PostResult:
    status: int | None
    error: str = ""


def post(url: str, *, body: bytes, headers: dict, timeout: float, public_only: bool) -> PostResult:
    """POST ``body`` to ``url`` once: resolve, check (when ``public_only``), connect to the checked address, and
    record whatever status comes back — redirects included — without following it."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return PostResult(None, "ValueError: not an http(s) URL")
    try:
        port = _port(parts)
        addresses = _resolve(parts.hostname, port)
    except (OSError, UnicodeError, ValueError) as exc:
        return PostResult(None, f"{type(exc).__name__}: {exc}")
    if public_only and not all(public_address(address) for address in addresses):
        return PostResult(None, REFUSED)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    error = ""
    for address in addresses:
        connection = connection_class(parts.hostname, port, address=address, timeout=timeout)
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read(65536)
            return PostResult(response.status, "" if 200 <= response.status < 300 else f"HTTP {response.status}")
        except (OSError, http.client.HTTPException, ValueError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()
    return PostResult(None, error)
