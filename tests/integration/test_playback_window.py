"""The playback window over the real recordings service, index and playback engine: two cameras with real
recorded segments (a generated clip fed to the real SegmentRecorder), a gap row, synchronized tiles, export.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import av
import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from nvr_desktop.app import Services, build_services
from nvr_desktop.core.models import Principal
from nvr_desktop.core.recording import GapCause
from nvr_desktop.media.recorder import SegmentRecorder
from nvr_desktop.services.cameras import CameraSpec
from nvr_desktop.storage import recordings as idx
from nvr_desktop.ui.application import apply_theme
from nvr_desktop.ui.playback.window import PlaybackWindow
from tests.support.clips import cached_clip, clip_packets

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
SHOTS = Path("/tmp/playback_shots")


def record(
    services: Services, camera_id: int, start: datetime, seconds: float, skip: tuple[float, float] | None
) -> None:
    """Record a generated clip for camera_id from start, leaving out the skip range (seconds) as a camera outage."""
    clip = cached_clip(640, 360, 25, 12, 50)
    root = services.recordings.root
    now = [start]
    recorder = SegmentRecorder(camera_id, root, segment_s=4.0, clock=lambda: now[0])
    outage_at: datetime | None = None
    for packet, stream, t in clip_packets(clip):
        if t >= seconds:
            break
        now[0] = start + timedelta(seconds=t)
        if skip is not None and skip[0] <= t < skip[1]:
            if outage_at is None:
                outage_at = now[0]
                recorder.end_of_stream("camera offline")
            continue
        recorder(packet, stream)
    recorder.close()
    for seg in recorder.segments:
        services.db.write(
            lambda s, seg=seg: idx.insert_segment(
                s,
                root,
                camera_id,
                seg.path,
                seg.start,
                end=seg.end,
                size=seg.bytes,
                codec="h264",
                width=640,
                height=360,
                state=idx.SegmentState.CLOSED,
            )
        )
    if outage_at is not None and skip is not None:
        gap = services.db.write(lambda s: idx.insert_gap(s, camera_id, outage_at, GapCause.CAMERA_OFFLINE))
        resumed = min(seg.start for seg in recorder.segments if seg.start > outage_at)
        services.db.write(lambda s: idx.close_gap(s, gap.id, resumed))


@pytest.fixture
def two_cameras(basedir: Path) -> Iterator[tuple[Services, Principal, list[int]]]:
    services = build_services(basedir)
    services.users.create_first_admin("boss", "correct-horse", actor="test")
    admin = services.auth.login("boss", "correct-horse")
    ids = [
        services.cameras.add(admin, CameraSpec(name=name, main_url=f"rtsp://127.0.0.1:8554/{n}")).id
        for n, name in enumerate(("Front door", "Parking lot"), start=1)
    ]
    record(services, ids[0], T0, 12, skip=(4.0, 8.0))
    record(services, ids[1], T0, 12, skip=None)
    yield services, admin, ids
    services.close()


def test_two_synchronized_cameras_a_gap_and_an_export(
    qtbot: QtBot, qapp: QApplication, two_cameras: tuple[Services, Principal, list[int]], tmp_path: Path
) -> None:
    services, admin, ids = two_cameras
    apply_theme(qapp)  # as run_gui does, so the screenshot shows what users see
    exports = tmp_path / "exports"
    exports.mkdir()
    window = PlaybackWindow(
        services.playback_port(admin),
        cameras=ids,
        snapshot_dir=tmp_path / "snaps",
        choose_folder=lambda _parent, _title: exports,
        show_error=lambda title, text: pytest.fail(f"{title}: {text}"),
    )
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.timeline.set_view(T0 - timedelta(seconds=10), timedelta(seconds=40))
    window.refresh_timeline(force=True)
    data = window.timeline_data
    assert data is not None
    front, parking = data.track(ids[0]), data.track(ids[1])
    assert [g.cause for g in front.gaps] == [GapCause.CAMERA_OFFLINE] and not parking.gaps

    window.seek(T0 + timedelta(seconds=2))
    qtbot.waitUntil(lambda: window.grid.has_picture(ids[0]) and window.grid.has_picture(ids[1]), timeout=10_000)
    window.seek(T0 + timedelta(seconds=6))  # inside the front door's outage
    qtbot.waitUntil(lambda: not window.grid.has_picture(ids[0]) and window.grid.has_picture(ids[1]), timeout=10_000)
    window.timeline.set_selection(T0 + timedelta(seconds=1), T0 + timedelta(seconds=10))
    SHOTS.mkdir(parents=True, exist_ok=True)
    qtbot.wait(100)  # let the layout settle
    assert window.grab().save(str(SHOTS / "playback_real_two_cameras_gap.png"), "PNG")

    assert window.export(T0 + timedelta(seconds=1), T0 + timedelta(seconds=10), exports)
    qtbot.waitUntil(lambda: not window.exporting, timeout=30_000)
    files = sorted(exports.glob("*.mp4"))
    assert len(files) == 2, files
    for path in files:
        with av.open(str(path)) as container:
            assert sum(1 for _ in container.decode(video=0)) > 25
    entries = services.audit.entries(action="recordings.export")
    assert entries[0].actor == "boss" and entries[0].success
    assert services.audit.entries(action="playback.open")[0].actor == "boss"
    window.release()
    window.close()
    qapp.setStyleSheet("")


def test_a_viewer_cannot_open_playback(two_cameras: tuple[Services, Principal, list[int]]) -> None:
    from nvr_desktop.core.errors import PermissionDeniedError
    from nvr_desktop.core.roles import Role

    services, admin, ids = two_cameras
    services.users.add(admin, "vic", Role.VIEWER, "viewer-pass-1")
    services.users.grant(admin, "vic", {ids[0]})
    vic = services.auth.login("vic", "viewer-pass-1")
    port = services.playback_port(vic)
    with pytest.raises(PermissionDeniedError):
        port.cameras()
    with pytest.raises(PermissionDeniedError):
        port.open_playback([ids[0]], (320, 180))
    denied = services.audit.entries(action="playback.open")
    assert denied and not denied[0].success and denied[0].actor == "vic"


def test_protect_from_the_window_marks_the_index_and_retention_keeps_it(
    qtbot: QtBot, qapp: QApplication, two_cameras: tuple[Services, Principal, list[int]], tmp_path: Path
) -> None:
    services, admin, ids = two_cameras
    front, parking = ids
    window = PlaybackWindow(
        services.playback_port(admin),
        cameras=ids,
        confirm=lambda _title, _question: True,
        show_error=lambda title, text: pytest.fail(f"{title}: {text}"),
    )
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.timeline.set_view(T0 - timedelta(seconds=10), timedelta(seconds=40))
    window.timeline.set_selection(T0 + timedelta(seconds=1), T0 + timedelta(seconds=3))
    change = window.protect()
    assert change is not None and change.changed == 2  # the first file of each camera, whole

    def locked() -> dict[int, list[int]]:
        found = services.recordings.list_segments(admin, ids)
        return {cid: [seg.id for seg in found if seg.camera_id == cid and seg.protected] for cid in ids}

    first = {cid: min(seg.id for seg in services.recordings.list_segments(admin, [cid])) for cid in ids}
    assert locked() == {front: [first[front]], parking: [first[parking]]}
    audit = services.audit.entries(action="recordings.protect")
    assert audit[0].actor == "boss" and audit[0].success
    assert set(audit[0].target.split(",")) == {f"segment:{first[front]}", f"segment:{first[parking]}"}
    data = window.timeline_data
    assert data is not None and len(data.track(front).protected) == 1 and len(data.track(parking).protected) == 1
    assert window.timeline.protected_at(front, T0 + timedelta(seconds=2)) is not None
    assert window.timeline.protected_at(parking, T0 + timedelta(seconds=6)) is None

    # Footage older than a day goes, except what is protected.
    for cid in ids:
        services.cameras.update(admin, cid, CameraSpec(retention_days=1))
    report = services.recordings.apply_retention()
    assert report.deleted and not any(seg.protected for seg in report.deleted)
    kept = services.recordings.list_segments(admin, ids)
    assert sorted(seg.id for seg in kept) == sorted(first.values())
    assert all(seg.path.exists() for seg in kept)

    # Unprotected (the window asks first), the next retention pass deletes it too.
    window.set_selected_cameras([parking])
    window.timeline.set_selection(T0, T0 + timedelta(seconds=12))
    change = window.unprotect()
    assert change is not None and change.changed == 1
    assert services.audit.entries(action="recordings.unprotect")[0].target == f"segment:{first[parking]}"
    services.recordings.apply_retention()
    assert [seg.id for seg in services.recordings.list_segments(admin, ids)] == [first[front]]
    window.release()
    window.close()
