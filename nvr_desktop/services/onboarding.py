"""Camera onboarding: probe candidate URLs, expand DVR/NVR channels from brand templates, add many cameras at once.

Every candidate is probed with PyAV before it is saved; a candidate whose stream cannot be read is reported, not
added. Bulk adds report progress through a callback (called on the worker threads: the UI must hand it over to its
own thread) and stop starting new probes once the cancel event is set.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from nvr_desktop.core.errors import NvrError, ValidationError
from nvr_desktop.core.models import Camera, Principal
from nvr_desktop.core.roles import Permission
from nvr_desktop.core.templates import TEMPLATES, BrandTemplate, custom_template, expand, template_for
from nvr_desktop.core.urls import SecretRegistry, parse_stream_url, with_credentials
from nvr_desktop.media.probe import PROBE_TIMEOUT_S, ProbeResult, probe_stream
from nvr_desktop.net.onvif import DiscoveryMatch, FoundDevice, OnvifClient, OnvifDevice, merge_results, ws_discover
from nvr_desktop.net.scan import CAMERA_PORTS, NetworkScanner, ScanHit
from nvr_desktop.security.access import AccessControl
from nvr_desktop.security.audit import AuditLog
from nvr_desktop.services.cameras import CameraService, CameraSpec

log = logging.getLogger("services.onboarding")
PROBE_WORKERS = 4
Prober = Callable[..., ProbeResult]


@dataclass(frozen=True)
class Candidate:
    """A camera that could be added: credential-free URLs, the credentials beside them."""

    name: str
    main_url: str
    sub_url: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    brand: str = "generic"
    channel: int | None = None
    transport: str = "tcp"
    onvif_xaddr: str | None = None
    onvif_profile: str | None = None


@dataclass(frozen=True)
class CandidateOutcome:
    """What became of one candidate in a bulk add."""

    candidate: Candidate
    probe: ProbeResult | None
    camera: Camera | None = None
    error: str = ""

    @property
    def added(self) -> bool:
        """True when the camera was saved."""
        return self.camera is not None


@dataclass(frozen=True)
class BulkProgress:
    """Progress of a bulk add: how many are done out of how many, and the latest outcome."""

    done: int
    total: int
    outcome: CandidateOutcome


@dataclass(frozen=True)
class BulkResult:
    """Every finished outcome, in candidate order; cancelled when the cancel event stopped it early."""

    outcomes: list[CandidateOutcome]
    cancelled: bool

    @property
    def added(self) -> list[Camera]:
        """The cameras saved."""
        return [o.camera for o in self.outcomes if o.camera is not None]

    @property
    def failed(self) -> list[CandidateOutcome]:
        """The candidates not saved and why."""
        return [o for o in self.outcomes if o.camera is None]


def dvr_candidates(
    template: BrandTemplate,
    host: str,
    *,
    port: int | None = None,
    channels: int = 1,
    first_channel: int = 1,
    name_prefix: str = "",
    username: str | None = None,
    password: str | None = None,
) -> list[Candidate]:
    """One candidate per channel of a DVR/NVR (or a single camera: channels=1)."""
    prefix = (name_prefix or host).strip()
    urls = expand(template, host, port=port, channels=channels, first_channel=first_channel)
    return [
        Candidate(
            name=f"{prefix} ch{u.channel}" if channels > 1 or first_channel > 1 else prefix,
            main_url=u.main_url,
            sub_url=u.sub_url,
            username=username or None,
            password=password or None,
            brand=template.brand,
            channel=u.channel if channels > 1 or first_channel > 1 else None,
        )
        for u in urls
    ]


def onvif_candidate(
    device: OnvifDevice,
    *,
    main_token: str | None = None,
    name: str = "",
    username: str | None = None,
    password: str | None = None,
) -> Candidate:
    """The camera an ONVIF device becomes: the chosen profile (default: the largest) as the main stream, the
    smallest other one as the sub-stream."""
    main, sub = device.main_and_sub()
    if main_token is not None:
        usable = [p for p in device.profiles if p.token in device.stream_uris]
        chosen = next((p for p in usable if p.token == main_token), None)
        if chosen is None:
            raise ValidationError(f"the device has no profile {main_token!r} with a stream URI")
        others = [p for p in usable if p.token != main_token]
        main, sub = chosen, (min(others, key=lambda p: p.width * p.height) if others else None)
    if main is None:
        raise ValidationError("the device reported no video profile with a stream URI")
    label = name.strip() or " ".join(x for x in (device.info.manufacturer, device.info.model) if x) or device.host
    return Candidate(
        name=label[:128],
        main_url=device.stream_uris[main.token],
        sub_url=device.stream_uris[sub.token] if sub is not None else None,
        username=username or None,
        password=password or None,
        brand="onvif",
        onvif_xaddr=device.xaddr,
        onvif_profile=main.token,
    )


class OnboardingService:
    """Find, probe and add cameras for a user allowed to manage cameras."""

    def __init__(
        self,
        cameras: CameraService,
        access: AccessControl,
        audit: AuditLog,
        secrets: SecretRegistry,
        prober: Prober = probe_stream,
        probe_timeout_s: float = PROBE_TIMEOUT_S,
        scanner: NetworkScanner | None = None,
        onvif_timeout_s: float = 5.0,
    ) -> None:
        self._cameras = cameras
        self._access = access
        self._audit = audit
        self._secrets = secrets
        self._prober = prober
        self._timeout = probe_timeout_s
        self.scanner = scanner or NetworkScanner()
        self._onvif_timeout = onvif_timeout_s

    # ---- finding devices ----

    def scan(
        self, actor: Principal, text: str, *, ports: Sequence[int] = CAMERA_PORTS, confirm: bool = False
    ) -> list[ScanHit]:
        """nmap scan of a range the user typed and confirmed (audited)."""
        fresh = self._access.require(actor, Permission.MANAGE_CAMERAS, action="camera.scan")
        hits = self.scanner.scan(text, ports=ports, confirm=confirm)
        self._audit.record(fresh.name, "camera.scan", text.strip()[:64], detail=f"hosts={len(hits)}")
        return hits

    def discover_onvif(
        self,
        actor: Principal,
        *,
        timeout_s: float = 3.0,
        target: tuple[str, int] | None = None,
        interface: str | None = None,
    ) -> list[DiscoveryMatch]:
        """WS-Discovery probe (multicast by default; target: unicast to one address)."""
        self._access.require(actor, Permission.MANAGE_CAMERAS, action="camera.discover")
        if target is None:
            return ws_discover(timeout_s=timeout_s, interface=interface)
        return ws_discover(timeout_s=timeout_s, target=target, interface=interface)

    def merge(self, hits: Sequence[ScanHit], matches: Sequence[DiscoveryMatch]) -> list[FoundDevice]:
        """One row per host from the scan and the discovery."""
        return merge_results(hits, matches)

    def describe_onvif(
        self, actor: Principal, xaddr: str, *, username: str | None = None, password: str | None = None
    ) -> OnvifDevice:
        """Ask an ONVIF device (with the user's credentials) for its identity, profiles and stream URIs."""
        self._access.require(actor, Permission.MANAGE_CAMERAS, action="camera.onvif")
        self._secrets.add(password)
        with OnvifClient(xaddr, username, password, timeout_s=self._onvif_timeout) as client:
            return client.describe()

    # ---- candidates (the UI builds them through the service: it never imports the media layer) ----

    @staticmethod
    def manual_candidate(
        name: str,
        main_url: str,
        sub_url: str | None = None,
        *,
        username: str | None = None,
        password: str | None = None,
        brand: str = "generic",
    ) -> Candidate:
        """A typed URL as a candidate (credentials inside the URL move beside it)."""
        main = parse_stream_url(main_url)
        sub = parse_stream_url(sub_url) if sub_url and sub_url.strip() else None
        return Candidate(
            name=name.strip() or (urlsplit(main.url).hostname or "Camera"),
            main_url=main.url,
            sub_url=sub.url if sub else None,
            username=username or main.username or None,
            password=password or main.password or None,
            brand=brand,
        )

    @staticmethod
    def dvr_candidates(
        brand: str, host: str, *, path: str | None = None, sub_path: str | None = None, **kwargs: Any
    ) -> list[Candidate]:
        """One candidate per channel from a brand's template, or from the user's own path (with {channel})."""
        template = template_for(brand)
        if path and path.strip():
            custom = custom_template(path, sub_path, port=template.port)
            template = replace(custom, brand=template.brand, label=template.label)
        return dvr_candidates(template, host, **kwargs)

    @staticmethod
    def onvif_candidate(device: OnvifDevice, **kwargs: Any) -> Candidate:
        """The camera an ONVIF device becomes (see the module function)."""
        return onvif_candidate(device, **kwargs)

    @staticmethod
    def brands() -> list[tuple[str, str]]:
        """(brand, label) of the templates that build URLs from a host and channel."""
        return [(t.brand, t.label) for t in TEMPLATES.values() if t.expandable]

    @staticmethod
    def template_url(brand: str, host: str, port: int) -> str:
        """Channel 1's main URL of a brand at host:port (a starting point for the manual page)."""
        return expand(template_for(brand), host, port=port)[0].main_url

    # ---- probing and adding ----

    def probe(
        self,
        actor: Principal,
        url: str,
        *,
        username: str | None = None,
        password: str | None = None,
        transport: str = "tcp",
        thumbnail: bool = False,
    ) -> ProbeResult:
        """Check a URL the user typed (credentials inside it or given apart) and describe its stream."""
        self._access.require(actor, Permission.MANAGE_CAMERAS, action="camera.probe")
        parsed = parse_stream_url(url)
        self._secrets.add(parsed.password)
        self._secrets.add(password)
        user = username or parsed.username
        secret = password if password is not None else parsed.password
        return self._prober(
            with_credentials(parsed.url, user, secret),
            transport=transport,
            timeout_s=self._timeout,
            thumbnail=thumbnail,
        )

    def _probe_candidate(self, candidate: Candidate) -> tuple[ProbeResult, str]:
        main = self._prober(
            with_credentials(candidate.main_url, candidate.username, candidate.password),
            transport=candidate.transport,
            timeout_s=self._timeout,
        )
        if not main.ok:
            return main, f"main stream: {main.message}"
        if candidate.sub_url:
            sub = self._prober(
                with_credentials(candidate.sub_url, candidate.username, candidate.password),
                transport=candidate.transport,
                timeout_s=self._timeout,
            )
            if not sub.ok:
                return main, f"sub stream: {sub.message}"
        return main, ""

    def add_many(
        self,
        actor: Principal,
        candidates: Sequence[Candidate],
        *,
        progress: Callable[[BulkProgress], None] | None = None,
        cancel: threading.Event | None = None,
        workers: int = PROBE_WORKERS,
    ) -> BulkResult:
        """Probe every candidate (a few at a time) and save those whose main (and sub) stream can be read."""
        self._access.require(actor, Permission.MANAGE_CAMERAS, action="camera.add_many")
        if not candidates:
            raise ValidationError("there is nothing to add")
        for c in candidates:
            parse_stream_url(c.main_url)
            if c.sub_url:
                parse_stream_url(c.sub_url)
            self._secrets.add(c.password)
        cancel = cancel or threading.Event()
        outcomes: list[CandidateOutcome] = []
        probed: dict[int, Future[tuple[ProbeResult, str]]] = {}
        pending: set[Future[tuple[ProbeResult, str]]] = set()
        queue = list(enumerate(candidates))
        with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="camera-probe") as pool:
            while queue or pending:
                while queue and len(pending) < workers and not cancel.is_set():
                    index, candidate = queue.pop(0)
                    probed[index] = future = pool.submit(self._probe_candidate, candidate)
                    pending.add(future)
                if not pending:
                    break
                _finished, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                # Probes run side by side; cameras are saved in the candidates' order (ids follow channels).
                while len(outcomes) in probed and probed[len(outcomes)].done():
                    index = len(outcomes)
                    outcome = self._save(actor, candidates[index], probed.pop(index))
                    outcomes.append(outcome)
                    if progress is not None:
                        progress(BulkProgress(len(outcomes), len(candidates), outcome))
        cancelled = len(outcomes) < len(candidates)
        result = BulkResult(outcomes, cancelled)
        self._audit.record(
            actor.name,
            "camera.add_many",
            detail=f"added={len(result.added)} failed={len(result.failed)} cancelled={cancelled}",
        )
        log.info(
            "bulk add: %d added, %d failed%s",
            len(result.added),
            len(result.failed),
            " (cancelled)" if cancelled else "",
        )
        return result

    def _save(
        self, actor: Principal, candidate: Candidate, future: Future[tuple[ProbeResult, str]]
    ) -> CandidateOutcome:
        try:
            probe, problem = future.result()
        except Exception as err:  # noqa: BLE001 - a probe that crashed is one failed candidate, not a failed batch
            return CandidateOutcome(candidate, None, error=f"probe failed: {type(err).__name__}")
        if problem:
            return CandidateOutcome(candidate, probe, error=problem)
        spec = CameraSpec(
            name=candidate.name,
            main_url=candidate.main_url,
            sub_url=candidate.sub_url,
            username=candidate.username,
            password=candidate.password,
            brand=candidate.brand,
            channel=candidate.channel,
            transport=candidate.transport,
            onvif_xaddr=candidate.onvif_xaddr,
            onvif_profile=candidate.onvif_profile,
        )
        try:
            camera = self._cameras.add(actor, spec)
        except NvrError as err:
            return CandidateOutcome(candidate, probe, error=str(err))
        return CandidateOutcome(replace(candidate, password=None), probe, camera=camera)
