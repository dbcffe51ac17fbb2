"""Fetching a pasted link on the server, safely (SSRF).

A user's link makes our server open a connection, so it must never reach what only the
server can reach: loopback, private networks, link-local (cloud metadata at
169.254.169.254), multicast or reserved addresses. Each hop is checked before it is
opened: the scheme (http or https), no user name or password, every address the host
resolves to public. The connection then goes to the address that was checked (the host
name travels in the Host header and TLS's SNI), so a DNS answer that changes between
the check and the connect cannot slip through. Redirects are followed by hand, each
one checked the same way, at most settings.CAPTURE_MAX_REDIRECTS of them. The body is
read in chunks up to settings.CAPTURE_MAX_BYTES within settings.CAPTURE_TIMEOUT_SECONDS.

Hosts in settings.CAPTURE_ALLOWED_HOSTS skip the address check (an intranet board; the
tests' server on 127.0.0.1).
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
from django.conf import settings

USER_AGENT = "Follow-up-CRM/0.1 posting capture"
REDIRECT_CODES = {301, 302, 303, 307, 308}
ACCEPTED_TYPES = (
    "text/html",
    "application/xhtml+xml",
    "application/json",
    "application/ld+json",
    "text/plain",
)
METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
}


class FetchRefused(Exception):
    """The link was not fetched; str(error) says why, for the person who pasted it."""


@dataclass
class Fetched:
    url: str  # after redirects
    status: int
    content_type: str
    text: str


# Checking a URL before connecting -----------------------------------------------------


def _allowed_hosts() -> set[str]:
    return {h.strip().lower() for h in getattr(settings, "CAPTURE_ALLOWED_HOSTS", []) if h}


def _allowed_networks() -> list:
    """settings.CAPTURE_ALLOWED_NETWORKS: address ranges accepted for any host (an
    intranet; the tests use it to run the pinned connection against loopback)."""
    networks = []
    for raw in getattr(settings, "CAPTURE_ALLOWED_NETWORKS", []):
        try:
            networks.append(ipaddress.ip_network(raw, strict=False))
        except ValueError:
            continue
    return networks


def _refuse_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address, host: str) -> None:
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    if any(address in network for network in _allowed_networks()):
        return
    where = host.strip("[]") if host.strip("[]") == str(address) else f"{host} at {address}"
    if address in METADATA_ADDRESSES:
        kind = "a cloud metadata address"
    elif address.is_loopback:
        kind = "a loopback address (this server itself)"
    elif address.is_unspecified or address.is_multicast or address.is_reserved:
        kind = "an address that is not public"
    elif address.is_link_local:
        kind = "a link-local address"
    elif address.is_private:
        kind = "a private network address"
    elif not address.is_global:
        kind = "an address that is not public"
    else:
        return
    raise FetchRefused(f"The link points to {where}, {kind}; only public web pages can be fetched.")


def resolve_public(host: str, port: int) -> str:
    """The first address of `host` after checking that every one of them is public."""
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        _refuse_address(literal, host)
        return str(literal)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise FetchRefused(f"The host name {host} does not resolve; check the link.") from None
    addresses = []
    for info in infos:
        raw = str(info[4][0]).split("%", 1)[0]  # drop an IPv6 zone index
        address = ipaddress.ip_address(raw)
        _refuse_address(address, host)
        addresses.append(address)
    if not addresses:
        raise FetchRefused(f"The host name {host} does not resolve; check the link.")
    return str(addresses[0])


@dataclass
class Hop:
    url: str  # as written
    connect_url: str  # with the checked address in place of the host, when pinned
    host: str  # ASCII (IDNA) form
    pinned: bool
    host_header: str  # for a pinned connection: the name the site expects


def check_url(url: str) -> Hop:
    """Raises FetchRefused unless `url` may be fetched; says where to connect."""
    if not isinstance(url, str) or not url.strip():
        raise FetchRefused("Enter the link of the job posting.")
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchRefused("That link is not a valid web address.") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchRefused(
            f"Only http:// and https:// links can be fetched, not {scheme or 'this'}:."
            if scheme
            else "The link must start with http:// or https://."
        )
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise FetchRefused(
            "The link contains a user name or password; remove it (we never send "
            "credentials to another site)."
        )
    host = (parts.hostname or "").lower()
    if not host:
        raise FetchRefused("The link has no host name.")
    try:
        host = host.encode("idna").decode("ascii")  # bücher.example → xn--bcher-kva.example
    except UnicodeError:
        raise FetchRefused(f"{parts.hostname} is not a valid host name.") from None
    port = port or (443 if scheme == "https" else 80)
    if host in _allowed_hosts():
        return Hop(url=url, connect_url=url, host=host, pinned=False, host_header="")
    address = resolve_public(host, port)
    shown = f"[{address}]" if ":" in address else address
    netloc = f"{shown}:{parts.port}" if parts.port else shown
    connect_url = urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
    host_header = f"[{host}]" if ":" in host else host
    if parts.port:
        host_header += f":{parts.port}"
    return Hop(url=url, connect_url=connect_url, host=host, pinned=True, host_header=host_header)


# Fetching -----------------------------------------------------------------------------


def _read_body(response: httpx.Response, limit: int, deadline: float, timeout: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FetchRefused(
            f"The page is larger than {limit // (1024 * 1024)} MB; open it in your browser "
            "and use the bookmarklet instead."
        )
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise FetchRefused(
                f"The page is larger than {limit // (1024 * 1024)} MB; open it in your "
                "browser and use the bookmarklet instead."
            )
        if time.monotonic() > deadline:
            raise FetchRefused(f"The site took longer than {timeout} seconds to send the page.")
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(body: bytes, response: httpx.Response) -> str:
    charset = response.charset_encoding or "utf-8"
    try:
        return body.decode(charset, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def _answer(response: httpx.Response, hop: Hop, limit: int, deadline: float, timeout: int):
    """What one hop gave: the next URL of a redirect, or the page."""
    if response.status_code in REDIRECT_CODES:
        location = response.headers.get("location", "")
        if not location:
            raise FetchRefused("The site redirected without saying where to.")
        return urljoin(hop.url, location)
    if response.status_code >= 400:
        reason = f"{response.status_code} {response.reason_phrase or ''}".rstrip()
        raise FetchRefused(
            f"The site answered {reason}; check the link, or use the bookmarklet on the open page."
        )
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type and not content_type.startswith(ACCEPTED_TYPES):
        raise FetchRefused(f"The link is not a web page (it is {content_type}).")
    body = _read_body(response, limit, deadline, timeout)
    return Fetched(hop.url, response.status_code, content_type, _decode(body, response))


def fetch(url: str, *, accept: str = "text/html,application/xhtml+xml") -> Fetched:
    """The page at `url` as text, or FetchRefused with a message for the user."""
    timeout = int(getattr(settings, "CAPTURE_TIMEOUT_SECONDS", 10))
    limit = int(getattr(settings, "CAPTURE_MAX_BYTES", 5 * 1024 * 1024))
    max_redirects = int(getattr(settings, "CAPTURE_MAX_REDIRECTS", 3))
    deadline = time.monotonic() + timeout
    seen: set[str] = set()
    current = url
    for _ in range(max_redirects + 1):
        hop = check_url(current)
        seen.add(hop.url)
        headers = {"User-Agent": USER_AGENT, "Accept": accept}
        extensions = {}
        if hop.pinned:
            headers["Host"] = hop.host_header
            extensions["sni_hostname"] = hop.host
        try:
            # A client per hop: a pooled connection is tied to the address and TLS name
            # of the hop that opened it, and the next hop may share the address only.
            with (
                httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client,
                client.stream(
                    "GET", hop.connect_url, headers=headers, extensions=extensions
                ) as response,
            ):
                answer = _answer(response, hop, limit, deadline, timeout)
        except httpx.TimeoutException:
            raise FetchRefused(
                f"The site did not answer within {timeout} seconds; try again later."
            ) from None
        except httpx.HTTPError as error:
            raise FetchRefused(
                f"Could not fetch the page from {hop.host} ({type(error).__name__}); "
                "check the link."
            ) from None
        if isinstance(answer, Fetched):
            return answer
        current = answer
        if current in seen:
            raise FetchRefused(
                "The link redirects in a loop; open it in your browser and use the "
                "bookmarklet instead."
            )
    raise FetchRefused(
        f"The link redirected more than {max_redirects} times; open it in your browser and "
        "use the bookmarklet instead."
    )
