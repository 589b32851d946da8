"""Service mode with the file secret store: the CLI stores a camera's password, the real headless service opens and
records the password-protected camera with it, and the password is nowhere in clear in the data folder or output.

As under systemd, there is no OS keyring at all (keyring's fail backend): only the configuration's file store.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from tests.support.cameras import RtspTestServer
from tests.support.fixtures import RTSP_PASSWORD, RTSP_USER

from .conftest import Run, start_headless

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_env(app_env: dict[str, str]) -> dict[str, str]:
    """The CLI and the service alike: no keyring backend that could store anything."""
    return {**app_env, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def configure(basedir: Path, key: Path) -> None:
    (basedir / "config.toml").write_text(
        "version = 1\n[security]\nbcrypt_rounds = 4\nsecret_store = 'file'\n"
        f"secret_key_file = '{key}'\n[recording]\nfree_reserve_mb = 0.0\n",
        encoding="utf-8",
    )


def add_camera(nvr: Run, server: RtspTestServer) -> None:
    done = nvr(
        "cameras",
        "add",
        "--name",
        "Door",
        "--url",
        server.url(1),
        "--username",
        RTSP_USER,
        "--password-stdin",
        "--record",
        "continuous",
        "--segment-seconds",
        "60",
        stdin=RTSP_PASSWORD + "\n",
    )
    assert done.returncode == 0, done.stderr


def test_headless_service_opens_a_password_camera_from_the_file_store(
    nvr: Run, basedir: Path, tmp_path: Path, app_env: dict[str, str], rtsp_server_auth: RtspTestServer
) -> None:
    key = tmp_path / "etc" / "secrets.key"
    key.parent.mkdir()
    key.write_bytes(os.urandom(32))
    key.chmod(0o640)
    configure(basedir, key)
    add_camera(nvr, rtsp_server_auth)
    assert (basedir / "secrets.bin").stat().st_mode & 0o777 == 0o600

    proc = start_headless(basedir, app_env)
    try:
        deadline = time.monotonic() + 40
        while True:
            done = nvr("recordings", "list", "--json")
            assert done.returncode == 0, done.stderr
            rows = json.loads(done.stdout)
            if any(row["state"] == "open" for row in rows):
                break
            assert time.monotonic() < deadline, f"the camera behind the password was never recorded: {rows}"
            time.sleep(1)
        proc.send_signal(signal.SIGTERM)
        out, errors = proc.communicate(timeout=60)
        assert proc.returncode == 0, errors
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    log = (basedir / "logs" / "nvr.log").read_text(encoding="utf-8")
    assert "camera passwords: encrypted file" in log
    secret = RTSP_PASSWORD.encode()
    for path in [p for p in basedir.rglob("*") if p.is_file()]:  # secrets.bin, the database, logs, recordings
        assert secret not in path.read_bytes(), f"the password is in clear in {path}"
    assert RTSP_PASSWORD not in out + errors


def test_without_its_key_the_store_refuses_and_keeps_nothing(
    nvr: Run, basedir: Path, tmp_path: Path, rtsp_server_auth: RtspTestServer
) -> None:
    configure(basedir, tmp_path / "missing.key")
    done = nvr("cameras", "add", "--name", "Door", "--url", rtsp_server_auth.auth_url(1), "--record", "continuous")
    assert done.returncode == 7, done.stdout + done.stderr
    assert "missing.key does not exist" in done.stderr
    assert RTSP_PASSWORD not in done.stdout + done.stderr
    assert nvr("cameras", "list", "--json").stdout.strip() == "[]"
    assert not (basedir / "secrets.bin").exists()
