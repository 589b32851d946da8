"""`main.py --self-test` through the real entry point: every check passes, and a broken one is named."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.e2e


def self_test(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--self-test", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=ROOT,
    )


def no_display_env() -> dict[str, str]:
    """No display and no Qt platform chosen: the self-test must pick offscreen by itself."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def test_self_test_passes_in_a_temporary_folder() -> None:
    done = self_test(env=no_display_env())
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for check in ("database", "video", "tile", "resources", "secrets"):
        assert any(line.startswith(f"ok   {check}: ") for line in lines), done.stdout
    assert "Qt platform offscreen" in done.stdout
    assert "scaled in place by libswscale" in done.stdout, "the wall's fast path is on"
    assert lines[-1] == "self-test passed"
    temporary = next(line for line in lines if line.startswith("ok   database: ")).split()[2]
    assert not Path(temporary).exists(), "the temporary data folder is removed"


def test_self_test_uses_the_given_data_folder(tmp_path: Path) -> None:
    done = self_test("--basedir", str(tmp_path / "data"), env=no_display_env())
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "data" / "nvr.sqlite3").is_file()


def test_a_failing_check_is_named_and_exits_1(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the data folder should be", encoding="utf-8")
    done = self_test("--basedir", str(blocked), env=no_display_env())
    assert done.returncode == 1
    assert "FAIL database: " in done.stdout
    assert "ok   video: " in done.stdout  # the other checks still run
    assert done.stdout.splitlines()[-1] == "self-test failed: database"
    assert "Traceback" not in done.stdout + done.stderr


def test_self_test_takes_no_subcommand() -> None:
    done = self_test("users", "list", env=no_display_env())
    assert done.returncode == 2
    assert "--self-test takes no subcommand" in done.stderr
