"""Truth of the rendered body: the analysis's FPPA and obliquity, signs, symmetry, 3D angles."""

from __future__ import annotations

import numpy as np
import pytest

from tests.support.human import collapse_clip
from valgus.analysis.geometry import fppa_deg
from valgus.synth.body import Camera
from valgus.synth.human.posing import solve_pose
from valgus.synth.human.shape import PRESETS
from valgus.synth.human.skeleton import build_skeleton
from valgus.synth.human.skinning import skin
from valgus.synth.human.truth import ANGLE_NAMES, frame_truth
from valgus.synth.joints import read_world
from valgus.synth.motion import POINTS

LEG_JOINTS = [f"{s}_{j}" for s in ("LEFT", "RIGHT") for j in ("HIP", "KNEE", "ANKLE")]
LEVEL_CAMERA = Camera(1500.0, 360.0, 640.0, distance_m=3.0, height_m=0.5)  # no pitch, no yaw


@pytest.fixture(scope="module")
def skeleton():
    return build_skeleton(PRESETS["man_heavy"])


def _standing_targets(skeleton, *, knee_in: bool = False, left_drop_deg: float = 0.0):
    """Legs in the frontal plane z = 0; with ``knee_in`` the left knee bends toward the midline."""
    d = skeleton.dims
    hip_y = d.ankle_y_m + d.thigh_m + d.shank_m - 0.02
    drop = np.radians(left_drop_deg)
    right_hip = np.array([-d.hip_half_m, hip_y, 0.0])
    hips = {
        "RIGHT": right_hip,
        "LEFT": right_hip + 2 * d.hip_half_m * np.array([np.cos(drop), -np.sin(drop), 0.0]),
    }
    t = {}
    for side in ("LEFT", "RIGHT"):
        hip = hips[side]
        ankle = np.array([hip[0], d.ankle_y_m, 0.0])
        chord = np.linalg.norm(hip - ankle)
        along = (d.thigh_m**2 - d.shank_m**2 + chord**2) / (2 * chord)
        off = np.sqrt(d.thigh_m**2 - along**2)  # the knee's distance from the hip-ankle line
        knee = hip + along * (ankle - hip) / chord
        if side == "LEFT" and knee_in:
            knee[0] -= off  # toward the midline, in the frontal plane
        else:
            knee[2] += off  # bent forward (a straight leg would not reach the ankle)
        t[f"{side}_HIP"], t[f"{side}_KNEE"], t[f"{side}_ANKLE"] = hip, knee, ankle
        t[f"{side}_PATELLA"] = knee + np.array([0.0, 0.0, 0.05])
    t["NECK"] = np.array([0.0, hip_y + d.torso_m, 0.0])
    return t


def _truth(skeleton, targets, camera=LEVEL_CAMERA):
    pose = solve_pose(skeleton, targets)
    assert max(pose.residual_m[n] for n in LEG_JOINTS) < 1e-9
    return frame_truth(skeleton, pose, skin(skeleton, pose), camera)


def test_fppa_of_a_knee_pushed_in_equals_the_analytic_angle(skeleton):
    d = skeleton.dims
    targets = _standing_targets(skeleton, knee_in=True)
    chord = np.linalg.norm(targets["LEFT_HIP"] - targets["LEFT_ANKLE"])
    interior = np.degrees(
        np.arccos((d.thigh_m**2 + d.shank_m**2 - chord**2) / (2 * d.thigh_m * d.shank_m))
    )
    truth = _truth(skeleton, targets)
    assert truth.fppa_deg["left"] == pytest.approx(180.0 - interior, abs=1e-6)
    assert truth.fppa_deg["left"] > 5.0  # medial: valgus, positive


def test_obliquity_is_positive_when_the_left_hip_is_lower(skeleton):
    truth = _truth(skeleton, _standing_targets(skeleton, left_drop_deg=5.0))
    assert truth.pelvic_obliquity_3d_deg == pytest.approx(5.0, abs=1e-6)
    # A level camera looking at the frontal plane sees the same angle.
    assert truth.pelvic_obliquity_deg == pytest.approx(5.0, abs=1e-6)
    # The ASIS is bone: its skin points tilt with the pelvis (skeleton: rigid to the crest).
    assert truth.pelvic_obliquity_asis_deg == pytest.approx(5.0, abs=0.3)


def _mirror(targets):
    flip = np.array([-1.0, 1.0, 1.0])
    swap = {"LEFT": "RIGHT", "RIGHT": "LEFT"}
    out = {}
    for name, p in targets.items():
        side, _, rest = name.partition("_")
        out[f"{swap[side]}_{rest}" if side in swap else name] = p * flip
    return out


def test_mirrored_pose_swaps_left_and_right_truth():
    clip = collapse_clip()
    skeleton = clip.skeleton
    targets = clip.targets(clip.motion.timeline.reps[0]["bottom"])
    camera = Camera(1500.0, 360.0, 640.0, distance_m=3.0, height_m=1.0, pitch_deg=8.0)
    a, b = _truth(skeleton, targets, camera), _truth(skeleton, _mirror(targets), camera)
    assert a.fppa_deg["left"] > 5.0
    assert b.fppa_deg["right"] == pytest.approx(a.fppa_deg["left"], abs=0.05)
    assert b.fppa_deg["left"] == pytest.approx(a.fppa_deg["right"], abs=0.05)
    assert b.pelvic_obliquity_deg == pytest.approx(-a.pelvic_obliquity_deg, abs=0.05)
    for name in ("LEFT_HIP", "LEFT_KNEE", "LEFT_ANKLE", "LEFT_ASIS", "LEFT_HEEL"):
        other = name.replace("LEFT", "RIGHT")
        mirrored = np.array([720.0 - b.points_px[other][0], b.points_px[other][1]])
        np.testing.assert_allclose(mirrored, a.points_px[name], atol=0.5)
    for angle in ("hip_adduction", "hip_internal_rotation", "knee_abduction"):
        assert b.angles_3d_deg[f"{angle}_right"] == pytest.approx(
            a.angles_3d_deg[f"{angle}_left"], abs=0.05
        )


def test_rendered_truth_is_the_motions_own_fppa_and_angles():
    """The rig's joint centres are valgus's motion points, so the two truths agree exactly."""
    clip = collapse_clip()
    m = clip.motion
    b = m.timeline.reps[0]["bottom"]
    pose = solve_pose(clip.skeleton, clip.targets(b))
    truth = frame_truth(clip.skeleton, pose, skin(clip.skeleton, pose), m.camera)
    names = ("LEFT_HIP", "LEFT_KNEE", "LEFT_ANKLE", "RIGHT_HIP")
    hip, knee, ankle, other = (m.point(n)[b] for n in names)
    assert truth.fppa_deg["left"] == pytest.approx(float(fppa_deg(hip, knee, ankle, other)))
    assert truth.fppa_deg["left"] > 8.0  # the requested collapse shows in 2D
    # The posed femur and tibia hold the angles of the motion's points (kneecap marker too).
    world = {name: m.world_m[b, POINTS.index(name)] for name in POINTS}
    expected = np.degrees(
        read_world(
            "left",
            *(world[n] for n in ("LEFT_HIP", "RIGHT_HIP", "LEFT_KNEE", "LEFT_PATELLA")),
            world["LEFT_ANKLE"],
        )
    )
    got = [truth.angles_3d_deg[f"{name}_left"] for name in ANGLE_NAMES]
    np.testing.assert_allclose(got, expected, atol=1e-6)
    assert got[1] > 5.0  # hip adduction: the request (12 deg) shared out in the closed chain
