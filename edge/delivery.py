"""Delivery of spooled detections to the desktop: oldest first, strictly in order, signed, with backoff.

Answers are acted on only when signed with the device's token (the paired desktop, not a spoofed zeroconf
advertisement): 201 (stored) and 200 (the desktop already has it: delivery is idempotent by detection id)
acknowledge the item; 400, 413 and 415 are permanent refusals, so the item goes to the spool's quarantine and is
counted (it would block the queue forever); 401 means the token was rejected: delivery stops and says so loudly,
keeping every item (a 401 for clock skew is the exception: it is retried, since NTP may still be setting the clock
after boot); every other answer, an unsigned one, a connection error or a timeout keeps the item and backs off
(exponential, jittered, capped, honouring Retry-After). The HTTP client is the stdlib's http.client with explicit
connect and read timeouts.
"""

from __future__ import annotations

import email.utils
import enum
import http.client
import json
import logging
import random
import secrets
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from edge.protocol import (
    DETECTIONS_PATH,
    HEADER_NONCE,
    HEADER_RESPONSE_SIGNATURE,
    response_is_authentic,
    sign_request,
)
from edge.spool import Spool, SpoolItem

log = logging.getLogger("edge.delivery")
#: Answers that refuse the item itself: sending it again can never succeed.
PERMANENT_REFUSALS = frozenset({400, 413, 415})
#: A skew this large (seconds) is worth a warning even when the desktop still accepts it.
SKEW_WARNING_S = 60.0


@dataclass(frozen=True)
class Endpoint:
    """Where the desktop listens."""

    host: str
    port: int
    tls: bool

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"


class TokenRejectedError(Exception):
    """The desktop does not accept this device's pairing token (revoked, or paired again with a new token)."""


@dataclass(frozen=True)
class Reply:
    """One HTTP answer."""

    status: int
    headers: dict[str, str]
    body: bytes
    authentic: bool = False  # signed by the holder of our token: the paired desktop

    def json(self) -> dict[str, Any]:
        """The body as a JSON object ({} if it is not one)."""
        try:
            value = json.loads(self.body or b"{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    @property
    def error(self) -> str:
        """The desktop's error message, if any."""
        return str(self.json().get("error", "")) or self.body[:200].decode("utf-8", "replace")


class DesktopClient:
    """Signed HTTP requests to the desktop's listener: one connection per request, explicit timeouts."""

    def __init__(
        self,
        device_id: str,
        token: bytes,
        *,
        connect_timeout_s: float,
        read_timeout_s: float,
        ssl_context: ssl.SSLContext | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._device_id = device_id
        self._token = token
        self._connect_timeout_s = connect_timeout_s
        self._read_timeout_s = read_timeout_s
        self._ssl = ssl_context
        self._clock = clock
        self.skew_s: float | None = None  # our clock minus the desktop's, from its last answer's Date header

    def post(self, endpoint: Endpoint, path: str, body: bytes, content_type: str) -> Reply:
        """Sign and send one POST; OSError (including timeouts) or http.client.HTTPException when it fails."""
        headers = sign_request(self._token, self._device_id, "POST", path, body, self._clock())
        headers["Content-Type"] = content_type
        connection: http.client.HTTPConnection
        if endpoint.tls:
            context = self._ssl or ssl.create_default_context()
            connection = http.client.HTTPSConnection(
                endpoint.host, endpoint.port, timeout=self._connect_timeout_s, context=context
            )
        else:
            connection = http.client.HTTPConnection(endpoint.host, endpoint.port, timeout=self._connect_timeout_s)
        try:
            connection.connect()
            if connection.sock is not None:
                connection.sock.settimeout(self._read_timeout_s)  # connect and read have separate budgets
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read(1024 * 1024)
            received = {k.lower(): v for k, v in response.getheaders()}
            authentic = response_is_authentic(
                self._token,
                headers[HEADER_NONCE],
                response.status,
                data,
                received.get(HEADER_RESPONSE_SIGNATURE.lower()),
            )
            reply = Reply(response.status, received, data, authentic)
        finally:
            connection.close()
        self._note_clock(reply.headers.get("date"))
        return reply

    def _note_clock(self, date: str | None) -> None:
        # The listener's Date header has 1 s resolution: enough to tell an unset clock (no RTC on a Pi) from NTP.
        if not date:
            return
        try:
            server = email.utils.parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError):
            return
        skew = self._clock() - server
        if abs(skew) > SKEW_WARNING_S and (self.skew_s is None or abs(self.skew_s) <= SKEW_WARNING_S):
            log.warning("this device's clock is %+.0f s off the desktop's: check NTP", skew)
        self.skew_s = skew


def multipart_body(item: SpoolItem) -> tuple[bytes, str]:
    """The multipart/form-data body of one detection (a 'detection' JSON part and a 'snapshot' JPEG part)."""
    boundary = f"nvr-edge-{secrets.token_hex(12)}"
    body = b"".join(
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="detection"\r\n'.encode(),
            b"Content-Type: application/json\r\n\r\n",
            item.detection.to_json(),
            f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="snapshot"; '.encode(),
            b'filename="snapshot.jpg"\r\n',
            b"Content-Type: image/jpeg\r\n\r\n",
            item.jpeg,
            f"\r\n--{boundary}--\r\n".encode(),
        )
    )
    return body, f"multipart/form-data; boundary={boundary}"


class Outcome(enum.Enum):
    """What one delivery attempt did."""

    IDLE = "idle"  # nothing to send
    DELIVERED = "delivered"
    DUPLICATE = "duplicate"
    REFUSED = "refused"  # quarantined for good
    RETRY = "retry"  # kept; try again after a delay
    TOKEN_REJECTED = "token-rejected"  # noqa: S105 - an outcome name, not a secret


@dataclass(frozen=True)
class Attempt:
    """One delivery attempt: its outcome, and for RETRY the delay the desktop asked for (Retry-After), if any."""

    outcome: Outcome
    retry_after_s: float | None = None
    status: int | None = None


def retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return None


class Backoff:
    """Exponential backoff with +/-20% jitter: base, doubling, capped; a Retry-After wins (up to the cap)."""

    def __init__(self, base_s: float = 0.5, max_s: float = 30.0, rng: random.Random | None = None) -> None:
        self._base_s, self._max_s = base_s, max_s
        self._rng = rng or random.Random()  # jitter, not security
        self.failures = 0

    def next_delay(self, asked_s: float | None = None) -> float:
        """The delay before the next try, counting one more failure."""
        self.failures += 1
        if asked_s is not None:
            return min(self._max_s, asked_s)
        delay = min(self._max_s, self._base_s * 2 ** min(self.failures - 1, 30))
        return float(min(self._max_s, delay * self._rng.uniform(0.8, 1.2)))

    def reset(self) -> None:
        """A success: start again from the base delay."""
        self.failures = 0


class Delivery:
    """Sends the spool's oldest item until it is acknowledged, then the next; run() loops on its own thread."""

    def __init__(
        self,
        spool: Spool,
        client: DesktopClient,
        locate: Callable[[], Endpoint],
        *,
        backoff: Backoff | None = None,
        on_unreachable: Callable[[], None] | None = None,
    ) -> None:
        self._spool = spool
        self._client = client
        self._locate = locate
        self._on_unreachable = on_unreachable
        self.backoff = backoff or Backoff()
        self.wake = threading.Event()  # set by whoever puts an item, so it goes out at once
        self.token_rejected = threading.Event()
        self.delivered = 0
        self.duplicates = 0
        self.refused = 0
        self.last_error = ""

    def attempt(self) -> Attempt:
        """Try to deliver the oldest item once."""
        items = self._spool.peek(1)
        if not items:
            return Attempt(Outcome.IDLE)
        item = items[0]
        body, content_type = multipart_body(item)
        try:
            endpoint = self._locate()
            reply = self._client.post(endpoint, DETECTIONS_PATH, body, content_type)
        except (OSError, http.client.HTTPException, LookupError) as exc:
            self._failed(f"desktop unreachable: {exc or type(exc).__name__}")
            if self._on_unreachable is not None:
                self._on_unreachable()
            return Attempt(Outcome.RETRY)
        status = reply.status
        if status in (200, 201, *PERMANENT_REFUSALS) and not reply.authentic:
            # Acting on it could lose the item: only the paired desktop may acknowledge or refuse.
            self._failed(f"{status} not signed by the paired desktop (a spoofed or misconfigured server?)")
            if self._on_unreachable is not None:
                self._on_unreachable()
            return Attempt(Outcome.RETRY, status=status)
        if status in (200, 201):
            self._spool.ack(item.sequence)
            if status == 201:
                self.delivered += 1
            else:
                self.duplicates += 1
            self.last_error = ""
            return Attempt(Outcome.DELIVERED if status == 201 else Outcome.DUPLICATE, status=status)
        if status in PERMANENT_REFUSALS:
            self.refused += 1
            reason = f"the desktop refused it for good ({status}: {reply.error})"
            self._spool.refuse(item.sequence, reason)
            log.error("detection %d (%s): %s; quarantined", item.sequence, item.detection.detection_id, reason)
            return Attempt(Outcome.REFUSED, status=status)
        if status == 401 and "clock skew" not in reply.error:
            self.last_error = f"token rejected: {reply.error}"
            return Attempt(Outcome.TOKEN_REJECTED, status=status)
        self._failed(f"{status} {reply.error}")
        return Attempt(Outcome.RETRY, retry_after(reply.headers.get("retry-after"), time.time()), status)

    def _failed(self, message: str) -> None:
        if message != self.last_error:
            log.warning("delivery of the oldest detection failed (%s); it stays queued", message)
        self.last_error = message

    def run(self, stop: threading.Event) -> None:
        """Deliver until ``stop`` is set or the token is rejected (then ``token_rejected`` is set)."""
        while not stop.is_set():
            try:
                attempt = self.attempt()
            except Exception:  # a bug must not end delivery for good: log it and retry later
                log.exception("delivery failed unexpectedly")
                attempt = Attempt(Outcome.RETRY)
            if attempt.outcome is Outcome.IDLE:
                self.wake.wait(0.5)
                self.wake.clear()
            elif attempt.outcome is Outcome.TOKEN_REJECTED:
                log.critical(
                    "TOKEN REJECTED by the desktop (%s): pair this device again (`edge add`) and update its config; "
                    "delivery stopped, %d detections kept in the spool",
                    self.last_error,
                    len(self._spool),
                )
                self.token_rejected.set()
                return
            elif attempt.outcome is Outcome.RETRY:
                stop.wait(self.backoff.next_delay(attempt.retry_after_s))
            else:
                self.backoff.reset()
