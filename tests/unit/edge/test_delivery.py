"""Delivery against the real EdgeListener on 127.0.0.1: every answer the listener gives is handled as designed."""

from __future__ import annotations

import http.server
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from edge.delivery import Attempt, Backoff, Delivery, DesktopClient, Endpoint, Outcome, retry_after
from edge.protocol import UNASSIGNED, Detection, decode_pairing_token
from edge.spool import Spool
from nvr_desktop.events.store import EventStore
from nvr_desktop.net.listener import EdgeListener, ListenerLimits
from nvr_desktop.storage.schema import EventRow
from tests.unit.edge.test_protocol import _jpeg

DEVICE = "pi-door-1"
JPEG = _jpeg(64, 48)


@pytest.fixture
def desktop(services: Any, admin: Any) -> Iterator[tuple[Any, bytes, EdgeListener]]:
    _, token = services.edge.add(admin, DEVICE)
    limits = ListenerLimits(max_snapshot_bytes=20_000, burst=40)
    listener = EdgeListener(
        EventStore(services.db, services.paths.snapshots), services.edge.lookup_token, port=0, limits=limits
    )
    listener.start()
    yield services, decode_pairing_token(token), listener
    listener.stop()


def _detection() -> Detection:
    return Detection.create(DEVICE, datetime.now(UTC), 0.4, ((1, 2, 30, 20),), (64, 48), ("motion",))


def _delivery(spool: Spool, token: bytes, port: int, **client: Any) -> Delivery:
    sender = DesktopClient(DEVICE, token, connect_timeout_s=2, read_timeout_s=5, **client)
    return Delivery(spool, sender, lambda: Endpoint("127.0.0.1", port, False), backoff=Backoff(0.01, 0.05))


def _sequences(services: Any) -> list[int]:
    return services.db.read(lambda s: list(s.scalars(select(EventRow.sequence).order_by(EventRow.id))))


def test_items_go_oldest_first_and_are_acknowledged(desktop: Any, tmp_path: Path) -> None:
    services, token, listener = desktop
    with Spool(tmp_path, 1 << 30, 100) as spool:
        for _ in range(5):
            spool.put(_detection(), JPEG)
        delivery = _delivery(spool, token, listener.port)
        stop = threading.Event()
        thread = threading.Thread(target=delivery.run, args=(stop,), name="test-delivery")
        thread.start()
        deadline = time.monotonic() + 20
        while len(spool) and time.monotonic() < deadline:
            time.sleep(0.05)
        stop.set()
        delivery.wake.set()
        thread.join(10)
        assert len(spool) == 0 and delivery.delivered == 5
    assert _sequences(services) == [1, 2, 3, 4, 5]


def test_a_repeat_the_desktop_already_has_is_acknowledged(desktop: Any, tmp_path: Path) -> None:
    services, token, listener = desktop
    found = _detection()
    with Spool(tmp_path / "a", 1 << 30, 100) as first:
        first.put(found, JPEG)
        assert _delivery(first, token, listener.port).attempt().outcome is Outcome.DELIVERED
    # The same detection again (an ack lost to a power cut): 200, acknowledged, not stored twice.
    with Spool(tmp_path / "b", 1 << 30, 100) as second:
        second.put(replace(found, sequence=UNASSIGNED), JPEG)
        delivery = _delivery(second, token, listener.port)
        assert delivery.attempt() == Attempt(Outcome.DUPLICATE, status=200)
        assert len(second) == 0 and delivery.duplicates == 1
    assert _sequences(services) == [1]


@pytest.mark.parametrize(
    ("snapshot", "status"),
    [(JPEG[:-40], 400), (b"\x89PNG\r\n\x1a\n" + bytes(100), 415), (_jpeg(640, 480) * 3, 413)],
)
def test_permanent_refusals_are_quarantined_and_the_queue_moves_on(
    desktop: Any, tmp_path: Path, snapshot: bytes, status: int
) -> None:
    services, token, listener = desktop
    with Spool(tmp_path, 1 << 30, 100) as spool:
        spool.put(_detection(), snapshot)
        spool.put(_detection(), JPEG)
        delivery = _delivery(spool, token, listener.port)
        assert delivery.attempt() == Attempt(Outcome.REFUSED, status=status)
        assert delivery.refused == 1 and spool.quarantined == 1
        assert delivery.attempt().outcome is Outcome.DELIVERED
        assert len(spool) == 0
    assert _sequences(services) == [2]


def test_a_rejected_token_stops_delivery_and_keeps_every_item(desktop: Any, tmp_path: Path) -> None:
    _, _, listener = desktop
    with Spool(tmp_path, 1 << 30, 100) as spool:
        spool.put(_detection(), JPEG)
        spool.put(_detection(), JPEG)
        delivery = _delivery(spool, bytes(32), listener.port)
        stop = threading.Event()
        delivery.run(stop)  # returns by itself
        assert delivery.token_rejected.is_set() and "token rejected" in delivery.last_error
        assert len(spool) == 2 and spool.quarantined == 0


def test_an_unreachable_desktop_keeps_the_item_and_backs_off(desktop: Any, tmp_path: Path) -> None:
    services, token, listener = desktop
    port = listener.port
    listener.stop()
    with Spool(tmp_path, 1 << 30, 100) as spool:
        spool.put(_detection(), JPEG)
        unreachable: list[int] = []
        delivery = _delivery(spool, token, port)
        delivery._on_unreachable = lambda: unreachable.append(1)
        assert delivery.attempt() == Attempt(Outcome.RETRY)
        assert len(spool) == 1 and unreachable == [1] and "unreachable" in delivery.last_error
        again = EdgeListener(EventStore(services.db, services.paths.snapshots), services.edge.lookup_token, port=port)
        again.start()
        try:
            assert delivery.attempt().outcome is Outcome.DELIVERED
        finally:
            again.stop()


def test_a_device_clock_off_is_retried_not_taken_for_a_bad_token(desktop: Any, tmp_path: Path) -> None:
    _, token, listener = desktop
    with Spool(tmp_path, 1 << 30, 100) as spool:
        spool.put(_detection(), JPEG)
        delivery = _delivery(spool, token, listener.port, clock=lambda: time.time() + 900)
        attempt = delivery.attempt()
        assert attempt.outcome is Outcome.RETRY and attempt.status == 401 and "clock skew" in delivery.last_error
        assert delivery._client.skew_s == pytest.approx(900, abs=3), "read from the listener's Date header"
        assert len(spool) == 1


def test_too_many_requests_honours_retry_after(services: Any, admin: Any, tmp_path: Path) -> None:
    _, token = services.edge.add(admin, DEVICE)
    limits = ListenerLimits(rate_per_s=0.01, burst=1)
    listener = EdgeListener(
        EventStore(services.db, services.paths.snapshots), services.edge.lookup_token, port=0, limits=limits
    )
    listener.start()
    try:
        with Spool(tmp_path, 1 << 30, 100) as spool:
            spool.put(_detection(), JPEG)
            spool.put(_detection(), JPEG)
            delivery = _delivery(spool, decode_pairing_token(token), listener.port)
            assert delivery.attempt().outcome is Outcome.DELIVERED
            assert delivery.attempt() == Attempt(Outcome.RETRY, 1.0, 429)
            assert len(spool) == 1
    finally:
        listener.stop()


class _Unavailable(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(503)
        self.send_header("Retry-After", "7")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Impostor(http.server.BaseHTTPRequestHandler):
    """Claims to have stored everything (or refuses everything) without the paired desktop's signature."""

    status = 201

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        body = b'{"event_id": 1, "duplicate": false}'
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-NVR-Response-Signature", "0" * 64)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.mark.parametrize("status", [201, 200, 400])
def test_an_impostor_can_neither_acknowledge_nor_refuse_an_item(tmp_path: Path, status: int) -> None:
    # A spoofed zeroconf advertisement leads here: without the token it cannot sign, so nothing is lost.
    handler = type("Impostor", (_Impostor,), {"status": status})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="test-impostor", daemon=True)
    thread.start()
    try:
        with Spool(tmp_path, 1 << 30, 100) as spool:
            spool.put(_detection(), JPEG)
            unreachable: list[int] = []
            delivery = _delivery(spool, bytes(range(32)), server.server_address[1])
            delivery._on_unreachable = lambda: unreachable.append(1)
            assert delivery.attempt() == Attempt(Outcome.RETRY, status=status)
            assert len(spool) == 1 and spool.quarantined == 0 and delivery.refused == 0
            assert "not signed by the paired desktop" in delivery.last_error and unreachable == [1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_a_server_error_keeps_the_item_and_honours_retry_after(tmp_path: Path) -> None:
    # A desktop behind a proxy that answers 503: the listener itself never sends 5xx on purpose.
    server = http.server.HTTPServer(("127.0.0.1", 0), _Unavailable)
    thread = threading.Thread(target=server.serve_forever, name="test-503", daemon=True)
    thread.start()
    try:
        with Spool(tmp_path, 1 << 30, 100) as spool:
            spool.put(_detection(), JPEG)
            delivery = _delivery(spool, bytes(32), server.server_address[1])
            assert delivery.attempt() == Attempt(Outcome.RETRY, 7.0, 503)
            assert len(spool) == 1 and delivery.backoff.next_delay(7.0) == 0.05, "capped"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    backoff = Backoff(0.5, 30.0)
    delays = [backoff.next_delay() for _ in range(10)]
    for n, delay in enumerate(delays[:6]):
        assert 0.8 * 0.5 * 2**n <= delay <= 1.2 * 0.5 * 2**n
    assert all(delay <= 30.0 for delay in delays) and delays[-1] >= 24
    assert backoff.next_delay(3.0) == 3.0 and backoff.next_delay(100.0) == 30.0
    backoff.reset()
    assert backoff.next_delay() <= 0.6


def test_retry_after_reads_seconds_and_dates() -> None:
    assert retry_after("5", 0.0) == 5.0
    assert retry_after("Wed, 21 Oct 2015 07:28:10 GMT", 1445412480.0) == pytest.approx(10.0)
    assert retry_after("soon", 0.0) is None and retry_after(None, 0.0) is None


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 made by the openssl CLI (it is its own CA)."""
    cert, key = folder / "desktop.pem", folder / "desktop.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=nvr-desktop-test",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def test_tls_delivery_trusts_only_the_configured_ca(services: Any, admin: Any, tmp_path: Path) -> None:
    _, token = services.edge.add(admin, DEVICE)
    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    listener = EdgeListener(
        EventStore(services.db, services.paths.snapshots), services.edge.lookup_token, port=0, ssl_context=context
    )
    listener.start()
    try:
        with Spool(tmp_path / "spool", 1 << 30, 100) as spool:
            spool.put(_detection(), JPEG)
            endpoint = Endpoint("127.0.0.1", listener.port, True)
            untrusting = DesktopClient(DEVICE, decode_pairing_token(token), connect_timeout_s=2, read_timeout_s=5)
            refused = Delivery(spool, untrusting, lambda: endpoint)
            assert refused.attempt().outcome is Outcome.RETRY, "the system trust store does not know this desktop"
            assert "CERTIFICATE_VERIFY_FAILED" in refused.last_error and len(spool) == 1
            trusting = DesktopClient(
                DEVICE,
                decode_pairing_token(token),
                connect_timeout_s=2,
                read_timeout_s=5,
                ssl_context=ssl.create_default_context(cafile=str(cert)),
            )
            assert Delivery(spool, trusting, lambda: endpoint).attempt().outcome is Outcome.DELIVERED
    finally:
        listener.stop()
    assert _sequences(services) == [1]
