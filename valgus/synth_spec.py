"""What a synthetic clip shows: movement, timing, knee collapse, pelvic drop, framing.

Why a separate module: the motion (``synth_motion``), the drawing
(``synth_figure``) and the writer (``synth``) all read the same spec, and none
of them should own it.
"""

from __future__ import annotations

from dataclasses import dataclass

MOVEMENTS = ("squat", "single-leg-squat", "single-leg-stance")


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
        True FPPA at each rep bottom (+ valgus, - varus), one value for both legs
        or ``(left, right)`` in the person's own sides. Single-leg movements use
        the stance leg's value only; the lifted leg has no set collapse.
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

    @property
    def collapse_by_side(self) -> dict[str, float]:
        """Requested bottom FPPA per side, ``{"left": deg, "right": deg}``."""
        value = self.knee_collapse_deg
        if isinstance(value, (tuple, list)):
            if len(value) != 2:
                raise ValueError(f"knee_collapse_deg needs (left, right), got {value!r}")
            return {"left": float(value[0]), "right": float(value[1])}
        return {"left": float(value), "right": float(value)}

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
