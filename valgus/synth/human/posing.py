"""Drive the rig from 3D joint-centre targets: one rigid transform per part.

Why targets and not joint angles: valgus's motion engine (``valgus.synth.motion``)
already produces per-frame 3D points (hips, knees, ankles, kneecap markers,
heels, toes, neck, shoulders, elbows, wrists) in metres; posing the mesh from
those same points makes the rendered joint centres the motion's own, so the
ground truth needs no second model of the body.

Each part's rotation maps its rest frame to the frame the targets define:

* pelvis: lateral axis = right hip -> left hip, forward = ``PELVIS_FORWARD``
  (default +z) made square to it; placed on the hips' midpoint;
* thigh: long axis = knee -> hip; forward = knee -> kneecap marker
  (``{SIDE}_PATELLA``; by default the pelvis's forward: no hip rotation); it
  turns about the hip joint centre; the rest kneecap faces +z;
* shank: the tibia turns from the femur by knee flexion and knee abduction
  only (no axial knee rotation, as in ``valgus.synth.joints``), so it follows from the
  femur and the ankle target;
* foot: heel -> foot index points along ``{SIDE}_FOOT_INDEX - {SIDE}_HEEL``,
  sole level across (no roll); by default it keeps its rest orientation;
* trunk: the four spine parts above the pelvis share the trunk's rotation
  relative to the pelvis in equal steps (a lumbar-to-thoracic curve, not a hinge at the
  waist), solved so the neck joint lies on the line from the hips' midpoint
  to ``NECK`` and the shoulder line turns toward the shoulder targets;
* head: takes the chest's rotation, righted halfway back to its rest tilt;
* arms: hang from the rig's shoulders along the targets' upper-arm and forearm
  directions; the elbow hinge is the plane of shoulder, elbow and wrist targets.

Lengths are the rig's: a target at another distance is reached in direction
only, and ``Pose.residual_m`` says by how much each joint missed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from valgus.synth import rotations as rt
from valgus.synth.human.skeleton import PART_INDEX, PART_NAMES, SIDES, SPINE_CHAIN, Skeleton
from valgus.synth.joints import knee_angles

SPINE_JOINTS = ("SPINE_4", "SPINE_3", "SPINE_2", "SPINE_1", "NECK")
_SPINE_FRACTIONS = np.arange(1, len(SPINE_CHAIN) + 1) / len(SPINE_CHAIN)
_HEAD_RIGHTING = 0.5
# Which part carries each joint centre (the part that turns about it or ends at it).
_JOINT_PART = {
    "PELVIS": "pelvis",
    "SPINE_4": "spine04",
    "SPINE_3": "spine03",
    "SPINE_2": "spine02",
    "SPINE_1": "chest",
    "NECK": "head",
    "HEAD": "head",
    "HEAD_TOP": "head",
    **{
        f"{side}_{joint}": f"{part}_{s}"
        for side, s in SIDES.items()
        for joint, part in (
            ("HIP", "thigh"),
            ("KNEE", "shank"),
            ("ANKLE", "foot"),
            ("SHOULDER", "upperarm"),
            ("ELBOW", "forearm"),
            ("WRIST", "hand"),
        )
    },
}


UP = np.array([0.0, 1.0, 0.0])
FORWARD = np.array([0.0, 0.0, 1.0])


def femur_frame(hip: np.ndarray, knee: np.ndarray, front: np.ndarray) -> np.ndarray:
    """Femur axes: y from the knee to the hip, z toward ``front`` (the kneecap).

    The same axes as ``valgus.synth.joints.femur_axes``, from a direction.
    """
    return rt.frame_from_up(hip - knee, front)


def tibia_frame(femur: np.ndarray, knee: np.ndarray, ankle: np.ndarray) -> np.ndarray:
    """Tibia axes: the femur's, turned by knee flexion then abduction (no axial rotation)."""
    flexion, abduction = knee_angles(femur, knee, ankle)
    return femur @ rt.rot(0, flexion) @ rt.rot(2, abduction)


def foot_frame(heel: np.ndarray, toe: np.ndarray) -> np.ndarray:
    """Foot axes: z from the heel to the toe tip, x level (the sole does not roll)."""
    return rt.frame_from_forward(toe - heel, UP)


def arm_frame(proximal: np.ndarray, distal: np.ndarray, hinge: np.ndarray) -> np.ndarray:
    """Arm segment axes: y along the segment, x along the elbow's hinge axis."""
    y = rt.unit(distal - proximal)
    x = rt.unit(hinge - (hinge @ y) * y)
    return np.column_stack([x, y, np.cross(x, y)])


@dataclass(frozen=True)
class Pose:
    """Rigid transforms of the parts (``x_posed = R @ x_rest + t``) and where the joints went.

    Attributes
    ----------
    rotations : (P, 3, 3)
    translations : (P, 3)
    joints : dict name -> (3,) posed joint centres (the truth; ``skeleton.JOINT_NAMES``)
    residual_m : dict name -> distance from the target of the same name, metres, for the
        ``DRIVEN`` joints given (shoulder targets only set the trunk's twist and
        arm targets only the arms' directions, so theirs measure how far another
        model's upper body is from the rig's)
    """

    rotations: np.ndarray
    translations: np.ndarray
    joints: dict[str, np.ndarray]
    residual_m: dict[str, float]


class _Parts:
    """Accumulates part transforms; a part turns about a pivot that it carries to a place."""

    def __init__(self) -> None:
        self.rotations = np.tile(np.eye(3), (len(PART_NAMES), 1, 1))
        self.translations = np.zeros((len(PART_NAMES), 3))

    def set(self, part: str, rotation: np.ndarray, pivot_rest: np.ndarray, pivot: np.ndarray):
        i = PART_INDEX[part]
        self.rotations[i] = rotation
        self.translations[i] = pivot - rotation @ pivot_rest

    def apply(self, part: str, rest_point: np.ndarray) -> np.ndarray:
        i = PART_INDEX[part]
        return self.rotations[i] @ rest_point + self.translations[i]

    def rotation(self, part: str) -> np.ndarray:
        return self.rotations[PART_INDEX[part]]


def pelvis_transform(
    sk: Skeleton,
    left_hip: np.ndarray,
    right_hip: np.ndarray,
    forward: np.ndarray = FORWARD,
) -> tuple[np.ndarray, np.ndarray]:
    """Rotation and translation of the pelvis whose hip centres go to the given points."""
    j = sk.joints
    rest = rt.frame_from_lateral(j["LEFT_HIP"] - j["RIGHT_HIP"], FORWARD)
    rotation = rt.frame_from_lateral(left_hip - right_hip, forward) @ rest.T
    mid_rest = 0.5 * (j["LEFT_HIP"] + j["RIGHT_HIP"])
    return rotation, 0.5 * (left_hip + right_hip) - rotation @ mid_rest


def _pose_pelvis(sk: Skeleton, tg: Mapping[str, np.ndarray], parts: _Parts) -> None:
    forward = np.asarray(tg.get("PELVIS_FORWARD", FORWARD), dtype=float)
    rotation, translation = pelvis_transform(sk, tg["LEFT_HIP"], tg["RIGHT_HIP"], forward)
    i = PART_INDEX["pelvis"]
    parts.rotations[i], parts.translations[i] = rotation, translation


def _pose_leg(sk: Skeleton, side: str, tg: Mapping[str, np.ndarray], parts: _Parts) -> None:
    s, j = SIDES[side], sk.joints
    hip_r, knee_r, ankle_r = (j[f"{side}_{n}"] for n in ("HIP", "KNEE", "ANKLE"))
    pelvis = parts.rotation("pelvis")
    hip = parts.apply("pelvis", hip_r)
    knee_t, ankle_t = tg[f"{side}_KNEE"], tg[f"{side}_ANKLE"]
    patella = tg.get(f"{side}_PATELLA")
    front = pelvis @ FORWARD if patella is None else patella - knee_t
    femur_rest = femur_frame(hip_r, knee_r, FORWARD)
    femur = femur_frame(hip, knee_t, front)
    parts.set(f"thigh_{s}", femur @ femur_rest.T, hip_r, hip)
    knee = parts.apply(f"thigh_{s}", knee_r)
    tibia = tibia_frame(femur, knee, ankle_t) @ tibia_frame(femur_rest, knee_r, ankle_r).T
    parts.set(f"shank_{s}", tibia, knee_r, knee)
    ankle = parts.apply(f"shank_{s}", ankle_r)
    heel, toe = tg.get(f"{side}_HEEL"), tg.get(f"{side}_FOOT_INDEX")
    if heel is None or toe is None:
        foot = np.eye(3)
    else:
        marks = sk.landmarks()
        rest = foot_frame(marks[f"{side}_HEEL"], marks[f"{side}_FOOT_INDEX"])
        foot = foot_frame(heel, toe) @ rest.T
    parts.set(f"foot_{s}", foot, ankle_r, ankle)


def spine_points(
    sk: Skeleton, pelvis: np.ndarray, base: np.ndarray, q: np.ndarray
) -> tuple[list[np.ndarray], dict[str, np.ndarray]]:
    """Spine parts' rotations and the chain's joints (``SPINE_JOINTS``) for trunk rotation ``q``.

    ``q`` is the chest's rotation relative to the pelvis (``pelvis``, world);
    each spine part takes an equal further share of it; ``base`` is the posed
    SPINE_4 joint, where the lumbar spine leaves the pelvis.
    """
    rotations = [pelvis @ rt.power(q, f) for f in _SPINE_FRACTIONS]
    points = {SPINE_JOINTS[0]: base}
    for k, r in enumerate(rotations):
        lower, upper = SPINE_JOINTS[k], SPINE_JOINTS[k + 1]
        points[upper] = points[lower] + r @ (sk.joints[upper] - sk.joints[lower])
    return rotations, points


def solve_trunk(
    sk: Skeleton,
    pelvis: np.ndarray,
    pelvis_shift: np.ndarray,
    neck: np.ndarray,
    lateral: np.ndarray | None = None,
) -> tuple[list[np.ndarray], dict[str, np.ndarray]]:
    """Spine rotations and joints that aim the neck at ``neck`` (see ``spine_points``).

    Aimed from the hips' midpoint, as valgus builds a trunk (neck = hip midpoint
    + torso length x direction); the chain itself turns about the SPINE_4 joint.
    ``lateral`` (right to left shoulder) sets the twist; None keeps the pelvis's.
    """
    j = sk.joints
    base = pelvis @ j[SPINE_JOINTS[0]] + pelvis_shift
    hip_mid = pelvis @ (0.5 * (j["LEFT_HIP"] + j["RIGHT_HIP"])) + pelvis_shift
    direction = rt.unit(neck - hip_mid)
    lateral_rest = j["LEFT_SHOULDER"] - j["RIGHT_SHOULDER"]
    lateral = pelvis @ lateral_rest if lateral is None else lateral
    lateral = lateral - (lateral @ direction) * direction
    q = np.eye(3)
    for _ in range(100):
        rotations, points = spine_points(sk, pelvis, base, q)
        turn = rt.between(points["NECK"] - hip_mid, direction)
        achieved = turn @ rotations[-1] @ lateral_rest
        achieved = achieved - (achieved @ direction) * direction
        twist = np.arctan2(np.cross(achieved, lateral) @ direction, achieved @ lateral)
        correction = rt.axis_angle(direction * twist) @ turn
        q = pelvis.T @ correction @ pelvis @ q
        if np.linalg.norm(rt.rotation_vector(correction)) < 1e-11:
            break
    return spine_points(sk, pelvis, base, q)


def _pose_trunk(sk: Skeleton, tg: Mapping[str, np.ndarray], parts: _Parts) -> None:
    i = PART_INDEX["pelvis"]
    lateral = None
    if "LEFT_SHOULDER" in tg and "RIGHT_SHOULDER" in tg:
        lateral = tg["LEFT_SHOULDER"] - tg["RIGHT_SHOULDER"]
    rotations, points = solve_trunk(
        sk, parts.rotations[i], parts.translations[i], tg["NECK"], lateral
    )
    for part, r, joint in zip(SPINE_CHAIN, rotations, SPINE_JOINTS[:-1], strict=True):
        parts.set(part, r, sk.joints[joint], points[joint])


def _pose_head(sk: Skeleton, parts: _Parts) -> None:
    chest = parts.rotation("chest")
    neck_up = sk.joints["HEAD_TOP"] - sk.joints["NECK"]
    head = rt.power(rt.between(chest @ neck_up, neck_up), _HEAD_RIGHTING) @ chest
    parts.set("head", head, sk.joints["NECK"], parts.apply("chest", sk.joints["NECK"]))


def _pose_arm(sk: Skeleton, side: str, tg: Mapping[str, np.ndarray], parts: _Parts) -> None:
    """Upper arm and forearm along the targets' own segment directions, from the rig's shoulder.

    Directions, not places: another model's shoulders sit elsewhere on the
    trunk (valgus's drawn figure puts them 2 cm below its neck point, the rig
    8.6 cm), so aiming from the rig's shoulder at its elbow target would
    change how far the arm hangs out from the body.
    """
    s, j = SIDES[side], sk.joints
    shoulder_r, elbow_r, wrist_r = (j[f"{side}_{n}"] for n in ("SHOULDER", "ELBOW", "WRIST"))
    chest = parts.rotation("chest")
    shoulder = parts.apply("chest", shoulder_r)
    elbow_t, wrist_t = tg.get(f"{side}_ELBOW"), tg.get(f"{side}_WRIST")
    upper = fore = chest
    if elbow_t is not None and wrist_t is not None:
        shoulder_t = tg.get(f"{side}_SHOULDER", shoulder)
        hinge_rest = np.cross(elbow_r - shoulder_r, wrist_r - elbow_r)
        hinge = np.cross(elbow_t - shoulder_t, wrist_t - elbow_t)
        if np.linalg.norm(hinge) < 1e-3 * np.linalg.norm(elbow_t - shoulder_t) ** 2:
            hinge = chest @ hinge_rest  # a straight arm keeps the trunk's hinge direction
        upper = arm_frame(shoulder_t, elbow_t, hinge) @ arm_frame(shoulder_r, elbow_r, hinge_rest).T
        fore = arm_frame(elbow_t, wrist_t, hinge) @ arm_frame(elbow_r, wrist_r, hinge_rest).T
    parts.set(f"upperarm_{s}", upper, shoulder_r, shoulder)
    elbow = parts.apply(f"upperarm_{s}", elbow_r)
    parts.set(f"forearm_{s}", fore, elbow_r, elbow)
    parts.set(f"hand_{s}", fore, wrist_r, parts.apply(f"forearm_{s}", wrist_r))


REQUIRED_TARGETS = (*(f"{side}_{j}" for side in SIDES for j in ("HIP", "KNEE", "ANKLE")), "NECK")
# Joints a target can move (the others follow from these): residuals are reported for them.
DRIVEN = (
    *REQUIRED_TARGETS,
    *(f"{side}_{j}" for side in SIDES for j in ("SHOULDER", "ELBOW", "WRIST")),
)


def solve_pose(skeleton: Skeleton, targets: Mapping[str, np.ndarray]) -> Pose:
    """Part transforms that put the rig's joint centres on ``targets`` (metres, world frame).

    Parameters
    ----------
    skeleton : Skeleton
    targets : mapping name -> (3,)
        Required: ``REQUIRED_TARGETS``. Optional: ``PELVIS_FORWARD`` (a direction),
        ``{SIDE}_PATELLA``, ``{SIDE}_HEEL`` with ``{SIDE}_FOOT_INDEX``,
        ``{SIDE}_SHOULDER`` (both sides), ``{SIDE}_ELBOW`` with ``{SIDE}_WRIST``.
    """
    missing = [name for name in REQUIRED_TARGETS if name not in targets]
    if missing:
        raise ValueError(f"targets missing: {', '.join(missing)}")
    tg = {name: np.asarray(value, dtype=float) for name, value in targets.items()}
    parts = _Parts()
    _pose_pelvis(skeleton, tg, parts)
    for side in SIDES:
        _pose_leg(skeleton, side, tg, parts)
    _pose_trunk(skeleton, tg, parts)
    _pose_head(skeleton, parts)
    for side in SIDES:
        _pose_arm(skeleton, side, tg, parts)
    joints = {name: parts.apply(part, skeleton.joints[name]) for name, part in _JOINT_PART.items()}
    residual = {
        name: float(np.linalg.norm(joints[name] - tg[name])) for name in DRIVEN if name in tg
    }
    return Pose(parts.rotations, parts.translations, joints, residual)
