"""SSRF guard: address judgement, host and URL syntax, pinned fetches from a loopback server, psycopg kwargs.

Every socket the code under test opens is recorded, and any non-loopback connect is refused before it
leaves this machine, so a regression shows up as a failed assertion, never as real traffic.
"""

from __future__ import annotations

import asyncio
import datetime
import os
import pathlib
import socket
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv6Address, ip_address
from typing import Any

import httpcore
import psycopg.conninfo
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from stockwise.core.netguard import (
    POSTGRES_PORTS,
    DestinationPolicy,
    FetchFailed,
    HttpUrlParts,
    IPAddress,
    ResponseTooLarge,
    SystemResolver,
    UnsafeDestination,
    fetch_http,
    is_public_address,
    normalize_host,
    parse_http_url,
    pinned_psycopg_params,
    resolve_public,
    unwrap_address,
)

TEREDO_LOOPBACK = "2001:0:4136:e378:8000:63bf:80ff:fffe"  # client part is ~0x80fffffe = 127.0.0.1


class FakeResolver:
    """Answers from a table and records each question; unknown names fail like getaddrinfo does."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.calls: list[tuple[str, int]] = []

    async def resolve(self, host: str, port: int) -> list[IPAddress]:
        self.calls.append((host, port))
        if host not in self.table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [ip_address(a) for a in self.table[host]]


# --- address judgement -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wrapped", "inner"),
    [
        ("::ffff:127.0.0.1", "127.0.0.1"),
        ("::ffff:169.254.169.254", "169.254.169.254"),
        ("::7f00:1", "127.0.0.1"),
        ("2002:7f00:1::", "127.0.0.1"),
        (TEREDO_LOOPBACK, "127.0.0.1"),
        ("64:ff9b::a9fe:a9fe", "169.254.169.254"),
        ("64:ff9b:1::a00:1", "10.0.0.1"),
        ("64:ff9b::808:808", "8.8.8.8"),
        ("::1", "::1"),
        ("::", "::"),
        ("2606:4700::1111", "2606:4700::1111"),
        ("8.8.8.8", "8.8.8.8"),
    ],
)
def test_unwrap_address_returns_the_embedded_ipv4(wrapped: str, inner: str) -> None:
    assert unwrap_address(ip_address(wrapped)) == ip_address(inner)


NON_PUBLIC = [
    "127.0.0.1", "127.255.0.9", "::1", "0.0.0.0", "::", "255.255.255.255", "240.0.0.1",
    "169.254.169.254", "fe80::1", "10.0.0.5", "172.16.0.1", "172.31.255.254", "192.168.1.1",
    "100.64.0.1", "100.127.255.254", "fc00::1", "fd00:ec2::254", "fec0::1", "192.0.2.1", "2001:db8::1",
    "224.0.0.1", "239.255.255.250", "ff02::1", "ff0e::1", "5f00::1", "::1:2:3:4",
    # IPv6 forms wrapping loopback, metadata or private IPv4 addresses
    "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:0:808:808", "::7f00:1", "64:ff9b::a9fe:a9fe",
    "64:ff9b::7f00:1", "64:ff9b:1::808:808", "2002:7f00:1::", "2002:a9fe:a9fe::1", TEREDO_LOOPBACK,
]  # fmt: skip


@pytest.mark.parametrize("address", NON_PUBLIC)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert is_public_address(ip_address(address)) is False


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "1.1.1.1", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::"],
)
def test_public_addresses_pass_including_wrapped_public_ones(address: str) -> None:
    assert is_public_address(ip_address(address)) is True


# --- resolve_public ------------------------------------------------------------------------------------

HTTP = DestinationPolicy()


LITERAL_HOSTS = [
    "127.0.0.1", "0x7f000001", "2130706433", "127.1", "0177.0.0.1", "[::1]", "::", "[::]", "0.0.0.0", "0",
    "169.254.169.254", "0xa9fea9fe", "[::ffff:127.0.0.1]", "::ffff:169.254.169.254",
    "[::ffff:169.254.169.254]", "[64:ff9b::a9fe:a9fe]", "2002:7f00:1::", f"[{TEREDO_LOOPBACK}]",
    "10.0.0.5", "172.16.0.1", "192.168.0.10", "100.64.0.1", "[fc00::1]", "[fe80::1]",
    "224.0.0.1", "[ff02::1]",
]  # fmt: skip


@pytest.mark.parametrize("host", LITERAL_HOSTS)
async def test_ip_literals_in_every_spelling_are_judged_without_asking_dns(host: str) -> None:
    resolver = FakeResolver({})
    with pytest.raises(UnsafeDestination) as info:
        await resolve_public(host, 443, policy=HTTP, resolver=resolver)
    assert info.value.field == "host"
    assert info.value.reason == "host resolves to a non-public address"
    assert resolver.calls == []


async def test_public_literal_is_returned_as_the_pin() -> None:
    pinned = await resolve_public("[2606:4700::1111]", 443, policy=HTTP, resolver=FakeResolver({}))
    assert pinned == IPv6Address("2606:4700::1111")


async def test_localhost_resolving_to_both_loopbacks_is_refused() -> None:
    resolver = FakeResolver({"localhost": ["127.0.0.1", "::1"]})
    with pytest.raises(UnsafeDestination, match="non-public"):
        await resolve_public("localhost", 80, policy=HTTP, resolver=resolver)
    assert resolver.calls == [("localhost", 80)]


async def test_allow_loopback_admits_loopback_but_nothing_else_private() -> None:
    policy = DestinationPolicy(allow_loopback=True)
    resolver = FakeResolver({"localhost": ["127.0.0.1", "::1"], "mixed.test": ["127.0.0.1", "10.0.0.5"]})
    assert await resolve_public("localhost", 80, policy=policy, resolver=resolver) == IPv4Address("127.0.0.1")
    with pytest.raises(UnsafeDestination):
        await resolve_public("mixed.test", 80, policy=policy, resolver=resolver)
    for wrapped in (
        "169.254.169.254",
        "::ffff:127.0.0.1",
        "2002:7f00:1::",
        "64:ff9b::7f00:1",
        TEREDO_LOOPBACK,
    ):
        with pytest.raises(UnsafeDestination):
            await resolve_public(wrapped, 80, policy=policy, resolver=resolver)


async def test_one_private_answer_among_public_ones_refuses_the_host() -> None:
    resolver = FakeResolver({"rebind.example": ["93.184.216.34", "10.0.0.5"]})
    with pytest.raises(UnsafeDestination, match="non-public"):
        await resolve_public("rebind.example", 443, policy=HTTP, resolver=resolver)


async def test_all_public_answers_pin_the_first_after_a_single_lookup() -> None:
    resolver = FakeResolver({"ok.example": ["93.184.216.34", "2606:2800:220:1::1"]})
    pinned = await resolve_public("ok.example", 443, policy=HTTP, resolver=resolver)
    assert pinned == IPv4Address("93.184.216.34")
    assert resolver.calls == [("ok.example", 443)]


@pytest.mark.parametrize(
    "host",
    ["", "/var/run/postgresql", "/tmp/.s.PGSQL.5432", "a.example,b.example", "user@host.example",
     "[fe80::1%eth0]", "fe80::1%25eth0", "[not-an-ip]", "bad host", "-lead.example", "x" * 64 + ".example",
     "host.example:5432", "%31%32%37.0.0.1"],
)  # fmt: skip
async def test_malformed_hosts_are_refused_before_resolution(host: str) -> None:
    resolver = FakeResolver({})
    with pytest.raises(UnsafeDestination) as info:
        await resolve_public(host, 443, policy=HTTP, resolver=resolver)
    assert info.value.field == "host"
    assert resolver.calls == []


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("/var/run/postgresql", "socket paths are not allowed"),
        ("a.example,b.example", "only one host is allowed"),
        ("admin@a.example", "credentials in the host are not allowed"),
        ("fe80::1%eth0", "zone identifiers are not allowed"),
    ],
)
def test_host_refusals_say_what_is_wrong(host: str, reason: str) -> None:
    with pytest.raises(UnsafeDestination) as info:
        normalize_host(host)
    assert info.value.reason == reason


@pytest.mark.parametrize("port", [22, 5432, 6379, 0, True])
async def test_ports_outside_the_allow_list_are_refused(port: int) -> None:
    resolver = FakeResolver({"ok.example": ["93.184.216.34"]})
    with pytest.raises(UnsafeDestination) as info:
        await resolve_public("ok.example", port, policy=HTTP, resolver=resolver)
    assert info.value.field == "port"
    assert resolver.calls == []


async def test_postgres_policy_allows_only_5432() -> None:
    policy = DestinationPolicy(allowed_ports=POSTGRES_PORTS)
    resolver = FakeResolver({"db.example": ["93.184.216.34"]})
    assert await resolve_public("db.example", 5432, policy=policy, resolver=resolver)
    with pytest.raises(UnsafeDestination):
        await resolve_public("db.example", 443, policy=policy, resolver=resolver)


@pytest.mark.parametrize("table", [{}, {"empty.example": []}])
async def test_unresolvable_host_is_refused(table: dict[str, list[str]]) -> None:
    with pytest.raises(UnsafeDestination, match="could not be resolved"):
        await resolve_public("empty.example", 443, policy=HTTP, resolver=FakeResolver(table))


async def test_system_resolver_answers_numeric_hosts_and_feeds_the_judgement() -> None:
    assert await SystemResolver().resolve("127.0.0.1", 80) == [IPv4Address("127.0.0.1")]
    with pytest.raises(UnsafeDestination):
        await resolve_public("localhost", 80, policy=HTTP)


def test_policy_rejects_nonsense_limits() -> None:
    with pytest.raises(ValueError, match="timeouts"):
        DestinationPolicy(connect_timeout=0)
    with pytest.raises(ValueError, match="max_response_bytes"):
        DestinationPolicy(max_response_bytes=0)


# --- parse_http_url ------------------------------------------------------------------------------------


def test_parse_http_url_keeps_encoded_path_and_query_and_drops_the_fragment() -> None:
    parts = parse_http_url("https://Data.Example/exports/a%2Fb.csv?day=2024-01-01&x=%20#top", HTTP)
    assert parts == HttpUrlParts("https", "data.example", 443, "/exports/a%2Fb.csv", "day=2024-01-01&x=%20")
    assert parts.as_url() == "https://data.example/exports/a%2Fb.csv?day=2024-01-01&x=%20"


def test_parse_http_url_encodes_international_names_and_keeps_ipv6_brackets_in_the_url() -> None:
    assert parse_http_url("http://münchen.example:8080/", HTTP).host == "xn--mnchen-3ya.example"
    parts = parse_http_url("http://[2606:4700::1111]/x", HTTP)
    assert (parts.host, parts.port) == ("2606:4700::1111", 80)
    assert parts.as_url() == "http://[2606:4700::1111]/x"


UNSAFE_URLS = [
    "file:///etc/passwd", "gopher://evil.example:70/_SET", "ftp://files.example/a.csv",
    "http://user:pass@data.example/", "http://user@data.example/", "http://data.example:22/",
    "http://data.example:6379/", "http:///no-host", "http://a.example,b.example/", "http://%31%32%37.0.0.1/",
    "http://[fe80::1%25eth0]/", "http://[::1", "http://" + "a" * 2048 + ".example/",
]  # fmt: skip


@pytest.mark.parametrize("url", UNSAFE_URLS)
def test_parse_http_url_refuses_unsafe_urls(url: str) -> None:
    with pytest.raises(UnsafeDestination) as info:
        parse_http_url(url, HTTP)
    assert info.value.field == "url"


# --- fetch_http against a loopback server --------------------------------------------------------------


@dataclass
class Route:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    declare_length: bool = True
    stall: bool = False


@dataclass
class LocalServer:
    port: int
    routes: dict[str, Route]
    seen: list[dict[str, str]] = field(default_factory=list)

    def policy(self, **overrides: Any) -> DestinationPolicy:
        settings: dict[str, Any] = {"allowed_ports": frozenset({80, self.port}), "allow_loopback": True}
        return DestinationPolicy(**(settings | overrides))


async def _serve(server: LocalServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    target = head[0].split(" ")[1]
    pairs = (line.split(":", 1) for line in head[1:] if line)
    headers = {name.strip().lower(): value.strip() for name, value in pairs}
    server.seen.append({"target": target, **headers})
    route = server.routes.get(target, Route(status=404))
    extra = route.headers | ({"Content-Length": str(len(route.body))} if route.declare_length else {})
    lines = [f"HTTP/1.1 {route.status} X", "Connection: close", *(f"{k}: {v}" for k, v in extra.items())]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    if route.stall:
        await reader.read()  # hold the body back until the client gives up and disconnects
        writer.close()
        return
    writer.write(route.body)
    await writer.drain()
    writer.close()


async def _listen(ssl_context: ssl.SSLContext | None = None) -> AsyncIterator[LocalServer]:
    state = LocalServer(port=0, routes={})
    listener = await asyncio.start_server(lambda r, w: _serve(state, r, w), "127.0.0.1", 0, ssl=ssl_context)
    state.port = listener.sockets[0].getsockname()[1]
    yield state
    listener.close()
    await listener.wait_closed()


@pytest.fixture
async def server() -> AsyncIterator[LocalServer]:
    async for state in _listen():
        yield state


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject: str, key: ec.EllipticCurvePrivateKey, issuer: str, signer: Any) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    is_ca = subject == issuer
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
    )
    if not is_ca:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(subject)]), critical=False)
    return builder.sign(signer, hashes.SHA256())


@pytest.fixture
async def tls_server(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[LocalServer, list[str | None]]]:
    """HTTPS on 127.0.0.1, certificate for `myhost.test` only (no IP SAN), from a CA the client trusts."""
    ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("Test CA", ca_key, "Test CA", ca_key)
    leaf = _certificate("myhost.test", leaf_key, "Test CA", ca_key)
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "leaf.pem").write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "leaf.key").write_bytes(
        leaf_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tmp_path / "leaf.pem", tmp_path / "leaf.key")
    sni: list[str | None] = []
    context.sni_callback = lambda _sock, name, _ctx: sni.append(name)
    async for state in _listen(context):
        yield state, sni


@pytest.fixture(autouse=True)
def connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Record every TCP connect httpcore makes; refuse anything off loopback so no test can leak traffic."""
    seen: list[tuple[str, int]] = []
    original = httpcore.AnyIOBackend.connect_tcp

    async def guarded(self: httpcore.AnyIOBackend, host: str, port: int, **kwargs: Any) -> Any:
        seen.append((host, port))
        if not ip_address(host).is_loopback:
            raise httpcore.ConnectError("test guard: refused a non-loopback connect")
        return await original(self, host, port, **kwargs)

    monkeypatch.setattr(httpcore.AnyIOBackend, "connect_tcp", guarded)
    return seen


def _parts(server: LocalServer, path: str, host: str = "127.0.0.1") -> HttpUrlParts:
    return HttpUrlParts("http", host, server.port, path, "")


async def test_fetch_from_loopback_server_when_loopback_is_allowed(server: LocalServer) -> None:
    server.routes["/data.csv"] = Route(headers={"Content-Type": "text/csv"}, body=b"sku,qty\nA,1\n")
    result = await fetch_http(_parts(server, "/data.csv"), policy=server.policy(), resolver=FakeResolver({}))
    assert (result.status_code, result.content_type, result.body) == (200, "text/csv", b"sku,qty\nA,1\n")
    assert result.final_url == f"http://127.0.0.1:{server.port}/data.csv"
    assert server.seen[0]["accept-encoding"] == "identity"


async def test_loopback_is_refused_without_the_test_switch(
    server: LocalServer, connections: list[tuple[str, int]]
) -> None:
    with pytest.raises(UnsafeDestination) as info:
        await fetch_http(_parts(server, "/"), policy=server.policy(allow_loopback=False))
    assert info.value.field == "url"
    assert connections == []
    assert server.seen == []


async def test_transport_connects_to_the_pinned_ip_and_keeps_the_host_header(
    server: LocalServer, connections: list[tuple[str, int]]
) -> None:
    server.routes["/ok"] = Route(body=b"pinned")
    resolver = FakeResolver({"myhost.test": ["127.0.0.1"]})
    result = await fetch_http(_parts(server, "/ok", "myhost.test"), policy=server.policy(), resolver=resolver)
    assert result.body == b"pinned"
    assert connections == [("127.0.0.1", server.port)]
    assert server.seen[0]["host"] == f"myhost.test:{server.port}"
    assert resolver.calls == [("myhost.test", server.port)]


async def test_redirect_to_metadata_address_is_refused_without_connecting(
    server: LocalServer, connections: list[tuple[str, int]]
) -> None:
    server.routes["/go"] = Route(status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    with pytest.raises(UnsafeDestination, match="non-public") as info:
        await fetch_http(_parts(server, "/go"), policy=server.policy(), resolver=FakeResolver({}))
    assert info.value.field == "url"
    assert connections == [("127.0.0.1", server.port)]


async def test_redirect_to_a_name_resolving_privately_is_refused(
    server: LocalServer, connections: list[tuple[str, int]]
) -> None:
    server.routes["/go"] = Route(status=301, headers={"Location": "http://internal.example/admin"})
    resolver = FakeResolver({"internal.example": ["10.0.0.5"]})
    with pytest.raises(UnsafeDestination, match="non-public"):
        await fetch_http(_parts(server, "/go"), policy=server.policy(), resolver=resolver)
    assert resolver.calls == [("internal.example", 80)]
    assert connections == [("127.0.0.1", server.port)]


@pytest.mark.parametrize(
    ("location", "error"),
    [
        ("file:///etc/passwd", UnsafeDestination),
        ("gopher://127.0.0.1:80/_x", UnsafeDestination),
        ("http://u:p@127.0.0.1/", UnsafeDestination),
        (f"http://[{TEREDO_LOOPBACK}]/", UnsafeDestination),
        ("http://[::1", FetchFailed),
    ],
)
async def test_redirect_to_unsafe_url_forms_is_refused(
    server: LocalServer, location: str, error: type[Exception]
) -> None:
    server.routes["/go"] = Route(status=307, headers={"Location": location})
    with pytest.raises(error):
        await fetch_http(_parts(server, "/go"), policy=server.policy(), resolver=FakeResolver({}))
    assert len(server.seen) == 1


async def test_relative_redirects_are_followed_up_to_the_limit(server: LocalServer) -> None:
    server.routes["/a"] = Route(status=302, headers={"Location": "/b"})
    server.routes["/b"] = Route(status=308, headers={"Location": "c?x=1"})
    server.routes["/c?x=1"] = Route(body=b"done")
    result = await fetch_http(_parts(server, "/a"), policy=server.policy(max_redirects=2))
    assert result.body == b"done"
    assert result.final_url == f"http://127.0.0.1:{server.port}/c?x=1"


async def test_too_many_redirects_fail(server: LocalServer) -> None:
    server.routes["/loop"] = Route(status=302, headers={"Location": "/loop"})
    with pytest.raises(FetchFailed, match="too many redirects"):
        await fetch_http(_parts(server, "/loop"), policy=server.policy(max_redirects=3))
    assert len(server.seen) == 4


async def test_connector_headers_do_not_follow_a_redirect_to_another_host(server: LocalServer) -> None:
    server.routes["/same"] = Route(status=302, headers={"Location": "/other"})
    server.routes["/other"] = Route(status=302, headers={"Location": f"http://other.test:{server.port}/end"})
    server.routes["/end"] = Route(body=b"end")
    resolver = FakeResolver({"other.test": ["127.0.0.1"]})
    await fetch_http(
        _parts(server, "/same"),
        policy=server.policy(),
        resolver=resolver,
        headers={"Authorization": "Bearer t"},
    )
    assert [seen.get("authorization") for seen in server.seen] == ["Bearer t", "Bearer t", None]


async def test_tls_is_verified_against_the_host_name_while_connecting_to_the_pin(
    tls_server: tuple[LocalServer, list[str | None]], connections: list[tuple[str, int]]
) -> None:
    server, sni = tls_server
    server.routes["/secure"] = Route(body=b"over tls")
    resolver = FakeResolver({"myhost.test": ["127.0.0.1"]})
    parts = HttpUrlParts("https", "myhost.test", server.port, "/secure", "")
    result = await fetch_http(parts, policy=server.policy(), resolver=resolver)
    assert result.body == b"over tls"
    assert sni == ["myhost.test"]
    assert connections == [("127.0.0.1", server.port)]


async def test_tls_certificate_for_another_name_is_refused(
    tls_server: tuple[LocalServer, list[str | None]],
) -> None:
    server, sni = tls_server
    resolver = FakeResolver({"other.test": ["127.0.0.1"]})
    parts = HttpUrlParts("https", "other.test", server.port, "/secure", "")
    with pytest.raises(FetchFailed, match="could not be reached"):
        await fetch_http(parts, policy=server.policy(), resolver=resolver)
    assert sni == ["other.test"]
    assert server.seen == []


async def test_declared_length_past_the_cap_fails_before_reading(server: LocalServer) -> None:
    # The body is shorter than declared: only the up-front check can call this "too large".
    server.routes["/liar"] = Route(headers={"Content-Length": "1000000"}, body=b"tiny", declare_length=False)
    with pytest.raises(ResponseTooLarge):
        await fetch_http(_parts(server, "/liar"), policy=server.policy(max_response_bytes=4096))


@pytest.mark.parametrize("declare_length", [True, False])
async def test_body_past_the_cap_fails(server: LocalServer, declare_length: bool) -> None:
    server.routes["/big"] = Route(body=b"x" * 5000, declare_length=declare_length)
    with pytest.raises(ResponseTooLarge):
        await fetch_http(_parts(server, "/big"), policy=server.policy(max_response_bytes=4096))


async def test_body_at_the_cap_is_accepted(server: LocalServer) -> None:
    server.routes["/fits"] = Route(body=b"y" * 4096, declare_length=False)
    result = await fetch_http(_parts(server, "/fits"), policy=server.policy(max_response_bytes=4096))
    assert result.body == b"y" * 4096


async def test_compressed_body_is_refused_because_the_cap_would_not_hold(server: LocalServer) -> None:
    server.routes["/gz"] = Route(headers={"Content-Encoding": "gzip"}, body=b"\x1f\x8b")
    with pytest.raises(FetchFailed, match="compressed"):
        await fetch_http(_parts(server, "/gz"), policy=server.policy())


async def test_slow_source_times_out(server: LocalServer) -> None:
    server.routes["/slow"] = Route(body=b"late", stall=True)
    with pytest.raises(FetchFailed, match="in time"):
        await fetch_http(_parts(server, "/slow"), policy=server.policy(read_timeout=0.2))


async def test_closed_port_is_reported_as_unreachable(server: LocalServer) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    parts = HttpUrlParts("http", "127.0.0.1", closed_port, "/", "")
    policy = server.policy(allowed_ports=frozenset({closed_port}))
    with pytest.raises(FetchFailed, match="could not be reached"):
        await fetch_http(parts, policy=policy)


@pytest.mark.parametrize("name", ["Host", "content-length", "Transfer-Encoding", "Accept-Encoding"])
async def test_routing_headers_cannot_be_set_by_connector_settings(server: LocalServer, name: str) -> None:
    with pytest.raises(UnsafeDestination) as info:
        await fetch_http(_parts(server, "/"), policy=server.policy(), headers={name: "x"})
    assert info.value.field == "headers"
    assert server.seen == []


# --- psycopg parameters --------------------------------------------------------------------------------


def _pg(**overrides: Any) -> dict[str, str | int]:
    args: dict[str, Any] = {
        "host": "db.example",
        "port": 5432,
        "dbname": "erp",
        "user": "reader",
        "password": "s3cret",
        "sslmode": "verify-full",
        "pinned_ip": IPv4Address("93.184.216.34"),
    }
    return pinned_psycopg_params(**(args | overrides))


def test_psycopg_params_pin_the_address_and_keep_the_name_for_tls() -> None:
    params = _pg(statement_timeout_ms=30_000, connect_timeout=7)
    assert params["host"] == "db.example"
    assert params["hostaddr"] == "93.184.216.34"
    assert params["connect_timeout"] == 7
    assert params["options"] == "-c default_transaction_read_only=on -c statement_timeout=30000"
    assert params["sslmode"] == "verify-full"
    assert (params["passfile"], params["gssencmode"]) == (os.devnull, "disable")


def test_psycopg_params_strip_ipv6_brackets() -> None:
    params = _pg(host="[2606:2800:220:1::1]", pinned_ip=IPv6Address("2606:2800:220:1::1"))
    assert (params["host"], params["hostaddr"]) == ("2606:2800:220:1::1", "2606:2800:220:1::1")


def test_hostile_password_stays_one_value_in_the_conninfo_psycopg_builds() -> None:
    params = _pg(password="x' host=evil.example hostaddr=10.0.0.5 '")
    parsed = psycopg.conninfo.conninfo_to_dict(psycopg.conninfo.make_conninfo("", **params))
    assert parsed["hostaddr"] == "93.184.216.34"
    assert parsed["host"] == "db.example"
    assert parsed["password"] == "x' host=evil.example hostaddr=10.0.0.5 '"


@pytest.mark.parametrize(
    ("overrides", "field_name"),
    [
        ({"sslmode": "verify-none"}, "sslmode"),
        ({"sslmode": ""}, "sslmode"),
        ({"dbname": "host=10.0.0.5 dbname=x"}, "dbname"),
        ({"dbname": "postgresql://10.0.0.5/x"}, "dbname"),
        ({"dbname": ""}, "dbname"),
        ({"dbname": "d" * 64}, "dbname"),
        ({"user": "a\x00b"}, "user"),
        ({"user": "r=1"}, "user"),
        ({"user": "line\nbreak"}, "user"),
        ({"password": "p\x00w"}, "password"),
        ({"host": "/var/run/postgresql"}, "host"),
        ({"host": "a.example,b.example"}, "host"),
        ({"port": 0}, "port"),
        ({"port": 70000}, "port"),
    ],
)
def test_psycopg_params_refuse_tricks(overrides: dict[str, Any], field_name: str) -> None:
    with pytest.raises(UnsafeDestination) as info:
        _pg(**overrides)
    assert info.value.field == field_name
