"""Which leg bears the weight, and pelvic drop signed by it: the one stance-leg rule.

A foot is off the ground when its ankle is more than ``ANKLE_LIFT_MIN`` (0.08
leg lengths) above the floor line (valgus.analysis.floor): heel rise and
landmark jitter in a bilateral squat stay below ~0.05; a foot lifted for a
single-leg test is well above 0.1 (a heuristic of this project, tuned on the
clips in ../shared/videos). A foot more than ``ANKLE_BELOW_MIN`` below the line
is off the ground too: a pistol squat's free leg, held out toward the camera,
puts its ankle lowest in the picture. The offline analysis and the live view
both call `stance_side`; over a single-leg squat rep, the foot that stays put
while the other travels decides (valgus.analysis.events).

Pelvic drop is + when the non-stance side is lower (design.md section 1).
"""

from __future__ import annotations

from collections import Counter

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
# A foot this far (leg lengths) *below* the floor line is off the ground too: it is held
# out toward the camera, as a pistol squat's free leg (tux_hyva6 and tux_hyva_ja_paha2:
# 0.3-0.45 below at the bottom, where the stance ankle stays within 0.06 of the line).
# Feet on the floor in the squats of ../shared/videos stay within 0.05 of it.
ANKLE_BELOW_MIN = 0.15
# Over a single-leg squat rep (rep_stance_side): a foot whose height moves at most
# PLANTED_MAX_TRAVEL leg lengths from where it was in the rep's first START_FRAMES frames
# stays put, one moving FREE_MIN_TRAVEL or more travels. Stance ankles of the single-leg
# clips of ../shared/videos move 0.01-0.09; free ones 0.20-0.41 in pistol squats (a foot
# already lifted when the rep starts, tux_hyva7, moves only 0.07: the heights decide).
PLANTED_MAX_TRAVEL = 0.1
FREE_MIN_TRAVEL = 0.15
START_FRAMES = 3
# Over a single-leg squat rep whose feet both travel (a zoom or pan moves the floor line):
# a foot whose lowest heights (10th percentile) sit HELD_OUT_BELOW leg lengths below the
# floor line is held out toward the camera, and the other foot stands if its own lowest
# heights stay above ON_FLOOR_LOWEST. tux_hyva_ja_paha2's sixth rep (a pistol on the right
# leg while the camera zooms): the free ankle's lowest -0.09 to -0.11 in every copy of
# benchmarks/metamorphic.py, the stance ankle's +0.04; the knees there are 24-41 deg apart,
# so the knee rule below named the free leg in the mirrored and re-encoded copies.
HELD_OUT_BELOW = 0.06
ON_FLOOR_LOWEST = -0.02
LOWEST_PERCENTILE = 10
# In a rep at least DEEP_REP leg lengths deep whose feet do not settle the stance leg, the
# knee bent KNEE_GAP_DEG or more beyond the other at the bottom (MediaPipe's world degrees)
# carries it (rep_stance_side). Measured: the pistols of tux_hyva_ja_paha2 sink 0.47-0.88
# with gaps of 40-55 deg; clinical single-leg squats bend the free knee behind as far as the
# stance knee or further (tux_hyva7: gaps 9-18 deg at 0.36-0.45 deep), and the rendered ones
# sink less than 0.3 (taken at any depth, the rule swapped 17 of their 48 stance legs).
DEEP_REP = 0.4
KNEE_GAP_DEG = 30.0


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
    left = off_the_ground(lift_left, lift_min)
    right = off_the_ground(lift_right, lift_min)
    pose = np.asarray(has_pose, dtype=bool)
    grounded_left = np.isfinite(np.asarray(lift_left, dtype=float)) & ~left
    grounded_right = np.isfinite(np.asarray(lift_right, dtype=float)) & ~right
    side = np.full(np.broadcast(left, right, pose).shape, None, dtype=object)
    side[pose & right & grounded_left] = "left"
    side[pose & left & grounded_right] = "right"
    return side if side.ndim else side.item()


def off_the_ground(lift: np.ndarray | float, lift_min: float = ANKLE_LIFT_MIN) -> np.ndarray:
    """True where a foot is off the ground: above the floor line, or held out below it.

    ``lift`` is the ankle's height above the floor line (leg lengths, NaN: not
    seen, neither off nor on); above ``lift_min`` the foot is lifted, below
    ``-ANKLE_BELOW_MIN`` it is held out toward the camera.
    """
    value = np.asarray(lift, dtype=float)
    with np.errstate(invalid="ignore"):
        return (value > lift_min) | (value < -ANKLE_BELOW_MIN)


def rep_stance_side(
    sides: np.ndarray,
    lift_left: np.ndarray,
    lift_right: np.ndarray,
    *,
    bottom: tuple[float, float, float] = (np.nan, np.nan, np.nan),
) -> str | None:
    """The stance leg of one single-leg squat rep: the foot that stays put, else the usual one.

    Over a rep the stance foot stays where it stood while the free foot
    travels: held out toward the camera in a pistol squat, lifted and lowered
    with the body in a clinical single-leg squat. Its travel (how far the
    ankle's height moves from where it was at the rep's start, 90th
    percentile, leg lengths) settles the legs where the heights alone do not:
    a camera zooming between reps moves the floor line (tux_hyva_ja_paha2: the
    stance ankle travels 0.01-0.09, the free one 0.20-0.41; tux_hyva6 0.04
    against 0.23). Where neither foot clearly stays put, a foot held out below
    the floor line is the free one (`held_out_side`). Else a deep rep decides by
    the knees (``bottom``: depth in leg lengths, left and right knee flexion in
    MediaPipe degrees, at the rep's bottom): the hips cannot sink ``DEEP_REP``
    leg lengths but on a bent stance knee, so a knee bent far more than the
    other stands (tux_hyva_ja_paha2's first rep, where the clip starts
    mid-pan: depth 0.47, knees 67 and 12 deg). A shallow single-leg squat can
    keep its stance knee straighter than the free knee bent behind it (the
    rendered clinical squats), so there the knees decide nothing. Else the
    rep's most common grounded leg of ``sides`` (`stance_side` per frame) is
    its stance leg.
    """
    planted = planted_side(lift_left, lift_right)
    if planted is not None:
        return planted
    held_out = held_out_side(lift_left, lift_right)
    if held_out is not None:
        return "right" if held_out == "left" else "left"
    depth, left, right = bottom
    if depth >= DEEP_REP and abs(left - right) >= KNEE_GAP_DEG:
        return "left" if left > right else "right"
    counts = Counter(s for s in sides if s is not None)
    return counts.most_common(1)[0][0] if counts else None


def planted_side(lift_left: np.ndarray, lift_right: np.ndarray) -> str | None:
    """Over one rep, the leg whose foot stays put while the other travels (None: neither).

    ``lift_left``, ``lift_right``: the rep's ankle heights (leg lengths). In a
    bilateral squat both feet stay put (travel 0.01-0.05), in a jump both travel.
    """
    travel = {"left": _travel(lift_left), "right": _travel(lift_right)}
    for side, other in (("left", "right"), ("right", "left")):
        if travel[side] <= PLANTED_MAX_TRAVEL and travel[other] >= FREE_MIN_TRAVEL:
            return side
    return None


def held_out_side(lift_left: np.ndarray, lift_right: np.ndarray) -> str | None:
    """Over one rep, the leg held out toward the camera (None: neither clearly is).

    Its foot dips below the floor line while the other's never does: a foot
    on the floor cannot sit below the floor it stands on, but a pistol's free
    foot, held out in front, is the lowest point in the picture. Lowest means
    the 10th percentile of the rep's heights, so one jittery frame decides
    nothing. Clinical single-leg squats lift the free foot behind (above the
    line), so this never names their legs.
    """
    lowest = {"left": _lowest(lift_left), "right": _lowest(lift_right)}
    for side, other in (("left", "right"), ("right", "left")):
        if lowest[side] < -HELD_OUT_BELOW and lowest[other] > ON_FLOOR_LOWEST:
            return side
    return None


def _lowest(lift: np.ndarray) -> float:
    """The 10th percentile of an ankle's finite heights over a rep (NaN: none)."""
    values = np.asarray(lift, dtype=float)
    values = values[np.isfinite(values)]
    return float(np.percentile(values, LOWEST_PERCENTILE)) if values.size else float("nan")


def mostly_planted(frames: pd.DataFrame, spans: list[tuple[int, int]]) -> bool:
    """At least half the reps keep one foot put while the other travels (a pistol squat).

    ``spans``: each rep's (start, end) frame numbers. A pistol's free foot, held
    out toward the camera, crosses the floor line on its way, so frame by frame
    it reads as lifted in only part of the clip (tux_hyva6: 23% of frames,
    under events.SINGLE_LEG_SHARE_MIN); over the rep it clearly travels while
    the stance foot stays put (`planted_side`).
    """
    planted = [
        planted_side(
            float_column(frames.loc[start:end], "ankle_lift_left"),
            float_column(frames.loc[start:end], "ankle_lift_right"),
        )
        for start, end in spans
    ]
    return bool(spans) and 2 * sum(p is not None for p in planted) >= len(spans)


def _travel(lift: np.ndarray) -> float:
    """90th percentile of how far an ankle's height moves from the rep's first frames (or NaN)."""
    values = np.asarray(lift, dtype=float)
    start = values[:START_FRAMES][np.isfinite(values[:START_FRAMES])]
    moved = np.abs(values - np.median(start))[np.isfinite(values)] if start.size else []
    return float(np.percentile(moved, 90)) if len(moved) else float("nan")


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
