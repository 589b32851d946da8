"""The store-and-forward spool: order, durability across restarts and kills, bounds, corruption, threads."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from edge.protocol import Detection
from edge.spool import QUARANTINE_DIR, STATE_NAME, Spool, SpoolError

REPO = Path(__file__).resolve().parents[3]
JPEG = b"\xff\xd8\xff\xe0" + b"\x10" * 200 + b"\xff\xd9"
BIG = 1 << 30


def _detection(score: float = 0.5) -> Detection:
    return Detection.create("pi-door-1", datetime(2024, 6, 1, 12, 0, tzinfo=UTC), score, ((1, 2, 3, 4),), (64, 48))


def _items(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.endswith(".item"))


def test_items_come_back_in_order_with_their_snapshots(tmp_path: Path) -> None:
    with Spool(tmp_path, BIG, 100) as spool:
        detections = [_detection(score / 10) for score in range(5)]
        sequences = [spool.put(detection, JPEG + bytes([n])) for n, detection in enumerate(detections)]
        assert sequences == [1, 2, 3, 4, 5]
        assert len(spool) == 5
        items = spool.peek(3)
        assert [item.sequence for item in items] == [1, 2, 3]
        assert [item.detection.detection_id for item in items] == [d.detection_id for d in detections[:3]]
        assert [item.detection.sequence for item in items] == [1, 2, 3]
        assert [item.jpeg for item in items] == [JPEG + bytes([n]) for n in range(3)]
        assert [item.sequence for item in spool.peek(100)] == [1, 2, 3, 4, 5]
        assert spool.peek(0) == []


def test_ack_removes_everything_up_to_the_sequence(tmp_path: Path) -> None:
    with Spool(tmp_path, BIG, 100) as spool:
        for _ in range(5):
            spool.put(_detection(), JPEG)
        size_of_one = spool.bytes // 5
        assert spool.ack(2) == 2
        assert [item.sequence for item in spool.peek(10)] == [3, 4, 5]
        assert spool.bytes == 3 * size_of_one
        assert spool.ack(2) == 0
        assert spool.ack(99) == 3
        assert len(spool) == 0
        assert spool.bytes == 0
        assert _items(tmp_path) == []


def test_file_names_are_generated_zero_padded_sequences(tmp_path: Path) -> None:
    with Spool(tmp_path, BIG, 100) as spool:
        spool.put(_detection(), JPEG)
        spool.put(_detection(), JPEG)
    assert _items(tmp_path) == ["00000000000000000001.item", "00000000000000000002.item"]
    assert {path.name for path in tmp_path.iterdir()} <= {*_items(tmp_path), STATE_NAME, ".lock"}


def test_put_refuses_a_detection_that_already_has_a_number(tmp_path: Path) -> None:
    with Spool(tmp_path, BIG, 100) as spool:
        spool.put(_detection(), JPEG)
        numbered = spool.peek(1)[0].detection
        with pytest.raises(ValueError, match=r"Detection\.create"):
            spool.put(numbered, JPEG)


def test_restart_continues_the_sequence_even_when_empty(tmp_path: Path) -> None:
    with Spool(tmp_path, BIG, 100) as spool:
        for _ in range(3):
            spool.put(_detection(), JPEG)
        spool.ack(3)
    with Spool(tmp_path, BIG, 100) as spool:
        assert len(spool) == 0
        assert spool.put(_detection(), JPEG) == 4


def test_restart_keeps_undelivered_items(tmp_path: Path) -> None:
    with Spool(tmp_path, BIG, 100) as spool:
        ids = [spool.put(_detection(), JPEG) for _ in range(3)]
        spool.ack(1)
    with Spool(tmp_path, BIG, 100) as spool:
        assert [item.sequence for item in spool.peek(10)] == ids[1:]
        assert spool.bytes == sum(path.stat().st_size for path in tmp_path.glob("*.item"))


def test_lost_state_file_continues_after_the_newest_item(tmp_path: Path) -> None:
    with Spool(tmp_path, BIG, 100) as spool:
        for _ in range(4):
            spool.put(_detection(), JPEG)
    (tmp_path / STATE_NAME).unlink()
    with Spool(tmp_path, BIG, 100) as spool:
        assert spool.put(_detection(), JPEG) == 5


def test_corrupt_state_file_is_quarantined_not_fatal(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with Spool(tmp_path, BIG, 100) as spool:
        spool.put(_detection(), JPEG)
    (tmp_path / STATE_NAME).write_text("{not json", encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="edge.spool"), Spool(tmp_path, BIG, 100) as spool:
        assert spool.put(_detection(), JPEG) == 2
        assert spool.quarantined == 1
    assert "unreadable state" in caplog.text


def test_item_bound_drops_the_oldest_and_counts_them(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="edge.spool"), Spool(tmp_path, BIG, 3) as spool:
        for _ in range(5):
            spool.put(_detection(), JPEG)
        assert [item.sequence for item in spool.peek(10)] == [3, 4, 5]
        assert spool.dropped == 2
    assert "dropped the 1 oldest" in caplog.text
    with Spool(tmp_path, BIG, 3) as spool:
        assert spool.dropped == 2
        assert spool.put(_detection(), JPEG) == 6
        assert spool.dropped == 3


def test_byte_bound_drops_the_oldest(tmp_path: Path) -> None:
    with Spool(tmp_path, BIG, 100) as spool:
        spool.put(_detection(), JPEG)
        item_size = spool.bytes
    for path in tmp_path.glob("*.item"):
        path.unlink()
    with Spool(tmp_path, item_size * 2 + item_size // 2, 100) as spool:
        for _ in range(4):
            spool.put(_detection(), JPEG)
        assert [item.sequence for item in spool.peek(10)] == [4, 5]
        assert spool.bytes == 2 * item_size
        assert spool.dropped == 2


def test_smaller_bounds_at_open_drop_the_oldest(tmp_path: Path) -> None:
    with Spool(tmp_path, BIG, 10) as spool:
        for _ in range(6):
            spool.put(_detection(), JPEG)
    with Spool(tmp_path, BIG, 2) as spool:
        assert [item.sequence for item in spool.peek(10)] == [5, 6]
        assert spool.dropped == 4


def test_item_larger_than_the_whole_spool_is_refused(tmp_path: Path) -> None:
    with Spool(tmp_path, 1000, 10) as spool:
        with pytest.raises(ValueError, match="can never fit"):
            spool.put(_detection(), b"\x00" * 1000)
        assert len(spool) == 0


def test_leftover_temp_file_and_truncated_item_are_cleaned_at_open(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with Spool(tmp_path, BIG, 100) as spool:
        for _ in range(3):
            spool.put(_detection(), JPEG)
    # What a kill leaves: a half-written temp file, and (on a filesystem without ordered writes) a torn item.
    (tmp_path / "00000000000000000004.item.tmp").write_bytes(b"NVRSPOOL\x01half")
    newest = tmp_path / "00000000000000000003.item"
    newest.write_bytes(newest.read_bytes()[:-50])
    with caplog.at_level(logging.INFO, logger="edge.spool"), Spool(tmp_path, BIG, 100) as spool:
        assert [item.sequence for item in spool.peek(10)] == [1, 2]
        assert spool.quarantined == 1
        assert spool.put(_detection(), JPEG) == 4
    assert not list(tmp_path.glob("*.tmp"))
    assert "interrupted write" in caplog.text
    assert "quarantined spool file 00000000000000000003.item" in caplog.text


def test_corrupt_item_is_quarantined_at_read_and_skipped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with Spool(tmp_path, BIG, 100) as spool:
        for _ in range(3):
            spool.put(_detection(), JPEG)
        middle = tmp_path / "00000000000000000002.item"
        rotten = bytearray(middle.read_bytes())
        rotten[-10] ^= 0xFF  # same size, so only the checksum can tell
        middle.write_bytes(bytes(rotten))
        with caplog.at_level(logging.ERROR, logger="edge.spool"):
            assert [item.sequence for item in spool.peek(10)] == [1, 3]
        assert "checksum mismatch" in caplog.text
        assert len(spool) == 2
        assert len(list((tmp_path / QUARANTINE_DIR).iterdir())) == 1


def test_item_holding_another_sequence_is_quarantined(tmp_path: Path) -> None:
    with Spool(tmp_path, BIG, 100) as spool:
        spool.put(_detection(), JPEG)
        spool.put(_detection(), JPEG)
    first = tmp_path / "00000000000000000001.item"
    (tmp_path / "00000000000000000002.item").write_bytes(first.read_bytes())
    with Spool(tmp_path, BIG, 100) as spool:
        assert [item.sequence for item in spool.peek(10)] == [1]
        assert spool.quarantined == 1


def test_foreign_files_and_symlinks_are_left_alone(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.write_bytes(b"keep me")
    folder = tmp_path / "spool"
    folder.mkdir()
    (folder / "notes.txt").write_text("not ours", encoding="utf-8")
    (folder / "00000000000000000009.item").symlink_to(outside)
    (folder / "evil.tmp").symlink_to(outside)
    with Spool(folder, BIG, 100) as spool:
        assert len(spool) == 0
        assert spool.put(_detection(), JPEG) == 1
    assert outside.read_bytes() == b"keep me"
    assert (folder / "notes.txt").exists()


def test_a_second_spool_on_the_same_folder_is_refused(tmp_path: Path) -> None:
    with Spool(tmp_path, BIG, 100), pytest.raises(SpoolError, match="in use"):
        Spool(tmp_path, BIG, 100)
    Spool(tmp_path, BIG, 100).close()


def test_closed_spool_refuses_work(tmp_path: Path) -> None:
    spool = Spool(tmp_path, BIG, 100)
    spool.close()
    spool.close()
    with pytest.raises(SpoolError, match="closed"):
        spool.put(_detection(), JPEG)


_CHILD = """
import sys
from datetime import UTC, datetime
from edge.protocol import Detection
from edge.spool import Spool

spool = Spool(sys.argv[1], 1 << 30, 100_000)
while True:
    detection = Detection.create("pi-door-1", datetime.now(UTC), 0.5, ((1, 2, 3, 4),), (64, 48))
    print(spool.put(detection, b"\\xff\\xd8" + b"x" * 5000 + b"\\xff\\xd9"), flush=True)
"""


@pytest.mark.parametrize("after", [5, 23])
def test_a_killed_writer_leaves_a_consistent_spool(tmp_path: Path, after: int) -> None:
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(tmp_path)], cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    try:
        last = 0
        while last < after:
            last = int(child.stdout.readline())
    finally:
        os.kill(child.pid, signal.SIGKILL)  # mid-put, most likely: the loop never pauses
        child.wait(timeout=30)
        child.stdout.close()
    with Spool(tmp_path, 1 << 30, 100_000) as spool:
        sequences = [item.sequence for item in spool.peek(10_000)]
        assert spool.quarantined == 0
        assert sequences == list(range(1, len(sequences) + 1))
        assert len(sequences) >= last
        assert spool.put(_detection(), JPEG) > sequences[-1]
    assert not list(tmp_path.glob("*.tmp"))


def test_concurrent_puts_and_acks_lose_and_double_nothing(tmp_path: Path) -> None:
    writers, per_writer = 4, 15
    delivered: list[tuple[int, str]] = []
    put_ids: set[str] = set()
    ids_lock = threading.Lock()
    done_writing = threading.Event()

    with Spool(tmp_path, BIG, 10_000) as spool:

        def write() -> None:
            for _ in range(per_writer):
                detection = _detection()
                with ids_lock:
                    put_ids.add(detection.detection_id)
                spool.put(detection, JPEG)

        def deliver() -> None:
            while not (done_writing.is_set() and len(spool) == 0):
                batch = spool.peek(4)
                delivered.extend((item.sequence, item.detection.detection_id) for item in batch)
                if batch:
                    spool.ack(batch[-1].sequence)
                else:
                    done_writing.wait(0.001)  # nothing to send yet: yield the lock to the writers

        # Futures re-raise a thread's exception in the test; the pool joins its threads on exit.
        with ThreadPoolExecutor(max_workers=writers + 1, thread_name_prefix="spool-test") as pool:
            consumer = pool.submit(deliver)
            try:
                for writer in [pool.submit(write) for _ in range(writers)]:
                    writer.result(timeout=60)
            finally:
                done_writing.set()
            consumer.result(timeout=60)
        sequences = [sequence for sequence, _ in delivered]
        assert sequences == list(range(1, writers * per_writer + 1))
        assert {detection_id for _, detection_id in delivered} == put_ids
        assert len(spool) == 0
        assert spool.bytes == 0
    state = json.loads((tmp_path / STATE_NAME).read_text(encoding="utf-8"))
    assert state == {"version": 1, "next_sequence": writers * per_writer + 1, "dropped": 0}


def test_a_refused_item_is_quarantined_and_unblocks_the_queue(tmp_path: Path) -> None:
    with Spool(tmp_path, BIG, 100) as spool:
        first = spool.put(_detection(0.1), JPEG)
        second = spool.put(_detection(0.2), JPEG)
        assert not spool.refuse(second, "not the oldest"), "only the head of the queue can be refused"
        assert spool.refuse(first, "the desktop said 400")
        assert [item.sequence for item in spool.peek(5)] == [second]
        assert spool.quarantined == 1 and len(spool) == 1 and spool.dropped == 0
    with Spool(tmp_path, BIG, 100) as again:
        assert [item.sequence for item in again.peek(5)] == [second], "the refusal survives a restart"
