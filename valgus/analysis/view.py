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

from valgus.pose.landmarks import Landmark
from valgus.pose.track import PoseTrack

# Median body yaw (deg) up to which the view counts as frontal, and from which as side.
# Side: calibrated on ../shared/videos (oblique/ clips read 30-46 deg, side/ 68-85).
# Frontal: 8 deg, because yaw leaks into 2D FPPA: a knee bent forward swings sideways
# in the picture when the camera is off-axis. Rendered squats seen 10 deg off frontal
# read 10-15 deg more FPPA on one leg and less on the other at 50-80 deg knee flexion
# (benchmarks/accuracy.py; tests/test_synth.py), several times the 2.7-3.0 deg SEM of
# 2D FPPA (Munro 2012). The estimate (body and face cues averaged) is coarse: on the
# rendered benchmark clips it reads 2.7-7.1 deg for true yaws under 5 deg, 3.3-11 for
# 5-10 and 7.9-16.9 for 10-20, so 8 deg warns about 9 of the 10 views 10 deg or more
# off and none under 5. On the real front clips it reads 1.3-6.0 deg, except 12-15 for
# the three that mirror pairs show turned 9-10 deg (lnewco_bad_IMG_7033, sebitzu_squat,
# spotter_prisonersquat_squat), which it warns about. Above it the view is "oblique"
# and the report warns.
FRONTAL_MAX_YAW_DEG = 8.0
SIDE_MIN_YAW_DEG = 55.0
# Turned further than this, the knee's flexion swings sideways in the picture by more
# than any valgus it could show (10 deg off frontal already adds 10-15 deg of FPPA at
# 50-80 deg of knee flexion, above), and the far foot stands higher in the picture
# than the near one (oblique/lnewco_good_IMG_7053, 49 deg: 0.18 leg lengths, read as a
# lifted foot). Frames turned further carry no FPPA or pelvic reading, and a clip turned
# further on the whole is refused like a side view (the oblique clips of
# ../shared/videos: 32, 49 and 52 deg; the front ones 1-6, two warned at 12 and 14).
MAX_MEASURED_YAW_DEG = 25.0
# MediaPipe's world landmarks turn a person who squarely faces the camera a few degrees
# (their left side toward the camera). Measured with mirror pairs: a mirror image of a
# person turned by +a is turned by -a, so half the sum of the two readings is the model's
# own offset. Median over the 23 front clips of ../shared/videos (benchmarks/metamorphic.py
# tracks): hip line 3.5 deg (IQR 2.4-3.9), shoulder line 3.9 deg (IQR 2.9-4.3).
WORLD_YAW_BIAS_DEG = {"hip": 3.5, "shoulder": 3.9}
# Nose tip depth in front of the ear line over half the ear spacing (~10 / 7.5 cm).
NOSE_DEPTH_RATIO = 1.33
LEFT_EAR, RIGHT_EAR = 7, 8  # MediaPipe Pose landmark indices (valgus.pose.landmarks lists no ears)
# Median shoulder/hip image width over torso length below which the view is side-on.
SIDE_MAX_WIDTH_RATIO = 0.3
# Share of pose frames with the shoulders above the hips below which the person is
# upside down (a flipped video, or rotation metadata lost). Every front, oblique and
# side clip of ../shared/videos is 0.95-1.00; the vertically flipped sample is 0.
MIN_UPRIGHT_SHARE = 0.5


@dataclass(frozen=True)
class ViewAssessment:
    """How the camera sees the person over the clip."""

    view: str  # "front", "back", "oblique", "side", "upside-down" or "unknown"
    yaw_deg: float  # median |body yaw|: 0 = square to the camera, 90 = side-on
    width_ratio: float  # median (shoulder + hip image width) / 2 / torso length
    facing_share: float  # share of pose frames where the person faces the camera
    upright_share: float = 1.0  # share of pose frames with the shoulders above the hips


def body_yaw_deg(world_xyz_m: np.ndarray) -> np.ndarray:
    """(T,) absolute yaw of the hip and shoulder lines in MediaPipe world space, degrees.

    0 when both lines are parallel to the image plane, 90 when they point at the camera.
    Each line's signed angle (folded to [-90, 90], so front and back views alike) has
    the model's own offset ``WORLD_YAW_BIAS_DEG`` removed before its size is taken.
    """
    yaws = []
    for line, (left, right) in (
        ("hip", (Landmark.LEFT_HIP, Landmark.RIGHT_HIP)),
        ("shoulder", (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER)),
    ):
        d = world_xyz_m[:, left] - world_xyz_m[:, right]
        # atan(dz / dx) folded to [-90, 90] for either facing; 0 where both are 0 (no depth).
        facing = np.where(d[:, 0] < 0, -1.0, 1.0)
        signed = np.degrees(np.arctan2(d[:, 2] * facing, np.abs(d[:, 0])))
        signed = signed - WORLD_YAW_BIAS_DEG[line]
        size = np.abs(signed)
        yaws.append(np.minimum(size, 180.0 - size))
    return np.mean(yaws, axis=0)


def face_yaw_deg(xy_px: np.ndarray) -> np.ndarray:
    """(T,) absolute head yaw from the nose's offset between the ears in the image, degrees.

    The nose tip sits about 10 cm in front of the line through the ears, whose half
    spacing is about 7.5 cm (``NOSE_DEPTH_RATIO`` = 1.33): turned by ``a``, the nose
    moves ``1.33 tan a`` half ear spacings off the ears' midpoint. The image alone
    gives it, so it has none of the world landmarks' offset; it reads the head,
    which may turn on its own, so ``assess_view`` only averages it with the body's.
    """
    ear_mid = (xy_px[:, LEFT_EAR, 0] + xy_px[:, RIGHT_EAR, 0]) / 2
    half = np.abs(xy_px[:, LEFT_EAR, 0] - xy_px[:, RIGHT_EAR, 0]) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        offset = (xy_px[:, Landmark.NOSE, 0] - ear_mid) / half
    return np.degrees(np.arctan(np.abs(offset) / NOSE_DEPTH_RATIO))


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
    body = body_yaw_deg(track.world_xyz_m[has_pose])
    face = face_yaw_deg(track.xy_px[has_pose])
    yaw = float(np.nanmedian(np.where(np.isfinite(face), (body + face) / 2, body)))
    ratio = float(np.nanmedian(width_ratio(track.xy_px[has_pose])))
    xy = track.xy_px[has_pose]
    facing = xy[:, Landmark.LEFT_HIP, 0] > xy[:, Landmark.RIGHT_HIP, 0]
    facing_share = float(np.mean(facing))
    upright = upright_share(xy)
    if upright < MIN_UPRIGHT_SHARE:
        view = "upside-down"
    elif yaw >= SIDE_MIN_YAW_DEG or ratio < SIDE_MAX_WIDTH_RATIO:
        view = "side"
    elif yaw > FRONTAL_MAX_YAW_DEG:
        view = "oblique"
    else:
        view = "front" if facing_share >= 0.5 else "back"
    return ViewAssessment(view, yaw, ratio, facing_share, upright)


def upright_share(xy_px: np.ndarray) -> float:
    """Share of frames (T, 33, 2) whose shoulder midpoint is above the hip midpoint.

    Image y grows downward, so an upright person has smaller shoulder y. Every
    later stage (squat depth from hip height, the floor from the lower ankle)
    assumes this; an upside-down picture must be refused, not measured.
    """
    shoulders = (xy_px[:, Landmark.LEFT_SHOULDER, 1] + xy_px[:, Landmark.RIGHT_SHOULDER, 1]) / 2
    hips = (xy_px[:, Landmark.LEFT_HIP, 1] + xy_px[:, Landmark.RIGHT_HIP, 1]) / 2
    known = np.isfinite(shoulders) & np.isfinite(hips)
    return float(np.mean(shoulders[known] < hips[known])) if known.any() else 1.0
