"""The typed configuration schema (config.toml under the data folder): versioned, unknown keys rejected."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic import ValidationError as PydanticValidationError

from nvr_desktop.core.errors import ConfigError

CONFIG_VERSION = 1


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UiConfig(_Section):
    """User interface preferences."""

    language: Literal["en", "es"] = "en"


class SecurityConfig(_Section):
    """Password hashing, login lockout, and where camera passwords are kept."""

    bcrypt_rounds: int = Field(default=12, ge=4, le=16)
    lockout_attempts: int = Field(default=5, ge=1, le=100)
    lockout_minutes: float = Field(default=5.0, gt=0, le=1440)
    # "keyring": the OS keyring (the default). "file": secrets.bin in the data folder, encrypted with the key in
    # secret_key_file, for a service that has no keyring session (the .deb's headless service).
    secret_store: Literal["keyring", "file"] = "keyring"  # noqa: S105 - a store name
    secret_key_file: str = Field(default="", max_length=4096)

    @field_validator("secret_key_file")
    @classmethod
    def _absolute_key_path(cls, value: str) -> str:
        if value and not Path(value).is_absolute():
            raise ValueError(f"the key file must be an absolute path, not '{value}'")
        return value

    @model_validator(mode="after")
    def _file_store_needs_a_key(self) -> SecurityConfig:
        if self.secret_store == "file" and not self.secret_key_file:  # noqa: S105 - a store name
            raise ValueError(
                'secret_store = "file" needs secret_key_file: the absolute path of a file of 32 random bytes, '
                "outside the data folder (the .deb uses /etc/nvr-desktop/secrets.key)"
            )
        return self


class LoggingConfig(_Section):
    """Log level and rotation."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    max_bytes: int = Field(default=5_000_000, ge=10_000)
    backups: int = Field(default=5, ge=0, le=100)


class StorageConfig(_Section):
    """Where recordings go (empty: the data folder's recordings/)."""

    recordings_dir: str = ""


class RecordingConfig(_Section):
    """Global recording limits: pre/post-roll of event recordings, quota, free-space reserve, guard period."""

    pre_roll_s: float = Field(default=5.0, ge=0, le=60)
    post_roll_s: float = Field(default=10.0, ge=0, le=600)
    quota_gb: float | None = Field(default=None, gt=0)
    free_reserve_mb: float = Field(default=2048.0, ge=0)
    guard_interval_s: float = Field(default=30.0, ge=0.2, le=3600)


class EdgeConfig(_Section):
    """The listener edge agents push detections to (it starts when at least one device is paired)."""

    enabled: bool = True
    # Every interface: the agents are on the LAN. Every request but /health is signed; pairing is admin-only.
    host: str = Field(default="0.0.0.0", min_length=1, max_length=255)  # noqa: S104
    port: int = Field(default=8765, ge=1, le=65535)
    tls_cert: str = ""  # PEM files; both set: HTTPS
    tls_key: str = ""
    advertise: bool = True  # announce the listener on zeroconf (_nvr-desktop._tcp) for agents set to "zeroconf"
    # Paired devices that may read GET /api/v1/stats (a monitoring tool paired with `edge add`); none by default.
    stats_devices: list[str] = Field(default_factory=list, max_length=64)


class AlertRuleConfig(_Section):
    """One alert rule: `count` detections within `within_minutes` on one device (or camera) raise one alert, then
    the rule stays quiet for that key for `quiet_minutes` (default: the window) however many detections follow."""

    name: str = Field(min_length=1, max_length=64)
    per: Literal["device", "camera"] = "device"
    device_id: str = Field(default="", max_length=64)  # empty: every device
    camera_id: int | None = Field(default=None, ge=1)  # unset: every camera
    count: int = Field(default=3, ge=1, le=1000)
    within_minutes: float = Field(default=2.0, gt=0, le=1440)
    quiet_minutes: float | None = Field(default=None, ge=0, le=1440)
    warning_score: float = Field(default=0.6, ge=0, le=1)  # the highest score of the burst decides the severity
    critical_score: float = Field(default=0.85, ge=0, le=1)
    record: bool = True  # start event recording on the event's camera

    @model_validator(mode="after")
    def _thresholds_in_order(self) -> AlertRuleConfig:
        if self.warning_score > self.critical_score:
            raise ValueError("warning_score must not be above critical_score")
        return self


class AlertsConfig(_Section):
    """Alert rules over detections, where alerts are sent, and the periodic summary report."""

    enabled: bool = True
    rules: tuple[AlertRuleConfig, ...] = (AlertRuleConfig(name="burst"),)
    webhook_url: str = Field(default="", max_length=2048)  # Discord-compatible; empty: no webhook
    webhook_timeout_s: float = Field(default=10.0, gt=0, le=120)
    webhook_retries: int = Field(default=5, ge=0, le=20)
    report_minutes: float = Field(default=15.0, ge=1, le=1440)

    @field_validator("webhook_url")
    @classmethod
    def _http_only(cls, url: str) -> str:
        if url and not url.lower().startswith(("https://", "http://")):
            raise ValueError("the webhook URL must start with https:// or http://")
        return url

    @model_validator(mode="after")
    def _unique_rule_names(self) -> AlertsConfig:
        names = [rule.name for rule in self.rules]
        if len(names) != len(set(names)):
            raise ValueError("alert rule names must be unique")
        return self


class AppConfig(_Section):
    """The whole configuration file."""

    version: int = CONFIG_VERSION
    ui: UiConfig = UiConfig()
    security: SecurityConfig = SecurityConfig()
    logging: LoggingConfig = LoggingConfig()
    storage: StorageConfig = StorageConfig()
    recording: RecordingConfig = RecordingConfig()
    edge: EdgeConfig = EdgeConfig()
    alerts: AlertsConfig = AlertsConfig()


def _describe(err: PydanticValidationError, path: Path) -> str:
    lines = []
    for item in err.errors():
        where = ".".join(str(p) for p in item["loc"]) or "(top level)"
        if item["type"] == "extra_forbidden":
            lines.append(f"unknown key '{where}'")
        else:
            lines.append(f"'{where}': {item['msg']}")
    return f"invalid configuration in {path}: " + "; ".join(lines)


def parse_config(data: dict[str, Any], path: Path) -> AppConfig:
    """Validate raw TOML data against the schema, or raise ConfigError naming each bad key."""
    version = data.get("version", CONFIG_VERSION)
    if not isinstance(version, int) or version < 1:
        raise ConfigError(f"invalid configuration in {path}: 'version' must be a positive integer")
    if version > CONFIG_VERSION:
        raise ConfigError(
            f"{path} has configuration version {version}, newer than this app understands ({CONFIG_VERSION})"
        )
    try:
        return AppConfig.model_validate({**data, "version": CONFIG_VERSION})
    except PydanticValidationError as err:
        raise ConfigError(_describe(err, path)) from None


def load_config(path: Path) -> AppConfig:
    """Read config.toml, writing the defaults first when it does not exist."""
    if not path.exists():
        save_config(path, AppConfig())
        return AppConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path} is not valid TOML: {err}") from None
    return parse_config(data, path)


def save_config(path: Path, config: AppConfig) -> None:
    """Write the configuration atomically (temp file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(tomli_w.dumps(config.model_dump(exclude_none=True)), encoding="utf-8")
    os.replace(tmp, path)
