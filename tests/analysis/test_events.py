"""Events: movement detection, stance leg, rep segmentation, pelvic drop, rep metrics.

Frames tables are built directly with the kinematics columns of CONTRACT.md.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tests.support.frames import make_frames
from valgus.analysis.events import (
    SINGLE_LEG_SHARE_MIN,
    Rep,
    add_pelvic_drop,
    detect_movement,
    segment_reps,
)
from valgus.analysis.rep_metrics import rep_metrics
from valgus.analysis.stance import (
    LEG_LIFT_SHIFT_DEG as SHIFT,
)
from valgus.analysis.stance import (
    held_out_side,
    pelvic_drop_from_obliquity,
    rep_stance_side,
    stance_side_per_frame,
)


def bump(t, centre_s, width_s, height):
    """Raised-cosine excursion: 0 outside centre +- width/2, ``height`` at the centre."""
    x = np.clip((t - centre_s) / (width_s / 2), -1, 1)
    return height * (1 + np.cos(np.pi * x)) / 2


CENTRES_S = (1.5, 4.5, 7.5)
HEIGHTS = (0.30, 0.25, 0.35)


def three_squats(t, *, noise=0.004):
    rng = np.random.default_rng(7)
    depth = sum(bump(t, c, 2.0, h) for c, h in zip(CENTRES_S, HEIGHTS, strict=True))
    return depth + noise * rng.standard_normal(t.size)


def steady_times(duration_s=9.0, fps=30.0):
    return np.arange(0, duration_s, 1 / fps)


def variable_times(duration_s=9.0):
    """Phone-like timestamps: frame periods between 1/45 and 1/20 s."""
    rng = np.random.default_rng(3)
    dt = rng.uniform(1 / 45, 1 / 20, size=int(duration_s * 45))
    t = np.concatenate(([0.0], np.cumsum(dt)))
    return t[t < duration_s]


@pytest.mark.parametrize("times", [steady_times(), variable_times()], ids=["30fps", "vfr"])
def test_three_squats_bottom_at_true_minima(times):
    frames = make_frames(times, depth=three_squats(times))
    reps = segment_reps(frames, "squat")
    assert [r.index for r in reps] == [1, 2, 3]
    for rep, centre in zip(reps, CENTRES_S, strict=True):
        true_bottom = int(np.argmin(np.abs(times - centre)))
        assert abs(rep.bottom_frame - true_bottom) <= 1
        assert rep.stance_side is None
        # 25% of a raised cosine of width 2 s is 2/3 s from its centre.
        assert times[rep.start_frame] == pytest.approx(centre - 2 / 3, abs=0.06)
        assert times[rep.end_frame] == pytest.approx(centre + 2 / 3, abs=0.06)


def test_reps_survive_pose_dropouts():
    t = steady_times()
    depth = three_squats(t)
    has_pose = np.ones(t.size, dtype=bool)
    has_pose[100:110] = False  # 1/3 s without a person, on the second descent
    depth[~has_pose] = np.nan
    reps = segment_reps(make_frames(t, depth=depth, has_pose=has_pose), "squat")
    assert len(reps) == 3
    for rep, centre in zip(reps, CENTRES_S, strict=True):
        assert abs(rep.bottom_frame - round(centre * 30)) <= 1
        assert has_pose[rep.bottom_frame]


@pytest.mark.parametrize(
    ("extra", "n_reps"),
    [
        # A wobble 0.4 s after the bottom is the same rep (min separation 0.6 s).
        (lambda t: bump(t, 1.9, 0.3, 0.05), 3),
        # A 0.05 leg-length dip is below the 0.08 squat prominence.
        (lambda t: bump(t, 3.0, 0.6, 0.05), 3),
        # A 0.15 leg-length squat is a fourth rep.
        (lambda t: bump(t, 8.6, 0.8, 0.15), 4),
    ],
)
def test_rep_count_rules(extra, n_reps):
    t = steady_times(duration_s=9.2)
    frames = make_frames(t, depth=three_squats(t, noise=0.0) + extra(t))
    assert len(segment_reps(frames, "squat")) == n_reps


def test_rep_frame_numbers_follow_the_index():
    t = steady_times()
    frames = make_frames(t, depth=three_squats(t)).set_index(pd.RangeIndex(500, 500 + t.size))
    reps = segment_reps(frames, "squat")
    assert abs(reps[0].bottom_frame - 545) <= 1


@pytest.mark.parametrize(
    ("lift_left", "lift_right", "has_pose", "expected"),
    [
        (0.0, 0.2, True, "left"),
        (0.2, 0.0, True, "right"),
        (0.02, 0.09, True, "left"),
        (0.0, 0.07, True, None),  # both below 0.08: both feet down
        (0.2, 0.2, True, None),  # both up (a jump)
        (0.0, 0.2, False, None),
        (float("nan"), 0.2, True, None),
    ],
)
def test_stance_side_per_frame(lift_left, lift_right, has_pose, expected):
    frames = make_frames(
        [0.0, 0.1],
        ankle_lift_left=[lift_left] * 2,
        ankle_lift_right=[lift_right] * 2,
        has_pose=[has_pose] * 2,
    )
    assert stance_side_per_frame(frames).tolist() == [expected, expected]


def single_leg_frames(t, *, lifted_share, squat_height, lifted="right"):
    """Stand, then stand on one leg for ``lifted_share`` of the clip with optional squats."""
    lift = np.where(t >= t[-1] * (1 - lifted_share), 0.25, 0.0)
    depth = np.zeros(t.size)
    start = t[-1] * (1 - lifted_share)
    for k in range(3):
        depth += bump(t, start + 0.8 + 1.2 * k, 1.0, squat_height)
    other = "left" if lifted == "right" else "right"
    return make_frames(
        t, depth=depth, **{f"ankle_lift_{lifted}": lift, f"ankle_lift_{other}": 0 * t}
    )


@pytest.mark.parametrize(
    ("lifted_share", "squat_height", "expected"),
    [
        (0.0, 0.3, "squat"),
        (0.2, 0.3, "squat"),  # one foot up for only 20% of the clip
        (0.6, 0.1, "single-leg-squat"),
        (0.6, 0.06, "single-leg-squat"),
        (0.6, 0.02, "single-leg-stance"),
        (0.6, 0.0, "single-leg-stance"),
    ],
)
def test_detect_movement(lifted_share, squat_height, expected):
    t = steady_times(duration_s=10.0)
    assert (
        detect_movement(single_leg_frames(t, lifted_share=lifted_share, squat_height=squat_height))
        == expected
    )


@pytest.mark.parametrize("lifted", ["left", "right"])
def test_single_leg_squat_stance_side(lifted):
    t = steady_times(duration_s=10.0)
    frames = single_leg_frames(t, lifted_share=0.6, squat_height=0.12, lifted=lifted)
    reps = segment_reps(frames, "single-leg-squat")
    grounded = "left" if lifted == "right" else "right"
    assert [r.stance_side for r in reps] == [grounded] * 3


def pistol_frames(t, *, free="left", free_dip=-0.3, heights_say=None):
    """Three pistol squats: the free ankle dips below the floor line at each bottom, the
    stance ankle stays put. ``heights_say`` lifts the stance ankle a little during the reps
    (a floor line moved by a zoom), so frame by frame the heights name the wrong leg."""
    depth = sum(bump(t, c, 1.2, 0.6) for c in (1.5, 4.5, 7.5))
    stance = "right" if free == "left" else "left"
    free_lift = free_dip * depth / 0.6
    stance_lift = 0.12 * (depth > 0.05) if heights_say else 0 * t
    return make_frames(
        t, depth=depth, **{f"ankle_lift_{free}": free_lift, f"ankle_lift_{stance}": stance_lift}
    )


@pytest.mark.parametrize("free", ["left", "right"])
def test_a_pistol_squat_is_single_leg_on_the_foot_that_stays_put(free):
    # The free foot is below the floor line (held out toward the camera) only near each
    # bottom: too few frames for the frame share, but over each rep it travels and the
    # stance foot does not.
    t = steady_times(duration_s=9.0)
    frames = pistol_frames(t, free=free)
    one_foot = stance_side_per_frame(frames).notna().mean()
    assert 0 < one_foot < SINGLE_LEG_SHARE_MIN
    assert detect_movement(frames) == "single-leg-squat"
    stance = "right" if free == "left" else "left"
    assert [r.stance_side for r in segment_reps(frames, "single-leg-squat")] == [stance] * 3
    # A floor line that makes the stance ankle read as lifted does not move the stance leg.
    misread = pistol_frames(t, free=free, heights_say="wrong leg")
    assert stance_side_per_frame(misread).value_counts().idxmax() == free
    assert [r.stance_side for r in segment_reps(misread, "single-leg-squat")] == [stance] * 3


def test_where_both_feet_travel_a_deep_rep_stands_on_the_bent_knee():
    # The clip starts mid-pan: both ankles move over the rep and the heights name the left
    # leg. The hips sink 0.47 leg lengths, on the right knee bent 67 deg (the left: 12).
    travel = np.linspace(0.0, 0.3, 30)
    heights_say_left = np.array(["left"] * 20 + [None] * 10, dtype=object)
    one = {"sides": heights_say_left, "lift_left": travel, "lift_right": travel}
    assert rep_stance_side(**one, bottom=(0.47, 12.0, 67.0)) == "right"
    assert rep_stance_side(**one, bottom=(0.47, 67.0, 12.0)) == "left"
    # A shallow single-leg squat, its free knee bent behind more than the stance knee, or
    # knees bent alike: the heights decide.
    assert rep_stance_side(**one, bottom=(0.25, 12.0, 67.0)) == "left"
    assert rep_stance_side(**one, bottom=(0.45, 100.0, 118.0)) == "left"
    assert rep_stance_side(**one) == "left"


def test_a_foot_held_out_below_the_floor_line_is_the_free_one():
    # tux_hyva_ja_paha2's sixth rep: a pistol on the right leg while the camera zooms. Both
    # ankles travel ~0.1 (neither stays put), the left dips to -0.11 below the floor line
    # (held out toward the camera), the right rises to +0.11; the knees are only 24 deg
    # apart at the bottom and the heights frame by frame name the left leg.
    dip = np.sin(np.linspace(0.0, np.pi, 50))
    rep = {
        "sides": np.array(["left"] * 50, dtype=object),
        "lift_left": 0.01 - 0.12 * dip,
        "lift_right": 0.04 + 0.07 * dip,
        "bottom": (0.6, 53.0, 77.0),
    }
    assert held_out_side(rep["lift_left"], rep["lift_right"]) == "left"
    assert rep_stance_side(**rep) == "right"
    mirrored = {**rep, "lift_left": rep["lift_right"], "lift_right": rep["lift_left"]}
    assert rep_stance_side(**mirrored) == "left"
    # A clinical single-leg squat lifts the free foot behind, above the line: not held out.
    behind = {**rep, "lift_left": 0.0 * dip, "lift_right": 0.12 * dip}
    assert held_out_side(behind["lift_left"], behind["lift_right"]) is None
    # Both feet below the line (a floor line set in another shot): the rule says nothing.
    both = {**rep, "lift_right": -0.3 * dip}
    assert held_out_side(both["lift_left"], both["lift_right"]) is None
    # One jittery frame below the line does not hold a foot out.
    jitter = 0.0 * dip
    jitter[25] = -0.3
    assert held_out_side(jitter, 0.0 * dip + 0.05) is None


def test_feet_that_both_stay_put_or_both_travel_are_a_bilateral_squat():
    t = steady_times(duration_s=9.0)
    squat = pistol_frames(t, free_dip=0.0)
    assert detect_movement(squat) == "squat"
    depth = squat["depth"].to_numpy()
    jump = squat.assign(ankle_lift_left=0.3 * depth, ankle_lift_right=0.3 * depth)
    assert detect_movement(jump) == "squat"


def test_stance_holds_and_peak_drop_frame():
    t = steady_times(duration_s=9.0)
    lift_left = np.zeros(t.size)
    lift_right = np.zeros(t.size)
    lift_right[(t >= 1.0) & (t < 3.0)] = 0.3  # hold on the left leg, 2 s
    lift_right[(t >= 2.0) & (t < 2.1)] = 0.0  # 0.1 s dropout inside it: bridged
    lift_left[(t >= 4.0) & (t < 6.5)] = 0.3  # hold on the right leg, 2.5 s
    lift_left[(t >= 7.0) & (t < 7.5)] = 0.3  # 0.5 s: too short for a hold
    obliquity = np.zeros(t.size)
    obliquity += bump(t, 1.6, 0.4, -6.0)  # left stance: right hip lower = negative obliquity
    obliquity += bump(t, 5.0, 0.4, 5.0)  # right stance: left hip lower = positive
    obliquity += bump(t, 6.0, 0.4, -8.0)  # right stance, right hip lower: a rise, not a drop
    frames = make_frames(
        t, ankle_lift_left=lift_left, ankle_lift_right=lift_right, pelvic_obliquity_deg=obliquity
    )
    reps = segment_reps(frames, "single-leg-stance")
    assert [(r.stance_side, r.start_frame, r.end_frame) for r in reps] == [
        ("left", 30, 89),
        ("right", 120, 194),
    ]
    assert [r.bottom_frame for r in reps] == [48, 150]
    drop = add_pelvic_drop(frames, reps)
    assert drop.name == "pelvic_drop_deg"
    # On one leg the drop carries the leg-lift correction (MediaPipe's hips rise with the foot).
    assert drop[48] == pytest.approx(6.0 + SHIFT)
    assert drop[150] == pytest.approx(5.0 + SHIFT)
    assert drop[180] == pytest.approx(-8.0 + SHIFT)


@pytest.mark.parametrize(
    ("stance", "obliquity", "drop"),
    [
        ("right", 5.0, 5.0),  # standing on the right, left hip lower: drop
        ("right", -5.0, -5.0),
        ("left", -5.0, 5.0),  # standing on the left, right hip lower: drop
        ("left", 5.0, -5.0),
        (None, -5.0, 5.0),
        (None, 3.0, 3.0),
        ("left", float("nan"), float("nan")),
    ],
)
def test_pelvic_drop_sign(stance, obliquity, drop):
    got = pelvic_drop_from_obliquity(np.array([obliquity]), np.array([stance], dtype=object))
    np.testing.assert_allclose(got, [drop + (SHIFT if stance else 0.0)])


def test_add_pelvic_drop_rep_side_overrides_frame_side():
    t = steady_times(duration_s=1.0)
    lift_right = np.where(t < 0.5, 0.2, 0.0)  # left stance in frames 0-14 per ankle lift
    frames = make_frames(t, ankle_lift_right=lift_right, pelvic_obliquity_deg=np.full(t.size, -3.0))
    drop = add_pelvic_drop(frames, [Rep(1, 10, 12, 20, None)]).to_numpy()
    np.testing.assert_allclose(drop[:10], 3.0 + SHIFT)  # left stance: -(-3), on one leg
    np.testing.assert_allclose(drop[10:21], 3.0)  # bilateral rep: |-3|
    np.testing.assert_allclose(drop[21:], 3.0)
    drop = add_pelvic_drop(frames, [Rep(1, 0, 5, 14, "right")]).to_numpy()
    np.testing.assert_allclose(drop[:15], -3.0 + SHIFT)


def test_rep_metrics_numbers():
    t = steady_times(duration_s=3.0)
    shape = bump(t, 1.5, 2.0, 1.0)  # 0 standing, 1 at the bottom (frame 45)
    valid_right = shape < 0.8  # right thigh foreshortened near the bottom
    frames = make_frames(
        t,
        depth=0.3 * shape,
        fppa_left_deg=4 + 10 * shape,
        fppa_right_deg=2 + 30 * shape,
        fppa_valid_right=valid_right,
        kasr=1 - 0.4 * shape,
        khr=1 - 0.5 * shape,
        knee_medial_left=0.1 * shape,
        trunk_lean_deg=3 * shape,
        pelvic_obliquity_deg=-2 - 4 * shape,
    )
    rep = Rep(1, 25, 45, 65, "left")
    m = rep_metrics(frames, rep, pelvic_reference="standing", single_leg=True)
    assert (m.start_s, m.bottom_s, m.end_s) == pytest.approx((25 / 30, 1.5, 65 / 30))
    assert m.duration_s == pytest.approx(40 / 30)
    assert m.depth_bottom == pytest.approx(0.3)
    assert m.fppa_bottom_left_deg == pytest.approx(14.0)
    assert m.fppa_valid_bottom_left is True
    assert math.isnan(m.fppa_bottom_right_deg)
    assert m.fppa_valid_bottom_right is False
    # The reading: at the bottom where valid, else the deepest valid frame on the way down.
    assert (m.fppa_read_left_frame, m.fppa_read_left_deg) == (45, pytest.approx(14.0))
    last_valid = max(i for i in range(25, 46) if valid_right[i])
    assert m.fppa_read_right_frame == last_valid
    assert m.fppa_read_right_deg == pytest.approx(2 + 30 * shape[last_valid])
    # A single-leg rep (stance left) has no knee-to-ankle ratio: one foot is in the air.
    assert math.isnan(m.kasr_bottom) and math.isnan(m.kasr_change_bottom)
    assert m.khr_bottom == pytest.approx(0.5)
    bilateral = rep_metrics(
        frames, Rep(1, 25, 45, 65, None), pelvic_reference="standing", single_leg=False
    )
    assert bilateral.kasr_bottom == pytest.approx(0.6)
    assert (m.knee_medial_bottom_left, m.knee_medial_bottom_right) == pytest.approx((0.1, 0.0))
    assert m.trunk_lean_bottom_deg == pytest.approx(3.0)
    # Left stance: drop = -obliquity = 2 + 4 * shape, plus the leg-lift correction.
    assert m.pelvic_drop_bottom_deg == pytest.approx(6.0 + SHIFT)
    assert m.peak_pelvic_drop_deg == pytest.approx(6.0 + SHIFT, abs=0.05)
    assert m.peak_pelvic_drop_frame in (44, 45, 46)
    assert m.mean_pelvic_drop_deg == pytest.approx(np.mean(2 + 4 * shape[25:66]) + SHIFT)
    assert m.to_dict()["stance_side"] == "left"
    # Readings: the left knee at the bottom; the right, invalid there, at its deepest valid
    # frame (the bump is symmetric: the first of the two equally deep ones).
    assert (m.fppa_read_left_deg, m.fppa_read_left_frame) == (pytest.approx(14.0), 45)
    assert m.fppa_model_read_left_deg == pytest.approx(14.0 / 1.25)  # before calibration
    assert m.fppa_read_right_frame == last_valid
    assert m.fppa_read_right_deg == pytest.approx(2 + 30 * shape[last_valid])
    # Left and right are compared at one frame where both are valid: the same one.
    assert m.fppa_pair_frame == last_valid
    assert m.fppa_pair_left_deg - m.fppa_pair_right_deg == pytest.approx(2 - 20 * shape[last_valid])
    assert m.pelvic_reference == "standing"


def test_a_deep_rep_reads_the_way_down_even_where_the_way_up_is_deeper():
    # FPPA is not valid over the deep middle of the rep (frames 40-50). The first valid
    # frame up (51) is deeper than the last one down (39), as noise in a copy of a clip
    # can make it; the reading stays on the way down, where the knee reads otherwise.
    t = steady_times(duration_s=3.0)
    depth = bump(t, 1.5, 2.0, 0.3)
    depth[51] = depth[39] + 0.01
    fppa = np.where(np.arange(t.size) < 45, -25.0, -32.0)
    valid = (np.arange(t.size) < 40) | (np.arange(t.size) > 50)
    frames = make_frames(
        t, depth=depth, fppa_left_deg=fppa, fppa_right_deg=fppa,
        fppa_valid_left=valid, fppa_valid_right=valid,
    )  # fmt: skip
    m = rep_metrics(frames, Rep(1, 25, 45, 65, None), pelvic_reference="standing", single_leg=False)
    assert (m.fppa_read_left_frame, m.fppa_read_left_deg) == (39, -25.0)
    assert m.fppa_pair_frame == 39
    # With nothing valid on the way down (the clip starts at the bottom), the way up.
    up_only = frames.assign(fppa_valid_left=np.arange(t.size) > 50)
    m = rep_metrics(
        up_only, Rep(1, 25, 45, 65, None), pelvic_reference="standing", single_leg=False
    )
    assert (m.fppa_read_left_frame, m.fppa_read_left_deg) == (51, -32.0)


def test_a_knee_bent_past_the_limit_at_the_bottom_has_no_fppa_numbers():
    # A deep bilateral squat: the right knee bends to 95 deg, FPPA valid only while it is
    # bent up to 50 (frames where the angle changes a degree per degree of flexion); the left
    # stops at 45. The right knee gets no reading, peak or bottom, the rep no paired frame;
    # the left reads at its bottom. In a single-leg task (limit 120 deg) the same knee reads.
    t = steady_times(duration_s=3.0)
    shape = bump(t, 1.5, 2.0, 1.0)
    right_flexion = 95 * shape
    frames = make_frames(
        t, depth=0.3 * shape, fppa_left_deg=4 + 10 * shape, fppa_right_deg=-right_flexion,
        fppa_valid_right=right_flexion <= 50, knee_flexion_left_deg=45 * shape,
        knee_flexion_right_deg=right_flexion,
    )  # fmt: skip
    rep = Rep(1, 25, 45, 65, None)
    m = rep_metrics(frames, rep, pelvic_reference="standing", single_leg=False)
    assert (m.fppa_read_left_frame, m.fppa_read_left_deg) == (45, pytest.approx(14.0))
    assert math.isnan(m.fppa_read_right_deg) and m.fppa_read_right_frame is None
    assert math.isnan(m.fppa_bottom_right_deg)
    assert m.fppa_pair_frame is None and math.isnan(m.fppa_pair_left_deg)
    single = rep_metrics(frames, Rep(1, 25, 45, 65, "right"), pelvic_reference="standing",
                         single_leg=True)  # fmt: skip
    last_valid = max(i for i in range(25, 46) if right_flexion[i] <= 50)
    assert single.fppa_read_right_frame == last_valid
    assert single.fppa_read_right_deg == pytest.approx(-right_flexion[last_valid])


def test_the_straight_leg_of_a_lunge_has_no_fppa_reading():
    # A side lunge: the right knee bends to 50 deg (still readable), the left stays straight
    # (5 deg, nowva_side_lunge's trailing knee reads 3-8). The straight leg carries little of
    # the load: no reading and no pair; the bent knee reads at its bottom.
    t = steady_times(duration_s=3.0)
    shape = bump(t, 1.5, 2.0, 1.0)
    frames = make_frames(
        t, depth=0.3 * shape, fppa_left_deg=4 + 10 * shape, fppa_right_deg=2 + 6 * shape,
        knee_flexion_left_deg=np.full(t.size, 5.0), knee_flexion_right_deg=50 * shape,
    )  # fmt: skip
    m = rep_metrics(frames, Rep(1, 25, 45, 65, None), pelvic_reference="standing", single_leg=False)
    assert (m.straight_leg_left, m.straight_leg_right) == (True, False)
    assert math.isnan(m.fppa_read_left_deg) and m.fppa_read_left_frame is None
    assert (m.fppa_read_right_frame, m.fppa_read_right_deg) == (45, pytest.approx(8.0))
    assert m.fppa_pair_frame is None
    # Knees 45 deg apart but the straighter one bent 35 (a deep squat, one knee deeper): read.
    squat = frames.assign(knee_flexion_left_deg=35.0, knee_flexion_right_deg=35 + 45 * shape)
    both = rep_metrics(squat, Rep(1, 25, 45, 65, None), pelvic_reference="standing",
                       single_leg=False)  # fmt: skip
    assert not both.straight_leg_left and both.fppa_read_left_deg == pytest.approx(14.0)


def test_a_lifted_leg_is_never_past_the_limit():
    # A single-leg rep on the left: the lifted right thigh points at the camera (0.2 of its
    # standing length) at the bottom. It is not measured, so it is not "past the limit"
    # either (its knee's card would count a rep stood on the other leg); the stance knee is.
    t = steady_times(duration_s=3.0)
    shape = bump(t, 1.5, 2.0, 1.0)
    frames = make_frames(
        t, depth=0.3 * shape, thigh_ratio_right=1 - 0.8 * shape,
        thigh_ratio_left=1 - 0.8 * shape, fppa_valid_right=False,
    )  # fmt: skip
    on_left = rep_metrics(frames, Rep(1, 25, 45, 65, "left"), pelvic_reference="standing",
                          single_leg=True)  # fmt: skip
    assert (on_left.past_fppa_limit_left, on_left.past_fppa_limit_right) == (True, False)


def test_a_single_frame_spike_away_from_the_bottom_changes_no_reading():
    t = steady_times(duration_s=3.0)
    shape = bump(t, 1.5, 2.0, 1.0)
    fppa = 4 + 10 * shape
    fppa[30] = 40.0  # one frame of landmark jitter
    frames = make_frames(t, depth=0.3 * shape, fppa_left_deg=fppa, fppa_right_deg=fppa)
    m = rep_metrics(frames, Rep(1, 25, 45, 65, None), pelvic_reference="standing", single_leg=False)
    assert (m.fppa_read_left_frame, m.fppa_read_left_deg) == (45, pytest.approx(14.0))
    assert m.fppa_pair_left_deg == pytest.approx(14.0)


def test_rep_metrics_no_valid_fppa():
    t = steady_times(duration_s=1.0)
    frames = make_frames(t, fppa_valid_left=np.zeros(t.size, dtype=bool))
    m = rep_metrics(frames, Rep(1, 0, 10, 20, None), pelvic_reference="standing", single_leg=False)
    assert math.isnan(m.fppa_bottom_left_deg) and not m.fppa_valid_bottom_left
    assert math.isnan(m.fppa_read_left_deg) and m.fppa_read_left_frame is None
    assert m.fppa_pair_frame is None and math.isnan(m.fppa_pair_left_deg)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda f: segment_reps(f, "lunge"),
            "movement must be one of squat, single-leg-squat, single-leg-stance, got 'lunge'",
        ),
        (
            lambda f: segment_reps(f.drop(columns="depth"), "squat"),
            "frames is missing column(s): depth",
        ),
        (lambda f: detect_movement(f.assign(has_pose=False)), "frames has no pose frames"),
        (
            lambda f: rep_metrics(
                f, Rep(1, 0, 5, 99, None), pelvic_reference="standing", single_leg=False
            ),
            "rep 1 refers to frame 99",
        ),
        (lambda f: Rep(1, 5, 4, 9, None), "need start_frame <= bottom_frame <= end_frame"),
        (lambda f: Rep(1, 0, 0, 0, "both"), "stance_side must be 'left', 'right' or None"),
    ],
)
def test_errors(call, message):
    frames = make_frames(steady_times(duration_s=1.0))
    with pytest.raises(ValueError) as err:
        call(frames)
    assert message in str(err.value)
