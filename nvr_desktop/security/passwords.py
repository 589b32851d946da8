"""bcrypt password hashing with clear limits (bcrypt 5 refuses passwords over 72 bytes)."""

from __future__ import annotations

import bcrypt

from nvr_desktop.core.errors import ValidationError

MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_BYTES = 72


def check_password_policy(password: str) -> None:
    """Raise ValidationError when a new password is too short, too long or has control characters."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValidationError(f"the password must have at least {MIN_PASSWORD_CHARS} characters")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise ValidationError(f"the password is longer than {MAX_PASSWORD_BYTES} bytes (UTF-8); bcrypt cannot use more")
    if any(ord(c) < 32 or ord(c) == 127 for c in password):
        raise ValidationError("the password contains control characters")


class PasswordHasher:
    """Hashes and verifies passwords with bcrypt at a fixed cost."""

    def __init__(self, rounds: int = 12) -> None:
        self.rounds = rounds
        # Verified against for unknown users so a wrong name costs as long as a wrong password.
        self._dummy = bcrypt.hashpw(b"dummy-password", bcrypt.gensalt(rounds))

    def hash(self, password: str) -> str:
        """Return the bcrypt hash of a password that passes the policy."""
        check_password_policy(password)
        return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(self.rounds)).decode("ascii")

    def verify(self, password: str, hashed: str | None) -> bool:
        """True when password matches hashed; constant work when hashed is None or password too long."""
        data = password.encode("utf-8")
        if hashed is None or len(data) > MAX_PASSWORD_BYTES:
            bcrypt.checkpw(b"x", self._dummy)
            return False
        try:
            return bcrypt.checkpw(data, hashed.encode("ascii"))
        except ValueError:
            return False
