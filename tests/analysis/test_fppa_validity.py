"""The one FPPA validity rule: knee flexion by movement, thigh length, the plausible band."""

from __future__ import annotations

import math

import numpy as np
import pytest

from valgus.analysis.fppa_validity import fppa_valid
from valgus.analysis.geometry import knee_flexion_deg
from valgus.analysis.kinematics import plausible_pelvis

NAN = math.nan


@pytest.mark.parametrize(
    ("fppa", "ratio", "flexion", "present", "single_leg", "lifted", "valid"),
    [
        (10.0, 0.9, 40.0, True, False, False, True),  # a squat, knee bent 40 deg
        (10.0, 0.9, 60.0, True, False, False, False),  # bent past 50: not frontal any more
        (10.0, 0.45, 40.0, True, False, False, False),  # thigh foreshortened
        (-50.0, 0.9, 40.0, True, False, False, False),  # beyond the plausible band
        (75.0, 0.9, 40.0, True, False, False, False),
        (10.0, 0.9, 40.0, False, False, False, False),  # leg not visible
        (10.0, 0.9, NAN, True, False, False, False),  # flexion unknown
        (NAN, 0.9, 40.0, True, False, False, False),
        (10.0, 0.35, 100.0, True, True, False, True),  # a single-leg squat bottom
        (10.0, 0.35, 130.0, True, True, False, False),
        (10.0, 0.25, 100.0, True, True, False, False),
        (10.0, 0.9, 20.0, True, True, True, False),  # the lifted leg is never a measure
    ],
)
def test_rule(fppa, ratio, flexion, present, single_leg, lifted, valid):
    got = fppa_valid(
        fppa, ratio, flexion, present, body_yaw_deg=3.0, single_leg=single_leg, lifted=lifted
    )
    assert bool(got) is valid


@pytest.mark.parametrize(("yaw", "valid"), [(0.0, True), (24.0, True), (30.0, False), (NAN, True)])
def test_a_body_turned_from_the_camera_gives_no_reading(yaw, valid):
    got = fppa_valid(10.0, 0.9, 40.0, True, body_yaw_deg=yaw, single_leg=False)
    assert bool(got) is valid


def test_rule_is_vectorised_like_its_inputs():
    got = fppa_valid(
        np.array([5.0, 5.0, -60.0]),
        np.array([1.0, 1.0, 1.0]),
        np.array([10.0, 70.0, 10.0]),
        np.array([True, True, True]),
        body_yaw_deg=np.zeros(3),
        single_leg=False,
    )
    assert got.tolist() == [True, False, False]


@pytest.mark.parametrize(
    ("ankle", "expected"),
    [((0.0, -2.0, 0.0), 0.0), ((1.0, -1.0, 0.0), 90.0), ((0.0, -1.5, 0.866), 60.0)],
)
def test_knee_flexion_of_known_geometry(ankle, expected):
    hip, knee = np.array([0.0, 0.0, 0.0]), np.array([0.0, -1.0, 0.0])
    assert knee_flexion_deg(hip, knee, np.array(ankle)) == pytest.approx(expected, abs=0.05)


def test_a_pelvis_tilted_past_20_deg_or_seen_edge_on_is_no_reading():
    tilt = np.array([5.0, -19.0, 25.0, 5.0])
    width = np.array([100.0, 100.0, 100.0, 40.0])
    got = plausible_pelvis(tilt, width, reference_width_px=100.0)
    assert got[:2].tolist() == [5.0, -19.0]
    assert np.isnan(got[2:]).all()
    turned = plausible_pelvis(tilt, np.full(4, 100.0), 100.0, body_yaw_deg=np.full(4, 40.0))
    assert np.isnan(turned).all()
