"""The multi-process stream engine the app uses: real RTSP cameras decoded in child processes, pictures through
shared memory, states through a queue; nothing left running or allocated after close."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from nvr_desktop.media.procpool import DISPLAY_NICENESS, ProcessStreamEngine
from nvr_desktop.media.shared_frames import SharedFrameStore, SlotWriter
from nvr_desktop.media.source import SourceSpec
from nvr_desktop.media.state import DecodeMode, DisplayWish, StreamState, StreamStats
from nvr_desktop.media.supervisor import CameraStreams
from tests.support.cameras import RtspTestServer
from tests.support.fixtures import RTSP_USER, RtspServerFactory


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def shm_names() -> set[str]:
    return {p.name for p in Path("/dev/shm").iterdir() if p.name.startswith("psm_")}


def test_slots_pass_pictures_and_refuse_torn_or_oversized_ones() -> None:
    store = SharedFrameStore()
    writer = SlotWriter()
    try:
        name = store.ensure_slot(7, (64, 32))
        assert name is not None and store.ensure_slot(7, (32, 16)) is None, "a smaller box keeps the slot"
        writer.attach(7, name)
        picture = np.random.default_rng(1).integers(0, 255, (32, 64, 4), dtype=np.uint8)
        seq = writer.put(7, picture, 1.5)
        frames = store.changed_since({7: -1})
        assert np.array_equal(frames[7].image, picture) and frames[7].seq == seq and frames[7].pts_seconds == 1.5
        assert store.changed_since({7: seq}) == {}, "nothing new"
        assert writer.put(7, np.zeros((64, 128, 4), np.uint8)) == 0, "too big for the slot: dropped"
        bigger = store.ensure_slot(7, (128, 64))
        assert bigger is not None and bigger != name
        writer.attach(7, bigger)
        assert writer.put(7, np.zeros((64, 128, 4), np.uint8)) > 0
        assert store.get(7) is not None and store.get(7).image.shape == (64, 128, 4)  # type: ignore[union-attr]
    finally:
        writer.close()
        store.close()


@contextlib.contextmanager
def slot_with_pictures(
    camera_id: int, count: int, seed: int
) -> Iterator[tuple[SharedFrameStore, SlotWriter, str, list[np.ndarray]]]:
    """A 64x32 slot with its writer attached, and count random pictures of that size to put in it."""
    store = SharedFrameStore()
    writer = SlotWriter()
    rng = np.random.default_rng(seed)
    pictures = [rng.integers(0, 255, (32, 64, 4), dtype=np.uint8) for _ in range(count)]
    try:
        name = store.ensure_slot(camera_id, (64, 32))
        assert name is not None
        writer.attach(camera_id, name)
        yield store, writer, name, pictures
    finally:
        writer.close()
        store.close()


def test_slots_hand_out_pictures_without_copying_and_keep_them_intact_three_pictures_on() -> None:
    with slot_with_pictures(3, 5, seed=2) as (store, writer, name, pictures):
        first_seq = writer.put(3, pictures[0])
        first = store.changed_since({3: -1})[3]
        assert not first.image.flags.owndata, "a view of the slot, not a copy"
        for picture in pictures[1:4]:
            writer.put(3, picture)
        assert np.array_equal(first.image, pictures[0]), "the next three pictures go to the other three buffers"
        writer.put(3, pictures[4])
        assert np.array_equal(first.image, pictures[4]), "the fifth reuses the first one's buffer"
        assert store.changed_since({3: first_seq})[3].seq == first_seq + 8, "far behind: the newest"

        # Written in place (the scaler's way): begin, fill the memory at the address, commit.
        target = writer.begin(3, 64, 32)
        assert target is not None and target.stride == 64 * 4
        ctypes.memset(target.address, 9, 64 * 32 * 4)
        seq = writer.commit(target, 2.5)
        latest = store.get(3)
        assert latest is not None and latest.seq == seq and latest.pts_seconds == 2.5 and (latest.image == 9).all()
        assert writer.begin(3, 128, 64) is None, "too big for the slot"
        aborted = writer.begin(3, 64, 32)
        assert aborted is not None
        writer.abort(aborted)
        assert store.changed_since({3: seq}) == {}, "an aborted picture is never published"

        # A grown slot replaces the old one: its name goes at once, its memory when no picture uses it.
        bigger = store.ensure_slot(3, (128, 64))
        assert bigger is not None and name not in shm_names()
        assert (latest.image == 9).all(), "a picture still on screen stays readable"
        writer.attach(3, bigger)
        assert writer.put(3, np.zeros((64, 128, 4), np.uint8)) > seq, "sequence numbers keep growing"
        del first, latest
        store.changed_since({3: -1})
        assert store._retired == [], "the old segment is closed once its pictures are gone"


def test_a_reader_one_picture_behind_gets_the_skipped_picture_first_then_the_newest() -> None:
    # The wall's refresh and the camera run on two clocks: two pictures can land between two refreshes.
    with slot_with_pictures(5, 6, seed=3) as (store, writer, _name, pictures):
        seqs = [writer.put(5, pictures[0], 0.0)]
        shown = store.changed_since({5: -1})[5]
        assert shown.seq == seqs[0], "the first look gets the newest"
        seqs += [writer.put(5, pictures[1], 0.04), writer.put(5, pictures[2], 0.08)]
        skipped = store.changed_since({5: shown.seq})[5]
        assert skipped.seq == seqs[1] and skipped.pts_seconds == 0.04 and np.array_equal(skipped.image, pictures[1])
        newest = store.changed_since({5: skipped.seq})[5]
        assert newest.seq == seqs[2] and np.array_equal(newest.image, pictures[2])
        assert np.array_equal(skipped.image, pictures[1]), "the older picture's buffer is not written meanwhile"
        assert store.get(5) is not None and store.get(5).seq == seqs[2], "get() always gives the newest"  # type: ignore[union-attr]

        # Two or more pictures behind: the newest, the wall never lags more than one picture.
        seqs += [writer.put(5, p) for p in pictures[3:6]]
        assert store.changed_since({5: newest.seq})[5].seq == seqs[-1]

        # In a new segment (the tile grew) there is no picture before the first: the first is shown.
        bigger = store.ensure_slot(5, (128, 64))
        assert bigger is not None
        writer.attach(5, bigger)
        last = seqs[-1]
        fresh = writer.put(5, np.zeros((64, 128, 4), np.uint8))
        assert fresh == last + 2
        only = store.changed_since({5: last - 2})[5]
        assert only.seq == fresh and only.image.shape == (64, 128, 4)


def test_cameras_go_live_in_child_processes(h264_clip_360p: Path, rtsp_server_factory: RtspServerFactory) -> None:
    server: RtspTestServer = rtsp_server_factory(h264_clip_360p, 4, user=RTSP_USER, password="right-one")
    before_shm = shm_names()
    states: list[tuple[int, StreamStats]] = []
    main_thread = threading.get_ident()
    threads: set[int] = set()

    def on_state(camera_id: int, stats: StreamStats) -> None:
        threads.add(threading.get_ident())
        states.append((camera_id, stats))

    engine = ProcessStreamEngine(processes=2, on_state=on_state)
    try:
        children = engine.process_ids()
        assert len(children) == 2 and os.getpid() not in children
        engine.add_camera(1, CameraStreams(main=SourceSpec(server.url(1, user=RTSP_USER, password="right-one"))))
        engine.add_camera(2, CameraStreams(main=SourceSpec(server.url(2, user=RTSP_USER, password="wrong"))))
        engine.add_camera(3, CameraStreams(main=SourceSpec(server.url(3, user=RTSP_USER, password="right-one"))))
        engine.set_display(1, DisplayWish(visible=True, box=(320, 180)))
        engine.set_display(2, DisplayWish(visible=True, box=(320, 180)))
        engine.set_display(3, DisplayWish(visible=False))
        wait_until(lambda: engine.stats(1).state is StreamState.LIVE, 20, "camera 1 live")
        wait_until(lambda: engine.stats(2).state is StreamState.UNAUTHORIZED, 20, "camera 2 unauthorized")
        wait_until(lambda: engine.stats(3).state is StreamState.LIVE, 20, "camera 3 live (demux only)")
        wait_until(lambda: (f := engine.frames.get(1)) is not None and f.image.shape == (180, 320, 4), 10, "pictures")
        assert engine.frames.get(3) is None, "a hidden camera sends no pictures"
        time.sleep(2.5)
        assert engine.stats(1).fps > 15 and engine.stats(1).decode_mode is DecodeMode.FULL
        assert engine.stats(3).fps == 0 and engine.stats(3).input_fps > 15
        assert main_thread not in threads, "state changes arrive on the engine's reader thread"
        assert any(cid == 2 and st.state is StreamState.UNAUTHORIZED for cid, st in states)
        engine.remove_camera(1)
        assert engine.camera_ids() == [2, 3]
    finally:
        engine.close()
    for pid in children:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
    assert shm_names() <= before_shm, "every shared-memory slot is freed"


def test_a_crashed_stream_process_is_restarted_and_its_cameras_come_back(
    h264_clip_360p: Path, rtsp_server_factory: RtspServerFactory
) -> None:
    server = rtsp_server_factory(h264_clip_360p, 2)
    seen: list[tuple[int, StreamState]] = []
    engine = ProcessStreamEngine(processes=2, on_state=lambda cid, st: seen.append((cid, st.state)))
    try:
        for cid in (1, 2):
            engine.add_camera(cid, CameraStreams(main=SourceSpec(server.url(cid))))
            engine.set_display(cid, DisplayWish(visible=True, box=(320, 180)))
        wait_until(lambda: all(engine.stats(c).state is StreamState.LIVE for c in (1, 2)), 20, "both live")
        victim = engine.process_ids()[1]  # owns camera 1 (1 % 2)
        os.kill(victim, signal.SIGKILL)  # what a segfault in a decoder looks like from here
        wait_until(lambda: engine.restarts == 1, 10, "the dead process restarted")
        assert victim not in engine.process_ids()
        assert (1, StreamState.RECONNECTING) in seen
        before = engine.frames.get(1)
        wait_until(
            lambda: (f := engine.frames.get(1)) is not None and f is not before and f.seq > 0,
            20,
            "camera 1 pictures again after the restart",
        )
        wait_until(lambda: engine.stats(1).state is StreamState.LIVE, 20, "camera 1 live again")
        assert engine.stats(2).state is StreamState.LIVE, "the other process's camera never stopped"
    finally:
        engine.close()


def test_under_a_wall_the_stream_processes_run_below_normal_priority() -> None:
    # The GUI thread must win a core when it wakes; decoding may wait. Without niceness asked, nothing changes.
    base = os.getpriority(os.PRIO_PROCESS, 0)
    for niceness, expected in ((DISPLAY_NICENESS, min(19, base + DISPLAY_NICENESS)), (0, base)):
        engine = ProcessStreamEngine(processes=2, niceness=niceness)
        try:
            children = engine.process_ids()
            # The child lowers itself as it starts: wait for it rather than race its first lines.
            wait_until(
                lambda children=children, expected=expected: all(
                    os.getpriority(os.PRIO_PROCESS, pid) == expected for pid in children
                ),
                10,
                f"stream processes at niceness {expected}",
            )
        finally:
            engine.close()
