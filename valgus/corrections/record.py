"""A correction as it is kept: the coach's checked points, the model's, and every angle.

One function builds it for the app's saves and imports and for ``valgus analyze
--corrections``, so a correction's angles never depend on where it was made.
"""

from __future__ import annotations

from typing import Any

from valgus.corrections.clip_frames import ClipFrames
from valgus.corrections.points import (
    PointsError,
    check_points,
    coach_angles,
    model_angles,
    model_points,
    moved_points,
)


def model_on_frame(frames: ClipFrames, frame: int) -> dict[str, Any]:
    """The model's leg points on ``frame``, the pipeline's reading of them, the report's numbers."""
    points = model_points(frames.track.xy_px[frame])
    return {
        "points": points,
        "angles": model_angles(points, pelvic_baseline_deg=frames.pelvic_baseline_deg),
        "reported": frames.reported_at(frame),
    }


def build_correction(
    frames: ClipFrames, *, frame: int, points: dict[str, Any], coach: str
) -> dict[str, Any]:
    """frame, time_s, coach, points, model and angles of one correction.

    Raises
    ------
    FrameError
        When ``frame`` is not a frame of the clip.
    PointsError
        For a coach name that is not printable text, or points ``check_points`` refuses.
    """
    frames.check_frame(frame)
    coach = " ".join(coach.split())
    if not coach or not coach.isprintable():
        raise PointsError("coach must be a printable name")
    track = frames.track
    checked = check_points(points, width=track.width, height=track.height)
    model = model_on_frame(frames, frame)
    return {
        "frame": frame,
        "time_s": round(float(track.times_s[frame]), 4),
        "coach": coach,
        "points": {name: list(p) for name, p in checked.items()},
        "model": model["points"],
        "angles": {
            "coach": coach_angles(checked, pelvic_baseline_deg=frames.pelvic_baseline_deg),
            "model": model["angles"],
            "reported": model["reported"],
            "moved": moved_points(checked, model["points"]),
        },
    }
