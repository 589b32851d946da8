"""Stream-copy recording into crash-safe segments: fragmented MP4, one fragment per key frame, cut on key frames.

A SegmentRecorder is a packet sink of a stream worker (the camera's one connection): it never decodes or
re-encodes. Files are laid out as <root>/<camera>/<YYYY-MM-DD>/<UTC start>.mp4; a name is never reused, so a
restart never truncates earlier footage. Timestamps are rewritten to start at zero in each segment and to never
go backwards (cameras send duplicated, backwards and jumping timestamps).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import av

log = logging.getLogger("media.recorder")
#: Fragmented MP4: playable up to the last complete fragment after a kill or a power cut.
#: flush_packets hands each finished fragment to the OS at once, so a killed process loses at most the open GOP.
MP4_OPTIONS = {"movflags": "frag_keyframe+empty_moov+default_base_moof", "flush_packets": "1"}
#: A gap larger than this between packets starts a new segment instead of stretching the file.
MAX_JUMP_S = 10.0


@dataclass(frozen=True)
class Segment:
    """A finished (or crash-cut) recording file."""

    camera_id: int
    path: Path
    start: datetime
    end: datetime
    packets: int
    bytes: int

    @property
    def duration_s(self) -> float:
        """Wall-clock length."""
        return (self.end - self.start).total_seconds()


class SegmentRecorder:
    """Writes a camera's video packets into segments of about segment_s seconds, each starting on a key frame."""

    def __init__(
        self,
        camera_id: int,
        root: Path,
        *,
        segment_s: float = 300.0,
        on_segment: Callable[[Segment], None] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.camera_id = camera_id
        self.root = root
        self.segment_s = segment_s
        self._on_segment = on_segment
        self._clock = clock
        self._lock = threading.Lock()
        self._out: Any = None
        self._out_stream: Any = None
        self._path: Path | None = None
        self._start: datetime | None = None
        self._first_dts: int | None = None
        self._last_dts: int | None = None
        self._packets = 0
        self._template: Any = None
        self.segments: list[Segment] = []

    # ---- packet sink (worker thread) ------------------------------------------------------------------

    def __call__(self, packet: Any, stream: Any) -> None:
        """Take one demuxed packet (stream copy)."""
        if packet.dts is None and packet.pts is None:
            return
        with self._lock:
            time_base = stream.time_base
            if self._out is not None and packet.is_keyframe:
                elapsed = float((packet.dts - self._first_dts) * time_base) if self._first_dts is not None else 0.0
                if elapsed >= self.segment_s or stream is not self._template:
                    self._close_segment()
            if self._out is None:
                if not packet.is_keyframe:
                    return  # a segment starts on a key frame, or it would not decode
                self._open_segment(stream)
            self._write(packet, time_base)

    def _open_segment(self, stream: Any) -> None:
        start = self._clock()
        folder = self.root / str(self.camera_id) / start.strftime("%Y-%m-%d")
        folder.mkdir(parents=True, exist_ok=True)
        stem = start.strftime("%Y%m%dT%H%M%S_%fZ")
        path = folder / f"{stem}.mp4"
        n = 1
        while path.exists():  # never reuse a name: a restart must not truncate footage
            path = folder / f"{stem}-{n}.mp4"
            n += 1
        self._out = av.open(str(path), mode="w", format="mp4", options=MP4_OPTIONS)
        self._out_stream = self._out.add_stream_from_template(stream)
        self._template = stream
        self._path, self._start = path, start
        self._first_dts = self._last_dts = None
        self._packets = 0

    def _write(self, packet: Any, time_base: Any) -> None:
        dts = packet.dts if packet.dts is not None else packet.pts
        pts = packet.pts if packet.pts is not None else dts
        if self._first_dts is None:
            self._first_dts = dts
        rel_dts = dts - self._first_dts
        rel_pts = pts - self._first_dts
        if self._last_dts is not None:
            if float((rel_dts - self._last_dts) * time_base) > MAX_JUMP_S:
                # The camera's clock jumped: close this file and start again at the next key frame.
                self._close_segment()
                return
            if rel_dts <= self._last_dts:  # duplicated or backwards: keep the order, nudge forward
                shift = self._last_dts + 1 - rel_dts
                rel_dts += shift
                rel_pts += shift
        rel_pts = max(rel_pts, rel_dts)
        self._last_dts = rel_dts
        packet.dts, packet.pts = rel_dts, rel_pts
        packet.stream = self._out_stream
        self._out.mux(packet)
        self._packets += 1

    def _close_segment(self) -> None:
        out, path, start = self._out, self._path, self._start
        self._out = None
        if out is None or path is None or start is None:
            return
        try:
            out.close()
        except av.error.FFmpegError:
            log.exception("closing %s failed", path.name)
        segment = Segment(self.camera_id, path, start, self._clock(), self._packets, path.stat().st_size)
        self.segments.append(segment)
        if self._on_segment is not None:
            self._on_segment(segment)

    def close(self) -> None:
        """Finish the open segment."""
        with self._lock:
            self._close_segment()
