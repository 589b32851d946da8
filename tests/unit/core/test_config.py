"""The typed configuration file: defaults, unknown keys, wrong types, versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from nvr_desktop.core.config import CONFIG_VERSION, AppConfig, load_config, save_config
from nvr_desktop.core.errors import ConfigError


def test_missing_file_is_created_with_defaults(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    config = load_config(path)
    assert config == AppConfig()
    assert path.exists()
    assert load_config(path) == config
    assert f"version = {CONFIG_VERSION}" in path.read_text()


def test_values_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('version = 1\n[ui]\nlanguage = "es"\n[security]\nlockout_attempts = 3\n')
    config = load_config(path)
    assert config.ui.language == "es"
    assert config.security.lockout_attempts == 3
    save_config(path, config)
    assert load_config(path) == config


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version = 1\ncolour = 'red'\n", "unknown key 'colour'"),
        ("[ui]\nlanguge = 'es'\n", "unknown key 'ui.languge'"),
        ("[ui]\nlanguage = 'fr'\n", "'ui.language'"),
        ("[security]\nbcrypt_rounds = 40\n", "'security.bcrypt_rounds'"),
        ("[security]\nlockout_attempts = 'five'\n", "'security.lockout_attempts'"),
        ("version = 99\n", "newer than this app understands"),
        ("version = 'one'\n", "'version' must be a positive integer"),
        ("[ui\n", "not valid TOML"),
    ],
)
def test_bad_config_is_rejected_naming_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")) as info:
        load_config(path)
    assert str(path) in str(info.value)


def test_binary_garbage_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)
