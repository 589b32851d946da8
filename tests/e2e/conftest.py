"""Helpers to run the real app (main.py) as a subprocess against a temp data folder."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
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
