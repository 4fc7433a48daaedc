"""``valgus synth``: the command line of the synthetic-clip renderer (valgus.synth.render).

The realistic body (``--figure human``, the default) or the drawn figure
(``--figure drawn``, fast, for tests) does the same movement; options of one
figure's look are refused for the other, so a clip is never silently not what
was asked.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np

from valgus.errors import UsageError
from valgus.movement import MOVEMENTS
from valgus.synth.human.materials import FOOTWEAR, LEGWEAR, SKIN_TONES, TOPS, Outfit
from valgus.synth.human.room import ROOMS
from valgus.synth.human.scene import HumanScene
from valgus.synth.human.shape import PRESETS
from valgus.synth.render import render
from valgus.synth.spec import BACKDROPS, JOINT_RANGES, Scene, SynthSpec

TRUNK = {"upright": 0.0, "half": 0.5, "full": 1.0}
# Look options of one figure only (argparse dest -> the figure it belongs to).
HUMAN_ONLY = ("body", "skin", "top", "footwear", "room", "camera_roll_deg", "fov_deg")
DRAWN_ONLY = ("body_height_m", "leg_scale", "hip_scale", "girth", "backdrop", "exposure")
DRAWN_ONLY += ("palette_seed",)


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 720x960, got {text!r}") from None
    return width, height


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``valgus synth MOVEMENT -o OUT.mp4``."""
    parser.add_argument("movement", choices=MOVEMENTS, help="what the person does")
    parser.add_argument("-o", "--output", required=True, type=Path, help="output .mp4")
    parser.add_argument(
        "--figure",
        choices=("human", "drawn"),
        default="human",
        help="human: the realistic MakeHuman body (default); drawn: the fast flat figure",
    )
    _add_motion(parser)
    parser.add_argument("--fps", type=float, default=30.0, help="frame rate (default 30)")
    parser.add_argument(
        "--size", type=_size, default=(720, 960), metavar="WxH", help="frame size (default 720x960)"
    )
    parser.add_argument("--crf", type=int, default=28, help="libx264 quality")
    parser.add_argument("--seed", type=int, default=0, help="picks the look of person and room")
    camera = parser.add_argument_group("camera (defaults: human 3.0 m away, lens at 1.0 m)")
    camera.add_argument("--camera-yaw-deg", type=float, default=0.0, help="0 = straight in front")
    camera.add_argument("--camera-height-m", type=float, help="lens above the floor")
    camera.add_argument("--camera-distance-m", type=float, help="horizontal distance")
    camera.add_argument("--camera-pitch-deg", type=float, help="downward tilt (human: aimed)")
    camera.add_argument("--camera-roll-deg", type=float, help="human: picture turned clockwise")
    camera.add_argument("--fov-deg", type=float, help="human: vertical field of view (the lens)")
    human = parser.add_argument_group("realistic body (--figure human)")
    human.add_argument("--body", choices=sorted(PRESETS), help="body shape (default woman_average)")
    human.add_argument("--skin", type=int, choices=range(len(SKIN_TONES)), help="0 light .. 5 dark")
    human.add_argument("--top", choices=TOPS, help="what the person wears up top (default: seeded)")
    human.add_argument("--legwear", choices=LEGWEAR, help="drawn figure: shorts or leggings")
    human.add_argument("--footwear", choices=FOOTWEAR, help="shoes or bare feet (default: seeded)")
    human.add_argument("--room", choices=ROOMS, help="background (default room)")
    drawn = parser.add_argument_group("drawn figure (--figure drawn)")
    drawn.add_argument("--body-height-m", type=float, help="standing height in metres")
    drawn.add_argument("--leg-scale", type=float, help="longer (>1) or shorter legs")
    drawn.add_argument("--hip-scale", type=float, help="wider (>1) or narrower hips")
    drawn.add_argument("--girth", type=float, help="limb and trunk thickness")
    drawn.add_argument("--backdrop", choices=BACKDROPS, help="the drawn room behind the figure")
    drawn.add_argument("--exposure", type=float, help="overall brightness")
    drawn.add_argument("--palette-seed", type=int, help="wide colour choices")


def _add_motion(parser: argparse.ArgumentParser) -> None:
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
    parser.add_argument(
        "--trunk",
        choices=tuple(TRUNK),
        default="full",
        help="how much of a pelvic tilt the trunk follows (upright 0, half, full 1)",
    )
    parser.add_argument(
        "--trunk-lean-deg", type=float, default=0.0, help="extra sideways lean (+ to the left)"
    )


def run(args: argparse.Namespace) -> int:
    """Render the clip described by parsed ``args``; return the exit code.

    A spec the renderer cannot draw (out-of-range angle, unreachable collapse,
    missing output folder, an option of the other figure) is a usage error:
    one line and exit code 2.
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


def _given(args: argparse.Namespace, names: tuple[str, ...]) -> dict[str, object]:
    """The options among ``names`` that were given on the command line."""
    return {name: getattr(args, name) for name in names if getattr(args, name) is not None}


def _spec_from(args: argparse.Namespace) -> SynthSpec:
    other = DRAWN_ONLY if args.figure == "human" else HUMAN_ONLY
    wrong = _given(args, other)
    if args.figure == "drawn" and args.legwear not in (None, "shorts", "leggings"):
        wrong["legwear"] = args.legwear
    if wrong:
        options = ", ".join("--" + name.replace("_", "-") for name in wrong)
        raise ValueError(f"not an option of --figure {args.figure}: {options}")
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
        trunk_follow=TRUNK[args.trunk],
        trunk_lean_deg=args.trunk_lean_deg,
        **joints,
        scene=_human_scene(args) if args.figure == "human" else _drawn_scene(args),
    )


def _camera(args: argparse.Namespace) -> dict[str, object]:
    names = ("camera_height_m", "camera_distance_m", "camera_pitch_deg")
    return {"camera_yaw_deg": args.camera_yaw_deg, **_given(args, names)}


def _human_scene(args: argparse.Namespace) -> HumanScene:
    scene = HumanScene(**_camera(args), **_given(args, ("room", "camera_roll_deg", "fov_deg")))
    if args.body is not None:
        scene = replace(scene, shape=args.body)
    look = _given(args, ("top", "legwear", "footwear"))
    if args.skin is not None:
        look["skin"] = SKIN_TONES[args.skin]
    if look:  # the seed's outfit with these parts replaced
        seeded = Outfit.random(np.random.default_rng(args.seed), sex=scene.body_shape.sex)
        scene = replace(scene, outfit=replace(seeded, **look))
    return scene


def _drawn_scene(args: argparse.Namespace) -> Scene:
    names = ("body_height_m", "leg_scale", "hip_scale", "girth", "legwear", "backdrop")
    return Scene(**_camera(args), **_given(args, (*names, "exposure", "palette_seed")))
