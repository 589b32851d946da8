"""The heartbeat document: strict validation both ways, like detections."""

from __future__ import annotations

import json
from typing import Any

import pytest

from edge.protocol import MAX_HEARTBEAT_BYTES, Heartbeat, ProtocolError


def _heartbeat(**changes: Any) -> Heartbeat:
    fields: dict[str, Any] = {
        "device_id": "pi-door-1",
        "agent_version": "0.1.0",
        "uptime_s": 12.5,
        "interval_s": 30,
        "queue_length": 4,
        "dropped": 0,
        "refused": 1,
        "detections": 9,
        "temperature_c": 48.3,
    }
    fields.update(changes)
    return Heartbeat(**fields)


def test_a_heartbeat_survives_the_wire() -> None:
    beat = _heartbeat()
    assert Heartbeat.from_json(beat.to_json()) == beat
    assert Heartbeat.from_json(_heartbeat(temperature_c=None).to_json()).temperature_c is None
    doc = json.loads(beat.to_json())
    del doc["temperature_c"]
    assert Heartbeat.from_json(json.dumps(doc)).temperature_c is None, "temperature is optional"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"queue_length": -1}, "queue_length must be an integer"),
        ({"dropped": True}, "dropped must be an integer"),
        ({"detections": 1.5}, "detections must be an integer"),
        ({"uptime_s": -1}, "uptime_s must be a number"),
        ({"interval_s": 0}, "interval_s must be a number"),
        ({"temperature_c": 900}, "temperature_c must be null or a number"),
        ({"agent_version": "1.0 beta"}, "agent_version must be"),
        ({"device_id": "../x"}, "device_id must be"),
    ],
)
def test_bad_fields_are_refused_with_400(change: dict[str, Any], expected: str) -> None:
    doc = json.loads(_heartbeat().to_json())
    doc.update(change)
    with pytest.raises(ProtocolError) as caught:
        Heartbeat.from_json(json.dumps(doc))
    assert caught.value.status == 400 and expected in caught.value.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"[]", "must be a JSON object"),
        (b'{"version": 1, "version": 1}', "duplicate keys"),
        (b"\xff", "not UTF-8"),
        (b"{", "malformed JSON"),
        (b'{"version": 2}', "missing fields"),
    ],
)
def test_malformed_documents_are_refused(raw: bytes, expected: str) -> None:
    with pytest.raises(ProtocolError, match=expected) as caught:
        Heartbeat.from_json(raw)
    assert caught.value.status == 400


def test_unknown_missing_and_version_and_size() -> None:
    doc = json.loads(_heartbeat().to_json())
    with pytest.raises(ProtocolError, match="unknown fields: cpu"):
        Heartbeat.from_json(json.dumps({**doc, "cpu": 3}))
    with pytest.raises(ProtocolError, match="missing fields: uptime_s"):
        Heartbeat.from_json(json.dumps({k: v for k, v in doc.items() if k != "uptime_s"}))
    with pytest.raises(ProtocolError, match="unsupported protocol version 2"):
        Heartbeat.from_json(json.dumps({**doc, "version": 2}))
    with pytest.raises(ProtocolError) as caught:
        Heartbeat.from_json(b" " * (MAX_HEARTBEAT_BYTES + 1))
    assert caught.value.status == 413
