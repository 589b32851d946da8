"""Recording end to end inside the app's runtime: real RTSP camera, real stream processes, real SQLite index.

Covers the issue's acceptance lines: a 10 s segment decodes with the right duration; the camera going away for 20 s
leaves a gap row and a new segment afterwards; a full disk (a real tmpfs, so ENOSPC is real) raises the alarm,
stops writing and resumes by itself.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import av
import av.error
import pytest

from nvr_desktop.app import Services, build_services, start_runtime
from nvr_desktop.core.models import RecordMode
from nvr_desktop.core.recording import GapCause, SegmentState
from nvr_desktop.media.procpool import DISPLAY_NICENESS
from nvr_desktop.services.cameras import CameraSpec
from tests.support.cameras import RtspTestServer
from tests.support.clips import playable_frames

GOP_S = 2.0


def wait_for(what: str, condition: Callable[[], Any], timeout: float) -> Any:
    """Poll until condition() is truthy; fail naming what was awaited."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out after {timeout:.0f} s waiting for {what}"
        time.sleep(0.2)


def configure(basedir: Path, **recording: object) -> None:
    lines = ["version = 1", "[security]", "bcrypt_rounds = 4", "[recording]"]
    lines += [f"{k} = {v!r}" if not isinstance(v, str) else f'{k} = "{v}"' for k, v in recording.items()]
    (basedir / "config.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def recording_app(basedir: Path) -> Iterator[Callable[..., Services]]:
    """Build services with a recording config; closed (runtime first) after the test."""
    built: list[Services] = []

    def make(storage: Path | None = None, **recording: object) -> Services:
        configure(basedir, **recording)
        if storage is not None:
            with (basedir / "config.toml").open("a", encoding="utf-8") as fh:
                fh.write(f'[storage]\nrecordings_dir = "{storage}"\n')
        services = build_services(basedir)
        built.append(services)
        return services

    yield make
    for services in built:
        services.close()


def add_camera(services: Services, url: str, mode: RecordMode = RecordMode.CONTINUOUS) -> int:
    from nvr_desktop.security.access import owner_principal

    camera = services.cameras.add(
        owner_principal("test"), CameraSpec(name="Door", main_url=url, record_mode=mode, segment_seconds=10)
    )
    return camera.id


def decoded(path: Path) -> tuple[int, float]:
    """Frames and seconds that decode; a file cut by a full disk may end in a torn fragment (everything before
    it must decode)."""
    times = playable_frames(path)
    assert times, f"{path.name} does not decode at all"
    return len(times), times[-1] - times[0]


def closed_segments(services: Services, camera_id: int) -> list[Any]:
    return [
        s
        for s in services.recordings.list_segments(_owner(), [camera_id])
        if s.state is SegmentState.CLOSED and s.end is not None
    ]


def _owner() -> Any:
    from nvr_desktop.security.access import owner_principal

    return owner_principal("test")


def test_continuous_recording_segments_decode_and_an_outage_leaves_a_gap(
    rtsp_server: RtspTestServer, recording_app: Callable[..., Services]
) -> None:
    services = recording_app(guard_interval_s=1.0, free_reserve_mb=0)
    camera_id = add_camera(services, rtsp_server.url(1))
    runtime = start_runtime(services)

    first = wait_for("a finished 10 s segment", lambda: closed_segments(services, camera_id), 40)[0]
    assert first.path.is_relative_to(services.recordings.root / str(camera_id))
    assert first.codec == "h264" and (first.width, first.height) == (640, 360)
    frames, span = decoded(first.path)
    assert abs(first.duration_s - 10) <= GOP_S, f"segment lasted {first.duration_s:.1f} s"
    assert abs(span - first.duration_s) <= GOP_S, f"file holds {span:.1f} s for {first.duration_s:.1f} s indexed"
    assert frames >= 25 * (first.duration_s - GOP_S)
    assert camera_id in runtime.recording.recording_camera_ids()
    assert runtime.engine.niceness == DISPLAY_NICENESS, "the GUI's runtime keeps its stream processes below the GUI"

    # Export a range across the join of two segments: one file that plays through.
    second = wait_for("a second segment", lambda: closed_segments(services, camera_id)[1:], 20)[0]
    assert second.start >= first.end - timedelta(seconds=0.5), "segments follow each other without overlap"
    export_dir = services.paths.base / "exports"
    export_dir.mkdir()
    start, end = first.start + timedelta(seconds=4), second.start + timedelta(seconds=6)
    seen: list[float] = []
    (clip,) = services.recordings.export(_owner(), [camera_id], start, end, export_dir, seen.append)
    frames, span = decoded(clip)
    want = (end - start).total_seconds()
    assert want - 0.5 <= span <= want + GOP_S, f"export holds {span:.1f} s of a {want:.0f} s range"
    assert frames >= 25 * (want - 1)
    assert seen[-1] == 1.0 and seen == sorted(seen)
    with av.open(str(clip)) as container:
        stamps = [p.dts for p in container.demux(video=0) if p.dts is not None]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps), "timestamps strictly increase"
    assert services.audit.entries(action="recordings.export")[0].success

    # The camera goes away for 20 s.
    rtsp_server.stop()
    stopped = time.monotonic()
    gap = wait_for(
        "a camera-offline gap", lambda: [g for g in services.recordings.gaps([camera_id]) if g.end is None], 30
    )[0]
    assert gap.cause is GapCause.CAMERA_OFFLINE
    time.sleep(max(0.0, 20 - (time.monotonic() - stopped)))
    rtsp_server.start()
    closed_gap = wait_for(
        "the gap to close when recording resumes",
        lambda: [g for g in services.recordings.gaps([camera_id]) if g.end is not None],
        45,
    )[0]
    assert closed_gap.end is not None
    assert closed_gap.end - closed_gap.start >= timedelta(seconds=18), closed_gap
    after = [s for s in services.recordings.list_segments(_owner(), [camera_id]) if s.start >= closed_gap.end]
    assert after, "a new segment starts when the camera is back"
    before = [s for s in closed_segments(services, camera_id) if s.end is not None and s.end <= closed_gap.start]
    assert before, "the segment cut by the outage was closed at the outage, not left open"
    assert not runtime.recording.alarms()


@contextlib.contextmanager
def tmpfs(folder: Path, size_mb: int) -> Iterator[Path]:
    """A real small filesystem (tmpfs) so that a full disk is a real ENOSPC; needs root, as in CI and here."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path, leave_bytes: int) -> Path:
    """Write a filler file (not a recording, so retention cannot delete it) leaving about leave_bytes free."""
    filler = folder / "filler.bin"
    stat = os.statvfs(folder)
    free = stat.f_bavail * stat.f_frsize
    with filler.open("wb") as fh:
        remaining = max(0, free - leave_bytes)
        chunk = b"\0" * (1024 * 1024)
        while remaining > 0:
            try:
                fh.write(chunk[: min(len(chunk), remaining)])
            except OSError:
                break
            remaining -= len(chunk)
    return filler


def test_full_disk_raises_the_alarm_stops_writing_and_resumes(
    rtsp_server: RtspTestServer, recording_app: Callable[..., Services], tmp_path: Path
) -> None:
    with tmpfs(tmp_path / "disk", 32) as disk:
        storage = disk / "recordings"
        services = recording_app(storage, guard_interval_s=0.5, free_reserve_mb=8)
        camera_id = add_camera(services, rtsp_server.url(1))
        runtime = start_runtime(services)
        alarms = runtime.recording.alarms
        wait_for("recording to start", lambda: camera_id in runtime.recording.recording_camera_ids(), 30)

        # 1. Below the free-space reserve with nothing retention may delete: the guard raises the alarm.
        filler = fill(disk, 3 * 1024 * 1024)
        alarm = wait_for("the disk-full alarm", lambda: [a for a in alarms() if a.kind == "disk full"], 10)[0]
        assert "full" in alarm.message
        wait_for("writing to stop", lambda: camera_id not in runtime.recording.recording_camera_ids(), 10)
        gap = wait_for(
            "a disk-full gap", lambda: [g for g in services.recordings.gaps([camera_id]) if g.end is None], 10
        )
        assert gap[0].cause is GapCause.DISK_FULL
        filler.unlink()
        wait_for("the alarm to clear", lambda: not alarms(), 10)
        wait_for("writing to resume", lambda: camera_id in runtime.recording.recording_camera_ids(), 20)
        assert all(g.end is not None for g in services.recordings.gaps([camera_id]))

        # 2. No reserve at all and the disk fills up under the recorder: a real ENOSPC from the muxer.
        services.recordings.limits = type(services.recordings.limits)(free_reserve_bytes=0)
        filler = fill(disk, 0)
        alarm = wait_for("the disk-full alarm from ENOSPC", lambda: [a for a in alarms() if a.kind == "disk full"], 30)[
            0
        ]
        wait_for("writing to stop", lambda: camera_id not in runtime.recording.recording_camera_ids(), 10)
        filler.unlink()
        wait_for("the alarm to clear", lambda: not alarms(), 15)
        wait_for("writing to resume", lambda: camera_id in runtime.recording.recording_camera_ids(), 30)
        segments = services.recordings.list_segments(_owner(), [camera_id])
        services.close()  # before the tmpfs goes away
        assert len(segments) >= 3, "a segment before each stop and one after each resume"
        for seg in segments:
            if seg.state is SegmentState.DAMAGED:
                continue  # cut by ENOSPC inside its first fragment (at most one GOP): indexed as damaged, not hidden
            assert decoded(seg.path)[0] > 0, f"{seg.path.name} does not decode"
        assert sum(s.state is SegmentState.DAMAGED for s in segments) <= 1


def test_event_recording_starts_with_the_pre_roll_and_stops_after_the_post_roll(
    rtsp_server: RtspTestServer, recording_app: Callable[..., Services]
) -> None:
    services = recording_app(guard_interval_s=1.0, free_reserve_mb=0, pre_roll_s=4.0, post_roll_s=3.0)
    camera_id = add_camera(services, rtsp_server.url(1), RecordMode.EVENTS)
    runtime = start_runtime(services)
    time.sleep(8)  # connected and buffering, but nothing written while there is no event
    assert services.recordings.list_segments(_owner(), [camera_id]) == []
    assert not list(services.recordings.root.rglob("*.mp4"))

    from datetime import UTC, datetime

    triggered = datetime.now(UTC)
    runtime.recording.trigger(camera_id, triggered)
    seg = wait_for("the event segment to close after the post-roll", lambda: closed_segments(services, camera_id), 20)[
        0
    ]
    # The file starts up to pre_roll + one GOP before the event (a key frame), never after it.
    lead = (triggered - seg.start).total_seconds()
    assert 4.0 - GOP_S - 0.5 <= lead <= 4.0 + GOP_S + 0.5, f"segment starts {lead:.1f} s before the event"
    assert seg.end is not None
    tail = (seg.end - triggered).total_seconds()
    assert 3.0 - 0.5 <= tail <= 3.0 + 2.5, f"segment ends {tail:.1f} s after the event"
    frames, span = decoded(seg.path)
    assert abs(span - seg.duration_s) <= GOP_S and frames >= 25 * (seg.duration_s - GOP_S)
    assert not services.recordings.gaps([camera_id]), "an events camera between events is not a gap"
