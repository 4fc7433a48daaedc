"""Tests of the joint-angle controls of the renderer: kinematics, closed chain, truth, picture."""

from __future__ import annotations

import json

import numpy as np
import pytest

from valgus.synth import joints as synth_joints
from valgus.synth.backdrop import background
from valgus.synth.figure import Palette, draw_figure
from valgus.synth.motion import POINTS, build_motion, pose_frame
from valgus.synth.render import SynthSpec, render
from valgus.synth.truth import truth_dict

P = {name: i for i, name in enumerate(POINTS)}
FAST = {"lead_in_s": 0.3, "tail_s": 0.2, "pause_s": 0.2, "rep_s": 1.0}
NAMES = ("hip_adduction", "hip_internal_rotation", "knee_abduction")


def _bottom(**kwargs) -> tuple[dict, int, np.ndarray]:
    """Truth frames, bottom frame and 3D points of a one-rep clip."""
    spec = SynthSpec(reps=1, **kwargs)
    motion = build_motion(spec)
    return truth_dict(spec, motion)["frames"], motion.timeline.reps[0]["bottom"], motion.world_m


def _realised(frames: dict, side: str, frame: int) -> list[float]:
    return [frames[f"{name}_{side}_deg"][frame] for name in NAMES]


@pytest.mark.parametrize("movement", ["squat", "single-leg-squat", "single-leg-stance"])
def test_zero_angles_are_the_original_pose_point_for_point(movement):
    spec = SynthSpec(
        movement=movement,
        reps=1,
        hip_adduction_deg=0.0,
        hip_internal_rotation_deg=0.0,
        knee_abduction_deg=0.0,
    )
    motion = build_motion(spec)
    t = motion.timeline
    psi0 = {"left": 0.0, "right": 0.0}
    original = [
        pose_frame(spec, d, lf, dr, psi0) for d, lf, dr in zip(t.depth, t.lift, t.drop, strict=True)
    ]
    np.testing.assert_array_equal(motion.world_m, np.stack(original))
    for values in motion.joint_angles_deg.values():
        np.testing.assert_allclose(values, 0.0, atol=1e-9)


def test_forward_kinematics_and_read_back_agree():
    rng = np.random.default_rng(3)
    hips = {"left": np.array([0.09, 0.9, 0.0]), "right": np.array([-0.09, 0.92, 0.01])}
    for side, other in (("left", "right"), ("right", "left")):
        hip_c = synth_joints.canonical(side, hips[side])
        pelvis = synth_joints.pelvis_axes(hip_c, synth_joints.canonical(side, hips[other]))
        for _ in range(20):
            q = rng.uniform(-0.6, 0.6, 5)
            q[3] = abs(q[3]) + 0.1
            knee, ankle, femur, _ = synth_joints.forward(pelvis, hip_c, q, 0.42, 0.43)
            patella = knee + synth_joints.PATELLA_M * femur[:, 2]
            read = synth_joints.read_angles(pelvis, hip_c, knee, patella, ankle)
            np.testing.assert_allclose(read, q, atol=1e-9)
            assert np.linalg.norm(knee - hip_c) == pytest.approx(0.42)
            assert np.linalg.norm(ankle - knee) == pytest.approx(0.43)


def test_knee_abduction_on_a_near_straight_leg_shows_as_fppa():
    # Single-leg stance: the stance knee is bent 5 deg; the pelvis may shift over the foot.
    base, b, _ = _bottom(movement="single-leg-stance", knee_abduction_deg=0.0)
    frames, b, _ = _bottom(movement="single-leg-stance", knee_abduction_deg=8.0)
    realised = _realised(frames, "right", b)
    assert realised[2] == pytest.approx(8.0, abs=1.0)
    gained = frames["fppa_right_deg"][b] - base["fppa_right_deg"][b]
    assert gained > 0  # valgus is positive
    assert gained == pytest.approx(realised[2], abs=0.5)


def test_hip_internal_rotation_needs_a_bent_knee_to_collapse_it():
    # Straight legs: rotation spins the leg about its own line; the FPPA stays.
    straight, b, _ = _bottom(movement="squat", knee_flexion_deg=0.0, hip_internal_rotation_deg=15.0)
    assert straight["fppa_left_deg"][b] == pytest.approx(0.0, abs=0.1)
    assert _realised(straight, "left", b)[1] == pytest.approx(15.0, abs=0.5)
    for flex in (60.0, 75.0):
        base, b, neutral = _bottom(movement="squat", knee_flexion_deg=flex, hip_adduction_deg=0.0)
        turned, b, posed = _bottom(
            movement="squat", knee_flexion_deg=flex, hip_internal_rotation_deg=15.0
        )
        # The bent knee swings medially: 10-13 deg more FPPA at 60-75 deg flexion.
        assert turned["fppa_left_deg"][b] - base["fppa_left_deg"][b] > 8.0
        assert posed[b, P["LEFT_KNEE"], 0] < neutral[b, P["LEFT_KNEE"], 0] - 0.02
        assert posed[b, P["RIGHT_KNEE"], 0] > neutral[b, P["RIGHT_KNEE"], 0] + 0.02


def test_hip_adduction_moves_the_knee_medially():
    base, b, neutral = _bottom(movement="squat", hip_adduction_deg=0.0)
    frames, b, posed = _bottom(movement="squat", hip_adduction_deg=10.0)
    assert posed[b, P["LEFT_KNEE"], 0] < neutral[b, P["LEFT_KNEE"], 0] - 0.03
    assert frames["fppa_left_deg"][b] - base["fppa_left_deg"][b] > 10.0
    # Both feet planted under one pelvis: the chain shares the adduction with the knee.
    assert 4.0 < _realised(frames, "left", b)[0] <= 10.0


def test_rotation_turns_the_kneecap_in_over_a_planted_foot():
    _, b, neutral = _bottom(movement="squat", hip_adduction_deg=0.0)
    _, b, posed = _bottom(movement="squat", hip_internal_rotation_deg=15.0)

    def across(world: np.ndarray, part: str, base: str) -> float:
        return world[b, P[f"LEFT_{part}"], 0] - world[b, P[f"LEFT_{base}"], 0]

    # The person's left is +x: smaller x is toward the midline.
    assert across(posed, "PATELLA", "KNEE") < across(neutral, "PATELLA", "KNEE") - 0.01
    for part in ("FOOT_INDEX", "HEEL"):
        planted = across(neutral, part, "ANKLE")
        assert across(posed, part, "ANKLE") == pytest.approx(planted, abs=1e-4)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"movement": "squat", "hip_adduction_deg": (12, 5), "hip_internal_rotation_deg": (15, 8)},
        {"movement": "squat", "knee_abduction_deg": 8.0, "knee_flexion_deg": 90.0},
        {"movement": "single-leg-squat", "hip_internal_rotation_deg": 20.0, "stance_side": "left"},
        {"movement": "single-leg-stance", "hip_adduction_deg": 10.0, "knee_abduction_deg": 5.0},
    ],
)
def test_loaded_feet_stay_planted_and_segments_keep_their_length(kwargs):
    spec = SynthSpec(reps=2, **kwargs)
    world, body = build_motion(spec).world_m, spec.scene.body
    loaded = ("LEFT", "RIGHT") if spec.movement == "squat" else (spec.stance_side.upper(),)
    for side in loaded:
        slide = np.linalg.norm(world[:, P[f"{side}_ANKLE"]] - world[0, P[f"{side}_ANKLE"]], axis=1)
        assert slide.max() < 0.001  # metres; the brief allows 1 cm
    for side in ("LEFT", "RIGHT"):
        hip, knee, ankle = (world[:, P[f"{side}_{p}"]] for p in ("HIP", "KNEE", "ANKLE"))
        np.testing.assert_allclose(np.linalg.norm(knee - hip, axis=1), body.thigh_m, atol=1e-9)
        np.testing.assert_allclose(np.linalg.norm(ankle - knee, axis=1), body.shank_m, atol=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "side", "expected"),
    [
        (
            {
                "movement": "single-leg-squat",
                "hip_adduction_deg": 12.0,
                "hip_internal_rotation_deg": 15.0,
                "knee_abduction_deg": 6.0,
            },
            "right",
            (12.0, 15.0, 6.0),
        ),
        (
            {
                "movement": "squat",
                "knee_flexion_deg": 90.0,
                "hip_adduction_deg": (11.0, 8.0),
                "hip_internal_rotation_deg": (10.0, 5.0),
                "knee_abduction_deg": (3.0, 2.4),
            },
            "left",
            (11.0, 10.0, 3.0),
        ),
    ],
)
def test_realised_angles_equal_the_request_where_the_chain_allows(kwargs, side, expected):
    frames, b, _ = _bottom(**kwargs)
    np.testing.assert_allclose(_realised(frames, side, b), expected, atol=0.5)
    # They ramp in with the squat and are 0 standing.
    assert _realised(frames, side, 0) == [0.0, 0.0, 0.0]


def test_swapped_sides_mirror_the_figure():
    def world(**kwargs) -> np.ndarray:
        return build_motion(SynthSpec(movement="squat", reps=1, **kwargs)).world_m

    asked = world(hip_adduction_deg=(12, 5), hip_internal_rotation_deg=(15, 8))
    swapped = world(hip_adduction_deg=(5, 12), hip_internal_rotation_deg=(8, 15))
    mirror = [
        P[n.replace("LEFT", "#").replace("RIGHT", "LEFT").replace("#", "RIGHT")] for n in POINTS
    ]
    np.testing.assert_allclose(swapped[:, mirror] * [-1, 1, 1], asked, atol=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"knee_collapse_deg": 10.0, "hip_adduction_deg": 5.0}, "not both"),
        ({"hip_adduction_deg": 31.0}, r"hip_adduction_deg \(left\) must be in \[-20.0, 30.0\]"),
        ({"hip_internal_rotation_deg": (0, -31)}, r"hip_internal_rotation_deg \(right\)"),
        ({"knee_abduction_deg": 21.0}, r"knee_abduction_deg \(left\) must be in"),
        ({"knee_abduction_deg": (1, 2, 3)}, r"knee_abduction_deg needs \(left, right\)"),
    ],
)
def test_spec_rejects_bad_joint_angles(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SynthSpec(**kwargs)


def test_render_writes_the_realised_angles_and_draws_kneecaps(tmp_path):
    spec = SynthSpec(
        movement="squat",
        reps=1,
        width=240,
        height=320,
        hip_adduction_deg=(10.0, 4.0),
        hip_internal_rotation_deg=12.0,
        **FAST,
    )
    out = render(spec, tmp_path / "joints.mp4")
    truth = json.loads(out.with_suffix(".truth.json").read_text())
    frames = truth["frames"]
    for name in NAMES:
        for side in ("left", "right"):
            assert len(frames[f"{name}_{side}_deg"]) == truth["n_frames"]
    assert truth["requested"]["joint_angles_deg"]["hip_adduction_deg"] == {
        "left": 10.0,
        "right": 4.0,
    }
    bottom = truth["reps"][0]["bottom_frame"]
    assert frames["hip_adduction_left_deg"][bottom] > frames["hip_adduction_right_deg"][bottom]
    assert truth["reps"][0]["fppa_left_deg"] == frames["fppa_left_deg"][bottom]
    # The kneecaps change the picture only when asked for.
    motion = build_motion(spec)
    palette = Palette.for_scene(spec.seed, spec.scene)
    room = background(spec.width, spec.height, motion.camera, palette, spec.seed)
    args = (motion.points_px[bottom], motion.depth_m[bottom], motion.camera, palette)
    plain = draw_figure(room.copy(), *args)
    capped = draw_figure(room.copy(), *args, kneecaps=True)
    changed = np.argwhere(np.any(plain != capped, axis=2))
    knee = motion.points_px[bottom, P["LEFT_KNEE"]]
    assert len(changed) > 10
    assert np.min(np.linalg.norm(changed[:, ::-1] - knee, axis=1)) < 5
