"""The agent's config file: the template loads, and every bad input is one clear line naming the key."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from edge.config import ZEROCONF, ConfigError, load_config, parse_config
from edge.protocol import new_pairing_token

REPO = Path(__file__).resolve().parents[3]
TOKEN = new_pairing_token()


def _minimal(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"version": 1, "device_id": "pi-door-1", "token": TOKEN, "source": {"camera": 0}}
    doc.update(changes)
    return doc


def _error(doc: dict[str, Any], base: Path = REPO) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config(doc, base)
    message = str(caught.value)
    assert "\n" not in message
    assert TOKEN not in message
    return message


def test_the_template_is_valid_and_documents_every_default(tmp_path: Path) -> None:
    doc = tomllib.loads((REPO / "edge" / "agent.example.toml").read_text(encoding="utf-8"))
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n", encoding="utf-8")
    doc["token_file"] = str(token_file)
    config = parse_config(doc, tmp_path)
    defaults = parse_config(_minimal(), tmp_path)
    assert config.desktop == defaults.desktop and config.desktop.url == ZEROCONF
    assert config.motion == defaults.motion and config.throttle == defaults.throttle
    assert config.spool == defaults.spool and config.heartbeat_interval_s == defaults.heartbeat_interval_s
    assert config.token == defaults.token and len(config.token) == 32
    assert TOKEN not in repr(config) and config.token.hex() not in repr(config)


def test_relative_paths_are_taken_from_the_config_folder(tmp_path: Path) -> None:
    (tmp_path / "clip.mp4").write_bytes(b"x")
    (tmp_path / "agent.toml").write_text(
        f'version = 1\ndevice_id = "pi-1"\ntoken = "{TOKEN}"\n'
        '[source]\nfile = "clip.mp4"\nloop = true\n[spool]\nfolder = "spool"\n'
        "[motion]\nzones = [[[0, 0], [10, 0], [10, 10]]]\n",
        encoding="utf-8",
    )
    config = load_config(tmp_path / "agent.toml")
    assert config.source.file == tmp_path / "clip.mp4" and config.source.loop
    assert config.spool.folder == tmp_path / "spool"
    assert config.motion.zones == (((0, 0), (10, 0), (10, 10)),)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"colour": "red"}, "unknown key colour"),
        ({"motion": {"min_aera": 5}}, "unknown key motion.min_aera"),
        ({"desktop": {"url": "zeroconf", "port": 1}}, "unknown key desktop.port"),
        ({"version": 2}, "version is 2"),
        ({"version": None}, "version must be an integer"),
        ({"device_id": "bad id!"}, "device_id must be 1-64"),
        ({"device_id": 7}, "device_id must be a string"),
        ({"token": "short"}, "token is not a pairing token"),
        ({"token_file": "/x"}, "exactly one of token or token_file"),
        ({"motion": {"min_area": True}}, "motion.min_area must be an integer"),
        ({"motion": {"min_area": 0}}, "motion.min_area must be between"),
        ({"motion": {"sensitivity": 2.0}}, "motion.sensitivity must be between"),
        ({"motion": {"fps": "fast"}}, "motion.fps must be a number"),
        ({"motion": {"width": 7}}, "motion.width must be 0 or"),
        ({"motion": {"zones": [[[0, 0], [1, 1]]]}}, "motion.zones[0] must be a list of at least 3"),
        ({"motion": {"masks": [[[0, 0], [1, 1], [2, -1]]]}}, "motion.masks[0] points must be [x, y]"),
        ({"motion": 5}, "motion must be a table"),
        ({"throttle": {"max_snapshots_per_burst": 0}}, "throttle.max_snapshots_per_burst must be between"),
        ({"throttle": {"cooldown_s": float("nan")}}, "throttle.cooldown_s must be a finite number"),
        ({"spool": {"max_bytes": 10}}, "spool.max_bytes must be at least"),
        ({"heartbeat_interval_s": 0}, "heartbeat_interval_s must be between"),
        ({"jpeg_quality": 101}, "jpeg_quality must be between"),
        ({"desktop": {"url": "ftp://x"}}, "desktop.url must be"),
        ({"desktop": {"url": "http://u:p@host:1"}}, "desktop.url must be only scheme://host:port"),
        ({"desktop": {"url": "http://host:99999"}}, "desktop.url has a bad port"),
        ({"desktop": {"tls_ca_file": "/no/such/ca.pem"}}, "desktop.tls_ca_file: no file"),
        ({"desktop": {"connect_timeout_s": 0}}, "desktop.connect_timeout_s must be between"),
        ({"desktop": {"zeroconf_interfaces": [1]}}, "desktop.zeroconf_interfaces must be a list"),
        ({"source": {}}, "needs exactly one of camera"),
        ({"source": {"camera": 0, "url": "rtsp://h/x"}}, "needs exactly one of camera"),
        ({"source": {"url": "file:///etc/passwd"}}, "source.url must be an rtsp://"),
        ({"source": {"url": "-i rtsp://h/x"}}, "source.url must be an rtsp://"),
        ({"source": {"url": "rtsp://h/a b"}}, "source.url must not hold spaces"),
        ({"source": {"file": "concat:a|b"}}, "source.file must be a plain path"),
        ({"source": {"file": "/no/such/clip.mp4"}}, "source.file: no file"),
        ({"source": {"camera": 0, "loop": True}}, "source.loop applies to a file source only"),
        ({"source": {"camera": 0, "pace": "yes"}}, "source.pace must be true or false"),
    ],
)
def test_every_bad_input_is_one_line_naming_the_key(changes: dict[str, Any], expected: str) -> None:
    doc = _minimal(**changes)
    if "token_file" in changes:
        doc["token_file"] = changes["token_file"]
    assert expected in _error(doc)


def test_a_missing_device_id_or_token_is_named() -> None:
    doc = _minimal()
    del doc["device_id"]
    assert "device_id is missing" in _error(doc)
    doc = _minimal()
    del doc["token"]
    assert "exactly one of token or token_file" in _error(doc)


def test_an_unreadable_token_file_or_config_file_is_named(tmp_path: Path) -> None:
    doc = _minimal()
    del doc["token"]
    doc["token_file"] = "missing-token"
    assert "token_file: cannot read" in _error(doc, tmp_path)
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "nope.toml")
    (tmp_path / "bad.toml").write_text("version = = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(tmp_path / "bad.toml")


def test_the_agent_exits_2_with_one_line_on_a_bad_config(tmp_path: Path) -> None:
    path = tmp_path / "agent.toml"
    path.write_text(f'version = 1\ndevice_id = "pi-1"\ntoken = "{TOKEN}"\nfps = 3\n[source]\ncamera = 0\n')
    done = subprocess.run(
        [sys.executable, "-m", "edge", "--config", str(path)], capture_output=True, text=True, timeout=60, cwd=REPO
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "unknown key fps" in lines[0], done.stderr
    assert TOKEN not in done.stderr


def test_a_ca_file_that_is_no_certificate_exits_2_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("not a certificate\n")
    path = tmp_path / "agent.toml"
    path.write_text(
        f'version = 1\ndevice_id = "pi-1"\ntoken = "{TOKEN}"\n[desktop]\nurl = "https://127.0.0.1:1"\n'
        f'tls_ca_file = "ca.pem"\n[source]\ncamera = 0\n[spool]\nfolder = "spool"\n'
    )
    done = subprocess.run(
        [sys.executable, "-m", "edge", "--config", str(path)], capture_output=True, text=True, timeout=60, cwd=REPO
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "desktop.tls_ca_file" in lines[0], done.stderr
