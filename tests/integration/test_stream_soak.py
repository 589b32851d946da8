"""Sixteen real RTSP cameras decoded for 60 s: no thread leak, bounded memory growth.

Bound: after a 10 s warm-up, resident memory may grow by at most 40 MiB over the next 50 s (steady-state decode
of 16 x 640x360 allocates per frame; a leak of one frame per camera per second would exceed it within the run).
"""

from __future__ import annotations

import gc
import threading
import time
from pathlib import Path

from nvr_desktop.media.frames import FrameStore
from nvr_desktop.media.source import SourceSpec
from nvr_desktop.media.state import DisplayWish, StreamState
from nvr_desktop.media.supervisor import CameraStreams, StreamSupervisor
from tests.support.fixtures import RtspServerFactory

CAMERAS = 16
GROWTH_BOUND_MIB = 40.0


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_sixteen_cameras_for_sixty_seconds(h264_clip_360p: Path, rtsp_server_factory: RtspServerFactory) -> None:
    server = rtsp_server_factory(h264_clip_360p, CAMERAS)
    threads_before = {t.name for t in threading.enumerate()}
    supervisor = StreamSupervisor(FrameStore(), budget_cores=8.0)
    try:
        for cid in range(1, CAMERAS + 1):
            supervisor.add_camera(cid, CameraStreams(main=SourceSpec(server.url(cid))))
            supervisor.set_display(cid, DisplayWish(visible=True, box=(320, 180)))
        deadline = time.monotonic() + 20
        while any(supervisor.stats(c).state is not StreamState.LIVE for c in range(1, CAMERAS + 1)):
            assert time.monotonic() < deadline, "not every camera went live"
            time.sleep(0.2)
        time.sleep(10)
        gc.collect()
        start_rss = rss_mib()
        start_decoded = sum(w.decoded_frames for w in supervisor.all_workers())
        time.sleep(50)
        gc.collect()
        growth = rss_mib() - start_rss
        decoded = sum(w.decoded_frames for w in supervisor.all_workers()) - start_decoded
        assert decoded > CAMERAS * 50 * 20, f"decoding stalled: {decoded} frames in 50 s"
        assert growth < GROWTH_BOUND_MIB, f"RSS grew {growth:.1f} MiB in 50 s"
        assert all(supervisor.stats(c).state is StreamState.LIVE for c in range(1, CAMERAS + 1))
    finally:
        supervisor.close()
    leaked = {t.name for t in threading.enumerate()} - threads_before
    assert not leaked, f"threads left after close: {leaked}"
