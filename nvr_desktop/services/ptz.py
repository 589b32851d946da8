"""PTZ of ONVIF cameras: continuous move, zoom, stop, presets; every command checked against the PTZ permission.

Viewers (and anyone without PTZ on that camera) are refused with a clear error, and AccessControl audits the
refusal. Preset changes and jumps are audited; moves and stops (many per second from a held key) are only logged.
The calls block for at most the ONVIF timeout: the UI runs them on a worker thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from nvr_desktop.core.errors import ValidationError
from nvr_desktop.core.models import Camera, Principal
from nvr_desktop.core.roles import Permission
from nvr_desktop.core.urls import SecretRegistry
from nvr_desktop.net.onvif import OnvifClient, Preset
from nvr_desktop.security.access import AccessControl
from nvr_desktop.security.audit import AuditLog
from nvr_desktop.security.vault import CredentialVault
from nvr_desktop.services.cameras import CameraService

log = logging.getLogger("services.ptz")
PTZ_TIMEOUT_S = 3.0
ClientFactory = Callable[[str, str | None, str | None], OnvifClient]


class PtzService:
    """PTZ commands for a camera, for principals holding the PTZ permission on it."""

    def __init__(
        self,
        cameras: CameraService,
        access: AccessControl,
        audit: AuditLog,
        vault: CredentialVault,
        secrets: SecretRegistry,
        *,
        timeout_s: float = PTZ_TIMEOUT_S,
        client_factory: ClientFactory | None = None,
    ) -> None:
        self._cameras = cameras
        self._access = access
        self._audit = audit
        self._vault = vault
        self._secrets = secrets
        self._timeout = timeout_s
        self._factory = client_factory or (lambda x, u, p: OnvifClient(x, u, p, timeout_s=timeout_s))
        self._lock = threading.Lock()
        self._clients: dict[int, tuple[tuple[str, str, str | None, str | None], OnvifClient]] = {}

    def capable(self, actor: Principal, camera_id: int) -> bool:
        """True when the camera speaks ONVIF and the actor may move it (never raises, never audits)."""
        fresh = self._access.current(actor)
        if not fresh.can_on_camera(Permission.PTZ, camera_id):
            return False
        try:
            return self._cameras.get(actor, camera_id).ptz_capable
        except Exception:  # noqa: BLE001 - a camera that vanished is simply not movable
            return False

    def _camera(self, actor: Principal, camera_id: int, action: str) -> Camera:
        self._access.require(actor, Permission.PTZ, camera_id=camera_id, action=action)
        camera = self._cameras.get(actor, camera_id)
        if not camera.ptz_capable:
            raise ValidationError(f"camera {camera_id} ({camera.name}) has no ONVIF PTZ")
        return camera

    def _client(self, camera: Camera) -> tuple[OnvifClient, str]:
        password = self._vault.load(camera.id) if camera.has_password else None
        self._secrets.add(password)
        key = (camera.onvif_xaddr or "", camera.onvif_profile or "", camera.username, password)
        with self._lock:
            cached = self._clients.get(camera.id)
            if cached is not None and cached[0] == key:
                return cached[1], key[1]
            if cached is not None:
                cached[1].close()
            client = self._factory(key[0], camera.username, password)
            self._clients[camera.id] = (key, client)
            return client, key[1]

    def move(self, actor: Principal, camera_id: int, pan: float, tilt: float, zoom: float) -> None:
        """Continuous move at velocities -1..1 (pan right, tilt up, zoom in are positive) until stop()."""
        client, profile = self._client(self._camera(actor, camera_id, "ptz.move"))
        log.debug("camera %d: move pan=%.2f tilt=%.2f zoom=%.2f", camera_id, pan, tilt, zoom)
        client.continuous_move(profile, pan, tilt, zoom)

    def stop(self, actor: Principal, camera_id: int) -> None:
        """Stop every movement."""
        client, profile = self._client(self._camera(actor, camera_id, "ptz.stop"))
        client.stop(profile)

    def presets(self, actor: Principal, camera_id: int) -> list[Preset]:
        """The camera's presets."""
        client, profile = self._client(self._camera(actor, camera_id, "ptz.presets"))
        return client.presets(profile)

    def goto_preset(self, actor: Principal, camera_id: int, preset_token: str) -> None:
        """Move to a preset (audited)."""
        fresh = self._access.current(actor)
        client, profile = self._client(self._camera(actor, camera_id, "ptz.goto_preset"))
        client.goto_preset(profile, preset_token)
        self._audit.record(fresh.name, "ptz.goto_preset", f"camera:{camera_id}", detail=f"preset={preset_token[:64]}")

    def set_preset(self, actor: Principal, camera_id: int, name: str) -> str:
        """Save the current position as a named preset (audited); returns its token."""
        fresh = self._access.current(actor)
        client, profile = self._client(self._camera(actor, camera_id, "ptz.set_preset"))
        token = client.set_preset(profile, name)
        self._audit.record(fresh.name, "ptz.set_preset", f"camera:{camera_id}", detail=f"name={name.strip()[:64]}")
        return token

    def close(self) -> None:
        """Close every cached device session."""
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for _key, client in clients:
            client.close()
