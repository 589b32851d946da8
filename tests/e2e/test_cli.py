"""The admin CLI through the real entry point: users, cameras, rights, bad input, and no leaked secret."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from nvr_desktop import __version__

from .conftest import ROOT, Run

pytestmark = pytest.mark.e2e
CANARY = "C4nary p@ss/wörd!"


def _setup(nvr: Run) -> None:
    done = nvr("users", "add", "admin", "--role", "admin", "--password-stdin", stdin="admin-pass-1\n")
    assert done.returncode == 0, done.stderr


def test_version_and_help(nvr: Run) -> None:
    done = nvr("--version")
    assert done.returncode == 0 and __version__ in done.stdout
    done = nvr("--help")
    assert done.returncode == 0
    for word in ("--basedir", "--headless", "users", "cameras"):
        assert word in done.stdout


def test_camera_password_appears_nowhere(nvr: Run, basedir: Path) -> None:
    _setup(nvr)
    done = nvr(
        "cameras",
        "add",
        "--name",
        "Door",
        "--url",
        "rtsp://admin@127.0.0.1:8554/cam1",
        "--sub-url",
        "rtsp://127.0.0.1:8554/cam1_sub",
        "--password-stdin",
        stdin=CANARY + "\n",
    )
    assert done.returncode == 0, done.stderr
    # Credentials typed into the URL itself move out of it too.
    encoded = quote(CANARY, safe="")
    done = nvr("cameras", "add", "--name", "Yard", "--url", f"rtsp://op:{encoded}@127.0.0.1:8554/cam2")
    assert done.returncode == 0, done.stderr
    listed = nvr("cameras", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    cams = json.loads(listed.stdout)
    assert [(c["id"], c["name"], c["has_password"]) for c in cams] == [(1, "Door", True), (2, "Yard", True)]
    assert cams[1]["main_url"] == "rtsp://127.0.0.1:8554/cam2" and cams[1]["username"] == "op"
    # A failing command that echoes the URL must not leak it either.
    bad = nvr("cameras", "add", "--name", "Yard", "--url", f"rtsp://op:{encoded}@127.0.0.1:8554/cam9")
    assert bad.returncode == 4 and "already exists" in bad.stderr
    forms = {CANARY, encoded, quote_plus(CANARY), quote(CANARY)}
    texts = {"cameras list --json": listed.stdout, "stderr": bad.stderr + done.stderr}
    blobs = {p: p.read_bytes() for p in basedir.rglob("*") if p.is_file()}
    assert any(p.suffix == ".sqlite3" for p in blobs) and any(p.name == "nvr.log" for p in blobs)
    for form in forms:
        for name, text in texts.items():
            assert form not in text, f"password leaked into {name}"
        for path, blob in blobs.items():
            for encoding in ("utf-8", "utf-16-le"):
                assert form.encode(encoding) not in blob, f"password leaked into {path}"


def test_viewer_cannot_list_or_open_unassigned_cameras(nvr: Run) -> None:
    _setup(nvr)
    for name in ("Gate", "Vault"):
        assert nvr("cameras", "add", "--name", name, "--url", f"rtsp://127.0.0.1/{name}").returncode == 0
    assert nvr("users", "add", "vic", "--role", "viewer", "--password-stdin", stdin="viewer-pass-1\n").returncode == 0
    assert nvr("users", "grant", "vic", "--camera", "1").returncode == 0
    listed = nvr("--as-user", "vic", "cameras", "list", "--json", stdin="viewer-pass-1\n")
    assert listed.returncode == 0, listed.stderr
    assert [c["name"] for c in json.loads(listed.stdout)] == ["Gate"]
    shown = nvr("--as-user", "vic", "cameras", "show", "2", stdin="viewer-pass-1\n")
    assert shown.returncode == 6
    assert "not allowed to live view on camera 2" in shown.stderr
    users = nvr("--as-user", "vic", "users", "list", stdin="viewer-pass-1\n")
    assert users.returncode == 6 and "not allowed to manage users" in users.stderr
    wrong = nvr("--as-user", "vic", "cameras", "list", stdin="bad-guess\n")
    assert wrong.returncode == 5 and "wrong user name or password" in wrong.stderr
    audit = json.loads(nvr("audit", "list", "--json").stdout)
    assert any(e["actor"] == "vic" and e["action"] == "camera.open" and not e["success"] for e in audit)
    assert any(e["actor"].startswith("cli:") and e["action"] == "camera.add" for e in audit)


def test_users_list_json_and_lifecycle(nvr: Run) -> None:
    _setup(nvr)
    assert nvr("users", "add", "olga", "--role", "Operator", "--password-stdin", stdin="olga-pass-1\n").returncode == 0
    users = json.loads(nvr("users", "list", "--json").stdout)
    assert [(u["name"], u["role"]) for u in users] == [("admin", "admin"), ("olga", "operator")]
    assert all(isinstance(u["id"], int) for u in users)
    assert nvr("users", "passwd", "olga", "--password-stdin", stdin="olga-pass-2\n").returncode == 0
    assert nvr("--as-user", "olga", "cameras", "list", stdin="olga-pass-2\n").returncode == 0
    assert nvr("users", "remove", "olga").returncode == 0
    assert [u["name"] for u in json.loads(nvr("users", "list", "--json").stdout)] == ["admin"]


@pytest.mark.parametrize(
    ("args", "stdin", "code", "message"),
    [
        (
            ("users", "add", "x", "--role", "god", "--password-stdin"),
            "long-enough\n",
            2,
            "unknown role 'god'",
        ),
        (
            ("users", "add", "x", "--role", "viewer", "--password-stdin"),
            "short\n",
            2,
            "at least 8 characters",
        ),
        (("users", "add", "x", "--role", "viewer", "--password-stdin"), "", 2, "got end of input"),
        (("users", "add", "x", "--role", "viewer"), "", 2, "pipe it in with --password-stdin"),
        (("users", "remove", "ghost"), "", 3, "no user named 'ghost'"),
        (("users", "remove", "admin"), "", 4, "last admin"),
        (("users", "grant", "admin", "--camera", "abc"), "", 2, "not a camera id"),
        (
            ("cameras", "add", "--name", "E", "--url", "file:///etc/passwd"),
            "",
            2,
            "unsupported URL scheme file:",
        ),
        (("cameras", "add", "--name", "E", "--url", "-i"), "", 2, "expected one argument"),
        (("cameras", "add", "--name", "E", "--url=-f lavfi"), "", 2, "cannot start with '-'"),
        (("cameras", "show", "42"), "", 3, "no camera with id 42"),
        (("cameras", "update", "42", "--name", "N"), "", 3, "no camera with id 42"),
        (
            (
                "cameras",
                "frobnicate",
            ),
            "",
            2,
            "invalid choice",
        ),
    ],
)
def test_bad_input_gets_a_clear_error_and_exit_code(
    nvr: Run, args: tuple[str, ...], stdin: str, code: int, message: str
) -> None:
    _setup(nvr)
    done = nvr(*args, stdin=stdin)
    assert done.returncode == code, (done.stdout, done.stderr)
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_broken_config_file_is_reported_not_crashed(nvr: Run, basedir: Path) -> None:
    (basedir / "config.toml").write_text("version = 1\n[ui]\nlanguge = 'es'\n")
    done = nvr("users", "list")
    assert done.returncode == 8
    assert "unknown key 'ui.languge'" in done.stderr and "Traceback" not in done.stderr


def test_headless_stops_cleanly_on_sigterm(basedir: Path, app_env: dict[str, str]) -> None:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--basedir", str(basedir), "--headless"],
        stdin=subprocess.DEVNULL,  # as a service: no terminal, so no first-run prompt even under `make test` in one
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=app_env,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        lines = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if "running headless" in line:
                break
        assert any("running headless" in line for line in lines), lines
        assert any("No account exists yet" in line for line in lines)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
        assert "stopped" in out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    log = (basedir / "logs" / "nvr.log").read_text()
    assert "service.start" in log and "service.stop" in log


def test_rtsp_transport_is_kept_per_camera(nvr: Run) -> None:
    _setup(nvr)
    assert nvr("cameras", "add", "--name", "Udp", "--url", "rtsp://127.0.0.1/a", "--transport", "udp").returncode == 0
    assert nvr("cameras", "add", "--name", "Tcp", "--url", "rtsp://127.0.0.1/b").returncode == 0
    cams = json.loads(nvr("cameras", "list", "--json").stdout)
    assert [(c["name"], c["transport"]) for c in cams] == [("Udp", "udp"), ("Tcp", "tcp")]
    assert nvr("cameras", "update", "1", "--transport", "tcp").returncode == 0
    assert json.loads(nvr("cameras", "show", "1", "--json").stdout)["transport"] == "tcp"


def test_headless_first_run_creates_the_admin_on_a_terminal(basedir: Path, app_env: dict[str, str]) -> None:
    """A real pseudo-terminal: the first headless start asks for the administrator, refusing a short password."""
    import os
    import pty
    import select

    pid, fd = pty.fork()
    if pid == 0:  # the child becomes the app, with the terminal as stdin/stdout
        os.execve(  # noqa: S606 - a fixed interpreter and script, no shell involved
            sys.executable, [sys.executable, str(ROOT / "main.py"), "--basedir", str(basedir), "--headless"], app_env
        )
    screen = ""
    seen_upto = 0

    def read_until(text: str, timeout: float = 30) -> None:
        """Wait for text to appear after what the last call already matched."""
        nonlocal screen, seen_upto
        deadline = time.monotonic() + timeout
        while text not in screen[seen_upto:]:
            assert time.monotonic() < deadline, f"never saw {text!r}; screen: {screen[-500:]!r}"
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the terminal closed: the app ended
                break
            screen += chunk.decode(errors="replace")
        assert text in screen[seen_upto:], f"never saw {text!r}; screen: {screen[-500:]!r}"
        seen_upto = screen.index(text, seen_upto) + len(text)

    try:
        read_until("user name [admin]:")
        os.write(fd, b"chief\n")
        read_until("password:")
        os.write(fd, b"short\n")
        read_until("Repeat the new password:")
        os.write(fd, b"short\n")
        read_until("at least 8 characters")
        read_until("user name [admin]:")
        os.write(fd, b"chief\n")
        read_until("password:")
        os.write(fd, b"long-enough-pw\n")
        read_until("Repeat the new password:")
        os.write(fd, b"long-enough-pw\n")
        read_until("running headless")
        assert "created the administrator 'chief'" in screen
        assert "long-enough-pw" not in screen, "passwords are not echoed"
        os.kill(pid, signal.SIGTERM)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(fd)
    from nvr_desktop.app import build_services

    services = build_services(basedir)
    try:
        assert services.auth.login("chief", "long-enough-pw").role.value == "admin"
    finally:
        services.close()


def test_edge_devices_are_paired_listed_and_revoked(nvr: Run, basedir: Path) -> None:
    done = nvr("edge", "add", "pi-door-1", "--name", "Door Pi", "--json")
    assert done.returncode == 0, done.stderr
    paired = json.loads(done.stdout)
    token = paired["pairing_token"]
    assert paired["device_id"] == "pi-door-1" and len(token) == 43
    listed = nvr("edge", "list", "--json")
    assert json.loads(listed.stdout)[0]["name"] == "Door Pi" and token not in listed.stdout
    assert json.loads(listed.stdout)[0]["online"] is False, "never heard from"
    table = nvr("edge", "list").stdout
    assert "ONLINE" in table and "QUEUE_LENGTH" in table and "pi-door-1" in table
    assert token not in (basedir / "nvr.sqlite3").read_bytes().decode("latin-1")
    assert nvr("edge", "add", "pi-door-1").returncode == 4  # already paired
    bad = nvr("edge", "add", "../../etc/passwd")
    assert bad.returncode == 2 and "device id" in bad.stderr
    assert nvr("edge", "revoke", "pi-door-1").returncode == 0
    assert json.loads(nvr("edge", "list", "--json").stdout)[0]["revoked_at"] is not None
    assert nvr("edge", "revoke", "nobody").returncode == 3
