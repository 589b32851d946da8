"""The systemd unit, the install script, the config template and the agent's wheel agree with each other."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import edge
import nvr_desktop

REPO = Path(__file__).resolve().parents[3]
EDGE = REPO / "edge"


def _unit() -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(EDGE / "nvr-edge-agent.service", encoding="utf-8")
    return unit


def test_the_unit_runs_the_agent_hardened_as_its_own_user() -> None:
    service = _unit()["Service"]
    assert service["User"] == "nvr-edge" and service["Restart"] == "on-failure"
    assert set(service["RestartPreventExitStatus"].split()) == {"2", "3"}, "bad config and rejected token"
    assert service["NoNewPrivileges"] == "yes" and service["ProtectSystem"] == "strict"
    assert service["CapabilityBoundingSet"] == "" and service["PrivateTmp"] == "yes"
    assert service["ExecStart"] == "/opt/nvr-edge/venv/bin/python -I -m edge --config /etc/nvr-edge/agent.toml"


def test_the_template_spools_where_the_unit_may_write() -> None:
    state = _unit()["Service"]["StateDirectory"]
    template = tomllib.loads((EDGE / "agent.example.toml").read_text(encoding="utf-8"))
    folder = Path(template["spool"]["folder"])
    assert folder.is_relative_to(Path("/var/lib") / state), "ProtectSystem=strict: only the StateDirectory is writable"
    assert template["token_file"].startswith("/etc/nvr-edge/")


def test_the_install_script_is_strict_and_clean() -> None:
    script = (EDGE / "install.sh").read_text(encoding="utf-8")
    assert "set -euo pipefail" in script
    assert "/opt/nvr-edge" in script and "agent.example.toml" in script and "systemctl enable" in script
    assert 'if [ ! -e "$CONF_DIR/agent.toml" ]' in script, "an existing config is never overwritten"
    subprocess.run(["bash", "-n", str(EDGE / "install.sh")], check=True, timeout=30)
    shellcheck = shutil.which("shellcheck")
    assert shellcheck is not None, "shellcheck is missing: run `make test` (installer/system-deps.sh test installs it)"
    done = subprocess.run([shellcheck, str(EDGE / "install.sh")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout


def _pyproject(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def test_the_agent_wheel_depends_on_exactly_the_edge_extra() -> None:
    desktop = _pyproject(REPO / "pyproject.toml")["project"]
    agent = _pyproject(EDGE / "pyproject.toml")["project"]
    assert agent["dependencies"] == desktop["optional-dependencies"]["edge"], "one list of pins for the agent"
    # The agent also runs on Python 3.13 (Raspberry Pi OS Trixie), which the desktop's Qt and PyAV pins do not.
    assert agent["requires-python"] == ">=3.11,<3.14" and desktop["requires-python"] == ">=3.11,<3.13"
    lock = set((REPO / "installer" / "requirements.lock").read_text(encoding="utf-8").split())
    assert set(agent["dependencies"]) <= lock, "the pins are the locked versions the tests ran with"


def test_the_agent_wheel_has_the_desktop_version_and_only_the_edge_package() -> None:
    desktop = _pyproject(REPO / "pyproject.toml")
    agent = _pyproject(EDGE / "pyproject.toml")
    assert edge.__version__ == nvr_desktop.__version__ == desktop["project"]["version"]
    assert agent["project"]["dynamic"] == ["version"]
    assert agent["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "edge.__version__"}
    assert agent["tool"]["setuptools"]["packages"] == ["edge"]
    assert agent["build-system"] == desktop["build-system"], "the same pinned setuptools builds both wheels"
    assert agent["project"]["scripts"] == {"nvr-edge-agent": "edge.__main__:main"}
    package_data = set(agent["tool"]["setuptools"]["package-data"]["edge"])
    assert package_data == {"agent.example.toml", "nvr-edge-agent.service"}
    assert all((EDGE / name).is_file() for name in package_data)
