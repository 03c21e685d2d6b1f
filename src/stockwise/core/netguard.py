"""SSRF guard for connector traffic: resolve a host once, require every answer public, connect to that pin.

Invariant: nothing here opens a socket to an address that `is_public_address` refused (loopback only under
the test-only `allow_loopback`); each redirect hop is judged again, and time and size are capped.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from typing import Protocol

import httpx

IPAddress = IPv4Address | IPv6Address

HTTP_PORTS = frozenset({80, 443, 8080, 8443})
POSTGRES_PORTS = frozenset({5432})
SSL_MODES = frozenset({"disable", "allow", "prefer", "require", "verify-ca", "verify-full"})

_DEFAULT_PORTS = {"http": 80, "https": 443}
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Headers that steer routing, framing or decoding belong to this module, not to connector settings.
_RESERVED_HEADERS = frozenset(
    {"host", "connection", "content-length", "transfer-encoding", "accept-encoding"}
)
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?", re.IGNORECASE)
_MAX_URL_LENGTH = 2048
# '/' starts a libpq socket path, ',' a libpq host list, '@' userinfo, '%' an IPv6 zone id.
_HOST_REFUSALS = (
    ("/", "socket paths are not allowed"),
    (",", "only one host is allowed"),
    ("@", "credentials in the host are not allowed"),
    ("%", "zone identifiers are not allowed"),
)

_METADATA = IPv4Address("169.254.169.254")
_CGNAT = IPv4Network("100.64.0.0/10")
_NAT64 = IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = IPv6Network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = IPv6Network("::/96")


class OutboundError(Exception):
    """A refused or failed outbound connection; `reason` is short and safe to show to a client."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnsafeDestination(OutboundError):
    """The destination is not allowed; `field` names the connector input at fault."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field


class ResponseTooLarge(OutboundError):
    """The response body went past the policy's byte cap."""


class FetchFailed(OutboundError):
    """The source could not be reached, was too slow, or redirected too often."""


@dataclass(frozen=True)
class DestinationPolicy:
    """Limits for one kind of connector; `allow_loopback` exists for tests only and is off by default."""

    allowed_ports: frozenset[int] = HTTP_PORTS
    allow_loopback: bool = False
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    total_timeout: float = 120.0
    max_response_bytes: int = 50 * 1024 * 1024
    max_redirects: int = 3

    def __post_init__(self) -> None:
        if min(self.connect_timeout, self.read_timeout, self.total_timeout) <= 0:
            raise ValueError("timeouts must be positive")
        if self.max_response_bytes <= 0 or self.max_redirects < 0:
            raise ValueError("max_response_bytes must be positive and max_redirects not negative")


class Resolver(Protocol):
    """Turns a host name into every address it currently has."""

    async def resolve(self, host: str, port: int) -> list[IPAddress]: ...


class SystemResolver:
    """The system resolver, run in the loop's executor as asyncio does for getaddrinfo."""

    async def resolve(self, host: str, port: int) -> list[IPAddress]:
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
        return list(dict.fromkeys(ip_address(info[4][0]) for info in infos))


def unwrap_address(ip: IPAddress) -> IPAddress:
    """Return the IPv4 address that an IPv6 transition form carries, else the address itself.

    ipaddress judges NAT64 and 6to4 forms of loopback or metadata addresses "global": judge what they carry.
    """
    if isinstance(ip, IPv4Address):
        return ip
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    # ::/96 holds IPv4-compatible addresses, except :: and ::1 which are IPv6's own.
    if ip in _NAT64 or ip in _NAT64_LOCAL or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        return IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def is_public_address(ip: IPAddress) -> bool:
    """True only for a globally routable unicast address, judged after unwrapping."""
    # A local-use NAT64 translator sits inside the operator's network, and where the IPv4 part sits
    # depends on a prefix length we cannot know: never public.
    if isinstance(ip, IPv6Address) and ip in _NAT64_LOCAL:
        return False
    addr = unwrap_address(ip)
    if isinstance(addr, IPv4Address) and (addr == _METADATA or addr in _CGNAT):
        return False
    if isinstance(addr, IPv6Address) and addr.is_site_local:
        return False
    flags = (addr.is_multicast, addr.is_private, addr.is_reserved, addr.is_loopback, addr.is_link_local)
    return addr.is_global and not (any(flags) or addr.is_unspecified)


def normalize_host(host: str, *, field: str = "host") -> str:
    """Return the host without IPv6 brackets, refusing forms that libpq or URL parsers treat specially."""
    if not host:
        raise UnsafeDestination(field, "host is required")
    for marker, reason in _HOST_REFUSALS:
        if marker in host:
            raise UnsafeDestination(field, reason)
    bracketed = host.startswith("[") and host.endswith("]")
    if bracketed or ":" in host:
        host = host[1:-1] if bracketed else host
        if not isinstance(_ip_literal(host), IPv6Address):
            raise UnsafeDestination(field, "host is not a valid host name")
        return host
    labels = host.removesuffix(".").split(".")
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise UnsafeDestination(field, "host is not a valid host name")
    return host


def _ip_literal(host: str) -> IPAddress | None:
    """Parse `host` as the system resolver would a numeric host (so 0x7f000001 and 127.1 count)."""
    try:
        return ip_address(host)
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, flags=socket.AI_NUMERICHOST)
    except (OSError, UnicodeError):
        return None
    return ip_address(infos[0][4][0])


def check_port(port: int, policy: DestinationPolicy, *, field: str = "port") -> int:
    """Refuse ports outside the policy's allow-list."""
    if isinstance(port, bool) or not isinstance(port, int) or port not in policy.allowed_ports:
        raise UnsafeDestination(field, "port is not allowed")
    return port


async def resolve_public(
    host: str, port: int, *, policy: DestinationPolicy, resolver: Resolver | None = None
) -> IPAddress:
    """Resolve `host` once and return the address to pin, refusing it unless every answer is public."""
    name = normalize_host(host)
    check_port(port, policy)
    literal = _ip_literal(name)
    addresses = [literal] if literal is not None else await _resolve(name, port, policy, resolver)
    for address in addresses:
        # The raw address, not the unwrapped one: a NAT64 or 6to4 form of 127.0.0.1 is not this host.
        loopback_ok = policy.allow_loopback and address.is_loopback
        if not (loopback_ok or is_public_address(address)):
            raise UnsafeDestination("host", "host resolves to a non-public address")
    return addresses[0]


async def _resolve(
    name: str, port: int, policy: DestinationPolicy, resolver: Resolver | None
) -> list[IPAddress]:
    try:
        async with asyncio.timeout(policy.connect_timeout):
            addresses = await (resolver or SystemResolver()).resolve(name, port)
    except (OSError, TimeoutError) as exc:
        raise UnsafeDestination("host", "host could not be resolved") from exc
    if not addresses:
        raise UnsafeDestination("host", "host could not be resolved")
    return addresses


@dataclass(frozen=True)
class HttpUrlParts:
    """A checked http(s) URL; `host` is ASCII (IDNA), `path` and `query` stay percent-encoded."""

    scheme: str
    host: str
    port: int
    path: str
    query: str

    def as_url(self) -> str:
        """The URL these parts describe, without credentials or fragment."""
        url = httpx.URL(scheme=self.scheme, host=self.host, port=self.port, path=self.path or "/")
        return str(url.copy_with(query=self.query.encode("ascii") or None))


def parse_http_url(url: str, policy: DestinationPolicy) -> HttpUrlParts:
    """Split and check a connector URL with the same parser that later sends the request."""
    if len(url) > _MAX_URL_LENGTH:
        raise UnsafeDestination("url", "URL is too long")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise UnsafeDestination("url", "URL is malformed") from exc
    if parsed.scheme not in _DEFAULT_PORTS:
        raise UnsafeDestination("url", "only http and https URLs are allowed")
    if parsed.userinfo:
        raise UnsafeDestination("url", "credentials in the URL are not allowed")
    try:
        host = normalize_host(parsed.raw_host.decode("ascii"), field="url")
        port = check_port(parsed.port or _DEFAULT_PORTS[parsed.scheme], policy, field="url")
    except UnicodeDecodeError as exc:
        raise UnsafeDestination("url", "host is not a valid host name") from exc
    path, _, query = parsed.raw_path.decode("ascii").partition("?")
    return HttpUrlParts(parsed.scheme, host, port, path, query)


@dataclass(frozen=True)
class FetchedResponse:
    """A complete response; `final_url` is the URL after redirects (never the pinned IP)."""

    status_code: int
    content_type: str
    body: bytes
    final_url: str


class PinnedTransport(httpx.AsyncBaseTransport):
    """Sends each request to the address judged for its host; Host header and TLS stay on the name.

    One inner pool per host name, so a TLS connection verified for one name never serves another.
    """

    def __init__(self, *, policy: DestinationPolicy, resolver: Resolver | None = None) -> None:
        self._policy = policy
        self._resolver = resolver
        self._pools: dict[str, httpx.AsyncHTTPTransport] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in _DEFAULT_PORTS:
            raise UnsafeDestination("url", "only http and https URLs are allowed")
        host = url.raw_host.decode("ascii")
        try:
            pinned = await resolve_public(
                host, url.port or _DEFAULT_PORTS[url.scheme], policy=self._policy, resolver=self._resolver
            )
        except UnsafeDestination as exc:
            raise UnsafeDestination("url", exc.reason) from exc
        pinned_request = httpx.Request(
            request.method,
            url.copy_with(host=str(pinned)),
            headers=request.headers,
            stream=request.stream,
            extensions={**request.extensions, "sni_hostname": host},
        )
        pool = self._pools.setdefault(host, httpx.AsyncHTTPTransport(retries=0))
        return await pool.handle_async_request(pinned_request)

    async def aclose(self) -> None:
        for pool in self._pools.values():
            await pool.aclose()
        self._pools.clear()


async def fetch_http(
    parts: HttpUrlParts,
    *,
    policy: DestinationPolicy,
    resolver: Resolver | None = None,
    headers: Mapping[str, str] | None = None,
) -> FetchedResponse:
    """GET `parts`, following at most `policy.max_redirects` redirects, each judged like the first."""
    extra = _checked_headers(headers or {})
    timeout = httpx.Timeout(policy.read_timeout, connect=policy.connect_timeout)
    transport = PinnedTransport(policy=policy, resolver=resolver)
    # trust_env=False: environment proxies would bypass the pin and .netrc would leak our credentials.
    async with httpx.AsyncClient(
        transport=transport, follow_redirects=False, trust_env=False, timeout=timeout
    ) as client:
        try:
            async with asyncio.timeout(policy.total_timeout):
                return await _follow(client, parts, policy, extra)
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise FetchFailed("the source did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise FetchFailed("the source could not be reached") from exc


def _checked_headers(headers: Mapping[str, str]) -> dict[str, str]:
    if any(name.lower() in _RESERVED_HEADERS for name in headers):
        raise UnsafeDestination("headers", "this header cannot be set")
    # Identity encoding keeps the byte cap honest: a compressed body could expand far past it.
    return {**headers, "Accept-Encoding": "identity"}


async def _follow(
    client: httpx.AsyncClient, parts: HttpUrlParts, policy: DestinationPolicy, headers: dict[str, str]
) -> FetchedResponse:
    current = parts
    for _ in range(policy.max_redirects + 1):
        response = await client.send(
            client.build_request("GET", current.as_url(), headers=headers), stream=True
        )
        try:
            location = response.headers.get("location")
            if response.status_code not in _REDIRECT_STATUSES or not location:
                body = await _read_capped(response, policy.max_response_bytes)
                content_type = response.headers.get("content-type", "")
                return FetchedResponse(response.status_code, content_type, body, current.as_url())
        finally:
            await response.aclose()
        following = _redirect_target(current, location, policy)
        if following.host != current.host or (current.scheme, following.scheme) == ("https", "http"):
            # Connector headers often carry tokens: they go only to the host they were configured for.
            headers = {"Accept-Encoding": "identity"}
        current = following
    raise FetchFailed("too many redirects")


def _redirect_target(current: HttpUrlParts, location: str, policy: DestinationPolicy) -> HttpUrlParts:
    try:
        joined = httpx.URL(current.as_url()).join(location)
    except httpx.InvalidURL as exc:
        raise UnsafeDestination("url", "the source redirected to a malformed URL") from exc
    return parse_http_url(str(joined), policy)


async def _read_capped(response: httpx.Response, limit: int) -> bytes:
    if response.headers.get("content-encoding", "identity").lower() != "identity":
        raise FetchFailed("compressed responses are not supported")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ResponseTooLarge("the response is larger than allowed")
    body = bytearray()
    async for chunk in response.aiter_raw():
        body += chunk
        if len(body) > limit:
            raise ResponseTooLarge("the response is larger than allowed")
    return bytes(body)


def pinned_psycopg_params(
    host: str,
    port: int,
    dbname: str,
    user: str,
    password: str,
    sslmode: str,
    pinned_ip: IPAddress,
    *,
    connect_timeout: int = 10,
    statement_timeout_ms: int = 60_000,
) -> dict[str, str | int]:
    """psycopg `connect()` keyword arguments that reach only `pinned_ip`, read-only and time-boxed.

    `host` stays for TLS verification while libpq dials `hostaddr`. Pass these as keywords, never as a DSN.
    """
    if sslmode not in SSL_MODES:
        raise UnsafeDestination("sslmode", "sslmode is not supported")
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise UnsafeDestination("port", "port is not valid")
    _check_pg_name("dbname", dbname)
    _check_pg_name("user", user)
    if "\x00" in password:
        raise UnsafeDestination("password", "password contains a forbidden character")
    if connect_timeout <= 0 or statement_timeout_ms <= 0:
        raise ValueError("timeouts must be positive")
    return {
        "host": normalize_host(host),
        "hostaddr": str(pinned_ip),
        "port": port,
        "dbname": dbname,
        "user": user,
        "password": password,
        "sslmode": sslmode,
        "connect_timeout": connect_timeout,
        "options": f"-c default_transaction_read_only=on -c statement_timeout={int(statement_timeout_ms)}",
        # Never hand this server our own ~/.pgpass entries or Kerberos tickets.
        "passfile": os.devnull,
        "gssencmode": "disable",
    }


def _check_pg_name(field: str, value: str) -> None:
    """Refuse names libpq could read as more than a name (a dbname holding '=' or a URI is a conninfo)."""
    if not value or len(value.encode("utf-8")) > 63:
        raise UnsafeDestination(field, f"{field} must be 1 to 63 bytes")
    controls = any(ord(char) < 32 or ord(char) == 127 for char in value)
    if controls or "=" in value or value.startswith(("postgres://", "postgresql://")):
        raise UnsafeDestination(field, f"{field} contains a forbidden character")
