"""Store-and-forward spool: detections wait on disk, numbered and in order, until the desktop acknowledges them.

Layout of the spool folder (every name is generated here, none comes from a detection or the network)::

    00000000000000000042.item   one detection + its JPEG, written to a .tmp file, fsynced, then renamed into place
    state.json                  next sequence number and the dropped counter, replaced atomically the same way
    quarantine/                 corrupt items moved aside for a person to look at (the newest few are kept)
    .lock                       held with flock while a Spool is open, so two agents never share one folder

A kill at any moment leaves either the old or the new version of each file plus perhaps a ``.tmp`` file, which the
next open deletes. The sequence counter is saved before the item it numbers exists, so a crash may skip a number
but never hands one out twice. Acknowledged items are unlinked without syncing the folder: after a power cut one may
come back and be sent again, which the desktop absorbs because it dedupes by detection id.
"""

from __future__ import annotations

import builtins
import collections
import hashlib
import json
import logging
import os
import re
import struct
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType

from edge.protocol import MAX_SEQUENCE, UNASSIGNED, Detection, ProtocolError

if sys.platform != "win32":
    import fcntl

log = logging.getLogger("edge.spool")

ITEM_SUFFIX = ".item"
TMP_SUFFIX = ".tmp"
STATE_NAME = "state.json"
LOCK_NAME = ".lock"
QUARANTINE_DIR = "quarantine"
#: Quarantined files kept for inspection; older ones are deleted so a failing card cannot fill up with them.
QUARANTINE_KEEP = 32
STATE_VERSION = 1

_ITEM_NAME = re.compile(r"(\d{20})\.item")
# magic, format version, JSON length, JPEG length, SHA-256 of JSON + JPEG: the digest catches torn or rotten files.
_HEADER = struct.Struct(">8sBII32s")
_MAGIC = b"NVRSPOOL"
_ITEM_FORMAT = 1
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class SpoolError(Exception):
    """The spool cannot be used: closed, or its folder is held by another process."""


class _CorruptItemError(Exception):
    """An item file that cannot be trusted; its message says why."""


@dataclass(frozen=True)
class SpoolItem:
    """One stored detection, numbered, with its JPEG snapshot."""

    sequence: int
    detection: Detection
    jpeg: bytes


def _item_name(sequence: int) -> str:
    # 20 digits hold any 64-bit sequence, so names sort in delivery order.
    return f"{sequence:020d}{ITEM_SUFFIX}"


class Spool:
    """A bounded, crash-safe, thread-safe FIFO of detections on disk; delivery order is strictly by sequence.

    When a put takes it past ``max_items`` or ``max_bytes`` (item files, headers included), the oldest items are
    deleted and counted in ``dropped``, which persists across restarts so the heartbeat can report the loss.
    """

    def __init__(self, folder: Path | str, max_bytes: int, max_items: int) -> None:
        if max_bytes < 1 or max_items < 1:
            raise ValueError("max_bytes and max_items must be at least 1")
        self._folder = Path(folder).absolute()
        self._max_bytes = max_bytes
        self._max_items = max_items
        self._lock = threading.Lock()
        self._folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._lock_fd: int | None = self._lock_folder()
        # (sequence, file size), oldest first: items only join at the end and leave from the front.
        self._index: collections.deque[tuple[int, int]] = collections.deque()
        self._bytes = 0
        try:
            self._next_sequence, self._dropped = self._load_state()
            self._recover()
            self._enforce_bounds()
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------------------------------------------ public API

    @property
    def folder(self) -> Path:
        """The folder the spool lives in."""
        return self._folder

    @property
    def bytes(self) -> int:  # the name shadows the builtin in this class body: annotations say builtins.bytes
        """Total size of the stored item files."""
        with self._lock:
            return self._bytes

    @property
    def dropped(self) -> int:
        """How many items were ever deleted undelivered to stay within the bounds (survives restarts)."""
        with self._lock:
            return self._dropped

    @property
    def next_sequence(self) -> int:
        """The sequence the next put will get."""
        with self._lock:
            return self._next_sequence

    @property
    def quarantined(self) -> int:
        """How many quarantined files are kept for inspection now."""
        with self._lock:
            return len(self._quarantine_files())

    def __len__(self) -> int:
        """How many items wait for delivery."""
        with self._lock:
            return len(self._index)

    def put(self, detection: Detection, jpeg: builtins.bytes) -> int:
        """Number the detection, store it with its JPEG durably, and return its sequence."""
        if detection.sequence != UNASSIGNED:
            raise ValueError("the spool numbers detections: pass one made with Detection.create()")
        with self._lock:
            self._check_open()
            sequence = self._next_sequence
            if sequence > MAX_SEQUENCE:
                raise SpoolError("the sequence counter is exhausted")
            document = replace(detection, sequence=sequence).to_json()
            jpeg = bytes(jpeg)
            size = _HEADER.size + len(document) + len(jpeg)
            if size > self._max_bytes:
                raise ValueError(f"an item of {size} bytes can never fit in a spool of {self._max_bytes} bytes")
            # Saved before the item exists: a crash in between costs a gap in the numbers, never a reused one.
            self._next_sequence = sequence + 1
            self._save_state()
            digest = hashlib.sha256(document + jpeg).digest()
            header = _HEADER.pack(_MAGIC, _ITEM_FORMAT, len(document), len(jpeg), digest)
            self._write_atomically(_item_name(sequence), (header, document, jpeg))
            self._index.append((sequence, size))
            self._bytes += size
            self._enforce_bounds()
            return sequence

    def peek(self, count: int) -> list[SpoolItem]:
        """Up to ``count`` of the oldest items, oldest first, without removing them; corrupt ones are quarantined."""
        items: list[SpoolItem] = []
        with self._lock:
            self._check_open()
            position = 0
            while len(items) < count and position < len(self._index):
                sequence, size = self._index[position]
                try:
                    items.append(self._read_item(sequence, size))
                except _CorruptItemError as exc:
                    del self._index[position]
                    self._bytes -= size
                    self._quarantine(_item_name(sequence), str(exc))
                    continue
                position += 1
        return items

    def ack(self, sequence: int) -> int:
        """Remove every item up to and including ``sequence`` (the desktop has them); return how many went."""
        removed = 0
        with self._lock:
            self._check_open()
            while self._index and self._index[0][0] <= sequence:
                oldest, size = self._index[0]
                (self._folder / _item_name(oldest)).unlink(missing_ok=True)
                self._index.popleft()
                self._bytes -= size
                removed += 1
        return removed

    def refuse(self, sequence: int, reason: str) -> bool:
        """Move the oldest item aside, into quarantine, when the desktop refuses it for good (it would block the
        queue forever); False when ``sequence`` is not the oldest item."""
        with self._lock:
            self._check_open()
            if not self._index or self._index[0][0] != sequence:
                return False
            _, size = self._index.popleft()
            self._bytes -= size
            self._quarantine(_item_name(sequence), reason)
            return True

    def close(self) -> None:
        """Release the folder; the spool cannot be used afterwards. Safe to call twice."""
        with self._lock:
            if self._lock_fd is not None:
                os.close(self._lock_fd)  # closing the descriptor drops the flock
                self._lock_fd = None

    def __enter__(self) -> Spool:
        """Use the spool in a with-block that closes it."""
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        """Close the spool."""
        self.close()

    # ------------------------------------------------------------------------------------------------ internals

    def _check_open(self) -> None:
        if self._lock_fd is None:
            raise SpoolError(f"the spool in {self._folder} is closed")

    def _lock_folder(self) -> int:
        descriptor = os.open(self._folder / LOCK_NAME, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o600)
        if sys.platform != "win32":
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(descriptor)
                raise SpoolError(f"the spool in {self._folder} is in use by another process") from None
        return descriptor

    def _write_atomically(self, name: str, chunks: Iterable[builtins.bytes]) -> None:
        final = self._folder / name
        temporary = self._folder / (name + TMP_SUFFIX)
        try:
            # O_NOFOLLOW: a symlink planted under a .tmp name must not redirect the write outside the folder.
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW, 0o600)
            with os.fdopen(descriptor, "wb") as stream:
                for chunk in chunks:
                    stream.write(chunk)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, final)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        self._sync_folder()

    def _sync_folder(self) -> None:
        # The rename is only durable once the directory entry is on disk; Windows cannot open a folder to fsync it.
        if sys.platform == "win32":
            return
        descriptor = os.open(self._folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

    def _load_state(self) -> tuple[int, int]:
        path = self._folder / STATE_NAME
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return 1, 0
        try:
            state = json.loads(text)
            if not isinstance(state, dict) or set(state) != {"version", "next_sequence", "dropped"}:
                raise ValueError("unexpected keys")
            if state["version"] != STATE_VERSION:
                raise ValueError(f"unknown version {state['version']!r}")
            next_sequence, dropped = state["next_sequence"], state["dropped"]
            if not isinstance(next_sequence, int) or not isinstance(dropped, int) or next_sequence < 1 or dropped < 0:
                raise ValueError("bad counters")
        except ValueError as exc:
            # The item files still say where numbering stood (see _recover); losing the counters beats not starting.
            self._quarantine(STATE_NAME, f"unreadable state: {exc}")
            return 1, 0
        return next_sequence, dropped

    def _save_state(self) -> None:
        state = {"version": STATE_VERSION, "next_sequence": self._next_sequence, "dropped": self._dropped}
        self._write_atomically(STATE_NAME, (json.dumps(state, sort_keys=True).encode(),))

    def _recover(self) -> None:
        """Index the items found at open, delete leftover temp files, quarantine items cut short."""
        found: list[tuple[int, int]] = []
        with os.scandir(self._folder) as entries:
            for entry in entries:
                name = entry.name
                regular = entry.is_file(follow_symlinks=False)
                match = _ITEM_NAME.fullmatch(name)
                if name.endswith(TMP_SUFFIX) and regular:
                    log.info("deleting %s, left by an interrupted write", name)
                    os.unlink(entry.path)
                elif match and regular:
                    found.append((int(match.group(1)), entry.stat(follow_symlinks=False).st_size))
                elif name not in (STATE_NAME, LOCK_NAME, QUARANTINE_DIR):
                    log.warning("ignoring %r in the spool folder: the spool did not write it", name)
        found.sort()
        for sequence, size in found:
            try:
                self._check_header(sequence, size)
            except _CorruptItemError as exc:
                self._quarantine(_item_name(sequence), str(exc))
                continue
            self._index.append((sequence, size))
            self._bytes += size
        if self._index and self._index[-1][0] >= self._next_sequence:
            # The counter file was lost or is older than the items: continue after the newest item.
            self._next_sequence = self._index[-1][0] + 1
            self._save_state()

    def _check_header(self, sequence: int, size: int) -> tuple[int, int, builtins.bytes]:
        """Cheap open-time test: a whole header whose lengths add up to the file size (full check at read)."""
        if not 1 <= sequence <= MAX_SEQUENCE:
            raise _CorruptItemError(f"sequence {sequence} out of range")
        if size < _HEADER.size:
            raise _CorruptItemError(f"{size} bytes is shorter than the item header")
        with open(self._folder / _item_name(sequence), "rb") as stream:
            head = stream.read(_HEADER.size)
        return self._parse_header(head, size)

    @staticmethod
    def _parse_header(head: builtins.bytes, size: int) -> tuple[int, int, builtins.bytes]:
        if len(head) < _HEADER.size:
            raise _CorruptItemError("the item header is cut short")
        magic, item_format, json_length, jpeg_length, digest = _HEADER.unpack(head[: _HEADER.size])
        if magic != _MAGIC or item_format != _ITEM_FORMAT:
            raise _CorruptItemError("not a spool item of a known format")
        if _HEADER.size + json_length + jpeg_length != size:
            raise _CorruptItemError(f"{size} bytes, but the header announces {json_length} + {jpeg_length}")
        return json_length, jpeg_length, digest

    def _read_item(self, sequence: int, size: int) -> SpoolItem:
        try:
            data = (self._folder / _item_name(sequence)).read_bytes()
        except OSError as exc:
            raise _CorruptItemError(f"unreadable: {exc}") from None
        json_length, _jpeg_length, digest = self._parse_header(data, len(data))
        body = data[_HEADER.size :]
        if hashlib.sha256(body).digest() != digest:
            raise _CorruptItemError("checksum mismatch")
        try:
            detection = Detection.from_json(body[:json_length])
        except ProtocolError as exc:
            raise _CorruptItemError(f"invalid detection: {exc.message}") from None
        if detection.sequence != sequence:
            raise _CorruptItemError(f"holds sequence {detection.sequence}")
        return SpoolItem(sequence=sequence, detection=detection, jpeg=body[json_length:])

    def _enforce_bounds(self) -> None:
        dropped = 0
        while self._index and (len(self._index) > self._max_items or self._bytes > self._max_bytes):
            oldest, size = self._index[0]
            (self._folder / _item_name(oldest)).unlink(missing_ok=True)
            self._index.popleft()
            self._bytes -= size
            dropped += 1
        if dropped:
            self._dropped += dropped
            self._save_state()
            log.warning(
                "spool full (%d items, %d bytes max): dropped the %d oldest undelivered detections, %d in all",
                self._max_items,
                self._max_bytes,
                dropped,
                self._dropped,
            )

    def _quarantine_files(self) -> list[Path]:
        folder = self._folder / QUARANTINE_DIR
        if not folder.is_dir():
            return []
        return sorted(path for path in folder.iterdir() if path.is_file())

    def _quarantine(self, name: str, reason: str) -> None:
        """Move a bad file aside (never crash over it), keeping only the newest QUARANTINE_KEEP such files."""
        folder = self._folder / QUARANTINE_DIR
        source = self._folder / name
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
            # A time prefix keeps names unique and sorts them oldest first for trimming.
            os.replace(source, folder / f"{time.time_ns():020d}-{name}")
            for old in self._quarantine_files()[:-QUARANTINE_KEEP]:
                old.unlink(missing_ok=True)
        except OSError as exc:
            log.error("cannot quarantine %s (%s); deleting it", name, exc)
            source.unlink(missing_ok=True)
        log.error("quarantined spool file %s: %s", name, reason)
