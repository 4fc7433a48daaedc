"""Posing from valgus's motion: the skinned body's joints land on the motion's points."""

from __future__ import annotations

import numpy as np
import pytest

from tests.support.human import collapse_clip
from valgus.synth.human.assets import load_assets
from valgus.synth.human.posing import solve_pose
from valgus.synth.human.shape import PRESETS
from valgus.synth.human.skeleton import _JOINT_BONES, PART_INDEX, PART_NAMES, build_skeleton
from valgus.synth.human.skinning import skin

LEG_JOINTS = [f"{s}_{j}" for s in ("LEFT", "RIGHT") for j in ("HIP", "KNEE", "ANKLE")]


def test_rest_joints_as_targets_give_the_rest_pose():
    skeleton = build_skeleton(PRESETS["woman_average"])
    pose = solve_pose(skeleton, dict(skeleton.joints))
    np.testing.assert_allclose(
        pose.rotations, np.eye(3)[None].repeat(len(PART_NAMES), 0), atol=1e-12
    )
    np.testing.assert_allclose(skin(skeleton, pose), skeleton.vertices, atol=1e-12)


def test_skinned_joint_centres_sit_on_the_motions_points_in_every_frame():
    """The rig's joint cubes are skinned with the body: their centres are the joints."""
    clip = collapse_clip()
    rig = load_assets().rig
    worst = dict.fromkeys(LEG_JOINTS, 0.0)
    for index in range(0, len(clip), 2):
        targets = clip.targets(index)
        vertices = skin(clip.skeleton, solve_pose(clip.skeleton, targets))
        for name in LEG_JOINTS:
            bone, end = _JOINT_BONES[name]
            centre = vertices[rig[bone][end]].mean(axis=0)
            worst[name] = max(worst[name], float(np.linalg.norm(centre - targets[name])))
    assert max(worst.values()) < 0.002, worst


def test_the_bent_knee_moved_to_its_target():
    clip = collapse_clip()
    bottom = clip.motion.timeline.reps[0]["bottom"]
    targets = clip.targets(bottom)
    pose = solve_pose(clip.skeleton, targets)
    moved = np.linalg.norm(pose.joints["LEFT_KNEE"] - clip.skeleton.joints["LEFT_KNEE"])
    assert moved > 0.2  # the rest mesh stands 0.8 m lower and straight-legged
    assert max(pose.residual_m[n] for n in LEG_JOINTS) < 1e-9


def test_planted_feet_stay_flat_on_the_floor():
    clip = collapse_clip()
    sole = clip.skeleton.part_weights[:, PART_INDEX["foot_L"]] > 0.5
    lows = [
        skin(clip.skeleton, solve_pose(clip.skeleton, clip.targets(i)))[sole, 1].min()
        for i in range(len(clip))
    ]
    assert np.abs(lows).max() < 0.002


def test_targets_at_wrong_distances_are_reached_in_direction_and_reported():
    skeleton = build_skeleton(PRESETS["woman_average"])
    targets = dict(skeleton.joints)
    hip, knee = targets["LEFT_HIP"], targets["LEFT_KNEE"]
    targets["LEFT_KNEE"] = hip + 1.1 * (knee - hip)  # 10% too long a thigh
    pose = solve_pose(skeleton, targets)
    assert pose.residual_m["LEFT_KNEE"] == pytest.approx(0.1 * np.linalg.norm(knee - hip))
    direction = pose.joints["LEFT_KNEE"] - pose.joints["LEFT_HIP"]
    np.testing.assert_allclose(np.cross(direction, knee - hip), 0.0, atol=1e-12)


def test_missing_required_target_is_named():
    skeleton = build_skeleton(PRESETS["woman_average"])
    targets = dict(skeleton.joints)
    del targets["RIGHT_ANKLE"]
    with pytest.raises(ValueError, match="RIGHT_ANKLE"):
        solve_pose(skeleton, targets)
