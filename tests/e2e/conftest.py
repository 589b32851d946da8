"""Helpers to run the real app (main.py) as a subprocess against a temp data folder."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def app_env(_isolated_keyring: Path) -> dict[str, str]:
    """The environment for the app process: offscreen Qt and the test keyring backend."""
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture
def nvr(basedir: Path, app_env: dict[str, str]) -> Run:
    """Run `python main.py --basedir BASEDIR ARGS...` and return the completed process."""

    def run(*args: str, stdin: str = "", timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--basedir", str(basedir), *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=app_env,
            cwd=ROOT,
        )

    return run


def start_headless(basedir: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """Start `main.py --headless` as a service would (no terminal) and wait until it says it runs."""
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--basedir", str(basedir), "--headless"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
        start_new_session=True,  # kill -9 of the group takes the stream processes too, like a power cut
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if "running headless" in proc.stdout.readline():
            return proc
    proc.kill()
    raise AssertionError("the headless service did not start")


def stop_headless(proc: subprocess.Popen[str]) -> str:
    """Stop the service as systemd does (SIGTERM) and check that it ended cleanly; returns what it wrote to stderr."""
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    return err


@contextlib.contextmanager
def headless_service(basedir: Path, env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    """`main.py --headless` running for the with block; killed if the block leaves it running (a failed test)."""
    proc = start_headless(basedir, env)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
