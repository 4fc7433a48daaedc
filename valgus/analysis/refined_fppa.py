"""FPPA at the reading frames from the second model's legs (valgus.pose.keyframe_legs).

Why: the rep's reading (valgus.analysis.rep_metrics) is the number its verdict,
flags and left/right comparison use. At those frames the second model's hips,
knees and ankles read knee collapse closer to its true size than MediaPipe's
calibrated landmarks on held-out rendered bodies (docs/validation.md), so the
reading comes from them where the model saw the leg clearly.

What stays MediaPipe's: which frames are read and whether FPPA is valid there
(the validity rule needs the tracked series: thigh length, depth, view), every
other frame, the plots and the overlay. The columns are NaN except at frames
the second model read; rep_metrics falls back to MediaPipe wherever they are NaN.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from valgus.analysis.fppa_validity import PLAUSIBLE_FPPA_DEG
from valgus.analysis.geometry import fppa_deg
from valgus.analysis.rep_metrics import RepMetrics
from valgus.analysis.stance import STANCE_SIDES
from valgus.pose.keyframe_legs import KeyframeLegs
from valgus.pose.second_model import MODEL_LABEL as SECOND_MODEL

REFINED_COLUMN = "fppa_refined_{side}_deg"
MEDIAPIPE_READING = "MediaPipe's angle x 1.25"


_READ_AT = (
    "fppa_read_left_frame",
    "fppa_read_right_frame",
    "fppa_pair_frame",
)


def reading_frames(metrics: Iterable[RepMetrics]) -> list[int]:
    """Frames where the reps read FPPA: each knee's reading frame, and the paired frame."""
    frames = set()
    for rep in metrics:
        for name in _READ_AT:
            frame = getattr(rep, name)
            if frame is not None:
                frames.add(int(frame))
    return sorted(frames)


def refined_fppa_columns(frames: pd.DataFrame, legs: KeyframeLegs) -> dict[str, np.ndarray]:
    """``fppa_refined_<side>_deg``: the second model's FPPA where it read a valid knee, else NaN.

    Only where MediaPipe's FPPA is valid (``fppa_valid_<side>``) and the second
    model's angle is inside the plausible range of the validity rule; elsewhere
    the rep keeps MediaPipe's reading.
    """
    out = {}
    for side in STANCE_SIDES:
        values = np.full(len(frames), np.nan)
        valid = frames[f"fppa_valid_{side}"].to_numpy(dtype=bool)
        for position, frame in enumerate(frames.index):
            leg = legs.leg(int(frame), side)
            other_hip = legs.other_hip(int(frame), side)
            if leg is None or other_hip is None or not valid[position]:
                continue
            angle = float(fppa_deg(leg[0], leg[1], leg[2], other_hip))
            if PLAUSIBLE_FPPA_DEG[0] <= angle <= PLAUSIBLE_FPPA_DEG[1]:
                values[position] = angle
        out[REFINED_COLUMN.format(side=side)] = values
    return out


def reading_counts(metrics: Iterable[RepMetrics]) -> tuple[int, int]:
    """(readings taken from the second model, readings in all) over the reps' knees."""
    refined = total = 0
    for rep in metrics:
        for side in STANCE_SIDES:
            if np.isfinite(getattr(rep, f"fppa_read_{side}_deg")):
                total += 1
                refined += bool(np.isfinite(getattr(rep, f"fppa_refined_read_{side}_deg")))
    return refined, total


def second_model_note(legs: KeyframeLegs | None, metrics: Iterable[RepMetrics]) -> str:
    """Where the FPPA readings came from, in two plain sentences for the report's method."""
    calibrated = (
        f"{MEDIAPIPE_READING}: on rendered bodies it reads FPPA at 0.80 of its size "
        "(error 2-3 deg calibrated); its own angle is kept as fppa_model_*."
    )
    if legs is None:
        return (
            "FPPA readings: MediaPipe's, the second pose model did not re-read the rep "
            f"bottoms (turned off, or the source video was not available). {calibrated}"
        )
    refined, total = reading_counts(metrics)
    if total == 0:
        return f"No FPPA reading was taken. Curves: {calibrated}"
    rest = "" if refined == total else f" ({total - refined} where it did not see the leg clearly)"
    return (
        f"FPPA readings: {refined} of {total} from a second pose model ({SECOND_MODEL}) "
        "re-reading hips, knees and ankles at the rep bottoms (rendered bodies: error "
        f"1.6-1.9 deg). Curves, other frames{rest}: {calibrated}"
    )
