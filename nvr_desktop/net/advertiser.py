"""Zeroconf advertisement of the edge listener (``_nvr-desktop._tcp.local.``), so agents set to "zeroconf" find it.

TXT record: ``protocol`` (the edge protocol version), ``tls`` ("yes"/"no"), ``app`` (the app version). Registration
(about 1.5 s of multicast probing) runs on its own "edge-advertiser" thread so start-up never waits for it, and any
failure is a logged warning: agents configured with a URL do not need the advertisement.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import threading

import ifaddr
from zeroconf import InterfaceChoice, ServiceInfo, Zeroconf

from edge.protocol import PROTOCOL_VERSION, SERVICE_TYPE
from nvr_desktop import __version__

log = logging.getLogger("net.advertiser")
JOIN_TIMEOUT_S = 10.0
_WILDCARDS = frozenset({"0.0.0.0", "::", ""})  # noqa: S104 - names, not a bind


def _local_addresses() -> list[str]:
    """The machine's IPv4 addresses other than loopback (for a listener bound to every interface)."""
    found: list[str] = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if isinstance(ip.ip, str) and not ipaddress.ip_address(ip.ip).is_loopback:
                found.append(ip.ip)
    return found


def _instance_name(hostname: str) -> str:
    # A DNS-SD instance name is at most 63 bytes; keep it printable and short.
    cleaned = re.sub(r"[^A-Za-z0-9 -]", "-", hostname)[:40] or "host"
    return f"NVR Desktop on {cleaned}"


class Advertiser:
    """Registers the listener's service on start(), unregisters it on close(); never raises."""

    def __init__(self, port: int, *, tls: bool, host: str = "0.0.0.0") -> None:  # noqa: S104 - the listener's host
        self.port = port
        self.tls = tls
        self._host = host
        self._zeroconf: Zeroconf | None = None
        self._info: ServiceInfo | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False
        self.registered = threading.Event()

    def start(self) -> None:
        """Register in the background on the "edge-advertiser" thread."""
        self._thread = threading.Thread(target=self._register, name="edge-advertiser", daemon=True)
        self._thread.start()

    def wait(self, timeout: float = JOIN_TIMEOUT_S) -> bool:
        """Wait for the registration to finish; True when the service is registered."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.registered.is_set()

    def _register(self) -> None:
        try:
            specific = self._host not in _WILDCARDS
            addresses = [self._host] if specific else _local_addresses()
            if not addresses:
                log.warning("not advertising the edge listener: this machine has no network address")
                return
            hostname = socket.gethostname()
            info = ServiceInfo(
                SERVICE_TYPE,
                f"{_instance_name(hostname)}.{SERVICE_TYPE}",
                port=self.port,
                properties={"protocol": str(PROTOCOL_VERSION), "tls": "yes" if self.tls else "no", "app": __version__},
                parsed_addresses=addresses,
                server=f"{re.sub(r'[^A-Za-z0-9-]', '-', hostname)[:63] or 'nvr'}.local.",
            )
            with self._lock:
                if self._closed:
                    return
                # Bound to the listener's own address when it has one (tests: loopback only), else every interface.
                self._zeroconf = Zeroconf(interfaces=[self._host] if specific else InterfaceChoice.All)
            self._zeroconf.register_service(info, allow_name_change=True)
            self._info = info
            self.registered.set()
            log.info("advertising the edge listener on zeroconf as %r (port %d)", info.name, self.port)
        except Exception as exc:  # noqa: BLE001 - advertising is a convenience: never let it stop the app
            log.warning("cannot advertise the edge listener on zeroconf: %s", exc or type(exc).__name__)

    def close(self) -> None:
        """Unregister and release the sockets (bounded waits); safe to call twice."""
        with self._lock:
            self._closed = True
        if self._thread is not None:
            self._thread.join(JOIN_TIMEOUT_S)
            self._thread = None
        zeroconf, self._zeroconf = self._zeroconf, None
        if zeroconf is None:
            return
        try:
            if self._info is not None:
                zeroconf.unregister_service(self._info)
        except Exception as exc:  # noqa: BLE001 - shutting down: report and go on
            log.warning("zeroconf unregistration failed: %s", exc)
        finally:
            zeroconf.close()
            self._info = None
