"""Zeroconf on loopback only: the desktop's advertisement is found by the agent's browse, failures stay harmless."""

from __future__ import annotations

import logging
import time

import pytest

from edge.delivery import Endpoint
from edge.discovery import DiscoveryError, browse
from nvr_desktop.net.advertiser import Advertiser

LOOPBACK = ("127.0.0.1",)


def test_the_agent_finds_the_advertised_listener() -> None:
    advertiser = Advertiser(48765, tls=False, host="127.0.0.1")
    advertiser.start()
    try:
        assert advertiser.wait(15), "registered on 127.0.0.1"
        assert browse(10, LOOPBACK) == Endpoint("127.0.0.1", 48765, False)
        assert browse(10, LOOPBACK, require_tls=True).tls, "a CA in the agent's config means TLS whatever TXT says"
    finally:
        advertiser.close()


def test_a_tls_listener_is_advertised_as_such() -> None:
    advertiser = Advertiser(48766, tls=True, host="127.0.0.1")
    advertiser.start()
    try:
        assert advertiser.wait(15)
        assert browse(10, LOOPBACK) == Endpoint("127.0.0.1", 48766, True)
    finally:
        advertiser.close()


def test_nobody_advertising_is_a_clear_error_in_time() -> None:
    started = time.monotonic()
    with pytest.raises(DiscoveryError, match="no NVR Desktop answered"):
        browse(1.0, LOOPBACK)
    assert time.monotonic() - started < 5


def test_a_failure_to_advertise_is_a_warning_not_a_crash(caplog: pytest.LogCaptureFixture) -> None:
    advertiser = Advertiser(48767, tls=False, host="192.0.2.1")  # TEST-NET-1: not an address of this machine
    with caplog.at_level(logging.WARNING, logger="net.advertiser"):
        advertiser.start()
        assert not advertiser.wait(15)
        advertiser.close()
    assert any("cannot advertise" in record.getMessage() for record in caplog.records)
    advertiser.close()  # twice is fine
