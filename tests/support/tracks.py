"""Synthetic pose tracks of a drawn person, for tests that need no model.

Why shared: kinematics, quality and view tests all need the same standing,
squatting or one-legged person with known pixel geometry.
"""

from __future__ import annotations

import math

import numpy as np

from valgus.pose.landmarks import NUM_LANDMARKS
from valgus.pose.landmarks import Landmark as L
from valgus.pose.track import PoseTrack


def figure(
    *,
    depth_px: float = 0.0,
    knee_half: float = 40.0,
    lift_left_px: float = 0.0,
    left_hip_drop_px: float = 0.0,
    shoulder_dx: float = 0.0,
) -> np.ndarray:
    """(33, 2) a person facing the camera (left = image right), 640x480 frame.

    Standing: hips (360|280, 200), knees (320 +/- knee_half, 300), ankles (370|270, 400).
    Squatting lowers the hips by ``depth_px`` while the knees stay, so the
    projected thigh shrinks to 100 - depth_px (it points at the camera).
    """
    p = np.full((NUM_LANDMARKS, 2), [320.0, 60.0])
    hip_y = 200.0 + depth_px
    p[L.LEFT_HIP], p[L.RIGHT_HIP] = (360, hip_y + left_hip_drop_px), (280, hip_y)
    p[L.LEFT_SHOULDER], p[L.RIGHT_SHOULDER] = (370 + shoulder_dx, 100), (270 + shoulder_dx, 100)
    p[L.LEFT_KNEE], p[L.RIGHT_KNEE] = (
        (320 + knee_half, 300 - lift_left_px / 2),
        (320 - knee_half, 300),
    )
    p[L.LEFT_ANKLE], p[L.RIGHT_ANKLE] = (370, 400 - lift_left_px), (270, 400)
    p[L.LEFT_HEEL], p[L.RIGHT_HEEL] = p[L.LEFT_ANKLE] + (5, 10), p[L.RIGHT_ANKLE] + (-5, 10)
    return p


def legs_track(
    points: dict[str, tuple[float, float]], *, frames: int, width: int, height: int, fps: float
) -> PoseTrack:
    """Only the named landmarks (e.g. "left_knee"), at the same pixels on every frame.

    For tests of what is read from given points (corrections, the report's point
    check): every other landmark is missing, every point fully visible.
    """
    xy = np.full((frames, NUM_LANDMARKS, 2), np.nan)
    for name, point in points.items():
        xy[:, L[name.upper()]] = point
    return PoseTrack(
        xy_px=xy,
        z=np.zeros((frames, NUM_LANDMARKS)),
        visibility=np.ones((frames, NUM_LANDMARKS)),
        world_xyz_m=np.zeros((frames, NUM_LANDMARKS, 3)),
        times_s=np.arange(frames) / fps,
        width=width,
        height=height,
        fps=fps,
        model="test",
    )


def track_of(frames: list[np.ndarray], *, visibility: float = 0.9) -> PoseTrack:
    xy = np.stack(frames)
    n = xy.shape[0]
    return PoseTrack(
        xy_px=xy,
        z=np.zeros((n, NUM_LANDMARKS)),
        visibility=np.full((n, NUM_LANDMARKS), visibility),
        world_xyz_m=np.zeros((n, NUM_LANDMARKS, 3)),
        times_s=np.arange(n) / 30.0,
        width=640,
        height=480,
        fps=30.0,
    )


def world_track(frames: list[np.ndarray], *, turn_deg: float = 0.0) -> PoseTrack:
    """track_of with world landmarks: image points in metres, turned ``turn_deg`` about y."""
    track = track_of(frames)
    a = math.radians(turn_deg)
    x = (track.xy_px[..., 0] - 320.0) / 400.0
    world = np.stack([x * math.cos(a), track.xy_px[..., 1] / 400.0, x * math.sin(a)], axis=-1)
    return PoseTrack(track.xy_px, track.z, track.visibility, world, track.times_s, 640, 480, 30.0)
