"""Joint angles -> 3D points of a loaded leg, and the angles read back from points.

Why: 2D FPPA mixes hip adduction, hip internal rotation and knee abduction
(design.md section 1). To test what each mechanism does to the picture, the
renderer sets them one at a time and the truth file reports what the 3D pose
really holds, read back from the posed points.

Angles follow the joint coordinate systems of Grood & Suntay (1983) and the
ISB (Wu et al. 2002): hip = pelvis -> femur, knee = femur -> tibia, each a
Cardan sequence flexion (about the proximal medio-lateral axis), then
ab/adduction (floating axis), then axial rotation (distal long axis). The knee
has no axial rotation of its own: the tibia turns with the femur.

Every leg is computed as a LEFT leg in a canonical frame (x lateral, y up,
z forward); a right leg is mirrored (x -> -x) in and out, so one set of signs
serves both sides: hip adduction + = knee toward the midline, hip internal
rotation + = kneecap turns toward the midline, knee abduction + = valgus (the
shin's lower end swings out, the knee in).

Closed chain: a loaded foot stays planted, so setting three angles must move
something else. ``solve`` builds each leg top-down (forward kinematics) and
finds, by weighted least squares, the pose that keeps every loaded ankle on its
planted point (to ~0.01 mm), comes nearest the requested angles, and otherwise
stays close to the movement's own pose: hip and knee flexion near the depth
profile, the pelvis near its path (sideways dearest, the weight stays over the
feet). With hips and feet fixed the hip angles largely decide where the knee
goes, so the three angles are not independent: a pure request is shared out
(10 deg of hip adduction in a bilateral squat realises ~6 deg adduction, ~4 deg
knee abduction, ~4 deg rotation), a coherent collapse pattern is met within
~0.5 deg. The truth file therefore reports the angles read back from the
posed points, never the request.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from valgus.synth.rotations import frame_from_up, rot, unit

MIRROR = np.array([-1.0, 1.0, 1.0])  # x -> -x: a right leg seen as a left one
PATELLA_M = 0.05  # kneecap marker: this far in front of the knee joint centre
SET = [1, 2, 4]  # indices of hip adduction, hip internal rotation, knee abduction
FREE = [0, 3]  # hip flexion, knee flexion: absorb what the chain needs
# Least-squares scales: a residual of 1 costs as much as this much error. The feet are
# nailed down; the requested angles come next; the depth profile and the pelvis path
# give way first (sideways least, to keep the weight over the feet).
ANKLE_TOL_M = 1e-5
ANGLE_TOL_RAD = np.radians(0.5)
FREE_SCALE_RAD = np.radians(3.0)
SHIFT_SCALE_M = np.array([0.01, 0.02, 0.02])  # pelvis path: sideways, up, forward


def canonical(side: str, xyz: np.ndarray) -> np.ndarray:
    """World points (..., 3) in the canonical left-leg frame, and back (a mirror undoes itself)."""
    return xyz * MIRROR if side == "right" else np.array(xyz, dtype=float)


def pelvis_axes(hip: np.ndarray, other_hip: np.ndarray) -> np.ndarray:
    """Canonical pelvis axes (columns: lateral, up, forward) from the two hip centres."""
    lateral = unit(hip - other_hip)
    forward = unit(np.array([0.0, 0.0, 1.0]) - lateral[2] * lateral)
    return np.column_stack([lateral, np.cross(forward, lateral), forward])


def forward(
    pelvis: np.ndarray, hip: np.ndarray, q: np.ndarray, thigh_m: float, shank_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Knee, ankle, femur and tibia axes of a canonical leg from its angles.

    ``q`` = (hip flexion, hip adduction, hip internal rotation, knee flexion,
    knee abduction) in radians; axes are 3x3 (columns lateral, up, forward).
    """
    femur = pelvis @ rot(0, -q[0]) @ rot(2, -q[1]) @ rot(1, -q[2])
    tibia = femur @ rot(0, q[3]) @ rot(2, q[4])
    knee = hip - thigh_m * femur[:, 1]
    return knee, knee - shank_m * tibia[:, 1], femur, tibia


def plane_femur(pelvis: np.ndarray, hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray):
    """Femur axes of a canonical leg whose knee bends in the hip-knee-ankle plane.

    The knee's hinge is then the plane's normal; a straight leg has no plane,
    so its hinge is square to the pelvis's forward direction.
    """
    down = unit(knee - hip)
    hinge = np.cross(down, ankle - knee)
    if np.linalg.norm(hinge) < 1e-9 * np.linalg.norm(ankle - knee):
        hinge = np.cross(pelvis[:, 2], down)
    lateral = unit(hinge)
    return np.column_stack([lateral, -down, np.cross(lateral, -down)])


def read_angles(
    pelvis: np.ndarray, hip: np.ndarray, knee: np.ndarray, patella: np.ndarray, ankle: np.ndarray
) -> np.ndarray:
    """Joint angles (radians, as ``forward`` takes them) of a canonical leg's points.

    The femur's spin comes from the kneecap marker, which sits on the femur's
    forward axis; the knee angles need only the femur axes and the shin line.
    """
    femur = femur_axes(hip, knee, patella)
    r = pelvis.T @ femur
    return np.array(
        [
            -np.arctan2(r[2, 1], r[1, 1]),
            np.arcsin(np.clip(r[0, 1], -1.0, 1.0)),
            -np.arctan2(r[0, 2], r[0, 0]),
            *knee_angles(femur, knee, ankle),
        ]
    )


def femur_axes(hip: np.ndarray, knee: np.ndarray, patella: np.ndarray) -> np.ndarray:
    """Femur axes (columns: lateral for a left leg, up the femur, forward to the kneecap)."""
    return frame_from_up(hip - knee, patella - knee)


def knee_angles(femur: np.ndarray, knee: np.ndarray, ankle: np.ndarray) -> tuple[float, float]:
    """Knee flexion and abduction (radians) that turn the femur's up axis onto ankle -> knee.

    The tibia turns from the femur by flexion about the femur's lateral axis,
    then abduction about the floating forward axis; the knee has no axial
    rotation of its own (see the module notes).
    """
    shin = femur.T @ unit(knee - ankle)
    return float(np.arctan2(shin[2], shin[1])), float(np.arcsin(np.clip(-shin[0], -1.0, 1.0)))


@dataclass(frozen=True)
class Leg:
    """One loaded leg of the movement's own pose, canonical (see the module notes)."""

    side: str
    pelvis: np.ndarray  # canonical pelvis axes
    hip: np.ndarray
    ankle: np.ndarray  # where the foot is planted
    angles: np.ndarray  # the pose's own joint angles (knee abduction 0)

    @classmethod
    def from_points(
        cls, side: str, hip: np.ndarray, other_hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray
    ) -> Leg:
        """The leg of world points whose knee bends in the hip-knee-ankle plane."""
        hip_c, knee_c, ankle_c = (canonical(side, p) for p in (hip, knee, ankle))
        pelvis = pelvis_axes(hip_c, canonical(side, other_hip))
        femur = plane_femur(pelvis, hip_c, knee_c, ankle_c)
        patella = knee_c + PATELLA_M * femur[:, 2]
        return cls(
            side, pelvis, hip_c, ankle_c, read_angles(pelvis, hip_c, knee_c, patella, ankle_c)
        )


def plane_patella(
    side: str, hip: np.ndarray, other_hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray
) -> np.ndarray:
    """World kneecap marker of a leg whose knee bends in the hip-knee-ankle plane."""
    hip_c, knee_c = canonical(side, hip), canonical(side, knee)
    pelvis = pelvis_axes(hip_c, canonical(side, other_hip))
    femur = plane_femur(pelvis, hip_c, knee_c, canonical(side, ankle))
    return canonical(side, knee_c + PATELLA_M * femur[:, 2])


def solve(
    legs: list[Leg],
    increments: list[np.ndarray],
    thigh_m: float,
    shank_m: float,
    start: np.ndarray | None = None,
) -> np.ndarray:
    """Pelvis shift and leg angles that add ``increments`` with every loaded foot planted.

    Parameters
    ----------
    legs : list of Leg
        The loaded legs of one frame (one pelvis: they share its shift).
    increments : list of ndarray
        Per leg, (hip adduction, hip internal rotation, knee abduction) in
        radians to add to the leg's own angles.
    thigh_m, shank_m : float
        Segment lengths (fixed by construction).
    start : ndarray or None
        The previous frame's solution, so a clip's poses follow on smoothly.

    Returns
    -------
    ndarray
        ``[shift_xyz (world, m), q of each leg (5 each, radians)]``.
    """
    targets = [leg.angles[SET] + inc for leg, inc in zip(legs, increments, strict=True)]

    def residuals(x: np.ndarray) -> np.ndarray:
        out = [x[:3] / SHIFT_SCALE_M]
        for k, leg in enumerate(legs):
            q = x[3 + 5 * k : 8 + 5 * k]
            hip = leg.hip + canonical(leg.side, x[:3])
            ankle = forward(leg.pelvis, hip, q, thigh_m, shank_m)[1]
            out.append((ankle - leg.ankle) / ANKLE_TOL_M)
            out.append((q[SET] - targets[k]) / ANGLE_TOL_RAD)
            out.append((q[FREE] - leg.angles[FREE]) / FREE_SCALE_RAD)
        return np.concatenate(out)

    # Imported here: scipy.optimize takes 0.2 s, and every `valgus` command
    # imports this module to build its argument parser.
    from scipy.optimize import least_squares

    if start is None:
        start = np.concatenate([np.zeros(3), *(leg.angles for leg in legs)])
    return least_squares(residuals, start, method="lm", xtol=1e-12, ftol=1e-12).x


def pose(
    leg: Leg, solution: np.ndarray, index: int, thigh_m: float, shank_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """World knee, ankle and kneecap of leg ``index`` of a solution.

    The planted foot keeps its place and its direction: in a closed-chain
    collapse the shin turns over a foot that stays on the floor.
    """
    q = solution[3 + 5 * index : 8 + 5 * index]
    hip = leg.hip + canonical(leg.side, solution[:3])
    knee, ankle, femur, _ = forward(leg.pelvis, hip, q, thigh_m, shank_m)
    patella = knee + PATELLA_M * femur[:, 2]
    return tuple(canonical(leg.side, p) for p in (knee, ankle, patella))


def read_world(
    side: str,
    hip: np.ndarray,
    other_hip: np.ndarray,
    knee: np.ndarray,
    patella: np.ndarray,
    ankle: np.ndarray,
) -> np.ndarray:
    """Joint angles (radians, see ``forward``) of one side's world points."""
    hip_c = canonical(side, hip)
    pelvis = pelvis_axes(hip_c, canonical(side, other_hip))
    return read_angles(pelvis, hip_c, *(canonical(side, p) for p in (knee, patella, ankle)))
