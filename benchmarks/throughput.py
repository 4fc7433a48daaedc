"""How close ``valgus analyze`` gets to the bare pose model, and what it costs in memory.

For each clip, in one run and interleaved (median of ``--runs``), each mode in
a fresh process (start-up included, peak RSS measured):

- floor: a bare MediaPipe Tasks loop: decode, BGR->RGB, detect_for_video, nothing else;
- sequential: the same work as analyze with every stage one after another in one
  thread (decode+infer, analysis, then decode+draw+encode): the reference;
- pipelined: ``valgus analyze --jobs 1`` (decode, inference, drawing and encoding overlap);
- segments: ``valgus analyze --jobs 2`` (two landmarkers on two halves, stitched);
- segments-novideo: the same without the annotated video (analysis only).

    python benchmarks/throughput.py [CLIP ...] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CLIPS = [
    REPO.parent / "shared/videos/front/leowsimin_squat_1.mp4",
    REPO.parent / "shared/videos/front/tux_hyva7.mp4",
]
MODES = ("floor", "sequential", "pipelined", "segments", "segments-novideo")


def _floor(clip: Path) -> int:
    from valgus.models import resolve_model
    from valgus.pose import PoseEstimator
    from valgus.source import VideoSource

    frames = 0
    with VideoSource(clip) as source, PoseEstimator(resolve_model("full").path) as estimator:
        for frame in source:
            estimator.detect(frame.image_bgr, frame.time_s)
            frames += 1
    return frames


def _sequential(clip: Path, out: Path) -> int:
    """Every stage one after another on one thread (no prefetch, no encoder thread)."""
    from valgus.models import resolve_model
    from valgus.outputs.annotated_video import flag_timeline, overlay_frames
    from valgus.outputs.writer import write_outputs
    from valgus.overlay import default_overlay
    from valgus.pipeline import analyze_track
    from valgus.pose import PoseEstimator, TrackBuilder
    from valgus.source import VideoSource
    from valgus.video_writer import H264Writer

    builder = TrackBuilder()
    with VideoSource(clip) as source, PoseEstimator(resolve_model("full").path) as estimator:
        info = source.info
        for frame in source:
            builder.add(frame.time_s, estimator.detect(frame.image_bgr, frame.time_s))
    raw = builder.build(
        width=info.width, height=info.height, fps=info.fps, source=str(clip), model="full"
    )
    session = analyze_track(raw)
    write_outputs(session, out, None)
    overlay, drawn = default_overlay(flag_timeline(session.frames)), overlay_frames(session)
    with (
        VideoSource(clip) as source,
        H264Writer(out / "annotated.mp4", info.width, info.height, info.fps) as writer,
    ):
        for frame in source:
            writer.write(overlay.annotate(frame.image_bgr, drawn[frame.index]), frame.time_s)
    return raw.n_frames


def _analyze(clip: Path, out: Path, jobs: int, video: bool) -> int:
    from valgus.models import resolve_model
    from valgus.runner import analyze_one
    from valgus.thresholds import Thresholds

    session = analyze_one(
        clip,
        out / clip.stem,
        movement="auto",
        model=resolve_model("full"),
        thresholds=Thresholds(),
        write_video=video,
        show_progress=False,
        jobs=jobs,
    )
    return session.source.frames


def measure_in_this_process(mode: str, clip: Path) -> dict:
    """Run one mode; return seconds (from process start), frames and peak RSS."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        if mode == "floor":
            frames = _floor(clip)
        elif mode == "sequential":
            frames = _sequential(clip, out)
        else:
            jobs = 1 if mode == "pipelined" else 2
            frames = _analyze(clip, out, jobs, video=mode != "segments-novideo")
    return {
        "frames": frames,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def measure(mode: str, clip: Path) -> dict:
    """One fresh process per measurement, so start-up is counted and memory is its own."""
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(clip)],
        capture_output=True,
        text=True,
        check=True,
    )
    row = json.loads(result.stdout.strip().splitlines()[-1])
    row["seconds"] = time.perf_counter() - start
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clips", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "CLIP"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(REPO))
        sys.stdout.write(json.dumps(measure_in_this_process(args.child[0], Path(args.child[1]))))
        return 0
    clips = [c for c in (args.clips or DEFAULT_CLIPS) if c.exists()]
    if not clips:
        sys.stderr.write("no clips found\n")
        return 1
    columns = ("clip", "frames", "mode", "s", "fps", "x floor", "RSS MB")
    sys.stdout.write("{:28s} {:>6s} {:17s} {:>6s} {:>6s} {:>7s} {:>7s}\n".format(*columns))
    for clip in clips:
        runs: dict[str, list[dict]] = {mode: [] for mode in MODES}
        for _ in range(args.runs):
            for mode in MODES:
                runs[mode].append(measure(mode, clip))
        floor = statistics.median(r["seconds"] for r in runs["floor"])
        for mode in MODES:
            seconds = statistics.median(r["seconds"] for r in runs[mode])
            frames = runs[mode][0]["frames"]
            rss = max(r["max_rss_mb"] for r in runs[mode])
            sys.stdout.write(
                f"{clip.name:28s} {frames:6d} {mode:17s} {seconds:6.2f} {frames / seconds:6.1f} "
                f"{seconds / floor:7.2f} {rss:7.0f}\n"
            )
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
