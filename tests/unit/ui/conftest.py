"""Fixtures for the GUI tests: the themed application, translators, cameras and a viewer account."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from nvr_desktop.core.models import Camera, Principal
from nvr_desktop.core.roles import Role
from nvr_desktop.services.cameras import CameraSpec
from nvr_desktop.ui.application import apply_theme, create_application
from nvr_desktop.ui.i18n import install_translators, remove_translators

TEST_URL = "rtsp://127.0.0.1:8554/x"


@pytest.fixture
def app(qapp: QApplication) -> Iterator[QApplication]:
    """pytest-qt's application, named and themed the way run_gui does it (theme removed afterwards)."""
    application = create_application()
    assert application is qapp
    apply_theme(application)
    yield application
    application.setStyleSheet("")


@pytest.fixture
def english(app: QApplication) -> Iterator[QApplication]:
    """The English translation installed (it supplies the plural forms)."""
    translators = install_translators(app, "en")
    yield app
    remove_translators(app, translators)


@pytest.fixture
def cameras(services: Any, admin: Principal) -> list[Camera]:
    """Two cameras added by the admin; the second one disabled."""
    return [
        services.cameras.add(admin, CameraSpec(name="Front door", main_url=TEST_URL)),
        services.cameras.add(admin, CameraSpec(name="Back yard", main_url=TEST_URL, enabled=False)),
    ]


@pytest.fixture
def viewer(services: Any, admin: Principal, cameras: list[Camera]) -> Principal:
    """'vic', a viewer granted only the first camera, logged in."""
    services.users.add(admin, "vic", Role.VIEWER, "viewer-pass-1")
    services.users.grant(admin, "vic", {cameras[0].id})
    principal: Principal = services.auth.login("vic", "viewer-pass-1")
    return principal
