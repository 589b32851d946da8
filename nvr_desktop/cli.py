"""The command line: launches the GUI or the headless service, and runs the admin subcommands."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from nvr_desktop import APP_NAME, __version__
from nvr_desktop.core.errors import NvrError, ValidationError
from nvr_desktop.core.models import AlertState, Camera, EventState, Principal, RecordMode, User
from nvr_desktop.core.paths import default_basedir
from nvr_desktop.core.roles import parse_role
from nvr_desktop.core.urls import redact_text

EXIT_USAGE = 2


class PasswordInput:
    """Reads passwords from a terminal prompt, or line by line from stdin with --password-stdin."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def interactive(self) -> bool:
        """True when stdin is a terminal we can prompt on."""
        return self._stream.isatty()

    def from_stdin(self, what: str) -> str:
        """Next line of stdin (without its line ending)."""
        line = self._stream.readline()
        if not line:
            raise ValidationError(f"expected the {what} on standard input, got end of input")
        return line.rstrip("\r\n")

    def prompt(self, what: str, *, confirm: bool) -> str:
        """Ask on the terminal (twice for a new password)."""
        if not self.interactive():
            raise ValidationError(f"no terminal to ask for the {what}: pipe it in with --password-stdin")
        first = getpass.getpass(f"{what.capitalize()}: ")
        if confirm and getpass.getpass(f"Repeat the {what}: ") != first:
            raise ValidationError("the passwords do not match")
        return first

    def read(self, what: str, *, use_stdin: bool, confirm: bool = True) -> str:
        """A password from stdin or the prompt."""
        return self.from_stdin(what) if use_stdin else self.prompt(what, confirm=confirm)


def _positive_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a camera id: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a camera id: {text!r}")
    return value


def _layout(text: str) -> int:
    from nvr_desktop.core.grid import LAYOUTS

    if not text.isdigit() or int(text) not in LAYOUTS:
        raise argparse.ArgumentTypeError(f"choose one of {', '.join(map(str, LAYOUTS))}")
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 <= value <= 600:
        raise argparse.ArgumentTypeError("choose between 0 and 600 seconds")
    return value


def _size(text: str) -> tuple[int, int]:
    parts = text.lower().split("x")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise argparse.ArgumentTypeError(f"not a size like 1600x900: {text!r}")
    width, height = int(parts[0]), int(parts[1])
    if not (160 <= width <= 7680 and 90 <= height <= 4320):
        raise argparse.ArgumentTypeError("choose a size between 160x90 and 7680x4320")
    return width, height


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for main.py."""
    parser = argparse.ArgumentParser(
        prog="nvr-desktop",
        description=f"{APP_NAME}: a PC network video recorder. Without a subcommand it opens the video wall.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--basedir",
        type=Path,
        default=None,
        help=f"folder for all state: database, recordings, logs, config (default: %(default)s = {default_basedir()})",
    )
    parser.add_argument("--headless", action="store_true", help="run the services without any window (service mode)")
    parser.add_argument("--demo", action="store_true", help="show built-in demo cameras on the wall")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check the installation (database in a temporary folder or --basedir, video decoding, one wall "
        "tile rendered offscreen, resources), one line per check; exits 1 naming a failed check",
    )
    shot = parser.add_argument_group(
        "support screenshot (renders the wall offscreen with the CLI's rights, then exits)"
    )
    shot.add_argument("--screenshot", type=Path, metavar="FILE", help="save a PNG of the wall to FILE and exit")
    shot.add_argument(
        "--layout",
        type=_layout,
        default=None,
        metavar="N",
        help="tiles on the wall: 1, 4, 9, 16, 25, 36, 64 or 128 (first N cameras)",
    )
    shot.add_argument("--after", type=_seconds, default=5.0, metavar="SECONDS", help="wait before the shot (0-600)")
    shot.add_argument("--size", type=_size, default=(1600, 900), metavar="WxH", help="picture size (default 1600x900)")
    parser.add_argument(
        "--as-user",
        metavar="NAME",
        help="act as this user (asks for the password; with piped stdin, its first line)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    users = sub.add_parser("users", help="manage user accounts").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    p = users.add_parser("add", help="create a user")
    p.add_argument("name")
    p.add_argument("--role", required=True, help="admin, operator or viewer")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p = users.add_parser("list", help="list users")
    p.add_argument("--json", action="store_true")
    p = users.add_parser("passwd", help="change a user's password")
    p.add_argument("name")
    p.add_argument("--password-stdin", action="store_true")
    p = users.add_parser("remove", help="delete a user")
    p.add_argument("name")
    p = users.add_parser("grant", help="allow a user to see cameras (or --revoke)")
    p.add_argument("name")
    p.add_argument("--camera", type=_positive_id, action="append", required=True, metavar="ID")
    p.add_argument("--revoke", action="store_true")
    p = users.add_parser("role", help="change a user's role")
    p.add_argument("name")
    p.add_argument("role")

    cams = sub.add_parser("cameras", help="manage cameras").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    p = cams.add_parser("add", help="add a camera")
    p.add_argument("--name", required=True)
    _camera_options(p, adding=True)
    p = cams.add_parser("list", help="list cameras")
    p.add_argument("--json", action="store_true")
    p = cams.add_parser("show", help="show one camera")
    p.add_argument("id", type=_positive_id)
    p.add_argument("--json", action="store_true")
    p = cams.add_parser("update", help="change a camera")
    p.add_argument("id", type=_positive_id)
    p.add_argument("--name")
    _camera_options(p, adding=False)
    p = cams.add_parser("remove", help="delete a camera")
    p.add_argument("id", type=_positive_id)
    p = cams.add_parser("probe", help="open a stream URL and show its codec, resolution, frame rate and audio")
    p.add_argument("url")
    p.add_argument("--username")
    p.add_argument("--password-stdin", action="store_true", help="read the camera password from standard input")
    p.add_argument("--transport", default="tcp", choices=["tcp", "udp"])
    p.add_argument("--json", action="store_true")
    p = cams.add_parser("add-dvr", help="add every channel of a DVR/NVR (or one camera) from a brand template")
    p.add_argument("--brand", required=True, help="generic, hikvision, dahua, xmeye, uniview, axis or reolink")
    p.add_argument("--host", required=True, help="the device's IP address or host name")
    p.add_argument("--port", type=int, help="RTSP port (default 554)")
    p.add_argument("--channels", type=int, default=1)
    p.add_argument("--first-channel", type=int, default=1)
    p.add_argument("--path", help="main stream path with {channel}, e.g. /cam{channel} (instead of the brand's)")
    p.add_argument("--sub-path", help="sub-stream path with {channel} (with --path)")
    p.add_argument("--name-prefix", help="camera names: PREFIX ch1, PREFIX ch2... (default: the host)")
    p.add_argument("--username")
    p.add_argument("--password-stdin", action="store_true", help="read the device password from standard input")
    p.add_argument("--json", action="store_true")

    recs = sub.add_parser("recordings", help="list, export and protect recordings").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    p = recs.add_parser("list", help="recorded segments and gaps")
    p.add_argument("--camera", type=_positive_id, action="append", metavar="ID", help="only these cameras")
    p.add_argument("--from", dest="start", type=_when, metavar="TIME", help="ISO time (local unless it has a zone)")
    p.add_argument("--to", dest="end", type=_when, metavar="TIME")
    p.add_argument("--gaps", action="store_true", help="list the gaps (with their cause) instead")
    p.add_argument("--json", action="store_true")
    p = recs.add_parser("export", help="remux a time range to MP4 (one file per camera)")
    p.add_argument("--camera", type=_positive_id, action="append", required=True, metavar="ID")
    p.add_argument("--from", dest="start", type=_when, required=True, metavar="TIME")
    p.add_argument("--to", dest="end", type=_when, required=True, metavar="TIME")
    p.add_argument("--out", type=Path, required=True, metavar="FOLDER", help="an existing folder")
    p = recs.add_parser("protect", help="lock segments against retention (or --unprotect)")
    p.add_argument("ids", type=_positive_id, nargs="+", metavar="SEGMENT_ID")
    p.add_argument("--unprotect", action="store_true")
    recs.add_parser("status", help="storage figures: use, free space, days that fit, alarms")

    edges = sub.add_parser("edge", help="pair and revoke edge agents (Raspberry Pi motion detectors)").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    p = edges.add_parser("add", help="pair a device: prints its pairing token once")
    p.add_argument("device_id", help="the id the agent sends, e.g. pi-door-1")
    p.add_argument("--name", help="a name for people (default: the device id)")
    p.add_argument("--camera", type=_positive_id, metavar="ID", help="the camera its events belong to")
    p.add_argument("--json", action="store_true")
    p = edges.add_parser("list", help="paired devices (no tokens)")
    p.add_argument("--json", action="store_true")
    p = edges.add_parser("revoke", help="stop accepting a device's requests")
    p.add_argument("device_id")

    evs = sub.add_parser("events", help="events and alerts: list, acknowledge, resolve, report").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    p = evs.add_parser("list", help="newest first")
    p.add_argument("--state", choices=[s.value for s in EventState])
    p.add_argument("--camera", type=_positive_id, metavar="ID")
    p.add_argument("--device", metavar="DEVICE_ID")
    p.add_argument("--from", dest="start", type=_when, metavar="TIME")
    p.add_argument("--to", dest="end", type=_when, metavar="TIME")
    p.add_argument("--limit", type=int, default=200)
    p.add_argument("--json", action="store_true")
    for verb, text in (("ack", "acknowledge an event"), ("resolve", "resolve an event")):
        p = evs.add_parser(verb, help=text)
        p.add_argument("id", type=_positive_id)
        p.add_argument("--note", default="", help="what you saw or did")
    p = evs.add_parser("alerts", help="alerts the rules raised, newest first")
    p.add_argument("--state", choices=[s.value for s in AlertState])
    p.add_argument("--camera", type=_positive_id, metavar="ID")
    p.add_argument("--limit", type=int, default=200)
    p.add_argument("--json", action="store_true")
    for verb, text in (("alert-ack", "acknowledge an alert"), ("alert-resolve", "resolve an alert")):
        p = evs.add_parser(verb, help=text)
        p.add_argument("id", type=_positive_id)
        p.add_argument("--note", default="", help="what you saw or did")
    p = evs.add_parser("report", help="detections and alerts per camera, device and severity over a time range")
    p.add_argument("--from", dest="start", type=_when, metavar="TIME", help="default: one report period ago")
    p.add_argument("--to", dest="end", type=_when, metavar="TIME", help="default: now")
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument("--out", type=Path, metavar="FILE", help="write to a file instead of standard output")

    from nvr_desktop.services.backup import NOT_IN_BACKUP

    backups = sub.add_parser(
        "backup",
        help="back up, check and restore the database (administrators)",
        description="Back up, check and restore the database: users, cameras, grants, views, the recording index, "
        f"events, alerts, edge devices and the audit log. Note: {NOT_IN_BACKUP}.",
    ).add_subparsers(dest="action", metavar="ACTION", required=True)
    p = backups.add_parser(
        "create", help="write a consistent copy of the database to FILE (the app and the service may be running)"
    )
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--force", action="store_true", help="replace FILE when it exists")
    p = backups.add_parser("verify", help="check that FILE is a backup this version can restore; changes nothing")
    p.add_argument("file", type=Path, metavar="FILE")
    p = backups.add_parser(
        "restore",
        help="replace the database with the backup in FILE (stop the app and the service first); the current "
        "database is kept as nvr.sqlite3.before-restore-<UTC time>",
    )
    p.add_argument("file", type=Path, metavar="FILE")

    audit = sub.add_parser("audit", help="read the audit log").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    p = audit.add_parser("list", help="newest entries first")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")
    return parser


def _camera_options(p: argparse.ArgumentParser, *, adding: bool) -> None:
    p.add_argument("--url", required=adding, help="main stream URL (rtsp://, rtsps://, http://, https://)")
    p.add_argument("--sub-url", help="sub-stream URL used for wall tiles")
    p.add_argument("--username")
    p.add_argument("--password-stdin", action="store_true", help="read the camera password from standard input")
    p.add_argument("--brand")
    p.add_argument("--channel", type=int)
    p.add_argument("--record", choices=[m.value for m in RecordMode])
    p.add_argument(
        "--schedule", help="weekly recording ranges in local time, e.g. 'mon-fri 08:00-18:00; sat 09:00-13:00'"
    )
    p.add_argument("--segment-seconds", type=int)
    p.add_argument("--retention-days", type=int)
    p.add_argument("--retention-gb", type=float, help="size limit of this camera's recordings")
    p.add_argument("--transport", help="RTSP transport: tcp (default) or udp")
    p.add_argument("--motion", choices=["on", "off"], help="server-side motion detection (no edge agent)")
    p.add_argument("--motion-sensitivity", type=int, metavar="N", help="1 (large, strong changes) to 10 (faint ones)")
    p.add_argument(
        "--motion-zone",
        action="append",
        metavar="POINTS",
        help="only motion inside counts: 'x1,y1 x2,y2 x3,y3 ...' as fractions of the frame (repeat for more; "
        "replaces the zones)",
    )
    p.add_argument(
        "--motion-mask", action="append", metavar="POINTS", help="motion inside never counts (like --motion-zone)"
    )
    if not adding:
        p.add_argument("--no-motion-zones", action="store_true", help="remove the motion zones and masks")
        p.add_argument("--no-sub-url", action="store_true", help="remove the sub-stream URL")
        p.add_argument("--clear-password", action="store_true", help="forget the stored camera password")
        p.add_argument("--enable", dest="enabled", action="store_true", default=None)
        p.add_argument("--disable", dest="enabled", action="store_false")


def _describe_backup(size: int, revision: str, counts: dict[str, int], out: IO[str]) -> None:
    out.write(f"size             {size} bytes ({size / 1024:.1f} KiB)\n")
    out.write(f"schema revision  {revision}\n")
    for table, count in counts.items():
        out.write(f"{table:16} {count}\n")


def _print_restore(result: Any, out: IO[str]) -> None:
    """What a restore did (a storage.backup.RestoreResult)."""
    backup = result.backup
    out.write(f"restored the database from {backup.path}\n")
    if result.kept_aside is not None:
        out.write(f"the previous database is kept as {result.kept_aside}\n")
    if backup.revision != result.revision:
        out.write(f"migrated the schema from revision {backup.revision} to {result.revision}\n")
    _describe_backup(backup.size, result.revision, result.counts, out)
    out.write(
        "cameras with a password show 'login missing' until it is entered again if this machine's keyring does "
        "not have it (Cameras > Camera settings, or `cameras update ID --password-stdin`)\n"
    )


def _user_dict(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.name,
        "role": user.role.value,
        "created_at": user.created_at.isoformat(),
        "locked_until": user.locked_until.isoformat() if user.locked_until else None,
        "cameras": sorted(user.camera_ids),
    }


def _print_table(rows: list[dict[str, Any]], columns: Sequence[str], out: IO[str]) -> None:
    if not rows:
        out.write("(none)\n")
        return
    cells = [[("" if r[c] is None else str(r[c])) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    out.write("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip() + "\n")
    for row in cells:
        out.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() + "\n")


class Cli:
    """Runs one admin subcommand against the services with the given principal's rights."""

    def __init__(self, services: Any, principal: Principal, passwords: PasswordInput, out: IO[str]) -> None:
        self.s = services
        self.me = principal
        self.passwords = passwords
        self.out = out

    def emit(self, rows: list[dict[str, Any]], columns: Sequence[str], as_json: bool) -> None:
        """Print rows as a JSON array or as a table."""
        if as_json:
            self.out.write(json.dumps(rows, indent=2) + "\n")
        else:
            _print_table(rows, columns, self.out)

    def users(self, args: argparse.Namespace) -> int:
        """users add|list|passwd|remove|grant|role."""
        if args.action == "add":
            role = _role(args.role)
            password = self.passwords.read("new password", use_stdin=args.password_stdin)
            user = self.s.users.add(self.me, args.name, role, password)
            self.out.write(f"created user '{user.name}' ({user.role.value}) with id {user.id}\n")
        elif args.action == "list":
            self.emit(
                [_user_dict(u) for u in self.s.users.list(self.me)],
                ("id", "name", "role", "cameras", "locked_until"),
                args.json,
            )
        elif args.action == "passwd":
            password = self.passwords.read("new password", use_stdin=args.password_stdin)
            self.s.users.change_password(self.me, args.name, password)
            self.out.write(f"changed the password of '{args.name}'\n")
        elif args.action == "remove":
            self.s.users.remove(self.me, args.name)
            self.out.write(f"removed user '{args.name}'\n")
        elif args.action == "grant":
            user = self.s.users.grant(self.me, args.name, set(args.camera), revoke=args.revoke)
            shown = ", ".join(str(i) for i in sorted(user.camera_ids)) or "none"
            self.out.write(f"'{user.name}' now sees cameras: {shown}\n")
        elif args.action == "role":
            user = self.s.users.set_role(self.me, args.name, _role(args.role))
            self.out.write(f"'{user.name}' is now {user.role.value}\n")
        return 0

    def _spec(self, args: argparse.Namespace, *, adding: bool) -> Any:
        from nvr_desktop.services.cameras import CameraSpec

        password = self.passwords.read("camera password", use_stdin=True) if args.password_stdin else None
        return CameraSpec(
            name=args.name,
            main_url=args.url,
            sub_url=args.sub_url,
            username=args.username,
            password=password,
            brand=args.brand,
            channel=args.channel,
            enabled=None if adding else args.enabled,
            record_mode=RecordMode(args.record) if args.record else None,
            segment_seconds=args.segment_seconds,
            transport=args.transport,
            retention_days=args.retention_days,
            retention_gb=args.retention_gb,
            record_schedule=args.schedule,
            clear_sub_url=False if adding else args.no_sub_url,
            clear_password=False if adding else args.clear_password,
            motion=self._motion(args, adding=adding),
        )

    def _motion(self, args: argparse.Namespace, *, adding: bool) -> Any:
        """The camera's motion settings with the options applied, or None when no motion option was given."""
        from nvr_desktop.core.motion import MotionSettings, parse_polygon

        clear = not adding and args.no_motion_zones
        given = (args.motion, args.motion_sensitivity, args.motion_zone, args.motion_mask)
        if all(v is None for v in given) and not clear:
            return None
        settings = MotionSettings() if adding else self.s.cameras.get(self.me, args.id).motion
        changes: dict[str, Any] = {}
        if clear:
            changes.update(zones=(), masks=())
        if args.motion is not None:
            changes["enabled"] = args.motion == "on"
        if args.motion_sensitivity is not None:
            changes["sensitivity"] = args.motion_sensitivity
        if args.motion_zone:
            changes["zones"] = tuple(parse_polygon(z) for z in args.motion_zone)
        if args.motion_mask:
            changes["masks"] = tuple(parse_polygon(m) for m in args.motion_mask)
        return settings.changed(**changes)

    def cameras(self, args: argparse.Namespace) -> int:
        """cameras add|list|show|update|remove."""
        columns = ("id", "name", "main_url", "sub_url", "username", "enabled", "record_mode")
        if args.action == "add":
            cam: Camera = self.s.cameras.add(self.me, self._spec(args, adding=True))
            self.out.write(f"added camera '{cam.name}' with id {cam.id}\n")
        elif args.action == "list":
            self.emit([c.to_public_dict() for c in self.s.cameras.list(self.me)], columns, args.json)
        elif args.action == "show":
            cam = self.s.cameras.get(self.me, args.id)
            if args.json:
                self.out.write(json.dumps(cam.to_public_dict(), indent=2) + "\n")
            else:
                for key, value in cam.to_public_dict().items():
                    shown = json.dumps(value) if isinstance(value, dict) else value
                    self.out.write(f"{key:16} {'' if shown is None else shown}\n")
        elif args.action == "update":
            cam = self.s.cameras.update(self.me, args.id, self._spec(args, adding=False))
            self.out.write(f"updated camera '{cam.name}' (id {cam.id})\n")
        elif args.action == "remove":
            self.s.cameras.remove(self.me, args.id)
            self.out.write(f"removed camera {args.id}\n")
        elif args.action == "probe":
            return self._probe(args)
        elif args.action == "add-dvr":
            return self._add_dvr(args)
        return 0

    def _probe(self, args: argparse.Namespace) -> int:
        password = self.passwords.read("camera password", use_stdin=True) if args.password_stdin else None
        result = self.s.onboarding.probe(
            self.me, args.url, username=args.username, password=password, transport=args.transport
        )
        if args.json:
            fields = ("codec", "width", "height", "fps", "audio_codec", "message")
            row = {"state": result.state.value, **{k: getattr(result, k) for k in fields}}
            self.out.write(json.dumps(row, indent=2) + "\n")
        else:
            self.out.write(result.summary() + "\n")
        return 0 if result.ok else 10

    def _add_dvr(self, args: argparse.Namespace) -> int:
        from nvr_desktop.services.onboarding import BulkProgress

        password = self.passwords.read("device password", use_stdin=True) if args.password_stdin else None
        candidates = self.s.onboarding.dvr_candidates(
            args.brand,
            args.host,
            path=args.path,
            sub_path=args.sub_path,
            port=args.port,
            channels=args.channels,
            first_channel=args.first_channel,
            name_prefix=args.name_prefix or "",
            username=args.username,
            password=password,
        )

        def show(step: BulkProgress) -> None:
            if not args.json:
                o = step.outcome
                what = f"added as camera {o.camera.id}" if o.camera else f"NOT added: {o.error}"
                probe = f" ({o.probe.summary()})" if o.probe is not None and o.probe.ok else ""
                self.out.write(f"[{step.done}/{step.total}] {o.candidate.name}: {what}{probe}\n")
                self.out.flush()

        result = self.s.onboarding.add_many(self.me, candidates, progress=show)
        if args.json:
            rows = [
                {
                    "name": o.candidate.name,
                    "channel": o.candidate.channel,
                    "main_url": o.candidate.main_url,
                    "camera_id": o.camera.id if o.camera else None,
                    "probe": o.probe.summary() if o.probe else None,
                    "error": o.error or None,
                }
                for o in result.outcomes
            ]
            self.out.write(json.dumps(rows, indent=2) + "\n")
        else:
            self.out.write(f"{len(result.added)} of {len(candidates)} camera(s) added\n")
        return 0 if not result.failed else 10

    def recordings(self, args: argparse.Namespace) -> int:
        """recordings list|export|protect|status."""
        rec = self.s.recordings
        if args.action == "list":
            cameras = args.camera or None
            if args.gaps:
                if cameras is None:
                    visible = self.s.access.visible_camera_ids(self.me)
                    cameras = None if visible is None else sorted(visible)
                rec.list_segments(self.me, cameras, args.start, args.end)  # the same permission check
                rows = [
                    {
                        "id": g.id,
                        "camera_id": g.camera_id,
                        "start": g.start.isoformat(),
                        "end": g.end.isoformat() if g.end else None,
                        "cause": g.cause.value,
                    }
                    for g in rec.gaps(cameras)
                    if (args.end is None or g.start < args.end)
                    and (args.start is None or g.end is None or g.end > args.start)
                ]
                self.emit(rows, ("id", "camera_id", "start", "end", "cause"), args.json)
                return 0
            rows = [
                {
                    "id": seg.id,
                    "camera_id": seg.camera_id,
                    "start": seg.start.isoformat(),
                    "end": seg.end.isoformat() if seg.end else None,
                    "duration_s": round(seg.duration_s, 3),
                    "bytes": seg.bytes,
                    "codec": seg.codec,
                    "resolution": f"{seg.width}x{seg.height}",
                    "state": seg.state.value,
                    "protected": seg.protected,
                    "path": str(seg.path),
                }
                for seg in rec.list_segments(self.me, cameras, args.start, args.end)
            ]
            self.emit(rows, ("id", "camera_id", "start", "duration_s", "bytes", "state", "protected"), args.json)
        elif args.action == "export":
            out_dir: Path = args.out.expanduser().absolute()
            for result in rec.export_results(self.me, args.camera, args.start, args.end, out_dir):
                self.out.write(f"exported {result.path}\n")
                if result.cut_short:
                    self.out.write(f"  note: it ends at {result.end:%H:%M:%S} UTC because {result.cut_short}\n")
        elif args.action == "protect":
            count = rec.protect(self.me, args.ids, not args.unprotect)
            self.out.write(f"{'unprotected' if args.unprotect else 'protected'} {count} segment(s)\n")
        elif args.action == "status":
            from nvr_desktop.core.roles import Permission

            self.s.access.require(self.me, Permission.MANAGE_SETTINGS, action="recordings.status")
            segments = rec.list_segments(self.me)
            days = rec.forecast_days()
            self.out.write(f"folder          {rec.root}\n")
            self.out.write(f"segments        {len(segments)}\n")
            self.out.write(f"stored          {sum(s.bytes for s in segments) / 1024**3:.2f} GiB\n")
            self.out.write(f"free            {rec.free_bytes() / 1024**3:.2f} GiB\n")
            self.out.write(
                f"days that fit   {'unknown (nothing recorded lately)' if days is None else f'{days:.1f}'}\n"
            )
        return 0

    def edge(self, args: argparse.Namespace) -> int:
        """edge add|list|revoke."""
        if args.action == "add":
            device, token = self.s.edge.add(self.me, args.device_id, name=args.name, camera_id=args.camera)
            if args.json:
                self.out.write(json.dumps({**device.to_public_dict(), "pairing_token": token}, indent=2) + "\n")
            else:
                self.out.write(f"paired edge device '{device.device_id}'\n")
                self.out.write(f"pairing token (shown only now; put it in the agent's config): {token}\n")
        elif args.action == "list":
            columns = (
                "device_id",
                "name",
                "camera_id",
                "online",
                "last_seen_at",
                "queue_length",
                "dropped",
                "temperature_c",
                "agent_version",
                "revoked_at",
            )
            self.emit([d.to_public_dict() for d in self.s.edge.list(self.me)], columns, args.json)
        elif args.action == "revoke":
            device = self.s.edge.revoke(self.me, args.device_id)
            self.out.write(f"revoked edge device '{device.device_id}'\n")
        return 0

    def events(self, args: argparse.Namespace) -> int:
        """events list|ack|resolve."""
        if args.action == "list":
            found = self.s.events.list(
                self.me,
                state=EventState(args.state) if args.state else None,
                camera_id=args.camera,
                device_id=args.device,
                since=args.start,
                until=args.end,
                limit=args.limit,
            )
            columns = ("id", "captured_at", "device_id", "camera_id", "score", "state", "acked_by")
            self.emit([e.to_public_dict() for e in found], columns, args.json)
        elif args.action in ("ack", "resolve"):
            move = self.s.events.acknowledge if args.action == "ack" else self.s.events.resolve
            event = move(self.me, args.id, args.note)
            self.out.write(f"event {event.id} is now {event.state.value}\n")
        elif args.action == "alerts":
            state = AlertState(args.state) if args.state else None
            alerts = self.s.alerts.list(self.me, state=state, camera_id=args.camera, limit=args.limit)
            alert_columns = ("id", "created_at", "rule", "severity", "camera_id", "device_id", "state", "acked_by")
            self.emit([a.to_public_dict() for a in alerts], alert_columns, args.json)
        elif args.action in ("alert-ack", "alert-resolve"):
            handle = self.s.alerts.acknowledge if args.action == "alert-ack" else self.s.alerts.resolve
            alert = handle(self.me, args.id, args.note)
            self.out.write(f"alert {alert.id} is now {alert.state.value}\n")
        else:
            end = args.end or datetime.now(UTC)
            start = args.start or end - timedelta(minutes=self.s.config.alerts.report_minutes)
            report = self.s.reports.build(self.me, start, end)
            text = report.to_csv() if args.format == "csv" else report.to_json()
            if args.out is not None:
                args.out.write_text(text, encoding="utf-8")
                self.out.write(f"report written to {args.out}\n")
            else:
                self.out.write(text)
        return 0

    def backup(self, args: argparse.Namespace) -> int:
        """backup create|verify|restore."""
        from nvr_desktop.services.backup import NOT_IN_BACKUP

        if args.action == "create":
            info = self.s.backup.create(self.me, args.file, force=args.force)
            self.out.write(f"saved the database to {info.path}\n")
            _describe_backup(info.size, info.revision, info.counts, self.out)
        elif args.action == "verify":
            info = self.s.backup.verify(self.me, args.file)
            older = f" (older than this version's {info.head}: migrated on restore)" if info.needs_migration else ""
            self.out.write(f"{info.path} is a valid backup{older}\n")
            _describe_backup(info.size, info.revision, info.counts, self.out)
        else:
            result = self.s.backup.restore(self.me, args.file)
            _print_restore(result, self.out)
        self.out.write(f"note: {NOT_IN_BACKUP}\n")
        return 0

    def audit(self, args: argparse.Namespace) -> int:
        """audit list."""
        from nvr_desktop.core.roles import Permission

        self.s.access.require(self.me, Permission.VIEW_AUDIT, action="audit.list")
        rows = [
            {
                "id": e.id,
                "name": e.action,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "target": e.target,
                "success": e.success,
                "detail": e.detail,
            }
            for e in self.s.audit.entries(limit=max(1, min(args.limit, 10_000)))
        ]
        self.emit(rows, ("at", "actor", "action", "target", "success", "detail"), args.json)
        return 0


def _when(text: str) -> datetime:
    """An ISO 8601 time; without a zone it is local time (as shown in the app)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO time: {text!r} (e.g. 2026-11-23T08:00 or 2026-11-23T08:00Z)"
        ) from None
    if value.tzinfo is None:
        value = value.astimezone()  # local time zone of this machine
    return value.astimezone(UTC)


def _role(text: str) -> Any:
    try:
        return parse_role(text)
    except ValueError as err:
        raise ValidationError(str(err)) from None


def _principal(services: Any, args: argparse.Namespace, passwords: PasswordInput) -> Principal:
    from nvr_desktop.security.access import owner_principal

    if args.as_user:
        if passwords.interactive():
            password = passwords.prompt(f"password of {args.as_user}", confirm=False)
        else:
            password = passwords.from_stdin(f"password of {args.as_user}")
        principal: Principal = services.auth.login(args.as_user, password)
        return principal
    return owner_principal(getpass.getuser())


def _program() -> str:
    """How the user starts this program: the installed launcher, or main.py from a source checkout."""
    return "nvr-desktop" if getattr(sys, "frozen", False) else "python main.py"


def _first_run_admin(services: Any, passwords: PasswordInput, out: IO[str]) -> None:
    """Headless first run: create the admin on the terminal, or say how when there is no terminal (a service)."""
    if not passwords.interactive():
        out.write(
            "No account exists yet: create the admin with\n"
            f"  {_program()} --basedir {services.paths.base} users add admin --role admin\n"
        )
        return
    out.write("No account exists yet. Create the administrator account.\n")
    out.flush()
    while True:
        name = input("Administrator user name [admin]: ").strip() or "admin"
        try:
            password = passwords.prompt("new password", confirm=True)
            user = services.users.create_first_admin(name, password, actor=f"cli:{getpass.getuser()}")
        except NvrError as exc:
            out.write(f"error: {exc}\n")
            out.flush()
            continue
        out.write(f"created the administrator '{user.name}'\n")
        return


def run_headless(
    services: Any, out: IO[str], stop: threading.Event | None = None, passwords: PasswordInput | None = None
) -> int:
    """Run the services without a window until SIGTERM or SIGINT."""
    stop = stop or threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        stop.set()

    if not services.users.has_users():
        # Before the signal handlers: Ctrl+C at these prompts ends the program (exit 130).
        _first_run_admin(services, passwords or PasswordInput(sys.stdin), out)
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        from nvr_desktop.app import ensure_listener, start_runtime

        runtime = start_runtime(services, display=False)
        services.audit.record(f"service:{getpass.getuser()}", "service.start", detail="headless")
        out.write(f"{APP_NAME} {__version__} running headless on {services.paths.base}\n")
        out.write(f"recordings in {services.recordings.root}\n")
        out.flush()
        shown: set[str] = set()
        ticks = 0
        while not stop.wait(0.5):
            ticks += 1
            if ticks % 10 == 0:  # a device paired from the CLI meanwhile starts the listener within 5 s
                ensure_listener(services)
            alarms = {a.message for a in runtime.recording.alarms()}
            for message in sorted(alarms - shown):
                out.write(f"ALARM: {message}\n")
            for message in sorted(shown - alarms):
                out.write(f"alarm cleared: {message}\n")
            if alarms != shown:
                out.flush()
            shown = alarms
        services.audit.record(f"service:{getpass.getuser()}", "service.stop", detail="headless")
        out.write("stopped\n")
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(
    argv: Sequence[str] | None = None,
    *,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    launch_gui: Callable[[Any, argparse.Namespace], int] | None = None,
) -> int:
    """Entry point of main.py and the nvr-desktop launcher; returns the exit status."""
    stdin = stdin or sys.stdin
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.self_test:
        if args.command is not None:
            parser.error("--self-test takes no subcommand")
        from nvr_desktop.selftest import run_self_test

        return run_self_test(args.basedir.expanduser().absolute() if args.basedir else None, out)
    basedir = (args.basedir or default_basedir()).expanduser().absolute()

    from nvr_desktop.app import build_services
    from nvr_desktop.core.errors import StorageError
    from nvr_desktop.core.paths import Paths
    from nvr_desktop.storage.instance_lock import InstanceLock

    # Held shared while this program runs, so a restore never swaps the database under it (a restore takes it
    # exclusively, in the service).
    lock = InstanceLock(Paths(basedir).instance_lock)
    restoring = args.command == "backup" and args.action == "restore"
    try:
        if not restoring:
            lock.acquire_shared()
        services = build_services(basedir, log_to_console=args.headless)
    except StorageError as exc:
        lock.release()
        if restoring and not args.as_user:
            return _recover(basedir, args, out, err, exc)
        err.write(f"error: {redact_text(str(exc))}\n")
        return exc.exit_code
    except NvrError as exc:
        lock.release()
        err.write(f"error: {redact_text(str(exc))}\n")
        return exc.exit_code
    except OSError as exc:
        lock.release()
        err.write(f"error: cannot use the data folder {basedir}: {exc.strerror or exc}\n")
        return 9
    try:
        passwords = PasswordInput(stdin)
        if args.command is None:
            if args.screenshot is not None:
                return _screenshot(services, args, err)
            if args.headless:
                return run_headless(services, out, passwords=passwords)
            gui = launch_gui or _launch_gui
            return gui(services, args)
        principal = _principal(services, args, passwords)
        cli = Cli(services, principal, passwords, out)
        handler: Callable[[argparse.Namespace], int] = getattr(cli, args.command)
        return handler(args)
    except NvrError as exc:
        err.write(f"error: {redact_text(str(exc), services.secrets)}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        err.write("interrupted\n")
        return 130
    finally:
        services.close()
        lock.release()


def _recover(basedir: Path, args: argparse.Namespace, out: IO[str], err: IO[str], cause: NvrError) -> int:
    """`backup restore` when the current database cannot be opened (damaged, or not a database): the data folder's
    owner restores without it; the restore is audited in the restored database."""
    from nvr_desktop.core.paths import Paths
    from nvr_desktop.security.access import owner_principal
    from nvr_desktop.services.backup import NOT_IN_BACKUP, restore_with_lock_held
    from nvr_desktop.storage.instance_lock import InstanceLock

    err.write(f"warning: the current database cannot be opened ({redact_text(str(cause))}); restoring anyway\n")
    paths = Paths(basedir)
    try:
        with InstanceLock(paths.instance_lock) as lock:
            lock.acquire_exclusive()
            now = datetime.now(UTC)
            result = restore_with_lock_held(paths, args.file, owner_principal(getpass.getuser()).name, now)
    except NvrError as exc:
        err.write(f"error: {redact_text(str(exc))}\n")
        return exc.exit_code
    _print_restore(result, out)
    out.write(f"note: {NOT_IN_BACKUP}\n")
    return 0


def _screenshot(services: Any, args: argparse.Namespace, err: IO[str]) -> int:
    """Render the wall of the first N cameras offscreen with the CLI owner's rights and save a PNG."""
    target: Path = args.screenshot.expanduser().absolute()
    if not target.parent.is_dir():
        err.write(f"error: the folder {target.parent} does not exist\n")
        return 2
    if target.suffix.lower() != ".png":
        err.write("error: the screenshot file must end in .png\n")
        return 2
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from nvr_desktop.app import build_live_view
    from nvr_desktop.security.access import owner_principal
    from nvr_desktop.ui.application import render_wall_screenshot

    principal = owner_principal(getpass.getuser())
    ok = render_wall_screenshot(
        lambda on_state: build_live_view(services, on_state),
        principal,
        target,
        tiles=args.layout or 16,
        after_s=args.after,
        size=args.size,
        demo=args.demo,
        snapshot_dir=services.paths.snapshots,
        language=services.config.ui.language,
    )
    if not ok:
        err.write(f"error: could not write {target}\n")
        return 9
    return 0


def _launch_gui(services: Any, args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_ENABLE_HIGHDPI_SCALING", "1")
    from nvr_desktop.app import build_live_view, start_runtime
    from nvr_desktop.ui.application import run_gui

    start_runtime(services)  # recording runs from start-up, whoever logs in (or nobody)
    return run_gui(services, args, lambda on_state: build_live_view(services, on_state))
