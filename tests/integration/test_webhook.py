"""The alert webhook against a real aiohttp server on 127.0.0.1: retries with backoff after failures, the
Discord-compatible body, bounded queue, and the URL's secret never in a log line."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from nvr_desktop.app import build_services, start_webhook
from nvr_desktop.core.models import Alert, Event, Severity
from nvr_desktop.events.notify import WebhookResult, WebhookSender, alert_message, redact_webhook
from nvr_desktop.security.access import owner_principal
from nvr_desktop.services.cameras import CameraSpec

SECRET = "hook-token-canary-8f3a"


class FakeDiscord:
    """A webhook endpoint on its own thread: answers the queued statuses first (then 204) and keeps each body."""

    def __init__(self, statuses: list[int], delay_s: float = 0.0) -> None:
        self.statuses = list(statuses)
        self.delay_s = delay_s
        self.received: list[tuple[float, str, Any]] = []
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fake-discord", daemon=True)
        self.port = 0

    async def _handle(self, request: web.Request) -> web.Response:
        self.received.append((time.monotonic(), request.path, await request.json()))
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        status = self.statuses.pop(0) if self.statuses else 204
        return web.Response(status=status, text="" if status == 204 else "nope")

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_post("/api/webhooks/{id}/{token}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)  # the remote end: its log is not ours
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    def start(self) -> FakeDiscord:
        self._thread.start()
        assert self._ready.wait(5)
        return self

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/webhooks/1234/{SECRET}"


@pytest.fixture
def make_server() -> Iterator[Any]:
    servers: list[FakeDiscord] = []

    def make(statuses: list[int], delay_s: float = 0.0) -> FakeDiscord:
        servers.append(FakeDiscord(statuses, delay_s).start())
        return servers[-1]

    yield make
    for server in servers:
        server.stop()


def alert(alert_id: int = 7, severity: Severity = Severity.CRITICAL) -> Alert:
    at = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    return Alert(alert_id, "burst", "pi-gate", 3, severity, (11, 12, 13), at, at + timedelta(seconds=20), at)


def wait_results(results: list[WebhookResult], n: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while len(results) < n and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(results) >= n, f"{len(results)} of {n} results"


def test_failures_are_retried_with_backoff_and_the_secret_is_never_logged(
    make_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    server = make_server([500, 503])
    results: list[WebhookResult] = []
    sender = WebhookSender(server.url, timeout_s=5, retries=4, backoff_s=0.2, on_result=results.append)
    caplog.set_level(logging.DEBUG)
    sender.start()
    try:
        sender.notify(alert())
        wait_results(results, 1)
    finally:
        sender.stop()
    assert results == [WebhookResult(True, 3, 204)]
    times = [t for t, _, _ in server.received]
    assert len(times) == 3
    first_wait, second_wait = times[1] - times[0], times[2] - times[1]
    assert first_wait >= 0.18 and second_wait >= 0.38, "exponential backoff: 0.2 s, then 0.4 s"
    (_, path, body), *_ = server.received
    assert path.endswith(SECRET)
    assert body == alert_message(alert())
    assert body["content"].startswith("[CRITICAL] burst: 3 detections on camera 3")
    (embed,) = body["embeds"]
    assert set(embed) == {"title", "description", "color", "timestamp", "fields"}
    assert embed["color"] == 0xE74C3C and embed["timestamp"] == "2026-11-23T12:00:00+00:00"
    assert all(set(f) == {"name", "value", "inline"} for f in embed["fields"])
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "HTTP 500" in logged and "retrying" in logged and "127.0.0.1" in logged
    assert SECRET not in logged and "1234" not in logged


def test_a_client_error_is_not_retried_and_a_dead_endpoint_gives_up(make_server: Any) -> None:
    server = make_server([400])
    results: list[WebhookResult] = []
    sender = WebhookSender(server.url, retries=3, backoff_s=0.05, on_result=results.append)
    sender.start()
    try:
        sender.notify(alert())
        wait_results(results, 1)
        assert results == [WebhookResult(False, 1, 400)]
        server.stop()  # nobody listens on the port any more: connection refused each time
        sender.notify(alert(8))
        wait_results(results, 2)
    finally:
        sender.stop()
    assert results[1] == WebhookResult(False, 4, None)
    assert (sender.delivered, sender.failed) == (0, 2)


def test_a_slow_endpoint_times_out_and_stop_is_bounded(make_server: Any) -> None:
    server = make_server([], delay_s=3.0)
    results: list[WebhookResult] = []
    sender = WebhookSender(server.url, timeout_s=0.3, retries=10, backoff_s=0.1, on_result=results.append)
    sender.start()
    sender.notify(alert())
    time.sleep(1.0)
    started = time.monotonic()
    sender.stop()
    assert time.monotonic() - started < 2.0
    assert len(server.received) >= 2, "the timed-out attempt was retried"


def test_the_queue_is_bounded_and_drops_the_oldest() -> None:
    sender = WebhookSender("http://127.0.0.1:9/x", queue_size=2)  # never started: nothing is taken off the queue
    for n in range(5):
        sender.submit({"content": str(n)})
    assert sender.dropped == 3


def test_redaction_keeps_only_scheme_and_host() -> None:
    assert redact_webhook(f"https://discord.com/api/webhooks/1234/{SECRET}?wait=true") == "https://discord.com/***"
    assert redact_webhook("http://user:pw@10.0.0.5:8080/hook/abc") == "http://10.0.0.5:8080/***"


def test_the_app_sends_each_alert_once_with_camera_names(make_server: Any, basedir: Path) -> None:
    server = make_server([500])
    with (basedir / "config.toml").open("a", encoding="utf-8") as fh:
        fh.write(f'[alerts]\nwebhook_url = "{server.url}"\n')
    services = build_services(basedir)
    started = None
    try:
        camera = services.cameras.add(owner_principal("t"), CameraSpec(name="Front gate", main_url="rtsp://h/a"))
        started = start_webhook(services)
        assert started is not None
        sender, _ = started
        sender.backoff_s = 0.05
        now = datetime.now(UTC)
        for n in range(6):  # one burst: the default rule (3 within 2 minutes) fires once
            at = now + timedelta(seconds=n)
            services.alerting.on_event(
                Event(n + 1, f"{n:032x}", "pi-gate", camera.id, n + 1, at, at, 0.7, (), (), "x.jpg")
            )
        deadline = time.monotonic() + 10
        while sender.delivered < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)
        assert sender.delivered == 1 and len(server.received) == 2  # one 500, then delivered
        body = server.received[-1][2]
        assert body["content"] == "[WARNING] burst: 3 detections on Front gate"
        logging.getLogger("test").error("configured webhook %s", server.url)
    finally:
        if started is not None:
            started[0].stop()
        services.close()
    log_text = (basedir / "logs" / "nvr.log").read_text(encoding="utf-8")
    assert "configured webhook" in log_text and "failed (HTTP 500)" in log_text
    assert SECRET not in log_text
