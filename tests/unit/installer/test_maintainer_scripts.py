"""The .deb's maintainer scripts, run with logging stand-ins for the commands that would change the system, and
DPKG_ROOT pointing at a scratch root for the files they write (the key, the service's config.toml)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[3] / "installer" / "linux"
TOOLS = ("useradd", "userdel", "install", "systemctl", "chown")
KEY = "etc/nvr-desktop/secrets.key"
CONFIG = "var/lib/nvr-desktop/config.toml"
FileStore = tuple[dict[str, str], Path, Path]


@pytest.fixture
def fake_system(tmp_path: Path) -> FileStore:
    """PATH with stand-ins: each tool logs its arguments (`install -d` also makes the folder); getent knows users
    listed in a file; DPKG_ROOT is tmp_path/root."""
    bin_dir, log, users = tmp_path / "bin", tmp_path / "calls.log", tmp_path / "users"
    bin_dir.mkdir()
    users.write_text("", encoding="utf-8")
    for tool in TOOLS:
        (bin_dir / tool).write_text(f'#!/bin/sh\necho "{tool} $*" >> "{log}"\n', encoding="utf-8")
    with (bin_dir / "install").open("a", encoding="utf-8") as stand_in:
        stand_in.write('if [ "$1" = -d ]; then for last; do :; done; mkdir -p "$last"; fi\n')
    (bin_dir / "getent").write_text(f'#!/bin/sh\ngrep -qx "$2" "{users}"\n', encoding="utf-8")
    for script in bin_dir.iterdir():
        script.chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path), "DPKG_ROOT": str(tmp_path / "root")}
    return env, log, users


def run(script: str, argument: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/sh", str(SCRIPTS / script), argument], env=env, check=True, timeout=30, capture_output=True, text=True
    )


def calls(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def test_postinst_creates_the_service_user_and_data_folder_once(fake_system: FileStore) -> None:
    env, log, users = fake_system
    root = env["DPKG_ROOT"]
    run("postinst", "configure", env)
    made = calls(log)
    assert any(c.startswith("useradd --system --user-group --home-dir /var/lib/nvr-desktop ") for c in made)
    assert f"install -d -o nvr-desktop -g nvr-desktop -m 0750 {root}/var/lib/nvr-desktop" in made
    assert not any("enable" in c or " start" in c for c in made), "the headless service is never enabled"
    log.unlink()
    users.write_text("nvr-desktop\n", encoding="utf-8")
    run("postinst", "configure", env)  # an upgrade: the user exists
    assert not any(c.startswith("useradd") for c in calls(log))


def test_postinst_makes_the_key_once_and_selects_the_file_store(fake_system: FileStore) -> None:
    env, log, _users = fake_system
    root = Path(env["DPKG_ROOT"])
    run("postinst", "configure", env)
    key = root / KEY
    assert len(key.read_bytes()) == 32
    assert key.stat().st_mode & 0o777 == 0o640
    made = calls(log)
    assert f"install -d -o root -g nvr-desktop -m 0750 {root}/etc/nvr-desktop" in made
    assert f"chown root:nvr-desktop {key}.new" in made
    assert not (root / f"{KEY}.new").exists()
    config = root / CONFIG
    assert tomllib.loads(config.read_text(encoding="utf-8")) == {
        "version": 1,
        "security": {"secret_store": "file", "secret_key_file": "/etc/nvr-desktop/secrets.key"},
    }
    assert config.stat().st_mode & 0o777 == 0o640
    assert f"chown nvr-desktop:nvr-desktop {config}" in made
    # The app reads it: the file store with that key.
    from nvr_desktop.core.config import load_config

    assert load_config(config).security.secret_store == "file"

    key_bytes = key.read_bytes()
    key.chmod(0o644)
    config.write_text("version = 1\n[security]\nsecret_store = 'keyring'\n", encoding="utf-8")
    log.unlink()
    run("postinst", "configure", env)  # an upgrade: the key and the admin's choice are kept
    assert key.read_bytes() == key_bytes
    assert key.stat().st_mode & 0o777 == 0o640, "owner and mode are set again"
    assert f"chown root:nvr-desktop {key}" in calls(log)
    assert config.read_text(encoding="utf-8") == "version = 1\n[security]\nsecret_store = 'keyring'\n"


@pytest.mark.parametrize(
    "before",
    [
        'version = 1\n\n[ui]\nlanguage = "es"\n\n[security]\nbcrypt_rounds = 12\n\n[logging]\nlevel = "INFO"\n',
        'version = 1\n\n[ui]\nlanguage = "es"\n',
    ],
)
def test_postinst_upgrades_a_config_without_a_store(fake_system: FileStore, before: str) -> None:
    env, _log, _users = fake_system
    config = Path(env["DPKG_ROOT"]) / CONFIG
    config.parent.mkdir(parents=True)
    config.write_text(before, encoding="utf-8")
    run("postinst", "configure", env)
    after = tomllib.loads(config.read_text(encoding="utf-8"))
    assert after == {
        **tomllib.loads(before),
        "security": {
            **tomllib.loads(before).get("security", {}),
            "secret_store": "file",
            "secret_key_file": "/etc/nvr-desktop/secrets.key",
        },
    }


def test_postinst_leaves_an_unusual_security_table_to_the_admin(fake_system: FileStore) -> None:
    env, _log, _users = fake_system
    config = Path(env["DPKG_ROOT"]) / CONFIG
    config.parent.mkdir(parents=True)
    before = "version = 1\n[ security ]  # tuned\nbcrypt_rounds = 12\n"
    config.write_text(before, encoding="utf-8")
    done = run("postinst", "configure", env)
    assert config.read_text(encoding="utf-8") == before
    assert 'secret_store = "file"' in done.stderr


def test_postinst_does_nothing_outside_configure(fake_system: FileStore) -> None:
    env, log, _users = fake_system
    run("postinst", "abort-upgrade", env)
    assert calls(log) == []


def test_purge_removes_the_user_but_never_the_data(fake_system: FileStore) -> None:
    env, log, users = fake_system
    root = Path(env["DPKG_ROOT"])
    users.write_text("nvr-desktop\n", encoding="utf-8")
    run("postinst", "configure", env)
    (root / "var/lib/nvr-desktop/recordings").mkdir()
    run("prerm", "remove", env)
    run("postrm", "remove", env)
    assert not any(c.startswith("userdel") for c in calls(log))
    assert (root / KEY).exists()
    done = run("postrm", "purge", env)
    assert "userdel nvr-desktop" in calls(log)
    assert (root / "var/lib/nvr-desktop/recordings").is_dir(), "recordings survive a purge"
    assert (root / KEY).exists(), "the key stays while the data it opens is there"
    assert "delete both by hand" in done.stderr
    for line in (SCRIPTS / "postrm").read_text(encoding="utf-8").splitlines():
        assert "rm " not in line or "/var/lib" not in line


def test_purge_after_the_data_was_deleted_removes_the_key(fake_system: FileStore) -> None:
    env, _log, _users = fake_system
    root = Path(env["DPKG_ROOT"])
    run("postinst", "configure", env)
    shutil.rmtree(root / "var/lib/nvr-desktop")  # the admin deleted the data by hand
    run("postrm", "purge", env)
    assert not (root / "etc/nvr-desktop").exists()


@pytest.mark.parametrize("script", ["postinst", "prerm", "postrm"])
def test_scripts_are_executable(script: str) -> None:
    assert os.access(SCRIPTS / script, os.X_OK)
