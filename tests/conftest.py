"""Shared fixtures: an isolated data folder, a file keyring backend, and services built over them."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
TEST_KEYRING = "keyrings.alt.file.PlaintextKeyring"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The offscreen platform plugin warns about window features it lacks; that is not the app's fault."""
    for item in items:
        item.add_marker(
            pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise|grabbing the keyboard)")
        )


@pytest.fixture(autouse=True)
def _isolated_keyring(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own file keyring (keyrings.alt) under a temp XDG data home."""
    data_home = tmp_path_factory.mktemp("xdg-data")
    monkeypatch.setenv("XDG_DATA_HOME", str(data_home))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", TEST_KEYRING)
    import keyring.core

    keyring.core._keyring_backend = None  # re-read the backend from the environment
    return data_home


@pytest.fixture
def basedir(tmp_path: Path) -> Path:
    """A data folder with a fast bcrypt cost (4) so login-heavy tests stay quick."""
    base = tmp_path / "nvr"
    base.mkdir()
    (base / "config.toml").write_text("version = 1\n[security]\nbcrypt_rounds = 4\n", encoding="utf-8")
    return base


@pytest.fixture
def services(basedir: Path) -> Iterator[object]:
    """Every service of the app, built over the temp data folder."""
    from nvr_desktop.app import build_services

    built = build_services(basedir)
    yield built
    built.close()


@pytest.fixture
def admin(services: object) -> object:
    """An admin account ('boss', password 'correct-horse') logged in."""
    users = services.users  # type: ignore[attr-defined]
    users.create_first_admin("boss", "correct-horse", actor="test")
    return services.auth.login("boss", "correct-horse")  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _no_leaked_threads() -> Iterator[None]:
    """Fail a test that leaves any new thread running (daemon threads too: they must be stopped and joined)."""
    before = set(threading.enumerate())
    yield
    leaked = []
    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=5)
        if thread.is_alive():
            leaked.append(thread.name)
    assert not leaked, f"threads leaked: {leaked}"


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder of generated demo clips shared by the whole run (they take ~0.5 s each to make)."""
    return tmp_path_factory.mktemp("demo-clips")


@pytest.fixture
def make_live(services: object, demo_dir: Path) -> object:
    """The live-view factory the composition root gives the GUI (the real stream engine)."""
    from nvr_desktop.app import build_live_view

    return lambda on_state: build_live_view(services, on_state, demo_dir=demo_dir)  # type: ignore[arg-type]
