"""The address classifier and the guarded network backend."""

from __future__ import annotations

import ipaddress
from typing import Any

import httpcore2
import pytest

from privategpt.tools.client import ssrf
from privategpt.tools.client.ssrf import AddressRefused, GuardedBackend, blocked_reason

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.1", "private"),
        ("10.255.255.255", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.255", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("fd00:ec2::254", "private"),  # the instance metadata service over IPv6
        ("169.254.169.254", "link-local"),  # the instance metadata service
        ("169.254.0.1", "link-local"),
        ("fe80::1", "link-local"),
        ("0.0.0.0", "unspecified"),  # noqa: S104
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("ff02::1", "multicast"),
        ("100.64.0.1", "shared (CGNAT)"),
        ("100.127.255.254", "shared (CGNAT)"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("fec0::1", "site-local"),
        ("192.0.2.1", "private"),  # documentation
        ("198.18.0.1", "private"),  # benchmarking
        ("0.1.2.3", "private"),  # "this network"
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("::ffff:169.254.169.254", "link-local"),
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
        ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
        ("2002:a00:1::", "private"),  # 6to4 of 10.0.0.1
    ],
)
def test_internal_addresses_are_refused(address: str, reason: str) -> None:
    assert blocked_reason(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "1.1.1.1", "100.63.255.255", "100.128.0.1", "172.32.0.1", "2606:4700::1111", "2a00::1"]
)
def test_public_addresses_pass(address: str) -> None:
    assert blocked_reason(ipaddress.ip_address(address)) is None


class _Recording(httpcore2.AsyncNetworkBackend):
    def __init__(self) -> None:
        self.hosts: list[str] = []

    async def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> httpcore2.AsyncNetworkStream:
        self.hosts.append(host)
        raise httpcore2.ConnectError("recorded")


async def test_the_backend_connects_to_the_address_it_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebinding resolver (public first, loopback after) cannot reach loopback: the name is resolved once and
    the checked address is what the connection goes to."""
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])

    async def resolve(host: str, port: int) -> list[Any]:
        return [ipaddress.ip_address(a) for a in next(answers)]

    monkeypatch.setattr(ssrf, "resolve", resolve)
    inner = _Recording()
    with pytest.raises(httpcore2.ConnectError):
        await GuardedBackend(inner).connect_tcp("rebind.example", 443)
    assert inner.hosts == ["93.184.216.34"]


async def test_a_name_with_any_internal_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    async def resolve(host: str, port: int) -> list[Any]:
        return [ipaddress.ip_address("93.184.216.34"), ipaddress.ip_address("10.1.2.3")]

    monkeypatch.setattr(ssrf, "resolve", resolve)
    inner = _Recording()
    guard = GuardedBackend(inner)
    with pytest.raises(AddressRefused, match="private address"):
        await guard.connect_tcp("mixed.example", 443)
    assert inner.hosts == [] and guard.refused is not None and guard.refused.host == "mixed.example"


async def test_names_and_literals_resolve() -> None:
    assert await ssrf.resolve("localhost", 80) and all(
        blocked_reason(a) == "loopback" for a in await ssrf.resolve("localhost", 80)
    )
    assert await ssrf.resolve("[::1]", 80) == [ipaddress.ip_address("::1")]
    with pytest.raises(AddressRefused, match="link-local"):
        await GuardedBackend().connect_tcp("169.254.169.254", 80)
