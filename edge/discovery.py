"""Finding the desktop: a configured URL, or a zeroconf browse for ``_nvr-desktop._tcp.local.``.

TXT records can be spoofed by anyone on the LAN, so what they say is a hint: a desktop that speaks another protocol
version is skipped, and when the config names a CA file the connection is TLS whatever the TXT record says (a
spoofed "tls=no" cannot downgrade it). A discovered service is used only after it proves it holds the pairing
token (``prove``: the agent sends it a heartbeat, which carries no snapshot, and checks the signed answer), so a fake
desktop gets no snapshot; every request stays HMAC-signed, so it learns no token either.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from zeroconf import ServiceBrowser, ServiceStateChange, Zeroconf

from edge.config import DesktopConfig
from edge.delivery import Endpoint
from edge.protocol import PROTOCOL_VERSION, SERVICE_TYPE

log = logging.getLogger("edge.discovery")


class DiscoveryError(LookupError):
    """No desktop answered the zeroconf browse in time."""


def _text(properties: dict[bytes, bytes | None], key: str) -> str:
    value = properties.get(key.encode())
    return value.decode("utf-8", "replace") if value else ""


def browse(timeout_s: float, interfaces: tuple[str, ...] = (), *, require_tls: bool = False) -> Endpoint:
    """Browse for the desktop's service and resolve the first one that speaks our protocol; DiscoveryError if none."""
    zeroconf = Zeroconf(interfaces=list(interfaces)) if interfaces else Zeroconf()
    found: list[str] = []
    changed = threading.Event()

    def on_change(
        zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange
    ) -> None:  # zeroconf's thread
        if state_change in (ServiceStateChange.Added, ServiceStateChange.Updated) and name not in found:
            found.append(name)
            changed.set()

    browser = ServiceBrowser(zeroconf, SERVICE_TYPE, handlers=[on_change])
    deadline = time.monotonic() + timeout_s
    tried: set[str] = set()
    try:
        while True:
            for name in [n for n in found if n not in tried]:
                tried.add(name)
                endpoint = _resolve(zeroconf, name, max(0.1, deadline - time.monotonic()), require_tls)
                if endpoint is not None:
                    log.info("found the desktop through zeroconf: %s (%s)", endpoint, name)
                    return endpoint
            left = deadline - time.monotonic()
            if left <= 0:
                raise DiscoveryError(f"no NVR Desktop answered on zeroconf ({SERVICE_TYPE}) within {timeout_s:g} s")
            changed.wait(left)
            changed.clear()
    finally:
        browser.cancel()
        zeroconf.close()


def _resolve(zeroconf: Zeroconf, name: str, timeout_s: float, require_tls: bool) -> Endpoint | None:
    info = zeroconf.get_service_info(SERVICE_TYPE, name, timeout=int(timeout_s * 1000))
    if info is None or not info.port:
        return None
    properties = info.properties
    if _text(properties, "protocol") != str(PROTOCOL_VERSION):
        log.warning("skipping %s: it speaks protocol %r, not %d", name, _text(properties, "protocol"), PROTOCOL_VERSION)
        return None
    addresses = [ipaddress.ip_address(a) for a in info.parsed_addresses()]
    if not addresses:
        return None
    address = sorted(addresses, key=lambda a: a.version)[0]  # IPv4 first: link-local IPv6 needs a scope id
    tls = require_tls or _text(properties, "tls") == "yes"
    return Endpoint(str(address), info.port, tls)


class Locator:
    """The desktop's endpoint: fixed from the config's URL, or found by zeroconf and found again after failures."""

    def __init__(
        self,
        desktop: DesktopConfig,
        *,
        rediscover_after: int = 3,
        prove: Callable[[Endpoint], bool] | None = None,
    ) -> None:
        self._desktop = desktop
        self._prove = prove
        self._rediscover_after = rediscover_after
        self._lock = threading.Lock()
        self._endpoint: Endpoint | None = None if desktop.discover else self._from_url(desktop)
        self._failures = 0

    @staticmethod
    def _from_url(desktop: DesktopConfig) -> Endpoint:
        parts = urlsplit(desktop.url)
        tls = parts.scheme == "https"
        return Endpoint(parts.hostname or "", parts.port or (443 if tls else 80), tls)

    def __call__(self) -> Endpoint:
        """The endpoint to use now (may browse, up to the zeroconf timeout); DiscoveryError if none is found."""
        with self._lock:
            if self._endpoint is None:
                desktop = self._desktop
                found = browse(
                    desktop.zeroconf_timeout_s,
                    desktop.zeroconf_interfaces,
                    require_tls=desktop.tls_ca_file is not None,
                )
                if self._prove is not None and not self._prove(found):
                    raise DiscoveryError(f"the service found at {found} did not prove it is the paired desktop")
                self._endpoint = found
                self._failures = 0
            return self._endpoint

    def unreachable(self) -> None:
        """The endpoint did not answer; after a few such failures a discovered one is looked up again."""
        with self._lock:
            self._failures += 1
            if self._desktop.discover and self._failures >= self._rediscover_after:
                self._endpoint = None
