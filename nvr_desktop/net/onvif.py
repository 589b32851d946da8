"""ONVIF: WS-Discovery probe (UDP) and a hardened SOAP client (device information, profiles, stream and snapshot
URIs, PTZ) over zeep with the WSDLs that onvif-zeep ships.

Why zeep directly rather than onvif-zeep's ONVIFCamera: that wrapper hard-codes `xml_huge_tree=True`, caches WSDLs
in a SQLite file and calls `logging.basicConfig` on import. Here every reply is treated as hostile:

- the body is read with a size cap and a total deadline (a slow drip cannot hold a thread), redirects are not
  followed, proxies from the environment are ignored;
- a body that declares a DTD or an entity is refused before any parser sees it, and zeep parses with
  `forbid_dtd`, `forbid_entities`, `forbid_external` and without `xml_huge_tree` (no XML bomb, no XXE, no file read);
- zeep never loads anything over the network: the WSDLs and schemas are local files;
- the values the app uses are type-checked (a width that is not a number is an error, not a crash later);
- addresses the device reports for its services keep the host the user connected to (no request to a host the
  device names), and stream URIs pass the same validation as a typed URL, credentials stripped.

Errors reach the caller as `OnvifError` with a message fit for the operator; the device's own text is never
echoed unfiltered.
"""

from __future__ import annotations

import importlib.metadata
import ipaddress
import logging
import re
import socket
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import defusedxml.ElementTree as SafeET
import requests
import zeep
import zeep.exceptions
from defusedxml import DefusedXmlException
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from nvr_desktop.core.errors import NvrError, ValidationError
from nvr_desktop.core.urls import parse_stream_url, redact_url

log = logging.getLogger("net.onvif")
# zeep logs every value it cannot convert, with the device's text, at ERROR: we report our own clear error instead.
logging.getLogger("zeep.xsd.types.simple").setLevel(logging.CRITICAL)
TIMEOUT_S = 5.0
MAX_REPLY_BYTES = 1024 * 1024
WS_DISCOVERY_GROUP = ("239.255.255.250", 3702)
MAX_DATAGRAM = 65535
MAX_MATCHES = 256
_CHUNK = 16384
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)

DEVICE_BINDING = "{http://www.onvif.org/ver10/device/wsdl}DeviceBinding"
MEDIA_BINDING = "{http://www.onvif.org/ver10/media/wsdl}MediaBinding"
PTZ_BINDING = "{http://www.onvif.org/ver20/ptz/wsdl}PTZBinding"
NS_DISCOVERY = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
NS_ADDRESSING = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
NS_SOAP12 = "http://www.w3.org/2003/05/soap-envelope"

T = TypeVar("T")


class OnvifError(NvrError):
    """The device could not be reached, refused us, or sent a reply the app refuses."""

    exit_code = 12


def wsdl_dir() -> Path:
    """The folder of ONVIF WSDLs and schemas installed by onvif-zeep."""
    try:
        located = importlib.metadata.distribution("onvif-zeep").locate_file("wsdl/devicemgmt.wsdl")
    except importlib.metadata.PackageNotFoundError:
        raise OnvifError("the ONVIF service descriptions (package onvif-zeep) are not installed") from None
    path = Path(str(located))
    if not path.is_file():
        raise OnvifError(f"the ONVIF service descriptions are missing from {path.parent}")
    return path.parent


# ---- transport ------------------------------------------------------------------------------------------------------


class ReplyRefused(Exception):
    """Raised inside the transport: the reply broke a limit (size, time, DTD)."""


class BadValue(Exception):
    """A value in a reply has the wrong type or an impossible value."""


class BoundedTransport(Transport):
    """zeep transport: local WSDLs only, replies capped in size and total time, no DTDs, no redirects."""

    def __init__(self, timeout_s: float, max_bytes: int) -> None:
        session = requests.Session()
        session.trust_env = False  # no proxy or netrc from the environment
        super().__init__(timeout=timeout_s, operation_timeout=timeout_s, session=session)  # type: ignore[no-untyped-call]
        self._timeout = timeout_s
        self._max_bytes = max_bytes

    def load(self, url: str) -> bytes:
        """WSDLs and schemas come from the installed files, never from the network."""
        if urlsplit(url).scheme in ("http", "https"):
            raise ReplyRefused(f"remote schema {url} refused")
        with open(url.removeprefix("file://"), "rb") as fh:
            data: bytes = fh.read()
            return data

    def post(self, address: str, message: bytes, headers: dict[str, str]) -> requests.Response:
        """POST with a connect/read timeout, a size cap and a deadline for the whole body."""
        deadline = time.monotonic() + self._timeout
        response = self.session.post(
            address, data=message, headers=headers, timeout=self._timeout, stream=True, allow_redirects=False
        )
        try:
            declared = response.headers.get("Content-Length")
            if declared is not None and declared.isdigit() and int(declared) > self._max_bytes:
                raise ReplyRefused(f"the reply is larger than {self._max_bytes // 1024} KiB")
            body = bytearray()
            # read1 returns whatever has arrived (a slow drip cannot make one read wait for a full chunk), so the
            # deadline is checked at least once per socket read timeout.
            while chunk := response.raw.read1(_CHUNK, decode_content=True):
                body += chunk
                if len(body) > self._max_bytes:
                    raise ReplyRefused(f"the reply is larger than {self._max_bytes // 1024} KiB")
                if time.monotonic() > deadline:
                    raise ReplyRefused(f"the reply took longer than {self._timeout:g} s")
            if _DTD.search(body):
                raise ReplyRefused("the reply declares a DTD or entities (refused: XML bomb or external entity)")
        finally:
            response.close()
        response._content = bytes(body)
        response._content_consumed = True
        return response


def _settings() -> zeep.Settings:
    return zeep.Settings(strict=False, forbid_dtd=True, forbid_entities=True, forbid_external=True, xml_huge_tree=False)


# ---- results --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceInfo:
    """GetDeviceInformation."""

    manufacturer: str
    model: str
    firmware: str
    serial: str
    hardware: str


@dataclass(frozen=True)
class OnvifProfile:
    """A media profile: its video encoder settings and whether it has a PTZ configuration."""

    token: str
    name: str
    encoding: str
    width: int
    height: int
    fps: float
    ptz: bool

    def describe(self) -> str:
        """'MainStream: H264 1920x1080 25 fps'."""
        return f"{self.name}: {self.encoding} {self.width}x{self.height} {self.fps:g} fps"


@dataclass(frozen=True)
class OnvifDevice:
    """What an ONVIF device told us: identity, profiles and their (credential-free) URIs."""

    xaddr: str
    info: DeviceInfo
    profiles: tuple[OnvifProfile, ...]
    stream_uris: dict[str, str] = field(default_factory=dict)
    snapshot_uris: dict[str, str] = field(default_factory=dict)
    ptz_xaddr: str | None = None

    @property
    def host(self) -> str:
        """The device's host as the user reached it."""
        return urlsplit(self.xaddr).hostname or ""

    def main_and_sub(self) -> tuple[OnvifProfile | None, OnvifProfile | None]:
        """The largest profile as the main stream, the smallest other one as the sub-stream."""
        usable = [p for p in self.profiles if p.token in self.stream_uris]
        if not usable:
            return None, None
        ordered = sorted(usable, key=lambda p: p.width * p.height, reverse=True)
        return ordered[0], (ordered[-1] if len(ordered) > 1 else None)


@dataclass(frozen=True)
class Preset:
    """A PTZ preset."""

    token: str
    name: str


@dataclass(frozen=True)
class DiscoveryMatch:
    """A WS-Discovery ProbeMatch: the device's endpoint and its service addresses (hints until queried)."""

    endpoint: str
    xaddrs: tuple[str, ...]
    scopes: tuple[str, ...]

    @property
    def host(self) -> str:
        """The host of the first service address."""
        return (urlsplit(self.xaddrs[0]).hostname or "") if self.xaddrs else ""

    @property
    def name(self) -> str:
        """The onvif://www.onvif.org/name/... scope, if any."""
        for scope in self.scopes:
            if "/name/" in scope:
                return scope.rsplit("/name/", 1)[1].replace("%20", " ")[:64]
        return ""


# ---- errors ---------------------------------------------------------------------------------------------------------


def _explain(err: BaseException, timeout_s: float) -> str:
    """A message fit for the operator; never the device's raw reply."""
    if isinstance(err, ReplyRefused):
        return f"the device's reply was refused: {err}"
    if isinstance(err, BadValue):
        return f"the device's reply has {err}"
    if isinstance(err, zeep.exceptions.DTDForbidden | zeep.exceptions.EntitiesForbidden):
        return "the device's reply was refused: it declares a DTD or entities (XML bomb or external entity)"
    if isinstance(err, zeep.exceptions.ExternalReferenceForbidden):
        return "the device's reply was refused: it refers to an external resource"
    if isinstance(err, zeep.exceptions.Fault):
        text = f"{err.message or ''} {err.code or ''} {err.subcodes or ''}".lower()
        if "notauthorized" in text or "not authorized" in text or "sender not authorized" in text:
            return "the device refused the user name or password"
        return "the device answered with a SOAP fault"
    if isinstance(err, zeep.exceptions.TransportError):
        if err.status_code in (401, 403):
            return "the device refused the user name or password"
        return f"the device answered with HTTP status {err.status_code} and no usable reply"
    if isinstance(err, zeep.exceptions.XMLSyntaxError | zeep.exceptions.XMLParseError):
        return "the device's reply is not valid ONVIF XML"
    if isinstance(err, requests.Timeout | socket.timeout | TimeoutError):
        return f"the device did not answer within {timeout_s:g} s"
    if isinstance(err, requests.ConnectionError | ConnectionError):
        return "cannot connect to the device"
    if isinstance(err, ValueError | TypeError | AttributeError | KeyError | IndexError):
        return "the device's reply has missing values or wrong types"
    return f"ONVIF request failed ({type(err).__name__})"


def _text(value: Any, what: str, limit: int = 256) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadValue(f"a wrong type for {what}")
    return "".join(c for c in value if c.isprintable())[:limit]


def _number(value: Any, what: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadValue(f"a wrong type for {what}")
    if not low <= value <= high:
        raise BadValue(f"an impossible {what}: {value}")
    return float(value)


def _check_vector(value: float, what: str) -> float:
    if not -1.0 <= value <= 1.0:
        raise ValidationError(f"{what} must be between -1 and 1")
    return float(value)


# ---- the SOAP client ------------------------------------------------------------------------------------------------


class OnvifClient:
    """One device: its device service address (http://host:port/onvif/device_service) and credentials."""

    def __init__(
        self,
        xaddr: str,
        username: str | None,
        password: str | None,
        *,
        timeout_s: float = TIMEOUT_S,
        max_reply_bytes: int = MAX_REPLY_BYTES,
    ) -> None:
        parts = urlsplit(xaddr.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
            raise ValidationError("the ONVIF address must be http(s)://host[:port]/path without credentials")
        self.xaddr = xaddr.strip()
        self._timeout = timeout_s
        self._transport = BoundedTransport(timeout_s, max_reply_bytes)
        self._wsse = (
            UsernameToken(username, password or "", use_digest=True)  # type: ignore[no-untyped-call]
            if username
            else None
        )
        self._clients: dict[str, zeep.Client] = {}
        self._services: dict[str, Any] = {}
        self._media_xaddr: str | None = None
        self._ptz_xaddr: str | None = None

    def close(self) -> None:
        """Release the HTTP session."""
        self._transport.session.close()

    def __enter__(self) -> OnvifClient:
        """Use as a context manager."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the session."""
        self.close()

    # -- plumbing --

    def _same_host(self, reported: str | None) -> str:
        """The address a device reported for a service, moved onto the host the user reached."""
        if not reported:
            return self.xaddr
        ours, theirs = urlsplit(self.xaddr), urlsplit(reported.strip())
        if theirs.scheme not in ("http", "https"):
            return self.xaddr
        port = theirs.port if theirs.hostname == ours.hostname else ours.port
        host = ours.hostname or ""
        shown = f"[{host}]" if ":" in host else host
        netloc = f"{shown}:{port}" if port else shown
        return urlunsplit((ours.scheme, netloc, theirs.path or ours.path, "", ""))

    def _service(self, wsdl_name: str, binding: str, address: str) -> Any:
        key = f"{binding}@{address}"
        if key not in self._services:
            client = self._clients.get(wsdl_name)
            if client is None:
                wsdl = wsdl_dir() / wsdl_name
                client = zeep.Client(  # type: ignore[no-untyped-call]
                    str(wsdl), wsse=self._wsse, transport=self._transport, settings=_settings()
                )
                self._clients[wsdl_name] = client
            self._services[key] = client.create_service(binding, address)  # type: ignore[no-untyped-call]
        return self._services[key]

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except OnvifError:
            raise
        except Exception as err:  # noqa: BLE001 - every failure becomes one clear message
            message = _explain(err, self._timeout)
            log.info("ONVIF %s at %s failed: %s (%s)", what, redact_url(self.xaddr), message, type(err).__name__)
            raise OnvifError(f"{what}: {message}") from None

    def _device(self) -> Any:
        return self._service("devicemgmt.wsdl", DEVICE_BINDING, self.xaddr)

    def _media(self) -> Any:
        if self._media_xaddr is None:
            self._load_capabilities()
        return self._service("media.wsdl", MEDIA_BINDING, self._media_xaddr or self.xaddr)

    def _ptz(self) -> Any:
        if self._ptz_xaddr is None:
            self._load_capabilities()
        if not self._ptz_xaddr:
            raise OnvifError("the device has no PTZ service")
        return self._service("ptz.wsdl", PTZ_BINDING, self._ptz_xaddr)

    def _load_capabilities(self) -> None:
        caps = self._call("GetCapabilities", lambda: self._device().GetCapabilities(Category="All"))
        media = getattr(caps, "Media", None)
        ptz = getattr(caps, "PTZ", None)
        self._media_xaddr = self._same_host(_text(getattr(media, "XAddr", None), "the media address") or None)
        ptz_addr = _text(getattr(ptz, "XAddr", None), "the PTZ address") if ptz is not None else ""
        self._ptz_xaddr = self._same_host(ptz_addr) if ptz_addr else ""

    # -- device and media --

    def device_information(self) -> DeviceInfo:
        """GetDeviceInformation."""
        reply = self._call("GetDeviceInformation", lambda: self._device().GetDeviceInformation())

        def read() -> DeviceInfo:
            if not isinstance(getattr(reply, "Manufacturer", None), str):
                raise BadValue("no manufacturer (missing values or wrong types)")
            return DeviceInfo(
                manufacturer=_text(reply.Manufacturer, "the manufacturer"),
                model=_text(reply.Model, "the model"),
                firmware=_text(reply.FirmwareVersion, "the firmware version"),
                serial=_text(reply.SerialNumber, "the serial number"),
                hardware=_text(reply.HardwareId, "the hardware id"),
            )

        return self._call("GetDeviceInformation", read)

    def profiles(self) -> list[OnvifProfile]:
        """GetProfiles (only profiles with a video encoder)."""
        reply = self._call("GetProfiles", lambda: self._media().GetProfiles())
        if not isinstance(reply, list):
            raise OnvifError("GetProfiles: the device's reply has missing values or wrong types")
        return self._call("GetProfiles", lambda: [p for p in map(self._profile, reply[:64]) if p is not None])

    @staticmethod
    def _profile(raw: Any) -> OnvifProfile | None:
        encoder = getattr(raw, "VideoEncoderConfiguration", None)
        if encoder is None:
            return None
        token = _text(raw.token, "the profile token", 64)
        if not token:
            raise BadValue("a profile without a token")
        resolution = encoder.Resolution
        rate = getattr(encoder, "RateControl", None)
        fps = getattr(rate, "FrameRateLimit", None) if rate is not None else None
        return OnvifProfile(
            token=token,
            name=_text(raw.Name, "the profile name", 64) or token,
            encoding=_text(encoder.Encoding, "the encoding", 16),
            width=int(_number(resolution.Width, "width", 1, 16384)),
            height=int(_number(resolution.Height, "height", 1, 16384)),
            fps=_number(fps, "frame rate", 0, 1000) if fps is not None else 0.0,
            ptz=getattr(raw, "PTZConfiguration", None) is not None,
        )

    def stream_uri(self, profile_token: str) -> str:
        """GetStreamUri (RTP unicast over RTSP), validated like a typed URL, without credentials."""
        setup = {"Stream": "RTP-Unicast", "Transport": {"Protocol": "RTSP"}}
        reply = self._call(
            "GetStreamUri", lambda: self._media().GetStreamUri(StreamSetup=setup, ProfileToken=profile_token)
        )
        uri = self._call("GetStreamUri", lambda: _text(reply.Uri, "the stream URI", 2048))
        try:
            return parse_stream_url(uri, schemes=("rtsp", "rtsps")).url
        except ValidationError as err:
            raise OnvifError(f"GetStreamUri: the device gave an unusable stream URI ({err})") from None

    def snapshot_uri(self, profile_token: str) -> str:
        """GetSnapshotUri, validated (http or https only), without credentials."""
        reply = self._call("GetSnapshotUri", lambda: self._media().GetSnapshotUri(ProfileToken=profile_token))
        uri = self._call("GetSnapshotUri", lambda: _text(reply.Uri, "the snapshot URI", 2048))
        try:
            return parse_stream_url(uri, schemes=("http", "https")).url
        except ValidationError as err:
            raise OnvifError(f"GetSnapshotUri: the device gave an unusable snapshot URI ({err})") from None

    def describe(self) -> OnvifDevice:
        """Everything onboarding needs: identity, profiles, a stream URI for each, snapshot URIs where offered."""
        info = self.device_information()
        profiles = self.profiles()
        streams: dict[str, str] = {}
        snapshots: dict[str, str] = {}
        for profile in profiles[:8]:
            streams[profile.token] = self.stream_uri(profile.token)
            try:
                snapshots[profile.token] = self.snapshot_uri(profile.token)
            except OnvifError as err:  # optional: many cameras have no snapshot service
                log.info("no snapshot URI for profile %s: %s", profile.token, err)
        return OnvifDevice(self.xaddr, info, tuple(profiles), streams, snapshots, self._ptz_xaddr or None)

    # -- PTZ --

    def continuous_move(self, profile_token: str, pan: float, tilt: float, zoom: float) -> None:
        """Move at the given velocities (each -1..1) until stop()."""
        velocity = {
            "PanTilt": {"x": _check_vector(pan, "pan"), "y": _check_vector(tilt, "tilt")},
            "Zoom": {"x": _check_vector(zoom, "zoom")},
        }
        self._call("ContinuousMove", lambda: self._ptz().ContinuousMove(ProfileToken=profile_token, Velocity=velocity))

    def stop(self, profile_token: str) -> None:
        """Stop pan, tilt and zoom."""
        self._call("Stop", lambda: self._ptz().Stop(ProfileToken=profile_token, PanTilt=True, Zoom=True))

    def presets(self, profile_token: str) -> list[Preset]:
        """GetPresets."""
        reply = self._call("GetPresets", lambda: self._ptz().GetPresets(ProfileToken=profile_token))
        items = reply if isinstance(reply, list) else []
        return self._call(
            "GetPresets",
            lambda: [
                Preset(_text(p.token, "the preset token", 64), _text(p.Name, "the preset name", 64))
                for p in items[:256]
            ],
        )

    def goto_preset(self, profile_token: str, preset_token: str) -> None:
        """GotoPreset."""
        self._call("GotoPreset", lambda: self._ptz().GotoPreset(ProfileToken=profile_token, PresetToken=preset_token))

    def set_preset(self, profile_token: str, name: str) -> str:
        """SetPreset under a name; returns the device's token for it."""
        clean = name.strip()[:64]
        if not clean:
            raise ValidationError("a preset needs a name")
        reply = self._call("SetPreset", lambda: self._ptz().SetPreset(ProfileToken=profile_token, PresetName=clean))
        return self._call("SetPreset", lambda: _text(reply, "the preset token", 64))


# ---- WS-Discovery ---------------------------------------------------------------------------------------------------

_PROBE = """<?xml version="1.0" encoding="UTF-8"?>
<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:w="{addressing}" xmlns:d="{discovery}"
 xmlns:dn="http://www.onvif.org/ver10/network/wsdl">
<e:Header><w:MessageID>uuid:{message_id}</w:MessageID>
<w:To e:mustUnderstand="true">urn:schemas-xmlsoap-org:ws:2005:04:discovery</w:To>
<w:Action e:mustUnderstand="true">{discovery}/Probe</w:Action></e:Header>
<e:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></e:Body></e:Envelope>"""


def probe_message(message_id: str) -> bytes:
    """The WS-Discovery Probe for ONVIF video transmitters."""
    return _PROBE.format(addressing=NS_ADDRESSING, discovery=NS_DISCOVERY, message_id=message_id).encode()


def parse_probe_matches(data: bytes, message_id: str) -> list[DiscoveryMatch]:
    """The ProbeMatches in one datagram that answer our probe (defusedxml: no DTD, no entities)."""
    if _DTD.search(data):
        raise OnvifError("a discovery reply declares a DTD or entities (refused)")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, SafeET.ParseError):
        raise OnvifError("a discovery reply is not valid XML") from None
    relates = root.find(f".//{{{NS_ADDRESSING}}}RelatesTo")
    if relates is None or (relates.text or "").strip() != f"uuid:{message_id}":
        return []
    matches = []
    for match in root.iter(f"{{{NS_DISCOVERY}}}ProbeMatch"):
        endpoint = (match.findtext(f".//{{{NS_ADDRESSING}}}Address") or "").strip()[:256]
        xaddrs = tuple(
            x
            for x in (match.findtext(f"{{{NS_DISCOVERY}}}XAddrs") or "").split()[:8]
            if urlsplit(x).scheme in ("http", "https") and urlsplit(x).hostname
        )
        scopes = tuple((match.findtext(f"{{{NS_DISCOVERY}}}Scopes") or "").split()[:32])
        if xaddrs:
            matches.append(DiscoveryMatch(endpoint or xaddrs[0], xaddrs, scopes))
    return matches


def ws_discover(
    *,
    timeout_s: float = 3.0,
    target: tuple[str, int] = WS_DISCOVERY_GROUP,
    interface: str | None = None,
) -> list[DiscoveryMatch]:
    """Send one WS-Discovery Probe (to the multicast group, or unicast to target) and gather matches until timeout.

    interface: the local IPv4 address to send multicast from (e.g. '127.0.0.1' in tests); None: the default route.
    """
    try:
        ipaddress.IPv4Address(target[0])  # a literal address only: no name to resolve
    except ValueError:
        raise ValidationError(f"not an IPv4 address: {target[0]!r}") from None
    try:
        return _discover(timeout_s, target, interface)
    except OSError as err:
        raise OnvifError(f"cannot send the discovery probe: {err.strerror or type(err).__name__}") from None


def _discover(timeout_s: float, target: tuple[str, int], interface: str | None) -> list[DiscoveryMatch]:
    message_id = str(uuid.uuid4())
    found: dict[str, DiscoveryMatch] = {}
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP) as sock:
        sock.bind((interface or "", 0))
        if ipaddress.IPv4Address(target[0]).is_multicast:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
            if interface:
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(interface))
        sock.sendto(probe_message(message_id), target)
        deadline = time.monotonic() + timeout_s
        for data in _datagrams(sock, deadline):
            try:
                for match in parse_probe_matches(data, message_id):
                    found.setdefault(match.endpoint, match)
            except OnvifError as err:
                log.info("discovery: %s", err)
            if len(found) >= MAX_MATCHES:
                break
    return list(found.values())


def _datagrams(sock: socket.socket, deadline: float) -> Iterator[bytes]:
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            data, _ = sock.recvfrom(MAX_DATAGRAM)
        except TimeoutError:
            return
        yield data


# ---- merging scan and discovery -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FoundDevice:
    """A device found by the scan, by WS-Discovery, or by both."""

    host: str
    open_ports: tuple[int, ...] = ()
    onvif_xaddr: str | None = None
    name: str = ""
    brand_hint: str = "generic"


def merge_results(scan_hits: Sequence[Any], matches: Sequence[DiscoveryMatch]) -> list[FoundDevice]:
    """One row per host: open ports from the nmap scan (ScanHit), the ONVIF address and name from discovery."""
    by_host: dict[str, FoundDevice] = {}
    for hit in scan_hits:
        by_host[hit.host] = FoundDevice(hit.host, tuple(hit.open_ports), brand_hint=hit.brand_hint)
    for match in matches:
        host = match.host
        known = by_host.get(host)
        by_host[host] = FoundDevice(
            host,
            known.open_ports if known else (),
            onvif_xaddr=match.xaddrs[0],
            name=match.name,
            brand_hint="onvif",
        )

    def order(device: FoundDevice) -> tuple[int, int, int, str]:
        try:
            ip = ipaddress.ip_address(device.host)
        except ValueError:
            return 1, 0, 0, device.host
        return 0, ip.version, int(ip), ""

    return sorted(by_host.values(), key=order)
