"""The recording index as users see it: start-up repair, listing, protection, retention, export.

Permission-checked and audited like every service. The recorders themselves run in the stream processes and are
driven by services/recording_control.py; this module never needs the stream engine, so the CLI can use it.
"""

from __future__ import annotations

import logging
import re
import shutil
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from nvr_desktop.core.errors import NotFoundError, StorageError, ValidationError
from nvr_desktop.core.models import Camera, Principal
from nvr_desktop.core.recording import (
    Gap,
    RecordingPolicy,
    RecordMode,
    RetentionLimits,
    RetentionPlan,
    SegmentInfo,
    SegmentState,
    WeeklySchedule,
    days_that_fit,
    plan_retention,
)
from nvr_desktop.core.roles import Permission
from nvr_desktop.media.recorder import probe_recording

if TYPE_CHECKING:
    from nvr_desktop.media.export import ExportResult
from sqlalchemy import func, select

from nvr_desktop.security.access import AccessControl
from nvr_desktop.security.audit import AuditLog
from nvr_desktop.storage import recordings as idx
from nvr_desktop.storage import repositories as repo
from nvr_desktop.storage.database import Database
from nvr_desktop.storage.schema import SegmentRow, utcnow

log = logging.getLogger("services.recordings")
_NAME = re.compile(r"^(?P<stamp>\d{8}T\d{6}_\d{6}Z)(?:-\d+)?\.mp4$")
MAX_EXPORT_SPAN = timedelta(days=1)


@dataclass(frozen=True)
class ReconcileReport:
    """What start-up repair found."""

    repaired: list[int] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)
    damaged: list[int] = field(default_factory=list)
    indexed: list[Path] = field(default_factory=list)
    unknown: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class RetentionReport:
    """What one retention pass did."""

    deleted: tuple[SegmentInfo, ...]
    freed_bytes: int
    still_short_bytes: int
    free_bytes: int


@dataclass(frozen=True)
class CameraTimeline:
    """One camera's footage over a time range."""

    camera_id: int
    segments: list[SegmentInfo]
    gaps: list[Gap]


def policy_of(camera: Camera, pre_roll_s: float = 5.0, post_roll_s: float = 10.0) -> RecordingPolicy:
    """A camera's recording policy from its settings."""
    schedule = WeeklySchedule()
    if camera.record_schedule:
        try:
            schedule = WeeklySchedule.parse(camera.record_schedule, _local_zone())
        except ValidationError:
            log.error(
                "camera %s has an unreadable schedule %r; not recording by schedule", camera.id, camera.record_schedule
            )
    return RecordingPolicy(
        mode=RecordMode(camera.record_mode),
        segment_s=camera.segment_seconds,
        schedule=schedule,
        pre_roll_s=pre_roll_s,
        post_roll_s=post_roll_s,
        max_age_days=float(camera.retention_days) if camera.retention_days else None,
        max_bytes=int(camera.retention_gb * 1024**3) if camera.retention_gb else None,
    )


def _local_zone() -> str:
    """The machine's IANA time zone name (schedules are in local time), UTC when unknown."""
    try:
        import tzlocal

        return str(tzlocal.get_localzone_name() or "UTC")
    except (LookupError, ValueError, OSError):  # no zone configured on this machine
        return "UTC"


class RecordingService:
    """Index queries and maintenance over the recordings folder."""

    def __init__(
        self,
        db: Database,
        audit: AuditLog,
        access: AccessControl,
        root: Path,
        limits: RetentionLimits,
        *,
        clock: Callable[[], datetime] = utcnow,
        disk_free: Callable[[Path], int] | None = None,
    ) -> None:
        self._db = db
        self._audit = audit
        self._access = access
        self.root = root
        self.limits = limits
        self._clock = clock
        self._disk_free = disk_free or (lambda p: shutil.disk_usage(p).free)
        self._retention_lock = threading.Lock()

    # ---- start-up repair -----------------------------------------------------------------------------

    def reconcile(self) -> ReconcileReport:
        """Close segments a crash left open, index orphan files, and mark rows whose file vanished."""
        report = ReconcileReport()
        for seg in self._db.read(lambda s: idx.segments(s, self.root, states=[SegmentState.OPEN])):
            exists = seg.path.exists()
            facts = probe_recording(seg.path) if exists else None
            if not exists:
                self._finish(seg.id, seg.start, 0, SegmentState.MISSING)
                report.missing.append(seg.id)
            elif facts is None:
                self._finish(seg.id, seg.start, seg.path.stat().st_size, SegmentState.DAMAGED)
                report.damaged.append(seg.id)
            else:
                end = seg.start + timedelta(seconds=facts.duration_s)
                self._finish(seg.id, end, facts.bytes, SegmentState.REPAIRED)
                report.repaired.append(seg.id)
            log.warning("segment %s of camera %s was left open by a crash; closed at start-up", seg.path, seg.camera_id)
        for seg in self._db.read(
            lambda s: idx.segments(s, self.root, states=[SegmentState.CLOSED, SegmentState.REPAIRED])
        ):
            if not seg.path.exists():
                self._finish(seg.id, seg.end or seg.start, seg.bytes, SegmentState.MISSING)
                report.missing.append(seg.id)
                log.error("recording %s of camera %s is missing from disk", seg.path, seg.camera_id)
        if self.root.is_dir():
            known = self._db.read(idx.indexed_paths)
            for path in sorted(self.root.glob("*/*/*.mp4")):
                rel = path.relative_to(self.root).as_posix()
                if rel in known:
                    continue
                self._index_orphan(path, report)
        return report

    def _finish(self, segment_id: int, end: datetime, size: int, state: SegmentState) -> None:
        self._db.write(lambda s: idx.finish_segment(s, segment_id, end, size, state))

    def _segments_of(self, camera_id: int, start: datetime, end: datetime) -> list[SegmentInfo]:
        states = [SegmentState.CLOSED, SegmentState.REPAIRED, SegmentState.OPEN]
        return self._db.read(
            lambda s: idx.segments(s, self.root, camera_ids=[camera_id], start=start, end=end, states=states)
        )

    def _index_orphan(self, path: Path, report: ReconcileReport) -> None:
        match = _NAME.match(path.name)
        camera = path.parent.parent.name
        facts = probe_recording(path) if match and camera.isdigit() else None
        if match is None or not camera.isdigit() or facts is None:
            report.unknown.append(path)
            log.warning("file %s in the recordings folder is not a readable recording; left as it is", path)
            return
        start = datetime.strptime(match["stamp"], "%Y%m%dT%H%M%S_%fZ").replace(tzinfo=UTC)
        end = start + timedelta(seconds=facts.duration_s)
        self._db.write(
            lambda s: idx.insert_segment(
                s,
                self.root,
                int(camera),
                path,
                start,
                end=end,
                size=facts.bytes,
                codec=facts.codec,
                width=facts.width,
                height=facts.height,
                state=SegmentState.REPAIRED,
            )
        )
        report.indexed.append(path)
        log.warning("indexed recording %s found on disk", path)

    # ---- reading -------------------------------------------------------------------------------------

    def _require_cameras(
        self, actor: Principal, permission: Permission, camera_ids: Sequence[int], action: str
    ) -> None:
        for camera_id in camera_ids:
            self._access.require(actor, permission, camera_id=camera_id, action=action)

    def playable_cameras(self, actor: Principal) -> list[Camera]:
        """Cameras whose recordings the actor may play back."""
        fresh = self._access.require(actor, Permission.PLAYBACK, action="recordings.list")
        visible = self._access.visible_camera_ids(fresh)
        return self._db.read(lambda s: repo.list_cameras(s, visible))

    def list_segments(
        self,
        actor: Principal,
        camera_ids: Sequence[int] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[SegmentInfo]:
        """Indexed segments the actor may play back, by camera and time."""
        if camera_ids is None:
            fresh = self._access.require(actor, Permission.PLAYBACK, action="recordings.list")
            visible = self._access.visible_camera_ids(fresh)  # None for admins: removed cameras' footage too
            return self._db.read(lambda s: idx.segments(s, self.root, camera_ids=visible, start=start, end=end))
        self._require_cameras(actor, Permission.PLAYBACK, camera_ids, "recordings.list")
        return self._db.read(lambda s: idx.segments(s, self.root, camera_ids=camera_ids, start=start, end=end))

    def timeline(
        self, actor: Principal, camera_ids: Sequence[int], start: datetime, end: datetime
    ) -> list[CameraTimeline]:
        """Recorded ranges and gaps per camera over [start, end)."""
        self._require_cameras(actor, Permission.PLAYBACK, camera_ids, "recordings.timeline")
        segments = self._db.read(lambda s: idx.segments(s, self.root, camera_ids=camera_ids, start=start, end=end))
        gaps = self._db.read(lambda s: idx.gaps(s, camera_ids=camera_ids, start=start, end=end))
        return [
            CameraTimeline(
                cid,
                [s for s in segments if s.camera_id == cid],
                [g for g in gaps if g.camera_id == cid],
            )
            for cid in camera_ids
        ]

    def gaps(self, camera_ids: Sequence[int] | None = None) -> list[Gap]:
        """Every gap row (for the CLI owner, tests and reports)."""
        return self._db.read(lambda s: idx.gaps(s, camera_ids=camera_ids))

    # ---- protection ----------------------------------------------------------------------------------

    def protect(self, actor: Principal, segment_ids: Sequence[int], protected: bool = True) -> int:
        """Lock segments against retention (or unlock them); audited."""
        found = self._db.read(lambda s: [idx.segment(s, self.root, i) for i in segment_ids])
        missing = [i for i, seg in zip(segment_ids, found, strict=True) if seg is None]
        if missing:
            raise NotFoundError(f"no recording with id {', '.join(map(str, missing))}")
        cameras = sorted({seg.camera_id for seg in found if seg is not None})
        self._require_cameras(actor, Permission.EXPORT, cameras, "recordings.protect")
        changed = self._db.write(lambda s: idx.set_protected(s, segment_ids, protected))
        fresh = self._access.current(actor)
        self._audit.record(
            fresh.name,
            "recordings.protect" if protected else "recordings.unprotect",
            ",".join(f"segment:{i}" for i in segment_ids),
        )
        return changed

    # ---- retention -----------------------------------------------------------------------------------

    def policies(self) -> dict[int, RecordingPolicy]:
        """Every camera's policy."""
        return {c.id: policy_of(c) for c in self._db.read(repo.list_cameras)}

    def free_bytes(self) -> int:
        """Free space on the recordings disk (StorageError when the folder is gone)."""
        try:
            return self._disk_free(self.root)
        except OSError as err:
            raise StorageError(f"the recordings folder {self.root} is unavailable: {err.strerror or err}") from None

    def plan(self, free_bytes: int | None = None) -> RetentionPlan:
        """What retention would delete now."""
        segments = self._db.read(lambda s: idx.segments(s, self.root))
        free = self.free_bytes() if free_bytes is None else free_bytes
        return plan_retention(segments, self.policies(), self.limits, now=self._clock(), free_bytes=free)

    def apply_retention(self) -> RetentionReport:
        """Delete the segments retention chose (oldest first, never protected or open ones)."""
        with self._retention_lock:
            free = self.free_bytes()
            plan = self.plan(free)
            deleted: list[SegmentInfo] = []
            for seg in plan.delete:
                try:
                    seg.path.unlink(missing_ok=True)
                except OSError as err:
                    log.error("retention could not delete %s: %s", seg.path, err.strerror or err)
                    continue
                deleted.append(seg)
                for folder in (seg.path.parent, seg.path.parent.parent):
                    if folder != self.root and folder.is_relative_to(self.root):
                        try:
                            folder.rmdir()  # only when empty
                        except OSError:
                            break
            if deleted:
                self._db.write(lambda s: idx.delete_segments(s, [d.id for d in deleted]))
                for seg in deleted:
                    log.info("retention deleted %s (%s)", seg.path.name, plan.reasons.get(seg.id, ""))
            freed = sum(d.bytes for d in deleted)
            return RetentionReport(tuple(deleted), freed, plan.still_short_bytes, free + freed)

    def stored_bytes(self) -> int:
        """Bytes of footage in the index."""
        return int(self._db.read(lambda s: s.scalar(select(func.coalesce(func.sum(SegmentRow.bytes), 0)))) or 0)

    def forecast_days(self) -> float | None:
        """Days of footage the disk holds at the last day's write rate (quota or free space plus what is stored)."""
        segments = self._db.read(lambda s: idx.segments(s, self.root))
        stored = sum(s.bytes for s in segments)
        try:
            capacity = stored + self.free_bytes() - self.limits.free_reserve_bytes
        except StorageError:
            return None
        if self.limits.quota_bytes is not None:
            capacity = min(capacity, self.limits.quota_bytes)
        return days_that_fit(segments, capacity_bytes=max(0, capacity), now=self._clock())

    # ---- export --------------------------------------------------------------------------------------

    def export(
        self,
        actor: Principal,
        camera_ids: Sequence[int],
        start: datetime,
        end: datetime,
        dest_dir: Path,
        progress: Callable[[float], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> list[Path]:
        """Remux [start, end) of each camera into one MP4 per camera under dest_dir; permission-checked and audited."""
        return [r.path for r in self.export_results(actor, camera_ids, start, end, dest_dir, progress, cancel)]

    def export_results(
        self,
        actor: Principal,
        camera_ids: Sequence[int],
        start: datetime,
        end: datetime,
        dest_dir: Path,
        progress: Callable[[float], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> list[ExportResult]:
        """Like export, with what each file holds (and why one ends early, if it does)."""
        from nvr_desktop.media.export import ExportCancelled, export_range

        if not camera_ids:
            raise ValidationError("choose at least one camera to export")
        if start.tzinfo is None or end.tzinfo is None:
            raise ValidationError("export times need a time zone")
        if end <= start:
            raise ValidationError("the export range ends before it starts")
        if end - start > MAX_EXPORT_SPAN:
            raise ValidationError("export at most one day at a time")
        if not dest_dir.is_dir():
            raise ValidationError(f"the export folder {dest_dir} does not exist")
        fresh = self._access.current(actor)
        self._require_cameras(actor, Permission.EXPORT, camera_ids, "recordings.export")
        target = f"cameras:{','.join(map(str, camera_ids))}"
        span = f"{start.isoformat()}..{end.isoformat()}"
        written: list[ExportResult] = []
        try:
            for n, camera_id in enumerate(camera_ids):
                segments = self._segments_of(camera_id, start, end)
                name = f"camera{camera_id}_{start.strftime('%Y%m%dT%H%M%SZ')}_{end.strftime('%Y%m%dT%H%M%SZ')}.mp4"

                def part(p: float, n: int = n) -> None:
                    if progress is not None:
                        progress((n + p) / len(camera_ids))

                result = export_range(camera_id, segments, start, end, dest_dir / name, progress=part, cancel=cancel)
                written.append(result)
        except ExportCancelled:
            for done in written:
                done.path.unlink(missing_ok=True)
            self._audit.record(fresh.name, "recordings.export", target, success=False, detail=f"{span} cancelled")
            raise
        except Exception as err:
            self._audit.record(fresh.name, "recordings.export", target, success=False, detail=f"{span} {err}")
            raise
        notes = "".join(f"; camera {r.camera_id} ends early: {r.cut_short}" for r in written if r.cut_short)
        self._audit.record(fresh.name, "recordings.export", target, detail=f"{span} -> {dest_dir}{notes}")
        return written
