"""Who is filmed and how, for the realistic body: shape, outfit, room, light, camera, lens.

Why the same role as ``valgus.synth.spec.Scene``: a ``SynthSpec`` says what the
person does, its scene says who and where. ``valgus.synth.motion`` reads two
things of a scene, its ``body`` (segment lengths) and its ``camera``; this one
answers with the MakeHuman rig's own lengths, so the motion's joint centres
are the rendered body's, and with a phone-like camera aimed at the person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from valgus.synth.body import Camera
from valgus.synth.human.materials import Outfit
from valgus.synth.human.room import ROOMS, Light
from valgus.synth.human.shape import PRESETS, BodyShape
from valgus.synth.human.skeleton import Dims, Skeleton, build_skeleton

# Allowed ranges of the numeric fields: past these the person leaves the frame,
# the camera looks from the side, or the picture is no longer a phone's.
RANGES = {
    "camera_distance_m": (1.5, 8.0),
    "camera_height_m": (0.3, 2.0),
    "camera_yaw_deg": (-60.0, 60.0),
    "camera_roll_deg": (-20.0, 20.0),
    "fill": (0.3, 0.95),
    "noise_sigma": (0.0, 10.0),
    "shadow": (0.0, 1.0),
}


@lru_cache(maxsize=8)
def _skeleton(shape: BodyShape) -> Skeleton:
    """One rig per body shape per process (the motion asks for its lengths every frame)."""
    return build_skeleton(shape)


@dataclass(frozen=True)
class HumanScene:
    """The realistic body's scene: who (shape, outfit), where (room, light), filmed how.

    Parameters
    ----------
    shape : str or BodyShape
        A name from ``valgus.synth.human.shape.PRESETS`` or explicit sliders.
    outfit : Outfit or None
        Skin tone, hair, clothes and their colours; None draws one from the
        clip's seed.
    room : str
        One of ``valgus.synth.human.room.ROOMS``.
    light : Light
        Key light direction and strength, ambient light, exposure.
    camera_distance_m, camera_height_m : float
        Horizontal distance to the person and lens height above the floor.
    camera_yaw_deg : float
        Orbit off frontal, + toward the person's left.
    camera_roll_deg : float
        Rotation about the optical axis (+ turns the picture clockwise).
    camera_pitch_deg : float or None
        Downward tilt; None aims at the standing person's mid-height.
    fov_deg : float or None
        The lens: vertical field of view; None frames a standing person at
        ``fill`` of the frame height.
    fill : float
        Share of the frame height a standing person fills when ``fov_deg`` is None.
    supersample : int
        1, 2 or 3: edges smoothed by rendering at that many times the size
        (1 costs ~0.16 s of CPU per 720x1280 frame, 2 about four times that).
    noise_sigma : float
        Sensor noise, grey levels.
    shadow : float
        Darkness of the floor shadows under the body (0 = none).
    """

    shape: str | BodyShape = "woman_average"
    outfit: Outfit | None = None
    room: str = "room"
    light: Light = field(default_factory=Light)
    camera_distance_m: float = 3.0
    camera_height_m: float = 1.0
    camera_yaw_deg: float = 0.0
    camera_roll_deg: float = 0.0
    camera_pitch_deg: float | None = None
    fov_deg: float | None = None
    fill: float = 0.8
    supersample: int = 1
    noise_sigma: float = 1.5
    shadow: float = 0.45

    def __post_init__(self) -> None:
        if isinstance(self.shape, str) and self.shape not in PRESETS:
            raise ValueError(f"shape must be one of {sorted(PRESETS)} or a BodyShape")
        if self.room not in ROOMS:
            raise ValueError(f"room must be one of {ROOMS}, got {self.room!r}")
        for name, (lo, hi) in RANGES.items():
            if not lo <= getattr(self, name) <= hi:
                raise ValueError(f"{name} must be in [{lo}, {hi}], got {getattr(self, name)}")
        if self.camera_pitch_deg is not None and not -30 <= self.camera_pitch_deg <= 45:
            raise ValueError(f"camera_pitch_deg must be in [-30, 45], got {self.camera_pitch_deg}")
        if self.fov_deg is not None and not 20 <= self.fov_deg <= 100:
            raise ValueError(f"fov_deg must be in [20, 100], got {self.fov_deg}")
        if self.supersample not in (1, 2, 3):
            raise ValueError(f"supersample must be 1, 2 or 3, got {self.supersample}")

    @property
    def body_shape(self) -> BodyShape:
        """The sliders of ``shape``."""
        return PRESETS[self.shape] if isinstance(self.shape, str) else self.shape

    @property
    def skeleton(self) -> Skeleton:
        """The rig of the body shape (built once per process)."""
        return _skeleton(self.body_shape)

    @property
    def body(self) -> Dims:
        """Segment lengths for ``valgus.synth.motion``: the rig's own."""
        return self.skeleton.dims

    def camera(self, width: int, height: int) -> Camera:
        """The camera of a ``width`` x ``height`` picture of this person."""
        return Camera.aimed(
            width,
            height,
            self.body.stature_m,
            distance_m=self.camera_distance_m,
            height_m=self.camera_height_m,
            yaw_deg=self.camera_yaw_deg,
            roll_deg=self.camera_roll_deg,
            pitch_deg=self.camera_pitch_deg,
            fov_deg=self.fov_deg,
            fill=self.fill,
        )
