"""The recording index against real files: start-up repair and reconciliation, retention on disk, the CLI.

Segments are real fragmented MP4 files written by the real SegmentRecorder from a generated clip.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import av
import pytest

from nvr_desktop.app import Services, build_services
from nvr_desktop.cli import main
from nvr_desktop.core.recording import RetentionLimits, SegmentState
from nvr_desktop.media.recorder import SegmentRecorder
from nvr_desktop.security.access import owner_principal
from nvr_desktop.storage import recordings as idx
from tests.support.clips import cached_clip, clip_packets

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
OWNER = owner_principal("test")


def write_segments(root: Path, camera_id: int, start: datetime, count: int, segment_s: float = 2.0) -> list[Path]:
    """count segments of segment_s seconds from start (real files, nothing indexed)."""
    clip = cached_clip(320, 180, 25, 12, 50)
    now = [start]
    recorder = SegmentRecorder(camera_id, root, segment_s=segment_s, clock=lambda: now[0])
    for packet, stream, t in clip_packets(clip):
        now[0] = start + timedelta(seconds=t)
        if packet.is_keyframe and len(recorder.segments) == count - 1 and t >= segment_s * count:
            break
        recorder(packet, stream)
    recorder.close()
    return [s.path for s in recorder.segments][:count]


@pytest.fixture
def services(basedir: Path) -> Iterator[Services]:
    built = build_services(basedir)
    yield built
    built.close()


def index(services: Services, paths: list[Path], camera_id: int) -> list[int]:
    ids = []
    for path in paths:
        seg = services.db.write(
            lambda s, p=path: idx.insert_segment(
                s, services.recordings.root, camera_id, p, T0, end=T0, size=p.stat().st_size, state=SegmentState.OPEN
            )
        )
        ids.append(seg.id)
    return ids


def test_start_up_repairs_open_rows_indexes_orphans_and_marks_missing_files(services: Services) -> None:
    root = services.recordings.root
    paths = write_segments(root, 3, T0, 3)
    left_open, vanished = index(services, paths[:2], 3)  # rows as a crash left them
    paths[1].unlink()
    (root / "3" / "2026-11-20" / "notes.mp4").write_bytes(b"not a recording")
    report = services.recordings.reconcile()
    assert report.repaired == [left_open]
    assert report.missing == [vanished]
    assert report.indexed == [paths[2]], "the file the index did not know is indexed"
    assert [p.name for p in report.unknown] == ["notes.mp4"], "a stranger file is reported, not deleted"
    assert (root / "3" / "2026-11-20" / "notes.mp4").exists()
    rows = {s.id: s for s in services.recordings.list_segments(OWNER, [3])}
    repaired = rows[left_open]
    assert repaired.state is SegmentState.REPAIRED and repaired.end is not None
    assert 1.5 <= repaired.duration_s <= 2.5
    assert rows[vanished].state is SegmentState.MISSING, "a vanished file stays in the index, marked"
    orphan = next(s for s in rows.values() if s.path == paths[2])
    assert orphan.start == T0 + timedelta(seconds=4) and orphan.codec == "h264" and orphan.width == 320
    assert services.recordings.reconcile().repaired == [], "a second start finds nothing to repair"


def test_retention_deletes_oldest_first_and_never_a_protected_clip(services: Services) -> None:
    root = services.recordings.root
    write_segments(root, 1, T0, 4)
    services.recordings.reconcile()
    segs = services.recordings.list_segments(OWNER, [1])
    assert len(segs) == 4
    oldest, second, third, newest = segs
    services.recordings.protect(OWNER, [oldest.id])
    keep = newest.bytes + oldest.bytes + 1
    services.recordings.limits = RetentionLimits(quota_bytes=keep, free_reserve_bytes=0)
    report = services.recordings.apply_retention()
    assert [s.id for s in report.deleted] == [second.id, third.id], "oldest unprotected first"
    left = services.recordings.list_segments(OWNER, [1])
    assert [s.id for s in left] == [oldest.id, newest.id]
    assert oldest.path.exists() and not second.path.exists() and not third.path.exists()
    services.recordings.limits = RetentionLimits(quota_bytes=1, free_reserve_bytes=0)
    report = services.recordings.apply_retention()
    assert [s.id for s in report.deleted] == [newest.id]
    assert report.still_short_bytes > 0, "only the protected clip is left: the quota cannot be met"
    assert oldest.path.exists()
    entries = services.audit.entries(action="recordings.protect")
    assert entries and entries[0].target == f"segment:{oldest.id}"


def run_cli(basedir: Path, *args: str) -> tuple[int, str, str]:
    """The real entry point in this process (argparse errors exit with status 2, as they do from the shell)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            code = main(["--basedir", str(basedir), *args], stdout=out, stderr=err)
        except SystemExit as done:
            code = int(done.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_cli_lists_exports_and_refuses_bad_input(basedir: Path, tmp_path: Path) -> None:
    services = build_services(basedir)
    write_segments(services.recordings.root, 1, T0, 3)
    services.recordings.reconcile()
    services.close()
    code, out, err = run_cli(basedir, "recordings", "list", "--camera", "1", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [r["state"] for r in rows] == ["repaired"] * 3 and rows[0]["start"] == T0.isoformat()
    code, out, _ = run_cli(
        basedir, "recordings", "list", "--from", "2026-11-20T09:00:03Z", "--to", "2026-11-20T09:00:05Z", "--json"
    )
    assert [r["id"] for r in json.loads(out)] == [rows[1]["id"], rows[2]["id"]]
    out_dir = tmp_path / "clips"
    out_dir.mkdir()
    code, out, err = run_cli(
        basedir, "recordings", "export", "--camera", "1", "--from", "2026-11-20T09:00:01Z",
        "--to", "2026-11-20T09:00:05Z", "--out", str(out_dir),
    )  # fmt: skip
    assert code == 0, err
    (clip,) = out_dir.glob("*.mp4")
    assert f"exported {clip}" in out
    with av.open(str(clip)) as container:
        assert sum(1 for _ in container.decode(video=0)) == 5 * 25, "from the key frame at 0 s to 5 s"
    code, _, err = run_cli(
        basedir, "recordings", "export", "--camera", "1", "--from", "yesterday", "--to", "x", "--out", "."
    )
    assert code == 2 and "not an ISO time" in err
    code, _, err = run_cli(
        basedir, "recordings", "export", "--camera", "1", "--from", "2026-11-20T09:00:05Z",
        "--to", "2026-11-20T09:00:01Z", "--out", str(out_dir),
    )  # fmt: skip
    assert code == 2 and "ends before it starts" in err
    code, _, err = run_cli(
        basedir, "recordings", "export", "--camera", "1", "--from", "2026-11-21T09:00:00Z",
        "--to", "2026-11-21T09:01:00Z", "--out", str(out_dir),
    )  # fmt: skip
    assert code == 3 and "no recording" in err
    code, _, err = run_cli(basedir, "recordings", "protect", "999")
    assert code == 3 and "no recording with id 999" in err
    code, _, err = run_cli(
        basedir, "cameras", "add", "--name", "X", "--url", "rtsp://127.0.0.1/x", "--record", "schedule"
    )
    assert code == 2 and "needs a schedule" in err
    code, _, err = run_cli(
        basedir, "cameras", "add", "--name", "X", "--url", "rtsp://127.0.0.1/x", "--record", "schedule",
        "--schedule", "mon-fri 8:00-18:00",
    )  # fmt: skip
    assert code == 2 and "bad schedule range" in err
