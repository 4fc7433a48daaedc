"""Tests of the synthetic-clip renderer: geometry of the ground truth, the file, the model."""

from __future__ import annotations

import argparse
import json
import re

import av
import numpy as np
import pytest

from tests.support.paths import MODEL
from valgus.analysis.geometry import fppa_deg, pelvic_obliquity_deg
from valgus.errors import UsageError
from valgus.synth import cli as synth_cli
from valgus.synth.backdrop import background
from valgus.synth.body import Camera
from valgus.synth.figure import Palette, draw_figure
from valgus.synth.motion import POINTS, build_motion
from valgus.synth.render import Scene, SynthSpec, render
from valgus.synth.truth import truth_dict

FAST = {"lead_in_s": 0.3, "tail_s": 0.2, "pause_s": 0.2, "rep_s": 1.0}


def _truth(spec: SynthSpec) -> dict:
    return truth_dict(spec, build_motion(spec))


@pytest.mark.parametrize(
    ("collapse", "expected"),
    [
        (0.0, (0.0, 0.0)),
        (12.0, (12.0, 12.0)),
        (18.0, (18.0, 18.0)),
        (-5.0, (-5.0, -5.0)),
        ((18.0, 12.0), (18.0, 12.0)),
    ],
)
def test_squat_bottom_fppa_equals_request(collapse, expected):
    truth = _truth(SynthSpec(movement="squat", reps=2, knee_collapse_deg=collapse))
    assert len(truth["reps"]) == 2
    for rep in truth["reps"]:
        assert rep["fppa_left_deg"] == pytest.approx(expected[0], abs=0.5)
        assert rep["fppa_right_deg"] == pytest.approx(expected[1], abs=0.5)


def test_squat_collapse_grows_with_depth_and_starts_at_zero():
    truth = _truth(SynthSpec(movement="squat", reps=1, knee_collapse_deg=15.0))
    fppa = np.array(truth["frames"]["fppa_left_deg"])
    rep = truth["reps"][0]
    descent = fppa[rep["start_frame"] : rep["bottom_frame"] + 1]
    assert abs(fppa[0]) < 0.5
    # Early in the descent perspective alone tilts the knee outward by < 0.1 deg.
    assert descent.min() > -0.2
    assert np.all(np.diff(descent) > -0.05)
    assert fppa.max() == pytest.approx(15.0, abs=0.5)


@pytest.mark.parametrize(("stance", "collapse"), [("left", 15.0), ("right", 10.0)])
def test_single_leg_squat_stance_leg_fppa(stance, collapse):
    spec = SynthSpec(
        movement="single-leg-squat", reps=2, knee_collapse_deg=collapse, stance_side=stance
    )
    truth = _truth(spec)
    assert truth["stance_side"] == stance
    for rep in truth["reps"]:
        assert rep[f"fppa_{stance}_deg"] == pytest.approx(collapse, abs=0.5)


@pytest.mark.parametrize(
    ("stance", "drop", "obliquity"), [("right", 8.0, 8.0), ("left", 8.0, -8.0), ("right", 4.0, 4.0)]
)
def test_stance_hold_pelvic_drop(stance, drop, obliquity):
    spec = SynthSpec(movement="single-leg-stance", reps=1, pelvic_drop_deg=drop, stance_side=stance)
    truth = _truth(spec)
    rep = truth["reps"][0]
    frames = truth["frames"]
    hold = slice(rep["hold_start_frame"], rep["hold_end_frame"] + 1)
    np.testing.assert_allclose(frames["pelvic_drop_deg"][hold], drop, atol=0.01)
    np.testing.assert_allclose(frames["pelvic_obliquity_deg"][hold], obliquity, atol=0.01)
    assert frames["pelvic_drop_deg"][0] == pytest.approx(0.0, abs=0.01)
    assert rep["hold_end_s"] - rep["hold_start_s"] == pytest.approx(spec.hold_s, abs=1 / spec.fps)
    # The drop builds over drop_ramp_s before the hold.
    ramp_frames = rep["hold_start_frame"] - round(spec.drop_ramp_s * spec.fps)
    assert frames["pelvic_drop_deg"][ramp_frames] == pytest.approx(0.0, abs=0.01)


@pytest.mark.parametrize("movement", ["squat", "single-leg-squat", "single-leg-stance"])
def test_persons_left_is_on_image_right(movement):
    marks = _truth(SynthSpec(movement=movement, reps=1))["frames"]["landmarks_px"]
    for part in ("SHOULDER", "HIP", "KNEE", "ANKLE", "HEEL", "FOOT_INDEX", "EYE"):
        left = np.array(marks[f"LEFT_{part}"])[:, 0]
        right = np.array(marks[f"RIGHT_{part}"])[:, 0]
        assert np.all(left > right), part


def test_stance_leg_stays_grounded_and_free_leg_lifts():
    truth = _truth(SynthSpec(movement="single-leg-stance", stance_side="right", reps=1))
    rep = truth["reps"][0]
    marks = truth["frames"]["landmarks_px"]
    right_y, left_y = np.array(marks["RIGHT_ANKLE"])[:, 1], np.array(marks["LEFT_ANKLE"])[:, 1]
    assert np.ptp(right_y) < 0.5
    assert left_y[0] - left_y[rep["bottom_frame"]] > 50  # pixels at 720x960


@pytest.mark.parametrize(
    ("hip", "knee", "ankle", "other", "expected"),
    [
        ((0, 0), (0, 10), (0, 20), (-10, 0), 0.0),
        ((0, 0), (-10, 10), (0, 20), (-10, 0), 90.0),  # knee toward the other hip: valgus
        ((0, 0), (10, 10), (0, 20), (-10, 0), -90.0),
        ((0, 0), (-1, np.sqrt(3)), (0, 2 * np.sqrt(3)), (-5, 0), 60.0),
    ],
)
def test_fppa_definition(hip, knee, ankle, other, expected):
    got = fppa_deg(*(np.array(p, float) for p in (hip, knee, ankle, other)))
    assert float(got) == pytest.approx(expected, abs=1e-9)


def test_obliquity_sign_left_hip_lower_is_positive():
    left, right = np.array([110.0, 100.0 + 10 * np.tan(np.radians(5))]), np.array([100.0, 100.0])
    assert float(pelvic_obliquity_deg(left, right)) == pytest.approx(5.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"movement": "lunge"}, "movement must be one of"),
        ({"stance_side": "both"}, "stance_side must be 'left' or 'right'"),
        ({"reps": 0}, "reps must be >= 1"),
        ({"pelvic_drop_deg": 5.0}, "pelvic_drop_deg applies to single-leg movements only"),
        ({"width": 721}, "size must be even"),
        ({"knee_collapse_deg": (1.0, 2.0, 3.0)}, "knee_collapse_deg needs (left, right)"),
        ({"reps": 2, "rep_scale": (1.0,)}, "rep_scale needs 2 values"),
        ({"reps": 1, "rep_scale": (1.5,)}, "rep_scale values must be in [0, 1]"),
        ({"trunk_follow": 2.0}, "trunk_follow must be in [0, 1]"),
    ],
)
def test_spec_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        SynthSpec(**kwargs)


def test_rep_scale_sweeps_the_drop_and_collapse_not_the_depth():
    spec = SynthSpec(
        "single-leg-squat",
        reps=3,
        knee_collapse_deg=15.0,
        pelvic_drop_deg=6.0,
        rep_scale=(0.4, 0.7, 1.0),
        **FAST,
    )
    truth = _truth(spec)
    drops = [rep["pelvic_drop_deg"] for rep in truth["reps"]]
    np.testing.assert_allclose(drops, [2.4, 4.2, 6.0], atol=0.01)
    fppa = [rep["fppa_right_deg"] for rep in truth["reps"]]
    assert fppa[0] < fppa[1] < fppa[2] == pytest.approx(15.0, abs=0.5)  # request met at 1


def test_unreachable_collapse_is_refused():
    with pytest.raises(ValueError, match="not reachable"):
        build_motion(SynthSpec(movement="single-leg-stance", knee_collapse_deg=20.0))


def test_render_writes_h264_clip_and_truth(tmp_path):
    spec = SynthSpec(movement="squat", reps=1, width=270, height=360, **FAST)
    out = render(spec, tmp_path / "clip.mp4")
    truth = json.loads(out.with_suffix(".truth.json").read_text())
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        frames = [f for f in container.decode(stream)]
    assert len(frames) == truth["n_frames"] == 1 + round(0.3 * 30) + 30 + round(0.2 * 30)
    assert (frames[0].width, frames[0].height) == (270, 360)
    assert truth["reps"][0]["bottom_s"] == pytest.approx((9 + 15) / 30)


def test_cli_hook_renders(tmp_path):
    parser = argparse.ArgumentParser()
    synth_cli.add_arguments(parser)
    out = tmp_path / "stance.mp4"
    args = parser.parse_args(
        [
            "single-leg-stance",
            "-o",
            str(out),
            "--pelvic-drop-deg",
            "6",
            "--stance",
            "left",
            "--reps",
            "1",
            "--hold-s",
            "0.5",
            "--size",
            "180x240",
            "--figure",
            "drawn",
        ]
    )
    assert synth_cli.run(args) == 0
    truth = json.loads(out.with_suffix(".truth.json").read_text())
    assert truth["stance_side"] == "left"
    assert truth["reps"][0]["pelvic_drop_deg"] == pytest.approx(6.0, abs=0.01)


@pytest.mark.slow
def test_mediapipe_reads_the_figure(tmp_path):
    """The real model finds the figure in every frame and its knees near the drawn ones."""
    mp = pytest.importorskip("mediapipe")
    from mediapipe.tasks.python import BaseOptions, vision

    spec = SynthSpec(movement="squat", reps=1, knee_collapse_deg=(18.0, 12.0), **FAST)
    out = render(spec, tmp_path / "squat.mp4")
    truth = json.loads(out.with_suffix(".truth.json").read_text())
    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(MODEL)),
        running_mode=vision.RunningMode.VIDEO,
    )
    found = []
    with vision.PoseLandmarker.create_from_options(options) as model, av.open(str(out)) as clip:
        for i, frame in enumerate(clip.decode(video=0)):
            image = mp.Image(
                image_format=mp.ImageFormat.SRGB, data=frame.to_ndarray(format="rgb24")
            )
            result = model.detect_for_video(image, int(i * 1000 / spec.fps))
            if result.pose_landmarks:
                found.append(
                    [(p.x * spec.width, p.y * spec.height) for p in result.pose_landmarks[0]]
                )
            else:
                found.append(None)
    assert all(f is not None for f in found)
    xy = np.array(found)
    marks = truth["frames"]["landmarks_px"]
    for name, index in (("LEFT_KNEE", 25), ("RIGHT_KNEE", 26)):
        error = np.linalg.norm(xy[:, index] - np.array(marks[name]), axis=1)
        # Measured at 720x960: median 8-10 px, 95th percentile 11-15 px.
        assert np.median(error) < 14.0
        assert np.percentile(error, 95) < 20.0
    bottom = truth["reps"][0]["bottom_frame"]
    read = fppa_deg(xy[bottom, 23], xy[bottom, 25], xy[bottom, 27], xy[bottom, 24])
    assert float(read) == pytest.approx(truth["reps"][0]["fppa_left_deg"], abs=6.0)


# --- scenes: camera, body, look ---------------------------------------------------------


def test_default_scene_keeps_the_original_camera_and_truth():
    camera = Scene().camera(720, 960)
    focal = 0.80 * 960 * 3.2 / 1.72
    assert camera.focal_px == focal
    assert camera.cy == 0.085 * 960 + focal * (1.72 - 0.85) / 3.2
    truth = _truth(SynthSpec(movement="squat", reps=1))
    assert "scene" not in truth and "fppa_frontal_left_deg" not in truth["frames"]


def test_general_projection_matches_the_frontal_formula():
    rng = np.random.default_rng(0)
    points = rng.uniform(-0.5, 1.8, (50, 3))
    level = Camera(focal_px=900.0, cx=360.0, cy=400.0)
    nearly = Camera(focal_px=900.0, cx=360.0, cy=400.0, yaw_deg=1e-9)
    (px_a, depth_a), (px_b, depth_b) = level.project(points), nearly.project(points)
    np.testing.assert_allclose(px_b, px_a, atol=1e-6)
    np.testing.assert_allclose(depth_b, depth_a, atol=1e-9)


@pytest.mark.parametrize("yaw", [5.0, 10.0, 20.0])
def test_yaw_changes_the_seen_fppa_not_the_movement(yaw):
    def bottom(yaw_deg: float) -> tuple[float, ...]:
        spec = SynthSpec(
            movement="squat", reps=1, knee_collapse_deg=10.0, scene=Scene(camera_yaw_deg=yaw_deg)
        )
        truth = _truth(spec)
        b, f = truth["reps"][0]["bottom_frame"], truth["frames"]
        keys = (
            "fppa_left_deg",
            "fppa_right_deg",
            "fppa_frontal_left_deg",
            "fppa_frontal_right_deg",
        )
        return tuple(f[k][b] for k in keys)

    left, right, frontal_left, frontal_right = bottom(yaw)
    # The person does the same squat: seen from straight in front, 10 deg on both legs.
    assert frontal_left == pytest.approx(10.0, abs=0.5)
    assert frontal_right == pytest.approx(10.0, abs=0.5)
    # Turned toward the person's left, the forward-bent knees swing to the image right:
    # the left FPPA grows and the right one shrinks, by more than a degree per degree of yaw
    # at 75 deg knee flexion; turning the other way mirrors it.
    assert left - 10.0 > yaw and 10.0 - right > yaw
    mirrored = bottom(-yaw)
    assert mirrored[0] == pytest.approx(right, abs=0.05)
    assert mirrored[1] == pytest.approx(left, abs=0.05)


def test_pitched_camera_keeps_the_body_middle_in_place():
    level = Scene(camera_height_m=1.4).camera(360, 480)
    tilted = Scene(camera_height_m=1.4, camera_pitch_deg=12.0).camera(360, 480)
    middle = np.array([0.0, 0.86, 0.0])
    assert tilted.project(middle)[0][1] == pytest.approx(level.project(middle)[0][1], abs=1e-6)
    feet = np.array([0.0, 0.0, 0.0])
    assert tilted.project(feet)[0][1] != pytest.approx(level.project(feet)[0][1], abs=1.0)


def test_body_proportions_set_the_segment_lengths():
    scene = Scene(body_height_m=1.9, leg_scale=1.1, hip_scale=1.2)
    spec = SynthSpec(movement="squat", reps=1, knee_collapse_deg=12.0, scene=scene)
    motion = build_motion(spec)
    body = scene.body
    index = {name: i for i, name in enumerate(POINTS)}
    world = motion.world_m
    for side in ("LEFT", "RIGHT"):
        hip, knee, ankle = (world[:, index[f"{side}_{p}"]] for p in ("HIP", "KNEE", "ANKLE"))
        np.testing.assert_allclose(np.linalg.norm(knee - hip, axis=1), body.thigh_m, atol=1e-9)
        np.testing.assert_allclose(np.linalg.norm(ankle - knee, axis=1), body.shank_m, atol=1e-9)
    hips = world[0, index["LEFT_HIP"]] - world[0, index["RIGHT_HIP"]]
    assert np.linalg.norm(hips) == pytest.approx(2 * 0.09 * 1.2)
    assert body.thigh_m == pytest.approx(0.245 * 1.9 * 1.1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"camera_yaw_deg": 75.0}, "camera_yaw_deg must be in"),
        ({"legwear": "skirt"}, "legwear must be one of"),
        ({"backdrop": "beach"}, "backdrop must be one of"),
        ({"leg_scale": 2.0}, "leg_scale must be in"),
        ({"body_height_m": 3.0}, "height_m must be in"),
    ],
)
def test_scene_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Scene(**kwargs)


def test_varied_look_is_seeded_and_changes_the_picture(tmp_path):
    assert Palette.varied(4).skin.tolist() == Palette.varied(4).skin.tolist()
    skins = {tuple(Palette.varied(s).skin.round(3)) for s in range(30)}
    assert len(skins) >= 6  # the wide list spans light to very dark skin
    spec = SynthSpec(movement="squat", reps=1, width=180, height=240, **FAST)
    plain = _bottom_frame(spec)
    dressed = SynthSpec(
        movement="squat",
        reps=1,
        width=180,
        height=240,
        scene=Scene(legwear="leggings", backdrop="gym", exposure=0.8, palette_seed=2),
        **FAST,
    )
    image, motion = _bottom_frame(dressed), build_motion(dressed)
    index = {name: i for i, name in enumerate(POINTS)}
    b = motion.timeline.reps[0]["bottom"]
    shin = 0.5 * (
        motion.points_px[b, index["LEFT_KNEE"]] + motion.points_px[b, index["LEFT_ANKLE"]]
    )
    x, y = (round(v) for v in shin)
    legwear = Palette.for_scene(dressed.seed, dressed.scene).shorts * 255
    assert np.abs(image[y, x].astype(float) - legwear).max() < 90  # shaded legwear, not skin
    assert np.abs(image.astype(float) - plain.astype(float)).mean() > 10
    out = render(dressed, tmp_path / "dressed.mp4")
    truth = json.loads(out.with_suffix(".truth.json").read_text())
    assert truth["scene"]["legwear"] == "leggings"


def _bottom_frame(spec: SynthSpec) -> np.ndarray:
    motion = build_motion(spec)
    palette = Palette.for_scene(spec.seed, spec.scene)
    room = background(spec.width, spec.height, motion.camera, palette, spec.seed)
    b = motion.timeline.reps[0]["bottom"]
    return draw_figure(room, motion.points_px[b], motion.depth_m[b], motion.camera, palette)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--camera-yaw-deg", "80"], "camera_yaw_deg must be in"),
        (["--knee-collapse-deg", "1", "2", "3"], "takes one value or LEFT RIGHT"),
        (["--reps", "0"], "reps must be >= 1"),
    ],
)
def test_cli_hook_turns_bad_specs_into_usage_errors(tmp_path, extra, message):
    parser = argparse.ArgumentParser()
    synth_cli.add_arguments(parser)
    args = parser.parse_args(["squat", "-o", str(tmp_path / "x.mp4"), *extra])
    with pytest.raises(UsageError, match=message) as caught:
        synth_cli.run(args)
    assert caught.value.exit_code == 2
    assert not (tmp_path / "x.mp4").exists()


def test_cli_takes_joint_angles_per_side(tmp_path):
    parser = argparse.ArgumentParser()
    synth_cli.add_arguments(parser)
    out = tmp_path / "joints.mp4"
    args = parser.parse_args(
        [
            *("squat", "-o", str(out), "--reps", "1", "--size", "120x160", "--figure", "drawn"),
            *("--hip-adduction-deg", "12", "8", "--knee-abduction-deg", "4"),
        ]
    )
    assert synth_cli.run(args) == 0
    truth = json.loads(out.with_suffix(".truth.json").read_text())
    requested = truth["requested"]["joint_angles_deg"]
    assert requested["hip_adduction_deg"] == {"left": 12.0, "right": 8.0}
    assert requested["knee_abduction_deg"] == {"left": 4.0, "right": 4.0}
    assert requested["hip_internal_rotation_deg"] == {"left": 0.0, "right": 0.0}
    assert len(truth["frames"]["knee_abduction_right_deg"]) == truth["n_frames"]


@pytest.mark.parametrize("values", [["ten"], []])
def test_cli_refuses_malformed_joint_angles(tmp_path, values):
    parser = argparse.ArgumentParser()
    synth_cli.add_arguments(parser)
    with pytest.raises(SystemExit) as caught:
        parser.parse_args(["squat", "-o", str(tmp_path / "x.mp4"), "--hip-adduction-deg", *values])
    assert caught.value.code == 2


def test_cli_refuses_three_values_for_a_joint_angle(tmp_path):
    parser = argparse.ArgumentParser()
    synth_cli.add_arguments(parser)
    args = parser.parse_args(
        ["squat", "-o", str(tmp_path / "x.mp4"), "--knee-abduction-deg", "1", "2", "3"]
    )
    with pytest.raises(UsageError, match="--knee-abduction-deg takes one value or LEFT RIGHT"):
        synth_cli.run(args)
    assert not (tmp_path / "x.mp4").exists()


def test_cli_refuses_collapse_and_joint_angles_together(tmp_path):
    parser = argparse.ArgumentParser()
    synth_cli.add_arguments(parser)
    args = parser.parse_args(
        [
            *("squat", "-o", str(tmp_path / "x.mp4"), "--knee-collapse-deg", "10"),
            *("--hip-internal-rotation-deg", "5"),
        ]
    )
    with pytest.raises(UsageError, match="not both"):
        synth_cli.run(args)
