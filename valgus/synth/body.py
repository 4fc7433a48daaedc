"""Body proportions and the camera of the synthetic scene.

Why apart from the motion: the accuracy benchmark varies who is filmed (height,
leg length, hip width) and how (camera height, distance, yaw, tilt), and the
ground truth must come from the very same numbers the drawing uses. The
defaults reproduce the original sample clips exactly.

World frame (metres): x toward the image's right when the camera is straight in
front (the person's LEFT), y up, z toward the camera; floor at y = 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Body proportions for a 1.72 m adult (Winter, Biomechanics and Motor Control
# of Human Movement, segment lengths as fractions of height).
HEIGHT_M = 1.72
HIP_HALF_M = 0.09  # half the distance between the hip joint centres
SHOULDER_HALF_M = 0.17
STANCE_HALF_M = 0.14  # ankle x of a bilateral squat


@dataclass(frozen=True)
class Body:
    """Segment lengths of one figure in metres.

    Parameters
    ----------
    height_m : float
        Stature; every segment scales with it (Winter's fractions).
    leg_scale : float
        Extra factor on thigh and shank (long- or short-legged people).
    hip_scale : float
        Factor on the hip joint spacing and on the squat stance width.
    shoulder_scale : float
        Factor on the shoulder width.
    """

    height_m: float = HEIGHT_M
    leg_scale: float = 1.0
    hip_scale: float = 1.0
    shoulder_scale: float = 1.0

    def __post_init__(self) -> None:
        if not 1.2 <= self.height_m <= 2.2:
            raise ValueError(f"height_m must be in [1.2, 2.2], got {self.height_m}")
        for name in ("leg_scale", "hip_scale", "shoulder_scale"):
            if not 0.7 <= getattr(self, name) <= 1.4:
                raise ValueError(f"{name} must be in [0.7, 1.4], got {getattr(self, name)}")

    @property
    def thigh_m(self) -> float:
        return 0.245 * self.height_m * self.leg_scale

    @property
    def shank_m(self) -> float:
        return 0.246 * self.height_m * self.leg_scale

    @property
    def ankle_y_m(self) -> float:
        return 0.039 * self.height_m

    @property
    def torso_m(self) -> float:
        return (0.818 - 0.530) * self.height_m

    @property
    def upper_arm_m(self) -> float:
        return 0.186 * self.height_m

    @property
    def forearm_m(self) -> float:
        return 0.146 * self.height_m

    @property
    def hip_half_m(self) -> float:
        return HIP_HALF_M * self.hip_scale

    @property
    def stance_half_m(self) -> float:
        return STANCE_HALF_M * self.hip_scale

    @property
    def shoulder_half_m(self) -> float:
        return SHOULDER_HALF_M * self.shoulder_scale


@dataclass(frozen=True)
class Camera:
    """Pinhole camera orbiting the person at ``yaw_deg``, tilted down by ``pitch_deg``.

    Yaw 0 puts the camera on the +z axis looking at the person (toward -z);
    positive yaw moves it toward the person's left (+x), so the person appears
    turned to their right. The principal point may sit off the image centre
    (a level camera whose picture is cropped around the person).
    """

    focal_px: float
    cx: float
    cy: float
    distance_m: float = 3.2
    height_m: float = 0.85
    yaw_deg: float = 0.0
    pitch_deg: float = 0.0

    @classmethod
    def framing(
        cls,
        width: int,
        height: int,
        *,
        distance_m: float = 3.2,
        height_m: float = 0.85,
        yaw_deg: float = 0.0,
        pitch_deg: float = 0.0,
        body_height_m: float = HEIGHT_M,
    ) -> Camera:
        """Camera that shows a standing person at ~80% of the frame height.

        A level camera puts the top of the head 8.5% below the frame's top edge;
        a tilted one keeps the person's middle where the level one has it.
        """
        focal = 0.80 * height * distance_m / body_height_m
        cy = 0.085 * height + focal * (body_height_m - height_m) / distance_m
        level = cls(focal, width / 2.0, cy, distance_m, height_m, yaw_deg, 0.0)
        if pitch_deg == 0.0:
            return level
        mid = np.array([0.0, 0.5 * body_height_m, 0.0])
        tilted = cls(focal, width / 2.0, 0.0, distance_m, height_m, yaw_deg, pitch_deg)
        shift = level.project(mid)[0][1] - tilted.project(mid)[0][1]
        return cls(focal, width / 2.0, float(shift), distance_m, height_m, yaw_deg, pitch_deg)

    def _axes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Camera centre and its right, up and forward unit vectors in world space."""
        yaw, pitch = np.radians(self.yaw_deg), np.radians(self.pitch_deg)
        centre = np.array(
            [self.distance_m * np.sin(yaw), self.height_m, self.distance_m * np.cos(yaw)]
        )
        right = np.array([np.cos(yaw), 0.0, -np.sin(yaw)])
        level_fwd = np.array([-np.sin(yaw), 0.0, -np.cos(yaw)])
        fwd = np.cos(pitch) * level_fwd - np.sin(pitch) * np.array([0.0, 1.0, 0.0])
        up = np.cross(right, fwd)
        return centre, right, up, fwd

    def project(self, xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pixels (..., 2) and depth in metres (...,) of world points (..., 3)."""
        if self.yaw_deg == 0.0 and self.pitch_deg == 0.0:
            depth = self.distance_m - xyz[..., 2]
            u = self.cx + self.focal_px * xyz[..., 0] / depth
            v = self.cy - self.focal_px * (xyz[..., 1] - self.height_m) / depth
            return np.stack([u, v], axis=-1), depth
        centre, right, up, fwd = self._axes()
        rel = np.asarray(xyz, dtype=float) - centre
        depth = rel @ fwd
        u = self.cx + self.focal_px * (rel @ right) / depth
        v = self.cy - self.focal_px * (rel @ up) / depth
        return np.stack([u, v], axis=-1), depth

    def horizon_y(self, wall_behind_m: float = 1.5) -> float:
        """Image row of the floor-wall junction straight ahead (a wall behind the person)."""
        if self.yaw_deg == 0.0 and self.pitch_deg == 0.0:
            wall_dist = self.distance_m + wall_behind_m
            return self.cy + self.focal_px * self.height_m / wall_dist
        centre, _, _, fwd = self._axes()
        along = np.array([fwd[0], 0.0, fwd[2]]) / np.hypot(fwd[0], fwd[2])
        foot = centre + along * (self.distance_m + wall_behind_m)
        foot[1] = 0.0
        return float(self.project(foot)[0][1])
