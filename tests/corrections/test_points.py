"""A coach's points: the checks and the angles, from plane geometry."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from valgus.corrections.points import (
    PointsError,
    check_points,
    coach_angles,
    model_angles,
    model_points,
    moved_points,
)
from valgus.pose.landmarks import NUM_LANDMARKS, Landmark

# Facing the camera (the person's left on the image's right), legs straight, hips level.
STRAIGHT = {
    "left_hip": (200.0, 80.0),
    "right_hip": (120.0, 80.0),
    "left_knee": (200.0, 140.0),
    "right_knee": (120.0, 140.0),
    "left_ankle": (200.0, 200.0),
    "right_ankle": (120.0, 200.0),
}


@pytest.mark.parametrize(
    ("knee_x", "expected"),
    [
        (130.0, math.degrees(2 * math.atan(10 / 60))),  # right knee toward the left hip: valgus
        (110.0, -math.degrees(2 * math.atan(10 / 60))),  # away from it: varus
        (120.0, 0.0),
    ],
)
def test_fppa_is_positive_when_the_knee_goes_medial(knee_x: float, expected: float) -> None:
    angles = coach_angles(STRAIGHT | {"right_knee": (knee_x, 140.0)}, pelvic_baseline_deg=None)
    assert angles["fppa_right_deg"] == pytest.approx(expected, abs=1e-3)
    assert angles["fppa_left_deg"] == 0.0


def test_pelvic_obliquity_from_hips_and_asis_with_the_baseline() -> None:
    points = STRAIGHT | {"left_hip": (200.0, 88.0), "left_asis": (190, 70), "right_asis": (130, 70)}
    angles = coach_angles(points, pelvic_baseline_deg=2.0)
    raw = math.degrees(math.atan2(8, 80))  # + : the person's left hip is lower
    assert angles["pelvic_obliquity"] == {"raw_deg": round(raw, 3), "deg": round(raw - 2.0, 3)}
    assert angles["pelvic_obliquity_asis"]["raw_deg"] == 0.0


def test_the_model_reading_carries_the_calibration_gain_and_its_raw_angle() -> None:
    xy = np.full((NUM_LANDMARKS, 2), np.nan)
    for name, point in (STRAIGHT | {"right_knee": (130.0, 140.0)}).items():
        xy[Landmark[name.upper()]] = point
    points = model_points(xy)
    angles = model_angles(points, pelvic_baseline_deg=None)
    raw = math.degrees(2 * math.atan(10 / 60))
    assert angles["fppa_model_right_deg"] == pytest.approx(raw, abs=1e-3)
    assert angles["fppa_right_deg"] == pytest.approx(1.25 * raw, abs=1e-3)
    xy[Landmark.LEFT_ANKLE] = np.nan
    assert model_angles(model_points(xy), pelvic_baseline_deg=None) is None


def test_moved_points_ignore_sub_pixel_differences() -> None:
    points = STRAIGHT | {"right_knee": (120.4, 140.0), "left_knee": (201.0, 140.0)}
    assert moved_points(points, dict(STRAIGHT)) == ["left_knee"]
    assert moved_points(STRAIGHT | {"left_asis": (1, 1)}, dict(STRAIGHT)) == ["left_asis"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"right_knee": (320.5, 10)}, "right_knee (320.5, 10.0) is outside the 320x240 frame"),
        ({"nose": (1, 1)}, "unknown landmark 'nose'"),
        ({"left_hip": (float("nan"), 1)}, "left_hip must be finite numbers"),
        ({"left_hip": (True, 1, 2)}, "left_hip must be [x, y] in pixels"),
        ({"right_asis": (1, 1)}, "place both ASIS points or neither"),
    ],
)
def test_check_points_refuses_with_one_line(change: dict, message: str) -> None:
    with pytest.raises(PointsError, match=re.escape(message)):
        check_points(STRAIGHT | change, width=320, height=240)


def test_check_points_keeps_the_frame_edges() -> None:
    points = STRAIGHT | {"right_ankle": (0, 240), "left_ankle": (320, 0)}
    assert check_points(points, width=320, height=240)["right_ankle"] == (0.0, 240.0)
