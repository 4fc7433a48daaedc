"""How close ``valgus analyze`` gets to the bare pose model, and what it costs in memory.

For each clip, in one run and interleaved (median of ``--runs``), each mode in
a fresh process (start-up and exit included, that process's peak RSS measured);
the last three modes run the ``valgus`` command itself, as a user would:

- floor: a bare MediaPipe Tasks loop: decode straight to RGB, detect_for_video, nothing else;
- floor-2: two such bare loops at once on two threads, over the time segments
  ``--jobs 2`` uses (each after the first starting early for its warm-up): how
  this machine scales the floor's loop to two cores. ``segments`` can beat it,
  as it decodes ahead on another thread while the model runs;
- sequential: the same work as analyze with every stage one after another in one
  thread (decode+infer+camera cues, analysis with the second model, the report,
  then decode+draw+encode): the reference;
- pipelined: ``valgus analyze --jobs 1`` (decode, inference, drawing and encoding overlap);
- segments: ``valgus analyze --jobs 2`` (two landmarkers on two halves, stitched);
- segments-novideo: the same without the annotated video (analysis only).

Each row also gives the process's CPU time (user + system, median): on this
2-core machine no mode can take less wall time than half its CPU time, which
shows how far overlapping stages can go before the work itself has to shrink.

    python benchmarks/throughput.py [CLIP ...] [--runs 5] [--phone]

``--phone`` measures the phone formats of benchmarks/phone_clips.py (the same
12 s portrait clip at 720x1280 H.264, 1080x1920 HEVC .mov, 2160x3840 H.264).
"""

from __future__ import annotations

import argparse
import json
import os
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
MODES = ("floor", "floor-2", "sequential", "pipelined", "segments", "segments-novideo")
IN_PROCESS = ("floor", "floor-2", "sequential")


def _floor(clip: Path) -> int:
    from valgus.pose.landmarker import PoseEstimator
    from valgus.pose.model_files import resolve_model
    from valgus.video.source import VideoSource

    frames = 0
    with (
        VideoSource(clip, order="rgb") as source,
        PoseEstimator(resolve_model("full").path) as estimator,
    ):
        for frame in source:
            estimator.detect_rgb(frame.image, frame.time_s)
            frames += 1
    return frames


def _bare_segment(clip: Path, segment) -> int:
    """The floor's loop over one segment, warm-up included; returns the frames kept."""
    from valgus.pose.landmarker import PoseEstimator
    from valgus.pose.model_files import resolve_model
    from valgus.video.source import VideoSource

    kept = 0
    with (
        VideoSource(clip, start_s=segment.read_from_s, order="rgb") as source,
        PoseEstimator(resolve_model("full").path) as estimator,
    ):
        for frame in source:
            if frame.time_s >= segment.end_s:
                break
            estimator.detect_rgb(frame.image, frame.time_s)
            kept += frame.time_s >= segment.start_s
    return kept


def _floor_two(clip: Path) -> int:
    """Two bare loops at once on the segments of ``--jobs 2`` (threads, as valgus runs them)."""
    from concurrent.futures import ThreadPoolExecutor

    from valgus.pose.time_chunks import plan_segments
    from valgus.video.scan import scan_frames
    from valgus.video.source import VideoSource

    with VideoSource(clip) as probe:
        first_time_s = probe.info.first_time_s
    segments = plan_segments(scan_frames(clip, first_time_s), 2)
    with ThreadPoolExecutor(max_workers=len(segments)) as pool:
        return sum(pool.map(lambda segment: _bare_segment(clip, segment), segments))


def _sequential(clip: Path, out: Path) -> int:
    """Every stage one after another on one thread (no prefetch, no encoder thread).

    The same work as ``valgus analyze``: camera cues with the pose, the second
    model at the reading frames, the report (its stills decoded on their own),
    then the annotated video.
    """
    from valgus.outputs.annotated_video import OverlayFrames, flag_timeline
    from valgus.outputs.clip_folder import write_outputs
    from valgus.overlay.chain import default_overlay
    from valgus.pipeline import analyze_track
    from valgus.pose.camera_cues import CueTracker
    from valgus.pose.keyframe_legs import keyframe_reader
    from valgus.pose.landmarker import PoseEstimator, TrackBuilder
    from valgus.pose.model_files import resolve_model
    from valgus.video.source import VideoSource
    from valgus.video.writer import H264Writer

    builder, cues = TrackBuilder(), CueTracker()
    with (
        VideoSource(clip, order="rgb") as source,
        PoseEstimator(resolve_model("full").path) as estimator,
    ):
        info = source.info
        for frame in source:
            marks = estimator.detect_rgb(frame.image, frame.time_s)
            row = cues.update(frame.image, None if marks is None else marks[:, :2])
            builder.add(frame.time_s, marks, row)
    raw = builder.build(
        width=info.width, height=info.height, fps=info.fps, source=str(clip), model="full"
    )
    session = analyze_track(raw, refine=keyframe_reader(clip, raw))
    write_outputs(session, out, clip, draw_video=False)
    overlay, drawn = default_overlay(flag_timeline(session.frames)), OverlayFrames(session)
    with (
        VideoSource(clip) as source,
        H264Writer(out / "annotated.mp4", info.width, info.height, info.fps) as writer,
    ):
        for frame in source:
            writer.write(overlay.annotate(frame.image_bgr, drawn[frame.index]), frame.time_s)
    return raw.n_frames


def _cli_command(mode: str, clip: Path, out: Path) -> list[str]:
    """The ``valgus`` command a user would type for this mode (the real CLI, its exit included)."""
    jobs = "1" if mode == "pipelined" else "2"
    command = [sys.executable, "-m", "valgus.cli.main", "analyze", str(clip), "-o", str(out), "-q"]
    return [*command, "--jobs", jobs, *(["--no-video"] if mode == "segments-novideo" else [])]


def measure_in_this_process(mode: str, clip: Path) -> int:
    """Run the floor, floor-2 or the sequential reference here; return the frame count."""
    if mode == "floor":
        return _floor(clip)
    if mode == "floor-2":
        return _floor_two(clip)
    with tempfile.TemporaryDirectory() as tmp:
        return _sequential(clip, Path(tmp))


def measure(mode: str, clip: Path) -> dict:
    """One fresh process per measurement, so start-up and exit are counted and memory is its own."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        if mode in IN_PROCESS:
            command = [sys.executable, __file__, "--child", mode, str(clip)]
        else:
            command = _cli_command(mode, clip, out)
        logs = out / "stdout.txt", out / "stderr.txt"
        with logs[0].open("w") as stdout, logs[1].open("w") as stderr:
            start = time.perf_counter()
            process = subprocess.Popen(command, stdout=stdout, stderr=stderr)
            _, status, usage = os.wait4(process.pid, 0)  # this child's own peak RSS
            seconds = time.perf_counter() - start
            process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            raise RuntimeError(f"{mode} on {clip.name} failed: {logs[1].read_text().strip()}")
        if mode in IN_PROCESS:
            frames = int(logs[0].read_text().split()[-1])
        else:
            report = json.loads((out / clip.stem / "report.json").read_text())
            frames = int(report["source"]["frames"])
    max_rss_mb = usage.ru_maxrss / 1024
    cpu_s = usage.ru_utime + usage.ru_stime
    return {"frames": frames, "seconds": seconds, "max_rss_mb": max_rss_mb, "cpu_s": cpu_s}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clips", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--modes",
        nargs="+",
        choices=MODES,
        default=list(MODES),
        help="measure only these (floor is always measured: the ratios need it)",
    )
    parser.add_argument(
        "--phone", action="store_true", help="the phone formats (benchmarks/phone_clips.py)"
    )
    parser.add_argument("--child", nargs=2, metavar=("MODE", "CLIP"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(REPO))
        sys.stdout.write(f"{measure_in_this_process(args.child[0], Path(args.child[1]))}\n")
        return 0
    if args.phone:
        sys.path.insert(0, str(REPO / "benchmarks"))
        from phone_clips import phone_clips

        args.clips = [*args.clips, *phone_clips()]
    clips = [c for c in (args.clips or DEFAULT_CLIPS) if c.exists()]
    if not clips:
        sys.stderr.write("no clips found\n")
        return 1
    modes = [m for m in MODES if m == "floor" or m in args.modes]
    columns = ("clip", "frames", "mode", "s", "fps", "x floor", "x floor-2", "RSS MB", "CPU s")
    sys.stdout.write(
        "{:28s} {:>6s} {:17s} {:>6s} {:>6s} {:>7s} {:>9s} {:>7s} {:>6s}\n".format(*columns)
    )
    for clip in clips:
        runs: dict[str, list[dict]] = {mode: [] for mode in modes}
        for _ in range(args.runs):
            for mode in modes:
                runs[mode].append(measure(mode, clip))
        median = {m: statistics.median(r["seconds"] for r in runs[m]) for m in modes}
        for mode in modes:
            seconds, frames = median[mode], runs[mode][0]["frames"]
            rss = max(r["max_rss_mb"] for r in runs[mode])
            cpu = statistics.median(r["cpu_s"] for r in runs[mode])
            two = f"{seconds / median['floor-2']:9.2f}" if "floor-2" in median else f"{'':9s}"
            sys.stdout.write(
                f"{clip.name:28s} {frames:6d} {mode:17s} {seconds:6.2f} {frames / seconds:6.1f} "
                f"{seconds / median['floor']:7.2f} {two} {rss:7.0f} {cpu:6.1f}\n"
            )
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
