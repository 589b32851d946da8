"""Frames across processes: one shared-memory slot per camera, written by a stream process, read by the GUI.

A slot is a header followed by four picture buffers. The stream process scales each new picture straight into
the buffer after the one it published last, then publishes it by rewriting the header: sequence, buffer, width,
height, time, and the same for the picture published before it. The header alone is guarded by a seqlock (odd
while it is rewritten). The GUI reads the header and wraps a published buffer without copying it; the writer comes
back to the newest picture's buffer only three pictures later, and to the one before it two pictures later (80 ms
at 25 fps), long after the wall has copied it to the screen.

Newest picture wins, with one allowance for jitter: when exactly one picture came and went since the reader's
last, the reader gets that one first and the newest at its next look (see `show_next`). Camera frames and the
wall's 40 ms refresh run on two clocks; when a frame lands on a refresh, network jitter puts two frames in one
refresh and none in the next, and newest-wins dropped one of them (18 fps shown on some tiles of a 25 fps wall).
A reader that is further behind gets the newest: the wall never lags more than one picture.

Views handed to the GUI keep their segment mapped: a segment the GUI no longer needs (the tile grew, the camera
went) is unlinked at once and closed when the last picture taken from it is gone.
"""

from __future__ import annotations

import contextlib
import struct
import threading
from dataclasses import dataclass, field
from multiprocessing import shared_memory

import numpy as np

from nvr_desktop.media.frames import Frame, RgbImage, Target, show_next

_SEQ = struct.Struct("<Q")
_HEADER = struct.Struct("<QIIId")  # sequence, buffer index, width, height, pts seconds
_CAPACITY = struct.Struct("<Q")  # bytes per buffer, written once by the slot's creator
_CAPACITY_AT = 32
_PREVIOUS = struct.Struct("<IIId")  # the picture published before: buffer index, width, height (0: none), pts
_PREVIOUS_AT = 40
HEADER_SIZE = 64  # keep pixels 64-byte aligned
BYTES_PER_PIXEL = 4
BUFFERS = 4
_STEP = 2  # sequence numbers per picture (odd ones mark a header being rewritten)


def buffer_size(box: tuple[int, int]) -> int:
    """Bytes of one picture buffer able to hold any picture fitted into box (a multiple of 64)."""
    raw = max(16, box[0]) * max(2, box[1]) * BYTES_PER_PIXEL
    return (raw + 63) // 64 * 64


def slot_size(box: tuple[int, int]) -> int:
    """Bytes of a slot for box: the header and its buffers."""
    return HEADER_SIZE + BUFFERS * buffer_size(box)


class Segment(shared_memory.SharedMemory):
    """A shared-memory segment that may be left to the garbage collector while a picture still points into it
    (the mapping then lives on with that picture, silently, instead of a BufferError report at exit)."""

    def __del__(self) -> None:
        with contextlib.suppress(BufferError):
            super().__del__()


@dataclass(eq=False)
class _WriterSlot:
    segment: Segment
    flat: np.ndarray  # the whole segment as bytes: its address for the scaler, views for copies
    capacity: int
    address: int  # where the segment starts in this process (numpy's .ctypes costs a microsecond per picture)
    seq: int = 0
    published: tuple[int, int, int, float] = (0, 0, 0, 0.0)  # the newest picture in this segment (width 0: none)
    lock: threading.Lock = field(default_factory=threading.Lock)  # held from begin to commit, and to close
    closed: bool = False


class SlotWriter:
    """The stream process's side (FrameSink): begin/commit a picture in place, or put() a finished one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # attach, drop and close only; the picture path takes no shared lock
        self._slots: dict[int, _WriterSlot] = {}

    def attach(self, camera_id: int, name: str) -> None:
        """Write the camera's pictures into the named segment from now on."""
        # Attaching registers the name with the resource tracker this spawned process shares with the GUI
        # process (a set: no duplicate); the GUI process, which created the segment, alone unlinks it.
        segment = Segment(name=name)
        buf = segment.buf
        assert buf is not None
        (capacity,) = _CAPACITY.unpack_from(buf, _CAPACITY_AT)
        flat = np.frombuffer(buf, np.uint8)
        slot = _WriterSlot(segment, flat, int(capacity), flat.ctypes.data)
        with self._lock:
            old = self._slots.get(camera_id)
            if old is not None:
                slot.seq = old.seq  # sequence numbers keep growing across a resized slot
            self._slots[camera_id] = slot
        if old is not None:
            self._close(old)

    def begin(self, camera_id: int, width: int, height: int) -> Target | None:
        """Where to write the camera's next picture of width x height, or None (no slot, or too small for it).

        The caller writes the pixels (BGRA rows of width * 4 bytes) and then calls commit(), or abort().
        """
        slot = self._slots.get(camera_id)
        if slot is None or width * height * BYTES_PER_PIXEL > slot.capacity:
            return None
        slot.lock.acquire()
        if slot.closed:
            slot.lock.release()
            return None
        index = (slot.seq // _STEP + 1) % BUFFERS
        offset = HEADER_SIZE + index * slot.capacity
        return Target(slot.address + offset, width * BYTES_PER_PIXEL, width, height, (slot, index, offset))

    def pixels(self, target: Target) -> RgbImage:
        """The target's buffer as an array to copy a finished picture into."""
        slot, _index, offset = target.token
        return np.ndarray((target.height, target.width, BYTES_PER_PIXEL), np.uint8, slot.flat, offset)

    def commit(self, target: Target, pts_seconds: float = 0.0) -> int:
        """Publish the picture written at target; returns its sequence number."""
        slot, index, _offset = target.token
        try:
            seq: int = slot.seq + _STEP
            buf = slot.flat
            _SEQ.pack_into(buf, 0, seq - 1)  # odd: the header is being rewritten
            _HEADER.pack_into(buf, 0, seq - 1, index, target.width, target.height, pts_seconds)
            _PREVIOUS.pack_into(buf, _PREVIOUS_AT, *slot.published)
            _SEQ.pack_into(buf, 0, seq)
            slot.seq = seq
            slot.published = (index, target.width, target.height, pts_seconds)
            return seq
        finally:
            slot.lock.release()

    def abort(self, target: Target) -> None:
        """Give up a picture begun but not written; nothing is published."""
        target.token[0].lock.release()

    def put(self, camera_id: int, image: RgbImage, pts_seconds: float = 0.0) -> int:
        """Publish a finished picture by copying it; pictures larger than the slot are dropped (0)."""
        height, width = image.shape[:2]
        target = self.begin(camera_id, width, height)
        if target is None:
            return 0
        try:
            self.pixels(target)[...] = image
        except BaseException:
            self.abort(target)
            raise
        return self.commit(target, pts_seconds)

    @staticmethod
    def _close(slot: _WriterSlot) -> None:
        with slot.lock:  # never while a picture is being written into it
            slot.closed = True
            slot.flat = np.empty(0, np.uint8)  # let go of the export, or the mapping cannot close
            with contextlib.suppress(BufferError):
                slot.segment.close()

    def drop(self, camera_id: int) -> None:
        """Stop writing a camera's pictures."""
        with self._lock:
            slot = self._slots.pop(camera_id, None)
        if slot is not None:
            self._close(slot)

    def close(self) -> None:
        """Detach every slot."""
        with self._lock:
            slots = list(self._slots.values())
            self._slots.clear()
        for slot in slots:
            self._close(slot)


@dataclass(eq=False)
class _ReaderSlot:
    segment: Segment
    capacity: int  # bytes per buffer, as its creator (this side) wrote it in the header
    # (buffer, width, height) -> that picture's pixels as an array: made once, not for every picture (the wall
    # then keeps its image of them too). Each holds an export of the segment: dropped with the slot.
    views: dict[tuple[int, int, int], RgbImage] = field(default_factory=dict)


#: Views kept per slot: every buffer at two picture sizes (a tile that changed size lately).
_VIEWS_LIMIT = 2 * BUFFERS


class SharedFrameStore:
    """The GUI process's side: owns the slots and reads the newest picture of each camera (FrameSource)."""

    reuses_arrays = True  # one view per buffer and picture size, handed out again when the buffer comes round

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._slots: dict[int, _ReaderSlot] = {}
        self._frames: dict[int, Frame] = {}
        self._retired: list[Segment] = []  # unlinked, closed once no picture uses them

    def ensure_slot(self, camera_id: int, box: tuple[int, int]) -> str | None:
        """Make the camera's slot big enough for box; returns the new segment's name when it changed."""
        needed = slot_size(box)
        with self._lock:
            current = self._slots.get(camera_id)
            if current is not None and current.segment.size >= needed:
                return None
            segment = Segment(create=True, size=needed)
            buf = segment.buf
            assert buf is not None
            buf[:HEADER_SIZE] = bytes(HEADER_SIZE)
            capacity = buffer_size(box)
            _CAPACITY.pack_into(buf, _CAPACITY_AT, capacity)
            self._slots[camera_id] = _ReaderSlot(segment, capacity)
            if current is not None:
                self._frames.pop(camera_id, None)  # a picture of the old slot: the wall keeps its own reference
                self._retire(current)
        return segment.name

    def slot_name(self, camera_id: int) -> str | None:
        """The name of a camera's segment, if it has one."""
        with self._lock:
            slot = self._slots.get(camera_id)
            return slot.segment.name if slot is not None else None

    def _retire(self, slot: _ReaderSlot) -> None:
        """Unlink a slot's segment now and close it when no picture taken from it is left (lock held)."""
        slot.views.clear()
        segment = slot.segment
        with contextlib.suppress(FileNotFoundError):
            segment.unlink()  # the writer may still hold it for a moment; this only removes the name
        self._retired.append(segment)
        self._close_retired()

    def _close_retired(self) -> None:
        kept = []
        for segment in self._retired:
            try:
                segment.close()
            except BufferError:
                kept.append(segment)  # a picture on screen still points into it
        self._retired = kept

    @staticmethod
    def _read(slot: _ReaderSlot, last_seq: int, allow_previous: bool = False) -> Frame | None:
        """The newest picture unless it is last_seq; with allow_previous, the one before it where show_next says."""
        buf = slot.segment.buf
        assert buf is not None
        newest, index, width, height, pts = _HEADER.unpack_from(buf, 0)
        if newest == last_seq or newest % 2:
            return None
        seq = newest
        if allow_previous and show_next(last_seq, newest, _STEP):
            previous = _PREVIOUS.unpack_from(buf, _PREVIOUS_AT)
            if previous[1]:  # width 0: the newest is the first picture in this segment
                seq = newest - _STEP
                index, width, height, pts = previous
        key = (index, width, height)
        pixels = slot.views.get(key)
        if pixels is None:
            capacity = slot.capacity
            offset = HEADER_SIZE + index * capacity
            count = width * height * BYTES_PER_PIXEL
            if width == 0 or index >= BUFFERS or count > capacity or offset + capacity > slot.segment.size:
                return None
            # A view, no copy. frombuffer holds an export of the segment's buffer for as long as the view lives, so
            # the segment refuses to close under a picture still on screen (np.ndarray(buffer=...) would not).
            pixels = np.frombuffer(buf, np.uint8, count, offset).reshape(height, width, BYTES_PER_PIXEL)
            if len(slot.views) >= _VIEWS_LIMIT:
                slot.views.clear()
            slot.views[key] = pixels
        if _SEQ.unpack_from(buf, 0)[0] != newest:
            return None  # the header changed while it was read: take the next one
        return Frame(pixels, seq, pts)

    def changed_since(self, seen: dict[int, int]) -> dict[int, Frame]:
        """For the cameras in seen, pictures newer than the sequence given (views of the slots: no copy): the newest,
        or the one before it when only that one would otherwise be skipped (the module's note)."""
        out = {}
        with self._lock:
            if self._retired:
                self._close_retired()
            for cid, last in seen.items():
                slot = self._slots.get(cid)
                if slot is None:
                    continue
                frame = self._read(slot, last, allow_previous=True)
                if frame is not None:
                    self._frames[cid] = frame
                    out[cid] = frame
        return out

    def get(self, camera_id: int) -> Frame | None:
        """The newest picture of a camera."""
        with self._lock:
            slot = self._slots.get(camera_id)
            if slot is not None:
                last = self._frames[camera_id].seq if camera_id in self._frames else -1
                frame = self._read(slot, last)
                if frame is not None:
                    self._frames[camera_id] = frame
            return self._frames.get(camera_id)

    def drop(self, camera_id: int) -> None:
        """Free a camera's slot."""
        with self._lock:
            slot = self._slots.pop(camera_id, None)
            self._frames.pop(camera_id, None)
            if slot is not None:
                self._retire(slot)

    def close(self) -> None:
        """Free every slot (a segment a picture still uses is closed with the process)."""
        for camera_id in list(self._slots):
            self.drop(camera_id)
