"""The edge wire format: detection documents, request signing and replay defence, JPEG checks."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from fractions import Fraction
from pathlib import Path
from typing import Any, cast

import pytest

from edge.protocol import (
    HEADER_DEVICE,
    HEADER_NONCE,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    MAX_BOXES,
    MAX_DETECTION_BYTES,
    SIGNATURE_SCHEME,
    UNASSIGNED,
    Detection,
    ProtocolError,
    RequestVerifier,
    canonical_request,
    check_jpeg,
    decode_pairing_token,
    new_detection_id,
    new_pairing_token,
    sign_request,
)

REPO = Path(__file__).resolve().parents[3]
TOKEN = bytes(range(32))
OTHER_TOKEN = bytes(range(1, 33))
DEVICE = "pi-door-1"
PATH = "/api/v1/edge/detections"
NOW = 1_717_243_200.0  # 2024-06-01T12:00:00Z
DETECTION_ID = "0123456789ab4def8123456789abcdef"


def _detection(**changes: Any) -> Detection:
    base = Detection(
        detection_id=DETECTION_ID,
        device_id=DEVICE,
        sequence=7,
        captured_at=datetime(2024, 6, 1, 12, 0, 0, 123456, tzinfo=UTC),
        score=0.75,
        boxes=((10, 20, 30, 40), (0, 0, 640, 480)),
        frame_size=(640, 480),
        labels=("motion",),
    )
    return replace(base, **changes)


def _document(**changes: Any) -> dict[str, Any]:
    doc = _detection().to_dict()
    doc.update(changes)
    return doc


def _status(call: Callable[[], object]) -> int:
    with pytest.raises(ProtocolError) as caught:
        call()
    return caught.value.status


# -------------------------------------------------------------------------------------------- detection documents


def test_detection_round_trips_through_json() -> None:
    detection = _detection()
    data = detection.to_json()
    assert Detection.from_json(data) == detection
    assert Detection.from_json(data.decode()) == detection
    assert json.loads(data)["captured_at"] == "2024-06-01T12:00:00.123456Z"
    assert json.loads(data)["version"] == 1


def test_to_json_is_deterministic_and_compact() -> None:
    data = _detection().to_json()
    assert data == _detection().to_json()
    assert b" " not in data
    assert list(json.loads(data)) == sorted(json.loads(data))


def test_create_gives_a_fresh_uuid4_and_no_sequence() -> None:
    first = Detection.create(DEVICE, datetime.now(UTC), 0.5, (), (320, 240))
    second = Detection.create(DEVICE, datetime.now(UTC), 0.5, (), (320, 240))
    assert first.detection_id != second.detection_id
    assert first.sequence == UNASSIGNED
    assert first.detection_id[12] == "4"
    with pytest.raises(ValueError, match="spool"):
        first.to_json()


def test_new_detection_ids_are_valid() -> None:
    assert all(_detection(detection_id=new_detection_id()) for _ in range(100))


def test_non_utc_time_is_converted_and_naive_time_refused() -> None:
    paris = timezone(timedelta(hours=2))
    detection = _detection(captured_at=datetime(2024, 6, 1, 14, 0, tzinfo=paris))
    assert detection.captured_at == datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
    assert detection.captured_at.tzinfo is UTC
    assert _status(lambda: _detection(captured_at=datetime(2024, 6, 1, 12, 0))) == 400


def test_labels_are_optional_in_the_document() -> None:
    doc = _document()
    del doc["labels"]
    assert Detection.from_dict(doc).labels == ()


def test_integer_score_is_accepted_as_float() -> None:
    assert Detection.from_dict(_document(score=1)).score == 1.0


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"extra": 1}, "unknown fields: extra"),
        ({"version": 2}, "unsupported protocol version"),
        ({"version": True}, "unsupported protocol version"),
        ({"detection_id": DETECTION_ID.upper()}, "UUID4"),
        ({"detection_id": "0123456789ab1def8123456789abcdef"}, "UUID4"),  # version 1
        ({"detection_id": "01234567-89ab-4def-8123-456789abcdef"}, "UUID4"),
        ({"detection_id": 5}, "must be a string"),
        ({"device_id": "../etc"}, "device_id"),
        ({"device_id": "a" * 65}, "device_id"),
        ({"device_id": "pi door"}, "device_id"),
        ({"device_id": "pi\u00e9"}, "device_id"),
        ({"device_id": ""}, "device_id"),
        ({"sequence": 0}, "sequence"),
        ({"sequence": -1}, "sequence"),
        ({"sequence": True}, "sequence"),
        ({"sequence": 1.0}, "sequence"),
        ({"sequence": 2**63}, "sequence"),
        ({"captured_at": "2024-06-01T12:00:00"}, "captured_at"),
        ({"captured_at": "2024-06-01T14:00:00+02:00"}, "captured_at"),
        ({"captured_at": "2024-02-30T12:00:00Z"}, "not a real time"),
        ({"captured_at": 1717243200}, "must be a string"),
        ({"score": 1.5}, "between 0 and 1"),
        ({"score": -0.1}, "between 0 and 1"),
        ({"score": "0.5"}, "finite number"),
        ({"score": False}, "finite number"),
        ({"boxes": [[0, 0, 641, 10]]}, "outside"),
        ({"boxes": [[-1, 0, 10, 10]]}, "outside"),
        ({"boxes": [[0, 0, 0, 10]]}, "empty"),
        ({"boxes": [[0, 0, 10]]}, "4 integers"),
        ({"boxes": [[0, 0, 10, 10.5]]}, "4 integers"),
        ({"boxes": [[0, 0, 10, True]]}, "4 integers"),
        ({"boxes": [{"x": 0}]}, "each box"),
        ({"boxes": [[0, 0, 1, 1]] * (MAX_BOXES + 1)}, f"at most {MAX_BOXES} boxes"),
        ({"boxes": {}}, "boxes must be a list"),
        ({"frame_size": [0, 480]}, "frame_size"),
        ({"frame_size": [640, 20000]}, "frame_size"),
        ({"frame_size": [640]}, "frame_size"),
        ({"labels": ["Motion"]}, "label"),
        ({"labels": ["motion", "motion"]}, "repeat"),
        ({"labels": ["x"] * 17}, "at most 16 labels"),
        ({"labels": "motion"}, "labels must be a list"),
    ],
)
def test_invalid_documents_are_refused_with_400(changes: dict[str, Any], fragment: str) -> None:
    data = json.dumps(_document(**changes))
    with pytest.raises(ProtocolError, match=fragment) as caught:
        Detection.from_json(data)
    assert caught.value.status == 400


def test_missing_field_is_refused() -> None:
    doc = _document()
    del doc["score"]
    with pytest.raises(ProtocolError, match="missing fields: score"):
        Detection.from_json(json.dumps(doc))


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"{", "malformed JSON"),
        (b"[]", "JSON object"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"score": NaN}', "NaN is not a number"),
        (b'{"a": 1, "a": 2}', "duplicate keys"),
        (b"[" * 5000 + b"]" * 5000, "nested too deeply|malformed JSON"),
        (b'{"sequence": 1' + b"0" * 5000 + b"}", "malformed JSON"),
    ],
)
def test_malformed_json_is_refused_with_400(data: bytes, fragment: str) -> None:
    with pytest.raises(ProtocolError, match=fragment) as caught:
        Detection.from_json(data)
    assert caught.value.status == 400


def test_oversized_document_is_refused_with_413() -> None:
    doc = _document()
    doc["padding"] = "x" * MAX_DETECTION_BYTES
    assert _status(lambda: Detection.from_json(json.dumps(doc))) == 413


def test_protocol_error_only_takes_protocol_statuses() -> None:
    assert ProtocolError(409, "replay").status == 409
    with pytest.raises(ValueError, match="500"):
        ProtocolError(500, "boom")


# ------------------------------------------------------------------------------------------------ pairing tokens


def test_pairing_token_round_trips() -> None:
    text = new_pairing_token()
    assert len(text) == 43
    assert len(decode_pairing_token(text)) == 32
    assert decode_pairing_token(f"  {text}=\n") == decode_pairing_token(text)
    assert new_pairing_token() != text


@pytest.mark.parametrize("text", ["", "abc", "A" * 42, "A" * 44, "A" * 42 + "+/", "A" * 42 + "!"])
def test_bad_pairing_token_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="pairing token"):
        decode_pairing_token(text)


# ------------------------------------------------------------------------------------------------------- signing


class FakeClock:
    """A settable unix clock."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _verifier(clock: FakeClock | None = None, **options: Any) -> RequestVerifier:
    tokens = {DEVICE: TOKEN, "pi-hall": OTHER_TOKEN}
    return RequestVerifier(tokens.get, clock or FakeClock(), **options)


def _signed(body: bytes = b"{}", method: str = "POST", path: str = PATH, now: float = NOW) -> dict[str, str]:
    return sign_request(TOKEN, DEVICE, method, path, body, now)


def test_signed_request_verifies() -> None:
    headers = _signed(b"payload")
    assert set(headers) == {HEADER_DEVICE, HEADER_TIMESTAMP, HEADER_NONCE, HEADER_SIGNATURE}
    assert headers[HEADER_TIMESTAMP] == "1717243200"
    verified = _verifier().verify("POST", PATH, headers, b"payload")
    assert verified.device_id == DEVICE
    assert verified.skew_s == 0


def test_empty_body_and_query_string_verify() -> None:
    headers = _signed(b"", method="get", path="/api/v1/stats?window=3600")
    assert _verifier().verify("GET", "/api/v1/stats?window=3600", headers, b"").device_id == DEVICE


def test_canonical_string_layout() -> None:
    canonical = canonical_request("POST", PATH, DEVICE, "1717243200", "ab" * 16, b"")
    assert canonical.decode().split("\n") == [
        SIGNATURE_SCHEME,
        "POST",
        PATH,
        DEVICE,
        "1717243200",
        "ab" * 16,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",  # SHA-256 of nothing
    ]


def test_header_names_are_case_insensitive() -> None:
    headers = {name.lower(): value for name, value in _signed().items()}
    assert _verifier().verify("POST", PATH, headers, b"{}").device_id == DEVICE


def test_nonces_are_random() -> None:
    assert _signed()[HEADER_NONCE] != _signed()[HEADER_NONCE]


@pytest.mark.parametrize(
    ("method", "path", "body", "header", "value"),
    [
        ("POST", PATH, b"{}!", None, None),
        ("POST", "/api/v1/edge/heartbeat", b"{}", None, None),
        ("PUT", PATH, b"{}", None, None),
        ("POST", PATH, b"{}", HEADER_TIMESTAMP, "1717243201"),
        ("POST", PATH, b"{}", HEADER_NONCE, "cd" * 16),
        ("POST", PATH, b"{}", HEADER_DEVICE, "pi-hall"),
        ("POST", PATH, b"{}", HEADER_SIGNATURE, "0" * 64),
        ("POST", PATH, b"{}", HEADER_SIGNATURE, "zz"),
    ],
    ids=["body", "path", "method", "timestamp", "nonce", "device", "signature", "signature-shape"],
)
def test_tampered_request_is_refused_with_401(
    method: str, path: str, body: bytes, header: str | None, value: str | None
) -> None:
    headers = _signed(b"{}")
    if header is not None and value is not None:
        headers[header] = value
    assert _status(lambda: _verifier().verify(method, path, headers, body)) == 401


def test_wrong_token_is_refused_with_401() -> None:
    headers = sign_request(OTHER_TOKEN, DEVICE, "POST", PATH, b"{}", NOW)
    with pytest.raises(ProtocolError, match="bad signature") as caught:
        _verifier().verify("POST", PATH, headers, b"{}")
    assert caught.value.status == 401


def test_unknown_device_is_refused_with_401() -> None:
    headers = sign_request(TOKEN, "pi-stranger", "POST", PATH, b"{}", NOW)
    with pytest.raises(ProtocolError, match="unknown or revoked device") as caught:
        _verifier().verify("POST", PATH, headers, b"{}")
    assert caught.value.status == 401


@pytest.mark.parametrize("missing", [HEADER_DEVICE, HEADER_TIMESTAMP, HEADER_NONCE, HEADER_SIGNATURE])
def test_missing_header_is_refused_with_401(missing: str) -> None:
    headers = _signed()
    del headers[missing]
    with pytest.raises(ProtocolError, match=f"missing header {missing}") as caught:
        _verifier().verify("POST", PATH, headers, b"{}")
    assert caught.value.status == 401


def test_header_sent_twice_is_refused_with_401() -> None:
    headers = _signed()
    headers[HEADER_NONCE.lower()] = headers[HEADER_NONCE]
    with pytest.raises(ProtocolError, match="more than once") as caught:
        _verifier().verify("POST", PATH, headers, b"{}")
    assert caught.value.status == 401


def test_replay_is_refused_with_409() -> None:
    verifier = _verifier()
    headers = _signed()
    verifier.verify("POST", PATH, headers, b"{}")
    with pytest.raises(ProtocolError, match="replayed") as caught:
        verifier.verify("POST", PATH, headers, b"{}")
    assert caught.value.status == 409


def test_same_nonce_from_two_devices_is_not_a_replay() -> None:
    verifier = _verifier()
    nonce = "ef" * 16
    verifier.verify("POST", PATH, sign_request(TOKEN, DEVICE, "POST", PATH, b"", NOW, nonce), b"")
    verifier.verify("POST", PATH, sign_request(OTHER_TOKEN, "pi-hall", "POST", PATH, b"", NOW, nonce), b"")


def test_failed_verification_does_not_burn_the_nonce() -> None:
    verifier = _verifier()
    headers = _signed(b"{}")
    assert _status(lambda: verifier.verify("POST", PATH, headers, b"forged")) == 401
    verifier.verify("POST", PATH, headers, b"{}")


@pytest.mark.parametrize("offset", [-299.0, 120.0, 300.0])
def test_skew_within_window_is_tolerated_and_reported(offset: float) -> None:
    headers = _signed(now=NOW + offset)
    verified = _verifier().verify("POST", PATH, headers, b"{}")
    assert verified.skew_s == pytest.approx(offset)


@pytest.mark.parametrize(("offset", "shown"), [(-301.0, "-301 s"), (3600.0, "+3600 s")])
def test_skew_beyond_window_is_refused_with_401_naming_the_skew(offset: float, shown: str) -> None:
    headers = _signed(now=NOW + offset)
    with pytest.raises(ProtocolError, match="clock skew") as caught:
        _verifier().verify("POST", PATH, headers, b"{}")
    assert caught.value.status == 401
    assert shown in caught.value.message
    assert DEVICE in caught.value.message


def test_replay_after_the_nonce_expires_fails_on_the_clock() -> None:
    clock = FakeClock()
    verifier = _verifier(clock)
    headers = _signed()
    verifier.verify("POST", PATH, headers, b"{}")
    clock.now += 601
    assert len(verifier) == 1
    with pytest.raises(ProtocolError, match="clock skew") as caught:
        verifier.verify("POST", PATH, headers, b"{}")
    assert caught.value.status == 401


def test_nonce_cache_is_bounded_and_evicts_expired_first() -> None:
    clock = FakeClock()
    verifier = _verifier(clock, max_nonces=3)
    for _ in range(3):
        verifier.verify("POST", PATH, _signed(), b"{}")
    with pytest.raises(ProtocolError, match="retry later") as caught:
        verifier.verify("POST", PATH, _signed(), b"{}")
    assert caught.value.status == 429
    assert len(verifier) == 3
    clock.now += 601
    verifier.verify("POST", PATH, _signed(now=clock.now), b"{}")
    assert len(verifier) == 1


def test_verifier_refuses_a_ttl_shorter_than_the_window() -> None:
    with pytest.raises(ValueError, match="twice"):
        _verifier(max_skew_s=300, nonce_ttl_s=599)


@pytest.mark.parametrize(
    ("token", "device", "method", "path", "nonce"),
    [
        (TOKEN[:16], DEVICE, "POST", PATH, None),
        (TOKEN, "bad device", "POST", PATH, None),
        (TOKEN, DEVICE, "PO\nST", PATH, None),
        (TOKEN, DEVICE, "POST", "/a\nb", None),
        (TOKEN, DEVICE, "POST", "relative", None),
        (TOKEN, DEVICE, "POST", PATH, "short"),
    ],
)
def test_sign_request_refuses_bad_input(token: bytes, device: str, method: str, path: str, nonce: str | None) -> None:
    with pytest.raises(ValueError):
        sign_request(token, device, method, path, b"", NOW, nonce)


# --------------------------------------------------------------------------------------------------------- JPEGs


@functools.cache
def _encode(codec_name: str, width: int, height: int, pix_fmt: str) -> bytes:
    import av
    import numpy as np

    codec = cast("av.VideoCodecContext", av.CodecContext.create(codec_name, "w"))
    codec.width, codec.height, codec.pix_fmt = width, height, pix_fmt
    codec.time_base = Fraction(1, 25)
    image = np.random.default_rng(7).integers(0, 256, (height, width, 3), dtype=np.uint8)
    frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format=pix_fmt)
    frame.pts = 0
    packets = [*codec.encode(frame), *codec.encode(None)]
    return b"".join(bytes(packet) for packet in packets)


def _jpeg(width: int = 320, height: int = 240) -> bytes:
    return _encode("mjpeg", width, height, "yuvj420p")


def _with_dimensions(jpeg: bytes, width: int, height: int) -> bytes:
    """The JPEG with its SOF0 frame header rewritten to claim other dimensions."""
    sof = jpeg.index(b"\xff\xc0")
    patched = bytearray(jpeg)
    patched[sof + 5 : sof + 9] = height.to_bytes(2, "big") + width.to_bytes(2, "big")
    return bytes(patched)


LIMIT = 10_000_000


@pytest.mark.parametrize(("width", "height"), [(320, 240), (64, 48), (1280, 720)])
def test_real_jpeg_reports_its_dimensions(width: int, height: int) -> None:
    assert check_jpeg(_jpeg(width, height), LIMIT, LIMIT) == (width, height)


@pytest.mark.parametrize("pix_fmt", ["yuvj422p", "yuvj444p"])
def test_other_chroma_subsampling_is_accepted(pix_fmt: str) -> None:
    assert check_jpeg(_encode("mjpeg", 96, 64, pix_fmt), LIMIT, LIMIT) == (96, 64)


def test_padding_after_the_end_is_tolerated() -> None:
    assert check_jpeg(_jpeg() + b"\x00\x00\xff", LIMIT, LIMIT) == (320, 240)


def test_png_named_jpg_is_refused_with_415(tmp_path: Path) -> None:
    upload = tmp_path / "snapshot.jpg"
    upload.write_bytes(_encode("png", 32, 24, "rgb24"))
    with pytest.raises(ProtocolError, match="PNG") as caught:
        check_jpeg(upload.read_bytes(), LIMIT, LIMIT)
    assert caught.value.status == 415


@pytest.mark.parametrize("data", [b"", b"hello, this is a text file.jpg\n", b"GIF89a....", b"\x00" * 100])
def test_non_jpeg_is_refused_with_415(data: bytes) -> None:
    assert _status(lambda: check_jpeg(data, LIMIT, LIMIT)) == 415


@pytest.mark.parametrize(
    ("cut", "fragment"),
    [
        (lambda jpeg: jpeg[: len(jpeg) // 2], "end-of-image"),
        (lambda jpeg: jpeg[:-2], "end-of-image"),
        (lambda jpeg: jpeg[:2], "nothing after"),
        (lambda jpeg: jpeg[:5], "length cut off"),
        (lambda jpeg: jpeg[: jpeg.index(b"\xff\xc0") + 6], "runs past the end"),
        (lambda jpeg: jpeg[: jpeg.index(b"\xff\xda")] + b"\xff\xd9", "no frame header or no image data"),
        (lambda jpeg: jpeg + b"PK\x03\x04 a zip", "data after"),
        (lambda jpeg: jpeg[:2] + b"\xff\xda\x00\x02" + jpeg[2:], "image data before the frame header"),
    ],
    ids=["half", "no-eoi", "soi-only", "segment-cut", "sof-cut", "no-scan", "trailing", "scan-first"],
)
def test_truncated_or_corrupt_jpeg_is_refused_with_400(cut: Callable[[bytes], bytes], fragment: str) -> None:
    with pytest.raises(ProtocolError, match=fragment) as caught:
        check_jpeg(cut(_jpeg()), LIMIT, LIMIT)
    assert caught.value.status == 400


def test_oversized_jpeg_is_refused_with_413() -> None:
    jpeg = _jpeg()
    assert check_jpeg(jpeg, len(jpeg), LIMIT) == (320, 240)
    with pytest.raises(ProtocolError, match="byte limit") as caught:
        check_jpeg(jpeg, len(jpeg) - 1, LIMIT)
    assert caught.value.status == 413


def test_header_claiming_20000_by_20000_is_refused_with_400() -> None:
    bomb = _with_dimensions(_jpeg(), 20000, 20000)
    with pytest.raises(ProtocolError, match="20000x20000 pixels is over") as caught:
        check_jpeg(bomb, LIMIT, 4096 * 4096)
    assert caught.value.status == 400


@pytest.mark.parametrize(("width", "height"), [(0, 240), (320, 0)])
def test_zero_dimension_is_refused_with_400(width: int, height: int) -> None:
    assert _status(lambda: check_jpeg(_with_dimensions(_jpeg(), width, height), LIMIT, LIMIT)) == 400


def test_lossless_jpeg_is_refused_with_415() -> None:
    jpeg = _jpeg()
    sof = jpeg.index(b"\xff\xc0")
    lossless = jpeg[: sof + 1] + b"\xc3" + jpeg[sof + 2 :]
    with pytest.raises(ProtocolError, match="SOF3") as caught:
        check_jpeg(lossless, LIMIT, LIMIT)
    assert caught.value.status == 415


# -------------------------------------------------------------------------------------------------- independence


def test_edge_imports_nothing_from_the_desktop() -> None:
    code = (
        "import sys, edge.protocol, edge.spool; "
        "leaks = [m for m in sys.modules if m.split('.')[0] == 'nvr_desktop']; "
        "assert not leaks, leaks"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_a_response_signature_binds_token_nonce_status_and_body() -> None:
    from edge.protocol import response_is_authentic, sign_response

    nonce = "ab" * 16
    signature = sign_response(TOKEN, nonce, 201, b'{"event_id": 1}')
    assert response_is_authentic(TOKEN, nonce, 201, b'{"event_id": 1}', signature)
    assert not response_is_authentic(OTHER_TOKEN, nonce, 201, b'{"event_id": 1}', signature), "another token"
    assert not response_is_authentic(TOKEN, "cd" * 16, 201, b'{"event_id": 1}', signature), "another request"
    assert not response_is_authentic(TOKEN, nonce, 200, b'{"event_id": 1}', signature), "another status"
    assert not response_is_authentic(TOKEN, nonce, 201, b'{"event_id": 2}', signature), "another body"
    assert not response_is_authentic(TOKEN, nonce, 201, b'{"event_id": 1}', None)
    assert not response_is_authentic(TOKEN, nonce, 201, b'{"event_id": 1}', signature.upper())
