"""The headless service records; kill -9 mid-segment and a restart lose at most one GOP and leave an honest index.

The real entry point runs as a subprocess (python main.py --headless), records a real RTSP camera, and is killed
with SIGKILL. The restarted service repairs the segment the kill left open, notes the outage as a gap, records
again, and the CLI reports all of it.
"""

from __future__ import annotations

import json
import os
import signal
import time
from datetime import datetime
from pathlib import Path

import pytest

from tests.support.cameras import RtspTestServer
from tests.support.clips import playable_frames

from .conftest import Run, start_headless

pytestmark = pytest.mark.e2e
GOP_S = 2.0


def segments(nvr: Run) -> list[dict[str, object]]:
    done = nvr("recordings", "list", "--json")
    assert done.returncode == 0, done.stderr
    rows: list[dict[str, object]] = json.loads(done.stdout)
    return rows


def wait_rows(nvr: Run, what: str, check: object, timeout: float) -> list[dict[str, object]]:
    deadline = time.monotonic() + timeout
    while True:
        rows = segments(nvr)
        if check(rows):  # type: ignore[operator]
            return rows
        assert time.monotonic() < deadline, f"timed out waiting for {what}: {rows}"
        time.sleep(1)


def playable_seconds(path: Path) -> float:
    return len(playable_frames(path)) / 25


def stream_processes(pid: int) -> list[int]:
    """The stream processes a running app spawned (not multiprocessing's resource tracker)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


def test_kill_9_of_the_headless_recorder_and_restart(
    nvr: Run, basedir: Path, app_env: dict[str, str], rtsp_server: RtspTestServer
) -> None:
    (basedir / "config.toml").write_text(
        "version = 1\n[security]\nbcrypt_rounds = 4\n[recording]\nfree_reserve_mb = 0.0\n"
    )
    done = nvr(
        "cameras",
        "add",
        "--name",
        "Door",
        "--url",
        rtsp_server.url(1),
        "--record",
        "continuous",
        "--segment-seconds",
        "60",
    )
    assert done.returncode == 0, done.stderr
    proc = start_headless(basedir, app_env)
    try:
        rows = wait_rows(nvr, "an open segment", lambda r: any(x["state"] == "open" for x in r), 30)
        opened = time.monotonic()
        recorders = stream_processes(proc.pid)
        assert len(recorders) == 1, "with no wall to feed, one stream process records"
        # Only a wall lowers the stream processes' priority; the service records at the priority it was given.
        assert os.getpriority(os.PRIO_PROCESS, recorders[0]) == os.getpriority(os.PRIO_PROCESS, proc.pid)
        time.sleep(8)
        recorded_s = time.monotonic() - opened
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    killed = segments(nvr)
    assert [x["state"] for x in killed] == ["open"], "the index shows what the kill left: one open segment"
    path = Path(str(killed[0]["path"]))
    assert playable_seconds(path) >= recorded_s - GOP_S - 1.0, "lost more than one GOP"

    proc = start_headless(basedir, app_env)
    try:
        rows = wait_rows(
            nvr,
            "the repaired segment and a new one",
            lambda r: len(r) >= 2 and r[0]["state"] == "repaired" and r[-1]["state"] == "open",
            40,
        )
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
        assert proc.returncode == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    repaired = rows[0]
    assert abs(float(repaired["duration_s"]) - playable_seconds(path)) <= GOP_S  # type: ignore[arg-type]
    final = segments(nvr)
    assert [x["state"] for x in final] == ["repaired", "closed"], "a clean stop closes the last segment"
    for row in final:
        assert playable_seconds(Path(str(row["path"]))) > 0
    done = nvr("recordings", "list", "--gaps", "--json")
    gaps = json.loads(done.stdout)
    causes = [g["cause"] for g in gaps]
    assert causes[0] == "app not running", gaps
    outage = gaps[0]
    assert outage["start"] == repaired["end"] and outage["end"] == final[1]["start"]
    assert datetime.fromisoformat(outage["end"]) > datetime.fromisoformat(outage["start"])
    assert causes[-1] == "stopped by user" and gaps[-1]["end"] is None  # stopped cleanly until the next start
