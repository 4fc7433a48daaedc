"""Tests for valgus.analysis.kinematics and the geometry it re-exports."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.support.tracks import figure, track_of, world_track
from valgus.analysis.kinematics import (
    compute_kinematics,
    fppa_deg,
    lower_body_visible,
    pelvic_obliquity_deg,
    signed_knee_offset,
    trunk_lean_deg,
)
from valgus.analysis.stance import stance_side_per_frame
from valgus.analysis.view import assess_view, body_yaw_deg, face_yaw_deg, upright_share
from valgus.pose.landmarks import NUM_LANDMARKS, Landmark
from valgus.pose.track import PoseTrack

L = Landmark
BENT_DEG = math.degrees(2 * math.atan(10 / 100))  # knee 10 px off a 200 px hip-ankle line


def pts(*xy: tuple[float, float]) -> np.ndarray:
    return np.array(xy, dtype=float)


# --- FPPA geometry -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("knee_x", "other_hip_x", "expected"),
    [
        (10.0, -100.0, -BENT_DEG),  # left leg facing the camera, knee lateral: varus
        (10.0, +100.0, +BENT_DEG),  # other hip on the knee's side (back view): valgus
        (-10.0, -100.0, +BENT_DEG),  # knee toward the other hip: valgus
        (-10.0, +100.0, -BENT_DEG),
        (0.0, -100.0, 0.0),  # straight leg
    ],
)
def test_fppa_hand_computed(knee_x, other_hip_x, expected):
    # hip (0,0), knee (knee_x,100), ankle (0,200): interior angle 180 - 2*atan(10/100)
    fppa = fppa_deg(pts((0, 0)), pts((knee_x, 100)), pts((0, 200)), pts((other_hip_x, 0)))
    assert math.isclose(BENT_DEG, 11.421186, abs_tol=1e-6)
    assert fppa[0] == pytest.approx(expected, abs=1e-12)


def two_legs(left_knee_dx: float, right_knee_dx: float) -> dict[str, np.ndarray]:
    """A person facing the camera (left on image right); knee dx + = toward image right."""
    return {
        "lh": pts((60, 0)),
        "rh": pts((-60, 0)),
        "lk": pts((60 + left_knee_dx, 100)),
        "rk": pts((-60 + right_knee_dx, 100)),
        "la": pts((60, 200)),
        "ra": pts((-60, 200)),
    }


def fppa_both(p: dict[str, np.ndarray]) -> tuple[float, float]:
    left = fppa_deg(p["lh"], p["lk"], p["la"], p["rh"])[0]
    right = fppa_deg(p["rh"], p["rk"], p["ra"], p["lh"])[0]
    return float(left), float(right)


@pytest.mark.parametrize(
    ("left_dx", "right_dx", "expected"),
    [
        (-10, +10, (BENT_DEG, BENT_DEG)),  # both knees in: valgus both sides
        (+10, -10, (-BENT_DEG, -BENT_DEG)),  # both knees out: varus
        (-10, -10, (BENT_DEG, -BENT_DEG)),  # both shifted to image left
    ],
)
def test_fppa_both_legs_and_mirror_symmetry(left_dx, right_dx, expected):
    p = two_legs(left_dx, right_dx)
    assert fppa_both(p) == pytest.approx(expected, abs=1e-12)
    flip = {k: v * [-1, 1] for k, v in p.items()}
    # flipped image, same labels (a back view of the same person): same FPPA per label
    assert fppa_both(flip) == pytest.approx(expected, abs=1e-12)
    # flipped image and swapped labels (a mirror image of the person): sides exchange
    swapped = {k.translate(str.maketrans("lr", "rl")): v for k, v in flip.items()}
    assert fppa_both(swapped) == pytest.approx(expected[::-1], abs=1e-12)


def rotate(points: np.ndarray, deg: float, centre=(320.0, 240.0)) -> np.ndarray:
    a = math.radians(deg)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    return (np.asarray(points) - centre) @ rot.T + centre


def test_fppa_and_knee_offset_are_rotation_invariant():
    rng = np.random.default_rng(0)
    hip = rng.uniform(200, 300, (50, 2))
    knee = hip + np.array([0, 100]) + rng.normal(0, 15, (50, 2))
    ankle = hip + np.array([0, 200]) + rng.normal(0, 5, (50, 2))
    other = hip + np.array([-90, 0])
    before = fppa_deg(hip, knee, ankle, other)
    after = fppa_deg(*(rotate(p, 5.0) for p in (hip, knee, ankle, other)))
    np.testing.assert_allclose(after, before, rtol=0, atol=1e-9)
    off = signed_knee_offset(hip, knee, ankle, other)
    np.testing.assert_allclose(
        signed_knee_offset(*(rotate(p, 5.0) for p in (hip, knee, ankle, other))), off, atol=1e-9
    )


def test_fppa_is_continuous_with_no_wrap_around():
    # the knee sweeps from far medial to far lateral of a left leg facing the camera
    knee_x = np.linspace(-150, 150, 3001)
    n = knee_x.size
    fppa = fppa_deg(
        np.zeros((n, 2)),
        np.stack([knee_x, np.full(n, 100.0)], 1),
        np.tile([0.0, 200.0], (n, 1)),
        np.tile([-100.0, 0.0], (n, 1)),
    )
    # steepest where the knee crosses the line: 2/100 rad per px = 0.115 deg per 0.1 px step
    assert np.max(np.abs(np.diff(fppa))) == pytest.approx(0.1146, abs=1e-3)  # no 360 jumps
    assert np.all(np.diff(fppa) < 0)  # medial (+) to lateral (-), monotone
    assert fppa[0] == pytest.approx(2 * math.degrees(math.atan(150 / 100)))
    assert np.all(np.abs(fppa) <= 180)


def test_fppa_is_nan_without_a_medial_direction():
    fppa = fppa_deg(pts((0, 0)), pts((10, 100)), pts((0, 200)), pts((0, 50)))  # side view
    assert np.isnan(fppa[0])


@pytest.mark.parametrize(
    ("knee_x", "other_hip_x", "expected_px"),
    [(10.0, -100.0, -10.0), (-10.0, -100.0, 10.0), (10.0, 100.0, 10.0), (0.0, -100.0, 0.0)],
)
def test_signed_knee_offset_hand_computed(knee_x, other_hip_x, expected_px):
    off = signed_knee_offset(pts((0, 0)), pts((knee_x, 100)), pts((0, 200)), pts((other_hip_x, 0)))
    assert off[0] == pytest.approx(expected_px, abs=1e-12)


# --- pelvis and trunk ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left_hip", "right_hip", "expected"),
    [
        ((100, 210), (0, 200), math.degrees(math.atan(0.1))),  # left lower (facing camera)
        ((100, 190), (0, 200), -math.degrees(math.atan(0.1))),  # right lower
        ((0, 210), (100, 200), math.degrees(math.atan(0.1))),  # left lower, back view
        ((100, 200), (0, 200), 0.0),  # level
    ],
)
def test_pelvic_obliquity_sign_table(left_hip, right_hip, expected):
    assert pelvic_obliquity_deg(pts(left_hip), pts(right_hip))[0] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("shoulder_dx", "left_dir", "expected"),
    [
        (10.0, +1, math.degrees(math.atan(0.1))),  # facing camera, lean to image right = left
        (10.0, -1, -math.degrees(math.atan(0.1))),  # back view: image right is the right side
        (0.0, +1, 0.0),
    ],
)
def test_trunk_lean_sign(shoulder_dx, left_dir, expected):
    lean = trunk_lean_deg(pts((shoulder_dx, 0)), pts((0, 100)), left_dir=left_dir)
    assert lean[0] == pytest.approx(expected)


# --- synthetic tracks -------------------------------------------------------------------


def squat_track() -> tuple[PoseTrack, np.ndarray]:
    """20 standing frames, down to a 100 px hip drop and up, 20 standing."""
    depth_px = np.r_[
        np.zeros(20), np.linspace(0, 100, 21), np.linspace(100, 0, 21)[1:], np.zeros(20)
    ]
    return track_of([figure(depth_px=d) for d in depth_px]), depth_px


def test_reference_lengths_and_columns_from_a_squat():
    track, depth_px = squat_track()
    kin = compute_kinematics(track)
    ref, f = kin.reference, kin.frames
    shank = math.hypot(10, 100)  # knee (360, 300) to ankle (370, 400)
    assert ref.thigh_length_px == pytest.approx({"left": 100.0, "right": 100.0})
    assert ref.shank_length_px == pytest.approx({"left": shank, "right": shank})
    assert ref.leg_length_px == pytest.approx(100 + shank)
    assert ref.hip_width_px == pytest.approx(80.0)
    assert ref.standing_hip_y_px == pytest.approx(200.0)
    assert ref.floor_y_px == pytest.approx(400.0)
    np.testing.assert_allclose(f["depth"], depth_px / (100 + shank), atol=1e-12)
    np.testing.assert_allclose(f[["ankle_lift_left", "ankle_lift_right"]], 0.0, atol=1e-12)
    # standing = depth below 0.05 leg lengths (ramp frames included), both feet down
    assert ref.standing_frames == int(np.sum(depth_px / (100 + shank) < 0.05))
    assert ref.pelvic_baseline_deg == 0.0
    assert list(f.index[:3]) == [0, 1, 2] and f.index.name == "frame"
    assert f["has_pose"].all() and f["lower_body_visible"].all()


def test_thigh_foreshortening_gates_fppa_in_a_deep_squat():
    track, depth_px = squat_track()
    f = compute_kinematics(track).frames
    bottom = int(np.argmax(depth_px))
    # hips down 100 px onto the knees' height: the projected thigh is 0 px long
    assert f.loc[bottom, "thigh_ratio_left"] == pytest.approx(0.0, abs=1e-9)
    assert not f.loc[bottom, "fppa_valid_left"]
    assert f.loc[0, "thigh_ratio_left"] == pytest.approx(1.0)
    assert f.loc[0, "fppa_valid_left"] and f.loc[0, "fppa_valid_right"]
    np.testing.assert_allclose(f["thigh_ratio_left"], (100 - depth_px) / 100, atol=1e-12)
    np.testing.assert_array_equal(f["fppa_valid_left"], depth_px <= 50)


def test_knee_separation_ratios_from_known_separations():
    # knees 2 x 30 = 60 px apart, ankles 100 px, hips 80 px
    f = compute_kinematics(track_of([figure(knee_half=30.0)] * 5)).frames
    assert f["knee_sep_px"].tolist() == pytest.approx([60.0] * 5)
    assert f["ankle_sep_px"].tolist() == pytest.approx([100.0] * 5)
    assert f["hip_sep_px"].tolist() == pytest.approx([80.0] * 5)
    assert f["kasr"].tolist() == pytest.approx([0.6] * 5)
    assert f["khr"].tolist() == pytest.approx([0.75] * 5)
    # knees inside the hips: valgus on both legs, FPPA and medial offset agree in sign
    assert (f["fppa_left_deg"] > 0).all() and (f["fppa_right_deg"] > 0).all()
    assert (f["knee_medial_left"] > 0).all() and (f["knee_medial_right"] > 0).all()


def test_ankle_lift_from_a_single_leg_stance():
    frames = [figure()] * 10 + [figure(lift_left_px=40.0)] * 10
    kin = compute_kinematics(track_of(frames))
    f, ref = kin.frames, kin.reference
    np.testing.assert_allclose(f["ankle_lift_left"][10:], 40.0 / ref.leg_length_px, atol=1e-12)
    np.testing.assert_allclose(f["ankle_lift_right"], 0.0, atol=1e-12)
    # Neither the lifted frames nor the 0.2 s before the lift (frames 4-9) are standing.
    assert ref.standing_frames == 4


def test_a_free_foot_held_toward_the_camera_leaves_the_floor_line_where_it_was():
    # A pistol squat: 20 frames standing, then 20 at the bottom (hips 80 px down) with the
    # left foot held out toward the camera, 60 px lower in the picture than the floor.
    # Standing, the left foot rests 10 px up (placed forward): a stagger, not a lift.
    frames = [figure(lift_left_px=10.0)] * 20 + [figure(depth_px=80.0, lift_left_px=-60.0)] * 20
    kin = compute_kinematics(track_of(frames))
    f, ref = kin.frames, kin.reference
    assert ref.floor_y_px == pytest.approx(400.0)  # not the dipped ankle's 460
    assert ref.ankle_stagger["left"] == pytest.approx(10.0 / ref.leg_length_px)
    assert ref.standing_frames == 20
    np.testing.assert_allclose(f["ankle_lift_right"], 0.0, atol=1e-12)
    np.testing.assert_allclose(f["ankle_lift_left"][:20], 0.0, atol=1e-12)
    np.testing.assert_allclose(f["ankle_lift_left"][20:], -70.0 / ref.leg_length_px, atol=1e-12)
    assert stance_side_per_frame(f).tolist() == [None] * 20 + ["right"] * 20


def test_pelvic_baseline_removes_camera_roll():
    # 30 frames standing level, then 20 frames on the right leg with the left hip 6 deg low
    drop_px = 80.0 * math.tan(math.radians(6.0))
    frames = [figure()] * 30 + [figure(lift_left_px=60.0, left_hip_drop_px=drop_px)] * 20
    rolled = [rotate(p, 5.0) for p in frames]  # the camera is rolled 5 degrees
    kin = compute_kinematics(track_of(rolled))
    f = kin.frames
    assert kin.reference.standing_frames == 24  # not the 0.2 s before the lift
    assert abs(kin.reference.pelvic_baseline_deg) == pytest.approx(5.0, abs=1e-9)
    np.testing.assert_allclose(f["pelvic_obliquity_deg"][:30], 0.0, atol=1e-9)
    np.testing.assert_allclose(f["pelvic_obliquity_deg"][30:], 6.0, atol=0.5)
    assert abs(f["pelvic_obliquity_raw_deg"][40]) == pytest.approx(11.0, abs=1e-9)
    # without standing frames there is no baseline: raw = corrected
    kin_no_base = compute_kinematics(track_of(rolled[30:]))
    assert kin_no_base.reference.standing_frames == 0
    assert kin_no_base.reference.pelvic_baseline_deg == 0.0


def test_trunk_lean_toward_the_left_is_positive():
    f = compute_kinematics(track_of([figure(shoulder_dx=10.0)] * 3)).frames
    # shoulder mid (330, 100) over hip mid (320, 200): atan(10/100) toward image right = left
    assert f["trunk_lean_deg"].tolist() == pytest.approx([math.degrees(math.atan(0.1))] * 3)


@pytest.mark.parametrize(
    ("change", "visible"),
    [
        (None, True),
        ("low_visibility", False),
        ("outside", False),
        ("missing", False),
    ],
)
def test_lower_body_visible(change, visible):
    track = track_of([figure()] * 2)
    xy, vis = track.xy_px.copy(), track.visibility.copy()
    if change == "low_visibility":
        vis[:, L.LEFT_ANKLE] = 0.3
    elif change == "outside":
        xy[:, L.RIGHT_ANKLE, 1] = 481.0  # below the 480 px frame
    elif change == "missing":
        xy[:, L.RIGHT_KNEE] = np.nan
    track = PoseTrack(
        xy, track.z, vis, track.world_xyz_m, track.times_s, track.width, track.height, 30.0
    )
    assert lower_body_visible(track).tolist() == [visible, visible]


def test_columns_follow_the_contract():
    f = compute_kinematics(track_of([figure()] * 3)).frames
    assert list(f.columns) == [
        "time_s", "has_pose", "lower_body_visible",
        "fppa_left_deg", "fppa_right_deg", "fppa_model_left_deg", "fppa_model_right_deg",
        "thigh_ratio_left", "thigh_ratio_right",
        "knee_flexion_left_deg", "knee_flexion_right_deg", "leg_visible_left", "leg_visible_right",
        "fppa_valid_left", "fppa_valid_right", "knee_medial_left", "knee_medial_right",
        "knee_sep_px", "ankle_sep_px", "hip_sep_px", "kasr", "khr", "kasr_change",
        "pelvic_obliquity_raw_deg", "body_yaw_deg", "pelvic_obliquity_deg", "depth",
        "ankle_lift_left", "ankle_lift_right", "trunk_lean_deg",
    ]  # fmt: skip
    booleans = ("has_pose", "lower_body_visible", "fppa_valid_left", "fppa_valid_right")
    for col in (*booleans, "leg_visible_left", "leg_visible_right"):
        assert f[col].dtype == bool


def test_frames_without_pose_give_nan_and_no_warnings():
    frames = [figure()] * 5 + [np.full((NUM_LANDMARKS, 2), np.nan)] * 3
    track = track_of(frames)
    vis = track.visibility.copy()
    vis[5:] = 0.0
    track = PoseTrack(track.xy_px, track.z, vis, track.world_xyz_m, track.times_s, 640, 480, 30.0)
    with np.errstate(all="raise"):
        f = compute_kinematics(track).frames
    assert f["has_pose"].tolist() == [True] * 5 + [False] * 3
    assert f.loc[5:, ["fppa_left_deg", "kasr", "depth", "pelvic_obliquity_deg"]].isna().all().all()
    assert not f.loc[5:, "fppa_valid_left"].any()


# --- view (valgus.analysis.view) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("turn_deg", "expected_yaw"),
    [
        (3.7, 0.0),  # the model's own offset (hip 3.5, shoulder 3.9): squarely in front
        (23.7, 20.0),
        (-16.3, 20.0),
        (90.0, 86.3),
    ],
)
def test_body_yaw_removes_the_model_offset(turn_deg, expected_yaw):
    # Hip and shoulder lines turned alike; their offsets differ by 0.4 deg.
    yaw = body_yaw_deg(world_track([figure()] * 3, turn_deg=turn_deg).world_xyz_m)
    np.testing.assert_allclose(yaw, expected_yaw, atol=0.25)


@pytest.mark.parametrize(
    ("turn_deg", "view"),
    [(3.5, "front"), (10.0, "front"), (12.5, "oblique"), (40.0, "oblique"), (75.0, "side")],
)
def test_yaw_beyond_eight_degrees_is_oblique(turn_deg, view):
    assert assess_view(world_track([figure()] * 5, turn_deg=turn_deg)).view == view


def test_upside_down_person_is_its_own_view():
    upright = world_track([figure()] * 6)
    flipped = world_track([p * [1, -1] + [0, 480] for p in [figure()] * 6])
    assert assess_view(upright).upright_share == 1.0
    assessed = assess_view(flipped)
    assert assessed.upright_share == 0.0
    assert assessed.view == "upside-down"
    assert upright_share(np.full((2, NUM_LANDMARKS, 2), np.nan)) == 1.0  # nothing to judge


@pytest.mark.parametrize("turn_deg", [0.0, 10.0, -25.0])
def test_face_yaw_from_the_nose_between_the_ears(turn_deg):
    # Ears 75 mm either side of the head centre, nose tip 100 mm in front, seen from ahead.
    a = math.radians(turn_deg)
    p = np.full((1, NUM_LANDMARKS, 2), np.nan)
    for index, (x, z) in ((7, (0.075, 0.0)), (8, (-0.075, 0.0)), (0, (0.0, 0.1))):
        p[0, index] = (x * math.cos(a) + z * math.sin(a), 0.0)
    expected = math.degrees(math.atan(abs(math.tan(a)) * 0.1 / 0.075 / 1.33))
    assert face_yaw_deg(p)[0] == pytest.approx(expected, abs=1e-9)
    assert abs(expected - abs(turn_deg)) < 0.2  # 1.33 is the nose / half-ear-spacing ratio


def test_world_landmarks_without_depth_are_not_a_side_view():
    # A track whose world landmarks are all zero (no depth known) must not read side-on.
    track = track_of([figure()] * 3)
    yaw = body_yaw_deg(track.world_xyz_m)
    np.testing.assert_allclose(yaw, (3.5 + 3.9) / 2)
    assert assess_view(track).view == "front"


def test_the_frames_just_before_a_lift_do_not_set_the_pelvic_baseline():
    """The leg-lift artefact: MediaPipe's hip line starts to tilt as the foot starts to rise,
    frames before the lift is seen. Here 6 such frames (0.2 s) outnumber the 4 level ones."""
    tilt_px = 80.0 * math.tan(math.radians(3.0))
    frames = [figure()] * 4 + [figure(left_hip_drop_px=tilt_px)] * 6
    frames += [figure(lift_left_px=60.0, left_hip_drop_px=tilt_px)] * 20
    kin = compute_kinematics(track_of(frames))
    assert kin.reference.standing_frames == 4
    assert kin.reference.pelvic_baseline_deg == pytest.approx(0.0, abs=1e-9)
