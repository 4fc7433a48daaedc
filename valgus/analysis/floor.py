"""Where the floor is in the picture, and how high each ankle stands above it.

Why apart from valgus.analysis.kinematics: which foot is off the ground decides
the stance leg (valgus.analysis.stance), the movement and the standing frames
every baseline comes from, so the floor line and the ankle heights have one
home, read by the offline analysis and, through the clip's BodyReference, by
live.
"""

from __future__ import annotations

import numpy as np

from valgus.analysis.geometry import finite_percentile, ratio
from valgus.pose.landmarks import LEG, Landmark

# An ankle that never comes closer to the floor than this (leg lengths) is taken as
# placed forward (stagger), not lifted; see ankle_stagger.
MAX_STAGGER = 0.1
# Camera roll a grounded ankle's offset may also come from: a rolled camera lifts one
# ankle by tan(roll) x the ankle spacing. A 5 deg roll of the wide-stance clips of
# ../shared/videos/front (spacing 0.5-1.2 leg lengths) lifted one ankle by 0.04-0.11
# leg lengths, past MAX_STAGGER: the clip lost its standing frames (so its pelvic
# baseline) and passed for a single-leg squat (benchmarks/metamorphic.py, roll5 on
# lnewco_bad_IMG_7033, lnewco_good_IMG_7035, nowva_side_lunge). Handheld phones tilt
# a few degrees; 6 deg leaves room for that, and on a narrow stance (spacing ~0.2) adds
# only 0.02 to MAX_STAGGER. (The tux_hyva6 figures once quoted here, a lowest lift of
# 0.13 on a 0.19 spacing, were its stance foot over a floor line misplaced by the
# pistol's free foot; see floor_line_y.)
MAX_ROLL_DEG = 6.0


def floor_line_y(xy: np.ndarray, use: np.ndarray, hips_high: np.ndarray) -> float:
    """y (pixels) of a grounded ankle: the 90th percentile of the lower ankle's y.

    Taken over the frames of ``use`` where the hips are high (``hips_high``;
    all of ``use`` if there are none). Over every frame, a pistol squat's free
    leg, held out toward the camera at the bottom, put its ankle lowest in the
    picture and the floor line with it: the stance foot then read as lifted
    0.13-0.4 leg lengths and the free leg was measured as the stance leg
    (tux_hyva6), or neither foot as grounded (tux_hyva_ja_paha2, taken for a
    bilateral squat). With the hips high, both feet are on the floor, or the
    lower one is.
    """
    lower_ankle_y = np.fmax(xy[:, Landmark.LEFT_ANKLE, 1], xy[:, Landmark.RIGHT_ANKLE, 1])
    high = use & hips_high & np.isfinite(lower_ankle_y)
    return finite_percentile(lower_ankle_y[high if high.any() else use], 90)


def ankle_stagger(
    xy: np.ndarray,
    side: str,
    floor_y: float,
    leg: float,
    use: np.ndarray,
    hips_high: np.ndarray,
) -> float:
    """How far (leg lengths) an ankle sits above the floor even at its lowest.

    A foot placed a little forward, or a slightly rolled camera, puts one
    grounded ankle up to ~0.1 leg lengths above the other for the whole clip
    (front/lnewco_bad_IMG_7033.mov: 0.084-0.101). That is not a lifted foot. A
    foot lifted for the whole of a single-leg hold sits higher still, so only
    offsets up to ``MAX_STAGGER``, plus what a ``MAX_ROLL_DEG`` camera roll adds
    across the clip's ankle spacing, are taken as stagger. Measured where the
    floor line is (``hips_high``, see `floor_line_y`): a pistol's free foot dips
    below the line at the bottom, which hid its resting offset (tux_hyva6's free
    foot rests 0.05-0.09 up, so its standing frames came and went with the
    camera's roll and its pelvic baseline with them).
    """
    high = use & hips_high
    lift = ratio(floor_y - xy[:, LEG[side][2], 1], leg)[high if high.any() else use]
    lowest = finite_percentile(lift, 10)
    gap = np.abs(xy[:, LEG["left"][2], 0] - xy[:, LEG["right"][2], 0])
    spacing = ratio(finite_percentile(gap[use], 50), leg)
    limit = MAX_STAGGER + (float(spacing) if np.isfinite(spacing) else 0.0) * np.tan(
        np.radians(MAX_ROLL_DEG)
    )
    return lowest if np.isfinite(lowest) and 0 < lowest <= limit else 0.0


def ankle_lift(xy: np.ndarray, side: str, floor_y: float, leg: float, stagger: float):
    """(T,) height of one ankle above the floor, less its stagger, in leg lengths."""
    return ratio(floor_y - xy[:, LEG[side][2], 1], leg) - stagger
