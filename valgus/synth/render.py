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

import json
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from valgus.synth.backdrop import background
from valgus.synth.figure import Palette, draw_figure
from valgus.synth.motion import (
    POINT_INDEX,
    POINTS,
    Motion,
    build_motion,
    fppa_deg,
    obliquity_deg,
)
from valgus.synth.spec import JOINT_RANGES, Scene, SynthSpec
from valgus.video.writer import H264Writer

__all__ = ["Scene", "SynthSpec", "render", "truth_dict"]

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
        "generator": "valgus.synth.render (rendered figure, Apache-2.0)",
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
