"""Schemathesis against the listener's own OpenAPI document, over real TCP on 127.0.0.1.

Every operation the document describes gets requests generated from its schema (Hypothesis: valid and invalid
bodies, headers, parameters), half of them signed by a paired device so they pass authentication and reach the
body checks, the rest as they come. No answer may be a server error, and each one must be one the document
describes, with a body that matches its schema.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edge.protocol import decode_pairing_token, sign_request
from nvr_desktop.events.store import EventStore
from nvr_desktop.net.listener import EdgeListener, ListenerLimits, openapi_document
from nvr_desktop.services.cameras import CameraSpec

DEVICE = "pi-schema"
# Positive-data acceptance is left out: the document cannot express a valid signature or a decodable JPEG, so
# schema-valid bodies are refused (400, 401, 415) as they must be; every other kind of check runs.
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.negative_data_rejection,
]
EXAMPLES = 150  # per operation


@pytest.fixture
def served(services: Any, admin: Any) -> Iterator[tuple[str, bytes, Any]]:
    camera = services.cameras.add(admin, CameraSpec(name="Door", main_url="rtsp://127.0.0.1/a"))
    _, token = services.edge.add(admin, DEVICE, camera_id=camera.id)
    limits = ListenerLimits(rate_per_s=10_000, burst=10_000, body_deadline_s=2.0)
    server = EdgeListener(
        EventStore(services.db, services.paths.snapshots),
        services.edge.lookup_token,
        port=0,
        limits=limits,
        on_heartbeat=services.edge.record_heartbeat,
        stats=lambda: services.overview.snapshot(admin).to_dict(),
        stats_devices=frozenset({DEVICE}),
    )
    server.start()
    yield f"http://127.0.0.1:{server.port}", decode_pairing_token(token), services
    server.stop()


def check(operation: Any, session: requests.Session, base: str, token: bytes, seen: dict[str, set[int]]) -> None:
    """Generated requests for one operation, signed or not: no server error, every answer as documented."""
    name = f"{operation.method.upper()} {operation.path}"

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), signed=st.booleans())
    def run(case: Any, signed: bool) -> None:
        kwargs = case.as_transport_kwargs(base_url=base)
        kwargs.pop("timeout", None)
        prepared = session.prepare_request(requests.Request(**kwargs))
        if signed:
            body = prepared.body or b""
            body = body.encode() if isinstance(body, str) else body
            parts = urlsplit(prepared.url)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            prepared.headers.update(sign_request(token, DEVICE, prepared.method or "GET", path, body, time.time()))
        response = session.send(prepared, timeout=15)
        seen.setdefault(name, set()).add(response.status_code)
        assert response.status_code < 500, f"{prepared.method} {prepared.url}: {response.status_code}"
        case.validate_response(response, checks=CHECKS)

    run()


def test_no_generated_request_gets_a_server_error_or_an_undocumented_answer(
    served: tuple[str, bytes, Any],
) -> None:
    base, token, _ = served
    schema = schemathesis.openapi.from_dict(openapi_document())
    session = requests.Session()
    seen: dict[str, set[int]] = {}
    for result in schema.get_all_operations():
        check(result.ok(), session, base, token, seen)
    # The generated requests reached past authentication on every signed operation, not only refusals.
    assert seen.keys() == {
        "GET /api/v1/health",
        "POST /api/v1/detections",
        "POST /api/v1/heartbeat",
        "GET /api/v1/stats",
    }
    assert 200 in seen["GET /api/v1/stats"] and 200 in seen["GET /api/v1/health"]
    assert seen["POST /api/v1/detections"] & {400, 415}, "signed bodies reached the document checks"
