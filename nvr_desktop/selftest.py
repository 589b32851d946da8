"""`nvr-desktop --self-test`: checks that an installation works (database, video decoding, the wall, resources, the
file secret store).

Meant for a fresh install or a packaged build: it needs no camera, no network, no display and no keyring.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from nvr_desktop import APP_NAME, __version__

#: What the checks hand each other: the decoded picture goes from the video check to the tile check.
Shared = dict[str, object]
Check = Callable[[Shared], str]


def _use_offscreen_without_display() -> None:
    """Qt's offscreen platform when there is no display to open (a server, a service, CI)."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def check_database(basedir: Path) -> Check:
    """Open (create and migrate) the database in basedir, write and read it back."""

    def run(_shared: Shared) -> str:
        from keyring.backends import null
        from sqlalchemy import text

        from nvr_desktop.app import build_services

        # No keyring: the check stores no secret, and a machine without one (a server) must pass it.
        services = build_services(basedir, keyring_backend=null.Keyring())  # type: ignore[no-untyped-call]
        try:
            revision = services.db.read(lambda s: s.execute(text("SELECT version_num FROM alembic_version")).scalar())
            services.audit.record("self-test", "self-test", detail=__version__)
            accounts = "an administrator exists" if services.users.has_users() else "no accounts yet"
        finally:
            services.close()
        return f"{services.paths.database} (schema {revision}, {accounts})"

    return run


def check_video(shared: Shared) -> str:
    """Encode a generated picture with PyAV and decode it back."""
    from nvr_desktop.media.selftest import encode_decode

    decoded = encode_decode()
    shared["picture"] = decoded.image
    height, width = decoded.image.shape[:2]
    how = "scaled in place by libswscale" if decoded.direct else "scaled by PyAV (libswscale not found beside PyAV)"
    return f"PyAV encoded and decoded {decoded.codec} {width}x{height}, {how}"


def check_tile(shared: Shared) -> str:
    """Render one wall tile with the decoded picture (offscreen when there is no display)."""
    import numpy as np

    from nvr_desktop.media.selftest import TEST_BGR, generated_picture
    from nvr_desktop.ui.selftest import render_tile, tile_shows

    picture = shared.get("picture")
    if not isinstance(picture, np.ndarray):
        picture = generated_picture(320, 180)
    image = render_tile(picture)
    if not tile_shows(image, TEST_BGR):
        raise RuntimeError("the rendered tile does not show the picture")
    from PySide6.QtGui import QGuiApplication

    return f"rendered {image.width()}x{image.height()} on Qt platform {QGuiApplication.platformName()}"


def check_resources(_shared: Shared) -> str:
    """The style sheet, the icon, the translations and the ONVIF service descriptions are installed."""
    from nvr_desktop.net.onvif import wsdl_dir
    from nvr_desktop.ui.i18n import LANGUAGES, resources_dir, translation_file

    folder = resources_dir()
    wanted = [folder / "styles" / "dark.qss", folder / "icons" / "nvr-desktop.svg"]
    wanted += [translation_file(language) for language in LANGUAGES]
    wanted.append(wsdl_dir() / "ptz.wsdl")
    missing = [str(path) for path in wanted if not path.is_file()]
    if missing:
        raise RuntimeError(f"missing: {', '.join(missing)}")
    return f"{len(wanted)} files under {folder} and {wsdl_dir()}"


def check_secret_store(folder: Path) -> Check:
    """The file secret store (the headless service's camera passwords) encrypts a secret and reads it back."""

    def run(_shared: Shared) -> str:
        import cryptography

        from nvr_desktop.security.service_keyring import KEY_BYTES, EncryptedFileKeyring

        if os.name != "posix":
            return f"not used on this system (cryptography {cryptography.__version__} is there)"
        data = folder / "data"
        data.mkdir(parents=True)
        key = folder / "secrets.key"
        key.write_bytes(os.urandom(KEY_BYTES))
        key.chmod(0o600)
        store = EncryptedFileKeyring(data / "secrets.bin", key, data / "secrets.lock")
        probe = os.urandom(8).hex()
        store.set_password("self-test", "probe", probe)
        if store.get_password("self-test", "probe") != probe or probe.encode() in (data / "secrets.bin").read_bytes():
            raise RuntimeError("the encrypted secrets file did not round-trip")
        return f"AES-256-GCM round trip through an encrypted secrets file (cryptography {cryptography.__version__})"

    return run


def run_self_test(basedir: Path | None, out: IO[str]) -> int:
    """Run every check, one line each; 0 when all pass, 1 naming the failed checks otherwise."""
    _use_offscreen_without_display()
    out.write(f"{APP_NAME} {__version__} self-test ({'bundle' if getattr(sys, 'frozen', False) else 'source'})\n")
    with tempfile.TemporaryDirectory(prefix="nvr-self-test-", ignore_cleanup_errors=True) as temporary:
        checks: list[tuple[str, Check]] = [
            ("database", check_database(basedir or Path(temporary))),
            ("video", check_video),
            ("tile", check_tile),
            ("resources", check_resources),
            ("secrets", check_secret_store(Path(temporary) / "secrets")),
        ]
        shared: Shared = {}
        failed: list[str] = []
        for name, check in checks:
            try:
                detail = check(shared)
            except Exception as exc:  # noqa: BLE001 - any failure is the check's result, reported by name
                failed.append(name)
                out.write(f"FAIL {name}: {type(exc).__name__}: {exc}\n")
            else:
                out.write(f"ok   {name}: {detail}\n")
            out.flush()
    if failed:
        out.write(f"self-test failed: {', '.join(failed)}\n")
        return 1
    out.write("self-test passed\n")
    return 0
