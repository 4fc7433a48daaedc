"""Motion of the synthetic figure: timeline, 3D joint centres, pinhole projection.

Why 3D: a squat seen from the front foreshortens the thigh, a foot points at
the camera and a lifted leg swings behind the body. Posing a skeleton in metres
and projecting it through a pinhole camera gives those effects for free, and
the ground truth is the projection of the same joint centres that are drawn.

World frame (metres): x toward the image's right (the person's LEFT, since the
person faces the camera), y up, z toward the camera; floor at y = 0.

Knee collapse is a rotation of the knee about the hip-ankle axis toward the
other hip (hip adduction with internal rotation; segment lengths stay fixed).
Its size at the rep bottom is solved so the FPPA seen from straight in front
(camera yaw 0) equals the request; a yawed camera sees another 2D angle.
Alternatively the spec sets hip adduction, hip internal rotation and knee
abduction, which ``valgus.synth.joints`` adds to this pose with the feet planted.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from valgus.analysis.geometry import fppa_deg
from valgus.synth import joints
from valgus.synth.body import HIP_HALF_M, Camera, Segments
from valgus.synth.spec import SynthSpec
from valgus.synth.timeline import Timeline, build_timeline

__all__ = ["HIP_HALF_M", "POINTS", "POINT_INDEX", "Camera", "Motion", "build_motion"]

# Drawn points; the ones with a MediaPipe landmark index are written to the truth.
POINT_INDEX: dict[str, int | None] = {
    "NOSE": 0,
    "LEFT_EYE": 2,
    "RIGHT_EYE": 5,
    "LEFT_EAR": 7,
    "RIGHT_EAR": 8,
    "MOUTH_LEFT": 9,
    "MOUTH_RIGHT": 10,
    "LEFT_SHOULDER": 11,
    "RIGHT_SHOULDER": 12,
    "LEFT_ELBOW": 13,
    "RIGHT_ELBOW": 14,
    "LEFT_WRIST": 15,
    "RIGHT_WRIST": 16,
    "LEFT_HIP": 23,
    "RIGHT_HIP": 24,
    "LEFT_KNEE": 25,
    "RIGHT_KNEE": 26,
    "LEFT_ANKLE": 27,
    "RIGHT_ANKLE": 28,
    "LEFT_HEEL": 29,
    "RIGHT_HEEL": 30,
    "LEFT_FOOT_INDEX": 31,
    "RIGHT_FOOT_INDEX": 32,
    "HEAD": None,
    "NECK": None,
    "LEFT_HAND": None,
    "RIGHT_HAND": None,
    "LEFT_SHADOW": None,
    "RIGHT_SHADOW": None,
    "LEFT_PATELLA": None,  # kneecap marker: where the knee points (joints.PATELLA_M)
    "RIGHT_PATELLA": None,
}
POINTS = tuple(POINT_INDEX)
_P = {name: i for i, name in enumerate(POINTS)}
_SIGN = {"left": 1.0, "right": -1.0}  # x direction of each side (person's left = +x)


def _knee(
    hip: np.ndarray, ankle: np.ndarray, medial_x: float, psi_rad: float, body: Segments
) -> np.ndarray:
    """Knee on the circle of fixed thigh and shank lengths around the hip-ankle axis.

    ``psi_rad`` = 0 puts the knee straight forward (pure sagittal flexion);
    positive turns it toward ``medial_x`` (the other hip's x direction).
    """
    thigh, shank = body.thigh_m, body.shank_m
    axis = ankle - hip
    d = min(float(np.linalg.norm(axis)), thigh + shank - 1e-9)
    u = axis / np.linalg.norm(axis)
    s = (thigh**2 - shank**2 + d**2) / (2 * d)
    rho = np.sqrt(max(thigh**2 - s**2, 0.0))
    fwd = np.array([0.0, 0.0, 1.0]) - u[2] * u
    fwd /= np.linalg.norm(fwd)
    med = np.cross(u, fwd)
    if med[0] * medial_x < 0:
        med = -med
    return hip + s * u + rho * (np.cos(psi_rad) * fwd + np.sin(psi_rad) * med)


def _leg_hip_offset(flex_deg: float, dx: float, body: Segments) -> np.ndarray:
    """Hip minus ankle for a loaded leg at ``flex_deg`` knee flexion, lateral offset ``dx``."""
    flex = np.radians(flex_deg)
    thigh, shank = body.thigh_m, body.shank_m
    shank_tilt, thigh_tilt = 0.4 * flex, 0.6 * flex
    chord = np.sqrt(thigh**2 + shank**2 + 2 * thigh * shank * np.cos(flex))
    dz = shank * np.sin(shank_tilt) - thigh * np.sin(thigh_tilt)
    dy = np.sqrt(max(chord**2 - dx**2 - dz**2, 1e-6))
    return np.array([dx, dy, dz])


def _foot(
    pts: np.ndarray, side: str, toe_out_deg: float, body: Segments, pitch_deg: float = 0.0
) -> None:
    """Heel and toe (foot index) from the ankle; ``pitch_deg`` > 0 points the toes down."""
    sgn, ankle = _SIGN[side], pts[_P[f"{side.upper()}_ANKLE"]]
    yaw, pitch = np.radians(toe_out_deg), np.radians(pitch_deg)
    flat = np.array([sgn * np.sin(yaw), 0.0, np.cos(yaw)])
    fwd = np.cos(pitch) * flat + np.array([0.0, -np.sin(pitch), 0.0])
    down = np.array([0.0, -np.cos(pitch), 0.0]) - np.sin(pitch) * flat
    ankle_y = body.ankle_y_m
    pts[_P[f"{side.upper()}_HEEL"]] = ankle - 0.055 * fwd + (ankle_y - 0.012) * down
    pts[_P[f"{side.upper()}_FOOT_INDEX"]] = ankle + 0.15 * fwd + (ankle_y - 0.02) * down
    pts[_P[f"{side.upper()}_SHADOW"]] = [ankle[0], 0.0, ankle[2] + 0.04]


def _trunk_across(pts: np.ndarray, spec: SynthSpec, fraction: float) -> np.ndarray:
    """The trunk's right-to-left direction in the frontal plane (unit, z = 0).

    By default the trunk stays square to the pelvis (a dropped pelvis tilts it
    too); ``spec.trunk_follow`` < 1 keeps it nearer upright, and
    ``fraction`` of ``spec.trunk_lean_deg`` leans it sideways.
    """
    across = pts[_P["LEFT_HIP"]] - pts[_P["RIGHT_HIP"]]
    across = np.array([across[0], across[1], 0.0]) / np.hypot(across[0], across[1])
    if spec.trunk_follow == 1.0 and spec.trunk_lean_deg == 0.0:
        return across
    roll = spec.trunk_follow * np.arctan2(across[1], across[0])
    roll -= np.radians(fraction * spec.trunk_lean_deg)
    return np.array([np.cos(roll), np.sin(roll), 0.0])


def _upper_body(
    pts: np.ndarray,
    across: np.ndarray,
    lean_deg: float,
    arm_flex_deg: float,
    arm_abd_deg: float,
    body: Segments,
) -> None:
    """Trunk, head, face points and arms above the pelvis (trunk leans forward).

    ``across`` is the trunk's right-to-left direction (``_trunk_across``).
    """
    pelvis = 0.5 * (pts[_P["LEFT_HIP"]] + pts[_P["RIGHT_HIP"]])
    lean = np.radians(lean_deg)
    trunk_up = np.array([-across[1], across[0], 0.0])
    neck = pelvis + body.torso_m * (np.cos(lean) * trunk_up + np.array([0.0, 0.0, np.sin(lean)]))
    pts[_P["NECK"]] = neck
    head = neck + np.array([0.0, 0.185, 0.02])
    pts[_P["HEAD"]] = head
    pts[_P["NOSE"]] = head + np.array([0.0, -0.015, 0.105])
    for side, sgn in _SIGN.items():
        up = side.upper()
        pts[_P[f"{up}_EYE"]] = head + np.array([sgn * 0.032, 0.018, 0.085])
        pts[_P[f"{up}_EAR"]] = head + np.array([sgn * 0.075, 0.005, 0.0])
        pts[_P[f"MOUTH_{up}"]] = head + np.array([sgn * 0.022, -0.055, 0.085])
        shoulder = neck + sgn * body.shoulder_half_m * across - 0.02 * trunk_up
        pts[_P[f"{up}_SHOULDER"]] = shoulder
        abd, flex = np.radians(arm_abd_deg), np.radians(arm_flex_deg)
        upper = np.array(
            [sgn * np.sin(abd), -np.cos(abd) * np.cos(flex), np.cos(abd) * np.sin(flex)]
        )
        elbow = shoulder + body.upper_arm_m * upper
        fore_flex = flex + np.radians(15.0)
        fore = np.array(
            [sgn * np.sin(abd), -np.cos(abd) * np.cos(fore_flex), np.cos(abd) * np.sin(fore_flex)]
        )
        wrist = elbow + body.forearm_m * fore
        pts[_P[f"{up}_ELBOW"]], pts[_P[f"{up}_WRIST"]] = elbow, wrist
        pts[_P[f"{up}_HAND"]] = wrist + 0.08 * fore


def _loaded_leg(
    pts: np.ndarray, side: str, hip: np.ndarray, ankle: np.ndarray, psi: float, body: Segments
) -> None:
    up = side.upper()
    pts[_P[f"{up}_HIP"]], pts[_P[f"{up}_ANKLE"]] = hip, ankle
    pts[_P[f"{up}_KNEE"]] = _knee(hip, ankle, -_SIGN[side], psi, body)


def _free_leg(pts: np.ndarray, side: str, hip: np.ndarray, lift: float, body: Segments) -> None:
    """Lifted leg: hip flexed 30 deg, knee flexed 90 deg at full lift (foot behind)."""
    sgn, up = _SIGN[side], side.upper()
    h, k, abd = np.radians(30 * lift), np.radians(90 * lift), np.radians(4 * lift)
    thigh = np.array([sgn * np.sin(abd), -np.cos(h) * np.cos(abd), np.sin(h) * np.cos(abd)])
    shank = np.array([sgn * np.sin(abd), -np.cos(h - k) * np.cos(abd), np.sin(h - k) * np.cos(abd)])
    pts[_P[f"{up}_HIP"]] = hip
    pts[_P[f"{up}_KNEE"]] = hip + body.thigh_m * thigh
    pts[_P[f"{up}_ANKLE"]] = pts[_P[f"{up}_KNEE"]] + body.shank_m * shank
    _foot(pts, side, 8.0, body, pitch_deg=0.5 * np.degrees(k - h) + 10 * lift)


def pose_frame(
    spec: SynthSpec, depth: float, lift: float, drop: float, psi_rad: dict[str, float]
) -> np.ndarray:
    """3D points (len(POINTS), 3) in metres for one frame's controls."""
    pts = np.zeros((len(POINTS), 3))
    body = spec.scene.body
    flex_bottom = spec.bottom_knee_flexion_deg
    if spec.movement == "squat":
        flex = flex_bottom * depth
        for side, sgn in _SIGN.items():
            ankle = np.array([sgn * body.stance_half_m, body.ankle_y_m, 0.0])
            dx = body.stance_half_m - body.hip_half_m
            off = _leg_hip_offset(flex, dx, body) * np.array([-sgn, 1.0, 1.0])
            _loaded_leg(pts, side, ankle + off, ankle, psi_rad[side], body)
            _foot(pts, side, 15.0, body)
        _upper_body(pts, _trunk_across(pts, spec, depth), 0.33 * flex, 35.0 * depth, 12.0, body)
        _patellas(pts)
        return pts
    stance = spec.stance_side
    free = "left" if stance == "right" else "right"
    sgn = _SIGN[stance]
    if spec.movement == "single-leg-squat":
        flex = max(flex_bottom * depth, 5.0 * lift)
    else:
        flex = flex_bottom * lift
    hip_half = body.hip_half_m
    ankle = np.array([sgn * hip_half, body.ankle_y_m, 0.0])
    shift = 0.06 * lift
    hip = ankle + _leg_hip_offset(flex, shift, body) * np.array([sgn, 1.0, 1.0])
    _loaded_leg(pts, stance, hip, ankle, psi_rad[stance], body)
    _foot(pts, stance, 8.0, body)
    theta = np.radians(spec.pelvic_drop_deg * drop)
    other_hip = hip + 2 * hip_half * np.array([-sgn * np.cos(theta), -np.sin(theta), 0.0])
    _free_leg(pts, free, other_hip, lift, body)
    across = _trunk_across(pts, spec, drop)
    _upper_body(pts, across, 0.25 * flex, 15.0 * depth, 12.0 + 13.0 * lift, body)
    _patellas(pts)
    return pts


def _leg_points(pts: np.ndarray, side: str) -> tuple[np.ndarray, ...]:
    """Hip, other hip, knee and ankle of one side."""
    other = "RIGHT" if side == "left" else "LEFT"
    up = side.upper()
    return tuple(pts[_P[n]] for n in (f"{up}_HIP", f"{other}_HIP", f"{up}_KNEE", f"{up}_ANKLE"))


def _patellas(pts: np.ndarray) -> None:
    """Kneecap markers of knees that bend in their hip-knee-ankle plane (no knee abduction)."""
    for side in _SIGN:
        pts[_P[f"{side.upper()}_PATELLA"]] = joints.plane_patella(side, *_leg_points(pts, side))


def _leg_fppa(pts_px: np.ndarray, side: str) -> float:
    other = "right" if side == "left" else "left"
    up = side.upper()
    return float(
        fppa_deg(
            pts_px[_P[f"{up}_HIP"]],
            pts_px[_P[f"{up}_KNEE"]],
            pts_px[_P[f"{up}_ANKLE"]],
            pts_px[_P[f"{other.upper()}_HIP"]],
        )
    )


def solve_collapse(spec: SynthSpec, timeline: Timeline, camera: Camera) -> dict[str, float]:
    """Knee rotation (radians) per side that gives the requested FPPA at the rep bottom."""
    bottom = timeline.reps[0]["bottom"]
    controls = (timeline.depth[bottom], timeline.lift[bottom], timeline.drop[bottom])
    legs = ("left", "right") if spec.movement == "squat" else (spec.stance_side,)
    psi = {"left": 0.0, "right": 0.0}
    for side in legs:
        target = spec.collapse_by_side[side]

        def err(angle: float, side: str = side, target: float = target) -> float:
            trial = {**psi, side: angle}
            px, _ = camera.project(pose_frame(spec, *controls, trial))
            return _leg_fppa(px, side) - target

        lo, hi = np.radians(-85.0), np.radians(85.0)
        if err(lo) > 0 or err(hi) < 0:
            raise ValueError(
                f"knee_collapse_deg {target} is not reachable at knee flexion "
                f"{spec.bottom_knee_flexion_deg} deg; bend the knee more"
            )
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if err(mid) < 0 else (lo, mid)
        psi[side] = 0.5 * (lo + hi)
    return psi


@dataclass(frozen=True)
class Motion:
    """The posed clip: pixels (T, P, 2), depth in metres (T, P), times (T,), 3D points."""

    points_px: np.ndarray
    depth_m: np.ndarray
    times_s: np.ndarray
    timeline: Timeline
    camera: Camera
    psi_rad: dict[str, float]
    world_m: np.ndarray  # (T, P, 3) the posed points in metres, before projection
    # Joint-angle specs: per frame (T,) hip adduction, hip internal rotation and knee
    # abduction per side, read back from the posed points, minus the movement's own pose.
    joint_angles_deg: dict[str, np.ndarray] | None = None

    def point(self, name: str) -> np.ndarray:
        """Pixel track (T, 2) of one named point."""
        return self.points_px[:, _P[name]]


JOINT_NAMES = ("hip_adduction", "hip_internal_rotation", "knee_abduction")


def _set_joint_angles(
    spec: SynthSpec, neutral: np.ndarray, fraction: float, start: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """One frame's points with ``fraction`` of the spec's joint angles on the loaded legs.

    Everything but the loaded legs moves with the pelvis; a loaded foot stays
    planted and keeps its direction (the shin turns over it). Returns the points and the solution
    (the next frame's start).
    """
    sides = tuple(_SIGN) if spec.movement == "squat" else (spec.stance_side,)
    angles = spec.joint_angles_by_side
    if fraction == 0.0 or not np.any([angles[s] for s in sides]):
        return neutral, None
    body = spec.scene.body
    legs = [joints.Leg.from_points(s, *_leg_points(neutral, s)) for s in sides]
    increments = [fraction * np.radians(angles[s]) for s in sides]
    solution = joints.solve(legs, increments, body.thigh_m, body.shank_m, start)
    pts = neutral + solution[:3]
    for k, (side, leg) in enumerate(zip(sides, legs, strict=True)):
        up = side.upper()
        knee, ankle, patella = joints.pose(leg, solution, k, body.thigh_m, body.shank_m)
        pts[_P[f"{up}_KNEE"]], pts[_P[f"{up}_ANKLE"]] = knee, ankle
        pts[_P[f"{up}_PATELLA"]] = patella
        for part in ("HEEL", "FOOT_INDEX", "SHADOW"):
            pts[_P[f"{up}_{part}"]] = neutral[_P[f"{up}_{part}"]]
    return pts, solution


def _read_joint_angles(world: np.ndarray, neutral: np.ndarray) -> dict[str, np.ndarray]:
    """Per side, the realised joint angles (deg, (T,)) of ``world`` over ``neutral``.

    Both poses are read back from their points the same way, so the numbers
    are what the drawn pose holds, not what was asked of the solver.
    """

    def read(pts: np.ndarray, side: str) -> np.ndarray:
        hip, other, knee, ankle = _leg_points(pts, side)
        patella = pts[_P[f"{side.upper()}_PATELLA"]]
        return joints.read_world(side, hip, other, knee, patella, ankle)

    out = {}
    for side in _SIGN:
        rows = [read(p, side) - read(b, side) for p, b in zip(world, neutral, strict=True)]
        realised = np.degrees(np.array(rows)[:, joints.SET])
        for name, column in zip(JOINT_NAMES, realised.T, strict=True):
            out[f"{name}_{side}"] = column
    return out


def build_motion(spec: SynthSpec) -> Motion:
    """Pose and project every frame of the spec's clip."""
    timeline = build_timeline(spec)
    camera = spec.scene.camera(spec.width, spec.height)
    # The request describes the person's movement: FPPA as a camera straight in front sees
    # it. A yawed camera then sees a different 2D angle, which the truth file records.
    if spec.uses_joint_angles:
        psi = {"left": 0.0, "right": 0.0}
    else:
        # Solved at full size: a rep_scale sweep reaches the request at factor 1.
        full = build_timeline(replace(spec, rep_scale=()))
        psi = solve_collapse(spec, full, replace(camera, yaw_deg=0.0))
    frames = [
        pose_frame(spec, d, lf, dr, {s: psi[s] * c for s in psi})
        for d, lf, dr, c in zip(
            timeline.depth, timeline.lift, timeline.drop, timeline.collapse, strict=True
        )
    ]
    world, angles = np.stack(frames), None
    if spec.uses_joint_angles:
        neutral, posed, start = world, [], None
        for frame, fraction in zip(neutral, timeline.collapse, strict=True):
            pts, start = _set_joint_angles(spec, frame, float(fraction), start)
            posed.append(pts)
        world = np.stack(posed)
        angles = _read_joint_angles(world, neutral)
    px, depth = camera.project(world)
    times = np.arange(len(frames)) / spec.fps
    return Motion(px, depth, times, timeline, camera, psi, world, angles)
