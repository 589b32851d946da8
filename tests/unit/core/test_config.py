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
        ("[[alerts.rules]]\nname = 'a'\ncount = 3\nwithin = 2\n", "unknown key 'alerts.rules.0.within'"),
        ("[[alerts.rules]]\ncount = 3\n", "'alerts.rules.0.name'"),
        ("[[alerts.rules]]\nname = 'a'\nwarning_score = 0.9\ncritical_score = 0.5\n", "warning_score"),
        ("[[alerts.rules]]\nname = 'a'\n[[alerts.rules]]\nname = 'a'\n", "names must be unique"),
        ("[alerts]\nwebhook_url = 'file:///etc/passwd'\n", "must start with https://"),
        ("[security]\nsecret_store = 'plaintext'\n", "'security.secret_store': Input should be 'keyring' or 'file'"),
        ("[security]\nsecret_store = 'file'\n", 'secret_store = "file" needs secret_key_file'),
        ("[security]\nsecret_store = 'file'\nsecret_key_file = 'secrets.key'\n", "must be an absolute path"),
        ("[security]\nsecret_file = '/etc/x'\n", "unknown key 'security.secret_file'"),
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


def test_alert_rules_default_and_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    (rule,) = load_config(path).alerts.rules
    assert (rule.per, rule.count, rule.within_minutes, rule.record) == ("device", 3, 2.0, True)
    path.write_text(
        "version = 1\n[alerts]\nreport_minutes = 5\n"
        "[[alerts.rules]]\nname = 'door'\ndevice_id = 'pi-door'\ncount = 2\n"
        "[[alerts.rules]]\nname = 'yard'\nper = 'camera'\ncamera_id = 4\nrecord = false\n"
    )
    config = load_config(path)
    assert [r.name for r in config.alerts.rules] == ["door", "yard"] and config.alerts.report_minutes == 5
    save_config(path, config)
    assert "[[alerts.rules]]" in path.read_text() and load_config(path) == config


def test_the_os_keyring_is_the_default_secret_store(tmp_path: Path) -> None:
    assert AppConfig().security.secret_store == "keyring"
    path = tmp_path / "config.toml"
    path.write_text("version = 1\n[security]\nsecret_store = 'file'\nsecret_key_file = '/etc/nvr-desktop/k'\n")
    config = load_config(path)
    assert (config.security.secret_store, config.security.secret_key_file) == ("file", "/etc/nvr-desktop/k")
    save_config(path, config)
    assert load_config(path) == config
