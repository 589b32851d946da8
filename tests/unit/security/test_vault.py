"""Camera passwords in a real keyring backend (keyrings.alt's file backend, as configured for tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends import fail, null
from keyrings.alt.file import PlaintextKeyring

from nvr_desktop.core.errors import SecretStoreError
from nvr_desktop.core.urls import SecretRegistry
from nvr_desktop.security.vault import CredentialVault
from nvr_desktop.services.cameras import CameraSpec


def test_round_trip_through_the_configured_backend(_isolated_keyring: Path) -> None:
    vault = CredentialVault("nvr-desktop/test", SecretRegistry())
    assert isinstance(vault.backend, PlaintextKeyring)
    assert vault.available()
    vault.store(7, "cam-pass-7")
    # A second, independent handle reads it back from the backend's file.
    again = CredentialVault("nvr-desktop/test", SecretRegistry(), keyring.get_keyring())
    assert again.load(7) == "cam-pass-7"
    assert list(_isolated_keyring.rglob("*.cfg")), "the file backend wrote nothing under XDG_DATA_HOME"
    vault.delete(7)
    assert again.load(7) is None
    vault.delete(7)  # deleting twice is fine


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()])
def test_no_secure_storage_refuses_to_store(backend: Any) -> None:
    vault = CredentialVault("nvr-desktop/test", SecretRegistry(), backend)
    assert not vault.available()
    with pytest.raises(SecretStoreError, match="no secure credential storage"):
        vault.store(1, "cam-pass-1")


def test_plaintext_backend_counts_only_when_chosen_explicitly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    vault = CredentialVault("nvr-desktop/test", SecretRegistry(), PlaintextKeyring())
    assert not vault.available()


def test_camera_with_password_is_refused_without_a_keyring(services: Any, admin: Any) -> None:
    services.vault._backend = fail.Keyring()
    with pytest.raises(SecretStoreError, match="never stored in plain text"):
        services.cameras.add(admin, CameraSpec(name="Yard", main_url="rtsp://u:yard-secret@127.0.0.1/x"))
    assert services.cameras.list(admin) == []
    # Without a password the camera can still be added.
    services.cameras.add(admin, CameraSpec(name="Yard", main_url="rtsp://127.0.0.1/x"))
    assert [c.name for c in services.cameras.list(admin)] == ["Yard"]


def test_a_keyring_failure_rolls_the_camera_back(services: Any, admin: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object) -> None:
        raise keyring.errors.KeyringLocked("locked")

    monkeypatch.setattr(services.vault.backend, "set_password", broken)
    with pytest.raises(SecretStoreError, match="refused to store"):
        services.cameras.add(admin, CameraSpec(name="Yard", main_url="rtsp://127.0.0.1/x", password="yard-pass"))
    assert services.cameras.list(admin) == []
