"""Playback for one logged-in user: the recordings service and the playback engine behind the playback window.

Every call is permission-checked (playback or export, per camera) by RecordingService; opening a playback is
audited, like an export, because watching footage is an act an investigation may need to trace.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt

from nvr_desktop.core.errors import ValidationError
from nvr_desktop.core.models import Camera, Principal
from nvr_desktop.core.recording import (
    CameraTrack,
    ProtectionChange,
    SegmentInfo,
    SegmentState,
    TimelineData,
    TimelineEvent,
)
from nvr_desktop.core.roles import Permission
from nvr_desktop.media.export import ExportResult
from nvr_desktop.media.playback import PlaybackEngine, PlaybackReader
from nvr_desktop.security.access import AccessControl
from nvr_desktop.security.audit import AuditLog
from nvr_desktop.services.recordings import RecordingService
from nvr_desktop.storage.schema import utcnow

MAX_CAMERAS = 16
PLAYABLE = (SegmentState.CLOSED, SegmentState.REPAIRED, SegmentState.OPEN)

#: The events of one camera over [start, end) as timeline marks, for a principal (EventService.timeline_marks).
EventMarks = Callable[[Principal, int, datetime, datetime], list[TimelineEvent]]


class PlaybackService:
    """What the playback window asks for, answered for one principal."""

    def __init__(
        self,
        recordings: RecordingService,
        access: AccessControl,
        audit: AuditLog,
        principal: Principal,
        *,
        clock: Callable[[], datetime] = utcnow,
        event_marks: EventMarks | None = None,
    ) -> None:
        self._recordings = recordings
        self._event_marks = event_marks
        self._access = access
        self._audit = audit
        self.principal = principal
        self._clock = clock

    def cameras(self) -> Sequence[Camera]:
        """Cameras the user may play back."""
        return self._recordings.playable_cameras(self.principal)

    def timeline(self, camera_ids: Sequence[int], start: datetime, end: datetime, /) -> TimelineData:
        """Recorded ranges (an open segment runs to now), gaps and event marks per camera over [start, end)."""
        now = self._clock()
        tracks = {}
        for row in self._recordings.timeline(self.principal, list(camera_ids), start, end):
            playable = [seg for seg in row.segments if seg.state in PLAYABLE]
            ranges = [(seg.start, seg.end if seg.end is not None else now) for seg in playable]
            locked = [(seg.start, seg.end if seg.end is not None else now) for seg in playable if seg.protected]
            marks = self._event_marks(self.principal, row.camera_id, start, end) if self._event_marks else []
            tracks[row.camera_id] = CameraTrack(
                row.camera_id, ranges=ranges, gaps=row.gaps, events=marks, protected=locked
            )
        return TimelineData(start, end, tracks)

    def open_playback(self, camera_ids: Sequence[int], box: tuple[int, int], /) -> PlaybackEngine:
        """A paused synchronized playback of up to 16 cameras."""
        ids = list(dict.fromkeys(camera_ids))
        if not ids or len(ids) > MAX_CAMERAS:
            raise ValidationError(f"play back between 1 and {MAX_CAMERAS} cameras at once")
        for camera_id in ids:
            self._access.require(self.principal, Permission.PLAYBACK, camera_id=camera_id, action="playback.open")
        segments = {cid: self._segments(cid) for cid in ids}
        fresh = self._access.current(self.principal)
        self._audit.record(fresh.name, "playback.open", ",".join(f"camera:{c}" for c in ids))
        return PlaybackEngine(segments, box=box)

    def thumbnail(self, camera_id: int, when: datetime, box: tuple[int, int], /) -> npt.NDArray[np.uint8] | None:
        """The key frame at or before when, scaled into box (blocking; called off the GUI thread)."""
        self._access.require(self.principal, Permission.PLAYBACK, camera_id=camera_id, action="playback.thumbnail")
        reader = PlaybackReader(camera_id, self._segments(camera_id, when, when), box)
        try:
            frame = reader.thumbnail(when, box)
        finally:
            reader.close()
        return None if frame is None else frame.image

    def export(
        self,
        camera_ids: Sequence[int],
        start: datetime,
        end: datetime,
        dest_dir: Path,
        progress: Callable[[float], None],
        cancel: threading.Event,
        /,
    ) -> list[ExportResult]:
        """One MP4 per camera of [start, end) in dest_dir, each with what it holds and why it ends early, if it does;
        permission-checked and audited by the recordings service."""
        return self._recordings.export_results(self.principal, list(camera_ids), start, end, dest_dir, progress, cancel)

    def protect(
        self, camera_ids: Sequence[int], start: datetime, end: datetime, protected: bool, /
    ) -> ProtectionChange:
        """Protect (or unprotect) the recording files of the cameras with footage in [start, end), whole; an empty
        range means the files at start. Needs the export permission on each camera, like `recordings protect`;
        the recordings service audits the change."""
        if end < start:
            raise ValidationError("the range ends before it starts")
        ids = list(dict.fromkeys(camera_ids))
        for camera_id in ids:
            self._access.require(self.principal, Permission.EXPORT, camera_id=camera_id, action="recordings.protect")
        until = max(end, start + timedelta(milliseconds=1))
        found = [
            seg
            for seg in self._recordings.list_segments(self.principal, ids, start, until)
            if seg.state is not SegmentState.MISSING
        ]
        to_change = [seg.id for seg in found if seg.protected != protected]
        if to_change:
            self._recordings.protect(self.principal, to_change, protected)
        now = self._clock()
        files = tuple((seg.start, seg.end if seg.end is not None else now) for seg in found)
        return ProtectionChange(files, len(to_change))

    def _segments(
        self, camera_id: int, start: datetime | None = None, end: datetime | None = None
    ) -> list[SegmentInfo]:
        found = self._recordings.list_segments(self.principal, [camera_id], start, end)
        return [seg for seg in found if seg.state in PLAYABLE]
