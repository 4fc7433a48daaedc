"""Rendering the body: deterministic for a seed, the file and truth schema, the CLI, the model."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace

import av
import numpy as np
import pytest

from tests.support.human import FAST, collapse_clip
from valgus.errors import UsageError
from valgus.synth import cli as synth_cli
from valgus.synth.human.clip import HumanClip
from valgus.synth.human.scene import HumanScene
from valgus.synth.render import render
from valgus.synth.spec import SynthSpec

TINY = {"width": 90, "height": 160, **FAST}


def _stance(**scene) -> SynthSpec:
    return SynthSpec(
        "single-leg-stance",
        stance_side="right",
        pelvic_drop_deg=8.0,
        hold_s=0.4,
        drop_ramp_s=0.2,
        scene=HumanScene(**scene),
        **TINY,
    )


def test_same_seed_renders_the_same_bytes_and_another_seed_another_look():
    clip = collapse_clip()
    b = clip.motion.timeline.reps[0]["bottom"]
    again = HumanClip(clip.spec)
    np.testing.assert_array_equal(clip.frame(b)[0], again.frame(b)[0])
    other = HumanClip(replace(clip.spec, seed=1))
    assert np.abs(clip.frame(b)[0].astype(int) - other.frame(b)[0].astype(int)).mean() > 5


def test_the_person_fills_the_middle_of_the_frame():
    clip = collapse_clip()
    image, truth = clip.frame(0)
    assert image.shape == (320, 180, 3) and image.dtype == np.uint8
    hips = (truth.points_px["LEFT_HIP"] + truth.points_px["RIGHT_HIP"]) / 2
    assert 60 < hips[0] < 120 and 100 < hips[1] < 220
    assert truth.points_px["LEFT_HEEL"][1] < 320 and truth.points_px["NECK"][1] > 0


def test_render_writes_h264_and_the_shared_truth_schema(tmp_path):
    spec = _stance(shape="woman_petite", room="gym", camera_roll_deg=3.0)
    out = render(spec, tmp_path / "stance.mp4")
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        frames = sum(1 for _ in container.decode(stream))
    truth = json.loads(out.with_suffix(".truth.json").read_text())
    assert frames == truth["n_frames"]
    assert truth["generator"].startswith("valgus.synth.human")
    assert truth["stance_side"] == "right"
    rep = truth["reps"][0]
    hold = slice(rep["hold_start_frame"], rep["hold_end_frame"] + 1)
    # Drop against standing: the camera's 3 deg roll tilts the standing hips, not the drop.
    assert abs(truth["frames"]["pelvic_obliquity_deg"][0]) > 2.5
    assert truth["frames"]["pelvic_drop_deg"][0] == 0.0
    assert np.mean(truth["frames"]["pelvic_drop_deg"][hold]) == pytest.approx(8.0, abs=0.6)
    assert np.mean(truth["frames"]["pelvic_obliquity_3d_deg"][hold]) == pytest.approx(8.0)
    asis = np.array(truth["frames"]["pelvic_obliquity_asis_deg"])
    asis = (asis - asis[0])[hold]  # right stance: the left (free) side lower is +
    assert np.mean(asis) == pytest.approx(
        np.mean(truth["frames"]["pelvic_drop_deg"][hold]), abs=0.5
    )
    # Every MediaPipe landmark the analysis and the live view use, the face included.
    expected = {"NOSE", "LEFT_EAR", "MOUTH_RIGHT", "LEFT_HIP", "RIGHT_HEEL", "LEFT_FOOT_INDEX"}
    assert set(truth["landmark_index"]) >= expected
    assert truth["body"]["dims"]["stance_half_m"] > 0 and truth["outfit"]["skin"]
    assert len(truth["frames"]["angles_3d_deg"]["hip_adduction_left"]) == frames


def test_trunk_follow_sets_how_far_the_shoulders_tilt_with_a_dropped_pelvis():
    leans = {}
    for follow in (0.0, 0.5, 1.0):
        clip = HumanClip(replace(_stance(), trunk_follow=follow))
        b = clip.motion.timeline.reps[0]["bottom"]
        _, truth = clip.frame(b)
        leans[follow] = truth.trunk_lean_3d_deg
    # Right stance, left hip 8 deg lower: a trunk square to the pelvis leans 8 deg left.
    assert leans[0.0] == pytest.approx(0.0, abs=0.2)
    assert leans[0.5] == pytest.approx(4.0, abs=0.4)
    assert leans[1.0] == pytest.approx(8.0, abs=0.4)


def test_cli_renders_the_body_by_default_with_its_look_options(tmp_path):
    parser = argparse.ArgumentParser()
    synth_cli.add_arguments(parser)
    out = tmp_path / "squat.mp4"
    args = parser.parse_args(
        [
            *("squat", "-o", str(out), "--reps", "1", "--size", "90x160", "--fps", "8"),
            *("--body", "man_lean_tall", "--skin", "5", "--top", "tee", "--room", "plain"),
            *("--camera-yaw-deg", "10", "--camera-roll-deg", "3", "--camera-height-m", "1.2"),
            *("--knee-collapse-deg", "10"),
        ]
    )
    assert synth_cli.run(args) == 0
    truth = json.loads(out.with_suffix(".truth.json").read_text())
    assert truth["scene"]["shape"] == "man_lean_tall"
    assert truth["outfit"]["top"] == "tee" and truth["outfit"]["skin"] == [84, 58, 42]
    assert truth["camera"]["roll_deg"] == 3.0 and truth["camera"]["yaw_deg"] == 10.0
    assert truth["reps"][0]["fppa_left_deg"] > 5.0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--backdrop", "gym"], "not an option of --figure human: --backdrop"),
        (["--figure", "drawn", "--room", "gym"], "not an option of --figure drawn: --room"),
        (["--figure", "drawn", "--legwear", "capri"], "--figure drawn: --legwear"),
        (["--camera-roll-deg", "40"], "camera_roll_deg must be in"),
    ],
)
def test_cli_refuses_options_of_the_other_figure(tmp_path, extra, message):
    parser = argparse.ArgumentParser()
    synth_cli.add_arguments(parser)
    args = parser.parse_args(["squat", "-o", str(tmp_path / "x.mp4"), *extra])
    with pytest.raises(UsageError, match=message):
        synth_cli.run(args)
    assert not (tmp_path / "x.mp4").exists()


@pytest.mark.slow
def test_mediapipe_finds_the_person_near_the_true_joints(tmp_path):
    """The real model on a short rendered clip: a person in every frame, joints near the truth."""
    from valgus.pipeline import estimate_pose

    spec = replace(collapse_clip().spec, width=270, height=480)
    out = render(spec, tmp_path / "sls.mp4")
    truth = json.loads(out.with_suffix(".truth.json").read_text())
    track = estimate_pose(out, jobs=1)
    assert track.has_pose.all()
    for name, index in truth["landmark_index"].items():
        if not name.endswith(("_HIP", "_KNEE", "_ANKLE")):
            continue
        error = np.linalg.norm(
            track.xy_px[:, index] - truth["frames"]["landmarks_px"][name], axis=1
        )
        # Person ~380 px tall, 10 px ~ 4.5 cm. Measured (mediapipe 1.2): medians 3-5.4 px,
        # 90th percentiles 4.3-6.8 px; the model's hips sit ~1.5 cm off the joint centres.
        assert np.median(error) < 10.0, name
        assert np.percentile(error, 90) < 15.0, name
