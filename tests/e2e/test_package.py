"""The Linux release: installer/build.sh builds the bundle, tarball and .deb; the .deb, unpacked into a scratch
root (never the real system), holds the launcher, desktop entry, icon and service, and its launcher passes
--self-test offscreen."""

from __future__ import annotations

import os
import platform
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from nvr_desktop import __version__

from .conftest import ROOT

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.timeout(900),
    pytest.mark.skipif(
        sys.platform != "linux" or platform.machine() != "x86_64" or shutil.which("dpkg-deb") is None,
        reason="the Linux packages are built on Debian/Ubuntu x86_64 (Windows: installer/README.md)",
    ),
]


def test_build_install_into_a_scratch_root_and_self_test(tmp_path: Path) -> None:
    dist, work, root = tmp_path / "dist", tmp_path / "work", tmp_path / "root"
    built = subprocess.run(
        [str(ROOT / "installer" / "build.sh"), "--dist", str(dist), "--work", str(work), "--python", sys.executable],
        capture_output=True,
        text=True,
        timeout=840,
        cwd=ROOT,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    bundle = dist / "nvr-desktop"
    deb = dist / f"nvr-desktop_{__version__}_amd64.deb"
    tarball = dist / f"nvr-desktop-{__version__}-linux-x86_64.tar.gz"
    assert (bundle / "nvr-desktop").is_file() and deb.is_file() and tarball.is_file()
    # Lean: no OpenCV (the edge agent's), no test tools.
    names = {p.name for p in (bundle / "_internal").iterdir()}
    assert not {n for n in names if n.startswith(("cv2", "opencv")) or n in ("pytest", "mypy", "schemathesis")}
    with tarfile.open(tarball) as tar:
        assert "nvr-desktop/nvr-desktop" in tar.getnames()

    def field(name: str) -> str:
        return subprocess.run(["dpkg-deb", "-f", str(deb), name], capture_output=True, text=True, check=True).stdout

    assert field("Package").strip() == "nvr-desktop"
    assert field("Version").strip() == __version__
    assert field("Architecture").strip() == "amd64"

    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True, timeout=120)
    launcher = root / "usr" / "bin" / "nvr-desktop"
    assert launcher.is_symlink() and launcher.resolve() == (root / "opt" / "nvr-desktop" / "nvr-desktop")
    desktop = (root / "usr/share/applications/nvr-desktop.desktop").read_text(encoding="utf-8")
    assert "Exec=nvr-desktop\n" in desktop and "Icon=nvr-desktop\n" in desktop
    assert (root / "usr/share/icons/hicolor/scalable/apps/nvr-desktop.svg").is_file()
    validate = shutil.which("desktop-file-validate")
    assert validate, "desktop-file-validate is missing: run `make test` (installer/system-deps.sh test)"
    checked = subprocess.run(
        [validate, str(root / "usr/share/applications/nvr-desktop.desktop")], capture_output=True, text=True
    )
    assert checked.returncode == 0 and not checked.stdout.strip(), checked.stdout + checked.stderr
    unit = (root / "lib/systemd/system/nvr-desktop-headless.service").read_text(encoding="utf-8")
    assert "ExecStart=/opt/nvr-desktop/nvr-desktop --headless --basedir /var/lib/nvr-desktop\n" in unit
    assert "User=nvr-desktop\n" in unit
    control = work / "deb" / f"nvr-desktop_{__version__}_amd64" / "DEBIAN"
    assert "systemctl enable" not in (control / "postinst").read_text(encoding="utf-8")  # not enabled on install

    # As on a user's machine: no display, and no test keyring backend (the bundle does not ship keyrings.alt).
    unset = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "PYTHON_KEYRING_BACKEND")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env["HOME"] = str(tmp_path / "home")
    done = subprocess.run(
        [str(launcher), "--self-test"], capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "self-test (bundle)" in done.stdout
    assert f"under {root / 'opt' / 'nvr-desktop' / '_internal' / 'resources'}" in done.stdout
    assert "Qt platform offscreen" in done.stdout
    assert "scaled in place by libswscale" in done.stdout, "the bundle keeps libswscale where the scaler finds it"
    assert done.stdout.splitlines()[-1] == "self-test passed"

    # The file secret store in the bundle, as the .deb's config.toml selects it: the CLI keeps a password there.
    store_data, key = tmp_path / "store-data", tmp_path / "etc-nvr-desktop" / "secrets.key"
    store_data.mkdir()
    key.parent.mkdir()
    key.write_bytes(os.urandom(32))
    key.chmod(0o640)
    (store_data / "config.toml").write_text(
        f'version = 1\n[security]\nsecret_store = "file"\nsecret_key_file = "{key}"\n', encoding="utf-8"
    )
    added = subprocess.run(
        [str(launcher), "--basedir", str(store_data), "cameras", "add", "--name", "Door", "--url",
         "rtsp://admin:pkg-canary-51@127.0.0.1:9/cam"],
        capture_output=True, text=True, timeout=120, env={**env, "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    assert added.returncode == 0, added.stdout + added.stderr
    secrets = (store_data / "secrets.bin").read_bytes()
    assert secrets and b"pkg-canary-51" not in secrets

    # Service mode as the unit runs it: starts (stream processes too), says how to add the admin, stops on SIGTERM.
    data = tmp_path / "var-lib-nvr-desktop"
    service = subprocess.Popen(
        [str(launcher), "--headless", "--basedir", str(data)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**env, "QT_QPA_PLATFORM": "offscreen"},
        start_new_session=True,
    )
    try:
        assert service.stdout is not None
        seen = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("running headless" in line for line in seen):
            seen.append(service.stdout.readline())
        assert any("running headless" in line for line in seen), "".join(seen)
        assert f"  nvr-desktop --basedir {data} users add admin --role admin\n" in seen
        service.send_signal(signal.SIGTERM)
        rest, _ = service.communicate(timeout=60)
        assert service.returncode == 0, rest
        assert rest.splitlines()[-1] == "stopped"
    finally:
        if service.poll() is None:
            os.killpg(service.pid, signal.SIGKILL)
            service.wait(timeout=10)
