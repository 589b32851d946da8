"""Brand RTSP URL templates: main and sub stream paths per channel, and DVR/NVR expansion (one URL pair per channel).

The URLs built here never carry credentials: the camera's user name and password travel separately (the password
to the keyring) and `CameraService.stream_url` puts them back for the media layer only.
"""

from __future__ import annotations

import ipaddress
import re
import string
from dataclasses import dataclass
from urllib.parse import urlunsplit

from nvr_desktop.core.errors import ValidationError
from nvr_desktop.core.urls import parse_stream_url

MAX_CHANNELS = 256
DEFAULT_RTSP_PORT = 554
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)


@dataclass(frozen=True)
class BrandTemplate:
    """How one brand names its streams: paths with a `{channel}` placeholder (format specs allowed: {channel:02d})."""

    brand: str
    label: str
    main_path: str | None  # None: the device tells its URLs (ONVIF GetStreamUri), there is nothing to guess
    sub_path: str | None
    port: int = DEFAULT_RTSP_PORT

    @property
    def expandable(self) -> bool:
        """True when URLs can be built from the host and channel alone."""
        return self.main_path is not None


@dataclass(frozen=True)
class ChannelUrls:
    """The credential-free stream URLs of one channel."""

    channel: int
    main_url: str
    sub_url: str | None


TEMPLATES: dict[str, BrandTemplate] = {
    t.brand: t
    for t in (
        BrandTemplate("generic", "Generic RTSP", "/stream1", "/stream2"),
        BrandTemplate("hikvision", "Hikvision", "/Streaming/Channels/{channel}01", "/Streaming/Channels/{channel}02"),
        BrandTemplate(
            "dahua",
            "Dahua",
            "/cam/realmonitor?channel={channel}&subtype=0",
            "/cam/realmonitor?channel={channel}&subtype=1",
        ),
        # XMEye's documented form also puts user= and password= into the path; this form lets the RTSP login carry
        # them so no password ever lands in the stored URL.
        BrandTemplate(
            "xmeye",
            "XMEye",
            "/user=&password=&channel={channel}&stream=0.sdp",
            "/user=&password=&channel={channel}&stream=1.sdp",
        ),
        BrandTemplate("uniview", "Uniview", "/unicast/c{channel}/s0/live", "/unicast/c{channel}/s1/live"),
        BrandTemplate(
            "axis",
            "Axis",
            "/axis-media/media.amp?camera={channel}",
            "/axis-media/media.amp?camera={channel}&resolution=640x360",
        ),
        BrandTemplate("reolink", "Reolink", "/h264Preview_{channel:02d}_main", "/h264Preview_{channel:02d}_sub"),
        BrandTemplate("onvif", "ONVIF (URLs from the device)", None, None, port=80),
    )
}


def check_path_template(path: str) -> str:
    """Validate a path template: starts with '/', only the {channel} placeholder, no spaces; return it."""
    clean = path.strip()
    if not clean.startswith("/"):
        raise ValidationError(f"a stream path must start with '/': {clean!r}")
    if any(ord(c) <= 32 or ord(c) == 127 for c in clean):
        raise ValidationError("a stream path cannot contain spaces or control characters")
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(clean) if name is not None]
    except ValueError as err:
        raise ValidationError(f"the stream path {clean!r} has an unbalanced brace: {err}") from None
    unknown = sorted({f for f in fields if f != "channel"})
    if unknown:
        raise ValidationError(f"unknown placeholder in stream path: {{{unknown[0]}}} (only {{channel}} is known)")
    try:
        clean.format(channel=1)
    except (ValueError, IndexError) as err:
        raise ValidationError(f"the stream path {clean!r} cannot take a channel number: {err}") from None
    return clean


def custom_template(main_path: str, sub_path: str | None = None, *, port: int = DEFAULT_RTSP_PORT) -> BrandTemplate:
    """A template the user typed (brand 'generic'), e.g. main '/cam{channel}'."""
    return BrandTemplate(
        "generic",
        "Custom",
        check_path_template(main_path),
        check_path_template(sub_path) if sub_path else None,
        port=port,
    )


def template_for(brand: str) -> BrandTemplate:
    """The template of a brand, or ValidationError naming the known brands."""
    try:
        return TEMPLATES[brand.strip().lower()]
    except KeyError:
        raise ValidationError(f"unknown brand {brand!r}: choose one of {', '.join(TEMPLATES)}") from None


def check_host(host: str) -> str:
    """A bare host name or IP address (no scheme, user, port or path), else ValidationError."""
    clean = host.strip().removeprefix("[").removesuffix("]")
    try:
        return str(ipaddress.ip_address(clean))
    except ValueError:
        pass
    if not _HOSTNAME.match(clean):
        raise ValidationError(f"not a host name or IP address: {host!r}")
    return clean.lower()


def _netloc(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"{shown}:{port}"


def expand(
    template: BrandTemplate,
    host: str,
    *,
    port: int | None = None,
    channels: int = 1,
    first_channel: int = 1,
    scheme: str = "rtsp",
) -> list[ChannelUrls]:
    """URLs for channels first_channel..first_channel+channels-1 of a device (a DVR/NVR has one per channel)."""
    if not template.expandable:
        raise ValidationError(f"{template.label}: the device reports its stream URLs; use ONVIF discovery")
    if not 1 <= channels <= MAX_CHANNELS:
        raise ValidationError(f"the number of channels must be between 1 and {MAX_CHANNELS}")
    last = first_channel + channels - 1
    if first_channel < 1 or last > MAX_CHANNELS:
        raise ValidationError(f"channels must lie between 1 and {MAX_CHANNELS}")
    chosen_port = template.port if port is None else port
    if not 1 <= chosen_port <= 65535:
        raise ValidationError("the port must be between 1 and 65535")
    if scheme not in ("rtsp", "rtsps"):
        raise ValidationError("brand templates build rtsp:// or rtsps:// URLs only")
    netloc = _netloc(check_host(host), chosen_port)
    main_path = check_path_template(template.main_path or "")
    sub_path = check_path_template(template.sub_path) if template.sub_path else None
    result = []
    for channel in range(first_channel, last + 1):
        main = _url(scheme, netloc, main_path.format(channel=channel))
        sub = _url(scheme, netloc, sub_path.format(channel=channel)) if sub_path else None
        result.append(ChannelUrls(channel, main, sub))
    return result


def _url(scheme: str, netloc: str, path_and_query: str) -> str:
    path, _, query = path_and_query.partition("?")
    url = urlunsplit((scheme, netloc, path, query, ""))
    return parse_stream_url(url).url  # the same checks as a typed URL
