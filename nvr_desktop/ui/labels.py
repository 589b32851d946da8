"""Translated names of domain values shown in several places (roles, camera states)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from nvr_desktop.core.errors import NvrError
from nvr_desktop.core.roles import Role
from nvr_desktop.core.urls import SecretRegistry, redact_text


def role_label(role: Role) -> str:
    """The role's name as shown to users, in the interface language."""
    if role is Role.ADMIN:
        return QCoreApplication.translate("Labels", "administrator")
    if role is Role.OPERATOR:
        return QCoreApplication.translate("Labels", "operator")
    return QCoreApplication.translate("Labels", "viewer")


def error_text(err: NvrError, secrets: SecretRegistry | None = None) -> str:
    """A service error's message as a sentence, with any password masked (services write it for the CLI)."""
    text = redact_text(str(err), secrets).strip() or type(err).__name__
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
