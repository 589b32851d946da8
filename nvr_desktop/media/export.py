"""Export a time range of one camera's recordings into a single MP4 by stream copy (remux, never re-encode).

The clip starts on the key frame at or before the requested start (a file must start on a key frame to play) and
ends with the last packet before the requested end. Segments are joined on the wall clock: each packet's time is
its segment's recorded start plus its time in the file, so a gap between segments stays a gap of the same length
in the export (the clip's timeline matches the clock, which is what an investigator compares with other footage;
players hold the last picture over the gap). Sound recorded with the pictures comes along on the same clock.
The file is a plain (not fragmented) MP4 with its index at the front (+faststart), so players seek in it at once.
Written under a temporary name and renamed at the end: a cancelled or failed export leaves no partial file.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import av.error

from nvr_desktop.core.errors import ConflictError, NotFoundError, NvrError, StorageError, ValidationError
from nvr_desktop.core.recording import SegmentInfo, SegmentState

log = logging.getLogger("media.export")
OPEN_TIMEOUT_S = 10.0
#: Output time base: 90 kHz, the RTP video clock, fine enough for any camera's frame and audio times.
TIME_BASE = Fraction(1, 90000)
MP4_OPTIONS = {"movflags": "+faststart"}
#: FFmpeg's MP4 reader returns the samples of two tracks up to 1 s apart from their times (it reads in file order).
_INTERLEAVE = timedelta(seconds=2)
_USABLE = (SegmentState.CLOSED, SegmentState.REPAIRED, SegmentState.OPEN)


class ExportCancelled(NvrError):
    """The user cancelled the export; nothing was written."""


@dataclass(frozen=True)
class ExportResult:
    """A finished export file: the wall-clock times of its first and last pictures, video packets, file size."""

    camera_id: int
    path: Path
    start: datetime
    end: datetime
    packets: int
    bytes: int
    cut_short: str = ""  # why the clip ends before the range does (empty: it covers all footage in the range)


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
    """Remux the footage of [start, end) into dest (an MP4 that must not exist yet); progress runs from 0 to 1."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValidationError("export times need a time zone")
    if end <= start:
        raise ValidationError("the export range ends before it starts")
    chosen = sorted(
        (
            s
            for s in segments
            if s.camera_id == camera_id
            and s.state in _USABLE
            and s.start < end
            and (s.end is None or s.end > start)
            and s.path.is_file()
        ),
        key=lambda s: (s.start, s.id),
    )
    if not chosen:
        a, b = (t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") for t in (start, end))
        raise NotFoundError(f"camera {camera_id} has no recording between {a} and {b} UTC")
    if dest.exists():
        raise ConflictError(f"{dest} already exists; choose another name or folder")
    temp = dest.with_name(f".{dest.name}.part")
    job = _Export(camera_id, start, end, progress, cancel)
    try:
        out = av.open(str(temp), mode="w", format="mp4", options=MP4_OPTIONS)
    except (OSError, av.error.FFmpegError) as err:
        raise StorageError(f"cannot write {dest}: {getattr(err, 'strerror', None) or err}") from None
    try:
        for seg in chosen:
            job.copy(seg, out)
            if job.done:
                break
        if job.packets == 0 or job.first_time is None or job.last_time is None:
            raise NotFoundError(f"camera {camera_id} has no playable footage in the chosen range")
        try:
            out.close()  # +faststart rewrites the file here, moving the index to the front
        except (OSError, av.error.FFmpegError) as err:
            raise StorageError(f"cannot write {dest}: {getattr(err, 'strerror', None) or err}") from None
        if dest.exists():  # someone else wrote it meanwhile: still never overwrite
            raise ConflictError(f"{dest} already exists; choose another name or folder")
        os.replace(temp, dest)
    except BaseException:
        with contextlib.suppress(Exception):
            out.close()
        temp.unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(1.0)
    log.info("exported camera %s %s..%s to %s (%d packets)", camera_id, start, end, dest, job.packets)
    return ExportResult(camera_id, dest, job.first_time, job.last_time, job.packets, dest.stat().st_size, job.cut_short)


def _video_format(stream: Any) -> tuple[str, int, int]:
    ctx = stream.codec_context
    return (ctx.name, ctx.width, ctx.height)


def _audio_format(stream: Any) -> tuple[str, int, int]:
    ctx = stream.codec_context
    return (ctx.name, ctx.sample_rate, ctx.channels)


class _Export:
    """State of one export: the output streams, the time origin, counters."""

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
        self.video_out: Any = None
        self.audio_out: Any = None
        self.video_format: tuple[str, int, int] | None = None
        self.cut_short = ""
        self.audio_format: tuple[str, int, int] | None = None
        self.origin: datetime | None = None  # the wall time of the first picture: zero in the clip
        self.last_dts: dict[str, int] = {"video": -1, "audio": -1}
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
                log.warning("export skips %s: it holds no video", seg.path)
                return
            video = container.streams.video[0]
            audio = container.streams.audio[0] if container.streams.audio else None
            if self.video_out is None:
                self.video_out = out.add_stream_from_template(video)
                self.video_format = _video_format(video)
                if audio is not None:
                    self.audio_out = out.add_stream_from_template(audio)
                    self.audio_format = _audio_format(audio)
            elif _video_format(video) != self.video_format:
                # An MP4 track holds one codec configuration: a camera reconfigured mid-range ends the clip here.
                log.warning(
                    "export of camera %s ends at %s: the video changed from %s to %s",
                    self.camera_id,
                    seg.start,
                    self.video_format,
                    _video_format(video),
                )
                self.cut_short = f"the camera's video changed at {seg.start:%Y-%m-%d %H:%M:%S} UTC"
                self.done = True
                return
            if audio is not None and (self.audio_out is None or _audio_format(audio) != self.audio_format):
                audio = None  # this file's sound cannot join the clip's sound track (the clip started without)
            if self.origin is None and self.start > seg.start and video.time_base is not None:
                # Skip to the key frame before the range instead of reading the whole file up to it.
                offset = (self.start - seg.start).total_seconds()
                with contextlib.suppress(av.error.FFmpegError):
                    container.seek(int(offset / float(video.time_base)), stream=video, backward=True)
            self._copy_packets(seg, container, video, audio, out)
        finally:
            container.close()

    def _copy_packets(self, seg: SegmentInfo, container: Any, video: Any, audio: Any, out: Any) -> None:
        # Before the clip starts: the pictures from the last key frame at or before the start, and sound.
        pending: list[tuple[Any, datetime, bool]] = []
        pictures_ended = False
        streams = (video,) if audio is None else (video, audio)
        try:
            for packet in container.demux(streams):
                if self.cancel is not None and self.cancel.is_set():
                    raise ExportCancelled("the export was cancelled")
                ts = packet.dts if packet.dts is not None else packet.pts
                if packet.size == 0 or ts is None or packet.stream.time_base is None:
                    continue
                is_video = packet.stream.index == video.index
                when = seg.start + timedelta(seconds=float(ts * packet.stream.time_base))
                if when >= self.end:
                    if is_video and not pictures_ended:
                        self.done = pictures_ended = True
                        if self.origin is None:  # the range lies between two pictures: export the one shown then
                            self._flush(pending, out)
                    # The MP4 reader hands out sound up to a second behind the pictures: read on until it passes.
                    if audio is None or (pictures_ended and (not is_video or when >= self.end + _INTERLEAVE)):
                        return
                    continue
                if self.origin is not None:
                    if not (is_video and pictures_ended):
                        self._write(packet, when, is_video, out)
                    continue
                if not is_video:
                    pending.append((packet, when, False))
                    continue
                if packet.is_keyframe and when <= self.start:
                    pending = [e for e in pending if not e[2] and e[1] >= when]  # a later key frame to start from
                elif not packet.is_keyframe and not any(e[2] for e in pending):
                    continue  # no key frame to start from yet
                pending.append((packet, when, True))
                if when >= self.start:
                    self._flush(pending, out)
                    pending = []
        except av.error.InvalidDataError:
            log.info("export: %s ends in a torn fragment (a crash-cut file); its complete part is used", seg.path)

    def _flush(self, pending: list[tuple[Any, datetime, bool]], out: Any) -> None:
        """Write what waited for the clip's first picture: pictures first (the first sets the origin), then sound."""
        for packet, when, is_video in sorted(pending, key=lambda e: not e[2]):
            self._write(packet, when, is_video, out)

    def _write(self, packet: Any, when: datetime, is_video: bool, out: Any) -> None:
        if self.origin is None:
            if not is_video:
                return  # sound before the first picture
            self.origin = self.first_time = when
        if when < self.origin:
            return  # sound from before the first picture
        kind = "video" if is_video else "audio"
        tb = packet.stream.time_base
        dts = round((when - self.origin).total_seconds() / TIME_BASE)
        if dts <= self.last_dts[kind]:
            dts = self.last_dts[kind] + 1  # strictly increasing across the join of two segments
        offset = 0
        if packet.pts is not None and packet.dts is not None:
            offset = max(0, round(float((packet.pts - packet.dts) * tb) / TIME_BASE))
        self.last_dts[kind] = dts
        if packet.duration:
            packet.duration = max(1, round(float(packet.duration * tb) / TIME_BASE))
        packet.dts, packet.pts = dts, dts + offset
        packet.time_base = TIME_BASE
        packet.stream = self.video_out if is_video else self.audio_out
        try:
            out.mux(packet)
        except (OSError, av.error.FFmpegError) as err:
            raise StorageError(f"cannot write the export: {getattr(err, 'strerror', None) or err}") from None
        if not is_video:
            return
        self.packets += 1
        self.last_time = when
        if self.progress is not None and self.packets % 25 == 0:
            self.progress(min(1.0, max(0.0, (when - self.start).total_seconds() / self.span_s)))
