"""Peak memory of ``valgus analyze`` against clip length: it must stay flat.

Renders squat clips of 1, 5 and 10 minutes with ``valgus synth`` (no frames
are ever held in memory, so RSS should not grow with length beyond the
per-frame landmark arrays, ~2 KB a frame), analyses each in a fresh process
with the annotated video written, and prints seconds and peak RSS.

    python benchmarks/memory.py [--minutes 1 5 10] [--size 360x480]

``--phone`` instead measures resolution: the same 12 s clip at 720x1280 H.264,
1080x1920 HEVC (.mov) and 2160x3840 H.264 (benchmarks/phone_clips.py), each with
the default command and ``--jobs 1``, peak RSS and its ratio to the 720p clip
(goal: 4K within 1.3x); then ``valgus batch --workers 2`` over four copies of
the 4K clip, with the peak RSS of the whole process tree (goal: under 2 GB).

    python benchmarks/memory.py --phone
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from phone_clips import phone_clips
from throughput import measure

REP_SECONDS = 3.0  # one synth squat with its pause, for the rep count of a given length


def render(path: Path, minutes: float, size: str) -> Path:
    reps = max(1, int(minutes * 60 / REP_SECONDS))
    subprocess.run(
        [sys.executable, "-m", "valgus.cli.main", "synth", "squat", "-o", str(path),
         "--reps", str(reps), "--size", size, "--knee-collapse-deg", "12"],
        check=True,
    )  # fmt: skip
    return path


def tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and every process below it, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            continue
    return total


def batch_peak(clips: list[Path], workers: int) -> tuple[float, float]:
    """(seconds, peak RSS MB of the whole tree) of ``valgus batch`` over ``clips``."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "valgus.cli.main", "batch", *map(str, clips)]
        command += ["-o", str(Path(tmp) / "out"), "-q", "--workers", str(workers)]
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        peak = 0.0
        while process.poll() is None:
            peak = max(peak, tree_rss_mb(process.pid))
            time.sleep(0.1)
        if process.returncode:
            raise RuntimeError(process.stderr.read().decode().strip())
        return time.perf_counter() - start, peak


def phone_memory() -> int:
    clips = phone_clips()
    if not clips:
        sys.stderr.write("../shared/videos is needed for the phone clips\n")
        return 1
    sys.stdout.write(
        f"{'clip':34s} {'mode':10s} {'seconds':>8s} {'peak RSS MB':>11s} {'x 720p':>7s}\n"
    )
    base: dict[str, float] = {}
    for clip in clips:
        for mode, label in (("segments", "default"), ("pipelined", "--jobs 1")):
            row = measure(mode, clip)
            base.setdefault(mode, row["max_rss_mb"])
            sys.stdout.write(
                f"{clip.name:34s} {label:10s} {row['seconds']:8.1f} {row['max_rss_mb']:11.0f} "
                f"{row['max_rss_mb'] / base[mode]:7.2f}\n"
            )
            sys.stdout.flush()
    with tempfile.TemporaryDirectory() as tmp:
        copies = []
        for i in range(4):
            # Real copies: batch resolves links and would analyse one file once.
            copies.append(Path(shutil.copy(clips[-1], Path(tmp) / f"clip{i}{clips[-1].suffix}")))
        seconds, peak = batch_peak(copies, workers=2)
    sys.stdout.write(
        f"batch of 4 x {clips[-1].name} on 2 workers: {seconds:.1f} s, "
        f"peak RSS of all processes {peak:.0f} MB\n"
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[1, 5, 10])
    parser.add_argument("--size", default="360x480")
    parser.add_argument("--phone", action="store_true", help="measure resolution, not length")
    args = parser.parse_args()
    if args.phone:
        return phone_memory()
    sys.stdout.write(f"{'minutes':>7s} {'frames':>7s} {'seconds':>8s} {'peak RSS MB':>11s}\n")
    with tempfile.TemporaryDirectory() as tmp:
        for minutes in args.minutes:
            clip = render(Path(tmp) / f"squats_{minutes:g}min.mp4", minutes, args.size)
            row = measure("pipelined", clip)
            sys.stdout.write(
                f"{minutes:7g} {row['frames']:7d} {row['seconds']:8.1f} {row['max_rss_mb']:11.0f}\n"
            )
            sys.stdout.flush()
            clip.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
