"""What a clip is before it is decoded, and what went wrong while decoding it.

Split from valgus.video.source so that the pose stage's time chunks, which
stitch several decodes, report a clip's damage with the same sentences.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# A jump between frame times of more than this many nominal intervals is missing video.
GAP_FRAMES = 2.5


@dataclass(frozen=True)
class VideoInfo:
    """What the container says about a clip, before decoding all of it."""

    path: str
    width: int  # of the upright frame (rotation applied)
    height: int
    fps: float
    frames_declared: int  # 0 when the container does not say
    duration_s: float  # 0.0 when the container does not say
    rotation_deg: int  # clockwise rotation applied to make frames upright
    codec: str
    first_time_s: float  # container time of the first frame; frame times count from it


def fit_within(width: int, height: int, short_side: int | None) -> tuple[int, int]:
    """(width, height) scaled so the shorter side is at most ``short_side``; never enlarged.

    Even sizes (what H.264's 4:2:0 needs), aspect kept to the pixel. None keeps the size.
    """
    if short_side is None or min(width, height) <= short_side:
        return width, height
    factor = short_side / min(width, height)
    return max(2, round(width * factor / 2) * 2), max(2, round(height * factor / 2) * 2)


def missing_seconds(times_s: np.ndarray, fps: float) -> float:
    """Seconds of video missing between frames (jumps longer than ``GAP_FRAMES`` intervals)."""
    steps = np.diff(np.asarray(times_s, dtype=float))
    gaps = steps[steps > GAP_FRAMES / fps]
    return float(np.sum(gaps - 1.0 / fps))


def describe_decode(
    info: VideoInfo,
    *,
    frames_decoded: int,
    last_time_s: float,
    missing_s: float,
    corrupt_packets: int,
    corrupt_frames: int,
) -> tuple[str, ...]:
    """One-line warnings about a decode, for the report."""
    notes = []
    if corrupt_packets:
        notes.append(f"{corrupt_packets} damaged packets were skipped while decoding")
    if corrupt_frames:
        notes.append(f"{corrupt_frames} damaged frame(s) decoded with errors")
    if missing_s > 0:
        notes.append(f"{missing_s:.1f} s of video missing inside the file (damaged?)")
    declared = info.frames_declared
    covered = last_time_s + 1.0 / info.fps
    if declared and frames_decoded < 0.9 * declared:
        notes.append(
            f"the video ends early: {frames_decoded} of {declared} frames could be decoded"
        )
    elif info.duration_s and covered < 0.9 * info.duration_s:
        notes.append(
            f"the video ends early: frames cover {covered:.1f} s of {info.duration_s:.1f} s"
        )
    return tuple(notes)
