"""The listener's multipart reading: the two parts an agent sends, and every malformed body refused with 400/415."""

from __future__ import annotations

import pytest

from edge.protocol import ProtocolError
from nvr_desktop.net.listener import MAX_PARTS, parse_multipart

TYPE = "multipart/form-data; boundary=b0undary"


def part(name: str | None, payload: bytes, content_type: str = "application/octet-stream") -> bytes:
    disposition = "form-data" + (f'; name="{name}"' if name is not None else "")
    return (
        f"--b0undary\r\nContent-Disposition: {disposition}\r\nContent-Type: {content_type}\r\n\r\n".encode()
        + payload
        + b"\r\n"
    )


def body(*parts: bytes) -> bytes:
    return b"".join(parts) + b"--b0undary--\r\n"


def refused(content_type: str, data: bytes) -> ProtocolError:
    with pytest.raises(ProtocolError) as caught:
        parse_multipart(content_type, data)
    return caught.value


def test_the_parts_of_a_detection_come_back_whole() -> None:
    jpeg = b"\xff\xd8\xff" + bytes(range(256)) * 400 + b"\r\n--b0undar\r\n\n\xff\xd9"  # a near-boundary inside
    parts = parse_multipart(
        TYPE, body(part("detection", b'{"a": 1}', "application/json"), part("snapshot", jpeg, "image/jpeg"))
    )
    assert parts == {"detection": ("application/json", b'{"a": 1}'), "snapshot": ("image/jpeg", jpeg)}


@pytest.mark.parametrize(
    ("content_type", "data", "status", "words"),
    [
        ("application/json", b"{}", 415, "multipart/form-data"),
        ("multipart/form-data", body(part("a", b"x")), 400, "boundary"),
        (TYPE, body(part("a", b"x"), part("a", b"y")), 400, "unique name"),
        (TYPE, body(part(None, b"x")), 400, "could not be read"),
        (TYPE, part("a", b"x"), 400, "could not be read"),  # no closing boundary: cut off
        (TYPE, b"garbage without any boundary", 400, "could not be read"),
        (TYPE, b"", 400, "could not be read"),
        (TYPE, body(*(part(f"p{n}", b"x") for n in range(MAX_PARTS + 1))), 400, "could not be read"),
    ],
)
def test_malformed_bodies_are_refused_with_a_clear_status(
    content_type: str, data: bytes, status: int, words: str
) -> None:
    error = refused(content_type, data)
    assert error.status == status and words in error.message
