"""The error types every layer raises; each carries a message fit to show a user."""

from __future__ import annotations


class NvrError(Exception):
    """Base class of every error the app reports to a user."""

    #: Process exit status the CLI uses for this kind of error.
    exit_code = 1


class ValidationError(NvrError):
    """Input was rejected: wrong type, range, format or scheme."""

    exit_code = 2


class NotFoundError(NvrError):
    """The named user, camera or object does not exist."""

    exit_code = 3


class ConflictError(NvrError):
    """The object already exists or the action clashes with the current state."""

    exit_code = 4


class AuthenticationError(NvrError):
    """Wrong user name or password."""

    exit_code = 5


class AccountLockedError(AuthenticationError):
    """Too many failed logins: the account is locked for a while."""

    def __init__(self, message: str, seconds_left: int) -> None:
        super().__init__(message)
        self.seconds_left = seconds_left


class PermissionDeniedError(NvrError):
    """The acting user lacks the permission the action needs."""

    exit_code = 6


class SecretStoreError(NvrError):
    """No secure credential storage is available, or it refused the operation."""

    exit_code = 7


class ConfigError(NvrError):
    """The configuration file is malformed or has unknown or invalid keys."""

    exit_code = 8


class StorageError(NvrError):
    """The database or a storage folder cannot be opened, migrated or written."""

    exit_code = 9
