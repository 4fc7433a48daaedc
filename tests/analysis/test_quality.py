"""valgus.analysis.quality: which clips are refused, which get warnings (no model, < 1 s)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.support.tracks import figure, world_track
from valgus.analysis.by_shot import filter_by_shots, kinematics_by_shots
from valgus.analysis.kinematics import lower_body_visible
from valgus.analysis.quality import assess_quality
from valgus.analysis.shots import detect_shots
from valgus.errors import FramingError, NoPersonError, WrongViewError
from valgus.pose.landmarks import Landmark as L
from valgus.pose.track import PoseTrack


def quality_of(track: PoseTrack):
    """assess_quality on ``track`` the way the pipeline calls it (shots, then kinematics)."""
    shots = detect_shots(track, lower_body_visible(track))
    filtered, report = filter_by_shots(track, shots)
    frames, results = kinematics_by_shots(filtered, shots)
    return assess_quality(track, frames, results, report)


def without_pose(track: PoseTrack, frames: slice) -> PoseTrack:
    xy, vis = track.xy_px.copy(), track.visibility.copy()
    xy[frames], vis[frames] = np.nan, 0.0
    world = track.world_xyz_m.copy()
    world[frames] = np.nan
    return PoseTrack(xy, track.z, vis, world, track.times_s, 640, 480, 30.0)


def test_a_standing_front_view_passes_without_warnings():
    q = quality_of(world_track([figure()] * 30))
    assert (q.frames_with_pose, q.pose_rate, q.lower_body_rate) == (30, 1.0, 1.0)
    assert q.view.view == "front"
    assert q.warnings == ()


def test_nobody_in_any_frame_is_refused():
    with pytest.raises(NoPersonError, match="no person found in any of 30 frames"):
        quality_of(without_pose(world_track([figure()] * 30), slice(None)))


def test_a_person_in_too_few_frames_is_refused_and_in_most_frames_warned():
    with pytest.raises(NoPersonError, match="only 20% of 30 frames"):
        quality_of(without_pose(world_track([figure()] * 30), slice(6, None)))
    q = quality_of(without_pose(world_track([figure()] * 30), slice(27, None)))
    assert "a person was found in only 90% of frames" not in q.warnings
    q = quality_of(without_pose(world_track([figure()] * 30), slice(24, None)))
    assert "a person was found in only 80% of frames" in q.warnings


def test_a_side_view_is_refused_and_an_oblique_one_warned():
    with pytest.raises(WrongViewError, match="from the side"):
        quality_of(world_track([figure()] * 30, turn_deg=80.0))
    q = quality_of(world_track([figure()] * 30, turn_deg=25.0))
    assert q.view.view == "oblique"
    assert any("FPPA is most accurate from straight in front" in w for w in q.warnings)


def test_upside_down_is_refused():
    frames = [figure()] * 30
    flipped = [np.column_stack([f[:, 0], 480.0 - f[:, 1]]) for f in frames]
    with pytest.raises(WrongViewError, match="upside down"):
        quality_of(world_track(flipped))


def test_feet_out_of_frame_is_refused():
    frames = []
    for _ in range(30):
        f = figure()
        f[[L.LEFT_ANKLE, L.RIGHT_ANKLE, L.LEFT_HEEL, L.RIGHT_HEEL], 1] += 200.0  # below 480 px
        frames.append(f)
    with pytest.raises(FramingError, match="step back so the feet are in view"):
        quality_of(world_track(frames))


def test_no_standing_frames_says_the_pelvis_gets_no_verdict():
    frames = [figure(lift_left_px=60.0)] * 30  # one foot up the whole clip
    q = quality_of(world_track(frames))
    [warning] = [w for w in q.warnings if w.startswith("no frames standing on both feet")]
    assert "measured against the image horizontal" in warning
    assert "no pelvic verdict is given" in warning
