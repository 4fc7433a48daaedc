"""Per-frame measurements for the live view: framing check, FPPA, pelvis, depth.

The offline kinematics (valgus.analysis.kinematics) work on a whole clip; live we have
one frame at a time plus the body reference taken during the standing
calibration. Both use the same geometry (valgus.analysis.geometry) and the same cuts
(visibility 0.5, thigh ratio 0.5, ankle lift 0.08 leg lengths, side view when
the shoulder/hip width ratio is below 0.3 or the body yaw above 55 deg), so
the live numbers and the final report agree up to smoothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from valgus.analysis.calibration import calibrated_fppa_deg
from valgus.analysis.floor import ankle_lift
from valgus.analysis.geometry import fppa_deg, knee_flexion_deg, pelvic_obliquity_deg
from valgus.analysis.kinematics import MIN_VISIBILITY, BodyReference
from valgus.analysis.view import SIDE_MAX_WIDTH_RATIO, SIDE_MIN_YAW_DEG, body_yaw_deg, width_ratio
from valgus.pose.landmarks import LEG, LOWER_BODY, SIDES, Landmark

FEET = (
    Landmark.LEFT_ANKLE,
    Landmark.RIGHT_ANKLE,
    Landmark.LEFT_HEEL,
    Landmark.RIGHT_HEEL,
)
UPPER_BODY = (Landmark.NOSE, Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER)

HINT_NO_PERSON = "step into view: no one detected"
HINT_FACE_CAMERA = "turn to face the camera"
HINT_FEET = "step back: feet out of frame"
HINT_LEGS = "step back: legs out of frame"
HINT_HEAD = "step back: head out of frame"


@dataclass(frozen=True)
class Framing:
    """Whether the person is placed so that the measures mean something.

    ``hint`` is the first problem to fix, in the order: nobody, not facing,
    feet, legs, head; None when the whole body is in view and facing the camera.
    """

    has_pose: bool
    facing: bool
    feet_in_frame: bool
    lower_body_in_frame: bool
    whole_body_in_frame: bool
    hint: str | None


def _in_view(
    xy: np.ndarray, visibility: np.ndarray, index: tuple[int, ...], width: int, height: int
) -> bool:
    pts = xy[list(index)]
    if not np.all(np.isfinite(pts)) or np.any(visibility[list(index)] < MIN_VISIBILITY):
        return False
    inside = (pts[:, 0] >= 0) & (pts[:, 0] <= width) & (pts[:, 1] >= 0) & (pts[:, 1] <= height)
    return bool(inside.all())


def facing_camera(xy: np.ndarray, world_xyz_m: np.ndarray | None) -> bool:
    """True for a front view: the person's left hip on the image right, not side-on.

    Uses the offline view check's cuts (valgus.analysis.view) on one frame.
    """
    if not xy[Landmark.LEFT_HIP, 0] > xy[Landmark.RIGHT_HIP, 0]:
        return False
    with np.errstate(invalid="ignore"):
        if not width_ratio(xy[None])[0] >= SIDE_MAX_WIDTH_RATIO:
            return False
        if world_xyz_m is not None:
            yaw = body_yaw_deg(world_xyz_m[None])[0]
            if np.isfinite(yaw) and yaw >= SIDE_MIN_YAW_DEG:
                return False
    return True


def assess_framing(
    xy: np.ndarray | None,
    visibility: np.ndarray | None,
    width: int,
    height: int,
    *,
    world_xyz_m: np.ndarray | None = None,
) -> Framing:
    """Check one frame's landmarks (33, 2) pixels and visibility (33,) against the frame size."""
    if xy is None or visibility is None:
        return Framing(False, False, False, False, False, HINT_NO_PERSON)
    facing = facing_camera(xy, world_xyz_m)
    feet = _in_view(xy, visibility, FEET, width, height)
    lower = _in_view(xy, visibility, LOWER_BODY, width, height)
    whole = lower and feet and _in_view(xy, visibility, UPPER_BODY, width, height)
    hint = None
    if not facing:
        hint = HINT_FACE_CAMERA
    elif not feet:
        hint = HINT_FEET
    elif not lower:
        hint = HINT_LEGS
    elif not whole:
        hint = HINT_HEAD
    return Framing(True, facing, feet, lower, whole, hint)


@dataclass(frozen=True)
class LiveMeasures:
    """One frame's numbers, relative to the calibration's :class:`BodyReference`.

    Attributes
    ----------
    fppa_deg : dict side -> float
        Frontal plane projection angle, + valgus; NaN when a point is missing.
    thigh_ratio : dict side -> float
        Projected thigh length over the standing thigh length.
    leg_visible : dict side -> bool
        Hip, knee and ankle of that leg found with visibility >= 0.5.
    knee_flexion_deg : dict side -> float
        Knee flexion from the world landmarks (valgus.analysis.geometry.knee_flexion_deg),
        unsmoothed: live has no future frames to centre a median on.
    body_yaw_deg : float
        How far the body is turned from the camera (valgus.analysis.view.body_yaw_deg).
    obliquity_deg : float
        Pelvic obliquity minus the standing baseline, + when the left hip is lower.
    depth : float
        Hip-midpoint drop below standing, in leg lengths (0 standing, + lower).
    ankle_lift : dict side -> float
        Ankle height above the floor less its stagger, in leg lengths.
    """

    fppa_deg: dict[str, float]
    thigh_ratio: dict[str, float]
    leg_visible: dict[str, bool]
    knee_flexion_deg: dict[str, float]
    body_yaw_deg: float
    obliquity_deg: float
    depth: float
    ankle_lift: dict[str, float]


def _ratio(num: float, den: float) -> float:
    return num / den if np.isfinite(den) and den > 0 else float("nan")


def measure(landmarks: np.ndarray, reference: BodyReference) -> LiveMeasures:
    """Measures of one frame from its (33, 7) landmarks (``PoseEstimator.detect``)."""
    xy, visibility, world = landmarks[:, :2], landmarks[:, 3], landmarks[:, 4:7]
    fppa, thigh, visible, lift, flexion = {}, {}, {}, {}, {}
    leg = reference.leg_length_px
    for side in SIDES:
        hip, knee, ankle = LEG[side]
        other_hip = LEG["right" if side == "left" else "left"][0]
        model_fppa = float(fppa_deg(xy[hip], xy[knee], xy[ankle], xy[other_hip]))
        fppa[side] = float(calibrated_fppa_deg(model_fppa))
        length = float(np.linalg.norm(xy[knee] - xy[hip]))
        thigh[side] = _ratio(length, reference.thigh_length_px[side])
        flexion[side] = float(knee_flexion_deg(world[hip], world[knee], world[ankle]))
        points = xy[[hip, knee, ankle]]
        visible[side] = bool(
            np.all(np.isfinite(points)) and np.all(visibility[[hip, knee, ankle]] >= MIN_VISIBILITY)
        )
        # The clip pipeline's formula on this one frame, so live and recorded feet agree.
        stagger = reference.ankle_stagger[side]
        lift[side] = float(ankle_lift(xy[None], side, reference.floor_y_px, leg, stagger)[0])
    obliquity = float(pelvic_obliquity_deg(xy[Landmark.LEFT_HIP], xy[Landmark.RIGHT_HIP]))
    hip_y = float(xy[Landmark.LEFT_HIP, 1] + xy[Landmark.RIGHT_HIP, 1]) / 2.0
    return LiveMeasures(
        fppa_deg=fppa,
        thigh_ratio=thigh,
        leg_visible=visible,
        knee_flexion_deg=flexion,
        body_yaw_deg=float(body_yaw_deg(world[None])[0]),
        obliquity_deg=obliquity - reference.pelvic_baseline_deg,
        depth=_ratio(hip_y - reference.standing_hip_y_px, leg),
        ankle_lift=lift,
    )
