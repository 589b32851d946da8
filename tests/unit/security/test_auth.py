"""Login, wrong password, unknown user and lockout, with every attempt audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from nvr_desktop.core.errors import AccountLockedError, AuthenticationError
from nvr_desktop.core.roles import Role
from nvr_desktop.security.auth import AuthService


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_login_success_returns_the_principal(services: Any, admin: Any) -> None:
    principal = services.auth.login("boss", "correct-horse")
    assert principal.name == "boss" and principal.role is Role.ADMIN
    assert services.auth.login("BOSS", "correct-horse").user_id == principal.user_id
    entries = services.audit.entries(action="login")
    assert entries[0].actor == "boss" and entries[0].success


def test_wrong_password_and_unknown_user_get_the_same_message(services: Any, admin: Any) -> None:
    with pytest.raises(AuthenticationError, match="wrong user name or password") as wrong:
        services.auth.login("boss", "wrong-horse")
    with pytest.raises(AuthenticationError, match="wrong user name or password") as unknown:
        services.auth.login("nobody", "wrong-horse")
    assert str(wrong.value) == str(unknown.value)
    failures = [e for e in services.audit.entries(action="login") if not e.success]
    assert {e.detail for e in failures} == {"wrong password", "unknown user"}


def test_five_failures_lock_the_account_for_five_minutes(services: Any, admin: Any) -> None:
    clock = Clock()
    auth = AuthService(services.db, services.audit, services.hasher, clock=clock)
    for _ in range(4):
        with pytest.raises(AuthenticationError) as info:
            auth.login("boss", "nope-nope")
        assert not isinstance(info.value, AccountLockedError)
    with pytest.raises(AccountLockedError, match="locked for 5 more minute"):
        auth.login("boss", "nope-nope")
    # Even the right password is refused while locked.
    clock.now += timedelta(minutes=4)
    with pytest.raises(AccountLockedError, match="1 more minute") as locked:
        auth.login("boss", "correct-horse")
    assert 0 < locked.value.seconds_left <= 60
    clock.now += timedelta(minutes=1, seconds=1)
    assert auth.login("boss", "correct-horse").name == "boss"
    assert any(e.action == "lockout" for e in services.audit.entries())


def test_a_success_resets_the_failure_count(services: Any, admin: Any) -> None:
    for _ in range(4):
        with pytest.raises(AuthenticationError):
            services.auth.login("boss", "nope-nope")
    services.auth.login("boss", "correct-horse")
    for _ in range(4):
        with pytest.raises(AuthenticationError) as info:
            services.auth.login("boss", "nope-nope")
        assert not isinstance(info.value, AccountLockedError)


def test_overlong_password_is_simply_wrong_at_login(services: Any, admin: Any) -> None:
    with pytest.raises(AuthenticationError):
        services.auth.login("boss", "x" * 500)
