"""ONVIF discovery and onboarding against tests/support/onvif_sim.py.

The device is a simulator because no ONVIF camera can run on this machine: it speaks real SOAP 1.2 over HTTP and
answers real WS-Discovery probes over UDP, both on 127.0.0.1 only, checks the WS-UsernameToken digest, and its
GetStreamUri hands out the URLs of the real GStreamer RTSP test server, so the camera that results streams real
video through the real engine.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import zeep.exceptions
import zeep.loader
from pytestqt.qtbot import QtBot

from nvr_desktop.core.errors import ValidationError
from nvr_desktop.media.frames import FrameStore
from nvr_desktop.media.source import SourceSpec
from nvr_desktop.media.state import StreamState
from nvr_desktop.media.supervisor import CameraStreams, StreamSupervisor
from nvr_desktop.net.onvif import (
    WS_DISCOVERY_GROUP,
    BoundedTransport,
    OnvifClient,
    OnvifError,
    _settings,
    merge_results,
    parse_probe_matches,
    ws_discover,
)
from nvr_desktop.net.scan import NetworkScanner
from nvr_desktop.services.onboarding import onvif_candidate
from tests.support.cameras import RtspTestServer
from tests.support.fixtures import RTSP_PASSWORD, RTSP_USER
from tests.support.onvif_sim import OnvifSimulator, SimProfile

MARKER = "XXE-MARKER-7f3a9c-never-read"


@pytest.fixture
def sim(rtsp_server_auth: RtspTestServer) -> Iterator[OnvifSimulator]:
    """A simulated ONVIF camera whose two profiles point at the real RTSP server's /cam1 and /cam2."""
    profiles = [
        SimProfile("prof_main", "MainStream", 640, 360, 25, rtsp_server_auth.url(1)),
        SimProfile("prof_sub", "SubStream", 320, 180, 10, rtsp_server_auth.url(2)),
    ]
    with OnvifSimulator(profiles, username=RTSP_USER, password=RTSP_PASSWORD, slow_s=4.0) as device:
        yield device


def test_discovery_finds_the_simulated_device_and_its_two_profiles(sim: OnvifSimulator) -> None:
    (match,) = ws_discover(timeout_s=1.0, target=("127.0.0.1", sim.discovery_port))
    assert match.xaddrs == (sim.xaddr,) and match.name == "Sim Camera" and match.host == "127.0.0.1"
    with OnvifClient(match.xaddrs[0], RTSP_USER, RTSP_PASSWORD, timeout_s=3) as client:
        device = client.describe()
    assert (device.info.manufacturer, device.info.model, device.info.serial) == ("SimVision", "SV-PTZ-2", "SIM0001")
    assert [(p.token, p.width, p.height, p.fps, p.encoding, p.ptz) for p in device.profiles] == [
        ("prof_main", 640, 360, 25.0, "H264", True),
        ("prof_sub", 320, 180, 10.0, "H264", True),
    ]
    assert device.stream_uris["prof_main"].endswith("/cam1") and device.stream_uris["prof_sub"].endswith("/cam2")
    assert device.snapshot_uris["prof_main"] == f"http://127.0.0.1:{sim.port}/snapshot/prof_main.jpg"
    assert device.ptz_xaddr == f"http://127.0.0.1:{sim.port}/onvif/ptz_service"
    assert sim.auth_failures == 0


def test_a_multicast_probe_on_the_loopback_interface_finds_the_device() -> None:
    """The real multicast path: the probe goes to the WS-Discovery group, sent on 127.0.0.1 only (TTL 1), where the
    simulator has joined the group; a test port instead of 3702 keeps parallel runs apart."""
    profile = SimProfile("p", "Main", 640, 360, 25, "rtsp://127.0.0.1:9/cam1")
    with OnvifSimulator([profile], multicast_group=WS_DISCOVERY_GROUP[0]) as device:
        matches = ws_discover(
            timeout_s=1.0, target=(WS_DISCOVERY_GROUP[0], device.discovery_port), interface="127.0.0.1"
        )
    assert [m.xaddrs for m in matches] == [(device.xaddr,)]


def test_service_addresses_stay_on_the_host_the_user_reached(sim: OnvifSimulator) -> None:
    """A device naming another host (127.0.0.2: still loopback, where nothing listens) for its services is not
    followed there: requests keep going to the address the user typed."""
    sim.reported_host = "127.0.0.2"
    with OnvifClient(sim.xaddr, RTSP_USER, RTSP_PASSWORD, timeout_s=3) as client:
        device = client.describe()
    assert len(device.profiles) == 2
    assert device.ptz_xaddr == f"http://127.0.0.1:{sim.port}/onvif/ptz_service"


def test_wrong_credentials_are_a_clear_error(sim: OnvifSimulator) -> None:
    with (
        OnvifClient(sim.xaddr, RTSP_USER, "not-the-password", timeout_s=3) as client,
        pytest.raises(OnvifError, match="refused the user name or password"),
    ):
        client.device_information()
    assert sim.auth_failures == 1


def test_the_chosen_profile_becomes_a_camera_streaming_real_video(
    qtbot: QtBot, services: Any, admin: Any, sim: OnvifSimulator, tmp_path: Path
) -> None:
    from nvr_desktop.ui.bridge import StreamBridge
    from nvr_desktop.ui.wall.video_wall import VideoWall, WallCamera

    onboarding = services.onboarding
    (match,) = onboarding.discover_onvif(admin, timeout_s=1.0, target=("127.0.0.1", sim.discovery_port))
    device = onboarding.describe_onvif(admin, match.xaddrs[0], username=RTSP_USER, password=RTSP_PASSWORD)
    candidate = onvif_candidate(device, username=RTSP_USER, password=RTSP_PASSWORD)
    result = onboarding.add_many(admin, [candidate])
    (camera,) = result.added
    assert (camera.name, camera.brand, camera.has_password) == ("SimVision SV-PTZ-2", "onvif", True)
    assert camera.main_url == device.stream_uris["prof_main"] and camera.sub_url == device.stream_uris["prof_sub"]
    assert (camera.onvif_xaddr, camera.onvif_profile, camera.ptz_capable) == (sim.xaddr, "prof_main", True)
    assert result.outcomes[0].probe is not None and result.outcomes[0].probe.width == 640

    bridge = StreamBridge()
    supervisor = StreamSupervisor(FrameStore(), on_state=bridge.relay, budget_cores=8.0)
    wall = VideoWall(supervisor.frames, supervisor, snapshot_dir=tmp_path / "snapshots")
    bridge.stateChanged.connect(wall.on_state)
    qtbot.addWidget(wall)
    try:
        url = services.cameras.stream_url(admin, camera.id, "sub")
        supervisor.add_camera(camera.id, CameraStreams(main=SourceSpec(url, open_timeout_s=5, read_timeout_s=5)))
        wall.set_cameras([WallCamera(camera.id, camera.name)])
        wall.resize(640, 400)
        wall.set_layout(1)
        wall.show()
        qtbot.waitUntil(lambda: wall.state(camera.id).state is StreamState.LIVE, timeout=15000)
        qtbot.waitUntil(lambda: wall.snapshot_image(camera.id) is not None, timeout=10000)
        image = wall.grab().toImage()
        rect = wall.tile_rect(0)
        colours = {
            image.pixel(rect.left() + x, rect.top() + y)
            for x in range(10, rect.width() - 10, 37)
            for y in range(10, rect.height() - 40, 29)
        }
        assert len(colours) > 10, "the tile shows the RTSP server's picture"
    finally:
        wall.release()
        bridge.stop()
        supervisor.close()


@pytest.mark.parametrize(
    ("operation", "mode", "message"),
    [
        ("GetDeviceInformation", "xml_bomb", "declares a DTD or entities"),
        ("GetDeviceInformation", "xxe", "declares a DTD or entities"),
        ("GetDeviceInformation", "huge", "larger than 1024 KiB"),
        ("GetDeviceInformation", "wrong_types", "missing values or wrong types"),
        ("GetProfiles", "wrong_types", "wrong type for width"),
        ("GetStreamUri", "wrong_types", "unusable stream URI"),
        ("GetDeviceInformation", "slow", "did not answer within 1 s"),
        ("GetDeviceInformation", "drip", "took longer than 1 s"),
    ],
)
def test_hostile_replies_are_refused_quickly_and_read_no_local_file(
    sim: OnvifSimulator, tmp_path: Path, caplog: pytest.LogCaptureFixture, operation: str, mode: str, message: str
) -> None:
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(MARKER, encoding="utf-8")
    sim.xxe_target = str(secret_file)
    sim.hostile = {operation: mode}
    caplog.set_level(logging.DEBUG)
    started = time.monotonic()
    with (
        OnvifClient(sim.xaddr, RTSP_USER, RTSP_PASSWORD, timeout_s=1.0) as client,
        pytest.raises(OnvifError, match=message) as raised,
    ):
        client.describe()
    assert time.monotonic() - started < 3.0, "refused within the timeout, not after the whole reply"
    assert operation in str(raised.value)
    for text in (str(raised.value), repr(raised.value), caplog.text):
        assert MARKER not in text
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_zeep_itself_refuses_dtds_and_external_entities(tmp_path: Path) -> None:
    """Defence in depth: even without the transport's DTD check, zeep's settings refuse the XXE and the bomb."""
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(MARKER, encoding="utf-8")
    xxe = f'<!DOCTYPE a [<!ENTITY x SYSTEM "file://{secret_file}">]><a>&x;</a>'.encode()
    bomb = b'<!DOCTYPE a [<!ENTITY b "lol"><!ENTITY c "&b;&b;&b;&b;">]><a>&c;</a>'
    transport = BoundedTransport(1.0, 1024)
    try:
        for payload in (xxe, bomb):
            with pytest.raises((zeep.exceptions.DTDForbidden, zeep.exceptions.EntitiesForbidden)) as raised:
                zeep.loader.parse_xml(payload, transport, settings=_settings())
            assert MARKER not in repr(raised.value)
        with pytest.raises(OnvifError, match="DTD"):
            parse_probe_matches(xxe, "id")
    finally:
        transport.session.close()


def test_a_bad_onvif_address_is_refused() -> None:
    for address in ("rtsp://127.0.0.1/x", "http://user:pw@127.0.0.1/onvif", "file:///etc/passwd"):
        with pytest.raises(ValidationError):
            OnvifClient(address, None, None)


def test_ptz_commands_reach_the_device_with_the_right_vectors(sim: OnvifSimulator) -> None:
    with OnvifClient(sim.xaddr, RTSP_USER, RTSP_PASSWORD, timeout_s=3) as client:
        client.continuous_move("prof_main", 0.5, -0.25, 0.0)
        client.continuous_move("prof_main", 0.0, 0.0, 1.0)
        client.stop("prof_main")
        assert [(p.token, p.name) for p in client.presets("prof_main")] == [("1", "Gate"), ("2", "Yard")]
        client.goto_preset("prof_main", "2")
        token = client.set_preset("prof_main", "Door")
        with pytest.raises(ValidationError, match="pan must be between"):
            client.continuous_move("prof_main", 2.0, 0.0, 0.0)
    assert [(c.operation, c.profile, c.values) for c in sim.ptz_calls] == [
        ("ContinuousMove", "prof_main", {"pan": 0.5, "tilt": -0.25, "zoom": 0.0}),
        ("ContinuousMove", "prof_main", {"pan": 0.0, "tilt": 0.0, "zoom": 1.0}),
        ("Stop", "prof_main", {}),
        ("GotoPreset", "prof_main", {"preset": "2"}),
        ("SetPreset", "prof_main", {"name": "Door", "preset": token}),
    ]


def test_scan_and_discovery_merge_into_one_row_per_host(sim: OnvifSimulator, rtsp_server_auth: RtspTestServer) -> None:
    hits = NetworkScanner(timeout_s=60).scan("127.0.0.1", ports=(rtsp_server_auth.port, sim.port), confirm=True)
    matches = ws_discover(timeout_s=1.0, target=("127.0.0.1", sim.discovery_port))
    (row,) = merge_results(hits, matches)
    assert row.host == "127.0.0.1"
    assert set(row.open_ports) == {rtsp_server_auth.port, sim.port}
    assert row.onvif_xaddr == sim.xaddr and row.name == "Sim Camera" and row.brand_hint == "onvif"
