"""Small realistic-body clips shared by the tests of valgus.synth.human (built once per run)."""

from __future__ import annotations

from functools import lru_cache

from valgus.synth.human.clip import HumanClip
from valgus.synth.human.scene import HumanScene
from valgus.synth.spec import SynthSpec

# Short timings at 10 fps: a whole clip is ~25 frames, its motion solves in well under a second.
FAST = {"fps": 10.0, "lead_in_s": 0.3, "tail_s": 0.2, "rep_s": 1.2, "lift_s": 0.4, "reps": 1}


@lru_cache(maxsize=4)
def collapse_clip(shape: str = "man_heavy", width: int = 180, height: int = 320) -> HumanClip:
    """A single-leg squat on the left leg that collapses by all three joint angles and drops."""
    spec = SynthSpec(
        "single-leg-squat",
        stance_side="left",
        knee_flexion_deg=60.0,
        hip_adduction_deg=12.0,
        hip_internal_rotation_deg=8.0,
        knee_abduction_deg=4.0,
        pelvic_drop_deg=4.0,
        width=width,
        height=height,
        scene=HumanScene(shape=shape),
        **FAST,
    )
    return HumanClip(spec)
