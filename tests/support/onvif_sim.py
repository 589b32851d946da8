"""An ONVIF device simulator for tests: no real camera can run on this machine, so this speaks real SOAP 1.2 over
HTTP on 127.0.0.1 and answers real WS-Discovery probes over UDP (unicast to 127.0.0.1).

It checks the WS-UsernameToken password digest (Base64(SHA-1(nonce + created + password))) on every request,
serves a device (GetCapabilities, GetDeviceInformation), media (GetProfiles with a main and a sub profile,
GetStreamUri returning the URLs it was given — the real GStreamer test RTSP server's —, GetSnapshotUri) and PTZ
service (ContinuousMove, Stop, GetPresets, GotoPreset, SetPreset; every call recorded with its vectors), and can
answer an operation with a hostile reply: an XML bomb, an external entity pointing at a local file, a huge body,
wrong types, a slow reply or a slow drip.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.server
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree as ET

import defusedxml.ElementTree as SafeET

NS = {
    "env": "http://www.w3.org/2003/05/soap-envelope",
    "wsse": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
    "wsu": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
    "tds": "http://www.onvif.org/ver10/device/wsdl",
    "trt": "http://www.onvif.org/ver10/media/wsdl",
    "tptz": "http://www.onvif.org/ver20/ptz/wsdl",
    "tt": "http://www.onvif.org/ver10/schema",
    "wsa": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "d": "http://schemas.xmlsoap.org/ws/2005/04/discovery",
}
HOSTILE_MODES = ("xml_bomb", "xxe", "huge", "wrong_types", "slow", "drip")


@dataclass
class SimProfile:
    """A media profile the simulator serves."""

    token: str
    name: str
    width: int
    height: int
    fps: int
    stream_uri: str


@dataclass
class PtzCall:
    """One PTZ request as the simulator received it."""

    operation: str
    profile: str
    values: dict[str, Any] = field(default_factory=dict)


def _envelope(body: str) -> bytes:
    namespaces = " ".join(f'xmlns:{k}="{v}"' for k, v in NS.items())
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n<env:Envelope {namespaces}>'
    return f"{head}<env:Body>{body}</env:Body></env:Envelope>".encode()


def _fault(subcode: str, text: str) -> bytes:
    return _envelope(
        "<env:Fault><env:Code><env:Value>env:Sender</env:Value>"
        f"<env:Subcode><env:Value>ter:{subcode}</env:Value></env:Subcode></env:Code>"
        f'<env:Reason><env:Text xml:lang="en">{text}</env:Text></env:Reason></env:Fault>'
    ).replace(b"<env:Envelope ", b'<env:Envelope xmlns:ter="http://www.onvif.org/ver10/error" ', 1)


class OnvifSimulator:
    """A simulated ONVIF camera on 127.0.0.1 (HTTP for SOAP, UDP for WS-Discovery); use as a context manager."""

    def __init__(
        self,
        profiles: list[SimProfile],
        *,
        username: str = "onvif",
        password: str = "onvif-pass",  # noqa: S107 - a test device
        name: str = "Sim Camera",
        slow_s: float = 3.0,
        huge_bytes: int = 8 * 1024 * 1024,
        multicast_group: str | None = None,
    ) -> None:
        self.profiles = profiles
        self.username = username
        self.password = password
        self.name = name
        self.slow_s = slow_s
        self.huge_bytes = huge_bytes
        self.hostile: dict[str, str] = {}  # operation -> one of HOSTILE_MODES
        self.xxe_target = "/etc/hostname"  # the local file the XXE reply points at
        self.ptz_calls: list[PtzCall] = []
        self.presets: dict[str, str] = {"1": "Gate", "2": "Yard"}
        self.requests: list[str] = []
        self.reported_host = "127.0.0.1"  # the host GetCapabilities names for the services (a NAT'd camera lies)
        self.auth_failures = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        sim = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 2.0  # an idle keep-alive connection ends after this

            def setup(self) -> None:
                super().setup()
                with sim._lock:
                    sim._connections.add(self.connection)

            def finish(self) -> None:
                with sim._lock:
                    sim._connections.discard(self.connection)
                super().finish()

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                sim._answer(self, self.rfile.read(min(length, 1024 * 1024)))

        self._http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self.port: int = self._http.server_address[1]
        self._reply_udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._reply_udp.bind(("127.0.0.1", 0))
        if multicast_group is None:
            self._udp = self._reply_udp
        else:  # joined on the loopback interface only: probes from this machine reach it, nothing else does
            self._udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self._udp.bind((multicast_group, 0))
            membership = socket.inet_aton(multicast_group) + socket.inet_aton("127.0.0.1")
            self._udp.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
        self._udp.settimeout(0.1)
        self.discovery_port: int = self._udp.getsockname()[1]
        self._threads: list[threading.Thread] = []

    @property
    def xaddr(self) -> str:
        """The device service address."""
        return f"http://127.0.0.1:{self.port}/onvif/device_service"

    # ---- lifecycle ----

    def start(self) -> OnvifSimulator:
        """Serve HTTP and discovery on their own threads."""
        http_thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.05}, name="onvif-sim-http"
        )
        udp_thread = threading.Thread(target=self._discovery_loop, name="onvif-sim-discovery")
        self._threads = [http_thread, udp_thread]
        for thread in self._threads:
            thread.start()
        return self

    def close(self) -> None:
        """Stop both servers and join their threads."""
        self._stop.set()
        self._http.shutdown()
        self._http.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:  # wake handler threads waiting on a kept-alive connection
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
            thread.join(5)
        self._udp.close()
        self._reply_udp.close()

    def __enter__(self) -> OnvifSimulator:
        """Start."""
        return self.start()

    def __exit__(self, *exc: object) -> None:
        """Stop."""
        self.close()

    # ---- WS-Discovery ----

    def _discovery_loop(self) -> None:
        while not self._stop.is_set():
            try:
                data, sender = self._udp.recvfrom(65535)
            except (TimeoutError, OSError):
                continue
            try:
                root = SafeET.fromstring(data)
            except ET.ParseError:
                continue
            message_id = root.findtext(f".//{{{NS['wsa']}}}MessageID")
            if root.find(f".//{{{NS['d']}}}Probe") is None or not message_id:
                continue
            reply = (
                f'<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="{NS["env"]}" xmlns:wsa="{NS["wsa"]}"'
                f' xmlns:d="{NS["d"]}"><env:Header><wsa:MessageID>uuid:sim-reply</wsa:MessageID>'
                f"<wsa:RelatesTo>{message_id}</wsa:RelatesTo>"
                f"<wsa:Action>{NS['d']}/ProbeMatches</wsa:Action></env:Header><env:Body><d:ProbeMatches>"
                "<d:ProbeMatch><wsa:EndpointReference><wsa:Address>urn:uuid:sim-camera-1</wsa:Address>"
                "</wsa:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types>"
                f"<d:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/name/"
                f"{self.name.replace(' ', '%20')} onvif://www.onvif.org/hardware/SIM-1</d:Scopes>"
                f"<d:XAddrs>{self.xaddr}</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion>"
                "</d:ProbeMatch></d:ProbeMatches></env:Body></env:Envelope>"
            )
            self._reply_udp.sendto(reply.encode(), sender)

    # ---- SOAP ----

    def _authorized(self, root: ET.Element) -> bool:
        token = root.find(f".//{{{NS['wsse']}}}UsernameToken")
        if token is None:
            return False
        user = token.findtext(f"{{{NS['wsse']}}}Username") or ""
        digest = token.findtext(f"{{{NS['wsse']}}}Password") or ""
        nonce = token.findtext(f"{{{NS['wsse']}}}Nonce") or ""
        created = token.findtext(f"{{{NS['wsu']}}}Created") or ""
        try:
            raw_nonce = base64.b64decode(nonce)
        except ValueError:
            return False
        expected = base64.b64encode(
            hashlib.sha1(raw_nonce + created.encode() + self.password.encode(), usedforsecurity=False).digest()
        )
        return user == self.username and digest.encode() == expected

    def _answer(self, handler: http.server.BaseHTTPRequestHandler, body: bytes) -> None:
        try:
            root = SafeET.fromstring(body)
        except ET.ParseError:
            self._send(handler, 400, _fault("InvalidArgVal", "bad XML"))
            return
        soap_body = root.find(f"{{{NS['env']}}}Body")
        request = soap_body[0] if soap_body is not None and len(soap_body) else None
        if request is None:
            self._send(handler, 400, _fault("InvalidArgVal", "empty body"))
            return
        operation = request.tag.rsplit("}", 1)[-1]
        with self._lock:
            self.requests.append(operation)
        if not self._authorized(root):
            with self._lock:
                self.auth_failures += 1
            self._send(handler, 400, _fault("NotAuthorized", "Sender not Authorized"))
            return
        mode = self.hostile.get(operation)
        if mode is not None:
            self._hostile(handler, operation, mode)
            return
        answer = getattr(self, f"_op_{operation}", None)
        if answer is None:
            self._send(handler, 400, _fault("ActionNotSupported", operation))
            return
        self._send(handler, 200, _envelope(answer(request)))

    def _send(self, handler: http.server.BaseHTTPRequestHandler, status: int, payload: bytes) -> None:
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/soap+xml; charset=utf-8")
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
        except OSError:
            pass  # the client gave up (a timeout test)

    def _hostile(self, handler: http.server.BaseHTTPRequestHandler, operation: str, mode: str) -> None:
        response = f"tds:{operation}Response" if operation.startswith("GetDevice") else f"trt:{operation}Response"
        if mode == "xml_bomb":
            entities = '<!ENTITY a0 "lol">' + "".join(
                f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
            )
            payload = _envelope(f"<{response}><tds:Manufacturer>&a9;</tds:Manufacturer></{response}>")
            payload = payload.replace(b"<env:Envelope", f"<!DOCTYPE lolz [{entities}]>\n<env:Envelope".encode(), 1)
            self._send(handler, 200, payload)
        elif mode == "xxe":
            payload = _envelope(f"<{response}><tds:Manufacturer>&xxe;</tds:Manufacturer></{response}>")
            doctype = f'<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file://{self.xxe_target}">]>\n<env:Envelope'
            self._send(handler, 200, payload.replace(b"<env:Envelope", doctype.encode(), 1))
        elif mode == "huge":
            self._send_huge(handler, response)
        elif mode == "wrong_types":
            self._send(handler, 200, _envelope(self._wrong_types(operation, response)))
        elif mode == "slow":
            if not self._stop.wait(self.slow_s):
                answer = getattr(self, f"_op_{operation}")
                self._send(handler, 200, _envelope(answer(None)))
        elif mode == "drip":
            self._send_drip(handler, operation)

    def _wrong_types(self, operation: str, response: str) -> str:
        if operation == "GetProfiles":
            return (
                '<trt:GetProfilesResponse><trt:Profiles token="p1"><tt:Name>Bad</tt:Name>'
                '<tt:VideoEncoderConfiguration token="v"><tt:Name>v</tt:Name><tt:UseCount>1</tt:UseCount>'
                "<tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>wide</tt:Width>"
                "<tt:Height>-5</tt:Height></tt:Resolution></tt:VideoEncoderConfiguration>"
                "</trt:Profiles></trt:GetProfilesResponse>"
            )
        if operation == "GetStreamUri":
            return (
                "<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>file:///etc/passwd</tt:Uri>"
                "<tt:InvalidAfterConnect>maybe</tt:InvalidAfterConnect></trt:MediaUri></trt:GetStreamUriResponse>"
            )
        return f"<{response}><tds:Manufacturer><tt:Nested>1</tt:Nested></tds:Manufacturer></{response}>"

    def _send_huge(self, handler: http.server.BaseHTTPRequestHandler, response: str) -> None:
        head = _envelope(f"<{response}><tds:Manufacturer>").split(b"</tds:Manufacturer>")[0]
        try:
            handler.send_response(200)
            handler.send_header("Content-Type", "application/soap+xml; charset=utf-8")
            handler.send_header("Transfer-Encoding", "chunked")  # no Content-Length: the client must count
            handler.end_headers()
            chunk = b"A" * 65536
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(head), head))
            sent = 0
            while sent < self.huge_bytes and not self._stop.is_set():
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            handler.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass

    def _send_drip(self, handler: http.server.BaseHTTPRequestHandler, operation: str) -> None:
        payload = _envelope(getattr(self, f"_op_{operation}")(None))
        try:
            handler.send_response(200)
            handler.send_header("Content-Type", "application/soap+xml; charset=utf-8")
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            for i in range(0, len(payload), 16):  # 16 bytes every 0.2 s: each read is quick, the whole is not
                if self._stop.wait(0.2):
                    return
                handler.wfile.write(payload[i : i + 16])
                handler.wfile.flush()
        except OSError:
            pass

    # ---- operations (request may be None for a delayed reply) ----

    def _op_GetCapabilities(self, request: ET.Element | None) -> str:
        base = f"http://{self.reported_host}:{self.port}/onvif"
        return (
            "<tds:GetCapabilitiesResponse><tds:Capabilities>"
            f"<tt:Device><tt:XAddr>{base}/device_service</tt:XAddr></tt:Device>"
            f"<tt:Media><tt:XAddr>{base}/media_service</tt:XAddr><tt:StreamingCapabilities>"
            "<tt:RTPMulticast>false</tt:RTPMulticast><tt:RTP_TCP>true</tt:RTP_TCP>"
            "<tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media>"
            f"<tt:PTZ><tt:XAddr>{base}/ptz_service</tt:XAddr></tt:PTZ>"
            "</tds:Capabilities></tds:GetCapabilitiesResponse>"
        )

    def _op_GetDeviceInformation(self, request: ET.Element | None) -> str:
        return (
            "<tds:GetDeviceInformationResponse><tds:Manufacturer>SimVision</tds:Manufacturer>"
            "<tds:Model>SV-PTZ-2</tds:Model><tds:FirmwareVersion>1.0.7</tds:FirmwareVersion>"
            "<tds:SerialNumber>SIM0001</tds:SerialNumber><tds:HardwareId>SIM-1</tds:HardwareId>"
            "</tds:GetDeviceInformationResponse>"
        )

    def _op_GetProfiles(self, request: ET.Element | None) -> str:
        items = "".join(
            f'<trt:Profiles token="{p.token}" fixed="true"><tt:Name>{p.name}</tt:Name>'
            f'<tt:VideoEncoderConfiguration token="venc-{p.token}"><tt:Name>venc-{p.token}</tt:Name>'
            "<tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding>"
            f"<tt:Resolution><tt:Width>{p.width}</tt:Width><tt:Height>{p.height}</tt:Height></tt:Resolution>"
            f"<tt:Quality>5</tt:Quality><tt:RateControl><tt:FrameRateLimit>{p.fps}</tt:FrameRateLimit>"
            "<tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>2048</tt:BitrateLimit></tt:RateControl>"
            "<tt:SessionTimeout>PT60S</tt:SessionTimeout></tt:VideoEncoderConfiguration>"
            '<tt:PTZConfiguration token="ptz0"><tt:Name>ptz0</tt:Name><tt:UseCount>2</tt:UseCount>'
            "<tt:NodeToken>node0</tt:NodeToken></tt:PTZConfiguration></trt:Profiles>"
            for p in self.profiles
        )
        return f"<trt:GetProfilesResponse>{items}</trt:GetProfilesResponse>"

    def _token(self, request: ET.Element | None) -> str:
        if request is None:
            return self.profiles[0].token
        return (
            request.findtext(f"{{{NS['trt']}}}ProfileToken") or request.findtext(f"{{{NS['tptz']}}}ProfileToken") or ""
        )

    def _op_GetStreamUri(self, request: ET.Element | None) -> str:
        token = self._token(request)
        uri = next((p.stream_uri for p in self.profiles if p.token == token), None)
        if uri is None:
            return "<trt:GetStreamUriResponse/>"
        return (
            f"<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>{uri}</tt:Uri>"
            "<tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot>"
            "<tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetStreamUriResponse>"
        )

    def _op_GetSnapshotUri(self, request: ET.Element | None) -> str:
        token = self._token(request)
        return (
            f"<trt:GetSnapshotUriResponse><trt:MediaUri><tt:Uri>http://127.0.0.1:{self.port}/snapshot/{token}.jpg"
            "</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>"
            "<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri>"
            "</trt:GetSnapshotUriResponse>"
        )

    def _record(self, operation: str, request: ET.Element | None, values: dict[str, Any]) -> None:
        with self._lock:
            self.ptz_calls.append(PtzCall(operation, self._token(request), values))

    def _op_ContinuousMove(self, request: ET.Element | None) -> str:
        values: dict[str, Any] = {}
        if request is not None:
            pan_tilt = request.find(f".//{{{NS['tt']}}}PanTilt")
            zoom = request.find(f".//{{{NS['tt']}}}Zoom")
            if pan_tilt is not None:
                values["pan"] = float(pan_tilt.get("x", "nan"))
                values["tilt"] = float(pan_tilt.get("y", "nan"))
            if zoom is not None:
                values["zoom"] = float(zoom.get("x", "nan"))
        self._record("ContinuousMove", request, values)
        return "<tptz:ContinuousMoveResponse/>"

    def _op_Stop(self, request: ET.Element | None) -> str:
        self._record("Stop", request, {})
        return "<tptz:StopResponse/>"

    def _op_GetPresets(self, request: ET.Element | None) -> str:
        items = "".join(
            f'<tptz:Preset token="{token}"><tt:Name>{name}</tt:Name></tptz:Preset>'
            for token, name in sorted(self.presets.items())
        )
        return f"<tptz:GetPresetsResponse>{items}</tptz:GetPresetsResponse>"

    def _op_GotoPreset(self, request: ET.Element | None) -> str:
        token = request.findtext(f"{{{NS['tptz']}}}PresetToken") if request is not None else None
        self._record("GotoPreset", request, {"preset": token})
        return "<tptz:GotoPresetResponse/>"

    def _op_SetPreset(self, request: ET.Element | None) -> str:
        name = (request.findtext(f"{{{NS['tptz']}}}PresetName") if request is not None else None) or "preset"
        with self._lock:
            token = str(len(self.presets) + 1)
            self.presets[token] = name
        self._record("SetPreset", request, {"name": name, "preset": token})
        return f"<tptz:SetPresetResponse><tptz:PresetToken>{token}</tptz:PresetToken></tptz:SetPresetResponse>"


def wait_for(check: Any, timeout: float = 5.0) -> bool:
    """Poll check() until true or timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return bool(check())
