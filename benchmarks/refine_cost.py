"""What the second model at the rep bottoms adds to ``valgus analyze`` (issue 20: at most 10%).

For each clip, ``valgus analyze`` with and without ``--no-refine``, each run in a
fresh process (start-up and exit included), the two interleaved so that a busy
moment of the machine hits both alike; median of ``--runs``. Prints the wall
times, their ratio, and how many frames the second model read (report.json).

    python benchmarks/refine_cost.py [CLIP ...] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FRONT = REPO.parent / "shared" / "videos" / "front"
DEFAULT_CLIPS = [FRONT / "tux_hyva2.mp4", FRONT / "nowva_squats.mp4", FRONT / "tux_hyva7.mp4"]


def run(clip: Path, refine: bool) -> tuple[float, dict]:
    """Seconds of one ``valgus analyze`` and its report's ``second_model`` block."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "valgus.cli", "analyze", str(clip), "-o", tmp, "-q"]
        if not refine:
            command.append("--no-refine")
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        seconds = time.perf_counter() - start
        report = json.loads(next(Path(tmp).glob("*/report.json")).read_text())
    return seconds, report["second_model"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("clips", nargs="*", type=Path, default=DEFAULT_CLIPS)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    clips = [c for c in args.clips if c.exists()]
    if not clips:
        sys.stdout.write("no clips found (../shared/videos is not present)\n")
        return 0
    sys.stdout.write(
        "| clip | `--no-refine` | default (second model) | ratio | frames read | readings |\n"
        "|---|---|---|---|---|---|\n"
    )
    for clip in clips:
        times: dict[bool, list[float]] = {False: [], True: []}
        second = {}
        for _ in range(args.runs):
            for refine in (False, True):
                seconds, block = run(clip, refine)
                times[refine].append(seconds)
                second = block if refine else second
        off, on = statistics.median(times[False]), statistics.median(times[True])
        sys.stdout.write(
            f"| `{clip.name}` | {off:.1f} s | {on:.1f} s | {on / off:.3f} x | "
            f"{len(second['frames'])} | {second['readings_from_second_model']} of "
            f"{second['readings']} |\n"
        )
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
