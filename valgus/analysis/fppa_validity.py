"""Where FPPA is a frontal-plane angle: the one rule the offline analysis and live share.

Why one home: a number shown live, drawn on the annotated video, written to
frames.csv and averaged in the report must pass the same test, or a coach sees
the live view and the report disagree about the same knee.

Why knee flexion: 2D FPPA is the frontal-plane angle only while the knee is
not bent far; deeper, flexion projected through a knee that points outward (a
wide, toes-out stance) reads as "varus" and a thigh pointing at the camera
leaves a hip-knee-ankle angle that means nothing. On the 16 bilateral squat
clips of ../shared/videos raw FPPA left [-45, 70] deg in 2% of frames at 50-60
deg of (MediaPipe world) knee flexion, 10% at 60-70, 73% at 80-90; single-leg
squat stance legs (tux_hyva2/6/7) stayed within -8..13 deg at every flexion
up to 110 deg, because their knees point ahead, not out. No flexion measure
separates the two (single-leg bottoms sit at 80-108 deg, where bilateral
squats have long broken down), so the limit depends on the movement:

- bilateral squat: the leg visible, the thigh at least ``MIN_THIGH_RATIO`` of
  its standing length in the image, knee flexion at most
  ``MAX_FLEXION_DEG["squat"]`` (50 deg: 3 out-of-band frames in 3,461, all on
  a clip with a skeleton burned into its pixels; the lowest clean breakdown is
  at 53.8 deg, a sumo squat). Deeper, the knee is judged by the measures that
  stay meaningful at depth (KASR, the knee over the foot);
- single-leg squat and stance: the stance leg only (the lifted leg is never a
  valgus measure), visible, thigh at least ``SINGLE_LEG_MIN_THIGH_RATIO`` (at a
  pistol squat's bottom the world model reads the stance knee bent only 42-74
  deg while the thigh is 0.03-0.27 of its standing length, so the image guard
  stays) and knee flexion at most
  ``MAX_FLEXION_DEG["single-leg"]`` (above every clinical bottom measured,
  79-108 deg);
- every movement: FPPA within ``PLAUSIBLE_FPPA_DEG``; outside it the geometry
  has broken down whatever the other tests say; and the body turned at most
  ``MAX_MEASURED_YAW_DEG`` from the camera (valgus.analysis.view).

Flexion is in MediaPipe's world-landmark degrees (valgus.analysis.geometry.knee_flexion_deg).
"""

from __future__ import annotations

import numpy as np

from valgus.analysis.view import MAX_MEASURED_YAW_DEG

MIN_THIGH_RATIO = 0.5
SINGLE_LEG_MIN_THIGH_RATIO = 0.3
MAX_FLEXION_DEG = {"squat": 50.0, "single-leg": 120.0}
PLAUSIBLE_FPPA_DEG = (-45.0, 70.0)


def fppa_valid(
    fppa_deg: np.ndarray | float,
    thigh_ratio: np.ndarray | float,
    knee_flexion_deg: np.ndarray | float,
    leg_present: np.ndarray | bool,
    *,
    body_yaw_deg: np.ndarray | float,
    single_leg: bool,
    lifted: np.ndarray | bool = False,
) -> np.ndarray:
    """True where FPPA of one leg is a frontal-plane angle (same shape as the inputs).

    Parameters
    ----------
    fppa_deg : float or array
        FPPA of the leg, degrees (NaN where not computable).
    thigh_ratio : float or array
        Projected thigh length over its standing length.
    knee_flexion_deg : float or array
        Knee flexion from the world landmarks, degrees (NaN: unknown, not valid).
    leg_present : bool or array
        Hip, knee and ankle of the leg visible.
    body_yaw_deg : float or array, keyword-only
        How far the body is turned from the camera (0 square on; NaN: unknown, valid).
    single_leg : bool, keyword-only
        The movement loads one leg (valgus.movement.Movement.is_single_leg).
    lifted : bool or array, keyword-only
        The leg is the lifted one (its partner is the stance leg).
    """
    fppa = np.asarray(fppa_deg, dtype=float)
    ratio = np.asarray(thigh_ratio, dtype=float)
    flexion = np.asarray(knee_flexion_deg, dtype=float)
    low, high = PLAUSIBLE_FPPA_DEG
    kind = "single-leg" if single_leg else "squat"
    min_ratio = SINGLE_LEG_MIN_THIGH_RATIO if single_leg else MIN_THIGH_RATIO
    with np.errstate(invalid="ignore"):
        return (
            np.asarray(leg_present, dtype=bool)
            & ~np.asarray(lifted, dtype=bool)
            & (fppa >= low)
            & (fppa <= high)
            & (ratio >= min_ratio)
            & (flexion <= MAX_FLEXION_DEG[kind])
            & ~(np.asarray(body_yaw_deg, dtype=float) > MAX_MEASURED_YAW_DEG)
        )
