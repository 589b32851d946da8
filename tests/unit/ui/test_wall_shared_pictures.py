"""The wall over the shared-memory slots the stream processes write (real segments, writer in this process): a
buffer that comes round again is shown through the picture made for it the first time, and a camera taken off the
wall lets its memory go. Over the in-process store, whose every picture is a new array, nothing is kept for reuse."""

from __future__ import annotations

import sys

import numpy as np
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from nvr_desktop.media.frames import FrameStore
from nvr_desktop.media.shared_frames import BUFFERS, SharedFrameStore, SlotWriter
from nvr_desktop.media.state import DisplayWish, StreamState, StreamStats
from nvr_desktop.media.worker import fit_size
from nvr_desktop.ui.wall.video_wall import VideoWall, WallCamera


class Engine:
    """What the stream processes do for the wall: a slot per shown camera, its writer attached to it."""

    def __init__(self, store: SharedFrameStore, writer: SlotWriter) -> None:
        self.store = store
        self.writer = writer
        self.boxes: dict[int, tuple[int, int]] = {}

    def set_display(self, camera_id: int, wish: DisplayWish) -> None:
        if wish.visible:
            name = self.store.ensure_slot(camera_id, wish.box)
            if name is not None:
                self.writer.attach(camera_id, name)
            self.boxes[camera_id] = wish.box

    def stats(self, camera_id: int) -> StreamStats:
        return StreamStats(state=StreamState.LIVE)


def test_a_buffer_that_comes_round_again_is_shown_through_the_same_picture(qtbot: QtBot, app: QApplication) -> None:
    store, writer = SharedFrameStore(), SlotWriter()
    try:
        engine = Engine(store, writer)
        wall = VideoWall(store, engine, refresh_ms=10)
        qtbot.addWidget(wall)
        wall.resize(640, 400)
        wall.set_cameras([WallCamera(1, "Gate"), WallCamera(2, "Yard")])
        wall.set_layout(4)
        wall.show()
        qtbot.waitUntil(lambda: 1 in engine.boxes, timeout=5000)
        width, height = fit_size(640, 360, *engine.boxes[1])
        rng = np.random.default_rng(5)
        pictures = [rng.integers(0, 255, (height, width, 4), dtype=np.uint8) for _ in range(BUFFERS + 1)]
        for picture in pictures:
            picture[..., 3] = 255

        made = []
        for picture in pictures:
            seq = writer.put(1, picture)
            qtbot.waitUntil(lambda seq=seq: wall._seen.get(1) == seq, timeout=5000)
            shown = wall.snapshot_image(1)
            assert shown is not None and shown.width() == width
            row = np.frombuffer(shown.constBits(), np.uint8, shown.bytesPerLine())[: width * 4]
            assert np.array_equal(row, picture[0].reshape(-1)), "the picture just written is the one shown"
            made.append(wall._pictures[1])
        assert len({id(p) for p in made[:BUFFERS]}) == BUFFERS, "one picture per buffer"
        assert made[BUFFERS] is made[0], "the first buffer again: the picture made for it the first time"

        # Taken off the wall: its pictures go, and with them the last views of its slot, which then closes.
        wall.set_cameras([WallCamera(2, "Yard")])
        assert 1 not in wall._pictures and 1 not in wall._made
        del made, shown
        store.drop(1)
        assert store._retired == [], "nothing points into the dropped slot any more: it is closed"
    finally:
        writer.close()
        store.close()


def test_over_a_store_that_makes_new_arrays_the_wall_keeps_only_the_picture_on_screen(
    qtbot: QtBot, app: QApplication
) -> None:
    frames = FrameStore()  # the in-process store: every picture is a new array

    class Shown:
        def set_display(self, camera_id: int, wish: DisplayWish) -> None:
            pass

        def stats(self, camera_id: int) -> StreamStats:
            return StreamStats(state=StreamState.LIVE)

    wall = VideoWall(frames, Shown(), refresh_ms=10)
    qtbot.addWidget(wall)
    wall.resize(640, 400)
    wall.set_cameras([WallCamera(1, "Gate")])
    wall.set_layout(4)
    wall.show()
    pictures = [np.full((90, 160, 4), level, np.uint8) for level in (40, 80, 120, 160, 200)]
    kept = []
    for picture in pictures:
        seq = frames.put(1, picture)
        qtbot.waitUntil(lambda seq=seq: wall._seen.get(1) == seq, timeout=5000)
        assert wall._pictures[1].pixels is picture
        kept.append(sys.getrefcount(pictures[0]))
    assert wall._made == {}, "nothing kept for reuse: no array comes back"
    assert kept[-1] < kept[0], "the first picture is let go once others replaced it"
