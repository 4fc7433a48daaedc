"""FPPA calibration: the model's angle from known geometry, and the calibrated angle beside it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.support.tracks import figure, track_of
from valgus.analysis.calibration import FPPA_GAIN, calibrated_fppa_deg
from valgus.analysis.kinematics import compute_kinematics


def test_the_gain_keeps_a_straight_leg_straight_and_scales_both_signs():
    assert calibrated_fppa_deg(0.0) == 0.0
    assert calibrated_fppa_deg(12.0) == pytest.approx(15.0)
    assert calibrated_fppa_deg(-8.0) == pytest.approx(-10.0)  # varus scales alike
    values = calibrated_fppa_deg(np.array([4.0, np.nan]))
    assert values[0] == pytest.approx(5.0) and math.isnan(values[1])


def test_frames_carry_the_models_angle_and_the_calibrated_one():
    # Left leg: thigh vertical (hip and knee at x 360), shin 10 px out over 100 px down,
    # the knee inside the hip-ankle line: a valgus of atan(10/100) = 5.71 deg in the image.
    frames = compute_kinematics(track_of([figure()] * 3)).frames
    model = math.degrees(math.atan2(10, 100))
    assert frames["fppa_model_left_deg"].to_numpy() == pytest.approx([model] * 3, abs=1e-6)
    assert frames["fppa_left_deg"].to_numpy() == pytest.approx([FPPA_GAIN * model] * 3, abs=1e-6)
    # A mirrored figure reads the same on the other leg.
    assert frames["fppa_model_right_deg"].to_numpy() == pytest.approx([model] * 3, abs=1e-6)
