"""The embedded HTTP listener edge agents push detections to: aiohttp on its own thread and event loop.

Every request to /api/v1/detections is checked in this order, cheapest refusal first: body size (413), a deadline
for the whole body (408, against slow-drip clients), the signature, timestamp and nonce (401, 409; edge/protocol.py),
a per-device rate limit (429), the media type (415), then the detection document (400) and the JPEG (415, 413, 400).
Snapshots are written only under the snapshots folder, with names made here. POST /api/v1/heartbeat passes the same
checks up to the rate limit, then takes a strictly validated JSON health report (415 if not JSON, 400 if invalid)
and answers with the listener's clock. Every answer to a request whose signature held is signed in turn
(X-NVR-Response-Signature: HMAC with the device's token over the request's nonce, the status and the body), so an
agent acts only on answers from the desktop it was paired with. GET /api/v1/health needs no auth and tells no secret.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import multipart
from aiohttp import web

from edge.protocol import (
    DETECTIONS_PATH,
    HEADER_RESPONSE_SIGNATURE,
    HEALTH_PATH,
    HEARTBEAT_PATH,
    PROTOCOL_VERSION,
    Detection,
    Heartbeat,
    ProtocolError,
    RequestVerifier,
    VerifiedRequest,
    check_jpeg,
    sign_response,
)
from nvr_desktop import __version__
from nvr_desktop.events.store import EventStore

log = logging.getLogger("net.listener")
T = TypeVar("T")
MAX_PARTS = 8
STATS_PATH = "/api/v1/stats"
__all__ = [
    "DETECTIONS_PATH",
    "HEALTH_PATH",
    "HEARTBEAT_PATH",
    "STATS_PATH",
    "EdgeListener",
    "ListenerLimits",
    "openapi_document",
]


@dataclass(frozen=True)
class ListenerLimits:
    """Bounds on what one request may cost."""

    max_body_bytes: int = 4 * 1024 * 1024
    max_snapshot_bytes: int = 3 * 1024 * 1024
    max_snapshot_pixels: int = 4096 * 4096
    body_deadline_s: float = 10.0
    rate_per_s: float = 20.0  # per device, sustained
    burst: int = 40


class _RateLimiter:
    """A token bucket per device (loop thread only)."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float]) -> None:
        self._rate, self._burst, self._clock = rate, burst, clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def allow(self, device_id: str) -> bool:
        now = self._clock()
        tokens, last = self._buckets.get(device_id, (float(self._burst), now))
        tokens = min(float(self._burst), tokens + (now - last) * self._rate)
        if tokens < 1.0:
            self._buckets[device_id] = (tokens, now)
            return False
        self._buckets[device_id] = (tokens - 1.0, now)
        return True


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"status": status, "error": message}, status=status)


def _signed(response: web.Response, verified: VerifiedRequest | None) -> web.Response:
    """Sign the answer to an authenticated request, so the agent knows the paired desktop gave it (not a spoofer)."""
    if verified is not None and isinstance(response.body, bytes):
        signature = sign_response(verified.token, verified.nonce, response.status, response.body)
        response.headers[HEADER_RESPONSE_SIGNATURE] = signature
    return response


def parse_multipart(content_type: str, body: bytes) -> dict[str, tuple[str, bytes]]:
    """The parts of a multipart/form-data body by field name: (content type, payload). ProtocolError on bad input.

    The `multipart` library's incremental parser, strict, in memory only (it never spools to a temporary file),
    with at most MAX_PARTS parts: the standard library's e-mail parser reads a body line by line and took two
    thirds of the listener's time on 100 KB snapshots.
    """
    kind, options = multipart.parse_options_header(content_type)
    if kind != "multipart/form-data":
        raise ProtocolError(415, "send multipart/form-data with a 'detection' (JSON) and a 'snapshot' (JPEG) part")
    boundary = options.get("boundary", "")
    if not boundary:
        raise ProtocolError(400, "the multipart body could not be read (boundary missing or wrong)")
    parts: dict[str, tuple[str, bytes]] = {}
    name, kind, chunks = "", "", list[bytes]()
    try:
        with multipart.PushMultipartParser(
            boundary, content_length=len(body), max_segment_count=MAX_PARTS, strict=True
        ) as parser:
            for event in [*parser.parse(body), *parser.parse(b"")]:
                if isinstance(event, multipart.MultipartSegment):
                    name, kind, chunks = event.name, (event.content_type or "text/plain").lower(), []
                    if not name or name in parts:
                        raise ProtocolError(400, "every part needs a unique name in its Content-Disposition")
                elif event is None:
                    parts[name] = (kind.split(";", 1)[0].strip(), b"".join(chunks))
                else:
                    chunks.append(event)
    except multipart.MultipartError as err:
        raise ProtocolError(400, f"the multipart body could not be read: {err}") from None
    if not parts:
        raise ProtocolError(400, "the multipart body could not be read (boundary missing or wrong)")
    return parts


class EdgeListener:
    """Serves the agents' API on host:port (port 0: any free port) until stopped."""

    def __init__(
        self,
        store: EventStore,
        lookup_token: Callable[[str], bytes | None],
        *,
        host: str = "127.0.0.1",
        port: int = 8765,
        limits: ListenerLimits = ListenerLimits(),
        ssl_context: ssl.SSLContext | None = None,
        clock: Callable[[], float] = time.time,
        on_heartbeat: Callable[[Heartbeat, datetime, float], None] | None = None,
        stats: Callable[[], dict[str, Any]] | None = None,
        stats_devices: frozenset[str] = frozenset(),
    ) -> None:
        self._store = store
        self._stats = stats
        self._stats_devices = stats_devices
        self._on_heartbeat = on_heartbeat
        self._clock = clock
        self._verifier = RequestVerifier(lookup_token, clock)
        self._limits = limits
        self._rate = _RateLimiter(limits.rate_per_s, limits.burst, time.monotonic)
        self.host, self.port = host, port
        self._ssl = ssl_context
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self.accepted = 0
        self.heartbeats = 0

    # ---- lifecycle ------------------------------------------------------------------------------------

    def start(self, timeout: float = 10.0) -> None:
        """Bind and serve on the "edge-listener" thread; raises if the address cannot be used."""
        self._thread = threading.Thread(target=self._serve, name="edge-listener", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("the edge listener did not start in time")
        if self._failure is not None:
            raise self._failure

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._start_site())
        except OSError as err:
            self._failure = err
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        log.info("edge listener on %s:%d (%s)", self.host, self.port, "TLS" if self._ssl else "plain HTTP")
        try:
            loop.run_forever()
        finally:
            if self._runner is not None:
                loop.run_until_complete(self._runner.cleanup())
            loop.close()

    async def _start_site(self) -> None:
        app = web.Application(client_max_size=self._limits.max_body_bytes)
        app.router.add_get(HEALTH_PATH, self._health)
        app.router.add_post(DETECTIONS_PATH, self._detections)
        app.router.add_post(HEARTBEAT_PATH, self._heartbeat)
        app.router.add_get(STATS_PATH, self._stats_handler)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, ssl_context=self._ssl)
        await site.start()
        server = getattr(site, "_server", None)
        if self.port == 0 and server is not None and server.sockets:
            self.port = server.sockets[0].getsockname()[1]

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving (bounded wait)."""
        loop, thread = self._loop, self._thread
        # Queued even when the loop is not running yet: stop() right after start() can come before run_forever(),
        # and a stop skipped then leaves the listener serving (and this join waiting in vain).
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # closed in between
                loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(timeout)
        self._thread = None

    # ---- handlers (event-loop thread) -----------------------------------------------------------------

    async def _health(self, _request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "app": __version__, "protocol": PROTOCOL_VERSION})

    async def _read_body(self, request: web.Request) -> bytes | web.Response:
        """The whole body within the size limit and the deadline, or the error response to send."""
        limits = self._limits
        if request.content_length is not None and request.content_length > limits.max_body_bytes:
            return _error(413, f"the body is larger than {limits.max_body_bytes} bytes")
        try:
            return await asyncio.wait_for(request.read(), limits.body_deadline_s)
        except TimeoutError:
            return _error(408, f"the body did not arrive within {limits.body_deadline_s:g} s")
        except web.HTTPRequestEntityTooLarge:
            return _error(413, f"the body is larger than {limits.max_body_bytes} bytes")

    def _verify(self, request: web.Request, body: bytes) -> VerifiedRequest:
        """Signature, timestamp, nonce, then the device's rate limit; ProtocolError on refusal."""
        verified = self._verifier.verify(request.method, request.raw_path, request.headers, body)
        if not self._rate.allow(verified.device_id):
            raise ProtocolError(429, f"more than {self._limits.rate_per_s:g} requests a second from this device")
        return verified

    @staticmethod
    def _refusal(request: web.Request, err: ProtocolError, verified: VerifiedRequest | None) -> web.Response:
        log.info("refused %s %s: %d %s", request.method, request.path, err.status, err.message)
        response = _error(err.status, err.message)
        if err.status == 429:
            response.headers["Retry-After"] = "1"
        return _signed(response, verified)

    async def _checked(
        self, request: web.Request, check: Callable[[VerifiedRequest, bytes], T]
    ) -> tuple[VerifiedRequest, T] | web.Response:
        """Every signed endpoint's preamble: the body within its limits, the signature and rate limit first, then
        check (the endpoint's own rules, ProtocolError on refusal); the refusal to send, or what check returned."""
        body = await self._read_body(request)
        if isinstance(body, web.Response):
            return body
        verified: VerifiedRequest | None = None
        try:
            verified = self._verify(request, body)
            return verified, check(verified, body)
        except ProtocolError as err:
            return self._refusal(request, err, verified)

    def _check_detection(self, request: web.Request, verified: VerifiedRequest, body: bytes) -> tuple[Detection, bytes]:
        limits = self._limits
        parts = parse_multipart(request.headers.get("Content-Type", ""), body)
        if "detection" not in parts or "snapshot" not in parts:
            raise ProtocolError(400, "the body needs a 'detection' part and a 'snapshot' part")
        detection = Detection.from_json(parts["detection"][1])
        if detection.device_id != verified.device_id:
            raise ProtocolError(401, "the detection names another device than the one that signed it")
        jpeg = parts["snapshot"][1]
        check_jpeg(jpeg, limits.max_snapshot_bytes, limits.max_snapshot_pixels)
        return detection, jpeg

    async def _detections(self, request: web.Request) -> web.Response:
        checked = await self._checked(request, lambda v, body: self._check_detection(request, v, body))
        if isinstance(checked, web.Response):
            return checked
        verified, (detection, jpeg) = checked
        stored = await asyncio.get_running_loop().run_in_executor(
            None, self._store.record, detection, jpeg, datetime.now(UTC), verified.skew_s
        )
        self.accepted += int(stored.created)
        payload: dict[str, Any] = {"event_id": stored.event_id, "duplicate": not stored.created}
        return _signed(web.json_response(payload, status=201 if stored.created else 200), verified)

    @staticmethod
    def _check_heartbeat(request: web.Request, verified: VerifiedRequest, body: bytes) -> Heartbeat:
        if request.content_type != "application/json":
            raise ProtocolError(415, "send the heartbeat as application/json")
        heartbeat = Heartbeat.from_json(body)
        if heartbeat.device_id != verified.device_id:
            raise ProtocolError(401, "the heartbeat names another device than the one that signed it")
        return heartbeat

    async def _heartbeat(self, request: web.Request) -> web.Response:
        checked = await self._checked(request, lambda v, body: self._check_heartbeat(request, v, body))
        if isinstance(checked, web.Response):
            return checked
        verified, heartbeat = checked
        if self._on_heartbeat is not None:
            await asyncio.get_running_loop().run_in_executor(
                None, self._on_heartbeat, heartbeat, datetime.now(UTC), verified.skew_s
            )
        self.heartbeats += 1
        # The agent compares its clock with ours (its requests are refused beyond the allowed skew).
        return _signed(web.json_response({"server_time": self._clock(), "skew_s": verified.skew_s}), verified)

    def _check_stats_reader(self, verified: VerifiedRequest, _body: bytes) -> Callable[[], dict[str, Any]]:
        if verified.device_id not in self._stats_devices or self._stats is None:
            raise ProtocolError(403, "this device may not read the stats: list it in [edge] stats_devices")
        return self._stats

    async def _stats_handler(self, request: web.Request) -> web.Response:
        checked = await self._checked(request, self._check_stats_reader)
        if isinstance(checked, web.Response):
            return checked
        verified, stats = checked
        figures = await asyncio.get_running_loop().run_in_executor(None, stats)
        return _signed(web.json_response(figures), verified)


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 description of the listener's endpoints."""
    error = {"$ref": "#/components/schemas/Error"}

    def errors(*refusals: tuple[int, str]) -> dict[str, Any]:
        """The refusal statuses of an operation, each answered with an Error document."""
        return {
            str(code): {"description": text, "content": {"application/json": {"schema": error}}}
            for code, text in refusals
        }

    signed = {
        HEADER_RESPONSE_SIGNATURE: {
            "description": "HMAC-SHA256 with the device's token over the request's nonce, the status and the body "
            "(see edge/protocol.py sign_response); on every answer once the request's signature held",
            "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "NVR Desktop edge listener", "version": str(PROTOCOL_VERSION)},
        "paths": {
            HEALTH_PATH: {"get": {"responses": {"200": {"description": "the listener runs"}}}},
            DETECTIONS_PATH: {
                "post": {
                    "description": "A signed detection with its JPEG snapshot (see edge/protocol.py for signing).",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "required": ["detection", "snapshot"],
                                    "additionalProperties": False,
                                    "properties": {
                                        "detection": {"type": "string", "contentMediaType": "application/json"},
                                        "snapshot": {"type": "string", "contentMediaType": "image/jpeg"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": {"description": "stored", "headers": signed},
                        "200": {"description": "already stored (a retried delivery)", "headers": signed},
                        **errors(
                            (400, "malformed or invalid"),
                            (401, "not signed by a paired device, or its clock is off"),
                            (408, "the body came too slowly"),
                            (409, "a replayed request"),
                            (413, "too large"),
                            (415, "not multipart, or the snapshot is not a JPEG"),
                            (429, "too many requests from this device"),
                        ),
                    },
                }
            },
            HEARTBEAT_PATH: {
                "post": {
                    "description": "A signed health report of an agent (see edge/protocol.py Heartbeat).",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Heartbeat"}}},
                    },
                    "responses": {
                        "200": {
                            "description": "recorded; the listener's clock and the skew it measured",
                            "headers": signed,
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/HeartbeatReply"}}
                            },
                        },
                        **errors(
                            (400, "malformed or invalid"),
                            (401, "not signed by a paired device, or its clock is off"),
                            (408, "the body came too slowly"),
                            (409, "a replayed request"),
                            (413, "too large"),
                            (415, "not application/json"),
                            (429, "too many requests from this device"),
                        ),
                    },
                }
            },
            STATS_PATH: {
                "get": {
                    "description": "The system at a glance for monitoring tools: cameras online and offline, recording "
                    "health, detections in the last hour, pending alerts, edge devices and their queues, disk use and "
                    "days that fit. Signed like every request (empty body), by a device in [edge] stats_devices.",
                    "responses": {
                        "200": {
                            "description": "the figures",
                            "headers": signed,
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Stats"}}},
                        },
                        **errors(
                            (401, "not signed by a paired device, or its clock is off"),
                            (403, "the device is not allowed to read the stats"),
                            (409, "a replayed request"),
                            (429, "too many requests from this device"),
                        ),
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Stats": {
                    "type": "object",
                    "required": [
                        "at",
                        "cameras",
                        "cameras_online",
                        "cameras_offline",
                        "recording",
                        "recording_problems",
                        "alarms",
                        "detections_last_hour",
                        "pending_alerts",
                        "edge_paired",
                        "edge_online",
                        "edge_queued",
                        "edge_dropped",
                        "disk_total_bytes",
                        "disk_free_bytes",
                        "recordings_bytes",
                        "days_fit",
                    ],
                    "properties": {
                        "at": {"type": "string", "format": "date-time"},
                        "cameras": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["id", "name", "state", "record_mode", "recording"],
                                "properties": {
                                    "id": {"type": "integer"},
                                    "name": {"type": "string"},
                                    "state": {"type": "string"},
                                    "record_mode": {"type": "string"},
                                    "recording": {
                                        "enum": ["recording", "waiting", "failing", "standby", "off"],
                                    },
                                },
                            },
                        },
                        "alarms": {"type": "array", "items": {"type": "string"}},
                        "days_fit": {"type": ["number", "null"]},
                        "disk_total_bytes": {"type": ["integer", "null"]},
                        "disk_free_bytes": {"type": ["integer", "null"]},
                        **{
                            key: {"type": "integer", "minimum": 0}
                            for key in (
                                "cameras_online",
                                "cameras_offline",
                                "recording",
                                "recording_problems",
                                "detections_last_hour",
                                "pending_alerts",
                                "edge_paired",
                                "edge_online",
                                "edge_queued",
                                "edge_dropped",
                                "recordings_bytes",
                            )
                        },
                    },
                },
                "Heartbeat": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": [
                        "version",
                        "device_id",
                        "agent_version",
                        "uptime_s",
                        "interval_s",
                        "queue_length",
                        "dropped",
                        "refused",
                        "detections",
                    ],
                    "properties": {
                        "version": {"const": PROTOCOL_VERSION},
                        "device_id": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"},
                        "agent_version": {"type": "string", "maxLength": 32},
                        "uptime_s": {"type": "number", "minimum": 0},
                        "interval_s": {"type": "number", "minimum": 1, "maximum": 86400},
                        "queue_length": {"type": "integer", "minimum": 0},
                        "dropped": {"type": "integer", "minimum": 0},
                        "refused": {"type": "integer", "minimum": 0},
                        "detections": {"type": "integer", "minimum": 0},
                        "temperature_c": {"type": ["number", "null"], "minimum": -100, "maximum": 200},
                    },
                },
                "HeartbeatReply": {
                    "type": "object",
                    "required": ["server_time", "skew_s"],
                    "properties": {"server_time": {"type": "number"}, "skew_s": {"type": "number"}},
                },
                "Error": {
                    "type": "object",
                    "required": ["status", "error"],
                    "properties": {"status": {"type": "integer"}, "error": {"type": "string"}},
                },
            }
        },
    }


def openapi_json() -> str:
    """The OpenAPI document as JSON text."""
    return json.dumps(openapi_document(), indent=2)
