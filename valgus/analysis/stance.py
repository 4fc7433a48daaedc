"""Which leg bears the weight, and pelvic drop signed by it: the one stance-leg rule.

A foot is off the ground when its ankle is more than ``ANKLE_LIFT_MIN`` (0.08
leg lengths) above the floor: heel rise and landmark jitter in a bilateral
squat stay below ~0.05; a foot lifted for a single-leg test is well above 0.1
(a heuristic of this project, tuned on the clips in ../shared/videos). The
offline analysis and the live view both call `stance_side`.

Pelvic drop is + when the non-stance side is lower (design.md section 1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from valgus.analysis.columns import bool_column, float_column, require_columns

STANCE_SIDES = ("left", "right")
# The leg-lift artefact: when the free foot leaves the floor, MediaPipe's hip points move as
# if the free hip rose, before the pelvis moves. On 42 rendered single-leg clips with no
# drop at the lift (the realistic body, exact truth) the hip line read a median 2.6 deg of
# drop too little on one leg (per-clip SD 1.4; 2.7 on the clips it was fitted on, 3.1 in
# stance and 2.4 in single-leg squats held out); the frames before the lift are unbiased.
# Adding it back on one-leg frames took held-out single-leg pelvic drop from bias -3.5 /
# MAE 3.6 deg to -0.9 / 2.0 (docs/validation.md, "The leg-lift artefact"). On a real clip
# (front/tux_hyva7) the hips moved 2.8 deg more than the pixels of the waist at each lift.
LEG_LIFT_SHIFT_DEG = 2.7
ANKLE_LIFT_MIN = 0.08


def stance_side(
    lift_left: np.ndarray | float,
    lift_right: np.ndarray | float,
    *,
    has_pose: np.ndarray | bool,
    lift_min: float = ANKLE_LIFT_MIN,
) -> np.ndarray | str | None:
    """The grounded leg where exactly one foot is lifted: the one stance-leg rule.

    The offline analysis (`stance_side_per_frame`) and the live view both call
    this, so both name the same stance leg.

    Parameters
    ----------
    lift_left, lift_right : float or (T,) array
        Ankle heights above the floor, leg lengths.
    has_pose : bool or (T,) array, keyword-only
    lift_min : float, optional
        A foot above this many leg lengths is off the ground.

    Returns
    -------
    "left" when the right foot is lifted and the left is not, "right" for the
    mirror case, None otherwise (both down, both up, no pose); an object array
    of those for array inputs.
    """
    left = np.asarray(lift_left, dtype=float)
    right = np.asarray(lift_right, dtype=float)
    pose = np.asarray(has_pose, dtype=bool)
    side = np.full(np.broadcast(left, right, pose).shape, None, dtype=object)
    side[pose & (right > lift_min) & (left <= lift_min)] = "left"
    side[pose & (left > lift_min) & (right <= lift_min)] = "right"
    return side if side.ndim else side.item()


def stance_side_per_frame(frames: pd.DataFrame, *, lift_min: float = ANKLE_LIFT_MIN) -> pd.Series:
    """The grounded leg in each frame where the other foot is lifted (see `stance_side`).

    Parameters
    ----------
    frames : DataFrame
        Needs ``has_pose``, ``ankle_lift_left``, ``ankle_lift_right`` (leg lengths).
    lift_min : float, optional
        A foot above this many leg lengths is off the ground.

    Returns
    -------
    Series of object, index = frames.index, name "stance_side"
    """
    require_columns(frames, ("has_pose", "ankle_lift_left", "ankle_lift_right"))
    side = stance_side(
        float_column(frames, "ankle_lift_left"),
        float_column(frames, "ankle_lift_right"),
        has_pose=bool_column(frames, "has_pose"),
        lift_min=lift_min,
    )
    return pd.Series(side, index=frames.index, name="stance_side", dtype=object)


def pelvic_drop_from_obliquity(obliquity_deg: np.ndarray, stance_side: np.ndarray) -> np.ndarray:
    """Contralateral pelvic drop from baseline-corrected obliquity.

    Obliquity is + when the person's left hip is lower (CONTRACT.md). Drop is
    + when the non-stance side is lower: on the right leg drop = obliquity,
    on the left leg drop = -obliquity, on both legs (None) drop = |obliquity|.
    On one leg, ``LEG_LIFT_SHIFT_DEG`` is added: MediaPipe's hip line tilts
    toward "free hip higher" when the free foot leaves the floor, before the
    pelvis moves (see the constant).

    Parameters
    ----------
    obliquity_deg : (T,) float
    stance_side : (T,) object of "left", "right" or None

    Returns
    -------
    (T,) float, degrees
    """
    obliquity = np.asarray(obliquity_deg, dtype=float)
    side = np.asarray(stance_side, dtype=object)
    if obliquity.shape != side.shape:
        raise ValueError(
            f"obliquity_deg and stance_side must have the same shape, got "
            f"{obliquity.shape} and {side.shape}"
        )
    drop = np.abs(obliquity)
    right = side == "right"
    left = side == "left"
    drop[right] = obliquity[right] + LEG_LIFT_SHIFT_DEG
    drop[left] = -obliquity[left] + LEG_LIFT_SHIFT_DEG
    return drop
