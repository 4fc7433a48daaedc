"""``valgus live``: webcam (or a file played as one) with real-time cues, then the full report.

Flow: check the camera, countdown, 2-second standing calibration, the set
with live cues; on quit (q / Esc / Ctrl-C / --duration / end of the file) the
raw recording is closed and the offline pipeline (``valgus.cli.analyze.analyze_one``)
re-runs on it, so the final report is what ``valgus analyze --no-refine`` gives (with
``--refine``, what ``valgus analyze`` gives: the second model re-reads the rep bottoms,
~0.1 s a rep after the set). The live cues never wait for the second model.

Output folder (default ``./valgus-live/<timestamp>/``)::

    recording.mp4   the raw, unmirrored camera frames (fragmented MP4)
    live.json       session summary: live reps, achieved fps, latency, why it stopped
    live.csv        one row per processed frame: live FPPA, grades, cue, hint
    analysis/       report.json, frames.csv, reps.csv, pose.npz, annotated.mp4
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import datetime
from pathlib import Path

from valgus.cli.options import add_analysis_options, settings_from
from valgus.errors import UsageError, ValgusError
from valgus.movement import Movement
from valgus.outputs.folders import check_writable, make_folder
from valgus.settings import AnalysisSettings

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from exc
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected seconds >= 0, got {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``valgus live``."""
    parser.add_argument(
        "--source",
        default="0",
        help="camera index (0, 1, ...), /dev/videoN, a stream URL, or a video file played "
        "in real time as if it were a camera (default: 0)",
    )
    add_analysis_options(parser, thresholds=False)
    parser.add_argument(
        "-o",
        "--out",
        type=Path,
        metavar="OUTDIR",
        help="output folder (default: ./valgus-live/<timestamp>/)",
    )
    parser.add_argument(
        "--record", type=Path, metavar="PATH", help="recording file (default: OUTDIR/recording.mp4)"
    )
    parser.add_argument("--no-window", action="store_true", help="run headless (no window)")
    parser.add_argument(
        "--refine",
        action="store_true",
        help="in the report after the set, re-read each rep's bottom with the second pose "
        "model, as valgus analyze does (~0.1 s a rep); the live cues stay MediaPipe's",
    )
    parser.add_argument(
        "--duration",
        type=_seconds,
        metavar="S",
        help="stop after S seconds (counted after the countdown)",
    )
    parser.add_argument(
        "--countdown",
        type=_seconds,
        metavar="S",
        help="seconds to step back before calibrating (default: 3 for a camera, 0 for a file)",
    )
    parser.add_argument(
        "--save-last-frame",
        type=Path,
        metavar="PNG",
        help="write the last displayed (mirrored, annotated) frame to this image file",
    )


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _default_out() -> Path:
    return Path("valgus-live") / datetime.now().strftime("%Y%m%d-%H%M%S")


def _finite(value: object) -> object:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _write_live_files(result, out: Path) -> None:
    import pandas as pd

    summary = {key: _finite(value) for key, value in result.summary().items()}
    (out / "live.json").write_text(json.dumps(summary, indent=2) + "\n")
    pd.DataFrame(result.log).to_csv(out / "live.csv", index=False)


def _analyse(recording: Path, out: Path, settings: AnalysisSettings, model) -> None:
    from valgus.clip_task import analyze_to_folder, summary_line, summary_of

    _say(f"analysing the recording: {recording}")
    try:
        session = analyze_to_folder(recording, out / "analysis", settings, model=model)
    except ValgusError:
        _say(f"the recording is kept: {recording}")
        raise
    _say(summary_line(out / "analysis", summary_of(session)))


def run(args: argparse.Namespace) -> int:
    """Run ``valgus live``; returns the exit code (0 also after Ctrl-C during the set)."""
    from valgus.live.app import LiveOptions, run_live
    from valgus.live.capture import open_reader
    from valgus.pose.model_files import resolve_model

    if args.duration is not None and args.duration <= 0:
        raise UsageError("--duration must be > 0 seconds")
    shot = args.save_last_frame
    if shot is not None and shot.suffix.lower() not in IMAGE_SUFFIXES:
        raise UsageError(f"--save-last-frame needs one of {', '.join(IMAGE_SUFFIXES)}, got {shot}")
    if not args.no_window:
        from valgus.live.display import check_display

        check_display()  # before the camera and the model: a missing display is a usage error
    settings = settings_from(args, write_video=True, refine=args.refine)
    out = args.out or _default_out()
    reader = open_reader(args.source)  # the camera check comes first: fail before the model loads
    record = args.record or out / "recording.mp4"
    try:
        model = resolve_model(args.model)
        # Before the set starts: a wrong -o or --record must not cost the user their set.
        for folder in (out, record.parent, *([shot.parent] if shot is not None else [])):
            make_folder(folder)
            check_writable(folder)
    except BaseException:
        reader.close()
        raise
    options = LiveOptions(
        model=model,
        record_path=record,
        settings=settings,
        window=not args.no_window,
        duration_s=args.duration,
        countdown_s=args.countdown,
        last_frame_path=args.save_last_frame,
    )
    _say(f"valgus live: {reader.name} -> {out}")
    result = run_live(reader, options, on_status=_say)
    _write_live_files(result, out)
    noun = Movement(result.movement_live).rep_noun + "(s)"
    _say(
        f"stopped ({result.quit_reason}): {result.reps_live} {result.movement_live} {noun} "
        f"counted live; {result.achieved_fps:.1f} fps, latency p50 {result.latency_ms_p50:.0f} ms "
        f"p95 {result.latency_ms_p95:.0f} ms"
    )
    if result.recording is None:
        _say("nothing was recorded (stopped before the set began)")
        return 0
    _analyse(Path(result.recording), out, settings, model)
    return 0
