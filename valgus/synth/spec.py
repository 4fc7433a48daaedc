"""What a synthetic clip shows: movement, timing, knee collapse, pelvic drop, framing.

Why a separate module: the motion (``valgus.synth.motion``), the drawing
(``valgus.synth.figure``, ``valgus.synth.human``) and the writer
(``valgus.synth.render``) all read the same spec, and none of them should own
it. The spec spelled out per frame is ``valgus.synth.timeline``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from valgus.movement import MOVEMENTS
from valgus.synth.body import Body, Camera
from valgus.synth.human.scene import HumanScene

LEGWEAR = ("shorts", "leggings")
BACKDROPS = ("plain", "panels", "door", "gym")
# Joint-angle controls and their allowed range at the rep bottom (degrees): past these
# a knee or hip is injured, not collapsing.
JOINT_RANGES = {
    "hip_adduction_deg": (-20.0, 30.0),
    "hip_internal_rotation_deg": (-30.0, 40.0),
    "knee_abduction_deg": (-15.0, 20.0),
}


def _by_side(name: str, value: float | tuple[float, float]) -> dict[str, float]:
    """``{"left": deg, "right": deg}`` from one value or a ``(left, right)`` pair."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} needs (left, right), got {value!r}")
        return {"left": float(value[0]), "right": float(value[1])}
    return {"left": float(value), "right": float(value)}


@dataclass(frozen=True)
class Scene:
    """Who is filmed and how: camera, body proportions, clothes, room and light.

    The defaults reproduce the original sample clips byte for byte.

    Parameters
    ----------
    camera_height_m, camera_distance_m : float
        Lens height above the floor and horizontal distance to the person.
    camera_yaw_deg : float
        How far the camera orbits off frontal (+ toward the person's left).
    camera_pitch_deg : float
        Downward tilt of the camera (0 = level; the picture is framed either way).
    body_height_m, leg_scale, hip_scale, shoulder_scale : float
        Proportions (see ``valgus.synth.body.Body``).
    girth : float
        Factor on limb and trunk thickness (slim to heavy builds).
    legwear : str
        ``"shorts"`` (bare knees) or ``"leggings"`` (legs covered to the ankle).
    backdrop : str
        One of ``BACKDROPS``: a plain wall, wall panels, a door, a dark gym wall.
    light_azimuth_deg : float
        Key light direction in the image plane, 0 = the original upper-left light,
        + turns it toward the right.
    exposure : float
        Overall brightness factor (0.6 dim room .. 1.3 bright).
    light_falloff : float
        Left-to-right brightness gradient across the frame (-0.4 .. 0.4), as from
        a window on one side.
    palette_seed : int or None
        Seed of the colours; None uses the clip's ``seed``.
    """

    camera_height_m: float = 0.85
    camera_distance_m: float = 3.2
    camera_yaw_deg: float = 0.0
    camera_pitch_deg: float = 0.0
    body_height_m: float = 1.72
    leg_scale: float = 1.0
    hip_scale: float = 1.0
    shoulder_scale: float = 1.0
    girth: float = 1.0
    legwear: str = "shorts"
    backdrop: str = "plain"
    light_azimuth_deg: float = 0.0
    exposure: float = 1.0
    light_falloff: float = 0.0
    palette_seed: int | None = None

    def __post_init__(self) -> None:
        checks = {
            "camera_height_m": (0.3, 1.8),
            "camera_distance_m": (1.8, 8.0),
            "camera_yaw_deg": (-60.0, 60.0),
            "camera_pitch_deg": (-20.0, 30.0),
            "girth": (0.7, 1.5),
            "exposure": (0.4, 1.6),
            "light_falloff": (-0.6, 0.6),
            "light_azimuth_deg": (-180.0, 180.0),
        }
        for name, (lo, hi) in checks.items():
            if not lo <= getattr(self, name) <= hi:
                raise ValueError(f"{name} must be in [{lo}, {hi}], got {getattr(self, name)}")
        if self.legwear not in LEGWEAR:
            raise ValueError(f"legwear must be one of {LEGWEAR}, got {self.legwear!r}")
        if self.backdrop not in BACKDROPS:
            raise ValueError(f"backdrop must be one of {BACKDROPS}, got {self.backdrop!r}")
        self.body  # noqa: B018 - validates the proportions now, not at render time

    @property
    def body(self) -> Body:
        """Segment lengths of the figure."""
        return Body(self.body_height_m, self.leg_scale, self.hip_scale, self.shoulder_scale)

    def camera(self, width: int, height: int) -> Camera:
        """The camera framing a standing person in a ``width`` x ``height`` picture."""
        return Camera.framing(
            width,
            height,
            distance_m=self.camera_distance_m,
            height_m=self.camera_height_m,
            yaw_deg=self.camera_yaw_deg,
            pitch_deg=self.camera_pitch_deg,
            body_height_m=self.body_height_m,
        )


@dataclass(frozen=True)
class SynthSpec:
    """Parameters of one rendered clip (all angles in degrees, times in seconds).

    Parameters
    ----------
    movement : str
        ``"squat"`` (bilateral), ``"single-leg-squat"`` or ``"single-leg-stance"``
        (Trendelenburg hold).
    reps : int
        Squats, or holds for ``"single-leg-stance"``.
    knee_collapse_deg : float or tuple of (float, float)
        True FPPA at each rep bottom (+ valgus, - varus) as a camera straight in
        front of the person sees it, one value for both legs or ``(left, right)``
        in the person's own sides. Single-leg movements use
        the stance leg's value only; the lifted leg has no set collapse.
        Realised as one rotation of the knee about the hip-ankle line.
    pelvic_drop_deg : float
        Contralateral pelvic drop (+ = non-stance hip lower) at the hold (stance)
        or at each rep bottom (single-leg squat). Must be 0 for ``"squat"``.
    stance_side : str
        ``"left"`` or ``"right"``: the loaded leg of a single-leg movement.
    knee_flexion_deg : float or None
        Sagittal knee flexion at the rep bottom; ``None`` picks 75 (squat),
        60 (single-leg squat) or 5 (stance). Deeper squats foreshorten the thigh
        until 2D FPPA means nothing (design.md section 5).
    fps : float
        Frame rate of the clip.
    width, height : int
        Frame size in pixels (even; H.264 yuv420p).
    rep_s : float
        Duration of one squat (descent + ascent, cosine profile).
    pause_s : float
        Standing pause between squats.
    lead_in_s, tail_s : float
        Standing before the first and after the last movement (the standing
        baseline the analysis needs).
    hold_s : float
        Single-leg stance: time held at full pelvic drop.
    drop_ramp_s : float
        Single-leg stance: time the pelvic drop takes to build (and release).
    lift_s : float
        Single-leg movements: weight shift and leg lift (and lowering) time.
    seed : int
        Picks clothing, skin, hair and background colours.
    scene : Scene or HumanScene
        Camera, body proportions, clothes, room and light: a ``Scene`` draws
        the figure (default: the original front view of a 1.72 m figure in
        shorts), a ``valgus.synth.human.scene.HumanScene`` renders the
        realistic body.
    hip_adduction_deg, hip_internal_rotation_deg, knee_abduction_deg : float, tuple or None
        The other way to collapse a knee, one mechanism at a time (exclusive
        with ``knee_collapse_deg``): joint angles added to the movement's own
        pose at each rep bottom (or hold), one value or ``(left, right)``,
        + = knee toward the midline, kneecap turned in, valgus. They ramp in
        like the collapse and are 0 when standing; the 2D FPPA is whatever the
        3D pose projects to (see ``valgus.synth.joints``). Any of them set (even 0)
        also draws kneecaps, so the rotation shows. Single-leg movements use
        the stance leg's values only.
    trunk_follow : float
        Share of the pelvis's frontal tilt the trunk takes: 1 square to the
        pelvis (the default), 0.5 half, 0 upright. MediaPipe's hip points follow
        the trunk more than the pelvis, so this decides how a drop reads.
    trunk_lean_deg : float
        Extra lateral trunk lean at the hold or rep bottom (+ toward the
        person's left), ramped like the pelvic drop (squats: like the depth).
    rep_scale : tuple of float
        Per rep (or hold), a factor in [0, 1] on its knee collapse, pelvic drop
        and (single-leg) trunk lean, not on its depth: a sweep of levels in one
        clip (the requested values are reached at 1). Empty: all at full size.
    """

    movement: str = "squat"
    reps: int = 3
    knee_collapse_deg: float | tuple[float, float] = 0.0
    pelvic_drop_deg: float = 0.0
    stance_side: str = "right"
    knee_flexion_deg: float | None = None
    fps: float = 30.0
    width: int = 720
    height: int = 960
    rep_s: float = 2.0
    pause_s: float = 0.6
    lead_in_s: float = 1.0
    tail_s: float = 0.8
    hold_s: float = 3.0
    drop_ramp_s: float = 0.5
    lift_s: float = 0.6
    seed: int = 0
    scene: Scene | HumanScene = field(default_factory=Scene)
    hip_adduction_deg: float | tuple[float, float] | None = None
    hip_internal_rotation_deg: float | tuple[float, float] | None = None
    knee_abduction_deg: float | tuple[float, float] | None = None
    trunk_follow: float = 1.0
    trunk_lean_deg: float = 0.0
    rep_scale: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if self.movement not in MOVEMENTS:
            raise ValueError(f"movement must be one of {MOVEMENTS}, got {self.movement!r}")
        if self.stance_side not in ("left", "right"):
            raise ValueError(f"stance_side must be 'left' or 'right', got {self.stance_side!r}")
        if self.reps < 1:
            raise ValueError(f"reps must be >= 1, got {self.reps}")
        if not self.fps > 0:
            raise ValueError(f"fps must be positive, got {self.fps}")
        if self.width < 64 or self.height < 64 or self.width % 2 or self.height % 2:
            raise ValueError(f"size must be even and >= 64x64, got {self.width}x{self.height}")
        if self.movement == "squat" and self.pelvic_drop_deg != 0:
            raise ValueError("pelvic_drop_deg applies to single-leg movements only")
        if not -20 <= self.pelvic_drop_deg <= 20:
            raise ValueError(f"pelvic_drop_deg must be in [-20, 20], got {self.pelvic_drop_deg}")
        if self.rep_scale and len(self.rep_scale) != self.reps:
            raise ValueError(f"rep_scale needs {self.reps} values, got {len(self.rep_scale)}")
        if any(not 0.0 <= k <= 1.0 for k in self.rep_scale):
            raise ValueError(f"rep_scale values must be in [0, 1], got {self.rep_scale}")
        if not 0.0 <= self.trunk_follow <= 1.0:
            raise ValueError(f"trunk_follow must be in [0, 1], got {self.trunk_follow}")
        if not -20 <= self.trunk_lean_deg <= 20:
            raise ValueError(f"trunk_lean_deg must be in [-20, 20], got {self.trunk_lean_deg}")
        flex = self.knee_flexion_deg
        if flex is not None and not 0 <= flex <= 100:
            raise ValueError(f"knee_flexion_deg must be in [0, 100], got {flex}")
        for name in ("rep_s", "lift_s", "drop_ramp_s", "hold_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        for name in ("pause_s", "lead_in_s", "tail_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        for value in self.collapse_by_side.values():
            if not -45 <= value <= 45:
                raise ValueError(f"knee_collapse_deg must be in [-45, 45], got {value}")
        self._check_joint_angles()

    def _check_joint_angles(self) -> None:
        if not self.uses_joint_angles:
            return
        if any(self.collapse_by_side.values()):
            raise ValueError(
                "set either knee_collapse_deg or the joint angles (hip_adduction_deg, "
                "hip_internal_rotation_deg, knee_abduction_deg), not both"
            )
        for name, (lo, hi) in JOINT_RANGES.items():
            for side, value in _by_side(name, getattr(self, name) or 0.0).items():
                if not lo <= value <= hi:
                    raise ValueError(f"{name} ({side}) must be in [{lo}, {hi}], got {value}")

    @property
    def collapse_by_side(self) -> dict[str, float]:
        """Requested bottom FPPA per side, ``{"left": deg, "right": deg}``."""
        return _by_side("knee_collapse_deg", self.knee_collapse_deg)

    @property
    def uses_joint_angles(self) -> bool:
        """Whether the collapse is set as joint angles (any of the three given)."""
        return any(getattr(self, name) is not None for name in JOINT_RANGES)

    @property
    def joint_angles_by_side(self) -> dict[str, tuple[float, float, float]]:
        """Per side (hip adduction, hip internal rotation, knee abduction) at the bottom, deg."""
        per_name = [_by_side(name, getattr(self, name) or 0.0) for name in JOINT_RANGES]
        return {side: tuple(values[side] for values in per_name) for side in ("left", "right")}

    @property
    def bottom_knee_flexion_deg(self) -> float:
        """Knee flexion at the rep bottom, with the movement's default."""
        if self.knee_flexion_deg is not None:
            return float(self.knee_flexion_deg)
        return {"squat": 75.0, "single-leg-squat": 60.0, "single-leg-stance": 5.0}[self.movement]

    @property
    def single_leg(self) -> bool:
        """Whether one foot leaves the floor."""
        return self.movement != "squat"
