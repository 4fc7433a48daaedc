"""``valgus synth``: the command line of the synthetic-clip renderer (valgus.synth.render)."""

from __future__ import annotations

import argparse
from pathlib import Path

from valgus.errors import UsageError
from valgus.movement import MOVEMENTS
from valgus.synth.render import render
from valgus.synth.spec import BACKDROPS, JOINT_RANGES, LEGWEAR, Scene, SynthSpec


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 720x960, got {text!r}") from None
    return width, height


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``valgus synth MOVEMENT -o OUT.mp4``."""
    parser.add_argument("movement", choices=MOVEMENTS, help="what the figure does")
    parser.add_argument("-o", "--output", required=True, type=Path, help="output .mp4")
    parser.add_argument(
        "--knee-collapse-deg",
        type=float,
        nargs="+",
        default=[0.0],
        metavar="DEG",
        help="true FPPA at each rep bottom: one value, or LEFT RIGHT (+ valgus)",
    )
    parser.add_argument(
        "--pelvic-drop-deg",
        type=float,
        default=0.0,
        help="contralateral pelvic drop (+ = free side lower)",
    )
    joints = parser.add_argument_group(
        "joint angles (instead of --knee-collapse-deg; DEG or LEFT RIGHT at each rep bottom)"
    )
    for name, help_text in (
        ("hip_adduction_deg", "+ = knee toward the midline"),
        ("hip_internal_rotation_deg", "+ = kneecap turned in"),
        ("knee_abduction_deg", "+ = valgus"),
    ):
        joints.add_argument(
            "--" + name.replace("_", "-"), type=float, nargs="+", metavar="DEG", help=help_text
        )
    parser.add_argument("--reps", type=int, default=3, help="squats, or holds for a stance")
    parser.add_argument("--stance", choices=("left", "right"), default="right", help="loaded leg")
    parser.add_argument("--knee-flexion-deg", type=float, default=None, help="depth at the bottom")
    parser.add_argument("--hold-s", type=float, default=3.0, help="single-leg stance hold time")
    parser.add_argument("--fps", type=float, default=30.0)
    parser.add_argument("--size", type=_size, default=(720, 960), metavar="WxH")
    parser.add_argument("--crf", type=int, default=28, help="libx264 quality")
    parser.add_argument("--seed", type=int, default=0, help="picks colours of person and room")
    scene = parser.add_argument_group("scene (camera, body, look)")
    scene.add_argument("--camera-yaw-deg", type=float, default=0.0, help="0 = straight in front")
    scene.add_argument("--camera-height-m", type=float, default=0.85)
    scene.add_argument("--camera-distance-m", type=float, default=3.2)
    scene.add_argument("--camera-pitch-deg", type=float, default=0.0, help="downward tilt")
    scene.add_argument("--body-height-m", type=float, default=1.72)
    scene.add_argument("--leg-scale", type=float, default=1.0, help="longer (>1) or shorter legs")
    scene.add_argument("--hip-scale", type=float, default=1.0, help="wider (>1) or narrower hips")
    scene.add_argument("--girth", type=float, default=1.0, help="limb and trunk thickness")
    scene.add_argument("--legwear", choices=LEGWEAR, default="shorts")
    scene.add_argument("--backdrop", choices=BACKDROPS, default="plain")
    scene.add_argument("--exposure", type=float, default=1.0, help="overall brightness")
    scene.add_argument("--palette-seed", type=int, default=None, help="wide colour choices")


def run(args: argparse.Namespace) -> int:
    """Render the clip described by parsed ``args``; return the exit code.

    A spec the renderer cannot draw (out-of-range angle, unreachable collapse,
    missing output folder) is a usage error: one line and exit code 2.
    """
    try:
        render(_spec_from(args), args.output, crf=args.crf)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    return 0


def _per_side(option: str, values: list[float] | None) -> float | tuple[float, float] | None:
    """One value for both legs, or (left, right), from an option's list of numbers."""
    if values is None:
        return None
    if len(values) > 2:
        raise ValueError(f"{option} takes one value or LEFT RIGHT")
    return values[0] if len(values) == 1 else (values[0], values[1])


def _spec_from(args: argparse.Namespace) -> SynthSpec:
    joints = {
        name: _per_side("--" + name.replace("_", "-"), getattr(args, name)) for name in JOINT_RANGES
    }
    return SynthSpec(
        movement=args.movement,
        reps=args.reps,
        knee_collapse_deg=_per_side("--knee-collapse-deg", args.knee_collapse_deg),
        pelvic_drop_deg=args.pelvic_drop_deg,
        stance_side=args.stance,
        knee_flexion_deg=args.knee_flexion_deg,
        hold_s=args.hold_s,
        fps=args.fps,
        width=args.size[0],
        height=args.size[1],
        seed=args.seed,
        **joints,
        scene=Scene(
            camera_yaw_deg=args.camera_yaw_deg,
            camera_height_m=args.camera_height_m,
            camera_distance_m=args.camera_distance_m,
            camera_pitch_deg=args.camera_pitch_deg,
            body_height_m=args.body_height_m,
            leg_scale=args.leg_scale,
            hip_scale=args.hip_scale,
            girth=args.girth,
            legwear=args.legwear,
            backdrop=args.backdrop,
            exposure=args.exposure,
            palette_seed=args.palette_seed,
        ),
    )
