"""Notifications of alerts: a webhook sender (Discord-compatible JSON) on its own thread. (The desktop's hook is
`Alerting.add_alert_listener`: the event panel queues each alert and shows it on the GUI thread.)

The sender never blocks the caller: `submit` puts the message on a bounded queue (the oldest is dropped and counted
when it is full) and the "alert-webhook" thread posts it with aiohttp on its own event loop, with a timeout per
attempt and exponential backoff between attempts (connection errors, timeouts, 429 and 5xx are retried; other
answers are final). A webhook URL carries its secret in the path (Discord: /api/webhooks/<id>/<token>), so only the
scheme and host ever reach a log line.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from nvr_desktop.core.models import Alert, Severity

log = logging.getLogger("events.notify")

#: Discord's limits on a message's content and an embed's description.
MAX_CONTENT = 2000
MAX_DESCRIPTION = 4096
COLOURS = {Severity.INFO: 0x3498DB, Severity.WARNING: 0xF1C40F, Severity.CRITICAL: 0xE74C3C}


def redact_webhook(url: str) -> str:
    """The URL with its path, query and userinfo hidden: only scheme, host and port are safe to log."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<invalid webhook URL>"
    return f"{parts.scheme}://{host}{port}/***"


def alert_message(alert: Alert, camera_names: Mapping[int, str] | None = None) -> dict[str, Any]:
    """The Discord-compatible JSON body for an alert: {"content": ..., "embeds": [{...}]}."""
    where = (
        (camera_names or {}).get(alert.camera_id, f"camera {alert.camera_id}")
        if alert.camera_id is not None
        else f"device {alert.device_id}"
    )
    content = f"[{alert.severity.value.upper()}] {alert.rule}: {len(alert.event_ids)} detections on {where}"
    fields = [
        {"name": "Severity", "value": alert.severity.value, "inline": True},
        {"name": "Device", "value": alert.device_id or "several", "inline": True},
        {"name": "Camera", "value": where, "inline": True},
        {"name": "Events", "value": ", ".join(str(i) for i in alert.event_ids)[:1024], "inline": False},
    ]
    return {
        "content": content[:MAX_CONTENT],
        "embeds": [
            {
                "title": f"Alert {alert.id}: {alert.rule}"[:256],
                "description": (f"First detection {alert.first_at.isoformat()}, last {alert.last_at.isoformat()}")[
                    :MAX_DESCRIPTION
                ],
                "color": COLOURS[alert.severity],
                "timestamp": alert.created_at.isoformat(),
                "fields": fields,
            }
        ],
    }


@dataclass(frozen=True)
class WebhookResult:
    """What became of one message (for tests and the log)."""

    delivered: bool
    attempts: int
    status: int | None


class WebhookSender:
    """Posts JSON messages to one webhook URL from its own thread, retrying with exponential backoff."""

    def __init__(
        self,
        url: str,
        *,
        timeout_s: float = 10.0,
        retries: int = 5,
        backoff_s: float = 1.0,
        max_backoff_s: float = 60.0,
        queue_size: int = 100,
        on_result: Callable[[WebhookResult], None] | None = None,
    ) -> None:
        self._url = url
        self.where = redact_webhook(url)
        self.timeout_s = timeout_s
        self.retries = retries
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self._queue: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=queue_size)
        self._on_result = on_result
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.dropped = 0
        self.delivered = 0
        self.failed = 0

    def start(self) -> None:
        """Start the sender thread."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="alert-webhook", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread (a message in flight is abandoned after at most one timeout); bounded join."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def submit(self, message: dict[str, Any]) -> None:
        """Queue a message; never blocks (when full, the oldest queued message is dropped)."""
        while True:
            try:
                self._queue.put_nowait(message)
                return
            except queue.Full:
                try:
                    self._queue.get_nowait()
                    self.dropped += 1
                    log.warning("webhook queue full: dropped the oldest message (%d so far)", self.dropped)
                except queue.Empty:
                    pass

    def notify(self, alert: Alert) -> None:
        """An AlertListener: queue the alert's message."""
        self.submit(alert_message(alert))

    # ---- the sender thread ---------------------------------------------------------------------------

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        timeout = aiohttp.ClientTimeout(total=self.timeout_s)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while not self._stop.is_set():
                try:
                    message = self._queue.get_nowait()
                except queue.Empty:
                    await asyncio.sleep(0.05)
                    continue
                result = await self._deliver(session, message)
                if result.delivered:
                    self.delivered += 1
                else:
                    self.failed += 1
                if self._on_result is not None:
                    self._on_result(result)

    async def _deliver(self, session: aiohttp.ClientSession, message: dict[str, Any]) -> WebhookResult:
        delay = self.backoff_s
        status: int | None = None
        for attempt in range(1, self.retries + 2):
            retry_after: float | None = None
            try:
                async with session.post(self._url, json=message, allow_redirects=False) as response:
                    status = response.status
                    await response.read()
                    if 200 <= status < 300:
                        log.info("alert sent to webhook %s (attempt %d)", self.where, attempt)
                        return WebhookResult(True, attempt, status)
                    if status != 429 and status < 500:
                        log.error("webhook %s refused the alert: HTTP %d (not retried)", self.where, status)
                        return WebhookResult(False, attempt, status)
                    retry_after = _retry_after(response.headers.get("Retry-After"))
                    problem = f"HTTP {status}"
            except (aiohttp.ClientError, TimeoutError, OSError) as err:
                # Never the exception's text: aiohttp puts the request URL (the secret) in some of them.
                problem = type(err).__name__
            if attempt > self.retries or self._stop.is_set():
                break
            wait = min(self.max_backoff_s, max(delay, retry_after or 0.0))
            log.warning("webhook %s failed (%s), attempt %d; retrying in %.1f s", self.where, problem, attempt, wait)
            if await self._sleep(wait):
                break
            delay = min(self.max_backoff_s, delay * 2)
        log.error("webhook %s: gave up on an alert after %d attempts", self.where, attempt)
        return WebhookResult(False, attempt, status)

    async def _sleep(self, seconds: float) -> bool:
        """Wait, waking early on stop; True when stopping."""
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        while loop.time() < end:
            if self._stop.is_set():
                return True
            await asyncio.sleep(min(0.05, end - loop.time()))
        return self._stop.is_set()


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
