"""Read and true values of the benchmark clips, with the covariates a correction may use.

Why these covariates: MediaPipe's hip points move with the trunk more than
with the pelvis (design.md section 5), so the read shoulder line, which follows
the trunk at ~0.93, says how much of a read hip tilt is trunk; and 2D FPPA
shrinks as the knee bends toward the camera, so knee flexion (read from the
model's own 3D world landmarks, or the 2D depth) may set an FPPA gain.

Everything read comes from the pipeline's filtered track and frames table
(``valgus.pipeline.analyze_track``); the truth from the clip's truth file. The
stance side is the truth's (the pipeline finds the same one on every clip of
the set); standing frames are the pipeline's own rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.accuracy import clip_labels
from benchmarks.accuracy_set import human_specs, track_and_truth
from valgus.analysis.geometry import pelvic_obliquity_deg
from valgus.analysis.kinematics import GROUNDED_MAX_LIFT, STANDING_MAX_DEPTH
from valgus.pipeline import analyze_track
from valgus.pose.landmarks import Landmark
from valgus.session import Session

BOTTOM_HALF_WINDOW = 2  # frames either side of a true rep bottom averaged into one value
HOLD_TRIM = 0.1  # share of a hold left out at each end (the drop is still settling there)


@dataclass(frozen=True)
class PelvicFrames:
    """Single-leg frames of one clip: read and true pelvic drop, covariates (degrees).

    ``hip``: the pipeline's pelvic drop (hip-line tilt minus standing, signed
    by the stance side); ``shoulder``: the read shoulder line the same way;
    ``lean``: the read trunk lean toward the stance side; ``true``: the rig's
    hip-centre drop; ``rep``: which true rep (hold) each frame belongs to.
    """

    hip: np.ndarray
    shoulder: np.ndarray
    lean: np.ndarray
    true: np.ndarray
    rep: np.ndarray
    peak: np.ndarray  # True on the frames that make a rep's value (hold or bottom window)


@dataclass(frozen=True)
class Bottom:
    """One loaded leg at one true rep bottom: read and true FPPA, covariates."""

    read_deg: float
    true_deg: float
    flexion_deg: float  # knee flexion from MediaPipe's world landmarks
    side: str


@dataclass(frozen=True)
class ClipData:
    """One clip of the set: its labels (body, room, view, movement, trunk) and data."""

    index: int
    labels: dict[str, str]
    pelvic: PelvicFrames | None
    bottoms: tuple[Bottom, ...]


def _standing(frames: pd.DataFrame) -> np.ndarray:
    """The pipeline's standing frames (as ``estimate_reference`` picks them)."""
    lifts = frames[["ankle_lift_left", "ankle_lift_right"]].to_numpy(float)
    with np.errstate(invalid="ignore"):
        return (
            frames["lower_body_visible"].to_numpy(bool)
            & (frames["depth"].to_numpy(float) < STANDING_MAX_DEPTH)
            & (np.nanmax(lifts, axis=1) < GROUNDED_MAX_LIFT)
        )


def shoulder_tilt_deg(session: Session) -> np.ndarray:
    """Read shoulder-line obliquity minus its standing median (+ person's left lower)."""
    xy = session.track.xy_px
    raw = pelvic_obliquity_deg(xy[:, Landmark.LEFT_SHOULDER], xy[:, Landmark.RIGHT_SHOULDER])
    standing = _standing(session.frames) & np.isfinite(raw)
    return raw - (np.median(raw[standing]) if standing.any() else 0.0)


def knee_flexion_deg(session: Session, side: str) -> np.ndarray:
    """Knee flexion per frame from the model's world landmarks (0 = straight)."""
    world = session.track.world_xyz_m
    up = side.upper()
    hip, knee, ankle = (world[:, Landmark[f"{up}_{j}"]] for j in ("HIP", "KNEE", "ANKLE"))
    a, b = hip - knee, ankle - knee
    cos = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return 180.0 - np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def _pelvic(session: Session, truth: dict) -> PelvicFrames:
    stance = truth["stance_side"]
    sign = 1.0 if stance == "right" else -1.0  # + left lower = drop when the right leg stands
    frames = session.frames
    rep = np.full(len(frames), -1)
    peak = np.zeros(len(frames), dtype=bool)
    for k, r in enumerate(truth["reps"]):
        rep[r["start_frame"] : r["end_frame"] + 1] = k
        if "hold_start_frame" in r:
            a, b = r["hold_start_frame"], r["hold_end_frame"]
            trim = round(HOLD_TRIM * (b - a))
            peak[a + trim : b - trim + 1] = True
        else:
            m = r["bottom_frame"]
            peak[m - BOTTOM_HALF_WINDOW : m + BOTTOM_HALF_WINDOW + 1] = True
    lean = frames["trunk_lean_deg"].to_numpy(float)  # + toward the person's left
    return PelvicFrames(
        hip=sign * frames["pelvic_obliquity_deg"].to_numpy(float),
        shoulder=sign * shoulder_tilt_deg(session),
        lean=(1.0 if stance == "left" else -1.0) * lean,
        true=np.asarray(truth["frames"]["pelvic_drop_deg"], float),
        rep=rep,
        peak=peak,
    )


def _bottoms(session: Session, truth: dict) -> tuple[Bottom, ...]:
    sides = (truth["stance_side"],) if truth["stance_side"] else ("left", "right")
    out = []
    frames = session.frames
    for side in sides:
        read = frames[f"fppa_model_{side}_deg"].to_numpy(float)  # before valgus's own gain
        flexion = knee_flexion_deg(session, side)
        for r in truth["reps"]:
            m = r["bottom_frame"]
            w = slice(m - BOTTOM_HALF_WINDOW, m + BOTTOM_HALF_WINDOW + 1)
            out.append(
                Bottom(
                    read_deg=float(np.nanmean(read[w])),
                    true_deg=float(r[f"fppa_{side}_deg"]),
                    flexion_deg=float(np.nanmean(flexion[w])),
                    side=side,
                )
            )
    return tuple(out)


def load_clips(cache: Path, n: int = 48) -> list[ClipData]:
    """The first ``n`` clips of the benchmark's realistic-body set, read from ``cache``."""
    clips = []
    for i, spec in enumerate(human_specs(n)):
        track, truth = track_and_truth(spec, cache)
        session = analyze_track(track, movement=spec.movement)
        pelvic = _pelvic(session, truth) if truth["stance_side"] else None
        bottoms = _bottoms(session, truth) if spec.movement != "single-leg-stance" else ()
        clips.append(ClipData(i, clip_labels(spec), pelvic, bottoms))
    return clips
