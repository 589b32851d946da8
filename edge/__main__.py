"""``python -m edge --config /etc/nvr-edge/agent.toml``: run the edge agent until SIGTERM or Ctrl+C.

Exit codes: 0 stopped cleanly, 1 could not start (the spool folder) or capture failed, 2 bad config or arguments,
3 the desktop rejected the pairing token (pair again; the queued detections are kept).
"""

from __future__ import annotations

import argparse
import logging
import signal
import ssl
import sys
import threading
from types import FrameType

from edge.config import ConfigError, load_config

DEFAULT_CONFIG = "/etc/nvr-edge/agent.toml"


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, load the config, run the agent; the process's exit code."""
    parser = argparse.ArgumentParser(prog="python -m edge", description="NVR Desktop edge agent (motion detection)")
    parser.add_argument("--config", default=DEFAULT_CONFIG, help=f"the agent's TOML config (default {DEFAULT_CONFIG})")
    parser.add_argument("--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"error: config {args.config}: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=args.log_level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Imported after the config is checked: a bad config answers fast, without loading OpenCV.
    from edge.agent import Agent
    from edge.spool import SpoolError

    try:
        agent = Agent(config)
    except ssl.SSLError as exc:
        print(f"error: config {args.config}: desktop.tls_ca_file: not a usable CA certificate ({exc})", file=sys.stderr)
        return 2
    except (SpoolError, OSError) as exc:
        print(f"error: cannot use the spool folder {config.spool.folder}: {exc}", file=sys.stderr)
        return 1
    stop = agent.stop

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        logging.getLogger("edge").info("signal %d: stopping", signum)
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
    agent.start()
    return agent.wait()


if __name__ == "__main__":
    sys.exit(main())
