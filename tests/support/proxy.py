"""A TCP proxy on 127.0.0.1 that can go silent: the camera that keeps its connection open and stops sending.

Every accepted connection is joined to a new connection to the upstream address and bytes are copied both ways
until one side closes. While frozen, nothing is copied in either direction, yet every socket stays open: the client
sees a camera that has stopped talking without hanging up, the case only a read timeout can catch.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from types import TracebackType


class FreezableProxy:
    """Forwards 127.0.0.1:port to upstream; freeze() stops the bytes, thaw() lets them flow again."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._flowing = threading.Event()
        self._flowing.set()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept, name="freezable-proxy", daemon=True)
        self.connections = 0

    def start(self) -> FreezableProxy:
        """Start accepting."""
        self._acceptor.start()
        return self

    def freeze(self) -> None:
        """Stop copying bytes; every connection stays open."""
        self._flowing.clear()

    def thaw(self) -> None:
        """Copy bytes again."""
        self._flowing.set()

    def _accept(self) -> None:
        self._listener.settimeout(0.2)
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self.connections += 1
                self._sockets += [client, server]
                pump = threading.Thread(target=self._pump, args=(client, server), name="proxy-pump", daemon=True)
                self._threads.append(pump)
            pump.start()

    def _pump(self, client: socket.socket, server: socket.socket) -> None:
        peer = {client: server, server: client}
        with selectors.DefaultSelector() as selector:
            for sock in peer:
                sock.setblocking(False)
                selector.register(sock, selectors.EVENT_READ)
            while not self._stop.is_set():
                if not self._flowing.wait(0.1):
                    continue
                for key, _ in selector.select(0.1):
                    sock: socket.socket = key.fileobj  # type: ignore[assignment]
                    try:
                        data = sock.recv(65536)
                    except BlockingIOError:
                        continue
                    except OSError:
                        data = b""
                    if not data:
                        self._close(client, server)
                        return
                    try:
                        peer[sock].setblocking(True)
                        peer[sock].sendall(data)
                        peer[sock].setblocking(False)
                    except OSError:
                        self._close(client, server)
                        return
        self._close(client, server)

    def _close(self, *sockets: socket.socket) -> None:
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.close()

    def close(self) -> None:
        """Stop accepting, close every connection, join the threads."""
        self._stop.set()
        self._flowing.set()
        self._listener.close()
        self._acceptor.join(5)
        with self._lock:
            sockets, threads = list(self._sockets), list(self._threads)
        self._close(*sockets)
        for thread in threads:
            thread.join(5)

    def __enter__(self) -> FreezableProxy:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
