"""Render synthetic sample clips with known ground truth (``valgus synth``).

Why: the project cannot ship other people's footage, and real clips carry no
true FPPA. A rendered person whose joint centres we place ourselves gives both
a shareable demo clip and an exact answer to test the pipeline against.

The clip is an H.264 MP4 (``H264Writer``); next to it, ``<name>.truth.json``
holds, per frame, the pixel positions of the drawn joint centres keyed by
MediaPipe landmark name, the true FPPA per leg, the pelvic obliquity and drop,
and the reps (start / bottom / end in seconds and frames). A clip posed by
joint angles also holds, per frame and side, the hip adduction, hip internal
rotation and knee abduction its 3D pose realises.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from valgus.errors import UsageError
from valgus.synth_figure import Palette, background, draw_figure
from valgus.synth_motion import (
    POINT_INDEX,
    POINTS,
    Motion,
    build_motion,
    fppa_deg,
    obliquity_deg,
)
from valgus.synth_spec import BACKDROPS, JOINT_RANGES, LEGWEAR, MOVEMENTS, Scene, SynthSpec
from valgus.video_writer import H264Writer

__all__ = ["Scene", "SynthSpec", "add_arguments", "render", "run", "truth_dict"]

TRUTH_VERSION = 1
POINT_INDEX_ORDER = {name: i for i, name in enumerate(POINTS)}


def _round(values: np.ndarray, digits: int = 2) -> list:
    return np.round(np.asarray(values, float), digits).tolist()


def truth_dict(spec: SynthSpec, motion: Motion) -> dict:
    """Ground truth of a posed clip as a JSON-ready dict (pixels, degrees, seconds).

    FPPA and obliquity use the contract's definitions on the drawn joint
    centres: FPPA = 180 - interior hip-knee-ankle angle, + when the knee is on
    the other hip's side; obliquity + when the person's left hip is lower.
    Pelvic drop is + when the non-stance hip is lower (|obliquity| for squats).
    """
    pt = motion.point
    fppa = {
        "left": fppa_deg(pt("LEFT_HIP"), pt("LEFT_KNEE"), pt("LEFT_ANKLE"), pt("RIGHT_HIP")),
        "right": fppa_deg(pt("RIGHT_HIP"), pt("RIGHT_KNEE"), pt("RIGHT_ANKLE"), pt("LEFT_HIP")),
    }
    oblique = obliquity_deg(pt("LEFT_HIP"), pt("RIGHT_HIP"))
    if not spec.single_leg:
        drop, stance = np.abs(oblique), None
    else:
        stance = spec.stance_side
        drop = oblique if stance == "right" else -oblique
    landmarks = {
        name: _round(pt(name), 2) for name, index in POINT_INDEX.items() if index is not None
    }
    fps = spec.fps
    reps = []
    for i, rep in enumerate(motion.timeline.reps, start=1):
        entry = {"index": i, **{f"{k}_frame": v for k, v in rep.items()}}
        entry.update({f"{k}_s": round(v / fps, 4) for k, v in rep.items()})
        b = rep["bottom"]
        entry["fppa_left_deg"] = round(float(fppa["left"][b]), 3)
        entry["fppa_right_deg"] = round(float(fppa["right"][b]), 3)
        entry["pelvic_drop_deg"] = round(float(drop[b]), 3)
        reps.append(entry)
    out = {
        "version": TRUTH_VERSION,
        "generator": "valgus.synth (rendered figure, Apache-2.0)",
        "movement": spec.movement,
        "stance_side": stance,
        "fps": fps,
        "width": spec.width,
        "height": spec.height,
        "n_frames": len(motion.times_s),
        "requested": {
            "knee_collapse_deg": spec.collapse_by_side,
            "pelvic_drop_deg": spec.pelvic_drop_deg,
            "knee_flexion_deg": spec.bottom_knee_flexion_deg,
            "seed": spec.seed,
        },
        "landmark_index": {n: i for n, i in POINT_INDEX.items() if i is not None},
        "reps": reps,
        "frames": {
            "time_s": _round(motion.times_s, 4),
            "fppa_left_deg": _round(fppa["left"], 3),
            "fppa_right_deg": _round(fppa["right"], 3),
            "pelvic_obliquity_deg": _round(oblique, 3),
            "pelvic_drop_deg": _round(drop, 3),
            "landmarks_px": landmarks,
        },
    }
    if spec.scene != Scene():
        # Only non-default scenes say so, so the bundled samples' truth files stay as they are.
        out["scene"] = asdict(spec.scene)
        out["frames"].update(_frontal_fppa(motion))
    if motion.joint_angles_deg is not None:
        # Realised, read back from the posed points (the closed chain may not give all of
        # what was asked); 0 = the movement's own pose.
        out["requested"]["joint_angles_deg"] = {name: _by_side(spec, name) for name in JOINT_RANGES}
        out["frames"].update({f"{k}_deg": _round(v, 3) for k, v in motion.joint_angles_deg.items()})
    return out


def _by_side(spec: SynthSpec, name: str) -> dict[str, float]:
    index = list(JOINT_RANGES).index(name)
    return {side: values[index] for side, values in spec.joint_angles_by_side.items()}


def _frontal_fppa(motion: Motion) -> dict[str, list]:
    """FPPA of the same 3D pose seen by the camera turned back to 0 deg yaw.

    The clinical measure assumes a frontal camera; the difference from the
    clip's own (yawed) FPPA is what yaw adds to the 2D angle.
    """
    camera = replace(motion.camera, yaw_deg=0.0)
    if motion.camera.yaw_deg != 0.0 and motion.camera.pitch_deg != 0.0:
        # Same framing rule: keep the tilted camera's principal point from its own framing.
        camera = replace(camera, cy=motion.camera.cy)
    px, _ = camera.project(motion.world_m)

    def at(name: str) -> np.ndarray:
        return px[:, POINT_INDEX_ORDER[name]]

    return {
        "fppa_frontal_left_deg": _round(
            fppa_deg(at("LEFT_HIP"), at("LEFT_KNEE"), at("LEFT_ANKLE"), at("RIGHT_HIP")), 3
        ),
        "fppa_frontal_right_deg": _round(
            fppa_deg(at("RIGHT_HIP"), at("RIGHT_KNEE"), at("RIGHT_ANKLE"), at("LEFT_HIP")), 3
        ),
    }


def render(spec: SynthSpec, path: str | Path, *, crf: int = 28) -> Path:
    """Render ``spec`` to ``path`` (.mp4, H.264) and ``path.with_suffix(".truth.json")``.

    Parameters
    ----------
    spec : SynthSpec
        What to show.
    path : str or Path
        Output video; its folder must exist.
    crf : int, keyword-only
        libx264 quality (28 keeps a 10 s 720x960 clip near 1 MB).

    Returns
    -------
    Path
        The video path.
    """
    path = Path(path)
    if path.suffix.lower() != ".mp4":
        raise ValueError(f"output must be an .mp4 file, got {path.name!r}")
    if not path.parent.is_dir():
        raise ValueError(f"output folder does not exist: {path.parent}")
    motion = build_motion(spec)
    palette = Palette.for_scene(spec.seed, spec.scene)
    room = background(spec.width, spec.height, motion.camera, palette, spec.seed)
    with H264Writer(path, spec.width, spec.height, spec.fps, crf=crf) as writer:
        for i, time_s in enumerate(motion.times_s):
            frame = draw_figure(
                room.copy(),
                motion.points_px[i],
                motion.depth_m[i],
                motion.camera,
                palette,
                kneecaps=spec.uses_joint_angles,
            )
            writer.write(frame, float(time_s))
    truth = truth_dict(spec, motion)
    path.with_suffix(".truth.json").write_text(json.dumps(truth, separators=(",", ":")))
    return path


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
