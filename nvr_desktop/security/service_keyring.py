"""The file secret store: camera passwords in one encrypted file in the data folder, the key in a file outside it.

For the headless service, which has no desktop keyring session. It is used only when the configuration says
`[security] secret_store = "file"`: keyring's own backend discovery never picks it (its priority refuses), and the
vault accepts it only when the composition root built it from that setting.

`secrets.bin` (mode 0600, owned by the program's user) holds every entry as one AES-256-GCM blob under a fresh
nonce, so a changed byte anywhere makes the whole file unreadable with a clear error rather than a partial read.
The 32-byte key lives in its own file outside the data folder (the .deb: /etc/nvr-desktop/secrets.key, 0640
root:nvr-desktop), so a copy of the data folder or a database backup carries no usable password. Whoever can read
both files (root, the service user) can read the passwords.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import keyring.errors
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from keyring.backend import KeyringBackend
from keyring.compat import properties

#: File format and version; also the associated data every blob is authenticated with.
MAGIC = b"NVR-SECRETS/1\n"
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
#: Far above what a few hundred cameras' passwords take; a bigger file is not one of ours.
MAX_FILE_BYTES = 4 * 1024 * 1024
Entries = dict[str, dict[str, str]]


class SecretFileError(keyring.errors.KeyringError):
    """The key or the secrets file is missing, unsafe or damaged; the message says which and what to do."""


def _is_within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


class EncryptedFileKeyring(KeyringBackend):
    """A keyring backend over one encrypted file (`secrets_file`) and a separate key file (`key_file`)."""

    @properties.classproperty
    def priority(cls) -> float:
        """Never viable for keyring's discovery: only the app's configuration selects this store."""
        raise RuntimeError("the NVR Desktop file secret store is chosen by its configuration only")

    def __init__(self, secrets_file: Path, key_file: Path, lock_file: Path) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.secrets_file = secrets_file
        self.key_file = key_file
        self.lock_file = lock_file

    def describe(self) -> str:
        """Where the secrets and the key are."""
        return f"encrypted file {self.secrets_file} with the key in {self.key_file}"

    # ---- keyring API --------------------------------------------------------------------------------------

    def get_password(self, service: str, username: str) -> str | None:
        """The stored secret, or None."""
        with self._locked(exclusive=False):
            entries = self._read_entries(self._cipher())
        return entries.get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        """Store a secret, replacing the file atomically (other writers wait on the lock)."""
        with self._locked(exclusive=True):
            cipher = self._cipher()
            entries = self._read_entries(cipher)
            entries.setdefault(service, {})[username] = password
            self._write_entries(cipher, entries)

    def delete_password(self, service: str, username: str) -> None:
        """Forget a secret; PasswordDeleteError when there is none."""
        with self._locked(exclusive=True):
            cipher = self._cipher()
            entries = self._read_entries(cipher)
            if username not in entries.get(service, {}):
                raise keyring.errors.PasswordDeleteError("no such secret")
            del entries[service][username]
            if not entries[service]:
                del entries[service]
            self._write_entries(cipher, entries)

    # ---- checks -------------------------------------------------------------------------------------------

    def check(self) -> int:
        """Read the key and the secrets file as an operation would; the number of stored secrets."""
        with self._locked(exclusive=False):
            entries = self._read_entries(self._cipher())
        return sum(len(keys) for keys in entries.values())

    def _cipher(self) -> AESGCM:
        """The AES-GCM cipher from the key file, after checking where it is, its owner, mode and size."""
        key_path = self.key_file
        if not key_path.is_absolute():
            raise SecretFileError(f"the key file {key_path} is not an absolute path")
        data_folder = self.secrets_file.parent.resolve()
        if _is_within(key_path.resolve(), data_folder):
            raise SecretFileError(
                f"the key file {key_path} is inside the data folder {data_folder}: keep it outside (for example "
                "/etc/nvr-desktop/secrets.key), so a copy of the data folder carries no usable password"
            )
        try:
            fd = os.open(key_path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            raise SecretFileError(
                f"the key file {key_path} does not exist: create it with 32 random bytes, readable only by its owner "
                "(and the service's group), e.g. `head -c 32 /dev/urandom > FILE; chmod 0600 FILE`"
            ) from None
        except OSError as err:
            raise SecretFileError(
                f"cannot read the key file {key_path}: {err.strerror or err} (this program runs as user id "
                f"{os.geteuid()}; the .deb makes it 0640 root:nvr-desktop)"
            ) from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise SecretFileError(f"the key file {key_path} is not a regular file")
            if info.st_uid not in (0, os.geteuid()):
                raise SecretFileError(
                    f"the key file {key_path} belongs to user id {info.st_uid}: it must belong to root or to the "
                    "user this program runs as"
                )
            mode = stat.S_IMODE(info.st_mode)
            if mode & 0o037:
                raise SecretFileError(
                    f"the key file {key_path} has mode {mode:04o}: others (and its group, for writing) must have no "
                    "access; use 0600, or 0640 with the service's group"
                )
            key = os.read(fd, KEY_BYTES + 1)
        finally:
            os.close(fd)
        if len(key) != KEY_BYTES:
            size = f"more than {KEY_BYTES}" if len(key) > KEY_BYTES else str(len(key))
            raise SecretFileError(
                f"the key file {key_path} holds {size} bytes: it must be exactly {KEY_BYTES} random bytes"
            )
        return AESGCM(key)

    # ---- the secrets file ---------------------------------------------------------------------------------

    def _read_entries(self, cipher: AESGCM) -> Entries:
        path = self.secrets_file
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return {}
        except OSError as err:
            raise SecretFileError(f"cannot read the secrets file {path}: {err.strerror or err}") from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise SecretFileError(f"the secrets file {path} is not a regular file")
            if os.geteuid() != 0 and info.st_uid != os.geteuid():
                raise SecretFileError(
                    f"the secrets file {path} belongs to user id {info.st_uid}, not to this program's user "
                    f"({os.geteuid()})"
                )
            mode = stat.S_IMODE(info.st_mode)
            if mode & 0o077:
                raise SecretFileError(
                    f"the secrets file {path} has mode {mode:04o}: only its owner may have access (chmod 0600)"
                )
            if info.st_size > MAX_FILE_BYTES:
                raise SecretFileError(f"the secrets file {path} is {info.st_size} bytes: too big to be one of ours")
            blob = b""
            while chunk := os.read(fd, MAX_FILE_BYTES + 1 - len(blob)):
                blob += chunk
                if len(blob) > MAX_FILE_BYTES:
                    raise SecretFileError(f"the secrets file {path} is too big to be one of ours")
        finally:
            os.close(fd)
        return self._decrypt(cipher, blob)

    def _decrypt(self, cipher: AESGCM, blob: bytes) -> Entries:
        path = self.secrets_file
        if not blob.startswith(MAGIC):
            raise SecretFileError(f"the secrets file {path} is not an NVR Desktop secrets file (or it is damaged)")
        body = blob[len(MAGIC) :]
        if len(body) < NONCE_BYTES + TAG_BYTES:
            raise SecretFileError(f"the secrets file {path} is truncated")
        try:
            plain = cipher.decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:], MAGIC)
        except InvalidTag:
            raise SecretFileError(
                f"the secrets file {path} cannot be decrypted with the key in {self.key_file}: the key is not the "
                "one it was written with, or the file was altered; nothing was read from it"
            ) from None
        try:
            entries = json.loads(plain.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            entries = None
        if not isinstance(entries, dict) or not all(
            isinstance(service, str)
            and isinstance(keys, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in keys.items())
            for service, keys in entries.items()
        ):
            raise SecretFileError(f"the secrets file {path} decrypts but its contents are malformed")
        return entries

    def _write_entries(self, cipher: AESGCM, entries: Entries) -> None:
        """Encrypt everything under a fresh nonce; temp file, fsync, rename, fsync the folder."""
        path = self.secrets_file
        nonce = os.urandom(NONCE_BYTES)
        plain = json.dumps(entries, separators=(",", ":"), sort_keys=True).encode("utf-8")
        blob = MAGIC + nonce + cipher.encrypt(nonce, plain, MAGIC)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()  # left by a crash of an earlier process with this id; it holds only ciphertext
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
            try:
                os.fchmod(fd, 0o600)
                self._give_to_folder_owner(fd)
                view = memoryview(blob)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, path)
        except OSError as err:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise SecretFileError(f"cannot write the secrets file {path}: {err.strerror or err}") from None
        with contextlib.suppress(OSError):  # the rename is durable once the folder is synced
            folder = os.open(path.parent, os.O_RDONLY | os.O_CLOEXEC)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)

    def _give_to_folder_owner(self, fd: int) -> None:
        """Run as root (an admin's `sudo nvr-desktop --basedir ...`), hand the file to the data folder's owner so
        the service can still read and lock it."""
        if os.geteuid() == 0:
            owner = os.stat(self.secrets_file.parent)
            os.fchown(fd, owner.st_uid, owner.st_gid)

    @contextlib.contextmanager
    def _locked(self, *, exclusive: bool) -> Iterator[None]:
        """Hold secrets.lock (shared to read, exclusive to change) so the GUI or CLI and the service never lose
        each other's entries in a read-modify-write."""
        try:
            import fcntl
        except ImportError:
            raise SecretFileError(
                "the file secret store works on Linux and macOS only; use the OS keyring here"
            ) from None
        try:
            fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as err:
            raise SecretFileError(f"cannot open the lock file {self.lock_file}: {err.strerror or err}") from None
        try:
            self._give_to_folder_owner(fd)
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            yield
        finally:
            os.close(fd)  # closing releases the lock
