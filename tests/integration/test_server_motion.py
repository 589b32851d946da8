"""Server-side motion detection end to end: a real RTSP camera whose picture has a moving square, the real stream
processes (ProcessStreamEngine), MotionControl and EventStore over the app's database: events like an agent's."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import av
import pytest

from nvr_desktop.app import Services
from nvr_desktop.cli import main
from nvr_desktop.core.models import Event, Principal
from nvr_desktop.core.motion import MotionSettings
from nvr_desktop.events.store import EventStore
from nvr_desktop.media.frames import FrameStore
from nvr_desktop.media.motion_tap import MotionEvent
from nvr_desktop.media.procpool import ProcessStreamEngine
from nvr_desktop.media.source import SourceSpec
from nvr_desktop.media.state import DisplayWish, StreamState
from nvr_desktop.media.supervisor import CameraStreams, StreamSupervisor
from nvr_desktop.services.cameras import CameraSpec
from nvr_desktop.services.motion_control import MotionControl, motion_device_id
from nvr_desktop.services.recording_control import camera_streams
from tests.support.clips import cached_clip
from tests.support.fixtures import RtspServerFactory

RIGHT_HALF = ((0.5, 0.0), (1.0, 0.0), (1.0, 1.0), (0.5, 1.0))  # where the clip's square moves


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.fixture(scope="session")
def motion_clip() -> Path:
    """640x360 H.264, 25 fps, 30 s: a still checkerboard with a bright square sweeping across the right half."""
    return cached_clip(640, 360, 25, 30, 25, motion=True)


@pytest.fixture
def engine() -> Iterator[ProcessStreamEngine]:
    built = ProcessStreamEngine(processes=1)
    yield built
    built.close()


def test_motion_makes_agent_like_events_and_a_mask_or_motion_off_makes_none(
    services: Services,
    admin: Principal,
    motion_clip: Path,
    rtsp_server_factory: RtspServerFactory,
    engine: ProcessStreamEngine,
) -> None:
    server = rtsp_server_factory(motion_clip, 3)
    quick = MotionSettings(enabled=True, cooldown_s=1.0)  # default sensitivity and warm-up, events every ~1 s
    watched = services.cameras.add(admin, CameraSpec(name="door", main_url=server.url(1), motion=quick))
    masked = services.cameras.add(
        admin, CameraSpec(name="yard", main_url=server.url(2), motion=quick.changed(masks=(RIGHT_HALF,)))
    )
    off = services.cameras.add(admin, CameraSpec(name="hall", main_url=server.url(3)))
    assert not off.motion.enabled, "motion is off by default"
    stored: list[Event] = []

    def on_new(event: Event) -> None:
        stored.append(event)
        services.alerting.on_event(event)  # the agents' path: alert rules and event recording

    store = EventStore(services.db, services.paths.snapshots, on_new=on_new)
    control = MotionControl(services.db, services.cameras, engine, store, admin, reload_s=3600)
    triggered: list[int] = []  # what the default "burst" rule (record = true) asks event recording to start
    services.alerting.attach_recorder(lambda camera_id, at: triggered.append(camera_id))
    # The motion-off camera is on the wall but hidden: it must decode nothing.
    engine.add_camera(off.id, camera_streams(services.cameras, admin, off), user="live")
    engine.set_display(off.id, DisplayWish(visible=False))
    control.start()
    try:
        wait_until(lambda: len([e for e in stored if e.camera_id == watched.id]) >= 3, 20, "three motion events")
        assert control.watching() == {watched.id, masked.id}
        assert engine.stats(watched.id).state is StreamState.LIVE
        assert engine.stats(watched.id).fps == 0, "motion decodes without drawing anything for a hidden camera"
        assert engine.stats(off.id).state is StreamState.LIVE
        assert engine.stats(off.id).fps == 0 and engine.stats(off.id).input_fps > 15
        assert engine.frames.get(off.id) is None and engine.frames.get(watched.id) is None

        events = services.events.list(admin, camera_id=watched.id)
        assert len(events) >= 3
        for event in events:
            assert event.device_id == motion_device_id(watched.id) == f"nvr-motion-cam{watched.id}"
            assert event.labels == ("motion",) and 0 < event.score <= 1 and event.sequence > 0
            assert event.snapshot.startswith(event.captured_at.strftime("%Y-%m-%d") + "/")
            snapshot = services.paths.snapshots / "events" / event.snapshot
            with av.open(io.BytesIO(snapshot.read_bytes())) as jpeg:
                picture = next(jpeg.decode(video=0))
            assert (picture.width, picture.height) == (640, 360)
            # The square sweeps x 352..608, y 150..210 of the 640x360 frame.
            for x, y, w, h in event.boxes:
                assert x >= 330 and x + w <= 630 and y >= 130 and y + h <= 230, event.boxes
        assert {e.camera_id for e in stored} == {watched.id}, "the mask hides all motion; motion off finds none"
        assert [a.rule for a in services.alerts.list(admin, camera_id=watched.id)] == ["burst"]
        assert set(triggered) == {watched.id}, "event recording is triggered on the motion camera"

        # Motion off at run time: the camera stops producing events and its motion connection goes away.
        services.cameras.update(admin, watched.id, CameraSpec(motion=quick.changed(enabled=False)))
        control.reload()
        wait_until(lambda: control.watching() == {masked.id}, 5, "motion off for the first camera")
        time.sleep(1.0)  # detections already queued in the pipeline
        count = len(stored)
        time.sleep(3.0)
        assert len(stored) == count, "no events once motion is off"
        assert watched.id not in engine.camera_ids() and masked.id in engine.camera_ids()
    finally:
        services.alerting.attach_recorder(None)
        control.close()


def test_the_supervisor_decodes_a_hidden_camera_only_while_motion_is_on(
    motion_clip: Path, rtsp_server_factory: RtspServerFactory
) -> None:
    server = rtsp_server_factory(motion_clip, 1)
    found: list[MotionEvent] = []
    supervisor = StreamSupervisor(FrameStore(), on_motion=found.append)
    try:
        supervisor.add_camera(1, CameraStreams(main=SourceSpec(server.url(1))))
        supervisor.set_display(1, DisplayWish(visible=False))
        worker = supervisor.worker(1)
        assert worker is not None
        wait_until(lambda: worker.stats.state is StreamState.LIVE, 10, "live")
        time.sleep(1.0)
        assert worker.decoded_frames == 0, "no motion, hidden: the decoder stays idle"
        supervisor.set_motion(1, MotionSettings(enabled=True, cooldown_s=0.5))
        tap = worker.motion
        assert tap is not None
        wait_until(lambda: len(found) >= 2, 10, "motion events")
        start_frames, start_analysed, started = worker.decoded_frames, tap.analysed, time.monotonic()
        time.sleep(2.0)
        elapsed = time.monotonic() - started
        decoded, analysed = worker.decoded_frames - start_frames, tap.analysed - start_analysed
        assert decoded / elapsed > 20, "every frame decoded (25 fps)"
        assert 3.5 < analysed / elapsed < 6.5, "analysed at the settings' 5 fps"
        assert worker.stats.fps == 0, "nothing drawn for the hidden tile"
        event = found[0]
        assert event.camera_id == 1 and event.frame_size == (640, 360) and event.jpeg[:2] == b"\xff\xd8"
        supervisor.set_motion(1, None)
        assert worker.motion is None
        time.sleep(0.5)
        settled = worker.decoded_frames
        time.sleep(1.0)
        assert worker.decoded_frames == settled, "motion off, hidden: idle again"
    finally:
        supervisor.close()


def run_cli(basedir: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--basedir", str(basedir), *args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_the_cli_turns_motion_on_with_sensitivity_zones_and_masks(
    services: Services, admin: Principal, basedir: Path
) -> None:
    camera = services.cameras.add(admin, CameraSpec(name="door", main_url="rtsp://127.0.0.1:1/x"))
    services.close()
    code, _, err = run_cli(
        basedir,
        "cameras",
        "update",
        str(camera.id),
        "--motion",
        "on",
        "--motion-sensitivity",
        "8",
        "--motion-zone",
        "0,0 0.5,0 0.5,1",
        "--motion-mask",
        "0,0 0.1,0 0.1,0.1",
    )
    assert code == 0, err
    code, out, err = run_cli(basedir, "cameras", "show", str(camera.id), "--json")
    motion = json.loads(out)["motion"]
    assert motion["enabled"] and motion["sensitivity"] == 8
    assert motion["zones"] == [[[0.0, 0.0], [0.5, 0.0], [0.5, 1.0]]] and len(motion["masks"]) == 1
    code, _, err = run_cli(basedir, "cameras", "update", str(camera.id), "--motion", "off", "--no-motion-zones")
    assert code == 0, err
    motion = json.loads(run_cli(basedir, "cameras", "show", str(camera.id), "--json")[1])["motion"]
    assert not motion["enabled"] and motion["sensitivity"] == 8 and motion["zones"] == [] == motion["masks"]
    shown = run_cli(basedir, "cameras", "show", str(camera.id))[1]
    assert any(line.startswith("motion ") and '"sensitivity": 8' in line for line in shown.splitlines()), shown
    code, _, err = run_cli(basedir, "cameras", "update", str(camera.id), "--motion-sensitivity", "11")
    assert code != 0 and "sensitivity" in err
    code, _, err = run_cli(basedir, "cameras", "update", str(camera.id), "--motion-zone", "0,0 2,0 1,1")
    assert code != 0 and "zones" in err


def test_motion_uses_the_sub_stream_and_leaves_the_main_stream_alone(
    motion_clip: Path, rtsp_server_factory: RtspServerFactory
) -> None:
    server = rtsp_server_factory(motion_clip, 2)
    supervisor = StreamSupervisor(FrameStore())
    try:
        supervisor.add_camera(1, CameraStreams(main=SourceSpec(server.url(1)), sub=SourceSpec(server.url(2))))
        supervisor.set_display(1, DisplayWish(visible=False))
        supervisor.set_motion(1, MotionSettings(enabled=True))
        sub, main = supervisor.worker(1, "sub"), supervisor.worker(1, "main")
        assert sub is not None and sub.motion is not None and main is None
        wait_until(lambda: sub.decoded_frames > 0, 10, "the sub-stream decodes for motion")
        supervisor.set_motion(1, MotionSettings(enabled=False))
        assert sub.motion is None and supervisor.worker(1, "main") is None
    finally:
        supervisor.close()
