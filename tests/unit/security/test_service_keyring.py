"""The file secret store on real files: encryption, key and file permissions, damage, concurrent writers, and that
nothing selects it but the configuration."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import pytest

from nvr_desktop.app import build_services
from nvr_desktop.core.errors import SecretStoreError
from nvr_desktop.core.paths import Paths
from nvr_desktop.core.urls import SecretRegistry
from nvr_desktop.security.service_keyring import MAGIC, EncryptedFileKeyring
from nvr_desktop.security.vault import CredentialVault
from nvr_desktop.services.cameras import CameraSpec

CANARY = "canary-Pa55-\u00e9\u4e2d-7f3a"  # non-ASCII too: it must not show up in clear in any encoding


def make_key(path: Path, mode: int = 0o600, size: int = 32) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(size))
    path.chmod(mode)
    return path


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


@pytest.fixture
def key(tmp_path: Path) -> Path:
    return make_key(tmp_path / "etc" / "secrets.key")


def store_over(data: Path, key: Path) -> EncryptedFileKeyring:
    paths = Paths(data)
    return EncryptedFileKeyring(paths.secrets, key, paths.secrets_lock)


def vault_over(data: Path, key: Path) -> CredentialVault:
    return CredentialVault("nvr-desktop/test", SecretRegistry(), store_over(data, key), file_store_configured=True)


def assert_not_in_clear(blob: bytes, secret: str = CANARY) -> None:
    for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
        assert secret.encode(encoding) not in blob
    assert secret.encode("unicode_escape") not in blob
    assert secret.encode("ascii", "backslashreplace") not in blob


def test_round_trip_in_an_encrypted_file(data: Path, key: Path) -> None:
    vault = vault_over(data, key)
    assert vault.available()
    vault.store(7, CANARY)
    vault.store_edge_token("pi-1", "edge-token-1")
    secrets = data / "secrets.bin"
    assert secrets.stat().st_mode & 0o777 == 0o600
    blob = secrets.read_bytes()
    assert blob.startswith(MAGIC)
    assert_not_in_clear(blob)
    assert b"camera:7" not in blob, "even the entry names are encrypted"
    # A second, independent store over the same files reads it back.
    again = vault_over(data, key)
    assert again.load(7) == CANARY
    assert again.load_edge_token("pi-1") == "edge-token-1"
    assert again.load(8) is None
    vault.delete(7)
    assert again.load(7) is None
    assert again.load_edge_token("pi-1") == "edge-token-1"
    vault.delete(7)  # deleting twice is fine
    assert not list(data.glob(".secrets.bin.*")), "no temp file is left behind"


def test_each_write_uses_a_fresh_nonce(data: Path, key: Path) -> None:
    vault = vault_over(data, key)
    vault.store(1, "same")
    first = (data / "secrets.bin").read_bytes()
    vault.store(1, "same")
    assert (data / "secrets.bin").read_bytes() != first


def test_another_key_cannot_read_the_file(data: Path, key: Path, tmp_path: Path) -> None:
    vault_over(data, key).store(1, CANARY)
    other = make_key(tmp_path / "other.key")
    with pytest.raises(SecretStoreError, match=r"cannot be decrypted with the key in .*other\.key"):
        vault_over(data, other).load(1)


@pytest.mark.parametrize(
    ("mode", "size", "message"),
    [
        (0o644, 32, "mode 0644: others"),
        (0o604, 32, "mode 0604"),
        (0o660, 32, "mode 0660"),
        (0o600, 16, "holds 16 bytes: it must be exactly 32"),
        (0o600, 33, "holds more than 32 bytes"),
        (0o600, 0, "holds 0 bytes"),
    ],
)
def test_an_unsafe_or_wrong_key_is_refused_and_nothing_stored(
    data: Path, tmp_path: Path, mode: int, size: int, message: str
) -> None:
    bad = make_key(tmp_path / "bad.key", mode, size)
    vault = vault_over(data, bad)
    with pytest.raises(SecretStoreError, match=message):
        vault.store(1, CANARY)
    assert not (data / "secrets.bin").exists()


def test_a_group_readable_key_is_fine(data: Path, tmp_path: Path) -> None:
    vault = vault_over(data, make_key(tmp_path / "k", 0o640))
    vault.store(1, "x")
    assert vault.load(1) == "x"


def test_a_missing_key_or_one_in_the_data_folder_is_refused(data: Path, tmp_path: Path) -> None:
    with pytest.raises(SecretStoreError, match="does not exist: create it with 32 random bytes"):
        vault_over(data, tmp_path / "nowhere.key").store(1, CANARY)
    inside = make_key(data / "keys" / "secrets.key")
    with pytest.raises(SecretStoreError, match="inside the data folder"):
        vault_over(data, inside).store(1, CANARY)
    with pytest.raises(SecretStoreError, match="not a regular file"):
        vault_over(data, tmp_path).store(1, CANARY)
    assert not (data / "secrets.bin").exists()


@pytest.mark.parametrize("mode", [0o640, 0o620, 0o604, 0o666])
def test_a_secrets_file_others_can_reach_is_refused(data: Path, key: Path, mode: int) -> None:
    vault = vault_over(data, key)
    vault.store(1, CANARY)
    (data / "secrets.bin").chmod(mode)
    with pytest.raises(SecretStoreError, match=f"mode {mode:04o}: only its owner"):
        vault.load(1)
    with pytest.raises(SecretStoreError, match="only its owner"):
        vault.store(2, "other")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda b: b[:-1] + bytes([b[-1] ^ 1]), "cannot be decrypted .* altered"),
        (lambda b: b[: len(b) // 2], "cannot be decrypted"),
        (lambda b: b[: len(MAGIC) + 5], "truncated"),
        (lambda b: b"", "not an NVR Desktop secrets file"),
        (lambda b: b"garbage" + b[7:], "not an NVR Desktop secrets file"),
        (lambda b: MAGIC + bytes(reversed(b[len(MAGIC) :])), "cannot be decrypted"),
    ],
)
def test_a_damaged_secrets_file_is_refused_clearly(data: Path, key: Path, damage: Any, message: str) -> None:
    vault = vault_over(data, key)
    vault.store(1, CANARY)
    vault.store(2, "second")
    secrets = data / "secrets.bin"
    damaged = damage(secrets.read_bytes())
    secrets.write_bytes(damaged)
    with pytest.raises(SecretStoreError, match=message):
        vault.load(2)
    with pytest.raises(SecretStoreError, match=message):  # and a write never replaces what it cannot read
        vault.store(3, "third")
    assert secrets.read_bytes() == damaged


def test_well_encrypted_nonsense_is_refused(data: Path, key: Path) -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    blob = AESGCM(key.read_bytes()).encrypt(nonce, b'{"svc": {"user": 5}}', MAGIC)
    (data / "secrets.bin").write_bytes(MAGIC + nonce + blob)
    (data / "secrets.bin").chmod(0o600)
    with pytest.raises(SecretStoreError, match="contents are malformed"):
        vault_over(data, key).load(1)


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from nvr_desktop.core.paths import Paths
    from nvr_desktop.security.service_keyring import EncryptedFileKeyring
    paths = Paths(Path(sys.argv[1]))
    store = EncryptedFileKeyring(paths.secrets, Path(sys.argv[2]), paths.secrets_lock)
    for i in range(int(sys.argv[4])):
        store.set_password("svc", f"{sys.argv[3]}-{i}", f"secret-{sys.argv[3]}-{i}")
    """
)


def test_two_processes_writing_lose_nothing(data: Path, key: Path) -> None:
    count = 40
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(data), str(key), name, str(count)])
        for name in ("gui", "service")
    ]
    for writer in writers:
        assert writer.wait(timeout=120) == 0
    store = store_over(data, key)
    for name in ("gui", "service"):
        for i in range(count):
            assert store.get_password("svc", f"{name}-{i}") == f"secret-{name}-{i}"


def test_keyring_never_discovers_the_file_store(data: Path, key: Path) -> None:
    assert EncryptedFileKeyring in keyring.backend.KeyringBackend._classes  # registered by keyring's metaclass
    assert not EncryptedFileKeyring.viable
    assert not any(isinstance(b, EncryptedFileKeyring) for b in keyring.backend.get_all_keyring())
    # Built by hand but not chosen by the configuration, the vault counts it as no secure storage.
    vault = CredentialVault("nvr-desktop/test", SecretRegistry(), store_over(data, key))
    assert not vault.available()
    with pytest.raises(SecretStoreError, match="no secure credential storage"):
        vault.store(1, CANARY)
    assert not (data / "secrets.bin").exists()


def test_the_keyring_stays_the_default(basedir: Path, key: Path) -> None:
    services = build_services(basedir)
    try:
        assert not isinstance(services.vault.backend, EncryptedFileKeyring)
    finally:
        services.close()
    assert not (basedir / "secrets.bin").exists()


def test_the_configuration_selects_the_file_store(basedir: Path, key: Path) -> None:
    (basedir / "config.toml").write_text(
        f"version = 1\n[security]\nbcrypt_rounds = 4\nsecret_store = 'file'\nsecret_key_file = '{key}'\n"
    )
    services = build_services(basedir)
    try:
        assert isinstance(services.vault.backend, EncryptedFileKeyring)
        assert services.vault.available()
        services.users.create_first_admin("boss", "correct-horse", actor="test")
        boss = services.auth.login("boss", "correct-horse")
        camera = services.cameras.add(boss, CameraSpec(name="Yard", main_url=f"rtsp://u:{CANARY}@127.0.0.1/x"))
        assert services.cameras.stream_url(boss, camera.id) == f"rtsp://u:{CANARY}@127.0.0.1/x".replace(
            CANARY, "canary-Pa55-%C3%A9%E4%B8%AD-7f3a"
        )
        assert keyring.get_password(services.vault.service, f"camera:{camera.id}") is None, "not in the OS keyring"
    finally:
        services.close()
    blobs = [p.read_bytes() for p in basedir.rglob("*") if p.is_file()]
    assert blobs, "the data folder has files"
    for blob in blobs:  # the secrets file, the database (and its WAL), the log
        assert_not_in_clear(blob)
        assert_not_in_clear(blob, "canary-Pa55-%C3%A9%E4%B8%AD-7f3a")
    assert "camera passwords: encrypted file" in (basedir / "logs" / "nvr.log").read_text()


def test_a_configured_store_without_its_key_logs_and_refuses(basedir: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.key"
    (basedir / "config.toml").write_text(
        f"version = 1\n[security]\nbcrypt_rounds = 4\nsecret_store = 'file'\nsecret_key_file = '{missing}'\n"
    )
    services = build_services(basedir)
    try:
        services.users.create_first_admin("boss", "correct-horse", actor="test")
        boss = services.auth.login("boss", "correct-horse")
        with pytest.raises(SecretStoreError, match=r"missing\.key does not exist"):
            services.cameras.add(boss, CameraSpec(name="Yard", main_url="rtsp://u:pw-1234@127.0.0.1/x"))
        assert services.cameras.list(boss) == []
        services.cameras.add(boss, CameraSpec(name="Open", main_url="rtsp://127.0.0.1/x"))  # no password: fine
    finally:
        services.close()
    log = (basedir / "logs" / "nvr.log").read_text()
    assert "camera passwords cannot be stored or read" in log
    assert not (basedir / "secrets.bin").exists()


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="changing file owners needs root")


@needs_root
def test_a_key_owned_by_another_user_is_refused(data: Path, key: Path) -> None:
    os.chown(key, 4321, 4321)
    with pytest.raises(SecretStoreError, match="belongs to user id 4321: it must belong to root"):
        vault_over(data, key).store(1, CANARY)
    assert not (data / "secrets.bin").exists()


@needs_root
def test_root_writes_for_the_data_folder_owner(data: Path, key: Path) -> None:
    """An admin's `sudo nvr-desktop --basedir /var/lib/nvr-desktop ...` must leave files the service can use."""
    os.chown(data, 4321, 4322)
    vault_over(data, key).store(1, CANARY)
    for name in ("secrets.bin", "secrets.lock"):
        info = (data / name).stat()
        assert (info.st_uid, info.st_gid, info.st_mode & 0o777) == (4321, 4322, 0o600), name
