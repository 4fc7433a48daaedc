"""A coach's points on one frame: which landmarks, their checks, and the angles they give.

Why the coach's FPPA is not multiplied by the calibration gain: the gain
(valgus.analysis.calibration) turns MediaPipe's reading into what a person
digitising joint centres would read (Munro 2012 placed ASIS, knee and ankle
centres by hand). Points a coach placed are that person's reading already, so
their FPPA is ``fppa_deg`` of the points as they are; the model's points on the
same frame are read as the pipeline reads them (gain applied) and kept raw too.

Pelvic obliquity is the hip line against the image horizontal
(``pelvic_obliquity_deg``: + when the person's left hip is lower), and, once a
clip's standing baseline is known, that minus the baseline, as frames.csv's
``pelvic_obliquity_deg``. ASIS points are optional (MediaPipe has none); when
the coach places both, their line gives a second obliquity, which follows the
pelvis where the model's hip points follow the trunk (design.md section 5).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from valgus.analysis.calibration import calibrated_fppa_deg
from valgus.analysis.geometry import fppa_deg, pelvic_obliquity_deg
from valgus.pose.landmarks import Landmark

# The points of a correction and the MediaPipe landmark each starts from.
LEG_POINTS = {
    "left_hip": Landmark.LEFT_HIP,
    "right_hip": Landmark.RIGHT_HIP,
    "left_knee": Landmark.LEFT_KNEE,
    "right_knee": Landmark.RIGHT_KNEE,
    "left_ankle": Landmark.LEFT_ANKLE,
    "right_ankle": Landmark.RIGHT_ANKLE,
}
ASIS_POINTS = ("left_asis", "right_asis")
ALL_POINTS = (*LEG_POINTS, *ASIS_POINTS)

Points = dict[str, tuple[float, float]]


class PointsError(ValueError):
    """Points a correction cannot hold; the message is one line for the coach."""


def check_points(raw: dict[str, Any], *, width: int, height: int) -> Points:
    """The six leg points (and both ASIS or neither) as floats inside the frame.

    Raises
    ------
    PointsError
        For an unknown landmark, a missing leg point, one ASIS without the
        other, a point that is not two finite numbers, or one outside the frame.
    """
    unknown = sorted(set(raw) - set(ALL_POINTS))
    if unknown:
        raise PointsError(f"unknown landmark {unknown[0]!r}; expected {', '.join(ALL_POINTS)}")
    missing = [name for name in LEG_POINTS if name not in raw]
    if missing:
        raise PointsError(f"the correction needs every leg point; {missing[0]} is missing")
    if (ASIS_POINTS[0] in raw) != (ASIS_POINTS[1] in raw):
        raise PointsError("place both ASIS points or neither")
    points: Points = {}
    for name in ALL_POINTS:
        if name not in raw:
            continue
        value = raw[name]
        if not (isinstance(value, (list, tuple)) and len(value) == 2):
            raise PointsError(f"{name} must be [x, y] in pixels")
        try:
            x, y = float(value[0]), float(value[1])
        except (TypeError, ValueError):
            raise PointsError(f"{name} must be [x, y] in pixels") from None
        if not (math.isfinite(x) and math.isfinite(y)):
            raise PointsError(f"{name} must be finite numbers")
        if not (0 <= x <= width and 0 <= y <= height):
            raise PointsError(f"{name} ({x:.1f}, {y:.1f}) is outside the {width}x{height} frame")
        points[name] = (x, y)
    return points


def model_points(xy_px: np.ndarray) -> dict[str, tuple[float, float] | None]:
    """The leg points of one frame of a PoseTrack's ``xy_px`` (33, 2); None where missing."""
    out: dict[str, tuple[float, float] | None] = {}
    for name, index in LEG_POINTS.items():
        x, y = (float(v) for v in xy_px[index])
        out[name] = (x, y) if math.isfinite(x) and math.isfinite(y) else None
    return out


def _number(value: float) -> float | None:
    value = float(value)
    return round(value, 3) if math.isfinite(value) else None


def _leg_fppa(points: Points, side: str) -> float:
    other = "right" if side == "left" else "left"
    return float(
        fppa_deg(
            np.array(points[f"{side}_hip"]),
            np.array(points[f"{side}_knee"]),
            np.array(points[f"{side}_ankle"]),
            np.array(points[f"{other}_hip"]),
        )
    )


def _pelvis(points: Points, left: str, right: str, baseline_deg: float | None) -> dict:
    raw = float(pelvic_obliquity_deg(np.array(points[left]), np.array(points[right])))
    corrected = raw - baseline_deg if baseline_deg is not None else math.nan
    return {"raw_deg": _number(raw), "deg": _number(corrected)}


def coach_angles(points: Points, *, pelvic_baseline_deg: float | None) -> dict[str, Any]:
    """FPPA per leg and pelvic obliquity from points a person placed (no calibration gain)."""
    out: dict[str, Any] = {
        f"fppa_{s}_deg": _number(_leg_fppa(points, s)) for s in ("left", "right")
    }
    out["pelvic_obliquity"] = _pelvis(points, "left_hip", "right_hip", pelvic_baseline_deg)
    if all(name in points for name in ASIS_POINTS):
        out["pelvic_obliquity_asis"] = _pelvis(points, *ASIS_POINTS, pelvic_baseline_deg)
    return out


def model_angles(
    points: dict[str, tuple[float, float] | None], *, pelvic_baseline_deg: float | None
) -> dict[str, Any] | None:
    """The pipeline's reading of the model's points: FPPA x the gain, its raw FPPA, obliquity.

    None when the model has no point for one of the six leg landmarks on this frame.
    """
    if any(p is None for p in points.values()):
        return None
    full: Points = {name: p for name, p in points.items() if p is not None}
    out: dict[str, Any] = {}
    for side in ("left", "right"):
        raw = _leg_fppa(full, side)
        out[f"fppa_{side}_deg"] = _number(calibrated_fppa_deg(raw))
        out[f"fppa_model_{side}_deg"] = _number(raw)
    out["pelvic_obliquity"] = _pelvis(full, "left_hip", "right_hip", pelvic_baseline_deg)
    return out


def moved_points(points: Points, model: dict[str, tuple[float, float] | None]) -> list[str]:
    """Names of the points the coach placed more than half a pixel from the model's."""
    moved = []
    for name, (x, y) in points.items():
        start = model.get(name)
        if start is None or math.hypot(x - start[0], y - start[1]) > 0.5:
            moved.append(name)
    return moved
