"""The reps read FPPA from the second model's legs where it saw them, else from MediaPipe."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.support.frames import make_frames
from valgus.analysis.events import Rep
from valgus.analysis.refined_fppa import (
    reading_counts,
    reading_frames,
    refined_fppa_columns,
    second_model_note,
)
from valgus.analysis.rep_metrics import rep_metrics
from valgus.pose.keyframe_legs import KeyframeLegs, LegReading

BOTTOM = 45


def valgus_leg(side: str, fppa_deg: float) -> np.ndarray:
    """Hip, knee, ankle of a front-facing person's leg whose knee is ``fppa_deg`` inside the line.

    The thigh points straight down; the shank turns away from the midline by
    ``fppa_deg`` (the ankle lateral of the knee): a knee collapsing medially.
    """
    lateral = 1.0 if side == "left" else -1.0  # the person's left is on the image's right
    hip_x = 400.0 + lateral * 60.0
    angle = math.radians(fppa_deg)
    knee = np.array([hip_x, 300.0])
    ankle = knee + 100.0 * np.array([lateral * math.sin(angle), math.cos(angle)])
    return np.stack([[hip_x, 200.0], knee, ankle])


def legs_at(frame: int, left: float, right: float, *, usable_right: bool = True) -> KeyframeLegs:
    reading = LegReading(
        xy={"left": valgus_leg("left", left), "right": valgus_leg("right", right)},
        usable={"left": True, "right": usable_right},
    )
    return KeyframeLegs({frame: reading})


def frames_of_a_rep(n: int = 91):
    t = np.arange(n) / 30.0
    shape = np.exp(-0.5 * ((t - BOTTOM / 30) / 0.25) ** 2)
    return make_frames(t, fppa_left_deg=10 * shape, fppa_right_deg=6 * shape, depth=0.3 * shape)


def test_the_second_models_angle_is_the_fppa_of_its_points():
    frames = frames_of_a_rep()
    columns = refined_fppa_columns(frames, legs_at(BOTTOM, left=20.0, right=-8.0))
    assert columns["fppa_refined_left_deg"][BOTTOM] == pytest.approx(20.0)
    assert columns["fppa_refined_right_deg"][BOTTOM] == pytest.approx(-8.0)
    others = np.delete(columns["fppa_refined_left_deg"], BOTTOM)
    assert np.isnan(others).all()


def test_no_second_model_value_where_mediapipe_says_fppa_is_not_valid_or_it_is_implausible():
    frames = frames_of_a_rep()
    frames.loc[BOTTOM, "fppa_valid_right"] = False
    columns = refined_fppa_columns(frames, legs_at(BOTTOM, left=80.0, right=10.0))
    assert math.isnan(columns["fppa_refined_left_deg"][BOTTOM])  # above the 70 deg of the rule
    assert math.isnan(columns["fppa_refined_right_deg"][BOTTOM])
    unusable = refined_fppa_columns(
        frames_of_a_rep(), legs_at(BOTTOM, 20.0, 10.0, usable_right=False)
    )
    assert math.isnan(unusable["fppa_refined_right_deg"][BOTTOM])


def test_a_rep_reads_the_second_model_where_it_saw_the_knee_and_mediapipe_elsewhere():
    frames = frames_of_a_rep()
    rep = Rep(1, 20, BOTTOM, 70, None)
    before = rep_metrics(frames, rep, pelvic_reference="standing", single_leg=False)
    # Each knee reads at the bottom, where the pair is read too: one frame to re-read.
    assert reading_frames([before]) == [BOTTOM]
    legs = legs_at(BOTTOM, left=16.0, right=3.0, usable_right=False)
    frames = frames.assign(**refined_fppa_columns(frames, legs))
    after = rep_metrics(frames, rep, pelvic_reference="standing", single_leg=False)
    assert after.fppa_read_left_deg == pytest.approx(16.0)
    assert after.fppa_refined_read_left_deg == pytest.approx(16.0)
    assert after.fppa_bottom_left_deg == pytest.approx(16.0)
    assert after.fppa_model_read_left_deg == pytest.approx(before.fppa_model_read_left_deg)
    # The right knee was not usable: MediaPipe's calibrated reading, unchanged.
    assert after.fppa_read_right_deg == pytest.approx(before.fppa_read_right_deg)
    assert math.isnan(after.fppa_refined_read_right_deg)
    # Left against right at one frame, each from where it was read.
    assert after.fppa_pair_left_deg - after.fppa_pair_right_deg == pytest.approx(16.0 - 6.0)
    assert reading_counts([after]) == (1, 2)


def test_the_report_says_where_the_readings_came_from():
    frames = frames_of_a_rep()
    rep = Rep(1, 20, BOTTOM, 70, None)
    legs = legs_at(BOTTOM, left=16.0, right=3.0, usable_right=False)
    metrics = [rep_metrics(frames.assign(**refined_fppa_columns(frames, legs)), rep,
                           pelvic_reference="standing", single_leg=False)]  # fmt: skip
    note = second_model_note(legs, metrics)
    assert note.startswith("FPPA readings: 1 of 2 from a second pose model (MoveNet Thunder)")
    assert "Curves, other frames (1 where it did not see the leg clearly): MediaPipe's" in note
    assert "did not re-read" in second_model_note(None, metrics)
    assert second_model_note(KeyframeLegs(), []).startswith("No FPPA reading was taken.")
