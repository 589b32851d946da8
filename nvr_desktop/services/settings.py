"""Settings an administrator changes from the window: written to config.toml (atomically) and audited.

Only the interface language so far; it takes effect at the next start (every window's texts are made then).
"""

from __future__ import annotations

from typing import get_args

from nvr_desktop.core.config import UiConfig, load_config, save_config
from nvr_desktop.core.errors import ValidationError
from nvr_desktop.core.models import Principal
from nvr_desktop.core.paths import Paths
from nvr_desktop.core.roles import Permission
from nvr_desktop.security.access import AccessControl
from nvr_desktop.security.audit import AuditLog

LANGUAGES: tuple[str, ...] = get_args(UiConfig.model_fields["language"].annotation)


class SettingsService:
    """Reads and changes the settings in the data folder's config.toml."""

    def __init__(self, paths: Paths, access: AccessControl, audit: AuditLog) -> None:
        self._paths = paths
        self._access = access
        self._audit = audit

    def language(self) -> str:
        """The interface language in the file now (what the next start uses)."""
        return load_config(self._paths.config).ui.language

    def set_language(self, actor: Principal, language: str) -> bool:
        """Store the interface language for the next start; True when it changed."""
        fresh = self._access.require(actor, Permission.MANAGE_SETTINGS, action="settings.language")
        if language not in LANGUAGES:
            raise ValidationError(f"unknown language {language!r}: choose one of {', '.join(LANGUAGES)}")
        config = load_config(self._paths.config)  # the file as it is now, not as this process started with it
        if config.ui.language == language:
            return False
        updated = config.model_copy(update={"ui": config.ui.model_copy(update={"language": language})})
        save_config(self._paths.config, updated)
        self._audit.record(fresh.name, "settings.language", "config", detail=f"{config.ui.language} -> {language}")
        return True
