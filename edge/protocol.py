"""The edge wire format, version 1: detection documents, request signing, and JPEG checks (stdlib only).

Both ends apply these rules: the agent to build requests, the desktop listener to judge them. Every refusal is a
``ProtocolError`` that carries the HTTP status the listener answers with, so the two sides cannot disagree on it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import heapq
import hmac
import json
import math
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

PROTOCOL_VERSION = 1

#: The listener's endpoints (both ends use these names).
DETECTIONS_PATH = "/api/v1/detections"
HEARTBEAT_PATH = "/api/v1/heartbeat"
HEALTH_PATH = "/api/v1/health"
#: The zeroconf service type the desktop advertises; TXT keys: protocol, tls ("yes"/"no"), app.
SERVICE_TYPE = "_nvr-desktop._tcp.local."

#: The statuses a listener may answer a refused request with, and what each means.
STATUS_REASONS: Mapping[int, str] = {
    400: "malformed or invalid request",
    401: "authentication failed",
    403: "not allowed for this device",
    409: "replayed request",
    413: "payload too large",
    415: "unsupported media type",
    429: "too many requests",
}

MAX_BOXES = 64
MAX_LABELS = 16
MAX_FRAME_SIDE = 16384
# A detection document is a few hundred bytes; 64 boxes and 16 labels stay far below this, so anything larger is abuse.
MAX_DETECTION_BYTES = 16 * 1024
# SQLite's INTEGER is a signed 64-bit value; the desktop stores sequences there.
MAX_SEQUENCE = 2**63 - 1
#: The sequence of a detection the spool has not numbered yet; never valid on the wire.
UNASSIGNED = 0

TOKEN_BYTES = 32
HEADER_DEVICE = "X-NVR-Device"
HEADER_TIMESTAMP = "X-NVR-Timestamp"
HEADER_NONCE = "X-NVR-Nonce"
HEADER_SIGNATURE = "X-NVR-Signature"
#: On the listener's answers to authenticated requests: proof that the answer comes from the paired desktop.
HEADER_RESPONSE_SIGNATURE = "X-NVR-Response-Signature"
#: First line of the canonical string: names the scheme and the protocol version, so a v1 signature means nothing to v2.
SIGNATURE_SCHEME = f"NVR-HMAC-SHA256-v{PROTOCOL_VERSION}"

# Charsets are closed so ids are safe in file names, log lines and SQL, and cannot split the canonical string.
DEVICE_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
LABEL_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
_DETECTION_ID = re.compile(r"[0-9a-f]{32}")
_NONCE = re.compile(r"[0-9a-f]{32}")
_SIGNATURE = re.compile(r"[0-9a-f]{64}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_METHOD = re.compile(r"[A-Z]{1,16}")
# Printable ASCII without spaces: a path as sent on the request line, query included, still percent-encoded.
_PATH = re.compile(r"/[\x21-\x7e]{0,2047}")
# Only UTC spellings are accepted: one instant, one text, so the desktop never guesses a zone.
_CAPTURED_AT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|\+00:00)")
_CAPTURED_AT_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_FIELDS = frozenset(
    {"version", "detection_id", "device_id", "sequence", "captured_at", "score", "boxes", "frame_size", "labels"}
)
_REQUIRED_FIELDS = _FIELDS - {"labels"}

Box = tuple[int, int, int, int]


class ProtocolError(Exception):
    """A request or document the protocol refuses; ``status`` is the HTTP status the listener answers with."""

    def __init__(self, status: int, message: str) -> None:
        if status not in STATUS_REASONS:
            raise ValueError(f"{status} is not a status of the edge protocol")
        super().__init__(message)
        self.status = status
        self.message = message

    def __repr__(self) -> str:
        return f"ProtocolError({self.status}, {self.message!r})"


def _invalid(message: str) -> ProtocolError:
    return ProtocolError(400, message)


def _is_int(value: object) -> bool:
    # JSON true/false arrive as bool, which is an int subclass: a sequence of `true` must not pass as 1.
    return isinstance(value, int) and not isinstance(value, bool)


def new_detection_id() -> str:
    """A fresh detection id: a random UUID4 as 32 lowercase hex digits."""
    return uuid.uuid4().hex


def _check_detection_id(value: str) -> None:
    # Version nibble 4 and the RFC 4122 variant: ids come from uuid4(), so anything else is a forgery or a bug.
    if not _DETECTION_ID.fullmatch(value) or value[12] != "4" or value[16] not in "89ab":
        raise _invalid("detection_id must be a UUID4 written as 32 lowercase hex digits")


def _check_device_id(value: str) -> None:
    if not DEVICE_ID_PATTERN.fullmatch(value):
        raise _invalid("device_id must be 1-64 characters of A-Z a-z 0-9 . _ - starting with a letter or digit")


@dataclass(frozen=True)
class Detection:
    """One motion detection as it travels from agent to desktop; construction validates every field."""

    detection_id: str
    device_id: str
    sequence: int
    captured_at: datetime
    score: float
    boxes: tuple[Box, ...]
    frame_size: tuple[int, int]
    labels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Normalising here (tuples, float, UTC) keeps equality and hashing exact after a JSON round trip.
        if not isinstance(self.detection_id, str):
            raise _invalid("detection_id must be a string")
        _check_detection_id(self.detection_id)
        if not isinstance(self.device_id, str):
            raise _invalid("device_id must be a string")
        _check_device_id(self.device_id)
        if not _is_int(self.sequence) or not UNASSIGNED <= self.sequence <= MAX_SEQUENCE:
            raise _invalid(f"sequence must be an integer from 1 to {MAX_SEQUENCE} (0 until the spool numbers it)")
        if not isinstance(self.captured_at, datetime) or self.captured_at.utcoffset() is None:
            raise _invalid("captured_at must be a timezone-aware datetime")
        object.__setattr__(self, "captured_at", self.captured_at.astimezone(UTC))
        if not (_is_int(self.score) or isinstance(self.score, float)) or not math.isfinite(self.score):
            raise _invalid("score must be a finite number")
        if not 0.0 <= self.score <= 1.0:
            raise _invalid(f"score must be between 0 and 1, not {self.score}")
        object.__setattr__(self, "score", float(self.score))
        frame = _int_tuple(self.frame_size, 2, "frame_size")
        if not all(1 <= side <= MAX_FRAME_SIDE for side in frame):
            raise _invalid(f"frame_size sides must be between 1 and {MAX_FRAME_SIDE}")
        object.__setattr__(self, "frame_size", frame)
        object.__setattr__(self, "boxes", _check_boxes(self.boxes, frame))
        object.__setattr__(self, "labels", _check_labels(self.labels))

    @classmethod
    def create(
        cls,
        device_id: str,
        captured_at: datetime,
        score: float,
        boxes: tuple[Box, ...],
        frame_size: tuple[int, int],
        labels: tuple[str, ...] = (),
    ) -> Detection:
        """A new detection with a fresh id and no sequence yet: the spool numbers it when it is stored."""
        return cls(new_detection_id(), device_id, UNASSIGNED, captured_at, score, boxes, frame_size, labels)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document as a dict; refuses a detection the spool has not numbered yet."""
        if self.sequence == UNASSIGNED:
            raise ValueError("the detection has no sequence yet: store it in the spool first")
        return {
            "version": PROTOCOL_VERSION,
            "detection_id": self.detection_id,
            "device_id": self.device_id,
            "sequence": self.sequence,
            "captured_at": self.captured_at.strftime(_CAPTURED_AT_FORMAT),
            "score": self.score,
            "boxes": [list(box) for box in self.boxes],
            "frame_size": list(self.frame_size),
            "labels": list(self.labels),
        }

    def to_json(self) -> bytes:
        """The compact UTF-8 JSON document sent on the wire (sorted keys, so equal detections give equal bytes)."""
        data = json.dumps(self.to_dict(), separators=(",", ":"), sort_keys=True, allow_nan=False).encode()
        if len(data) > MAX_DETECTION_BYTES:  # unreachable within the field caps; kept so both directions agree
            raise ValueError(f"the detection document is over {MAX_DETECTION_BYTES} bytes")
        return data

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> Detection:
        """Validate a decoded JSON document strictly and build the detection, or raise ProtocolError(400)."""
        unknown = set(doc) - _FIELDS
        if unknown:
            raise _invalid(f"unknown fields: {', '.join(sorted(unknown))}")
        missing = _REQUIRED_FIELDS - set(doc)
        if missing:
            raise _invalid(f"missing fields: {', '.join(sorted(missing))}")
        version = doc["version"]
        if not _is_int(version) or version != PROTOCOL_VERSION:
            raise _invalid(f"unsupported protocol version {version!r}; this side speaks {PROTOCOL_VERSION}")
        for name in ("detection_id", "device_id", "captured_at"):
            if not isinstance(doc[name], str):
                raise _invalid(f"{name} must be a string")
        sequence = doc["sequence"]
        if not _is_int(sequence) or sequence < 1:
            raise _invalid("sequence must be an integer of at least 1")
        boxes = doc["boxes"]
        if not isinstance(boxes, list):
            raise _invalid("boxes must be a list")
        if len(boxes) > MAX_BOXES:  # checked before the per-box work so a huge list costs nothing
            raise _invalid(f"at most {MAX_BOXES} boxes, not {len(boxes)}")
        if not all(isinstance(box, list) for box in boxes):
            raise _invalid("each box must be a list [x, y, w, h]")
        frame_size = doc["frame_size"]
        if not isinstance(frame_size, list):
            raise _invalid("frame_size must be a list [width, height]")
        labels = doc.get("labels", [])
        if not isinstance(labels, list):
            raise _invalid("labels must be a list")
        return cls(
            detection_id=doc["detection_id"],
            device_id=doc["device_id"],
            sequence=sequence,
            captured_at=_parse_captured_at(doc["captured_at"]),
            score=doc["score"],
            boxes=tuple(tuple(box) for box in boxes),  # shapes are checked in __post_init__
            frame_size=tuple(frame_size),
            labels=tuple(labels),
        )

    @classmethod
    def from_json(cls, data: bytes | str) -> Detection:
        """Parse and validate a JSON document: ProtocolError 413 when too large, 400 for anything malformed."""
        raw = data.encode() if isinstance(data, str) else bytes(data)
        if len(raw) > MAX_DETECTION_BYTES:
            raise ProtocolError(413, f"detection document of {len(raw)} bytes is over {MAX_DETECTION_BYTES}")
        try:
            doc = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
        except UnicodeDecodeError:
            raise _invalid("the detection document is not UTF-8") from None
        except RecursionError:
            raise _invalid("the detection document is nested too deeply") from None
        except ValueError as exc:  # JSONDecodeError, duplicate keys, NaN, integers too long to convert
            raise _invalid(f"malformed JSON: {exc}") from None
        if not isinstance(doc, dict):
            raise _invalid("the detection document must be a JSON object")
        return cls.from_dict(doc)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # With duplicates, two parsers may each see a different value; refuse the ambiguity.
    doc = dict(pairs)
    if len(doc) != len(pairs):
        raise ValueError("duplicate keys")
    return doc


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _int_tuple(value: object, size: int, name: str) -> tuple[int, ...]:
    if not isinstance(value, tuple | list) or len(value) != size or not all(_is_int(item) for item in value):
        raise _invalid(f"{name} must be {size} integers")
    return tuple(value)


def _check_boxes(boxes: object, frame: tuple[int, ...]) -> tuple[Box, ...]:
    if not isinstance(boxes, tuple | list):
        raise _invalid("boxes must be a sequence")
    if len(boxes) > MAX_BOXES:
        raise _invalid(f"at most {MAX_BOXES} boxes, not {len(boxes)}")
    width, height = frame
    checked: list[Box] = []
    for index, box in enumerate(boxes):
        x, y, w, h = _int_tuple(box, 4, f"box {index}")
        if x < 0 or y < 0 or w < 1 or h < 1 or x + w > width or y + h > height:
            raise _invalid(f"box {index} {[x, y, w, h]} is empty or outside the {width}x{height} frame")
        checked.append((x, y, w, h))
    return tuple(checked)


def _check_labels(labels: object) -> tuple[str, ...]:
    if not isinstance(labels, tuple | list):
        raise _invalid("labels must be a sequence")
    if len(labels) > MAX_LABELS:
        raise _invalid(f"at most {MAX_LABELS} labels, not {len(labels)}")
    for label in labels:
        if not isinstance(label, str) or not LABEL_PATTERN.fullmatch(label):
            raise _invalid("each label must be 1-32 characters of a-z 0-9 _ - starting with a letter or digit")
    if len(set(labels)) != len(labels):
        raise _invalid("labels must not repeat")
    return tuple(labels)


def _parse_captured_at(text: str) -> datetime:
    if not _CAPTURED_AT.fullmatch(text):
        raise _invalid("captured_at must be an ISO 8601 UTC time such as 2024-05-01T12:00:00.000000Z")
    try:
        return datetime.fromisoformat(text)
    except ValueError:  # the shape matched but the date does not exist (month 13, 30 February)
        raise _invalid(f"captured_at {text!r} is not a real time") from None


# ------------------------------------------------------------------------------------------------------- heartbeat

MAX_HEARTBEAT_BYTES = 4 * 1024
_AGENT_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+_-]{0,31}")
_HEARTBEAT_COUNTERS = ("queue_length", "dropped", "refused", "detections")
_HEARTBEAT_FIELDS = frozenset(
    {"version", "device_id", "agent_version", "uptime_s", "interval_s", "temperature_c", *_HEARTBEAT_COUNTERS}
)


@dataclass(frozen=True)
class Heartbeat:
    """An agent's periodic health report; construction validates every field."""

    device_id: str
    agent_version: str
    uptime_s: float
    interval_s: float  # the desktop calls a device offline after three intervals without a word
    queue_length: int  # detections waiting in the spool
    dropped: int  # detections deleted undelivered to keep the spool in its bounds (ever)
    refused: int  # detections the desktop refused for good (since start)
    detections: int  # detections made since start
    temperature_c: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.device_id, str):
            raise _invalid("device_id must be a string")
        _check_device_id(self.device_id)
        if not isinstance(self.agent_version, str) or not _AGENT_VERSION.fullmatch(self.agent_version):
            raise _invalid("agent_version must be 1-32 characters of A-Z a-z 0-9 . + _ -")
        for name, low, high in (("uptime_s", 0.0, 1e10), ("interval_s", 1.0, 86400.0)):
            value = getattr(self, name)
            if not (_is_int(value) or isinstance(value, float)) or not low <= value <= high:
                raise _invalid(f"{name} must be a number from {low:g} to {high:g}")
            object.__setattr__(self, name, float(value))
        for name in _HEARTBEAT_COUNTERS:
            value = getattr(self, name)
            if not _is_int(value) or not 0 <= value <= MAX_SEQUENCE:
                raise _invalid(f"{name} must be an integer from 0 to {MAX_SEQUENCE}")
        temperature = self.temperature_c
        if temperature is not None:
            if not (_is_int(temperature) or isinstance(temperature, float)) or not -100.0 <= temperature <= 200.0:
                raise _invalid("temperature_c must be null or a number from -100 to 200")
            object.__setattr__(self, "temperature_c", float(temperature))

    def to_json(self) -> bytes:
        """The compact UTF-8 JSON document sent on the wire."""
        doc = {"version": PROTOCOL_VERSION, **{name: getattr(self, name) for name in _HEARTBEAT_FIELDS - {"version"}}}
        return json.dumps(doc, separators=(",", ":"), sort_keys=True, allow_nan=False).encode()

    @classmethod
    def from_json(cls, data: bytes | str) -> Heartbeat:
        """Parse and validate strictly: ProtocolError 413 when too large, 400 for anything malformed."""
        raw = data.encode() if isinstance(data, str) else bytes(data)
        if len(raw) > MAX_HEARTBEAT_BYTES:
            raise ProtocolError(413, f"heartbeat document of {len(raw)} bytes is over {MAX_HEARTBEAT_BYTES}")
        try:
            doc = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
        except UnicodeDecodeError:
            raise _invalid("the heartbeat document is not UTF-8") from None
        except RecursionError:
            raise _invalid("the heartbeat document is nested too deeply") from None
        except ValueError as exc:
            raise _invalid(f"malformed JSON: {exc}") from None
        if not isinstance(doc, dict):
            raise _invalid("the heartbeat document must be a JSON object")
        unknown = set(doc) - _HEARTBEAT_FIELDS
        if unknown:
            raise _invalid(f"unknown fields: {', '.join(sorted(unknown))}")
        missing = _HEARTBEAT_FIELDS - {"temperature_c"} - set(doc)
        if missing:
            raise _invalid(f"missing fields: {', '.join(sorted(missing))}")
        version = doc.pop("version")
        if not _is_int(version) or version != PROTOCOL_VERSION:
            raise _invalid(f"unsupported protocol version {version!r}; this side speaks {PROTOCOL_VERSION}")
        return cls(**doc)


# ---------------------------------------------------------------------------------------------- pairing and signing


def new_pairing_token() -> str:
    """A new pairing token for a device: 32 random bytes as unpadded base64url, shown to the admin once."""
    return base64.urlsafe_b64encode(secrets.token_bytes(TOKEN_BYTES)).rstrip(b"=").decode()


def decode_pairing_token(text: str) -> bytes:
    """The secret bytes of a pairing token as typed into the agent's config; ValueError if it is not one."""
    cleaned = text.strip()
    if not re.fullmatch(r"[A-Za-z0-9_-]{43}={0,1}", cleaned):
        raise ValueError(f"a pairing token is {TOKEN_BYTES} bytes in base64url (43 characters)")
    try:
        secret = base64.urlsafe_b64decode(cleaned.rstrip("=") + "=")
    except binascii.Error:
        raise ValueError("the pairing token is not valid base64url") from None
    if len(secret) != TOKEN_BYTES:
        raise ValueError(f"a pairing token is {TOKEN_BYTES} bytes in base64url (43 characters)")
    return secret


def canonical_request(method: str, path: str, device_id: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """The exact bytes both sides sign: scheme, method, path, device, timestamp, nonce, body SHA-256, one per line."""
    # Every field is validated to hold no line break before it gets here, so the lines cannot be shifted.
    body_digest = hashlib.sha256(body).hexdigest()
    return "\n".join((SIGNATURE_SCHEME, method, path, device_id, timestamp, nonce, body_digest)).encode("ascii")


def _signature(token: bytes, canonical: bytes) -> str:
    return hmac.new(token, canonical, hashlib.sha256).hexdigest()


def sign_request(
    token: bytes, device_id: str, method: str, path: str, body: bytes, now: float, nonce: str | None = None
) -> dict[str, str]:
    """The X-NVR-* headers that authenticate one request; ``now`` is unix seconds, ``nonce`` is for tests only."""
    if len(token) != TOKEN_BYTES:
        raise ValueError(f"the pairing token must be {TOKEN_BYTES} bytes")
    if not DEVICE_ID_PATTERN.fullmatch(device_id):
        raise ValueError(f"invalid device id {device_id!r}")
    method = method.upper()
    if not _METHOD.fullmatch(method):
        raise ValueError(f"invalid HTTP method {method!r}")
    if not _PATH.fullmatch(path):
        raise ValueError("the path must start with '/' and hold printable ASCII without spaces (percent-encode)")
    nonce = secrets.token_hex(16) if nonce is None else nonce
    if not _NONCE.fullmatch(nonce):
        raise ValueError("a nonce is 32 lowercase hex digits")
    if not 0 <= now < 10**12:
        raise ValueError(f"now must be unix seconds, not {now}")
    timestamp = str(math.floor(now))
    canonical = canonical_request(method, path, device_id, timestamp, nonce, body)
    return {
        HEADER_DEVICE: device_id,
        HEADER_TIMESTAMP: timestamp,
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: _signature(token, canonical),
    }


@dataclass(frozen=True)
class VerifiedRequest:
    """An authenticated request: who sent it, and how far its clock is from ours (positive: the device is ahead)."""

    device_id: str
    skew_s: float
    nonce: str = ""
    token: bytes = field(default=b"", repr=False)  # to sign the answer (sign_response); never printed


def _response_canonical(nonce: str, status: int, body: bytes) -> bytes:
    # Bound to the request's nonce, so an answer cannot be replayed to another request.
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join((f"{SIGNATURE_SCHEME}-response", nonce, str(status), digest)).encode("ascii")


def sign_response(token: bytes, nonce: str, status: int, body: bytes) -> str:
    """The X-NVR-Response-Signature of an answer: HMAC over the request's nonce, the status and the body's hash."""
    return _signature(token, _response_canonical(nonce, status, body))


def response_is_authentic(token: bytes, nonce: str, status: int, body: bytes, signature: str | None) -> bool:
    """True when ``signature`` proves the answer came from the holder of ``token`` (the paired desktop)."""
    if not signature or not _SIGNATURE.fullmatch(signature):
        return False
    expected = sign_response(token, nonce, status, body)
    return hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii"))


def _auth_failure(message: str) -> ProtocolError:
    return ProtocolError(401, message)


def _signing_headers(headers: Mapping[str, str]) -> dict[str, str]:
    # Header names are case-insensitive; a name sent twice is ambiguous (which one did the signer mean?).
    wanted = {name.lower(): name for name in (HEADER_DEVICE, HEADER_TIMESTAMP, HEADER_NONCE, HEADER_SIGNATURE)}
    found: dict[str, str] = {}
    for name, value in headers.items():
        canonical_name = wanted.get(name.lower())
        if canonical_name is None:
            continue
        if canonical_name in found:
            raise _auth_failure(f"header {canonical_name} is sent more than once")
        found[canonical_name] = value
    for name in wanted.values():
        if name not in found:
            raise _auth_failure(f"missing header {name}")
    return found


class RequestVerifier:
    """Authenticates signed requests and refuses replays; one per listener, safe to share between threads.

    ``lookup_token`` returns a device's pairing secret, or None for an unknown or revoked device. ``clock`` returns
    unix seconds. Nonces are remembered for ``nonce_ttl_s`` (at least twice the skew window, so a request can never
    be replayed while its timestamp is still acceptable), at most ``max_nonces`` of them: when full of unexpired ones
    the verifier refuses with 429 instead of growing, which caps a listener at about max_nonces / nonce_ttl_s
    requests per second (166/s with the defaults).
    """

    def __init__(
        self,
        lookup_token: Callable[[str], bytes | None],
        clock: Callable[[], float] = time.time,
        max_skew_s: float = 300,
        nonce_ttl_s: float = 600,
        max_nonces: int = 100_000,
    ) -> None:
        if max_skew_s <= 0 or max_nonces < 1:
            raise ValueError("max_skew_s and max_nonces must be positive")
        if nonce_ttl_s < 2 * max_skew_s:
            raise ValueError("nonce_ttl_s must be at least twice max_skew_s or replays slip through")
        self._lookup_token = lookup_token
        self._clock = clock
        self._max_skew_s = max_skew_s
        self._nonce_ttl_s = nonce_ttl_s
        self._max_nonces = max_nonces
        self._lock = threading.Lock()
        self._expiry_by_nonce: dict[str, float] = {}
        # A heap rather than insertion order: the clock may step backwards, so expiries are not always increasing.
        self._expiry_heap: list[tuple[float, str]] = []

    def __len__(self) -> int:
        """How many nonces are remembered now."""
        with self._lock:
            return len(self._expiry_by_nonce)

    def verify(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> VerifiedRequest:
        """Authenticate one request or raise ProtocolError: 401 bad or stale credentials, 409 replay, 429 full."""
        found = _signing_headers(headers)
        device_id, timestamp = found[HEADER_DEVICE], found[HEADER_TIMESTAMP]
        nonce, signature = found[HEADER_NONCE], found[HEADER_SIGNATURE]
        if not DEVICE_ID_PATTERN.fullmatch(device_id):
            raise _auth_failure(f"malformed {HEADER_DEVICE} header")
        if not _TIMESTAMP.fullmatch(timestamp):
            raise _auth_failure(f"{HEADER_TIMESTAMP} must be unix seconds")
        if not _NONCE.fullmatch(nonce):
            raise _auth_failure(f"{HEADER_NONCE} must be 32 lowercase hex digits")
        if not _SIGNATURE.fullmatch(signature):
            raise _auth_failure(f"{HEADER_SIGNATURE} must be 64 lowercase hex digits")
        method = method.upper()
        if not _METHOD.fullmatch(method) or not _PATH.fullmatch(path):
            raise _auth_failure("the request line cannot be signed")
        token = self._lookup_token(device_id)
        if token is None:
            raise _auth_failure(f"unknown or revoked device {device_id!r}")
        expected = _signature(token, canonical_request(method, path, device_id, timestamp, nonce, body))
        if not hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii")):
            raise _auth_failure("bad signature")
        # Skew is judged only after the signature holds, so the figure shown to the operator is the device's own.
        now = self._clock()
        skew = int(timestamp) - now
        if abs(skew) > self._max_skew_s:
            raise _auth_failure(
                f"clock skew of {skew:+.0f} s is outside the allowed +/-{self._max_skew_s:.0f} s: "
                f"set the clock of device {device_id!r} (NTP)"
            )
        self._remember_nonce(f"{device_id}\n{nonce}", now)
        return VerifiedRequest(device_id=device_id, skew_s=skew, nonce=nonce, token=token)

    def _remember_nonce(self, key: str, now: float) -> None:
        with self._lock:
            heap = self._expiry_heap
            while heap and heap[0][0] < now:
                expiry, old = heapq.heappop(heap)
                if self._expiry_by_nonce.get(old) == expiry:
                    del self._expiry_by_nonce[old]
            seen_until = self._expiry_by_nonce.get(key)
            if seen_until is not None and seen_until >= now:
                raise ProtocolError(409, "replayed request: this nonce was already used")
            if len(self._expiry_by_nonce) >= self._max_nonces:
                raise ProtocolError(429, "too many requests in the replay window; retry later")
            self._expiry_by_nonce[key] = now + self._nonce_ttl_s
            heapq.heappush(heap, (now + self._nonce_ttl_s, key))


# ------------------------------------------------------------------------------------------------------ JPEG checks

_SOF_ANY = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # C4 is DHT, C8 reserved, CC is DAC
# Baseline, extended and progressive Huffman: what browsers, Qt and OpenCV decode; lossless/arithmetic/hierarchical
# JPEGs are legal but nothing on the desktop shows them.
_SOF_SUPPORTED = frozenset({0xC0, 0xC1, 0xC2})
_RESTART = frozenset(range(0xD0, 0xD8))
_SOI, _EOI, _SOS, _TEM = 0xD8, 0xD9, 0xDA, 0x01


def _describe(data: bytes) -> str:
    # Say what the upload looks like instead, so an operator sees "PNG" rather than a bare refusal.
    if not data:
        return "the body is empty"
    for magic, name in ((b"\x89PNG", "PNG"), (b"GIF8", "GIF"), (b"BM", "BMP"), (b"%PDF", "PDF")):
        if data.startswith(magic):
            return f"it is a {name}"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "it is a WebP"
    head = data[:64]
    if all(32 <= byte < 127 or byte in b"\t\r\n" for byte in head):
        return "it is text"
    return "unknown format"


def _truncated(what: str) -> ProtocolError:
    return _invalid(f"truncated or corrupt JPEG: {what}")


def _frame_size(segment: bytes, max_pixels: int) -> tuple[int, int]:
    if len(segment) < 6:
        raise _truncated("short frame header")
    precision = segment[0]
    height = int.from_bytes(segment[1:3], "big")
    width = int.from_bytes(segment[3:5], "big")
    components = segment[5]
    if precision not in (8, 12) or not 1 <= components <= 4 or len(segment) != 6 + 3 * components:
        raise _truncated("invalid frame header")
    if width == 0 or height == 0:
        # Height 0 means "given later by a DNL marker": legal, but no camera writes it and it hides the real size.
        raise _invalid(f"JPEG dimensions {width}x{height}: width and height must be at least 1")
    if width * height > max_pixels:
        raise _invalid(f"JPEG of {width}x{height} pixels is over the {max_pixels}-pixel limit")
    return width, height


def _end_of_scan(data: bytes, start: int) -> int:
    """Index of the marker that ends entropy-coded data starting at ``start``."""
    position = start
    while True:
        found = data.find(b"\xff", position)
        if found < 0 or found + 1 >= len(data):
            raise _truncated("image data ends without an end-of-image marker")
        following = data[found + 1]
        # FF 00 is a stuffed data byte and FF D0-D7 a restart marker: both belong to the scan.
        if following == 0x00 or following in _RESTART:
            position = found + 2
            continue
        return found


def check_jpeg(data: bytes, max_bytes: int, max_pixels: int) -> tuple[int, int]:
    """Check an upload is a whole JPEG within the limits and return (width, height); the name it came with is ignored.

    Raises ProtocolError 413 when over ``max_bytes``, 415 when not a JPEG (or a kind nothing here decodes), and 400
    when truncated, corrupt, with a zero dimension, with data after the end, or over ``max_pixels``.
    """
    if max_bytes < 1 or max_pixels < 1:
        raise ValueError("max_bytes and max_pixels must be positive")
    data = bytes(data)
    if len(data) > max_bytes:
        raise ProtocolError(413, f"snapshot of {len(data)} bytes is over the {max_bytes}-byte limit")
    if not data.startswith(b"\xff\xd8\xff"):
        if data.startswith(b"\xff\xd8"):
            raise _truncated("nothing after the start-of-image marker")
        raise ProtocolError(415, f"the snapshot is not a JPEG: {_describe(data)}")
    size = len(data)
    position = 2
    frame: tuple[int, int] | None = None
    scanned = False
    while True:
        if position >= size:
            raise _truncated("no end-of-image marker")
        if data[position] != 0xFF:
            raise _truncated(f"expected a marker at byte {position}")
        while position < size and data[position] == 0xFF:  # fill bytes may pad before any marker
            position += 1
        if position >= size:
            raise _truncated("no end-of-image marker")
        marker = data[position]
        position += 1
        if marker == _EOI:
            if frame is None or not scanned:
                raise _truncated("no frame header or no image data before the end-of-image marker")
            # Zero or FF padding after EOI is harmless; anything else could smuggle a second file (polyglot).
            if data[position:].strip(b"\x00\xff"):
                raise _invalid("data after the JPEG's end-of-image marker")
            return frame
        if marker in (0x00, _SOI):
            raise _truncated(f"unexpected marker 0x{marker:02X} at byte {position - 1}")
        if marker in _RESTART or marker == _TEM:  # stand-alone markers carry no length
            continue
        if position + 2 > size:
            raise _truncated("segment length cut off")
        length = int.from_bytes(data[position : position + 2], "big")
        end = position + length
        if length < 2 or end > size:
            raise _truncated(f"segment 0x{marker:02X} runs past the end of the data")
        if marker in _SOF_ANY:
            if frame is not None:
                raise _truncated("more than one frame header")
            if marker not in _SOF_SUPPORTED:
                raise ProtocolError(415, f"unsupported JPEG coding process (SOF{marker - 0xC0})")
            frame = _frame_size(data[position + 2 : end], max_pixels)
        elif marker == _SOS:
            if frame is None:
                raise _truncated("image data before the frame header")
            position = _end_of_scan(data, end)
            scanned = True
            continue
        position = end
