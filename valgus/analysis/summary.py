"""Summary: the clip's headline numbers from its reps and flags."""

from __future__ import annotations

import numpy as np
import pandas as pd

from valgus.analysis.flags import NOT_MEASURABLE, verdict
from valgus.analysis.rep_metrics import RepMetrics
from valgus.session import SideSummary, Summary
from valgus.thresholds import Thresholds


def _finite(values: list[float]) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    return array[np.isfinite(array)]


def _side_summary(reps: tuple[RepMetrics, ...], side: str, thresholds: Thresholds) -> SideSummary:
    """Verdict from FPPA at each rep's bottom (peak knee flexion), the clinical convention.

    Reps whose bottom is outside FPPA's valid range (thigh too foreshortened)
    fall back to the rep's highest valid FPPA, so a deep squat is still judged.
    """
    per_rep = [
        bottom if np.isfinite(bottom) else peak
        for bottom, peak in (
            (getattr(rep, f"fppa_bottom_{side}_deg"), getattr(rep, f"peak_fppa_{side}_deg"))
            for rep in reps
        )
    ]
    values = _finite(per_rep)
    peaks = _finite([getattr(rep, f"peak_fppa_{side}_deg") for rep in reps])
    if values.size == 0:
        return SideSummary(float("nan"), float("nan"), NOT_MEASURABLE, 0)
    mean = float(values.mean())
    word = verdict(mean, thresholds.fppa_above_deg.value, thresholds.fppa_marked_deg.value)
    return SideSummary(float(peaks.max()), mean, word, int(values.size))


def _flagged_time(frames: pd.DataFrame, mask: np.ndarray) -> tuple[int, float]:
    """Frames in ``mask`` and the seconds they cover (each frame lasts until the next)."""
    times = frames["time_s"].to_numpy(dtype=float)
    if times.size < 2:
        return int(mask.sum()), 0.0
    durations = np.diff(times, append=times[-1] + np.median(np.diff(times)))
    return int(mask.sum()), float(durations[mask].sum())


def summarise(
    frames: pd.DataFrame, reps: tuple[RepMetrics, ...], thresholds: Thresholds
) -> Summary:
    """Per-side FPPA verdicts, pelvic drop, asymmetry and flagged time of one clip.

    Verdicts use the mean over reps of each rep's peak FPPA: clinical protocols
    average several trials (Munro 2012 uses three) because single reps are noisy.
    """
    left = _side_summary(reps, "left", thresholds)
    right = _side_summary(reps, "right", thresholds)
    drops = _finite([rep.peak_pelvic_drop_deg for rep in reps])
    drop_max = float(drops.max()) if drops.size else float("nan")
    drop_mean = float(drops.mean()) if drops.size else float("nan")
    pelvic_verdict = (
        verdict(
            drop_mean,
            thresholds.pelvic_drop_above_deg.value,
            thresholds.pelvic_drop_marked_deg.value,
        )
        if drops.size
        else NOT_MEASURABLE
    )
    asymmetry = left.mean_fppa_deg - right.mean_fppa_deg
    collapse = (frames["collapse_grade_left"].to_numpy() > 0) | (
        frames["collapse_grade_right"].to_numpy() > 0
    )
    pelvic = frames["pelvic_grade"].to_numpy() > 0
    collapse_frames, collapse_s = _flagged_time(frames, collapse)
    pelvic_frames, pelvic_s = _flagged_time(frames, pelvic)
    return Summary(
        left=left,
        right=right,
        pelvic_drop_deg_max=drop_max,
        pelvic_drop_deg_mean=drop_mean,
        pelvic_verdict=pelvic_verdict,
        asymmetry_deg=float(asymmetry),
        asymmetry_exceeds_sdd=bool(abs(asymmetry) >= thresholds.fppa_sdd_deg.value),
        collapse_frames=collapse_frames,
        collapse_seconds=collapse_s,
        pelvic_drop_frames=pelvic_frames,
        pelvic_drop_seconds=pelvic_s,
    )
