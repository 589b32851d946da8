"""Network scan for cameras with nmap (python-nmap): a range the user typed, a size cap, explicit confirmation.

Nothing is scanned unless the caller passes confirm=True after showing the user the range and its size; ranges are
IP addresses or CIDR blocks only (no host names, so no DNS look-ups and no option injection into nmap's command
line), capped at `max_addresses` (a /22 by default). nmap runs as a TCP connect scan (-sT: no raw sockets, no root),
without ping (-Pn: cameras often drop ICMP), with a host timeout and a timeout for the whole run.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import nmap

from nvr_desktop.core.errors import NvrError, ValidationError

log = logging.getLogger("net.scan")
#: RTSP (554, 8554), HTTP / ONVIF (80, 8000, 8899), Dahua's SDK port (37777), XMEye's (34567).
CAMERA_PORTS: tuple[int, ...] = (554, 8554, 80, 8000, 8899, 37777, 34567)
RTSP_PORTS = frozenset({554, 8554})
MAX_ADDRESSES = 1024  # a /22
SCAN_TIMEOUT_S = 300
#: Ports that hint at a brand (the RTSP template to try first).
BRAND_HINTS = {37777: "dahua", 34567: "xmeye", 8000: "hikvision"}


class ScanError(NvrError):
    """nmap is missing, failed or took too long."""

    exit_code = 11


@dataclass(frozen=True)
class ScanHit:
    """One host with at least one open camera port."""

    host: str
    open_ports: tuple[int, ...]

    @property
    def rtsp_ports(self) -> tuple[int, ...]:
        """The open ports that usually serve RTSP."""
        return tuple(p for p in self.open_ports if p in RTSP_PORTS)

    @property
    def brand_hint(self) -> str:
        """The brand whose template to try first ('generic' when no port gives a hint)."""
        return next((BRAND_HINTS[p] for p in self.open_ports if p in BRAND_HINTS), "generic")


def parse_range(text: str, *, max_addresses: int = MAX_ADDRESSES) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """The network the user typed (an address or a CIDR block), or ValidationError; the size is capped."""
    clean = text.strip()
    if not clean:
        raise ValidationError("type the address or range to scan, e.g. 192.168.1.0/24")
    try:
        network = ipaddress.ip_network(clean, strict=False)
    except ValueError:
        raise ValidationError(f"not an IP address or CIDR range: {clean!r} (e.g. 192.168.1.0/24)") from None
    if network.num_addresses > max_addresses:
        raise ValidationError(
            f"the range {network} has {network.num_addresses} addresses; at most {max_addresses} may be scanned at once"
        )
    if network.is_multicast or network.is_unspecified:
        raise ValidationError(f"{network} is not a range of hosts")
    return network


def check_ports(ports: Iterable[int]) -> tuple[int, ...]:
    """Sorted unique ports 1..65535, at least one."""
    chosen = tuple(sorted(set(ports)))
    if not chosen:
        raise ValidationError("choose at least one port to scan")
    if any(not 1 <= p <= 65535 for p in chosen):
        raise ValidationError("ports must be between 1 and 65535")
    return chosen


class NetworkScanner:
    """Runs nmap over a confirmed, size-capped range and reports hosts with open camera ports."""

    def __init__(self, *, max_addresses: int = MAX_ADDRESSES, timeout_s: int = SCAN_TIMEOUT_S) -> None:
        self.max_addresses = max_addresses
        self._timeout = timeout_s

    def describe(self, text: str) -> str:
        """What a scan of text would cover, for the confirmation question ('192.168.1.0/24: 256 addresses')."""
        network = parse_range(text, max_addresses=self.max_addresses)
        return f"{network}: {network.num_addresses} address{'es' if network.num_addresses != 1 else ''}"

    def scan(self, text: str, *, ports: Sequence[int] = CAMERA_PORTS, confirm: bool = False) -> list[ScanHit]:
        """Scan the range for open ports; confirm must be True (the user agreed to scan this range)."""
        network = parse_range(text, max_addresses=self.max_addresses)
        chosen = check_ports(ports)
        if not confirm:
            raise ValidationError(f"scanning {network} needs the user's explicit confirmation")
        try:
            scanner = nmap.PortScanner()
        except nmap.PortScannerError as err:
            raise ScanError(f"nmap is not installed or cannot run: {err}") from None
        arguments = "-sT -Pn -n --open -T4 --max-retries 1 --host-timeout 60s"
        if network.version == 6:
            arguments += " -6"
        log.info("scanning %s ports %s", network, ",".join(map(str, chosen)))
        try:
            report: dict[str, Any] = scanner.scan(
                hosts=str(network), ports=",".join(map(str, chosen)), arguments=arguments, timeout=self._timeout
            )
        except nmap.PortScannerTimeout:
            raise ScanError(f"the scan of {network} took longer than {self._timeout} s") from None
        except nmap.PortScannerError as err:
            raise ScanError(f"nmap failed: {str(err).strip()[:300]}") from None
        hits = []
        for host, info in sorted(report.get("scan", {}).items(), key=lambda kv: ipaddress.ip_address(kv[0])):
            open_ports = tuple(
                sorted(int(p) for p, state in info.get("tcp", {}).items() if state.get("state") == "open")
            )
            if open_ports:
                hits.append(ScanHit(host, open_ports))
        log.info("scan of %s: %d host(s) with camera ports", network, len(hits))
        return hits
