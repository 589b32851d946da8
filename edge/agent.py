"""The agent: capture → motion → spool on one thread, delivery on another, heartbeats on a third.

Threads (named, each with the shared stop event and a bounded join): ``edge-capture`` reads frames, detects motion,
throttles, encodes a JPEG (cv2.imencode) and puts the detection in the spool; ``edge-delivery`` sends the spool's
items oldest first (edge/delivery.py); ``edge-heartbeat`` posts a signed health report every interval. The main
thread waits for SIGTERM/SIGINT (or a rejected token) and stops the others. The token is never logged.
"""

from __future__ import annotations

import http.client
import logging
import ssl
import threading
import time
from collections.abc import Callable
from pathlib import Path

import cv2

from edge import __version__
from edge.capture import FrameSource, SourceError
from edge.config import AgentConfig
from edge.delivery import Backoff, Delivery, DesktopClient, Endpoint
from edge.discovery import Locator
from edge.motion import MotionDetector, Throttle
from edge.protocol import HEARTBEAT_PATH, Detection, Heartbeat
from edge.spool import Spool

log = logging.getLogger("edge.agent")
THERMAL_ZONE = Path("/sys/class/thermal/thermal_zone0/temp")
JOIN_TIMEOUT_S = 10.0
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_TOKEN_REJECTED = 3


def read_temperature(path: Path = THERMAL_ZONE) -> float | None:
    """The SoC temperature in °C from the kernel's thermal zone (millidegrees), or None where there is none."""
    try:
        celsius = int(path.read_text(encoding="ascii").strip()) / 1000.0
    except (OSError, ValueError):
        return None
    return celsius if -100.0 <= celsius <= 200.0 else None


class Agent:
    """One agent process's parts, built from the config: ``start`` the threads, then ``wait`` for the exit code."""

    def __init__(self, config: AgentConfig) -> None:
        ca = config.desktop.tls_ca_file
        # First, so a CA file that is no certificate fails before the spool folder is locked (ssl.SSLError).
        context = ssl.create_default_context(cafile=str(ca)) if ca is not None else None
        self.config = config
        self._started = time.monotonic()
        self.stop = threading.Event()
        self.failed = threading.Event()  # the capture thread died: exit non-zero so the service manager restarts us
        self.detections = 0
        self.heartbeats_sent = 0
        self._heartbeat_problem = ""
        self.spool = Spool(config.spool.folder, config.spool.max_bytes, config.spool.max_items)
        self.client = DesktopClient(
            config.device_id,
            config.token,
            connect_timeout_s=config.desktop.connect_timeout_s,
            read_timeout_s=config.desktop.read_timeout_s,
            ssl_context=context,
        )
        self.locator = Locator(config.desktop, prove=self.proves_paired)
        self.delivery = Delivery(
            self.spool,
            self.client,
            self.locator,
            backoff=Backoff(max_s=config.desktop.retry_max_s),
            on_unreachable=self.locator.unreachable,
        )
        self._threads: list[threading.Thread] = []

    # ---- the threads ----------------------------------------------------------------------------------

    def _capture(self) -> None:
        try:
            self._capture_frames()
        except SourceError as exc:
            log.error("%s; stopping", exc)
            self.failed.set()
        except Exception:
            log.exception("capture failed; stopping so that the service manager restarts the agent")
            self.failed.set()

    def _capture_frames(self) -> None:
        config = self.config
        source = FrameSource(config.source, config.motion.fps)
        throttle = Throttle(config.throttle)
        detector: MotionDetector | None = None
        quality = [int(cv2.IMWRITE_JPEG_QUALITY), config.jpeg_quality]
        for frame in source.frames(self.stop):
            height, width = frame.image.shape[:2]
            if detector is None or detector.frame_size != (width, height):
                detector = MotionDetector(config.motion, (width, height))  # a new size: learn the scene again
            motion = detector.detect(frame.image)
            if motion is None or not throttle.allow(time.monotonic()):
                continue
            ok, encoded = cv2.imencode(".jpg", frame.image, quality)
            if not ok:
                log.error("JPEG encoding failed; detection skipped")
                continue
            detection = Detection.create(
                config.device_id, frame.captured_at, motion.score, motion.boxes, motion.frame_size, ("motion",)
            )
            try:
                sequence = self.spool.put(detection, encoded.tobytes())
            except ValueError as exc:  # a snapshot larger than the whole spool: keep detecting
                log.error("detection not queued: %s", exc)
                continue
            self.detections += 1
            self.delivery.wake.set()
            log.info(
                "detection %d %s: %d boxes, score %.3f",
                sequence,
                detection.detection_id,
                len(motion.boxes),
                motion.score,
            )
        if not self.stop.is_set():
            log.info("the video source ended; still delivering what is queued")

    def heartbeat(self) -> Heartbeat:
        """The health report as of now."""
        return Heartbeat(
            device_id=self.config.device_id,
            agent_version=__version__,
            uptime_s=round(time.monotonic() - self._started, 3),
            interval_s=self.config.heartbeat_interval_s,
            queue_length=len(self.spool),
            dropped=self.spool.dropped,
            refused=self.delivery.refused,
            detections=self.detections,
            temperature_c=read_temperature(),
        )

    def send_heartbeat(self, locate: Callable[[], Endpoint] | None = None) -> int | None:
        """Post one heartbeat; returns the HTTP status, or None when the desktop could not be reached."""
        try:
            endpoint = (locate or self.locator)()
            reply = self.client.post(endpoint, HEARTBEAT_PATH, self.heartbeat().to_json(), "application/json")
        except (OSError, http.client.HTTPException, LookupError) as exc:
            self._heartbeat_failed(f"not delivered: {exc or type(exc).__name__}")
            return None
        if reply.status == 200 and not reply.authentic:
            self._heartbeat_failed("answered by a server that is not the paired desktop (no valid response signature)")
        elif reply.status == 200:
            if self._heartbeat_problem:
                log.info("heartbeats reach the desktop again")
            self._heartbeat_problem = ""
            self.heartbeats_sent += 1
            skew = reply.json().get("skew_s")
            if isinstance(skew, int | float) and abs(skew) > 60:
                log.warning("the desktop sees this device's clock %+.0f s off: check NTP", skew)
        elif reply.status == 401 and "clock skew" not in reply.error:
            log.critical("TOKEN REJECTED by the desktop (%s): pair this device again", reply.error)
            self.delivery.token_rejected.set()
        else:
            self._heartbeat_failed(f"refused: {reply.status} {reply.error}")
        return reply.status

    def _heartbeat_failed(self, problem: str) -> None:
        # Once per change of problem: an outage must not fill the log with one line per interval.
        if problem != self._heartbeat_problem:
            log.warning("heartbeat %s", problem)
        self._heartbeat_problem = problem

    def proves_paired(self, endpoint: Endpoint) -> bool:
        """Whether a discovered service is the desktop this device is paired with: it must sign its answer to a
        heartbeat with our token. Checked before any snapshot goes there."""
        try:
            reply = self.client.post(endpoint, HEARTBEAT_PATH, self.heartbeat().to_json(), "application/json")
        except (OSError, http.client.HTTPException) as exc:
            log.warning("the service found at %s does not answer: %s", endpoint, exc or type(exc).__name__)
            return False
        if reply.status == 200 and reply.authentic:
            return True
        if reply.status == 401 and "clock skew" not in reply.error:
            log.critical("TOKEN REJECTED by the desktop at %s (%s): pair this device again", endpoint, reply.error)
            self.delivery.token_rejected.set()
            return False
        log.warning(
            "ignoring the service found at %s: not the paired desktop (%d, %s answer)",
            endpoint,
            reply.status,
            "signed" if reply.authentic else "unsigned",
        )
        return False

    def _heartbeats(self) -> None:
        while not self.stop.is_set() and not self.delivery.token_rejected.is_set():
            self.send_heartbeat()
            self.stop.wait(self.config.heartbeat_interval_s)

    # ---- lifecycle ------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the capture, delivery and heartbeat threads."""
        log.info(
            "edge agent %s for device %s: source %s, desktop %s",
            __version__,
            self.config.device_id,
            self.config.source.describe(),
            self.config.desktop.url,
        )
        for name, target in (
            ("edge-capture", self._capture),
            ("edge-delivery", lambda: self.delivery.run(self.stop)),
            ("edge-heartbeat", self._heartbeats),
        ):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def wait(self) -> int:
        """Block until stopped (or the token is rejected), then stop every thread; the process's exit code."""
        while not (self.stop.is_set() or self.failed.is_set() or self.delivery.token_rejected.is_set()):
            self.stop.wait(0.5)
        self.close()
        if self.delivery.token_rejected.is_set():
            return EXIT_TOKEN_REJECTED
        return EXIT_FAILED if self.failed.is_set() else EXIT_OK

    def close(self) -> None:
        """Stop the threads (bounded joins) and release the spool."""
        self.stop.set()
        self.delivery.wake.set()
        for thread in self._threads:
            thread.join(JOIN_TIMEOUT_S)
            if thread.is_alive():
                log.error("thread %s did not stop within %.0f s", thread.name, JOIN_TIMEOUT_S)
        self._threads.clear()
        log.info("stopped: %d detections made, %d queued", self.detections, len(self.spool))
        self.spool.close()
