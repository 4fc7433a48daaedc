"""valgus.analysis.summary: the clip's verdicts from its reps (no model, < 1 s)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from valgus.analysis.flags import NOT_MEASURABLE
from valgus.analysis.rep_metrics import RepMetrics
from valgus.analysis.summary import summarise
from valgus.thresholds import Thresholds

NAN = math.nan


def rep(index: int, *, bottom=(NAN, NAN), peak=None, drop=NAN) -> RepMetrics:
    """A rep with FPPA at its bottom and peak (left, right; the peak is the bottom unless
    given) and a peak pelvic drop."""
    peak = bottom if peak is None else peak
    return RepMetrics(
        index=index, stance_side=None, start_frame=0, bottom_frame=1, end_frame=2,
        start_s=0.0, bottom_s=0.5, end_s=1.0, duration_s=1.0, depth_bottom=0.3,
        fppa_bottom_left_deg=bottom[0], fppa_bottom_right_deg=bottom[1],
        fppa_valid_bottom_left=math.isfinite(bottom[0]),
        fppa_valid_bottom_right=math.isfinite(bottom[1]),
        peak_fppa_left_deg=peak[0], peak_fppa_right_deg=peak[1],
        peak_fppa_left_frame=None, peak_fppa_right_frame=None,
        kasr_bottom=1.0, khr_bottom=1.0, knee_medial_bottom_left=0.0,
        knee_medial_bottom_right=0.0, trunk_lean_bottom_deg=0.0,
        pelvic_drop_bottom_deg=drop, peak_pelvic_drop_deg=drop,
        peak_pelvic_drop_frame=None, mean_pelvic_drop_deg=drop,
    )  # fmt: skip


def frames(collapse_left=(), pelvic=(), n: int = 10) -> pd.DataFrame:
    """n frames at 10 fps with the given frames flagged."""
    grades = {"collapse_grade_left": np.zeros(n), "collapse_grade_right": np.zeros(n)}
    grades["pelvic_grade"] = np.zeros(n)
    grades["collapse_grade_left"][list(collapse_left)] = 1
    grades["pelvic_grade"][list(pelvic)] = 2
    return pd.DataFrame({"time_s": np.arange(n) / 10.0, **grades})


TH = Thresholds()  # no sex given: FPPA above normal from 12 deg, marked from 16.8; pelvis 4 / 8


def test_verdict_is_the_mean_of_the_rep_bottoms():
    reps = (rep(1, bottom=(10.0, 2.0)), rep(2, bottom=(20.0, 4.0)))
    s = summarise(frames(), reps, TH)
    assert s.left.mean_fppa_deg == pytest.approx(15.0)
    assert s.left.verdict == "above normal range"
    assert (s.right.mean_fppa_deg, s.right.verdict) == (pytest.approx(3.0), "within normal")
    assert s.left.reps_measured == 2


def test_a_bottom_outside_the_valid_range_falls_back_to_the_rep_peak():
    s = summarise(frames(), (rep(1, bottom=(NAN, 1.0), peak=(30.0, 2.0)),), TH)
    assert s.left.mean_fppa_deg == pytest.approx(30.0)
    assert s.left.verdict == "marked"


def test_no_valid_rep_is_not_measurable_never_within_normal():
    s = summarise(frames(), (rep(1),), TH)
    assert s.left.verdict == s.right.verdict == s.pelvic_verdict == NOT_MEASURABLE
    assert s.left.reps_measured == 0


def test_pelvic_verdict_from_the_mean_peak_drop():
    s = summarise(frames(), (rep(1, drop=3.0), rep(2, drop=7.0)), TH)
    assert (s.pelvic_drop_deg_max, s.pelvic_drop_deg_mean) == (7.0, 5.0)
    assert s.pelvic_verdict == "above normal range"


def test_flagged_time_counts_each_frame_until_the_next():
    s = summarise(frames(collapse_left=[2, 3, 4], pelvic=[9]), (rep(1),), TH)
    assert (s.collapse_frames, s.collapse_seconds) == (3, pytest.approx(0.3))
    assert (s.pelvic_drop_frames, s.pelvic_drop_seconds) == (1, pytest.approx(0.1))
