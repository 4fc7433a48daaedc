"""Summary: the clip's verdicts and headline numbers, from the per-rep readings.

Every number here is a mean or a count of the reps' readings
(valgus.analysis.rep_metrics), graded with the same cuts as the flags
(valgus.analysis.flags), so the sentence, the card, the table and the
timeline of a report can never disagree:

- a knee: the mean of its FPPA readings (at the bottom, or at the deepest
  frame where FPPA is valid); clinical protocols average trials (Munro 2012
  uses three). In a bilateral squat the knee is also judged at depth by the
  knee-to-ankle separation ratio at the bottom (KASR, Mizner 2012), which stays
  meaningful where FPPA does not, against its value standing (so a wide stance
  is not read as valgus); the knee's verdict is the worse of the two;
- the pelvis: the mean of the reps' peak drops, only in shots with a standing
  baseline (own or borrowed); against the bare horizontal no verdict is given.
  In a single-leg task each stance leg is graded apart (it tests its own hip
  abductors) and the worse one heads the summary;
- left against right: only the same measure at the same kind of frame (a
  bilateral squat: both knees at one frame of each rep; a single-leg task:
  each leg's readings as the stance leg), and called real only with at least
  ``min_side_difference_reps`` reps a side and a difference of at least the
  SDD.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from valgus.analysis.flags import NOT_MEASURABLE, VERDICTS, verdict
from valgus.analysis.rep_metrics import RepMetrics
from valgus.analysis.stance import STANCE_SIDES
from valgus.movement import Movement
from valgus.session import SideDifference, SideSummary, StancePelvis, Summary
from valgus.thresholds import Thresholds


def _finite(values: list[float]) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    return array[np.isfinite(array)]


_SEVERITY = (NOT_MEASURABLE, *VERDICTS)


def _worse(a: str, b: str) -> str:
    """The more severe of two verdicts (a measured one beats "not measurable")."""
    return max(a, b, key=_SEVERITY.index)


def kasr_verdict(change: float, thresholds: Thresholds) -> str:
    """Knees at depth from KASR at the bottom over KASR standing, where lower is worse."""
    if not np.isfinite(change):
        return NOT_MEASURABLE
    if change < thresholds.kasr_change_marked_ratio.value:
        return VERDICTS[2]
    return VERDICTS[1] if change < thresholds.kasr_change_above_ratio.value else VERDICTS[0]


def _side_summary(
    reps: tuple[RepMetrics, ...], side: str, thresholds: Thresholds, depth_verdict: str
) -> SideSummary:
    readings = [getattr(rep, f"fppa_read_{side}_deg") for rep in reps]
    values = _finite(readings)
    above = thresholds.fppa_above_deg.value
    at_bottom = sum(
        getattr(rep, f"fppa_read_{side}_frame") == rep.bottom_frame
        for rep in reps
        if np.isfinite(getattr(rep, f"fppa_read_{side}_deg"))
    )
    flexion = _finite([getattr(rep, f"knee_flexion_read_{side}_deg") for rep in reps])
    mean = float(values.mean()) if values.size else float("nan")
    fppa_word = verdict(mean, above, thresholds.fppa_marked_deg.value)
    return SideSummary(
        mean_fppa_deg=mean,
        worst_rep_fppa_deg=float(values.max()) if values.size else float("nan"),
        verdict=_worse(fppa_word, depth_verdict),
        reps_measured=int(values.size),
        fppa_verdict=fppa_word,
        reps_read_at_bottom=int(at_bottom),
        max_knee_flexion_read_deg=float(flexion.max()) if flexion.size else float("nan"),
        reps_flagged=int((values >= above).sum()),
        reps_past_limit=sum(getattr(rep, f"past_fppa_limit_{side}") for rep in reps),
        reps_straight=sum(getattr(rep, f"straight_leg_{side}") for rep in reps),
    )


def side_difference(
    reps: tuple[RepMetrics, ...], movement: str, thresholds: Thresholds, *, frontal: bool
) -> SideDifference:
    """Left minus right FPPA, from the same measure at the same kind of frame only.

    Not compared when the body is turned from the camera (``frontal`` False):
    the two legs are then seen from different angles, and their FPPA differs
    by projection. Called real only when it reaches the SDD over enough reps
    and points the same way in every rep (or every reading of one leg lies
    beyond every reading of the other): a mean pulled by one odd rep is not a
    side difference.
    """
    needed = int(thresholds.min_side_difference_reps.value)
    sdd = thresholds.fppa_sdd_deg.value
    method = "stance reps" if Movement(movement).is_single_leg else "same frame"
    if not frontal:
        return SideDifference(float("nan"), method, {"left": 0, "right": 0}, "view turned")
    if Movement(movement).is_single_leg:
        by_side = {
            side: _finite(
                [getattr(r, f"fppa_read_{side}_deg") for r in reps if r.stance_side == side]
            )
            for side in STANCE_SIDES
        }
        counts = {side: int(v.size) for side, v in by_side.items()}
        if min(counts.values()) == 0:
            return SideDifference(float("nan"), method, counts, "one leg only")
        diff = float(by_side["left"].mean() - by_side["right"].mean())
        left, right = by_side["left"], by_side["right"]
        consistent = left.min() > right.max() or right.min() > left.max()
    else:
        pairs = _finite([r.fppa_pair_left_deg - r.fppa_pair_right_deg for r in reps if r.symmetric])
        counts = {side: int(pairs.size) for side in STANCE_SIDES}
        if not pairs.size:
            alike = [r for r in reps if r.symmetric]
            if reps and not alike:
                why = "knees bent unequally"
            elif any(r.past_fppa_limit_left or r.past_fppa_limit_right for r in alike):
                why = "past the limit"
            else:
                why = "no frame with both knees"
            return SideDifference(float("nan"), method, counts, why)
        diff = float(pairs.mean())
        consistent = bool((pairs > 0).all() or (pairs < 0).all())
    if min(counts.values()) < needed:
        status = "too few reps"
    else:
        status = "real" if abs(diff) >= sdd and consistent else "within error"
    return SideDifference(diff, method, counts, status)


def _drops(reps: tuple[RepMetrics, ...], thresholds: Thresholds, side: str) -> StancePelvis:
    """Mean and max of the reps' peak drops against a standing baseline, and the verdict."""
    drops = _finite([r.pelvic_drop_deg for r in reps])
    above = thresholds.pelvic_drop_above_deg.value
    mean = float(drops.mean()) if drops.size else float("nan")
    return StancePelvis(
        stance_side=side,
        drop_deg_max=float(drops.max()) if drops.size else float("nan"),
        drop_deg_mean=mean,
        verdict=verdict(mean, above, thresholds.pelvic_drop_marked_deg.value),
        reps_measured=int(drops.size),
        reps_flagged=int((drops >= above).sum()),
    )


def _pelvis(reps: tuple[RepMetrics, ...], thresholds: Thresholds, *, single_leg: bool) -> dict:
    """The clip's pelvic numbers: over all reps (bilateral), else per stance leg.

    A single-leg task's headline is its worse stance leg (by verdict, then
    mean drop): tux_hyva_ja_paha2's pistols read +2..+6 deg standing on the
    left leg and -2..-14 on the right, whose mean over both (-0.1, "within
    normal") described neither leg.
    """
    references = sorted({r.pelvic_reference for r in reps})
    by_stance = tuple(
        _drops(tuple(r for r in reps if r.stance_side == side), thresholds, side)
        for side in STANCE_SIDES
        if single_leg and any(r.stance_side == side for r in reps)
    )
    measured = [p for p in by_stance if p.reps_measured]
    if measured:
        head = max(measured, key=lambda p: (_SEVERITY.index(p.verdict), p.drop_deg_mean))
    else:
        head = _drops(reps, thresholds, "")
    return {
        "pelvic_drop_deg_max": head.drop_deg_max,
        "pelvic_drop_deg_mean": head.drop_deg_mean,
        "pelvic_verdict": head.verdict,
        "pelvic_reps_measured": head.reps_measured,
        "pelvic_reps_flagged": head.reps_flagged,
        "pelvic_reference": " and ".join(references) if references else "",
        "pelvic_stance_side": head.stance_side or None,
        "pelvis_by_stance": tuple(measured),
    }


def _flagged_time(frames: pd.DataFrame, mask: np.ndarray) -> tuple[int, float]:
    """Frames in ``mask`` and the seconds they cover (each frame lasts until the next)."""
    times = frames["time_s"].to_numpy(dtype=float)
    if times.size < 2:
        return int(mask.sum()), 0.0
    durations = np.diff(times, append=times[-1] + np.median(np.diff(times)))
    return int(mask.sum()), float(durations[mask].sum())


def summarise(
    frames: pd.DataFrame,
    reps: tuple[RepMetrics, ...],
    thresholds: Thresholds,
    movement: str,
    *,
    frontal: bool,
) -> Summary:
    """Per-side verdicts, pelvic drop, side difference and flagged time of one clip.

    ``frontal``: the camera sees the body square on (valgus.analysis.view:
    "front" or "back"), needed to compare the legs.
    """
    bilateral = not Movement(movement).is_single_leg
    kasr = (
        _finite([r.kasr_change_bottom for r in reps if r.symmetric]) if bilateral else np.array([])
    )
    kasr_mean = float(kasr.mean()) if kasr.size else float("nan")
    depth = kasr_verdict(kasr_mean, thresholds)
    sides = {side: _side_summary(reps, side, thresholds, depth) for side in STANCE_SIDES}
    collapse = (frames["collapse_grade_left"].to_numpy() > 0) | (
        frames["collapse_grade_right"].to_numpy() > 0
    )
    collapse_frames, collapse_s = _flagged_time(frames, collapse)
    pelvic_frames, pelvic_s = _flagged_time(frames, frames["pelvic_grade"].to_numpy() > 0)
    return Summary(
        left=sides["left"],
        right=sides["right"],
        **_pelvis(reps, thresholds, single_leg=not bilateral),
        side_difference=side_difference(reps, movement, thresholds, frontal=frontal),
        kasr_change_bottom_mean=kasr_mean,
        depth_verdict=depth,
        collapse_frames=collapse_frames,
        collapse_seconds=collapse_s,
        pelvic_drop_frames=pelvic_frames,
        pelvic_drop_seconds=pelvic_s,
    )
