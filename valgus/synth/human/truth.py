"""Ground truth of one rendered frame: projected joint centres and skin points, FPPA,
pelvic obliquity, trunk lean, and the 3D angles the posed body holds.

Why from the posed body and not from the targets: the truth must describe the
picture. Joint centres come from the pose's part transforms (they are the
pivots the skin turns about), skin points (heels, toes, ASIS) from the skinned
mesh, and the 3D angles are read back from the posed femur and tibia frames
with the joint conventions of ``valgus.synth.joints.read_world``, never from a
request. The 2D angles use the analysis's own formulas
(``valgus.analysis.geometry``) on the projections.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from valgus.analysis import geometry
from valgus.synth import joints
from valgus.synth.body import Camera
from valgus.synth.human.posing import FORWARD, Pose, femur_frame
from valgus.synth.human.skeleton import PART_INDEX, SIDES, Skeleton

# The rig's joint centres (hips, knees, ankles, shoulders, elbows, wrists, neck, pelvis)
# and skin points (heels, big-toe tips, ASIS, face); ``valgus.synth.motion.POINT_INDEX``
# gives the MediaPipe landmark of the ones that have one.
TRUTH_POINTS = (
    *(
        f"{side}_{point}"
        for side in SIDES
        for point in (
            "SHOULDER",
            "ELBOW",
            "WRIST",
            "HIP",
            "KNEE",
            "ANKLE",
            "HEEL",
            "FOOT_INDEX",
            "ASIS",
            "EYE",
            "EAR",
        )
    ),
    "MOUTH_LEFT",
    "MOUTH_RIGHT",
    "NOSE",
    "NECK",
    "PELVIS",
)
ANGLE_NAMES = (
    "hip_flexion",
    "hip_adduction",
    "hip_internal_rotation",
    "knee_flexion",
    "knee_abduction",
)


@dataclass(frozen=True)
class FrameTruth:
    """Truth of one frame (pixels at the output size; angles in degrees).

    Attributes
    ----------
    points_px, points_m : dict name -> (2,) / (3,) for ``TRUTH_POINTS``
    fppa_deg : dict side -> FPPA of the joint centres' projection (+ valgus)
    pelvic_obliquity_deg : hip joint centres' line (+ person's left hip lower in the image)
    pelvic_obliquity_asis_deg : the same for the ASIS skin points
    trunk_lean_deg : shoulder midpoint over hip midpoint in the image (+ toward the left)
    angles_3d_deg : dict "<angle>_<side>" -> value (``ANGLE_NAMES``; valgus conventions)
    pelvic_obliquity_3d_deg : hip line against the floor (+ left hip lower)
    trunk_lean_3d_deg : pelvis-to-neck line in the frontal plane (+ toward the left)
    """

    points_px: dict[str, np.ndarray]
    points_m: dict[str, np.ndarray]
    fppa_deg: dict[str, float]
    pelvic_obliquity_deg: float
    pelvic_obliquity_asis_deg: float
    trunk_lean_deg: float
    angles_3d_deg: dict[str, float]
    pelvic_obliquity_3d_deg: float
    trunk_lean_3d_deg: float


def _patella(skeleton: Skeleton, pose: Pose, side: str) -> np.ndarray:
    """Kneecap marker of the posed femur: the rest femur's forward axis, turned."""
    up, s = side.upper(), side[0].upper()
    j = skeleton.joints
    rest = femur_frame(j[f"{up}_HIP"], j[f"{up}_KNEE"], FORWARD)
    femur = pose.rotations[PART_INDEX[f"thigh_{s}"]] @ rest
    return pose.joints[f"{up}_KNEE"] + joints.PATELLA_M * femur[:, 2]


def _angles_3d(skeleton: Skeleton, pose: Pose) -> dict[str, float]:
    out = {}
    for side, other in (("left", "RIGHT"), ("right", "LEFT")):
        up = side.upper()
        q = joints.read_world(
            side,
            pose.joints[f"{up}_HIP"],
            pose.joints[f"{other}_HIP"],
            pose.joints[f"{up}_KNEE"],
            _patella(skeleton, pose, side),
            pose.joints[f"{up}_ANKLE"],
        )
        for name, value in zip(ANGLE_NAMES, np.degrees(q), strict=True):
            out[f"{name}_{side}"] = float(value)
    return out


def frame_truth(skeleton: Skeleton, pose: Pose, vertices: np.ndarray, camera: Camera) -> FrameTruth:
    """Truth of a frame posed by ``pose``; ``vertices``: its skinned mesh, no clothing offset."""
    points = {n: pose.joints[n] for n in TRUTH_POINTS if n in pose.joints}
    points |= {n: vertices[i] for n, i in skeleton.landmark_vertex.items()}
    names = list(TRUTH_POINTS)
    px, _ = camera.project(np.stack([points[n] for n in names]))
    p = dict(zip(names, px, strict=True))
    fppa = {
        side: float(
            geometry.fppa_deg(p[f"{up}_HIP"], p[f"{up}_KNEE"], p[f"{up}_ANKLE"], p[f"{o}_HIP"])
        )
        for side, up, o in (("left", "LEFT", "RIGHT"), ("right", "RIGHT", "LEFT"))
    }
    shoulder_mid = 0.5 * (p["LEFT_SHOULDER"] + p["RIGHT_SHOULDER"])
    hip_mid = 0.5 * (p["LEFT_HIP"] + p["RIGHT_HIP"])
    left, right = points["LEFT_HIP"], points["RIGHT_HIP"]
    trunk = points["NECK"] - 0.5 * (left + right)
    return FrameTruth(
        points_px=p,
        points_m={n: points[n] for n in names},
        fppa_deg=fppa,
        pelvic_obliquity_deg=float(geometry.pelvic_obliquity_deg(p["LEFT_HIP"], p["RIGHT_HIP"])),
        pelvic_obliquity_asis_deg=float(
            geometry.pelvic_obliquity_deg(p["LEFT_ASIS"], p["RIGHT_ASIS"])
        ),
        trunk_lean_deg=float(geometry.trunk_lean_deg(shoulder_mid, hip_mid, left_dir=1.0)),
        angles_3d_deg=_angles_3d(skeleton, pose),
        pelvic_obliquity_3d_deg=float(
            np.degrees(np.arctan2(right[1] - left[1], np.hypot(*(left - right)[[0, 2]])))
        ),
        trunk_lean_3d_deg=float(np.degrees(np.arctan2(trunk[0], trunk[1]))),
    )
