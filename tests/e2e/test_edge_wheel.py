"""The edge agent's own wheel: built from edge/pyproject.toml as `make edge-wheel` does, it holds only the edge
package and its data files with the edge extra's pins; edge/install.sh refuses anything else and, under DESTDIR (a
scratch root, never the real system), installs it into a venv, copies the template and the unit, and upgrades."""

from __future__ import annotations

import base64
import email.parser
import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import tomllib
import zipfile
from pathlib import Path

import pytest

import edge

from .conftest import ROOT

EDGE = ROOT / "edge"
INSTALL = EDGE / "install.sh"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.timeout(300),
    pytest.mark.skipif(sys.platform != "linux" or shutil.which("bash") is None, reason="install.sh is for Linux"),
]


def _edge_extra() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins: list[str] = project["optional-dependencies"]["edge"]
    return pins


@pytest.fixture(scope="module")
def agent_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip wheel --no-deps ./edge` on a clean copy (setuptools builds in the source folder; the checkout stays as
    it is)."""
    work = tmp_path_factory.mktemp("edge-wheel")
    source = work / "edge"
    shutil.copytree(EDGE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    started = time.monotonic()
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(work / "dist"), str(source)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    print(f"agent wheel built in {time.monotonic() - started:.1f} s")
    (wheel,) = (work / "dist").glob("*.whl")
    return wheel


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
    return f"{name},sha256={digest},{len(data)}"


def _desktop_like_wheel(folder: Path) -> Path:
    """A small stand-in for nvr_desktop-*.whl as older install.sh took it: the desktop package and edge/ in one."""
    dist_info = "nvr_desktop-0.1.0.dist-info"
    files = {
        "nvr_desktop/__init__.py": b'__version__ = "0.1.0"\n',
        "edge/__init__.py": (EDGE / "__init__.py").read_bytes(),
        f"{dist_info}/METADATA": b"Metadata-Version: 2.4\nName: nvr-desktop\nVersion: 0.1.0\n",
        f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = [_record_line(name, data) for name, data in files.items()] + [f"{dist_info}/RECORD,,"]
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode("utf-8")
    path = folder / "nvr_desktop-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        for name, data in files.items():
            wheel.writestr(name, data)
    return path


def _install_sh(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(INSTALL), *args], capture_output=True, text=True, timeout=180, env=env, cwd=cwd)


def test_the_wheel_holds_only_the_agent_with_the_edge_pins(agent_wheel: Path) -> None:
    assert agent_wheel.name == f"nvr_edge_agent-{edge.__version__}-py3-none-any.whl"
    dist_info = f"nvr_edge_agent-{edge.__version__}.dist-info"
    with zipfile.ZipFile(agent_wheel) as wheel:
        names = set(wheel.namelist())
        metadata = email.parser.Parser().parsestr(wheel.read(f"{dist_info}/METADATA").decode("utf-8"))
        entry_points = wheel.read(f"{dist_info}/entry_points.txt").decode("utf-8")
    modules = {f"edge/{p.name}" for p in EDGE.glob("*.py")}
    assert {n for n in names if not n.startswith(f"{dist_info}/")} == modules | {
        "edge/agent.example.toml",
        "edge/nvr-edge-agent.service",
    }, "no nvr_desktop, no tests, no install.sh or pyproject.toml"
    assert metadata["Name"] == "nvr-edge-agent" and metadata["Version"] == edge.__version__
    assert metadata.get_all("Requires-Dist") == _edge_extra()
    assert metadata["Requires-Python"] == "<3.14,>=3.11"
    assert "[console_scripts]\nnvr-edge-agent = edge.__main__:main" in entry_points
    print(f"agent wheel: {agent_wheel.stat().st_size} bytes")


def test_install_sh_takes_only_the_agent_wheel(agent_wheel: Path, tmp_path: Path) -> None:
    env = dict(os.environ)
    checked = _install_sh("--check", str(agent_wheel), env=env, cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert f"is nvr-edge-agent {edge.__version__}" in checked.stdout

    desktop = _install_sh("--check", str(_desktop_like_wheel(tmp_path)), env=env, cwd=tmp_path)
    assert desktop.returncode == 1
    assert "the desktop's wheel" in desktop.stderr and "make edge-wheel" in desktop.stderr
    # Without --check it stops at the same place: before any root check or change.
    assert _install_sh(str(_desktop_like_wheel(tmp_path)), env=env, cwd=tmp_path).stderr == desktop.stderr

    not_a_zip = tmp_path / "notes.whl"
    not_a_zip.write_text("hello", encoding="utf-8")
    refused = _install_sh("--check", str(not_a_zip), env=env, cwd=tmp_path)
    assert refused.returncode == 1 and "is not a wheel" in refused.stderr


def test_install_sh_installs_and_upgrades_under_destdir(agent_wheel: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    venv = root / "opt" / "nvr-edge" / "venv"
    python = venv / "bin" / "python"
    # The venv is made beforehand only to reach the pinned OpenCV, zeroconf and numpy offline: a .pth adds the test
    # venv's site-packages (a plain path: its editable nvr-desktop finder is not loaded) and pip may not download.
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    purelib = Path(
        subprocess.run(
            [str(python), "-I", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.strip()
    )
    (purelib / "test-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    # What older install.sh left: the desktop's wheel in the venv.
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-index", "--no-deps", str(_desktop_like_wheel(tmp_path))],
        check=True,
        timeout=120,
    )
    env = dict(os.environ, DESTDIR=str(root), PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")

    first = _install_sh(str(agent_wheel), env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "removing the desktop's wheel" in first.stdout
    assert not (purelib / "nvr_desktop").exists() and not list(purelib.glob("nvr_desktop-*.dist-info"))
    assert (purelib / f"nvr_edge_agent-{edge.__version__}.dist-info").is_dir()
    config = root / "etc" / "nvr-edge" / "agent.toml"
    assert config.read_bytes() == (EDGE / "agent.example.toml").read_bytes()
    unit = root / "etc" / "systemd" / "system" / "nvr-edge-agent.service"
    assert unit.read_bytes() == (EDGE / "nvr-edge-agent.service").read_bytes()
    assert "no user, systemd or ownership changes" in first.stdout

    # The installed agent is the wheel's, not the checkout's, and its command runs (exit 2: no such config).
    where = subprocess.run(
        [str(python), "-I", "-c", "import edge.agent, edge; print(edge.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert Path(where.stdout.strip()).is_relative_to(purelib)
    agent = subprocess.run(
        [str(venv / "bin" / "nvr-edge-agent"), "--config", str(tmp_path / "missing.toml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert agent.returncode == 2 and "missing.toml" in agent.stderr

    # Again: the edited config is kept and a damaged install is repaired from a wheel of the same version.
    config.write_text(config.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    (purelib / "edge" / "motion.py").unlink()
    again = _install_sh(str(agent_wheel), env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "keeping the existing" in again.stdout and config.read_text(encoding="utf-8").endswith("# edited\n")
    assert (purelib / "edge" / "motion.py").read_bytes() == (EDGE / "motion.py").read_bytes()
