"""One camera connection on its own named thread: open, demux once, hand packets on, decode only when seen."""

from __future__ import annotations

import collections
import contextlib
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import av
import av.error
from av.video.reformatter import Interpolation, VideoReformatter

from nvr_desktop.media.frames import PIXEL_FORMAT, FrameSink
from nvr_desktop.media.motion_tap import MotionTap
from nvr_desktop.media.scaler import DirectScaler
from nvr_desktop.media.source import SourceSpec, classify_error, open_container
from nvr_desktop.media.state import DecodeMode, StreamState, StreamStats

PacketSink = Callable[[Any, Any], None]  # (av.Packet, av stream)
EndListener = Callable[[str], None]  # the connection ended (reason); the next packet belongs to a new session
StateListener = Callable[[int, StreamStats], None]
STOP_JOIN_S = 10.0
#: Audio codecs MP4 carries as they are (G.711 A-law/u-law is not among them: it would need re-encoding).
RECORDABLE_AUDIO = frozenset({"aac", "mp3"})
_FPS_WINDOW_S = 2.0


@dataclass(frozen=True)
class Backoff:
    """Reconnect delays: first, doubling up to maximum, each jittered by +/- jitter (a fraction)."""

    first_s: float = 1.0
    maximum_s: float = 30.0
    jitter: float = 0.2

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before reconnect attempt number attempt (1-based)."""
        base = min(self.maximum_s, self.first_s * 2.0 ** max(0, attempt - 1))
        spread = float((rng or random).uniform(-self.jitter, self.jitter))
        return max(0.0, base * (1 + spread))


DEFAULT_BACKOFF = Backoff()


class NoVideoStreamError(Exception):
    """The source opened but carries no video."""


def fit_size(src_w: int, src_h: int, box_w: int, box_h: int) -> tuple[int, int]:
    """The largest size inside box that keeps the source aspect ratio, never above the source.

    The width is a multiple of 16 (whole 64-byte rows of 4-byte pixels: FFmpeg then pads nothing and the frame
    reaches the GUI without a copy) and the height is even.
    """
    if src_w <= 0 or src_h <= 0 or box_w <= 0 or box_h <= 0:
        return max(16, src_w & ~15), max(2, src_h & ~1)
    scale = min(box_w / src_w, box_h / src_h, 1.0)
    width = max(16, int(src_w * scale) & ~15)
    height = max(2, int(src_h * scale) & ~1)
    return width, height


class StreamWorker:
    """Runs one camera stream until stopped, reconnecting with backoff, publishing state and frames."""

    def __init__(
        self,
        camera_id: int,
        spec: SourceSpec,
        frames: FrameSink,
        *,
        on_state: StateListener | None = None,
        backoff: Backoff = DEFAULT_BACKOFF,
        name: str | None = None,
    ) -> None:
        self.camera_id = camera_id
        self.spec = spec
        self._frames = frames
        self._on_state = on_state
        self._backoff = backoff
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._stats = StreamStats()
        self._mode = DecodeMode.OFF
        self._box: tuple[int, int] = (320, 180)
        # What the pump reads on every packet, swapped whole so it needs no lock: (mode, box).
        self._display: tuple[DecodeMode, tuple[int, int]] = (self._mode, self._box)
        self._sinks: list[PacketSink] = []
        # Server-side motion: None for nearly every camera, which is all the pump checks per packet.
        self._motion: MotionTap | None = None
        self._end_listeners: list[EndListener] = []
        self._shown: collections.deque[float] = collections.deque()
        # For the last frame shown: source width and height, the box, and the picture size fit_size gave for them.
        self._fitted: tuple[int, int, tuple[int, int], int, int] = (0, 0, (0, 0), 0, 0)
        self._packets: collections.deque[tuple[float, int]] = collections.deque()
        self.decoded_frames = 0  # every frame the decoder produced, for tests and the governor
        self.log = logging.getLogger(f"media.stream.cam{camera_id}")
        self._thread = threading.Thread(target=self._run, name=name or f"stream-cam{camera_id}", daemon=True)

    # ---- control (any thread) ----------------------------------------------------------------------

    def start(self) -> None:
        """Start the worker thread."""
        self._thread.start()

    def request_stop(self) -> None:
        """Ask the worker to stop without waiting."""
        self._stop.set()

    def stop(self, timeout: float = STOP_JOIN_S) -> bool:
        """Ask the worker to stop and wait up to timeout; True when it ended."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        """True while the thread runs."""
        return self._thread.is_alive()

    def set_display(self, mode: DecodeMode, box: tuple[int, int] | None = None) -> None:
        """Choose how much to decode and the size to scale frames into."""
        with self._lock:
            self._mode = mode
            if box is not None:
                self._box = box
            self._display = (self._mode, self._box)
            self._stats = replace(self._stats, decode_mode=mode)

    def set_motion(self, tap: MotionTap | None) -> None:
        """Decode every frame and feed tap (None: decode only for display again); swapped whole, no lock."""
        if tap is not None:
            tap.restart()
        self._motion = tap

    @property
    def motion(self) -> MotionTap | None:
        """The motion tap fed by this worker, if any."""
        return self._motion

    @property
    def mode(self) -> DecodeMode:
        """The current decode mode."""
        return self._mode

    def add_packet_sink(self, sink: PacketSink, on_end: EndListener | None = None) -> None:
        """Receive every demuxed packet (the recorder), and on_end when a connection ends; on the worker thread."""
        with self._lock:
            self._sinks = [*self._sinks, sink]
            if on_end is not None:
                self._end_listeners = [*self._end_listeners, on_end]

    def remove_packet_sink(self, sink: PacketSink, on_end: EndListener | None = None) -> None:
        """Stop receiving packets."""
        with self._lock:
            self._sinks = [s for s in self._sinks if s is not sink]
            self._end_listeners = [e for e in self._end_listeners if e is not on_end]

    def _connection_ended(self, reason: str) -> None:
        with self._lock:
            listeners = self._end_listeners
        for listener in listeners:
            try:
                listener(reason)
            except Exception:
                self.log.exception("end-of-stream listener failed")

    @property
    def stats(self) -> StreamStats:
        """A snapshot of the live figures."""
        now = time.monotonic()
        with self._lock:
            self._trim(now)
            fps = len(self._shown) / _FPS_WINDOW_S
            packets = list(self._packets)  # one atomic copy: the pump appends without the lock
            in_fps = len(packets) / _FPS_WINDOW_S
            kbps = sum(size for _, size in packets) * 8 / 1000 / _FPS_WINDOW_S
            return replace(self._stats, fps=fps, input_fps=in_fps, bitrate_kbps=kbps)

    # ---- worker thread -----------------------------------------------------------------------------

    def _trim(self, now: float) -> None:
        while self._shown and now - self._shown[0] > _FPS_WINDOW_S:
            self._shown.popleft()
        while self._packets and now - self._packets[0][0] > _FPS_WINDOW_S:
            self._packets.popleft()

    def _set_state(self, state: StreamState, message: str = "", **changes: Any) -> None:
        with self._lock:
            before = self._stats
            self._stats = replace(before, state=state, message=message, **changes)
            after = self._stats
        if (before.state, before.message) != (after.state, after.message):
            self.log.info("state %s%s", state.value, f": {message}" if message else "")
            if self._on_state is not None:
                try:
                    self._on_state(self.camera_id, after)
                except Exception:
                    self.log.exception("state listener failed")

    def _run(self) -> None:
        if self.spec.login_missing:
            self._set_state(
                StreamState.LOGIN_MISSING,
                "the camera's password is not in this machine's keyring: enter it in the camera's settings",
            )
            self._stop.wait()
            self._set_state(StreamState.STOPPED)
            return
        attempt = 0
        ever_live = False
        while not self._stop.is_set():
            self._set_state(
                StreamState.RECONNECTING if ever_live else StreamState.CONNECTING,
                f"opening {self.spec.redacted}",
            )
            went_live = False
            try:
                went_live = self._session()
                if self._stop.is_set():
                    break
                state, reason = StreamState.RECONNECTING, "the stream ended"
            except Exception as err:  # every failure becomes a state; the worker must never die
                if self._stop.is_set():
                    break
                if isinstance(err, NoVideoStreamError):
                    state, reason = StreamState.ERROR, str(err)
                else:
                    state, reason = classify_error(err)
                self.log.debug("connection failed", exc_info=True)
            finally:
                self._connection_ended("stopped" if self._stop.is_set() else "camera offline")
            ever_live = ever_live or went_live
            attempt = 1 if went_live else attempt + 1
            delay = self._backoff.delay(attempt)
            if (
                state is StreamState.RECONNECTING
                and not went_live
                and (not ever_live or delay >= self._backoff.maximum_s * (1 - self._backoff.jitter))
                and attempt >= 3
            ):
                state = StreamState.OFFLINE
            with self._lock:
                reconnects = self._stats.reconnects + 1
            self._set_state(state, f"{reason}; retrying in {delay:.0f} s", reconnects=reconnects)
            self._stop.wait(delay)
        self._set_state(StreamState.STOPPED)

    def _session(self) -> bool:
        """One connection: returns True if it delivered video before it ended."""
        container = open_container(self.spec)
        try:
            videos = [s for s in container.streams if s.type == "video"]
            if not videos:
                raise NoVideoStreamError("the stream has no video track")
            video = videos[0]
            ctx = video.codec_context
            if ctx is None:
                raise av.error.DecoderNotFoundError(0, "no decoder")
            ctx.thread_count = 1  # 128 decoders must not each start a thread pool
            tap = self._motion
            if tap is not None:
                tap.restart()  # the scene may have changed while disconnected
            audio = self._recordable_audio(container)
            live = self._pump(container, video, audio)
            while self.spec.realtime and not self._stop.is_set():
                # A looping local file (demo camera): rewind instead of reconnecting.
                container.seek(0, stream=video)
                ctx.flush_buffers()
                live = self._pump(container, video, audio) or live
            return live
        finally:
            with contextlib.suppress(Exception):
                container.close()

    def _recordable_audio(self, container: Any) -> Any:
        """The camera's first audio track when MP4 can carry it as it is (stream copy), else None."""
        audios = [s for s in container.streams if s.type == "audio"]
        if not audios:
            return None
        name = audios[0].codec_context.name if audios[0].codec_context is not None else "unknown"
        if name not in RECORDABLE_AUDIO:
            self.log.info("audio %s cannot be stored in MP4 without re-encoding; recording video only", name)
            return None
        return audios[0]

    def _pump(self, container: Any, video: Any, audio: Any = None) -> bool:
        ctx = video.codec_context
        codec = ctx.name
        live = False
        need_key = True
        mode_seen = DecodeMode.OFF
        reformatter = VideoReformatter()
        scaler = DirectScaler()
        pace_origin: tuple[float, float] | None = None
        time_base = float(video.time_base) if video.time_base else 0.0
        paced = bool(self.spec.realtime and time_base)  # a local file plays at its own speed
        streams = (video, audio) if audio is not None else (video,)
        # Looked up once: the loop runs for every packet of every camera, and each lookup in it costs more than its
        # share once 32 decoders have taken turns with the caches (stream processes, 25 fps on 32 tiles).
        stopped = self._stop.is_set
        clock = time.monotonic
        arrived = self._packets.append
        decode = self._decode
        off, keyframes = DecodeMode.OFF, DecodeMode.KEYFRAMES
        for packet in container.demux(*streams):
            if stopped():
                return live
            size = packet.size
            if size == 0:
                continue  # flush packet at end of stream
            if audio is not None and packet.stream_index == audio.index:
                for sink in self._sinks:  # audio only goes to the recorder: never decoded, not in the figures
                    try:
                        sink(packet, audio)
                    except Exception:
                        self.log.exception("packet sink failed")
                continue
            # No lock per packet: deque appends are atomic, and the sinks list and the display tuple are only
            # ever replaced whole. With 128 cameras every microsecond here is 0.3% of a core.
            now = clock()
            arrived((now, size))
            sinks = self._sinks
            mode, box = self._display
            if not live:
                live = True
                rate = video.average_rate or video.guessed_rate
                self._set_state(
                    StreamState.LIVE,
                    "",
                    codec=codec,
                    width=ctx.width,
                    height=ctx.height,
                    nominal_fps=float(rate) if rate else 0.0,
                )
            for sink in sinks:
                try:
                    sink(packet, video)
                except Exception:
                    self.log.exception("packet sink failed")
            if paced and packet.pts is not None:
                pts_s = packet.pts * time_base
                if pace_origin is None:
                    pace_origin = (now, pts_s)
                wait = pace_origin[0] + (pts_s - pace_origin[1]) - now
                if wait > 0 and self._stop.wait(min(wait, 1.0)):
                    return live
            motion = self._motion
            if motion is not None:
                # Motion needs every frame decoded (P-frames build on the ones before); the display gets what
                # its mode asks for from the same frames.
                if need_key and not packet.is_keyframe:
                    continue
                need_key = False
                mode_seen = mode
                shown = mode is DecodeMode.FULL or (mode is DecodeMode.KEYFRAMES and packet.is_keyframe)
                decode(ctx, packet, box if shown else None, reformatter, scaler, now, motion)
                continue
            if mode is not mode_seen:
                need_key = need_key or mode is DecodeMode.FULL
                mode_seen = mode
            if mode is off:
                need_key = True
                continue
            if need_key and not packet.is_keyframe:
                continue
            if mode is keyframes and not packet.is_keyframe:
                need_key = True
                continue
            need_key = False
            decode(ctx, packet, box, reformatter, scaler, now)
        return live

    def _decode(
        self,
        ctx: Any,
        packet: Any,
        box: tuple[int, int] | None,
        reformatter: VideoReformatter,
        scaler: DirectScaler,
        now: float,
        motion: MotionTap | None = None,
    ) -> None:
        """Decode a packet; show its frames scaled into box (None: not shown), counted as shown at now (monotonic)."""
        try:
            decoded = ctx.decode(packet)
        except av.error.FFmpegError:
            with self._lock:
                self._stats = replace(self._stats, dropped_frames=self._stats.dropped_frames + 1)
            return
        for frame in decoded:
            self.decoded_frames += 1
            if motion is not None:
                motion.feed(frame)
            if box is None:
                continue  # decoded for motion only: the tile is hidden
            # The picture's size is worked out again only when the source or the tile changes (the box comes from
            # the display tuple, which is replaced whole: a new box is a new object).
            fitted = self._fitted
            if frame.width != fitted[0] or frame.height != fitted[1] or box is not fitted[2]:
                fitted = self._fit(frame.width, frame.height, box)
            if self._show(frame, fitted[3], fitted[4], reformatter, scaler):
                self._shown.append(now)  # deque appends are atomic: stats() trims and counts under its lock

    def _fit(self, width: int, height: int, box: tuple[int, int]) -> tuple[int, int, tuple[int, int], int, int]:
        """Work out the picture size for a source size and box, and note the source size in the figures."""
        self._fitted = (width, height, box, *fit_size(width, height, *box))
        with self._lock:
            self._stats = replace(self._stats, width=width, height=height)
        return self._fitted

    def _show(self, frame: Any, width: int, height: int, reformatter: VideoReformatter, scaler: DirectScaler) -> bool:
        """Scale the frame straight into the sink's memory and publish it; False when there is no room for it."""
        frames = self._frames
        target = frames.begin(self.camera_id, width, height)
        if target is None:
            return False
        pts = frame.time or 0.0
        if scaler.scale(frame, width, height, target.address, target.stride):
            frames.commit(target, pts)
            return True
        try:  # PyAV's reformat and a copy: libswscale could not be called directly for this frame
            if (width, height) != (frame.width, frame.height) or frame.format.name != PIXEL_FORMAT:
                frame = reformatter.reformat(
                    frame,
                    width=width,
                    height=height,
                    format=PIXEL_FORMAT,
                    interpolation=Interpolation.BILINEAR,
                    threads=1,
                )
            frames.pixels(target)[...] = frame.to_ndarray()
        except BaseException:
            frames.abort(target)
            raise
        frames.commit(target, pts)
        return True
