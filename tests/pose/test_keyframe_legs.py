"""Key frames re-read by the second model: the right frames, the clip's pixels, sane sides."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.support.clips import write_frames
from valgus.pose.keyframe_legs import (
    _legs,
    keyframe_reader,
    read_keyframe_legs,
    shared_model,
    video_frames,
)
from valgus.pose.landmarks import Landmark
from valgus.pose.person_crop import Crop
from valgus.pose.second_model import COCO17, Keypoints
from valgus.pose.track import PoseTrack
from valgus.video.source import VideoSource

SAMPLE = Path(__file__).resolve().parents[2] / "sample_videos" / "squat_valgus.mp4"


def truth_track(clip: Path, scale: float = 1.0) -> PoseTrack:
    """A PoseTrack holding the render's true landmarks (what MediaPipe would ideally track)."""
    truth = json.loads(SAMPLE.with_suffix(".truth.json").read_text())
    points = truth["frames"]["landmarks_px"]
    n = truth["n_frames"]
    xy = np.full((n, 33, 2), np.nan)
    for name, series in points.items():
        if name in Landmark.__members__:
            xy[:, Landmark[name]] = np.asarray(series) * scale
    track = PoseTrack.empty(
        n,
        width=round(truth["width"] * scale),
        height=round(truth["height"] * scale),
        fps=truth["fps"],
        source=str(clip),
        model="truth",
    )
    return dataclasses.replace(track, xy_px=xy, times_s=np.asarray(truth["frames"]["time_s"]))


def test_the_provider_yields_exactly_the_asked_frames_as_decoded():
    track = truth_track(SAMPLE)
    wanted = [5, 60, 200]  # 60 and 200 are > 2 s apart: two seeks
    got = {n: (image, scale) for n, image, scale in video_frames(SAMPLE, track)(wanted)}
    assert sorted(got) == wanted
    with VideoSource(SAMPLE, order="rgb") as source:
        direct = {f.index: f.image for f in source if f.index in wanted}
    for n in wanted:
        image, scale = got[n]
        assert scale == 1.0
        np.testing.assert_array_equal(image, direct[n])


def test_legs_come_back_in_the_pixels_of_a_clip_larger_than_the_model_sees(tmp_path):
    """A 1440x1920 copy is decoded at 720x960: the legs are scaled back to the clip's pixels."""
    with VideoSource(SAMPLE) as source:
        head = [cv2.resize(f.image, None, fx=2, fy=2) for f in source if f.index <= 61]
    big = write_frames(tmp_path / "big.mp4", head, fps=30.0)
    small = read_keyframe_legs(
        video_frames(SAMPLE, truth_track(SAMPLE)), truth_track(SAMPLE), [60], shared_model()
    )
    large = keyframe_reader(big, truth_track(big, 2.0))([60])
    for side in ("left", "right"):
        np.testing.assert_allclose(large.leg(60, side), 2 * small.leg(60, side), atol=4.0)


def test_frames_outside_the_clip_are_ignored_and_unread_ones_are_noted():
    track = truth_track(SAMPLE)
    legs = keyframe_reader(SAMPLE, track)([-3, 60, 10_000])
    assert sorted(legs.readings) == [60] and legs.notes == ()
    nowhere = read_keyframe_legs(lambda wanted: iter(()), track, [60], shared_model())
    assert nowhere.readings == {} and nowhere.notes == (
        "second model: 1 key frame(s) could not be read",
    )
    assert nowhere.leg(60, "left") is None


def _keypoints(points: dict[str, tuple[float, float]], score: float = 0.9) -> Keypoints:
    xy = np.zeros((17, 2))
    for name, p in points.items():
        xy[COCO17.index(name)] = p
    return Keypoints(xy=xy, score=np.full(17, score), crop=Crop(0, 0, 100))


def _mediapipe(points: dict[str, tuple[float, float]]) -> np.ndarray:
    row = np.full((33, 2), np.nan)
    for name, p in points.items():
        row[Landmark[name.upper()]] = p
    return row


LEGS = {
    "left_hip": (120, 100), "right_hip": (80, 100),
    "left_knee": (125, 150), "right_knee": (75, 150),
    "left_ankle": (122, 200), "right_ankle": (78, 200),
}  # fmt: skip


def test_a_pair_labelled_the_other_way_round_is_relabelled_as_mediapipe_tracks_it():
    model = dict(LEGS, left_hip=LEGS["right_hip"], right_hip=LEGS["left_hip"])
    reading = _legs(_keypoints(model), _mediapipe(LEGS), scale=2.0)
    assert reading.swapped == ("hip",)
    np.testing.assert_allclose(reading.xy["left"][0], np.multiply(LEGS["left_hip"], 2))
    assert reading.usable == {"left": True, "right": True}


def test_a_pair_read_on_one_limb_or_an_unsure_joint_leaves_the_leg_to_mediapipe():
    collapsed = dict(LEGS, right_knee=(123, 151))  # both knees on the left leg
    assert _legs(_keypoints(collapsed), _mediapipe(LEGS), 1.0).usable == {
        "left": False,
        "right": False,
    }
    unsure = _keypoints(LEGS)
    unsure.score[COCO17.index("right_ankle")] = 0.1
    assert _legs(unsure, _mediapipe(LEGS), 1.0).usable == {"left": True, "right": False}


@pytest.mark.parametrize("missing", ["left_knee", "right_ankle"])
def test_a_joint_mediapipe_did_not_track_keeps_the_models_labels(missing):
    reference = {k: v for k, v in LEGS.items() if k != missing}
    reading = _legs(_keypoints(LEGS), _mediapipe(reference), 1.0)
    assert reading.swapped == () and reading.usable["left"]
