"""Where FPPA is a frontal-plane angle: the one rule the offline analysis and live share.

Why one home: a number shown live, drawn on the annotated video, written to
frames.csv and averaged in the report must pass the same test, or a coach sees
the live view and the report disagree about the same knee.

Today's rule, by movement:

- bilateral squat: the hip, knee and ankle are visible and the thigh is at
  least ``MIN_THIGH_RATIO`` (0.5) of its standing length in the image: deeper,
  the thigh points at the camera and raw FPPA reads -55 to -120 deg on clean
  squats (design.md section 5);
- single-leg squat and stance: the stance leg only (the lifted leg is never a
  valgus measure), thigh at least ``SINGLE_LEG_MIN_THIGH_RATIO`` (0.3) of its
  standing length: front/tux_hyva6 and tux_hyva7 keep FPPA within -13..13 deg
  at ratios 0.2-0.5, so the bottom, where clinicians read FPPA, is kept.
"""

from __future__ import annotations

import numpy as np

MIN_THIGH_RATIO = 0.5
SINGLE_LEG_MIN_THIGH_RATIO = 0.3


def fppa_valid(
    fppa_deg: np.ndarray | float,
    thigh_ratio: np.ndarray | float,
    leg_present: np.ndarray | bool,
    *,
    single_leg: bool,
    lifted: np.ndarray | bool = False,
) -> np.ndarray:
    """True where FPPA of one leg means something (same shape as the inputs).

    Parameters
    ----------
    fppa_deg : float or array
        FPPA of the leg, degrees (NaN where not computable).
    thigh_ratio : float or array
        Projected thigh length over its standing length.
    leg_present : bool or array
        Hip, knee and ankle of the leg visible.
    single_leg : bool, keyword-only
        The movement loads one leg (valgus.movement.Movement.is_single_leg).
    lifted : bool or array, keyword-only
        The leg is the lifted one (its partner is the stance leg).

    Notes
    -----
    The single-leg rule does not ask for ``leg_present``: the offline analysis
    has read the stance leg that way since single-leg squats were added.
    """
    fppa = np.asarray(fppa_deg, dtype=float)
    ratio = np.asarray(thigh_ratio, dtype=float)
    with np.errstate(invalid="ignore"):
        if single_leg:
            return np.isfinite(fppa) & (ratio >= SINGLE_LEG_MIN_THIGH_RATIO) & ~np.asarray(lifted)
        return np.asarray(leg_present, dtype=bool) & (ratio >= MIN_THIGH_RATIO) & np.isfinite(fppa)
