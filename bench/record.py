"""Recording benchmark: N real RTSP cameras (GStreamer on 127.0.0.1) recorded by the app's real runtime.

For N = 128 cameras of 640x360 H.264 25 fps (GOP 2 s), and 16 of 1920x1080, it records for a window (60 s) after
every camera has an open segment, and prints: the app's CPU cores (this process, which runs recording control and
the index, plus the stream processes; the runtime as the headless service starts it, with no wall to feed), the
write throughput into the recordings folder, the gap rows the app opened, and the frames dropped. A reference runs
in the same benchmark, after the app and on the same server: the Debian ffmpeg CLI (/usr/bin/ffmpeg) recording the
same streams with `-c copy -f segment`, one process per camera as Frigate does.
The RTSP server's own CPU is not counted.

Frames are counted exactly: every frame of the served clip carries its index (tests/support/clips.py), so after
stopping, a demux-only pass over every file plus one decoded GOP per file tells which stretch of the clip each
file holds; frames missing inside a file or between a camera's consecutive files are dropped frames (a hole between
two files longer than the clip, 120 s at 640x360 and 30 s at 1080p, counts modulo the clip). What is lost before a
camera's first key frame is not counted (a recording starts on a key frame).

Targets (2-core machine), for 128 cameras: app CPU at most the reference's and under 0.4 cores; no frame dropped.

With --rounds K, each size runs K times, the app and the reference alternating which goes first, and the targets
are judged on the medians: on a busy machine one pair of runs can differ by 15% from the next.

Usage: python bench/record.py [--counts 128] [--hd-counts 16] [--seconds 60] [--warmup 5] [--rounds 1]
                              [--skip-1080p] [--skip-reference]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

FPS = 25
GOP_FRAMES = 50
SEGMENT_S = 60
FFMPEG = "/usr/bin/ffmpeg"
TARGET_CAMERAS = 128
TARGET_CORES = 0.4


@dataclass(frozen=True)
class ClipSpec:
    """One kind of camera stream: a cached generated clip the server loops."""

    label: str
    width: int
    height: int
    seconds: int


@dataclass(frozen=True)
class FileFrames:
    """What one recorded file holds: its packets, and the clip frame indexes of its first and last frame."""

    packets: int
    first_index: int
    last_index: int
    span_frames: int  # last minus first timestamp, in frames: resolves how often the clip looped inside the file


@dataclass
class FrameCount:
    """Frames over every camera of a run: expected (the clip stretches the files cover), recorded, dropped."""

    expected: int = 0
    recorded: int = 0
    dropped: int = 0
    cameras: int = 0  # cameras with at least one readable file
    unreadable: int = 0  # files nothing could be read from


@dataclass
class Result:
    """One recorder's figures for one run."""

    name: str
    cameras: int
    seconds: float = 0.0
    cores: float = float("nan")
    main_cores: float | None = None  # the app's own process (recording control, index), None for the reference
    kernel_share: float = 0.0  # of the CPU time, the part spent in the kernel (system time)
    mb_per_s: float = float("nan")
    frames: FrameCount = field(default_factory=FrameCount)
    gap_rows: int | None = None
    problems: list[str] = field(default_factory=list)


# ---- measuring ----------------------------------------------------------------------------------------


def proc_cpu_seconds(pid: int) -> tuple[float, float] | None:
    """User and system CPU seconds of a live process (all its threads) from /proc, None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / ticks, int(fields[12]) / ticks  # utime, stime


def cpu_snapshot(pids: tuple[int, ...], include_self: bool) -> dict[int, tuple[float, float]]:
    """User and system CPU seconds per process (key 0: this process), for the processes still alive."""
    snap: dict[int, tuple[float, float]] = {}
    if include_self:
        t = os.times()
        snap[0] = (t.user, t.system)
    for pid in pids:
        seconds = proc_cpu_seconds(pid)
        if seconds is not None:
            snap[pid] = seconds
    return snap


def cpu_used(
    before: dict[int, tuple[float, float]], after: dict[int, tuple[float, float]], wall_s: float, result: Result
) -> None:
    """Store the cores used between two snapshots in result: in all, in this process, and the kernel's share."""
    user = system = own = 0.0
    for pid, (u, s) in after.items():
        u0, s0 = before.get(pid, (0.0, 0.0))  # a process that started meanwhile counts in full
        user += u - u0
        system += s - s0
        if pid == 0:
            own = (u - u0) + (s - s0)
    result.seconds = wall_s
    result.cores = (user + system) / wall_s
    result.kernel_share = system / (user + system) if user + system > 0 else 0.0
    if 0 in after:
        result.main_cores = own / wall_s


def bytes_under(folder: Path) -> int:
    """Total size of the files under a folder."""
    total = 0
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.stat(os.path.join(dirpath, name)).st_size
    return total


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    """Poll condition() every 0.2 s; True once it holds, False after timeout seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)
    return True


# ---- counting frames ----------------------------------------------------------------------------------


def clip_index(stream: Any, packets: list[Any]) -> int | None:
    """Decode packets (starting on a key frame) with a fresh decoder; the clip index of the last frame out."""
    import av
    import av.error

    from tests.support.clips import read_counter

    decoder: Any = av.CodecContext.create(stream.codec_context.name, "r")
    decoder.extradata = stream.codec_context.extradata
    frames: list[Any] = []
    for packet in [*packets, None]:
        with contextlib.suppress(av.error.FFmpegError):
            frames.extend(decoder.decode(packet))
    if not frames:
        return None
    # Frames that did not decode are the torn end of a file: the last one decoded is that many before the end.
    return read_counter(frames[-1].to_ndarray(format="gray")) + len(packets) - len(frames)


def file_frames(path: Path) -> FileFrames | None:
    """Demux a recorded file and decode its first and last GOP; None when nothing in it is readable."""
    import av
    import av.error

    try:
        container = av.open(str(path), timeout=10.0)
    except (OSError, av.error.FFmpegError):
        return None
    with container:
        if not container.streams.video:
            return None
        stream = container.streams.video[0]
        packets = 0
        first_index: int | None = None
        first_pts: int | None = None
        last_pts = 0
        last_gop: list[Any] = []
        try:
            for packet in container.demux(stream):
                if packet.size == 0 or packet.pts is None:
                    continue
                if packet.is_keyframe:
                    last_gop = []
                    if first_index is None:
                        found = clip_index(stream, [packet])
                        first_index = None if found is None else found - packets
                last_gop.append(packet)
                first_pts = packet.pts if first_pts is None else min(first_pts, packet.pts)
                last_pts = max(last_pts, packet.pts)
                packets += 1
        except av.error.FFmpegError:
            pass  # a torn last fragment: everything before it counts
        last_index = clip_index(stream, last_gop) if last_gop else None
        if first_index is None or last_index is None or first_pts is None:
            return None
        span = round((last_pts - first_pts) * float(stream.time_base or 0) * FPS)
        return FileFrames(packets, first_index, last_index, span)


def count_frames(cameras: list[list[Path]], clip_frames: int) -> FrameCount:
    """Expected, recorded and dropped frames over every camera (each a list of its files, oldest first)."""
    count = FrameCount()
    for files in cameras:
        previous: FileFrames | None = None
        for path in files:
            got = file_frames(path)
            if got is None:
                count.unreadable += 1
                continue
            inside = (got.last_index - got.first_index) % clip_frames
            loops = max(0, round((got.span_frames - inside) / clip_frames))  # the clip wrapped this often inside
            expected = loops * clip_frames + inside + 1
            if previous is not None:  # frames the server sent between this camera's two files
                expected += (got.first_index - previous.last_index - 1) % clip_frames
            count.expected += expected
            count.recorded += got.packets
            count.dropped += max(0, expected - got.packets)
            previous = got
        count.cameras += previous is not None
    return count


def segment_order(path: Path) -> tuple[str, str, int]:
    """Sort key of a recording: day folder, UTC start stem, then the -N suffix a same-instant restart adds."""
    stem, _, suffix = path.stem.partition("-")
    return (path.parent.name, stem, int(suffix) if suffix.isdigit() else 0)


# ---- the app ------------------------------------------------------------------------------------------


def record_app(urls: list[str], base: Path, clip_frames: int, seconds: float, warmup: float) -> Result:
    """Record the URLs with the app's real runtime (services, engine, recording control) and measure."""
    from nvr_desktop.app import build_services, start_runtime
    from nvr_desktop.core.models import RecordMode
    from nvr_desktop.security.access import owner_principal
    from nvr_desktop.services.cameras import CameraSpec

    result = Result("app (ours)", len(urls))
    base.mkdir(parents=True)
    (base / "config.toml").write_text(
        "version = 1\n[security]\nbcrypt_rounds = 4\n[recording]\nfree_reserve_mb = 0.0\n", encoding="utf-8"
    )
    services = build_services(base)
    root = services.recordings.root
    try:
        owner = owner_principal("bench")
        for n, url in enumerate(urls, start=1):
            spec = CameraSpec(
                name=f"Bench {n}", main_url=url, record_mode=RecordMode.CONTINUOUS, segment_seconds=SEGMENT_S
            )
            services.cameras.add(owner, spec)
        runtime = start_runtime(services, display=False)  # as the headless service runs it
        recording = runtime.recording
        if not wait_until(lambda: len(recording.recording_camera_ids()) >= len(urls), 30 + 0.5 * len(urls)):
            result.problems.append(f"only {len(recording.recording_camera_ids())} cameras had an open segment")
        time.sleep(warmup)
        pids = runtime.engine.process_ids()
        cpu0, bytes0, wall0 = cpu_snapshot(pids, True), bytes_under(root), time.monotonic()
        time.sleep(seconds)
        cpu1, bytes1, wall1 = cpu_snapshot(runtime.engine.process_ids(), True), bytes_under(root), time.monotonic()
        cpu_used(cpu0, cpu1, wall1 - wall0, result)
        result.mb_per_s = (bytes1 - bytes0) / 1e6 / result.seconds
        if set(runtime.engine.process_ids()) != set(pids):
            result.problems.append("a stream process was restarted during the window")
        gaps = services.recordings.gaps()
        result.gap_rows = len(gaps)
        causes = sorted({g.cause.value for g in gaps})
        if causes:
            result.problems.append(f"gap causes: {', '.join(causes)}")
        recording_now = len(recording.recording_camera_ids())
        if recording_now < len(urls):
            result.problems.append(f"{recording_now} of {len(urls)} cameras recording at the end of the window")
    finally:
        services.close()  # the runtime first: recorders finish their files
    folders = sorted(root.iterdir(), key=lambda f: f.name.zfill(9))  # one per camera id
    cameras = [sorted(folder.glob("*/*.mp4"), key=segment_order) for folder in folders]
    result.frames = count_frames(cameras, clip_frames)
    return result


# ---- the reference: ffmpeg -f segment, one process per camera ------------------------------------------


def ffmpeg_command(url: str, out: Path) -> list[str]:
    """The reference recorder: stream copy into 60 s MP4 segments, as Frigate records."""
    return [
        FFMPEG,
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-rtsp_transport",
        "tcp",
        "-i",
        url,
        "-c",
        "copy",
        "-f",
        "segment",
        "-segment_time",
        str(SEGMENT_S),
        "-reset_timestamps",
        "1",
        "-segment_format",
        "mp4",
        str(out / "%05d.mp4"),
    ]


@contextlib.contextmanager
def ffmpeg_recorders(urls: list[str], base: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Start one ffmpeg per camera (output in base/camN, stderr in base/camN.log); stop them gracefully after."""
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for n, url in enumerate(urls, start=1):
            out = base / f"cam{n}"
            out.mkdir(parents=True)
            with (base / f"cam{n}.log").open("wb") as log:
                command = ffmpeg_command(url, out)
                processes.append(subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log))
        yield processes
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)  # ffmpeg finishes the MP4 (writes its index) on SIGINT
        deadline = time.monotonic() + 30
        for process in processes:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def started(folder: Path) -> bool:
    """True once ffmpeg has written into a segment in folder."""
    return any(path.stat().st_size > 0 for path in folder.glob("*.mp4"))


def record_reference(urls: list[str], base: Path, clip_frames: int, seconds: float, warmup: float) -> Result:
    """Record the URLs with one ffmpeg -f segment process per camera and measure them like the app."""
    result = Result("ffmpeg -f segment", len(urls))
    folders = [base / f"cam{n}" for n in range(1, len(urls) + 1)]
    with ffmpeg_recorders(urls, base) as processes:
        if not wait_until(lambda: all(started(f) for f in folders), 30 + 0.5 * len(urls)):
            result.problems.append(f"only {sum(started(f) for f in folders)} ffmpeg processes were writing")
        time.sleep(warmup)
        pids = tuple(p.pid for p in processes)
        cpu0, bytes0, wall0 = cpu_snapshot(pids, False), bytes_under(base), time.monotonic()
        time.sleep(seconds)
        cpu1, bytes1, wall1 = cpu_snapshot(pids, False), bytes_under(base), time.monotonic()
        cpu_used(cpu0, cpu1, wall1 - wall0, result)
        result.mb_per_s = (bytes1 - bytes0) / 1e6 / result.seconds
        ended = [n for n, p in enumerate(processes, start=1) if p.poll() is not None]
    if ended:
        log = (base / f"cam{ended[0]}.log").read_text(errors="replace").strip().splitlines()
        result.problems.append(f"{len(ended)} ffmpeg processes ended early; cam{ended[0]}: {' | '.join(log[-3:])}")
    cameras = [sorted(folder.glob("*.mp4")) for folder in folders]
    result.frames = count_frames(cameras, clip_frames)
    return result


# ---- report -------------------------------------------------------------------------------------------


def clip_mb_per_s(clip: Path) -> float:
    """The clip's video bit rate, MB/s (what one camera sends)."""
    import av

    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        size = sum(p.size for p in container.demux(stream) if p.size)
        seconds = stream.duration * float(stream.time_base or 0) if stream.duration else 1.0
    return size / 1e6 / seconds


def print_run(title: str, app: Result, ref: Result | None) -> None:
    """One run's table: a row per recorder, then the CPU ratio and anything that went wrong."""
    print(f"\n== {title}")
    print(
        f"{'recorder':<18} {'cams':>5} {'recorded':>9} {'seconds':>8} {'cores':>7} {'main':>6} {'kernel':>7} "
        f"{'MB/s':>7} {'frames expected':>16} {'recorded':>9} {'dropped':>8} {'unreadable':>11} {'gap rows':>9}"
    )
    for r in (app, ref):
        if r is None:
            continue
        main = f"{r.main_cores:.3f}" if r.main_cores is not None else "-"
        gaps = str(r.gap_rows) if r.gap_rows is not None else "-"
        f = r.frames
        print(
            f"{r.name:<18} {r.cameras:>5} {f.cameras:>9} {r.seconds:>8.1f} {r.cores:>7.3f} {main:>6} "
            f"{r.kernel_share:>7.0%} {r.mb_per_s:>7.3f} {f.expected:>16} {f.recorded:>9} {f.dropped:>8} "
            f"{f.unreadable:>11} {gaps:>9}"
        )
    if ref is not None:
        ratio = app.cores / ref.cores if ref.cores > 0 else float("nan")
        print(
            f"app/reference CPU: {ratio:.2f}   (main: the app's own process, the rest is its stream processes; "
            "kernel: share of the CPU time spent in the kernel)"
        )
    for r in (app, ref):
        if r is not None:
            for problem in r.problems:
                print(f"  {r.name}: {problem}")


def complete(result: Result) -> bool:
    """True when every camera has footage and no frame is missing from it."""
    f = result.frames
    return f.dropped == 0 and f.unreadable == 0 and f.cameras == result.cameras


def print_targets(runs: list[tuple[str, Result, Result | None]]) -> None:
    """The issue's targets: MET or NOT MET."""
    print()
    targets = [r for r in runs if r[0].startswith("640x360") and r[1].cameras == TARGET_CAMERAS]
    if not targets:
        print(f"targets: not evaluated (they are for {TARGET_CAMERAS} cameras at 640x360)")
    else:
        app_cores = statistics.median(app.cores for _, app, _ in targets)
        refs = [ref.cores for _, _, ref in targets if ref is not None]
        if not refs:
            verdict, shown = "NOT CHECKED (no reference run)", "-"
        else:
            ref_cores = statistics.median(refs)
            verdict = "MET" if app_cores <= ref_cores and app_cores < TARGET_CORES else "NOT MET"
            shown = f"{ref_cores:.3f}"
        rounds = f", medians of {len(targets)} rounds" if len(targets) > 1 else ""
        print(
            f"target {TARGET_CAMERAS} cameras, app CPU <= reference and < {TARGET_CORES} cores: {verdict} "
            f"(app {app_cores:.3f}, reference {shown}{rounds})"
        )
        whole = all(complete(app) for _, app, _ in targets)
        print(f"target {TARGET_CAMERAS} cameras, no frame dropped: {'MET' if whole else 'NOT MET'}")
    for title, app, _ref in runs:
        f = app.frames
        print(
            f"  {title}: app dropped {f.dropped} frames, {f.unreadable} unreadable files, "
            f"{app.cameras - f.cameras} cameras without footage"
        )


# ---- main ---------------------------------------------------------------------------------------------


def isolate_keyring(tmp: Path) -> None:
    """A file keyring under the temp folder, so the benchmark never touches the user's keyring."""
    (tmp / "xdg-data").mkdir()
    os.environ["XDG_DATA_HOME"] = str(tmp / "xdg-data")
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"


def main() -> int:
    """Run every requested size with the app, then the reference, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default=str(TARGET_CAMERAS), help="640x360 runs (cameras, comma-separated)")
    parser.add_argument("--hd-counts", default="16", help="1920x1080 runs (cameras, comma-separated)")
    parser.add_argument("--seconds", type=float, default=60.0, help="measured window per run")
    parser.add_argument("--warmup", type=float, default=5.0, help="after every camera writes, before measuring")
    parser.add_argument("--rounds", type=int, default=1, help="runs per size, app and reference alternating order")
    parser.add_argument("--skip-1080p", action="store_true")
    parser.add_argument("--skip-reference", action="store_true")
    args = parser.parse_args()
    # A SIGTERM (make, a CI timeout) unwinds like Ctrl+C, so the server, ffmpeg and the temp folder go too.
    signal.signal(signal.SIGTERM, lambda _sig, _frame: sys.exit(143))

    from tests.support.cameras import RtspTestServer
    from tests.support.clips import cached_clip

    specs = [(ClipSpec("640x360", 640, 360, 120), [int(c) for c in args.counts.split(",") if c])]
    if not args.skip_1080p:
        specs.append((ClipSpec("1920x1080", 1920, 1080, 30), [int(c) for c in args.hd_counts.split(",") if c]))
    print(
        f"recording benchmark: H.264 {FPS} fps, GOP {GOP_FRAMES / FPS:.0f} s, {SEGMENT_S} s segments, "
        f"{os.cpu_count()} cores (load {os.getloadavg()[0]:.2f}), {args.seconds:.0f} s per run after "
        f"{args.warmup:.0f} s warm-up; reference: {FFMPEG} -c copy -f segment, one process per camera"
    )
    runs: list[tuple[str, Result, Result | None]] = []
    with tempfile.TemporaryDirectory(prefix="nvr-bench-record-") as tmp_name:
        tmp = Path(tmp_name)
        isolate_keyring(tmp)
        for spec, counts in specs:
            if not counts:
                continue
            clip = cached_clip(spec.width, spec.height, FPS, spec.seconds, GOP_FRAMES)
            clip_frames = spec.seconds * FPS
            source = clip_mb_per_s(clip)
            with RtspTestServer(clip, max(counts)) as server:
                for n in counts:
                    urls = [server.url(i) for i in range(1, n + 1)]
                    for round_no in range(1, args.rounds + 1):
                        run_dir = tmp / f"{spec.label}-{n}-{round_no}"
                        ref = None
                        reference_first = round_no % 2 == 0 and not args.skip_reference
                        if reference_first:
                            ref = record_reference(urls, run_dir / "ffmpeg", clip_frames, args.seconds, args.warmup)
                        app = record_app(urls, run_dir / "app", clip_frames, args.seconds, args.warmup)
                        if not args.skip_reference and not reference_first:
                            ref = record_reference(urls, run_dir / "ffmpeg", clip_frames, args.seconds, args.warmup)
                        title = f"{spec.label} x {n} cameras (the server sends {source * n:.3f} MB/s)"
                        if args.rounds > 1:
                            order = "reference first" if reference_first else "app first"
                            title += f", round {round_no} of {args.rounds} ({order})"
                        print_run(title, app, ref)
                        runs.append((f"{spec.label} x {n}", app, ref))
                        shutil.rmtree(run_dir, ignore_errors=True)
    print_targets(runs)
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:  # everything was stopped and removed on the way out
        print("\ninterrupted", file=sys.stderr)
        raise SystemExit(130) from None
