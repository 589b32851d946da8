"""Scan ranges: typed by the user, size-capped, confirmed; nothing reaches nmap otherwise (no network here)."""

from __future__ import annotations

import pytest

from nvr_desktop.core.errors import ValidationError
from nvr_desktop.net.scan import CAMERA_PORTS, NetworkScanner, ScanHit, check_ports, parse_range


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "type the address"),
        ("   ", "type the address"),
        ("cameras.example", "not an IP address"),
        ("192.168.1.0/24 -oN /tmp/x", "not an IP address"),
        ("-iL/etc/passwd", "not an IP address"),
        ("10.0.0.0/8", "at most 1024"),
        ("192.168.0.0/21", "at most 1024"),
        ("224.0.0.0/30", "not a range of hosts"),
    ],
)
def test_bad_or_too_large_ranges_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_range(text)


def test_ranges_up_to_the_cap() -> None:
    assert str(parse_range("192.168.4.7/22")) == "192.168.4.0/22"
    assert str(parse_range(" 127.0.0.1 ")) == "127.0.0.1/32"
    assert NetworkScanner().describe("192.168.1.0/24") == "192.168.1.0/24: 256 addresses"
    assert NetworkScanner(max_addresses=16).describe("127.0.0.1") == "127.0.0.1/32: 1 address"
    with pytest.raises(ValidationError, match="at most 16"):
        NetworkScanner(max_addresses=16).describe("192.168.1.0/27")


def test_no_scan_without_confirmation() -> None:
    with pytest.raises(ValidationError, match="explicit confirmation"):
        NetworkScanner().scan("127.0.0.1")


def test_ports_and_hints() -> None:
    assert set(CAMERA_PORTS) == {554, 8554, 80, 8000, 8899, 37777, 34567}
    assert check_ports([8554, 554, 554]) == (554, 8554)
    with pytest.raises(ValidationError):
        check_ports([])
    with pytest.raises(ValidationError):
        check_ports([0])
    hit = ScanHit("192.0.2.5", (80, 554, 37777))
    assert hit.rtsp_ports == (554,) and hit.brand_hint == "dahua"
    assert ScanHit("192.0.2.6", (8554,)).brand_hint == "generic"
