"""Real RTSP cameras for tests: tests/support/rtsp_server.py (gst-rtsp-server) run under Debian's python3.

The server needs python3-gi and gir1.2-gst-rtsp-server-1.0, which belong to the system interpreter, so it runs
as its own process; this module starts, stops and restarts it and names its URLs. Output goes to files (no
pipes, no reader threads), and a server whose test process dies exits by itself (it watches its parent).
"""

from __future__ import annotations

import functools
import os
import signal
import socket
import subprocess
import tempfile
import time
import weakref
from pathlib import Path
from types import TracebackType
from urllib.parse import quote

SERVER_SCRIPT = Path(__file__).with_name("rtsp_server.py")
GST_PYTHON = os.environ.get("NVR_TEST_GST_PYTHON", "/usr/bin/python3")
HOST = "127.0.0.1"
_EXIT_CANNOT_LISTEN = 3


class RtspServerError(RuntimeError):
    """The test RTSP server did not start (the message carries its stderr)."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (the kernel's pick)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@functools.cache
def gst_problem() -> str | None:
    """None when the RTSP server can run here, else why not (missing interpreter, bindings or elements)."""
    if not Path(GST_PYTHON).is_file():
        return f"{GST_PYTHON} not found (Debian's python3 with python3-gi runs the RTSP test server)"
    try:
        check = subprocess.run([GST_PYTHON, str(SERVER_SCRIPT), "--check"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{GST_PYTHON} {SERVER_SCRIPT.name} --check failed: {exc}"
    if check.returncode == 0 and check.stdout.startswith("OK"):
        return None
    return (check.stdout + check.stderr).strip() or f"--check exited {check.returncode}"


def gst_available() -> bool:
    """True when GStreamer's RTSP server and the elements the test server uses are installed."""
    return gst_problem() is None


def _kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()


class RtspTestServer:
    """One gst-rtsp-server process serving a clip on rtsp://127.0.0.1:PORT/cam1..camN."""

    def __init__(
        self,
        clip: Path | str,
        paths: int = 4,
        *,
        port: int | None = None,
        user: str | None = None,
        password: str | None = None,
        loop: bool = True,
        ready_timeout: float = 20.0,
    ) -> None:
        """Configure (not start) a server; port None picks a free one, kept across restart()."""
        self.clip = Path(clip)
        self.paths = paths
        self.user = user
        self.password = password
        self.loop = loop
        self.ready_timeout = ready_timeout
        self._port_chosen = port is not None
        self.port = port if port is not None else free_port()
        self._process: subprocess.Popen[bytes] | None = None
        self._finalizer: weakref.finalize[[subprocess.Popen[bytes]], RtspTestServer] | None = None
        self._logs = tempfile.TemporaryDirectory(prefix="nvr-rtsp-server-")
        self._cleanup_logs = weakref.finalize(self, self._logs.cleanup)

    @property
    def running(self) -> bool:
        """True while the server process is alive."""
        return self._process is not None and self._process.poll() is None

    @property
    def returncode(self) -> int | None:
        """The exit status of the last run (0 after a clean stop), None while running or before start()."""
        return self._process.poll() if self._process is not None else None

    @property
    def pid(self) -> int | None:
        """The server's process id, None before start()."""
        return self._process.pid if self._process is not None else None

    def url(self, n: int = 1, *, user: str | None = None, password: str | None = None) -> str:
        """rtsp://[user:password@]127.0.0.1:PORT/camN (credentials only when given)."""
        if not 1 <= n <= self.paths:
            raise ValueError(f"path {n} is not served (1..{self.paths})")
        auth = ""
        if user is not None:
            auth = quote(user, safe="") + (f":{quote(password, safe='')}" if password is not None else "") + "@"
        return f"rtsp://{auth}{HOST}:{self.port}/cam{n}"

    def auth_url(self, n: int = 1) -> str:
        """url(n) with this server's own credentials."""
        return self.url(n, user=self.user, password=self.password)

    def stderr_text(self) -> str:
        """What the server wrote on stderr since its last start."""
        path = Path(self._logs.name) / "stderr.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def start(self) -> RtspTestServer:
        """Start the server and wait for READY; raise RtspServerError (with stderr) if it does not come up."""
        if self.running:
            raise RtspServerError(f"RTSP test server already running on port {self.port}")
        if not self.clip.is_file():
            raise RtspServerError(f"clip not found: {self.clip}")
        attempts = 1 if self._port_chosen else 3
        for attempt in range(attempts):
            try:
                self._launch()
            except RtspServerError:
                cannot_listen = self._process is not None and self._process.returncode == _EXIT_CANNOT_LISTEN
                if not cannot_listen or attempt == attempts - 1:
                    raise
                self.port = free_port()  # someone took the port between free_port() and the bind
            else:
                self._port_chosen = True  # restart() must come back on the same port
                return self
        raise AssertionError("unreachable")

    def _launch(self) -> None:
        logs = Path(self._logs.name)
        command = [GST_PYTHON, "-u", str(SERVER_SCRIPT), "--port", str(self.port)]
        command += ["--clip", str(self.clip), "--paths", str(self.paths), "--parent-pid", str(os.getpid())]
        if self.user is not None:
            command += ["--user", self.user, "--password", self.password or ""]
        if self.loop:
            command.append("--loop")
        with (logs / "stdout.log").open("wb") as out, (logs / "stderr.log").open("wb") as err:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        self._process = process
        self._finalizer = weakref.finalize(self, _kill, process)
        deadline = time.monotonic() + self.ready_timeout
        expected = f"READY port={self.port}"
        while time.monotonic() < deadline:
            if expected in (logs / "stdout.log").read_text(encoding="utf-8", errors="replace"):
                return
            if process.poll() is not None:
                self.stop()
                raise RtspServerError(self._failure(f"exited with status {process.returncode}"))
            time.sleep(0.02)
        self.stop()
        raise RtspServerError(self._failure(f"sent no READY within {self.ready_timeout:g} s"))

    def _failure(self, what: str) -> str:
        stderr = self.stderr_text().strip() or "(empty)"
        return f"RTSP test server on 127.0.0.1:{self.port} {what}; its stderr:\n{stderr}"

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM the server, SIGKILL it if it has not exited after `timeout` seconds; no-op if stopped."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None

    def restart(self) -> None:
        """Stop, then start again on the same port (the camera-came-back case)."""
        self.stop()
        self.start()

    def close(self) -> None:
        """Stop the server and remove its log folder."""
        self.stop()
        self._cleanup_logs()

    def __enter__(self) -> RtspTestServer:
        """Start the server (if not running) and return it."""
        if not self.running:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the server."""
        self.close()
