"""Flags: hysteresis, minimum duration, grades, verdicts and per-clip flags."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from valgus.analysis.events import Rep, add_pelvic_drop
from valgus.analysis.flags import (
    FlagInterval,
    compute_flags,
    grade_series,
    hysteresis_mask,
    intervals,
    verdict,
)
from valgus.analysis.rep_metrics import rep_metrics
from valgus.analysis.stance import LEG_LIFT_SHIFT_DEG
from valgus.thresholds import Thresholds

FPS = 30.0


def times(n, fps=FPS):
    return np.arange(n) / fps


def spans(mask):
    return [(iv.start_frame, iv.end_frame) for iv in intervals(mask, times(len(mask)))]


def noisy_plateau():
    """Standing at 6 deg, 1-3 s at 12 deg with +-0.8 deg frame-to-frame noise."""
    t = times(120)
    base = np.where((t >= 1.0) & (t < 3.0), 12.0, 6.0)
    return t, base + 0.8 * (-1.0) ** np.arange(t.size)


def test_noise_blinks_without_hysteresis():
    t, v = noisy_plateau()
    mask = hysteresis_mask(v, t, enter=12.0, exit=12.0, min_duration_s=0.0)
    assert len(intervals(mask, t)) == 30  # every other frame of the 60-frame plateau


def test_hysteresis_gives_one_interval():
    t, v = noisy_plateau()
    mask = hysteresis_mask(v, t, enter=12.0, exit=10.0, min_duration_s=0.1)
    # Frame 30 (t = 1 s) is the first at 12.8; the plateau ends after frame 89.
    assert intervals(mask, t) == [FlagInterval(30, 89, 1.0, 89 / FPS, pytest.approx(2.0))]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # Enter at 13, hold through 11, leave at 9 (< 10); 10.5 holds, 9.9 leaves.
        ([5, 13, 11, 11, 9, 13, 13, 13, 10.5, 9.9, 5], [(1, 3), (5, 8)]),
        # Exactly at enter switches on, exactly at exit stays on.
        ([12, 10, 10, 9.99], [(0, 2)]),
        # NaN counts as below exit.
        ([13, np.nan, 13, 11], [(0, 0), (2, 3)]),
        # Starting between exit and enter does not switch on.
        ([11, 11, 12, 11], [(2, 3)]),
        ([np.nan] * 4, []),
    ],
)
def test_hysteresis_exact_frames(values, expected):
    mask = hysteresis_mask(
        np.array(values, float), times(len(values)), enter=12, exit=10, min_duration_s=0
    )
    assert spans(mask) == expected


@pytest.mark.parametrize(
    ("run_frames", "kept"),
    [(1, False), (2, False), (3, True), (4, True)],  # 3 frames at 30 fps last exactly 0.1 s
)
def test_short_blips_removed(run_frames, kept):
    v = np.zeros(20)
    v[5 : 5 + run_frames] = 15.0
    mask = hysteresis_mask(v, times(20), enter=12, exit=10, min_duration_s=0.1)
    assert spans(mask) == ([(5, 4 + run_frames)] if kept else [])


def test_blip_at_clip_end_uses_median_period():
    v = np.zeros(10)
    v[-3:] = 15.0
    assert spans(hysteresis_mask(v, times(10), enter=12, exit=10, min_duration_s=0.1)) == [(7, 9)]
    v[-3] = 0.0
    assert spans(hysteresis_mask(v, times(10), enter=12, exit=10, min_duration_s=0.1)) == []


def test_intervals_variable_frame_rate():
    t = np.array([0.0, 0.05, 0.07, 0.15, 0.2, 0.21])
    got = intervals(np.array([0, 1, 1, 0, 1, 1], bool), t)
    assert got == [
        FlagInterval(1, 2, 0.05, 0.07, pytest.approx(0.10)),
        FlagInterval(4, 5, 0.2, 0.21, pytest.approx(0.01 + 0.05)),  # + median period 0.05
    ]


@pytest.mark.parametrize(
    ("value", "grade"),
    [(11.99, 0), (12.0, 1), (16.79, 1), (16.8, 2), (40.0, 2), (np.nan, 0)],
)
def test_grade_boundaries(value, grade):
    g = grade_series(
        np.full(10, value), times(10), 12.0, 16.8, hysteresis_deg=2, min_duration_s=0.1
    )
    assert g.dtype == np.int8
    assert g.tolist() == [grade] * 10


def test_each_grade_has_its_own_hysteresis():
    v = np.array([0, 17, 15, 14.9, 13, 10.1, 9.9, 0])
    g = grade_series(v, times(v.size), 12.0, 16.8, hysteresis_deg=2, min_duration_s=0)
    # marked until < 14.8, above normal until < 10
    assert g.tolist() == [0, 2, 2, 2, 1, 1, 0, 0]


@pytest.mark.parametrize(
    ("value", "word"),
    [
        (3.0, "within normal"),
        (11.99, "within normal"),
        (12.0, "above normal range"),
        (16.8, "marked"),
        (-20.0, "within normal"),
        (float("nan"), "not measurable"),
    ],
)
def test_verdict(value, word):
    assert verdict(value, 12.0, 16.8) == word


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: hysteresis_mask(np.zeros(3), times(3), enter=1, exit=2, min_duration_s=0),
            "exit (2) must be <= enter (1)",
        ),
        (
            lambda: hysteresis_mask(np.zeros(3), times(4), enter=1, exit=0, min_duration_s=0),
            "values and times_s must be 1-D of the same length",
        ),
        (
            lambda: hysteresis_mask(np.zeros(3), np.zeros(3), enter=1, exit=0, min_duration_s=0),
            "times_s must be strictly increasing",
        ),
        (
            lambda: hysteresis_mask(np.zeros(3), times(3), enter=1, exit=0, min_duration_s=-1),
            "min_duration_s must be >= 0",
        ),
        (
            lambda: grade_series(np.zeros(3), times(3), 5, 5, hysteresis_deg=1, min_duration_s=0),
            "above (5) must be < marked (5)",
        ),
        (lambda: verdict(1.0, 9.0, 3.0), "above (9.0) must be < marked (3.0)"),
    ],
)
def test_errors(call, message):
    with pytest.raises(ValueError) as err:
        call()
    assert message in str(err.value)


def clip(n=90, **columns):
    """A 3 s kinematics table at 30 fps of one squat (bottom at frame 40) with the knees valid."""
    data = {
        "time_s": times(n),
        "has_pose": np.ones(n, bool),
        "depth": np.exp(-(((np.arange(n) - 40) / 15.0) ** 2)),
        "fppa_left_deg": np.full(n, 5.0),
        "fppa_right_deg": np.full(n, 5.0),
        "fppa_valid_left": np.ones(n, bool),
        "fppa_valid_right": np.ones(n, bool),
        "knee_flexion_left_deg": np.full(n, 30.0),
        "knee_flexion_right_deg": np.full(n, 30.0),
        "thigh_ratio_left": np.ones(n),
        "thigh_ratio_right": np.ones(n),
        "kasr": np.ones(n),
        "kasr_change": np.ones(n),
        "khr": np.ones(n),
        "knee_medial_left": np.zeros(n),
        "knee_medial_right": np.zeros(n),
        "trunk_lean_deg": np.zeros(n),
        "pelvic_obliquity_deg": np.zeros(n),
        "ankle_lift_left": np.zeros(n),
        "ankle_lift_right": np.zeros(n),
    }
    data.update(columns)
    for side in ("left", "right"):  # the model's reading behind the calibrated one
        data[f"fppa_model_{side}_deg"] = np.asarray(data[f"fppa_{side}_deg"]) / 1.25
    return pd.DataFrame(data)


def flags_of(frames, rep=None, *, thresholds=None, reference="standing"):
    """compute_flags over one rep (default: frames 10-80, bottom 40, both legs)."""
    rep = rep or Rep(1, 10, 40, 80, None)
    frames = frames.assign(pelvic_drop_deg=add_pelvic_drop(frames, [rep]))
    metrics = (rep_metrics(frames, rep, pelvic_reference=reference, single_leg=False),)
    return compute_flags(frames, metrics, thresholds or Thresholds.for_sex("f")), metrics[0]


def test_a_flag_is_the_reps_reading_and_covers_the_frames_above_the_cut():
    fppa_left = np.full(90, 5.0)
    fppa_left[30:45] = 18.0  # marked for 0.5 s, the bottom (40) among them
    fppa_left[45:60] = 13.0  # then above normal for 0.5 s
    fppa_right = np.full(90, 5.0)
    fppa_right[30:60] = 25.0  # high, but the knee is too bent there for FPPA to be valid
    valid_right = np.ones(90, bool)
    valid_right[30:60] = False
    frames = clip(fppa_left_deg=fppa_left, fppa_right_deg=fppa_right, fppa_valid_right=valid_right)
    flags, rep = flags_of(frames)
    assert list(flags.grades.columns) == [
        "collapse_grade_left",
        "collapse_grade_right",
        "pelvic_grade",
    ]
    # The whole run above the cut around the reading carries the rep's grade.
    assert flags.grades["collapse_grade_left"].tolist() == [0] * 30 + [2] * 30 + [0] * 30
    assert not flags.grades["collapse_grade_right"].any()  # its reading, 5 deg, is normal
    assert rep.fppa_read_right_deg == 5.0
    [event] = flags.events
    assert (event.kind, event.grade, event.verdict) == ("collapse_left", 2, "marked")
    assert (event.start_frame, event.end_frame, event.peak_frame) == (30, 59, 40)
    assert event.peak_deg == rep.fppa_read_left_deg == 18.0
    assert event.duration_s == pytest.approx(1.0)


def test_a_frame_above_the_cut_in_a_rep_read_within_normal_is_not_flagged():
    """No flag shows a frame that the verdict did not count."""
    fppa = np.full(90, 5.0)
    fppa[15:25] = 14.0  # above normal on the way down; the bottom reads 5
    flags, rep = flags_of(clip(fppa_left_deg=fppa))
    assert rep.fppa_read_left_deg == 5.0
    assert flags.events == () and not flags.grades.to_numpy().any()


@pytest.mark.parametrize(("sex", "grade"), [("f", 0), ("m", 1)])
def test_compute_flags_sex_thresholds(sex, grade):
    frames = clip(fppa_right_deg=np.full(90, 10.0))  # above the men's 9 deg, not the women's 12
    flags, _ = flags_of(frames, thresholds=Thresholds.for_sex(sex))
    assert set(flags.grades["collapse_grade_right"][10:81]) == {grade}
    assert len(flags.of_kind("collapse_right")) == grade


@pytest.mark.parametrize(
    ("stance", "obliquity", "grade"),
    [("right", 5.0, 1), ("right", -5.0, 0), ("left", -9.0, 2), ("left", 9.0, 0), (None, -5.0, 1)],
)
def test_compute_flags_pelvic_drop_per_stance(stance, obliquity, grade):
    obl = np.zeros(90)
    obl[20:70] = obliquity
    flags, rep = flags_of(clip(pelvic_obliquity_deg=obl), Rep(1, 10, 40, 80, stance))
    assert flags.grades["pelvic_grade"].tolist() == [0] * 20 + [grade] * 50 + [0] * 20
    events = flags.of_kind("pelvic_drop")
    assert [(e.start_frame, e.end_frame, e.peak_deg) for e in events] == (
        [(20, 69, rep.peak_pelvic_drop_deg)] if grade else []
    )
    if grade:  # on one leg with the leg-lift correction (valgus.analysis.stance)
        assert rep.peak_pelvic_drop_deg == pytest.approx(
            abs(obliquity) + (LEG_LIFT_SHIFT_DEG if stance else 0.0)
        )


def test_no_pelvic_flag_nor_drop_against_the_bare_horizontal():
    obl = np.full(90, 9.0)
    flags, rep = flags_of(clip(pelvic_obliquity_deg=obl), reference="horizontal")
    assert flags.of_kind("pelvic_drop") == [] and not flags.grades["pelvic_grade"].any()
    # The tilt is kept for machines (reps.csv, report.json's detail), but is no drop.
    assert rep.peak_pelvic_drop_deg == pytest.approx(9.0)
    assert np.isnan(rep.pelvic_drop_deg)
    _, standing = flags_of(clip(pelvic_obliquity_deg=obl))
    assert standing.pelvic_drop_deg == standing.peak_pelvic_drop_deg == pytest.approx(9.0)


def test_compute_flags_override_and_missing_column():
    frames = clip(fppa_left_deg=np.full(90, 10.0))
    flags, _ = flags_of(frames, thresholds=Thresholds().with_overrides(fppa_above_deg=9.5))
    assert flags.grades["collapse_grade_left"].tolist() == [0] * 10 + [1] * 71 + [0] * 9
    with pytest.raises(ValueError, match=r"frames is missing column\(s\): fppa_valid_left"):
        compute_flags(frames.drop(columns="fppa_valid_left"), (), Thresholds())
