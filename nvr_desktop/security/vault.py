"""Camera passwords in the OS keyring; refuses to store anything when no secure backend exists."""

from __future__ import annotations

import logging
import os

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends import fail, null

from nvr_desktop.core.errors import SecretStoreError, ValidationError
from nvr_desktop.core.urls import SecretRegistry
from nvr_desktop.security.service_keyring import EncryptedFileKeyring, SecretFileError

log = logging.getLogger("security.vault")
# Windows Credential Manager stores at most 2560 bytes; stay well inside it.
MAX_SECRET_CHARS = 512


def backend_name(backend: KeyringBackend) -> str:
    """A readable name of a keyring backend."""
    return f"{type(backend).__module__}.{type(backend).__name__}"


def _reason(err: keyring.errors.KeyringError) -> str:
    """What went wrong: the file store's own messages in full (they name files, never secrets), only the type of
    anything another backend raises."""
    return str(err) if isinstance(err, SecretFileError) else type(err).__name__


class CredentialVault:
    """Stores, reads and deletes camera passwords under this installation's keyring service name."""

    def __init__(
        self,
        service: str,
        secrets: SecretRegistry,
        backend: KeyringBackend | None = None,
        *,
        file_store_configured: bool = False,
    ) -> None:
        self.service = service
        self._secrets = secrets
        self._backend = backend if backend is not None else keyring.get_keyring()
        self._file_store_configured = file_store_configured

    @property
    def backend(self) -> KeyringBackend:
        """The keyring backend in use."""
        return self._backend

    def available(self) -> bool:
        """True when a real secret store is configured.

        keyring's fail and null backends store nothing; keyrings.alt's file backends are plain files and count
        only when PYTHON_KEYRING_BACKEND names them explicitly (as the tests do), never by accident. The app's
        own encrypted file store counts only when the configuration chose it (`secret_store = "file"`).
        """
        if isinstance(self._backend, fail.Keyring | null.Keyring):
            return False
        if isinstance(self._backend, EncryptedFileKeyring):
            return self._file_store_configured
        if type(self._backend).__module__.startswith("keyrings.alt"):
            return os.environ.get("PYTHON_KEYRING_BACKEND") == backend_name(self._backend)
        return True

    def require_available(self) -> None:
        """Raise SecretStoreError explaining how to get a secret store when none exists."""
        if not self.available():
            raise SecretStoreError(
                "no secure credential storage (OS keyring) is available on this machine "
                f"(keyring backend: {backend_name(self._backend)}); camera passwords are never stored in "
                "plain text. Install and unlock a Secret Service keyring (GNOME Keyring or KWallet) on "
                "Linux, or set PYTHON_KEYRING_BACKEND to a backend of your choice."
            )

    @staticmethod
    def _key(camera_id: int) -> str:
        return f"camera:{camera_id}"

    def store(self, camera_id: int, password: str) -> None:
        """Save a camera's password."""
        if len(password) > MAX_SECRET_CHARS:
            raise ValidationError(f"the camera password is longer than {MAX_SECRET_CHARS} characters")
        self._store(self._key(camera_id), password, "camera password")
        log.info("stored the password of camera %d in %s", camera_id, backend_name(self._backend))

    def load(self, camera_id: int) -> str | None:
        """Read a camera's password (None when none is stored)."""
        return self._load(self._key(camera_id), "camera password")

    def delete(self, camera_id: int) -> None:
        """Forget a camera's password (no error when none is stored)."""
        self._delete(self._key(camera_id), "camera password")

    def store_edge_token(self, device_id: str, token: str) -> None:
        """Save an edge device's pairing token (the desktop needs it whole to check request signatures)."""
        self._store(f"edge:{device_id}", token, "edge pairing token")
        log.info("stored the pairing token of edge device %s in %s", device_id, backend_name(self._backend))

    def load_edge_token(self, device_id: str) -> str | None:
        """An edge device's pairing token (None when none is stored)."""
        return self._load(f"edge:{device_id}", "edge pairing token")

    def delete_edge_token(self, device_id: str) -> None:
        """Forget an edge device's pairing token."""
        self._delete(f"edge:{device_id}", "edge pairing token")

    def _store(self, key: str, secret: str, what: str) -> None:
        self.require_available()
        self._secrets.add(secret)
        try:
            self._backend.set_password(self.service, key, secret)
        except keyring.errors.KeyringError as err:
            raise SecretStoreError(f"the keyring refused to store the {what}: {_reason(err)}") from None

    def _load(self, key: str, what: str) -> str | None:
        if not self.available():
            return None
        try:
            secret = self._backend.get_password(self.service, key)
        except keyring.errors.KeyringError as err:
            raise SecretStoreError(f"the keyring refused to read the {what}: {_reason(err)}") from None
        self._secrets.add(secret)
        return secret

    def _delete(self, key: str, what: str) -> None:
        if not self.available():
            return
        try:
            self._backend.delete_password(self.service, key)
        except keyring.errors.PasswordDeleteError:
            pass
        except keyring.errors.KeyringError as err:
            raise SecretStoreError(f"the keyring refused to delete the {what}: {_reason(err)}") from None
