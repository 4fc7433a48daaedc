"""valgus.analysis.summary: verdicts, side difference and pelvis from the reps' readings."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from valgus.analysis.flags import NOT_MEASURABLE
from valgus.analysis.rep_metrics import RepMetrics
from valgus.analysis.summary import kasr_verdict, side_difference, summarise
from valgus.thresholds import Thresholds

NAN = math.nan
TH = Thresholds()  # no sex given: FPPA above normal from 12 deg, marked from 16.8; pelvis 4 / 8


def rep(
    index: int,
    *,
    read=(NAN, NAN),
    at_bottom=True,
    pair=None,
    stance=None,
    drop=NAN,
    kasr=1.1,
    flexion=(90.0, 90.0),
    reference="standing",
    past=(False, False),
) -> RepMetrics:
    """A rep with FPPA readings (left, right), its paired frame and a peak pelvic drop."""
    frames = [10 if at_bottom else 5 if math.isfinite(v) else None for v in read]
    pair = read if pair is None else pair
    return RepMetrics(
        index=index, stance_side=stance, start_frame=0, bottom_frame=10, end_frame=20,
        start_s=0.0, bottom_s=0.5, end_s=1.0, duration_s=1.0, depth_bottom=0.3,
        fppa_bottom_left_deg=read[0] if at_bottom else NAN,
        fppa_bottom_right_deg=read[1] if at_bottom else NAN,
        fppa_valid_bottom_left=at_bottom, fppa_valid_bottom_right=at_bottom,
        past_fppa_limit_left=past[0], past_fppa_limit_right=past[1],
        straight_leg_left=False, straight_leg_right=False,
        fppa_read_left_deg=read[0], fppa_read_right_deg=read[1],
        fppa_model_read_left_deg=read[0] / 1.25, fppa_model_read_right_deg=read[1] / 1.25,
        fppa_refined_read_left_deg=NAN, fppa_refined_read_right_deg=NAN,
        fppa_read_left_frame=frames[0], fppa_read_right_frame=frames[1],
        knee_flexion_read_left_deg=40.0, knee_flexion_read_right_deg=40.0,
        fppa_pair_frame=10, fppa_pair_left_deg=pair[0], fppa_pair_right_deg=pair[1],
        knee_flexion_bottom_left_deg=flexion[0], knee_flexion_bottom_right_deg=flexion[1],
        kasr_bottom=kasr, kasr_change_bottom=kasr, khr_bottom=1.0, knee_medial_bottom_left=0.0,
        knee_medial_bottom_right=0.0, trunk_lean_bottom_deg=0.0,
        pelvic_drop_bottom_deg=drop, peak_pelvic_drop_deg=drop,
        peak_pelvic_drop_frame=None, mean_pelvic_drop_deg=drop, pelvic_reference=reference,
    )  # fmt: skip


def frames(collapse_left=(), pelvic=(), n: int = 10) -> pd.DataFrame:
    """n frames at 10 fps with the given frames flagged."""
    grades = {"collapse_grade_left": np.zeros(n), "collapse_grade_right": np.zeros(n)}
    grades["pelvic_grade"] = np.zeros(n)
    grades["collapse_grade_left"][list(collapse_left)] = 1
    grades["pelvic_grade"][list(pelvic)] = 2
    return pd.DataFrame({"time_s": np.arange(n) / 10.0, **grades})


def summary(reps, movement="squat", frontal=True):
    return summarise(frames(), tuple(reps), TH, movement, frontal=frontal)


def test_a_knee_verdict_is_the_mean_of_its_readings():
    s = summary([rep(1, read=(10.0, 2.0)), rep(2, read=(20.0, 4.0))])
    assert s.left.mean_fppa_deg == pytest.approx(15.0)
    assert (s.left.verdict, s.left.reps_measured, s.left.reps_flagged) == (
        "above normal range",
        2,
        1,
    )
    assert (s.right.mean_fppa_deg, s.right.verdict) == (pytest.approx(3.0), "within normal")
    assert s.left.reps_read_at_bottom == 2


def test_readings_above_the_bottom_are_counted_as_such():
    s = summary([rep(1, read=(3.0, 4.0), at_bottom=False), rep(2, read=(5.0, 4.0))])
    assert (s.left.reps_measured, s.left.reps_read_at_bottom) == (2, 1)


def test_no_reading_is_not_measurable_never_within_normal():
    s = summary([rep(1, kasr=NAN)])
    assert s.left.verdict == s.right.verdict == s.pelvic_verdict == NOT_MEASURABLE
    assert s.left.reps_measured == 0


@pytest.mark.parametrize(
    ("kasr", "word"), [(1.2, "within normal"), (0.8, "above normal range"), (0.6, "marked")]
)
def test_knees_at_depth_are_judged_by_kasr_and_the_worse_verdict_wins(kasr, word):
    s = summary([rep(1, read=(2.0, 3.0), kasr=kasr)])
    assert s.depth_verdict == word == kasr_verdict(kasr, TH)
    assert s.left.fppa_verdict == "within normal"
    assert s.left.verdict == s.right.verdict == word


def test_knees_past_the_fppa_limit_are_counted_and_judged_by_kasr_alone():
    deep = [rep(i, read=(NAN, NAN), pair=(NAN, NAN), kasr=0.8, past=(True, True)) for i in (1, 2)]
    s = summary([*deep, rep(3, read=(4.0, 6.0), flexion=(45.0, 45.0))])
    assert (s.left.reps_past_limit, s.left.reps_measured) == (2, 1)
    assert s.left.mean_fppa_deg == pytest.approx(4.0)
    only_deep = summary(deep)
    assert (only_deep.left.fppa_verdict, only_deep.left.verdict) == (
        NOT_MEASURABLE,
        "above normal range",
    )
    assert only_deep.side_difference.status == "past the limit"


def test_kasr_is_not_judged_in_a_lunge_or_a_single_leg_task():
    lunge = summary([rep(1, read=(2.0, NAN), kasr=0.5, flexion=(5.0, 110.0))])
    assert (lunge.depth_verdict, lunge.left.verdict) == (NOT_MEASURABLE, "within normal")
    single = summary([rep(1, read=(2.0, NAN), kasr=0.5, stance="left")], "single-leg-squat")
    assert single.depth_verdict == NOT_MEASURABLE


def test_a_side_difference_is_real_only_over_enough_reps_and_the_same_way_in_each():
    three = [rep(i, read=(12.0, 2.0)) for i in (1, 2, 3)]
    d = side_difference(tuple(three), "squat", TH, frontal=True)
    assert (d.deg, d.method, d.reps, d.status) == (
        pytest.approx(10.0),
        "same frame",
        {"left": 3, "right": 3},
        "real",
    )
    assert side_difference(tuple(three[:2]), "squat", TH, frontal=True).status == "too few reps"
    mixed = [*three[:2], rep(3, read=(2.0, 22.0))]  # one rep the other way round
    assert side_difference(tuple(mixed), "squat", TH, frontal=True).status == "within error"
    turned = side_difference(tuple(three), "squat", TH, frontal=False)
    assert (turned.status, math.isnan(turned.deg)) == ("view turned", True)


def test_sides_are_compared_at_the_same_frame_not_at_each_ones_own_reading():
    reps = [rep(i, read=(-21.0, -9.0), pair=(-10.0, -9.0)) for i in (1, 2, 3)]
    d = side_difference(tuple(reps), "squat", TH, frontal=True)
    assert d.deg == pytest.approx(-1.0) and d.status == "within error"


def test_single_leg_sides_are_each_legs_stance_reps():
    reps = [rep(i, read=(14.0, NAN), stance="left") for i in (1, 2, 3)]
    reps += [rep(i, read=(NAN, 3.0), stance="right") for i in (4, 5, 6)]
    d = side_difference(tuple(reps), "single-leg-squat", TH, frontal=True)
    assert (d.deg, d.method, d.status) == (pytest.approx(11.0), "stance reps", "real")
    one = side_difference(tuple(reps[:3]), "single-leg-squat", TH, frontal=True)
    assert one.status == "one leg only"


def test_no_side_comparison_when_no_rep_bends_both_knees_alike():
    # A side lunge: every rep bends one knee far more than the other (5 against 110 deg).
    lunge = [rep(i, read=(4.0, NAN), flexion=(5.0, 110.0)) for i in range(1, 4)]
    d = side_difference(tuple(lunge), "squat", TH, frontal=True)
    assert d.status == "knees bent unequally" and math.isnan(d.deg)
    deep = [rep(i, read=(NAN, NAN), past=(True, True)) for i in range(1, 4)]
    assert side_difference(tuple(deep), "squat", TH, frontal=True).status == "past the limit"


def test_pelvic_verdict_from_the_mean_peak_with_a_baseline_only():
    s = summary([rep(1, drop=3.0), rep(2, drop=7.0), rep(3, drop=20.0, reference="horizontal")])
    assert (s.pelvic_drop_deg_max, s.pelvic_drop_deg_mean) == (7.0, 5.0)
    assert (s.pelvic_verdict, s.pelvic_reps_measured, s.pelvic_reps_flagged) == (
        "above normal range",
        2,
        1,
    )
    alone = summary([rep(1, drop=9.0, reference="horizontal")])
    assert alone.pelvic_verdict == NOT_MEASURABLE and alone.pelvic_reference == "horizontal"


def test_each_stance_leg_grades_its_own_pelvis_and_the_worse_heads_the_summary():
    # tux_hyva_ja_paha2's shape: standing on the left the right side drops (+2..+6), standing
    # on the right the left side rises (a hike, -2..-14). The mean over both legs (-1.5 here)
    # would call the clip within normal while the left leg's drops are above normal.
    left = [rep(i, stance="left", drop=d) for i, d in enumerate((2.0, 6.0, 5.0), start=1)]
    right = [rep(i, stance="right", drop=d) for i, d in enumerate((-14.0, -8.0), start=4)]
    s = summary([*left, *right], movement="single-leg-squat")
    by_leg = {p.stance_side: p for p in s.pelvis_by_stance}
    assert by_leg["left"].drop_deg_mean == pytest.approx(13.0 / 3)
    assert (by_leg["left"].verdict, by_leg["left"].reps_flagged) == ("above normal range", 2)
    assert (by_leg["right"].drop_deg_mean, by_leg["right"].verdict) == (-11.0, "within normal")
    assert s.pelvic_stance_side == "left" and s.pelvic_verdict == "above normal range"
    assert (s.pelvic_drop_deg_mean, s.pelvic_drop_deg_max) == (pytest.approx(13.0 / 3), 6.0)
    assert (s.pelvic_reps_measured, s.pelvic_reps_flagged) == (3, 2)
    # Legs alike in grade: the larger mean drop heads. A bilateral squat has no stance legs.
    alike = summary([rep(1, stance="left", drop=1.0), rep(2, stance="right", drop=3.0)],
                    movement="single-leg-squat")  # fmt: skip
    assert (alike.pelvic_stance_side, alike.pelvic_drop_deg_mean) == ("right", 3.0)
    squat = summary([rep(1, drop=3.0), rep(2, drop=7.0)])
    assert squat.pelvis_by_stance == () and squat.pelvic_stance_side is None
    assert squat.pelvic_drop_deg_mean == 5.0


def test_flagged_time_counts_each_frame_until_the_next():
    s = summarise(frames(collapse_left=[2, 3, 4], pelvic=[9]), (rep(1),), TH, "squat", frontal=True)
    assert (s.collapse_frames, s.collapse_seconds) == (3, pytest.approx(0.3))
    assert (s.pelvic_drop_frames, s.pelvic_drop_seconds) == (1, pytest.approx(0.1))
