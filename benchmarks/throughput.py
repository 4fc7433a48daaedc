"""End-to-end throughput of ``valgus analyze`` against the bare pose model on the same clip.

The floor is a bare MediaPipe Tasks loop (decode, BGR->RGB, detect_for_video,
nothing else). ``end_to_end`` is the full analysis with report, tables and the
H.264 annotated video written. Runs are interleaved and the median is taken,
start-up included, so the ratio is fair on a busy machine.

    python benchmarks/throughput.py [CLIP ...] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from valgus.models import resolve_model  # noqa: E402
from valgus.pose import PoseEstimator  # noqa: E402
from valgus.runner import analyze_one  # noqa: E402
from valgus.source import VideoSource  # noqa: E402
from valgus.thresholds import Thresholds  # noqa: E402

DEFAULT_CLIPS = [
    REPO.parent / "shared/videos/front/tux_hyva7.mp4",
    REPO / "sample_videos/squat_valgus.mp4",
]


def bare_pose_loop(clip: Path) -> tuple[float, int]:
    """Seconds and frames for decode + RGB + detect only (the floor)."""
    start = time.perf_counter()
    frames = 0
    with VideoSource(clip) as source, PoseEstimator(resolve_model("full").path) as estimator:
        for frame in source:
            estimator.detect(frame.image_bgr, frame.time_s)
            frames += 1
    return time.perf_counter() - start, frames


def end_to_end(clip: Path) -> float:
    """Seconds for the whole analysis with every output written."""
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        analyze_one(
            clip,
            Path(out) / clip.stem,
            movement="auto",
            model=resolve_model("full"),
            thresholds=Thresholds(),
            write_video=True,
            show_progress=False,
        )
        return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clips", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    clips = [c for c in (args.clips or DEFAULT_CLIPS) if c.exists()]
    if not clips:
        sys.stderr.write("no clips found\n")
        return 1
    print(f"{'clip':32s} {'frames':>6s} {'floor fps':>9s} {'e2e fps':>8s} {'e2e/floor':>9s}")
    for clip in clips:
        floors, e2es, frames = [], [], 0
        for _ in range(args.runs):
            seconds, frames = bare_pose_loop(clip)
            floors.append(seconds)
            e2es.append(end_to_end(clip))
        floor, e2e = statistics.median(floors), statistics.median(e2es)
        print(
            f"{clip.name:32s} {frames:6d} {frames / floor:9.1f} {frames / e2e:8.1f} "
            f"{e2e / floor:9.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
