"""Peak memory of ``valgus analyze`` against clip length: it must stay flat.

Renders squat clips of 1, 5 and 10 minutes with ``valgus synth`` (no frames
are ever held in memory, so RSS should not grow with length beyond the
per-frame landmark arrays, ~2 KB a frame), analyses each in a fresh process
with the annotated video written, and prints seconds and peak RSS.

    python benchmarks/memory.py [--minutes 1 5 10] [--size 360x480]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[1, 5, 10])
    parser.add_argument("--size", default="360x480")
    args = parser.parse_args()
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
