"""The agent's TOML config file: a strict, typed, versioned schema (stdlib tomllib only).

Unknown keys, wrong types and out-of-range values are refused with a ``ConfigError`` whose message names the key
(``motion.min_area``), so ``python -m edge`` can exit 2 with one clear line. Relative paths are taken from the
config file's folder. See ``edge/agent.example.toml`` for every key with its default.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from edge.protocol import DEVICE_ID_PATTERN, TOKEN_BYTES, decode_pairing_token

CONFIG_VERSION = 1
ZEROCONF = "zeroconf"
_T = TypeVar("_T")
Point = tuple[int, int]
Polygon = tuple[Point, ...]


class ConfigError(Exception):
    """The config file cannot be used; the message names the key and the problem in one line."""


@dataclass(frozen=True)
class DesktopConfig:
    """Where the desktop listens and how long to wait for it."""

    url: str = ZEROCONF  # "http(s)://host:port" or "zeroconf"
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 15.0
    tls_ca_file: Path | None = None  # set: HTTPS only, the desktop's certificate must chain to this CA
    zeroconf_timeout_s: float = 10.0
    zeroconf_interfaces: tuple[str, ...] = ()  # empty: every interface
    retry_max_s: float = 30.0  # the longest pause between delivery attempts

    @property
    def discover(self) -> bool:
        """True when the desktop is found through zeroconf."""
        return self.url == ZEROCONF


@dataclass(frozen=True)
class SourceConfig:
    """Exactly one of camera (a V4L2 index), file (a video file) or url (rtsp/rtsps/http/https)."""

    camera: int | None = None
    file: Path | None = None
    url: str | None = None
    loop: bool = False  # files: start again at the end
    pace: bool = True  # files: deliver frames at the file's frame rate, like a camera
    open_timeout_s: float = 10.0
    read_timeout_s: float = 10.0
    reconnect_max_s: float = 30.0

    def describe(self) -> str:
        """The source for a log line (a URL without its userinfo)."""
        if self.camera is not None:
            return f"camera {self.camera}"
        if self.file is not None:
            return f"file {self.file}"
        parts = urlsplit(self.url or "")
        return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}{parts.path}"


@dataclass(frozen=True)
class MotionConfig:
    """Background subtraction (cv2 MOG2) and what counts as motion."""

    history: int = 500
    var_threshold: float = 16.0
    min_area: int = 400  # pixels of the camera frame a moving blob must cover
    warmup_frames: int = 25  # frames the background model learns from before anything counts
    sensitivity: float = 0.5  # 0..1: higher turns fainter differences into motion
    fps: float = 5.0  # frames analysed per second
    width: int = 640  # frames are scaled down to this width for analysis (0: never)
    zones: tuple[Polygon, ...] = ()  # when given, only motion inside a zone counts
    masks: tuple[Polygon, ...] = ()  # motion inside a mask never counts


@dataclass(frozen=True)
class ThrottleConfig:
    """At most ``max_snapshots_per_burst`` snapshots, ``min_interval_s`` apart, then a ``cooldown_s`` pause."""

    max_snapshots_per_burst: int = 3
    min_interval_s: float = 1.0
    cooldown_s: float = 30.0


@dataclass(frozen=True)
class SpoolConfig:
    """The store-and-forward folder and its bounds (the oldest detections go first when full)."""

    folder: Path = Path("/var/lib/nvr-edge/spool")
    max_bytes: int = 256 * 1024 * 1024
    max_items: int = 10_000


@dataclass(frozen=True)
class AgentConfig:
    """The whole config file."""

    device_id: str
    token: bytes = field(repr=False)  # the pairing secret: never printed
    desktop: DesktopConfig = DesktopConfig()
    source: SourceConfig = SourceConfig(camera=0)
    motion: MotionConfig = MotionConfig()
    throttle: ThrottleConfig = ThrottleConfig()
    spool: SpoolConfig = SpoolConfig()
    heartbeat_interval_s: float = 30.0
    jpeg_quality: int = 85
    version: int = CONFIG_VERSION


class _Table:
    """One TOML table being read: every key taken is checked, and what is left over is an error."""

    def __init__(self, data: Mapping[str, Any], prefix: str) -> None:
        self._data = dict(data)
        self._prefix = prefix

    def name(self, key: str) -> str:
        return f"{self._prefix}{key}"

    def has(self, key: str) -> bool:
        return key in self._data

    def take(self, key: str, kind: type[_T], default: _T, check: Callable[[_T], str | None] | None = None) -> _T:
        if key not in self._data:
            return default
        value = self._data.pop(key)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        # bool is an int subclass: `min_area = true` must not pass as 1.
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise ConfigError(f"{self.name(key)} must be {_KIND_NAMES.get(kind, kind.__name__)}, not {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(f"{self.name(key)} must be a finite number")
        problem = check(value) if check is not None else None
        if problem:
            raise ConfigError(f"{self.name(key)} {problem}")
        return value

    def table(self, key: str) -> _Table:
        value = self._data.pop(key, {})
        if not isinstance(value, dict):
            raise ConfigError(f"{self.name(key)} must be a table ([{self.name(key)}])")
        return _Table(value, f"{self.name(key)}.")

    def finish(self) -> None:
        if self._data:
            unknown = ", ".join(self.name(key) for key in sorted(self._data))
            raise ConfigError(f"unknown key {unknown}")


_KIND_NAMES: dict[type, str] = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}


def _at_least(low: float) -> Callable[[Any], str | None]:
    return lambda value: None if value >= low else f"must be at least {low:g}, not {value}"


def _between(low: float, high: float) -> Callable[[Any], str | None]:
    return lambda value: None if low <= value <= high else f"must be between {low:g} and {high:g}, not {value}"


def _positive(value: float) -> str | None:
    return None if value > 0 else f"must be more than 0, not {value}"


def _path(base: Path, text: str) -> Path:
    path = Path(text).expanduser()
    return path if path.is_absolute() else base / path


def _polygons(table: _Table, key: str) -> tuple[Polygon, ...]:
    raw = table.take(key, list, [])
    polygons: list[Polygon] = []
    for index, polygon in enumerate(raw):
        where = f"{table.name(key)}[{index}]"
        if not isinstance(polygon, list) or len(polygon) < 3:
            raise ConfigError(f"{where} must be a list of at least 3 [x, y] points")
        points: list[Point] = []
        for point in polygon:
            if (
                not isinstance(point, list)
                or len(point) != 2
                or not all(isinstance(c, int) and not isinstance(c, bool) and 0 <= c <= 16384 for c in point)
            ):
                raise ConfigError(f"{where} points must be [x, y] with whole pixel coordinates from 0 to 16384")
            points.append((point[0], point[1]))
        polygons.append(tuple(points))
    return tuple(polygons)


def _desktop(table: _Table, base: Path) -> DesktopConfig:
    def check_url(url: str) -> str | None:
        if url == ZEROCONF:
            return None
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return f'must be "zeroconf" or http(s)://host:port, not {url!r}'
        if parts.username or parts.password or parts.query or parts.fragment or parts.path not in ("", "/"):
            return "must be only scheme://host:port (no credentials, path or query)"
        try:
            parts.port  # noqa: B018 - raises on a bad port
        except ValueError:
            return f"has a bad port: {url!r}"
        return None

    url = table.take("url", str, ZEROCONF, check_url)
    ca_text = table.take("tls_ca_file", str, "")
    ca = _path(base, ca_text) if ca_text else None
    if ca is not None and not ca.is_file():
        raise ConfigError(f"{table.name('tls_ca_file')}: no file {ca}")
    if ca is not None and url.startswith("http:"):
        raise ConfigError(f"{table.name('url')} must be https:// when tls_ca_file is set")
    interfaces = table.take("zeroconf_interfaces", list, [])
    if not all(isinstance(item, str) and item for item in interfaces):
        raise ConfigError(f"{table.name('zeroconf_interfaces')} must be a list of IP addresses")
    desktop = DesktopConfig(
        url=url,
        connect_timeout_s=table.take("connect_timeout_s", float, 5.0, _between(0.1, 120)),
        read_timeout_s=table.take("read_timeout_s", float, 15.0, _between(0.1, 300)),
        tls_ca_file=ca,
        zeroconf_timeout_s=table.take("zeroconf_timeout_s", float, 10.0, _between(0.1, 300)),
        zeroconf_interfaces=tuple(interfaces),
        retry_max_s=table.take("retry_max_s", float, 30.0, _between(0.1, 3600)),
    )
    table.finish()
    return desktop


def _source(table: _Table, base: Path) -> SourceConfig:
    chosen = [key for key in ("camera", "file", "url") if table.has(key)]
    if len(chosen) != 1:
        raise ConfigError("[source] needs exactly one of camera (an index), file (a path) or url (rtsp://...)")

    def check_url(url: str) -> str | None:
        # The URL reaches FFmpeg: only network schemes, never an option-like or local-protocol string.
        parts = urlsplit(url)
        if url.startswith("-") or parts.scheme not in ("rtsp", "rtsps", "http", "https") or not parts.hostname:
            return "must be an rtsp://, rtsps://, http:// or https:// URL with a host"
        if any(ord(c) < 33 for c in url):
            return "must not hold spaces or control characters"
        return None

    file_text = table.take("file", str, "")
    if file_text and (file_text.startswith("-") or ":" in file_text.split("/")[0]):
        raise ConfigError(f"{table.name('file')} must be a plain path, not {file_text!r}")
    source = SourceConfig(
        camera=table.take("camera", int, 0, _between(0, 63)) if "camera" in chosen else None,
        file=_path(base, file_text) if file_text else None,
        url=table.take("url", str, "", check_url) or None,
        loop=table.take("loop", bool, False),
        pace=table.take("pace", bool, True),
        open_timeout_s=table.take("open_timeout_s", float, 10.0, _between(0.1, 300)),
        read_timeout_s=table.take("read_timeout_s", float, 10.0, _between(0.1, 300)),
        reconnect_max_s=table.take("reconnect_max_s", float, 30.0, _between(0.1, 3600)),
    )
    if source.file is not None and not source.file.is_file():
        raise ConfigError(f"{table.name('file')}: no file {source.file}")
    if source.loop and source.file is None:
        raise ConfigError(f"{table.name('loop')} applies to a file source only")
    table.finish()
    return source


def _motion(table: _Table) -> MotionConfig:
    motion = MotionConfig(
        history=table.take("history", int, 500, _between(1, 100_000)),
        var_threshold=table.take("var_threshold", float, 16.0, _between(1, 1000)),
        min_area=table.take("min_area", int, 400, _between(1, 16384 * 16384)),
        warmup_frames=table.take("warmup_frames", int, 25, _between(0, 100_000)),
        sensitivity=table.take("sensitivity", float, 0.5, _between(0.01, 1)),
        fps=table.take("fps", float, 5.0, _between(0.1, 60)),
        width=table.take("width", int, 640, lambda w: None if w == 0 or 32 <= w <= 16384 else "must be 0 or 32-16384"),
        zones=_polygons(table, "zones"),
        masks=_polygons(table, "masks"),
    )
    table.finish()
    return motion


def _throttle(table: _Table) -> ThrottleConfig:
    throttle = ThrottleConfig(
        max_snapshots_per_burst=table.take("max_snapshots_per_burst", int, 3, _between(1, 1000)),
        min_interval_s=table.take("min_interval_s", float, 1.0, _between(0, 3600)),
        cooldown_s=table.take("cooldown_s", float, 30.0, _between(0, 86400)),
    )
    table.finish()
    return throttle


def _spool(table: _Table, base: Path) -> SpoolConfig:
    spool = SpoolConfig(
        folder=_path(base, table.take("folder", str, "/var/lib/nvr-edge/spool", lambda f: None if f else "is empty")),
        max_bytes=table.take("max_bytes", int, 256 * 1024 * 1024, _at_least(1024 * 1024)),
        max_items=table.take("max_items", int, 10_000, _between(1, 10_000_000)),
    )
    table.finish()
    return spool


def _token(table: _Table, base: Path) -> bytes:
    if table.has("token") == table.has("token_file"):
        raise ConfigError("give exactly one of token or token_file (the pairing token from `edge add`)")
    text = table.take("token", str, "")
    if not text:
        path = _path(base, table.take("token_file", str, "", lambda f: None if f else "is empty"))
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"token_file: cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        token = decode_pairing_token(text)
    except ValueError:
        # The message never quotes the value: it is a secret.
        raise ConfigError(f"token is not a pairing token ({TOKEN_BYTES} bytes in base64url, 43 characters)") from None
    return token


def parse_config(data: Mapping[str, Any], base: Path) -> AgentConfig:
    """Validate a decoded TOML document; relative paths are taken from ``base``. Raises ConfigError."""
    root = _Table(data, "")
    version = root.take("version", int, -1)
    if version != CONFIG_VERSION:
        missing = "is missing" if version == -1 else f"is {version}"
        raise ConfigError(f"version {missing}: this agent reads config version {CONFIG_VERSION}")
    device_id = root.take(
        "device_id",
        str,
        "",
        lambda d: None if DEVICE_ID_PATTERN.fullmatch(d) else "must be 1-64 of A-Z a-z 0-9 . _ - (as paired)",
    )
    if not device_id:
        raise ConfigError("device_id is missing (the id given to `edge add` on the desktop)")
    token = _token(root, base)
    config = AgentConfig(
        device_id=device_id,
        token=token,
        desktop=_desktop(root.table("desktop"), base),
        source=_source(root.table("source"), base),
        motion=_motion(root.table("motion")),
        throttle=_throttle(root.table("throttle")),
        spool=_spool(root.table("spool"), base),
        heartbeat_interval_s=root.take("heartbeat_interval_s", float, 30.0, _between(1, 3600)),
        jpeg_quality=root.take("jpeg_quality", int, 85, _between(10, 100)),
    )
    root.finish()
    return config


def load_config(path: Path | str) -> AgentConfig:
    """Read and validate the config file at ``path``. Raises ConfigError with a one-line message."""
    path = Path(path)
    try:
        with path.open("rb") as stream:
            data = tomllib.load(stream)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    return parse_config(data, path.absolute().parent)
