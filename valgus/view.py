"""View check: is the camera facing the person (front or back) or looking from the side?

FPPA and pelvic drop are frontal-plane measures; from the side they mean
nothing (design.md section 1). Two cues, because each fails somewhere:
MediaPipe's world landmarks give the body's yaw directly but their depth is
noisy; the image width of shoulders and hips relative to torso length shrinks
in a side view but also with body shape.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from valgus.landmarks import Landmark
from valgus.track import PoseTrack

# Median body yaw (deg) up to which the view counts as frontal, and from which as side.
# Calibrated on ../shared/videos (front/, oblique/, side/); see tests/test_view.py.
FRONTAL_MAX_YAW_DEG = 30.0
SIDE_MIN_YAW_DEG = 55.0
# Median shoulder/hip image width over torso length below which the view is side-on.
SIDE_MAX_WIDTH_RATIO = 0.3


@dataclass(frozen=True)
class ViewAssessment:
    """How the camera sees the person over the clip."""

    view: str  # "front", "back", "oblique" or "side"
    yaw_deg: float  # median |body yaw|: 0 = square to the camera, 90 = side-on
    width_ratio: float  # median (shoulder + hip image width) / 2 / torso length
    facing_share: float  # share of pose frames where the person faces the camera


def body_yaw_deg(world_xyz_m: np.ndarray) -> np.ndarray:
    """(T,) absolute yaw of the hip and shoulder lines in MediaPipe world space, degrees.

    0 when both lines are parallel to the image plane, 90 when they point at the camera.
    """
    yaws = []
    for left, right in (
        (Landmark.LEFT_HIP, Landmark.RIGHT_HIP),
        (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER),
    ):
        d = world_xyz_m[:, left] - world_xyz_m[:, right]
        yaws.append(np.degrees(np.arctan2(np.abs(d[:, 2]), np.abs(d[:, 0]))))
    return np.mean(yaws, axis=0)


def width_ratio(xy_px: np.ndarray) -> np.ndarray:
    """(T,) mean image width of shoulders and hips divided by torso length."""
    shoulders = xy_px[:, Landmark.LEFT_SHOULDER] - xy_px[:, Landmark.RIGHT_SHOULDER]
    hips = xy_px[:, Landmark.LEFT_HIP] - xy_px[:, Landmark.RIGHT_HIP]
    shoulder_mid = (xy_px[:, Landmark.LEFT_SHOULDER] + xy_px[:, Landmark.RIGHT_SHOULDER]) / 2
    hip_mid = (xy_px[:, Landmark.LEFT_HIP] + xy_px[:, Landmark.RIGHT_HIP]) / 2
    torso = np.linalg.norm(shoulder_mid - hip_mid, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (np.abs(shoulders[:, 0]) + np.abs(hips[:, 0])) / 2 / torso


def assess_view(track: PoseTrack) -> ViewAssessment:
    """Classify the camera view of ``track`` from its pose frames.

    The person faces the camera when their left hip appears on the image's
    right (design.md section 1); otherwise the camera sees their back.
    """
    has_pose = track.has_pose
    if not has_pose.any():
        return ViewAssessment("unknown", float("nan"), float("nan"), 0.0)
    yaw = float(np.nanmedian(body_yaw_deg(track.world_xyz_m[has_pose])))
    ratio = float(np.nanmedian(width_ratio(track.xy_px[has_pose])))
    xy = track.xy_px[has_pose]
    facing = xy[:, Landmark.LEFT_HIP, 0] > xy[:, Landmark.RIGHT_HIP, 0]
    facing_share = float(np.mean(facing))
    if yaw >= SIDE_MIN_YAW_DEG or ratio < SIDE_MAX_WIDTH_RATIO:
        view = "side"
    elif yaw > FRONTAL_MAX_YAW_DEG:
        view = "oblique"
    else:
        view = "front" if facing_share >= 0.5 else "back"
    return ViewAssessment(view, yaw, ratio, facing_share)
