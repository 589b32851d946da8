"""Export a time range of one camera's recordings into a single MP4 by stream copy (remux, never re-encode).

The clip starts on the key frame at or before the requested start (a file must start on a key frame to play) and
ends with the last packet before the requested end. Segments are joined on the wall clock: each packet's time is
its segment's recorded start plus its time in the file, so a gap between segments stays a gap of the same length
in the export (the clip's timeline matches the clock, which is what an investigator compares with other footage).
Written under a temporary name and renamed at the end: a cancelled or failed export leaves no partial file.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import av.error

from nvr_desktop.core.errors import ConflictError, NotFoundError, NvrError, StorageError
from nvr_desktop.core.recording import SegmentInfo, SegmentState

log = logging.getLogger("media.export")
OPEN_TIMEOUT_S = 10.0
#: Output time base: 90 kHz, the RTP video clock, fine enough for any camera's frame times.
TIME_BASE = Fraction(1, 90000)
_USABLE = (SegmentState.CLOSED, SegmentState.REPAIRED, SegmentState.OPEN)


class ExportCancelled(NvrError):
    """The user cancelled the export; nothing was written."""


@dataclass(frozen=True)
class ExportResult:
    """A finished export file."""

    camera_id: int
    path: Path
    start: datetime
    end: datetime
    packets: int
    bytes: int


def export_range(
    camera_id: int,
    segments: Sequence[SegmentInfo],
    start: datetime,
    end: datetime,
    dest: Path,
    *,
    progress: Callable[[float], None] | None = None,
    cancel: threading.Event | None = None,
) -> ExportResult:
    """Remux the footage of [start, end) into dest (an MP4 that must not exist yet)."""
    chosen = sorted(
        (s for s in segments if s.camera_id == camera_id and s.state in _USABLE and s.path.exists()),
        key=lambda s: s.start,
    )
    chosen = [s for s in chosen if s.start < end and (s.end is None or s.end > start)]
    if not chosen:
        raise NotFoundError(
            f"camera {camera_id} has no recording between {start:%Y-%m-%d %H:%M:%S} and {end:%H:%M:%S} UTC"
        )
    if dest.exists():
        raise ConflictError(f"{dest} already exists; choose another name or folder")
    temp = dest.with_name(f".{dest.name}.part")
    job = _Export(camera_id, start, end, progress, cancel)
    try:
        out = av.open(str(temp), mode="w", format="mp4", options={"movflags": "+faststart"})
    except (OSError, av.error.FFmpegError) as err:
        raise StorageError(f"cannot write {dest}: {getattr(err, 'strerror', None) or err}") from None
    try:
        for seg in chosen:
            job.copy(seg, out)
            if job.done:
                break
        if job.packets == 0:
            raise NotFoundError(f"camera {camera_id} has no playable footage in the chosen range")
        out.close()
        os.replace(temp, dest)
    except BaseException:
        with contextlib.suppress(Exception):
            out.close()
        temp.unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(1.0)
    assert job.first_time is not None and job.last_time is not None
    log.info("exported camera %s %s..%s to %s (%d packets)", camera_id, start, end, dest, job.packets)
    return ExportResult(camera_id, dest, job.first_time, job.last_time, job.packets, dest.stat().st_size)


class _Export:
    """State of one export: the output stream, the time origin, counters."""

    def __init__(
        self,
        camera_id: int,
        start: datetime,
        end: datetime,
        progress: Callable[[float], None] | None,
        cancel: threading.Event | None,
    ) -> None:
        self.camera_id = camera_id
        self.start, self.end = start, end
        self.progress = progress
        self.cancel = cancel
        self.stream: Any = None
        self.origin: datetime | None = None
        self.last_dts = -1
        self.packets = 0
        self.done = False
        self.first_time: datetime | None = None
        self.last_time: datetime | None = None
        self.span_s = max(1e-6, (end - start).total_seconds())

    def copy(self, seg: SegmentInfo, out: Any) -> None:
        """Copy the packets of one segment that fall in the range (from the key frame before the start)."""
        try:
            container = av.open(str(seg.path), timeout=OPEN_TIMEOUT_S)
        except (OSError, av.error.FFmpegError) as err:
            log.warning("export skips %s: %s", seg.path, err)
            return
        try:
            if not container.streams.video:
                return
            video = container.streams.video[0]
            if self.stream is None:
                self.stream = out.add_stream_from_template(video)
            pending: list[tuple[Any, datetime]] = []  # from the last key frame before the start
            try:
                for packet in container.demux(video):
                    if self.cancel is not None and self.cancel.is_set():
                        raise ExportCancelled("the export was cancelled")
                    if packet.size == 0 or packet.dts is None or video.time_base is None:
                        continue
                    when = seg.start + timedelta(seconds=float(packet.dts * video.time_base))
                    if when >= self.end:
                        self.done = True
                        return
                    if self.origin is None:
                        if when < self.start:
                            if packet.is_keyframe:
                                pending = []
                            if pending or packet.is_keyframe:
                                pending.append((packet, when))
                            continue
                        if not pending and not packet.is_keyframe:
                            continue  # the range starts in a GOP whose key frame is not on disk
                        pending.append((packet, when))
                        for old, old_when in pending:
                            self._write(old, old_when, video, out)
                        pending = []
                        continue
                    self._write(packet, when, video, out)
            except av.error.InvalidDataError:
                log.info("export: %s ends in a torn fragment (a crash-cut file); its complete part is used", seg.path)
        finally:
            container.close()

    def _write(self, packet: Any, when: datetime, video: Any, out: Any) -> None:
        if self.origin is None:
            self.origin = when
            self.first_time = when
        tb = video.time_base
        offset = packet.pts - packet.dts if packet.pts is not None else 0
        dts = round((when - self.origin).total_seconds() / TIME_BASE)
        if dts <= self.last_dts:
            dts = self.last_dts + 1  # strictly increasing across the join of two segments
        pts = dts + max(0, round(float(offset * tb) / TIME_BASE))
        self.last_dts = dts
        packet.dts, packet.pts = dts, pts
        packet.time_base = TIME_BASE
        packet.stream = self.stream
        out.mux(packet)
        self.packets += 1
        self.last_time = when
        if self.progress is not None and self.packets % 25 == 0:
            self.progress(min(1.0, max(0.0, (when - self.start).total_seconds() / self.span_s)))
