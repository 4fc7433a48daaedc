"""Shots: cuts, camera moves and zooms split a clip; each shot is labelled by what it shows."""

from __future__ import annotations

import numpy as np
import pytest

from tests.support.tracks import figure, world_track
from valgus.analysis.by_shot import (
    PELVIC_BORROWED,
    PELVIC_HORIZONTAL,
    PELVIC_NONE,
    PELVIC_STANDING,
    drop_against_a_baseline,
    kinematics_by_shots,
)
from valgus.analysis.events import add_pelvic_drop
from valgus.analysis.kinematics import lower_body_visible
from valgus.analysis.shots import (
    detect_camera_moves,
    detect_cuts,
    detect_scale_jumps,
    detect_shots,
    split_shots,
)
from valgus.pose.track import PoseTrack

T = np.arange(90) / 30.0


def test_a_cut_is_a_sudden_change_of_colours_and_layout():
    distance, layout = np.full(90, 0.01), np.full(90, 0.01)
    distance[40], layout[40] = 0.5, 0.6
    assert detect_cuts(T, distance, layout) == [40]
    layout[40] = 0.05  # the colours changed but not the picture: a palette change
    assert detect_cuts(T, distance, layout) == []


def test_two_changes_closer_than_a_shot_are_one_cut():
    distance, layout = np.full(90, 0.01), np.full(90, 0.5)
    distance[40], distance[45] = 0.5, 0.3
    assert detect_cuts(T, distance, layout) == [40]


def test_a_zoom_is_a_held_jump_in_body_scale_and_one_odd_frame_is_not():
    scale = np.full(90, 400.0)
    scale[50:] = 600.0
    assert detect_scale_jumps(scale) == [50]
    once = np.full(90, 400.0)
    once[50] = 600.0
    assert detect_scale_jumps(once) == []


def test_a_camera_move_counts_only_when_the_feet_move_with_it():
    xy = np.stack([figure()] * 90)
    whole = np.ones(90, bool)
    motion = np.zeros((90, 3))
    motion[40:50, 0] = 5.0  # the background slides 50 px: a pan (leg length 200 px)
    panned = xy.copy()
    panned[45:, :, 0] += 50.0  # ... and the person's feet slide with it
    assert detect_camera_moves(T, motion, panned, whole, set()) != []
    assert detect_camera_moves(T, motion, xy, whole, set()) == []  # carried object, not a pan


def test_shots_are_labelled_by_how_much_of_the_body_they_show():
    pose = np.ones(90, bool)
    whole = np.ones(90, bool)
    whole[30:60] = False  # a close-up
    pose[60:] = False  # a title card
    shots = split_shots(T, [30, 60], pose, whole)
    assert [(s.start_frame, s.end_frame, s.kind, s.analysed) for s in shots] == [
        (0, 30, "wide", True),
        (30, 60, "close-up", False),
        (60, 90, "no-person", False),
    ]
    assert split_shots(T, [15], pose, np.ones(90, bool))[0].analysed is False  # 0.5 s


def track_of_shots(*parts: list[np.ndarray]) -> PoseTrack:
    """One track of several shots, a picture cut between each."""
    track = world_track([f for part in parts for f in part])
    cues = np.zeros((track.n_frames, 6))
    start = 0
    for part in parts[:-1]:
        start += len(part)
        cues[start, :2] = (0.6, 0.6)
    return PoseTrack(
        track.xy_px, track.z, track.visibility, track.world_xyz_m, track.times_s,
        640, 480, 30.0, cues=cues,
    )  # fmt: skip


def references(track: PoseTrack):
    shots = detect_shots(track, lower_body_visible(track))
    frames, results = kinematics_by_shots(track, shots)
    return frames, [r.pelvic_reference for r in results]


def test_a_shot_without_standing_frames_borrows_only_from_the_same_framing():
    standing = [figure()] * 45
    one_leg = [figure(lift_left_px=60.0, left_hip_drop_px=4.0)] * 45
    frames, refs = references(track_of_shots(standing, one_leg))
    assert refs == [PELVIC_STANDING, PELVIC_BORROWED]
    assert frames.loc[60, "pelvic_obliquity_deg"] == pytest.approx(
        np.degrees(np.arctan2(4.0, 80.0)), abs=0.01
    )
    centre = np.array([320.0, 240.0])
    zoomed = [centre + 1.15 * (figure(lift_left_px=60.0) - centre) for _ in range(45)]
    _, refs = references(track_of_shots(standing, zoomed))
    assert refs == [PELVIC_STANDING, PELVIC_NONE]
    _, refs = references(track_of_shots(one_leg))
    assert refs == [PELVIC_HORIZONTAL]


def test_a_clip_that_never_stands_gives_no_pelvic_drop_frame_by_frame():
    # Its tilt against the image horizontal moves with the camera's roll: no drop to show
    # (curve, overlay, frames.csv), the tilt kept as pelvic_obliquity_deg.
    one_leg = [figure(lift_left_px=60.0, left_hip_drop_px=4.0)] * 45
    track = track_of_shots(one_leg)
    shots = detect_shots(track, lower_body_visible(track))
    frames, results = kinematics_by_shots(track, shots)
    assert [r.pelvic_reference for r in results] == [PELVIC_HORIZONTAL]
    drop = add_pelvic_drop(frames, [])
    assert np.isfinite(drop).all() and np.isfinite(frames["pelvic_obliquity_deg"]).all()
    assert drop_against_a_baseline(drop, frames, results).isna().all()
    # A shot standing, then on one leg of the same framing: both measured, as before.
    track = track_of_shots([figure()] * 45, one_leg)
    frames, results = kinematics_by_shots(track, detect_shots(track, lower_body_visible(track)))
    drop = add_pelvic_drop(frames, [])
    kept = drop_against_a_baseline(drop, frames, results)
    assert kept.equals(drop) and np.isfinite(kept).all()


def test_nothing_is_measured_outside_analysed_shots():
    standing = [figure()] * 45
    feet_cut = []
    for _ in range(45):
        f = figure()
        f[[27, 28, 29, 30], 1] += 200.0  # feet below the frame: a close-up
        feet_cut.append(f)
    frames, refs = references(track_of_shots(standing, feet_cut))
    assert refs == [PELVIC_STANDING, None]
    assert frames["shot"].tolist() == [1] * 45 + [2] * 45
    close = frames[frames["shot"] == 2]
    assert not close["shot_analysed"].any() and close["has_pose"].all()
    assert close["fppa_left_deg"].isna().all() and not close["fppa_valid_left"].any()
