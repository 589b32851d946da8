"""Stream URL validation, credential splitting and redaction."""

from __future__ import annotations

import pytest

from nvr_desktop.core.errors import ValidationError
from nvr_desktop.core.urls import (
    SecretRegistry,
    parse_stream_url,
    redact_text,
    redact_url,
    strip_credentials,
    with_credentials,
)


def test_credentials_are_split_out_of_the_url() -> None:
    parsed = parse_stream_url("rtsp://admin:p%40ss:w0rd@192.0.2.10:554/Streaming/Channels/101")
    assert parsed.url == "rtsp://192.0.2.10:554/Streaming/Channels/101"
    assert parsed.username == "admin"
    assert parsed.password == "p@ss:w0rd"


def test_url_without_credentials_is_kept_as_is() -> None:
    parsed = parse_stream_url("  http://cam.local/mjpeg?fps=5 ")
    assert parsed == parsed.__class__("http://cam.local/mjpeg?fps=5", None, None)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "empty"),
        ("file:///etc/passwd", "unsupported URL scheme file:"),
        ("concat:a.mp4|b.mp4", "unsupported URL scheme concat:"),
        ("subfile:,start,0,end,100,:/etc/shadow", "unsupported URL scheme"),
        ("data:text/plain,hello", "unsupported URL scheme"),
        ("-i rtsp://x/y", "cannot start with '-'"),
        ("rtsp://host/a b", "spaces or control"),
        ("rtsp:///nohost", "no host"),
        ("rtsp://host:99999/x", "invalid port"),
        ("rtsp://host:0/x", "between 1 and 65535"),
        ("cam.local/stream", "unsupported URL scheme (none)"),
        ("rtsp://h/" + "a" * 3000, "longer than"),
    ],
)
def test_bad_urls_are_rejected_with_a_clear_message(url: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_stream_url(url)


def test_with_credentials_round_trips_through_parse() -> None:
    url = with_credentials("rtsp://10.0.0.5:554/cam", "user name", "p@ss/wo:rd#1")
    parsed = parse_stream_url(url)
    assert (parsed.username, parsed.password) == ("user name", "p@ss/wo:rd#1")
    assert parsed.url == "rtsp://10.0.0.5:554/cam"


def test_ipv6_host_keeps_its_brackets() -> None:
    assert strip_credentials("rtsp://u:p@[::1]:8554/x") == "rtsp://[::1]:8554/x"
    assert with_credentials("rtsp://[::1]:8554/x", "u", "p") == "rtsp://u:p@[::1]:8554/x"


def test_redact_url_masks_password_and_secret_query_keys() -> None:
    assert redact_url("rtsp://admin:hunter22@h/x") == "rtsp://admin:***@h/x"
    assert redact_url("rtsp://admin@h/x") == "rtsp://admin@h/x"
    masked = redact_url("http://h/cgi?user=admin&password=hunter22&channel=1")
    assert "hunter22" not in masked
    assert "channel=1" in masked and "password=***" in masked


def test_redact_text_masks_known_secrets_in_any_encoding() -> None:
    canary = "Sp3cial p@ss/word"
    registry = SecretRegistry()
    registry.add(canary)
    text = (
        f"open rtsp://u:{canary}@h/x failed; raw {canary}; quoted Sp3cial%20p%40ss%2Fword; plus Sp3cial+p%40ss%2Fword"
    )
    out = redact_text(text, registry)
    assert canary not in out
    assert "p%40ss" not in out
    assert out.count("***") >= 4


def test_short_secrets_are_not_masked_as_bare_words() -> None:
    registry = SecretRegistry()
    registry.add("ab")
    assert redact_text("tab", registry) == "tab"
