#!/usr/bin/python3
"""A loopback RTSP test server (gst-rtsp-server) serving one H.264 MP4 clip on /cam1../camN.

Runs under Debian's /usr/bin/python3 (python3-gi, gir1.2-gst-rtsp-server-1.0), not the project's venv.
Each path has its own shared factory (one pipeline per path, however many clients). Without --loop a path
plays the clip once (filesrc); with --loop it replays the clip's samples forever with increasing timestamps.
Prints "READY port=PORT" on stdout once serving; exits 0 on SIGTERM/SIGINT, or when its parent (--parent-pid)
goes away, so a crashed test run leaves no server behind.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from dataclasses import dataclass
from typing import Any

REQUIRED_ELEMENTS = ("filesrc", "qtdemux", "h264parse", "rtph264pay", "appsrc", "appsink")


def _import_gst() -> tuple[Any, Any, Any]:
    import gi

    gi.require_version("Gst", "1.0")
    gi.require_version("GstRtspServer", "1.0")
    from gi.repository import GLib, Gst, GstRtspServer

    Gst.init(None)
    missing = [name for name in REQUIRED_ELEMENTS if Gst.ElementFactory.find(name) is None]
    if missing:
        raise RuntimeError(f"GStreamer elements missing: {', '.join(missing)}")
    return GLib, Gst, GstRtspServer


def check() -> int:
    """Exit 0 and print OK when the bindings and elements this server needs are installed."""
    try:
        _, gst, _ = _import_gst()
    except Exception as exc:  # noqa: BLE001 - any import problem is the answer
        print(f"MISSING {type(exc).__name__}: {exc}", flush=True)
        return 1
    print(f"OK {gst.version_string()}", flush=True)
    return 0


@dataclass
class Clip:
    """The clip's H.264 access units (avc, one per buffer) and caps, read at start; --loop replays them."""

    caps: Any
    buffers: list[Any]
    pts: list[int]  # from 0, in nanoseconds
    frame_duration: int
    duration: int


def read_clip(gst: Any, path: str, timeout_s: float = 60.0) -> Clip:
    """Demux the whole clip into memory with filesrc ! qtdemux ! h264parse ! appsink."""
    pipeline = gst.parse_launch(
        "filesrc name=file ! qtdemux ! h264parse ! "
        "video/x-h264,stream-format=avc,alignment=au ! appsink name=sink sync=false"
    )
    pipeline.get_by_name("file").set_property("location", path)
    sink = pipeline.get_by_name("sink")
    bus = pipeline.get_bus()
    pipeline.set_state(gst.State.PLAYING)
    caps = None
    buffers: list[Any] = []
    problem = ""
    deadline = time.monotonic() + timeout_s
    while True:
        sample = sink.emit("try-pull-sample", gst.SECOND // 10)
        if sample is not None:
            caps = caps or sample.get_caps()
            buffers.append(sample.get_buffer())
            continue
        if sink.get_property("eos"):
            break
        error = bus.pop_filtered(gst.MessageType.ERROR)
        if error is not None:
            problem = error.parse_error()[0].message
            break
        if time.monotonic() > deadline:
            problem = f"no end of stream after {timeout_s:g} s"
            break
    pipeline.set_state(gst.State.NULL)
    if problem or caps is None or not buffers:
        raise RuntimeError(f"cannot read {path}: {problem or 'no H.264 video samples'}")
    structure = caps.get_structure(0)
    ok, num, den = structure.get_fraction("framerate")
    frame_duration = gst.SECOND * den // num if ok and num > 0 else gst.SECOND // 25
    pts = [buffer.pts - buffers[0].pts for buffer in buffers]
    duration = pts[-1] + frame_duration
    return Clip(caps=caps, buffers=buffers, pts=pts, frame_duration=frame_duration, duration=duration)


@dataclass
class LoopFeed:
    """Feeds one media's appsrc with the clip's buffers, forever, timestamps growing across loops."""

    gst: Any
    clip: Clip
    index: int = 0
    offset: int = 0

    def need_data(self, appsrc: Any, _length: int) -> None:
        """Push the next access unit (appsrc need-data handler, streaming thread)."""
        source = self.clip.buffers[self.index]
        # Buffer.copy() in PyGObject hands back the same buffer: copy_region makes a new one (memory shared).
        flags = self.gst.BufferCopyFlags
        buffer = source.copy_region(flags.FLAGS | flags.META | flags.MEMORY, 0, source.get_size())
        pts = self.clip.pts[self.index] + self.offset
        buffer.pts = pts
        buffer.dts = pts
        buffer.duration = self.clip.frame_duration
        appsrc.emit("push-buffer", buffer)
        self.index += 1
        if self.index == len(self.clip.buffers):
            self.index = 0
            self.offset += self.clip.duration


def build_server(args: argparse.Namespace, glib: Any, gst: Any, rtsp: Any) -> Any:
    """An RTSPServer on 127.0.0.1:port with one shared factory per /camN, optionally behind basic auth."""
    server = rtsp.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    clip = read_clip(gst, args.clip)  # also checks the clip before READY, loop or not
    if args.loop:
        launch = (
            "( appsrc name=src is-live=false format=time ! "
            "h264parse config-interval=-1 ! rtph264pay name=pay0 pt=96 config-interval=-1 )"
        )
    else:
        launch = (
            f'( filesrc location="{args.clip}" ! qtdemux ! h264parse config-interval=-1 ! '
            "rtph264pay name=pay0 pt=96 config-interval=-1 )"
        )
    if args.user is not None:
        auth = rtsp.RTSPAuth()
        token = rtsp.RTSPToken()
        token.set_string(rtsp.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "user")
        auth.add_basic(rtsp.RTSPAuth.make_basic(args.user, args.password or ""), token)
        server.set_auth(auth)
    mounts = server.get_mount_points()
    for n in range(1, args.paths + 1):
        factory = rtsp.RTSPMediaFactory()
        factory.set_launch(launch)
        factory.set_shared(True)
        if args.user is not None:
            permissions = rtsp.RTSPPermissions()
            permissions.add_permission_for_role("user", rtsp.RTSP_PERM_MEDIA_FACTORY_ACCESS, True)
            permissions.add_permission_for_role("user", rtsp.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, True)
            factory.set_permissions(permissions)
        if args.loop:
            factory.connect("media-configure", _configure_loop, gst, clip)
        mounts.add_factory(f"/cam{n}", factory)
    return server


def _configure_loop(_factory: Any, media: Any, gst: Any, clip: Clip) -> None:
    appsrc = media.get_element().get_by_name("src")
    appsrc.set_property("caps", clip.caps)
    feed = LoopFeed(gst, clip)
    media.loop_feed = feed  # keep it alive as long as the media
    appsrc.connect("need-data", feed.need_data)


def main() -> int:
    """Parse arguments, serve until SIGTERM, exit 0."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8554, help="TCP port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--clip", help="H.264 MP4 clip to serve")
    parser.add_argument("--paths", type=int, default=1, help="serve /cam1 .. /camN")
    parser.add_argument("--user", help="require basic auth with this user")
    parser.add_argument("--password", help="password for --user")
    parser.add_argument("--loop", action="store_true", help="replay the clip forever")
    parser.add_argument("--parent-pid", type=int, help="exit when this process is no longer our parent")
    parser.add_argument("--check", action="store_true", help="check the GStreamer install and exit")
    args = parser.parse_args()
    if args.check:
        return check()
    if not args.clip or not os.path.isfile(args.clip):
        parser.error(f"--clip must name an existing file, got {args.clip!r}")
    if args.paths < 1:
        parser.error("--paths must be at least 1")
    glib, gst, rtsp = _import_gst()
    try:
        server = build_server(args, glib, gst, rtsp)
    except RuntimeError as exc:
        print(f"rtsp_server: {exc}", file=sys.stderr, flush=True)
        return 2
    if server.attach(None) == 0:
        print(f"rtsp_server: cannot listen on 127.0.0.1:{args.port}", file=sys.stderr, flush=True)
        return 3
    loop = glib.MainLoop()
    parent = args.parent_pid or os.getppid()

    def stop(*_args: object) -> bool:
        loop.quit()
        return glib.SOURCE_REMOVE

    def housekeeping() -> bool:
        server.get_session_pool().cleanup()
        if os.getppid() != parent:  # orphaned: the test process died without stopping us
            loop.quit()
        return glib.SOURCE_CONTINUE

    glib.unix_signal_add(glib.PRIORITY_DEFAULT, signal.SIGTERM, stop)
    glib.unix_signal_add(glib.PRIORITY_DEFAULT, signal.SIGINT, stop)
    glib.timeout_add_seconds(1, housekeeping)
    print(f"READY port={server.get_bound_port()}", flush=True)
    loop.run()
    server.client_filter(lambda _server, _client: rtsp.RTSPFilterResult.REMOVE)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
