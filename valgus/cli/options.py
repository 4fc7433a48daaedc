"""Options shared by the commands that analyse clips (analyze, batch, live, serve).

Why one module: every way in must parse --movement, --model, --threshold,
--jobs and --clip-timeout the same way, with the same messages.
"""

from __future__ import annotations

import argparse
from typing import Any

from valgus.errors import UsageError
from valgus.movement import MOVEMENT_CHOICES
from valgus.settings import DEFAULT_VIDEO_SIZE, VIDEO_SIZES, AnalysisSettings


def threshold_override(text: str) -> tuple[str, float]:
    """Parse ``--threshold NAME=VALUE`` (shared by analyze and batch)."""
    name, sep, value = text.partition("=")
    try:
        if not sep:
            raise ValueError
        return name.strip(), float(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected NAME=NUMBER, got {text!r}") from exc


def positive_seconds(text: str) -> float:
    """Parse a duration option that must be a number of seconds > 0 (--clip-timeout)."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds > 0, got {text!r}")
    return value


def add_clip_timeout_option(parser: argparse.ArgumentParser, *, note: str = "") -> None:
    """``--clip-timeout S`` of the commands that analyse clips in worker processes."""
    parser.add_argument(
        "--clip-timeout",
        type=positive_seconds,
        metavar="S",
        help="stop a clip still running after S seconds (a fresh worker's start-up included) "
        f"and record it as failed (exit code 124){note}",
    )


def positive_int(text: str) -> int:
    """Parse a count option that must be a whole number >= 1 (--jobs, --workers)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


def add_analysis_options(parser: argparse.ArgumentParser, *, thresholds: bool = True) -> None:
    """--movement, --model, --sex (and --threshold): the options every way in shares."""
    parser.add_argument(
        "--movement",
        choices=MOVEMENT_CHOICES,
        default="auto",
        help="what the clip shows (default: auto, detected from the motion)",
    )
    parser.add_argument(
        "--model", default="full", help="lite | full | heavy | path to a .task (default: full)"
    )
    parser.add_argument("--sex", choices=("f", "m"), help="selects sex-specific FPPA normal ranges")
    if thresholds:
        parser.add_argument(
            "--threshold",
            action="append",
            type=threshold_override,
            default=[],
            metavar="NAME=VALUE",
            help="override a threshold, e.g. fppa_marked_deg=15 (repeatable)",
        )


def add_mirror_average_option(parser: argparse.ArgumentParser) -> None:
    """--mirror-average, for the ways in that analyse files (valgus.pose.mirror_average)."""
    parser.add_argument(
        "--mirror-average",
        action="store_true",
        help="also run the model on mirrored frames and average: no left/right bias "
        "from the model, about twice the CPU",
    )


def add_refine_option(parser: argparse.ArgumentParser) -> None:
    """--no-refine, for the ways in that analyse files (valgus.pose.second_model)."""
    parser.add_argument(
        "--no-refine",
        action="store_true",
        help="read FPPA at the rep bottoms from MediaPipe alone (calibrated), without the "
        "second model (MoveNet Thunder) that re-reads those frames; saves ~0.1 s a rep",
    )


def add_video_size_option(parser: argparse.ArgumentParser) -> None:
    """--video-size, for the ways in that write an annotated video from a file."""
    parser.add_argument(
        "--video-size",
        choices=tuple(VIDEO_SIZES),
        default=str(DEFAULT_VIDEO_SIZE),
        help="the annotated video's size: 720 (720p, the default) or 1080 (1080p) on its "
        "shorter side, never larger than the clip, or source (the clip's own size)",
    )


def settings_from(args: argparse.Namespace, **fixed: Any) -> AnalysisSettings:
    """The AnalysisSettings of parsed ``args`` (the options of ``add_analysis_options``).

    ``fixed`` sets what a command decides itself (``write_video``, ``jobs``);
    options a command does not have keep their defaults. A bad value is a
    usage error (exit code 2), as an unknown option is.
    """
    chosen = {
        "movement": args.movement,
        "model": args.model,
        "sex": args.sex,
        "overrides": tuple(getattr(args, "threshold", ()) or ()),
        "mirror_average": getattr(args, "mirror_average", False),
        "refine": not getattr(args, "no_refine", False),
        "video_size": VIDEO_SIZES[getattr(args, "video_size", str(DEFAULT_VIDEO_SIZE))],
        **fixed,
    }
    try:
        settings = AnalysisSettings(**chosen)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    settings.thresholds()
    return settings
