"""nmap (Debian's /usr/bin/nmap) scanning 127.0.0.1 only finds the real RTSP test server's port."""

from __future__ import annotations

from nvr_desktop.net.scan import CAMERA_PORTS, NetworkScanner
from tests.support.cameras import RtspTestServer, free_port


def test_nmap_on_loopback_reports_the_rtsp_port(rtsp_server: RtspTestServer) -> None:
    closed = free_port()
    hits = NetworkScanner(timeout_s=60).scan("127.0.0.1", ports=(*CAMERA_PORTS, rtsp_server.port, closed), confirm=True)
    assert [h.host for h in hits] == ["127.0.0.1"]
    assert rtsp_server.port in hits[0].open_ports
    assert closed not in hits[0].open_ports
