"""The in-process frame store (the engine without stream processes): newest wins, with a one-picture allowance."""

from __future__ import annotations

import numpy as np

from nvr_desktop.media.frames import FrameStore, show_next


def picture(value: int) -> np.ndarray:
    return np.full((4, 16, 4), value, np.uint8)


def test_show_next_only_when_exactly_one_picture_was_skipped() -> None:
    assert show_next(4, 8, 2) and show_next(1, 3, 1)
    assert not show_next(4, 6, 2), "the next picture: simply the newest"
    assert not show_next(4, 10, 2), "further behind: the newest"
    assert not show_next(-1, 4, 2), "nothing shown yet: the newest"


def test_a_reader_one_picture_behind_gets_the_skipped_picture_then_the_newest() -> None:
    store = FrameStore()
    first = store.put(1, picture(1))
    seen = store.changed_since({1: -1})[1].seq
    assert seen == first
    store.put(1, picture(2))
    store.put(1, picture(3))
    older = store.changed_since({1: seen})[1]
    assert older.seq == first + 1 and (older.image == 2).all()
    newest = store.changed_since({1: older.seq})[1]
    assert newest.seq == first + 2 and (newest.image == 3).all()
    assert store.changed_since({1: newest.seq}) == {}
    get = store.get(1)
    assert get is not None and get.seq == newest.seq

    for value in (4, 5, 6):
        store.put(1, picture(value))
    assert (store.changed_since({1: newest.seq})[1].image == 6).all(), "two behind: the newest"

    store.drop(1)
    again = store.put(1, picture(7))
    assert store.changed_since({1: again - 2})[1].seq == again, "no picture before the first after a drop"
