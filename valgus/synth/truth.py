"""The ground-truth file of a synthetic clip: one schema for the drawn figure and the body.

Why one home: the accuracy benchmark, the tests and the sample clips read the
same fields whichever renderer made the clip, so the FPPA, obliquity, drop and
rep entries are computed here once, from the rendered joint centres.

Per frame: the pixel positions of the joint centres keyed by MediaPipe
landmark name, the true FPPA per leg, the pelvic obliquity and drop, and the
reps (start / bottom / end in seconds and frames). A clip posed by joint angles
also holds, per frame and side, the hip adduction, hip internal rotation and
knee abduction its 3D pose realises; a clip with a non-default scene holds the
scene and the FPPA a frontal camera would see.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, replace

import numpy as np

from valgus.analysis.geometry import fppa_deg, pelvic_obliquity_deg
from valgus.synth.motion import POINT_INDEX, POINTS, Motion
from valgus.synth.spec import JOINT_RANGES, Scene, SynthSpec

TRUTH_VERSION = 1
DRAWN = "valgus.synth.render (rendered figure, Apache-2.0)"
POINT_INDEX_ORDER = {name: i for i, name in enumerate(POINTS)}


def rounded(values: np.ndarray, digits: int = 2) -> list:
    """``values`` rounded for the JSON file (pixels to 0.01, degrees to 0.001 by callers)."""
    return np.round(np.asarray(values, float), digits).tolist()


def truth_dict(
    spec: SynthSpec,
    motion: Motion,
    *,
    points_px: Mapping[str, np.ndarray] | None = None,
    generator: str = DRAWN,
) -> dict:
    """Ground truth of a posed clip as a JSON-ready dict (pixels, degrees, seconds).

    FPPA and obliquity use the analysis's definitions (``valgus.analysis.geometry``)
    on the joint centres: FPPA = 180 - interior hip-knee-ankle angle, + when
    the knee is on the other hip's side; obliquity + when the person's left
    hip is lower. Pelvic drop is the obliquity minus its standing value (frame
    0, both feet down), + when the non-stance hip is lower (absolute for squats):
    design.md's definition, which removes camera roll.

    Parameters
    ----------
    spec, motion : SynthSpec, Motion
        The clip and its posed points.
    points_px : mapping name -> (T, 2), optional
        The rendered body's own points, when they are not the motion's (the
        realistic body's shoulders, heels and toes are the rig's); hips, knees
        and ankles must be given. Default: the motion's projected points.
    generator : str
        What drew the clip, for the file's ``generator`` field.
    """
    if points_px is None:
        points_px = {name: motion.point(name) for name, i in POINT_INDEX.items() if i is not None}
    fppa, oblique, drop = _angles(spec, points_px)
    landmarks = {
        name: rounded(track, 2)
        for name, track in points_px.items()
        if POINT_INDEX.get(name) is not None
    }
    fps = spec.fps
    out = {
        "version": TRUTH_VERSION,
        "generator": generator,
        "movement": spec.movement,
        "stance_side": spec.stance_side if spec.single_leg else None,
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
        "landmark_index": {n: POINT_INDEX[n] for n in landmarks},
        "reps": _reps(motion, fps, fppa, drop),
        "frames": {
            "time_s": rounded(motion.times_s, 4),
            "fppa_left_deg": rounded(fppa["left"], 3),
            "fppa_right_deg": rounded(fppa["right"], 3),
            "pelvic_obliquity_deg": rounded(oblique, 3),
            "pelvic_drop_deg": rounded(drop, 3),
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
        out["frames"].update(
            {f"{k}_deg": rounded(v, 3) for k, v in motion.joint_angles_deg.items()}
        )
    return out


def _angles(
    spec: SynthSpec, points_px: Mapping[str, np.ndarray]
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Per frame: FPPA per side, the hip line's obliquity, and the pelvic drop."""
    pt = points_px.__getitem__
    fppa = {
        "left": fppa_deg(pt("LEFT_HIP"), pt("LEFT_KNEE"), pt("LEFT_ANKLE"), pt("RIGHT_HIP")),
        "right": fppa_deg(pt("RIGHT_HIP"), pt("RIGHT_KNEE"), pt("RIGHT_ANKLE"), pt("LEFT_HIP")),
    }
    oblique = pelvic_obliquity_deg(pt("LEFT_HIP"), pt("RIGHT_HIP"))
    # Against the standing pose of frame 0, as the analysis measures it: a rolled or
    # yawed camera tilts the standing hip line too, and that is no drop.
    tilt = oblique - oblique[0]
    if not spec.single_leg:
        return fppa, oblique, np.abs(tilt)
    return fppa, oblique, tilt if spec.stance_side == "right" else -tilt


def _reps(
    motion: Motion, fps: float, fppa: dict[str, np.ndarray], drop: np.ndarray
) -> list[dict[str, float]]:
    """One entry per rep: its frames and times, and the true values at its bottom."""
    reps = []
    for i, rep in enumerate(motion.timeline.reps, start=1):
        entry = {"index": i, **{f"{k}_frame": v for k, v in rep.items()}}
        entry.update({f"{k}_s": round(v / fps, 4) for k, v in rep.items()})
        b = rep["bottom"]
        entry["fppa_left_deg"] = round(float(fppa["left"][b]), 3)
        entry["fppa_right_deg"] = round(float(fppa["right"][b]), 3)
        entry["pelvic_drop_deg"] = round(float(drop[b]), 3)
        reps.append(entry)
    return reps


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
        "fppa_frontal_left_deg": rounded(
            fppa_deg(at("LEFT_HIP"), at("LEFT_KNEE"), at("LEFT_ANKLE"), at("RIGHT_HIP")), 3
        ),
        "fppa_frontal_right_deg": rounded(
            fppa_deg(at("RIGHT_HIP"), at("RIGHT_KNEE"), at("RIGHT_ANKLE"), at("LEFT_HIP")), 3
        ),
    }
