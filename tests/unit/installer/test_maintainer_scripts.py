"""The .deb's maintainer scripts, run with logging stand-ins for the commands that would change the system."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[3] / "installer" / "linux"
TOOLS = ("useradd", "userdel", "install", "systemctl")


@pytest.fixture
def fake_system(tmp_path: Path) -> tuple[dict[str, str], Path, Path]:
    """PATH with stand-ins: each tool logs its arguments; getent knows users listed in a file."""
    bin_dir, log, users = tmp_path / "bin", tmp_path / "calls.log", tmp_path / "users"
    bin_dir.mkdir()
    users.write_text("", encoding="utf-8")
    for tool in TOOLS:
        (bin_dir / tool).write_text(f'#!/bin/sh\necho "{tool} $*" >> "{log}"\n', encoding="utf-8")
    (bin_dir / "getent").write_text(f'#!/bin/sh\ngrep -qx "$2" "{users}"\n', encoding="utf-8")
    for script in bin_dir.iterdir():
        script.chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)}
    return env, log, users


def run(script: str, argument: str, env: dict[str, str]) -> None:
    subprocess.run(["/bin/sh", str(SCRIPTS / script), argument], env=env, check=True, timeout=30)


def calls(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def test_postinst_creates_the_service_user_and_data_folder_once(fake_system: tuple[dict[str, str], Path, Path]) -> None:
    env, log, users = fake_system
    run("postinst", "configure", env)
    made = calls(log)
    assert any(c.startswith("useradd --system --user-group --home-dir /var/lib/nvr-desktop") for c in made)
    assert "install -d -o nvr-desktop -g nvr-desktop -m 0750 /var/lib/nvr-desktop" in made
    assert not any("enable" in c or " start" in c for c in made), "the headless service is never enabled"
    log.unlink()
    users.write_text("nvr-desktop\n", encoding="utf-8")
    run("postinst", "configure", env)  # an upgrade: the user exists
    assert not any(c.startswith("useradd") for c in calls(log))


def test_postinst_does_nothing_outside_configure(fake_system: tuple[dict[str, str], Path, Path]) -> None:
    env, log, _users = fake_system
    run("postinst", "abort-upgrade", env)
    assert calls(log) == []


def test_purge_removes_the_user_but_never_the_data(fake_system: tuple[dict[str, str], Path, Path]) -> None:
    env, log, users = fake_system
    users.write_text("nvr-desktop\n", encoding="utf-8")
    run("prerm", "remove", env)
    run("postrm", "remove", env)
    assert not any(c.startswith("userdel") for c in calls(log))
    run("postrm", "purge", env)
    assert "userdel nvr-desktop" in calls(log)
    assert "rm -" not in (SCRIPTS / "postrm").read_text(encoding="utf-8")  # recordings survive a purge


@pytest.mark.parametrize("script", ["postinst", "prerm", "postrm"])
def test_scripts_are_executable(script: str) -> None:
    assert os.access(SCRIPTS / script, os.X_OK)
