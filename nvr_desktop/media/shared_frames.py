"""Frames across processes: one shared-memory slot per camera, written by a stream process, read by the GUI.

A slot is a small header (sequence, width, height, time) followed by pixels. The writer makes the sequence odd
while it writes and even when done (a seqlock); a reader copies the pixels and keeps them only if the sequence was
even and unchanged around the copy. Latest frame wins, as in the in-process FrameStore.
"""

from __future__ import annotations

import contextlib
import struct
import threading
from multiprocessing import shared_memory

import numpy as np

from nvr_desktop.media.frames import Frame, RgbImage

_HEADER = struct.Struct("<QIId")  # sequence, width, height, pts seconds
HEADER_SIZE = 64  # keep pixels 64-byte aligned
BYTES_PER_PIXEL = 4


def slot_size(box: tuple[int, int]) -> int:
    """Bytes of a slot able to hold any picture fitted into box."""
    return HEADER_SIZE + max(16, box[0]) * max(2, box[1]) * BYTES_PER_PIXEL


class SlotWriter:
    """The stream process's side: put() copies a picture into a camera's slot (FrameStore protocol)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._slots: dict[int, shared_memory.SharedMemory] = {}
        self._seq: dict[int, int] = {}

    def attach(self, camera_id: int, name: str) -> None:
        """Write the camera's pictures into the named segment from now on."""
        # Attaching registers the name with the resource tracker this spawned process shares with the GUI
        # process (a set: no duplicate); the GUI process, which created the segment, alone unlinks it.
        segment = shared_memory.SharedMemory(name=name)
        with self._lock:
            old = self._slots.pop(camera_id, None)
            self._slots[camera_id] = segment
        if old is not None:
            old.close()

    def put(self, camera_id: int, image: RgbImage, pts_seconds: float = 0.0) -> int:
        """Publish a picture; pictures larger than the slot are dropped (the box shrank meanwhile)."""
        with self._lock:
            segment = self._slots.get(camera_id)
            if segment is None:
                return 0
            height, width = image.shape[:2]
            if HEADER_SIZE + image.nbytes > segment.size:
                return 0
            seq = self._seq.get(camera_id, 0) + 2
            self._seq[camera_id] = seq
            buf = segment.buf
            assert buf is not None
            _HEADER.pack_into(buf, 0, seq - 1, width, height, pts_seconds)  # odd: writing
            pixels = np.ndarray((height, width, BYTES_PER_PIXEL), np.uint8, buf, HEADER_SIZE)
            pixels[...] = image
            _HEADER.pack_into(buf, 0, seq, width, height, pts_seconds)
            return seq

    def drop(self, camera_id: int) -> None:
        """Stop writing a camera's pictures."""
        with self._lock:
            segment = self._slots.pop(camera_id, None)
        if segment is not None:
            segment.close()

    def close(self) -> None:
        """Detach every slot."""
        with self._lock:
            segments = list(self._slots.values())
            self._slots.clear()
        for segment in segments:
            segment.close()


class SharedFrameStore:
    """The GUI process's side: owns the slots and reads the newest picture of each camera (FrameStore API)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._slots: dict[int, shared_memory.SharedMemory] = {}
        self._frames: dict[int, Frame] = {}

    def ensure_slot(self, camera_id: int, box: tuple[int, int]) -> str | None:
        """Make the camera's slot big enough for box; returns the new segment's name when it changed."""
        needed = slot_size(box)
        with self._lock:
            current = self._slots.get(camera_id)
            if current is not None and current.size >= needed:
                return None
            segment = shared_memory.SharedMemory(create=True, size=needed)
            segment.buf[:HEADER_SIZE] = bytes(HEADER_SIZE)  # type: ignore[index]
            self._slots[camera_id] = segment
        if current is not None:
            # The writer may still hold it for a moment; unlinking only removes the name.
            current.close()
            with contextlib.suppress(FileNotFoundError):
                current.unlink()
        return segment.name

    def slot_name(self, camera_id: int) -> str | None:
        """The name of a camera's segment, if it has one."""
        with self._lock:
            segment = self._slots.get(camera_id)
            return segment.name if segment is not None else None

    def _read(self, camera_id: int, segment: shared_memory.SharedMemory, last_seq: int) -> Frame | None:
        buf = segment.buf
        assert buf is not None
        seq, width, height, pts = _HEADER.unpack_from(buf, 0)
        if seq == last_seq or seq % 2 or width == 0:
            return None
        if HEADER_SIZE + width * height * BYTES_PER_PIXEL > segment.size:
            return None
        pixels = np.ndarray((height, width, BYTES_PER_PIXEL), np.uint8, buf, HEADER_SIZE).copy()
        if _HEADER.unpack_from(buf, 0)[0] != seq:
            return None  # overwritten while copying: take the next one
        return Frame(pixels, seq, pts)

    def changed_since(self, seen: dict[int, int]) -> dict[int, Frame]:
        """For the cameras in seen, copies of pictures newer than the sequence given."""
        out = {}
        with self._lock:
            for cid, last in seen.items():
                segment = self._slots.get(cid)
                if segment is None:
                    continue
                frame = self._read(cid, segment, last)
                if frame is not None:
                    self._frames[cid] = frame
                    out[cid] = frame
        return out

    def get(self, camera_id: int) -> Frame | None:
        """The newest picture of a camera."""
        with self._lock:
            segment = self._slots.get(camera_id)
            if segment is not None:
                last = self._frames[camera_id].seq if camera_id in self._frames else -1
                frame = self._read(camera_id, segment, last)
                if frame is not None:
                    self._frames[camera_id] = frame
            return self._frames.get(camera_id)

    def drop(self, camera_id: int) -> None:
        """Free a camera's slot."""
        with self._lock:
            segment = self._slots.pop(camera_id, None)
            self._frames.pop(camera_id, None)
        if segment is not None:
            segment.close()
            with contextlib.suppress(FileNotFoundError):
                segment.unlink()

    def close(self) -> None:
        """Free every slot."""
        for camera_id in list(self._slots):
            self.drop(camera_id)
