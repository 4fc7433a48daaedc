"""Body proportions and the camera of the synthetic scene.

Why apart from the motion: the accuracy benchmark varies who is filmed (height,
leg length, hip width) and how (camera height, distance, yaw, tilt, roll), and the
ground truth must come from the very same numbers the drawing uses. The
defaults reproduce the original sample clips exactly.

World frame (metres): x toward the image's right when the camera is straight in
front (the person's LEFT), y up, z toward the camera; floor at y = 0.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

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


class Segments(Protocol):
    """The lengths a motion is built from, metres: a ``Body``, or a rendered body's rig.

    Why a protocol: ``valgus.synth.motion`` poses whatever has these lengths,
    so the realistic body (``valgus.synth.human.skeleton.Dims``) moves with the
    same rules as the drawn figure, at its own rig's lengths.
    """

    @property
    def thigh_m(self) -> float: ...
    @property
    def shank_m(self) -> float: ...
    @property
    def ankle_y_m(self) -> float: ...
    @property
    def torso_m(self) -> float: ...
    @property
    def upper_arm_m(self) -> float: ...
    @property
    def forearm_m(self) -> float: ...
    @property
    def hip_half_m(self) -> float: ...
    @property
    def stance_half_m(self) -> float: ...
    @property
    def shoulder_half_m(self) -> float: ...


@dataclass(frozen=True)
class Camera:
    """Pinhole camera orbiting the person at ``yaw_deg``, tilted down by ``pitch_deg``.

    Yaw 0 puts the camera on the +z axis looking at the person (toward -z);
    positive yaw moves it toward the person's left (+x), so the person appears
    turned to their right. ``roll_deg`` turns the camera about its optical
    axis (+ turns the picture clockwise), as a phone held askew. The principal
    point may sit off the image centre (``framing``: a level camera whose
    picture is cropped around the person) or at it (``aimed``: a phone pointed
    at the person). Pixel (i, j) covers [i, i + 1) x [j, j + 1), as
    MediaPipe's normalised x times the width.
    """

    focal_px: float
    cx: float
    cy: float
    distance_m: float = 3.2
    height_m: float = 0.85
    yaw_deg: float = 0.0
    pitch_deg: float = 0.0
    roll_deg: float = 0.0

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

    @classmethod
    def aimed(
        cls,
        width: int,
        height: int,
        stature_m: float,
        *,
        distance_m: float = 3.0,
        height_m: float = 1.0,
        yaw_deg: float = 0.0,
        roll_deg: float = 0.0,
        pitch_deg: float | None = None,
        fov_deg: float | None = None,
        fill: float = 0.8,
    ) -> Camera:
        """A phone pointed at a person of ``stature_m``: principal point at the image centre.

        ``pitch_deg`` None aims the optical axis at the person's mid-height;
        ``fov_deg`` (vertical field of view, the lens) None picks the focal
        length at which a standing person fills ``fill`` of the frame height.
        """
        if pitch_deg is None:
            pitch_deg = float(np.degrees(np.arctan2(height_m - 0.5 * stature_m, distance_m)))
        focal = fill * height * distance_m / stature_m
        if fov_deg is not None:
            focal = 0.5 * height / np.tan(np.radians(0.5 * fov_deg))
        return cls(
            float(focal),
            width / 2.0,
            height / 2.0,
            distance_m,
            height_m,
            yaw_deg,
            float(pitch_deg),
            roll_deg,
        )

    def vertical_fov_deg(self, height: int) -> float:
        """Vertical field of view of a ``height``-pixel picture centred on the principal point."""
        return float(np.degrees(2 * np.arctan2(0.5 * height, self.focal_px)))

    def scaled(self, factor: int) -> Camera:
        """The same view at ``factor`` times the resolution (supersampling)."""
        return replace(
            self, focal_px=self.focal_px * factor, cx=self.cx * factor, cy=self.cy * factor
        )

    def axes(self) -> tuple[np.ndarray, np.ndarray]:
        """Camera centre (3,) and rotation (3, 3) whose rows are its right, up and forward axes."""
        yaw, pitch, roll = np.radians([self.yaw_deg, self.pitch_deg, self.roll_deg])
        centre = np.array(
            [self.distance_m * np.sin(yaw), self.height_m, self.distance_m * np.cos(yaw)]
        )
        right = np.array([np.cos(yaw), 0.0, -np.sin(yaw)])
        level_fwd = np.array([-np.sin(yaw), 0.0, -np.cos(yaw)])
        fwd = np.cos(pitch) * level_fwd - np.sin(pitch) * np.array([0.0, 1.0, 0.0])
        up = np.cross(right, fwd)
        c, s = np.cos(roll), np.sin(roll)
        right, up = c * right - s * up, s * right + c * up
        return centre, np.stack([right, up, fwd])

    def _straight(self) -> bool:
        return self.yaw_deg == 0.0 and self.pitch_deg == 0.0 and self.roll_deg == 0.0

    def project(self, xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pixels (..., 2) and depth in metres (...,) of world points (..., 3)."""
        if self._straight():
            depth = self.distance_m - xyz[..., 2]
            u = self.cx + self.focal_px * xyz[..., 0] / depth
            v = self.cy - self.focal_px * (xyz[..., 1] - self.height_m) / depth
            return np.stack([u, v], axis=-1), depth
        centre, rot = self.axes()
        rel = np.asarray(xyz, dtype=float) - centre
        depth = rel @ rot[2]
        u = self.cx + self.focal_px * (rel @ rot[0]) / depth
        v = self.cy - self.focal_px * (rel @ rot[1]) / depth
        return np.stack([u, v], axis=-1), depth

    def horizon_y(self, wall_behind_m: float = 1.5) -> float:
        """Image row of the floor-wall junction straight ahead (a wall behind the person)."""
        if self._straight():
            wall_dist = self.distance_m + wall_behind_m
            return self.cy + self.focal_px * self.height_m / wall_dist
        centre, rot = self.axes()
        fwd = rot[2]
        along = np.array([fwd[0], 0.0, fwd[2]]) / np.hypot(fwd[0], fwd[2])
        foot = centre + along * (self.distance_m + wall_behind_m)
        foot[1] = 0.0
        return float(self.project(foot)[0][1])
