"""The analysis pipeline: source -> pose -> filtering -> kinematics -> events -> Session.

``analyze`` runs the model on a video; ``analyze_track`` starts from a saved
PoseTrack, so re-analysing with other thresholds never reruns the model.
Nothing here draws or writes files (see valgus.outputs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from valgus.analysis.by_shot import (
    ShotResult,
    drop_against_a_baseline,
    filter_by_shots,
    kinematics_by_shots,
)
from valgus.analysis.events import (
    Rep,
    add_pelvic_drop,
    detect_movement,
    segment_reps,
    stance_sides,
)
from valgus.analysis.flags import compute_flags
from valgus.analysis.fppa_validity import fppa_valid
from valgus.analysis.kinematics import lower_body_visible
from valgus.analysis.quality import assess_quality
from valgus.analysis.refined_fppa import reading_frames, refined_fppa_columns
from valgus.analysis.rep_metrics import RepMetrics, rep_metrics
from valgus.analysis.shots import detect_shots
from valgus.analysis.summary import summarise
from valgus.movement import MOVEMENTS, Movement
from valgus.pose.keyframe_legs import KeyframeLegs, keyframe_reader
from valgus.pose.mirror_average import model_label
from valgus.pose.model_files import ResolvedModel, resolve_model
from valgus.pose.time_chunks import estimate_track_chunks
from valgus.pose.track import PoseTrack
from valgus.session import Session, SourceInfo
from valgus.thresholds import Thresholds
from valgus.video.source import Frame, VideoSource


def estimate_pose(
    path: str | Path,
    *,
    model: str | ResolvedModel = "full",
    jobs: int | None = None,
    on_frame: Callable[[Frame, np.ndarray | None], None] | None = None,
    mirror_average: bool = False,
    on_start: Callable[[int], None] | None = None,
) -> PoseTrack:
    """Run the pose model over every frame of the video at ``path``.

    ``model`` is a name or path for ``resolve_model``, or an already resolved
    model (resolve once when analysing many clips). The clip is read in its
    fixed time chunks (valgus.pose.time_chunks); ``jobs`` of them run at once
    (None: one per core), which changes the speed, never the result.
    ``mirror_average`` also runs the model on mirrored frames and averages
    (valgus.pose.mirror_average: no left/right bias from the model, twice the
    CPU). ``on_start`` gets the frame count the container declares (0 when it
    does not say) before the first frame, e.g. for a progress bar: the file is
    probed once, here.
    """
    resolved = model if isinstance(model, ResolvedModel) else resolve_model(model)
    with VideoSource(path, order="rgb") as source:
        info = source.info
    if on_start is not None:
        on_start(info.frames_declared)
    return estimate_track_chunks(
        info,
        resolved.path,
        model_name=model_label(resolved.name, mirror_average=mirror_average),
        jobs=jobs,
        on_frame=on_frame,
        mirror_average=mirror_average,
    )


def _gate_fppa(frames: pd.DataFrame, movement: str) -> pd.DataFrame:
    """Apply the movement's FPPA validity rule (valgus.analysis.fppa_validity).

    kinematics judged every leg as in a bilateral squat; a single-leg task has
    its own rule, which needs the stance leg, known only now.
    """
    if not Movement(movement).is_single_leg:
        return frames
    stance = frames["stance_side"].to_numpy(dtype=object)
    updates = {}
    for side, other in (("left", "right"), ("right", "left")):
        updates[f"fppa_valid_{side}"] = fppa_valid(
            frames[f"fppa_{side}_deg"].to_numpy(dtype=float),
            frames[f"thigh_ratio_{side}"].to_numpy(dtype=float),
            frames[f"knee_flexion_{side}_deg"].to_numpy(dtype=float),
            frames[f"leg_visible_{side}"].to_numpy(dtype=bool),
            body_yaw_deg=frames["body_yaw_deg"].to_numpy(dtype=float),
            single_leg=True,
            lifted=stance == other,
        )
    return frames.assign(**updates)


def analyze_track(
    raw: PoseTrack,
    *,
    movement: str = "auto",
    sex: str | None = None,
    thresholds: Thresholds | None = None,
    refine: Callable[[list[int]], KeyframeLegs] | None = None,
) -> Session:
    """Analyse a PoseTrack: filtering, kinematics, events, flags and summary.

    ``refine``, given the frames where the reps read FPPA, returns the second
    model's legs there (valgus.pose.keyframe_legs.keyframe_reader); the reps
    then read FPPA from them (valgus.analysis.refined_fppa). None: MediaPipe only.

    Raises
    ------
    ValueError
        For an unknown movement name.
    NoPersonError, WrongViewError, FramingError
        When the clip cannot be analysed (see valgus.analysis.quality).
    """
    if movement != "auto" and movement not in MOVEMENTS:
        raise ValueError(f"movement must be 'auto' or one of {', '.join(MOVEMENTS)}")
    thresholds = thresholds or Thresholds.for_sex(sex)
    shots = detect_shots(raw, lower_body_visible(raw))
    track, filter_report = filter_by_shots(raw, shots)
    frames, shot_results = kinematics_by_shots(track, shots)
    quality = assess_quality(raw, frames, shot_results, filter_report)
    detected = movement == "auto"
    if detected:
        movement = detect_movement(frames)
    reps = segment_reps(frames, movement)
    if not reps:
        quality = replace(quality, warnings=(*quality.warnings, _no_reps_warning(movement)))
    frames = frames.assign(stance_side=stance_sides(frames, reps))
    drop = add_pelvic_drop(frames, reps)
    frames = frames.assign(pelvic_drop_deg=drop_against_a_baseline(drop, frames, shot_results))
    frames = _gate_fppa(frames, movement)
    metrics = _measure_reps(frames, reps, shot_results, movement)
    legs = refine(reading_frames(metrics)) if refine is not None and metrics else None
    # The columns exist either way (NaN: not read by the second model), so frames.csv keeps
    # one shape whether it ran or not.
    frames = frames.assign(**refined_fppa_columns(frames, legs or KeyframeLegs()))
    if legs is not None:
        metrics = _measure_reps(frames, reps, shot_results, movement)
    if (
        movement == "squat"
        and metrics
        and sum(not m.symmetric for m in metrics) * 2 >= len(metrics)
    ):
        quality = replace(quality, warnings=(*quality.warnings, UNEQUAL_KNEES_WARNING))
    flags = compute_flags(frames, metrics, thresholds)
    frames = frames.join(flags.grades)
    return Session(
        source=SourceInfo(
            path=raw.source,
            fps=raw.fps,
            frames=raw.n_frames,
            duration_s=float(raw.times_s[-1]) if raw.n_frames else 0.0,
            width=raw.width,
            height=raw.height,
        ),
        movement=movement,
        movement_detected=detected,
        raw_track=raw,
        track=track,
        shots=shot_results,
        frames=frames,
        reps=metrics,
        flags=flags,
        quality=quality,
        summary=summarise(
            frames, metrics, thresholds, movement, frontal=quality.view.view in ("front", "back")
        ),
        thresholds=thresholds,
        filter_report=filter_report,
        second_model=legs,
    )


UNEQUAL_KNEES_WARNING = (
    "the knees bend unequally at the bottom (a lunge or a split stance?): the knees at "
    "depth and left against right are judged only in reps where both bend alike"
)


def _measure_reps(
    frames: pd.DataFrame, reps: list[Rep], shots: tuple[ShotResult, ...], movement: str
) -> tuple[RepMetrics, ...]:
    single_leg = Movement(movement).is_single_leg
    return tuple(
        rep_metrics(
            frames,
            rep,
            pelvic_reference=_pelvic_reference(frames, shots, rep),
            single_leg=single_leg,
        )
        for rep in reps
    )


def _pelvic_reference(frames: pd.DataFrame, shots: tuple[ShotResult, ...], rep: Rep) -> str:
    """What the pelvic drop of the shot holding ``rep`` is measured against."""
    number = int(frames.at[rep.start_frame, "shot"])
    return str(shots[number - 1].pelvic_reference)


def _no_reps_warning(movement: str) -> str:
    if movement == "single-leg-stance":
        return "no single-leg hold of 1 s or more found; lift one foot and hold"
    return f"no {movement} reps found; is --movement right and the whole squat in the clip?"


def analyze(
    path: str | Path,
    *,
    movement: str = "auto",
    model: str | ResolvedModel = "full",
    sex: str | None = None,
    thresholds: Thresholds | None = None,
    jobs: int | None = None,
    on_frame: Callable[[Frame, np.ndarray | None], None] | None = None,
    mirror_average: bool = False,
    refine: bool = True,
) -> Session:
    """Analyse the video at ``path`` (the Python twin of ``valgus analyze`` without outputs).

    ``refine`` re-reads the reps' FPPA frames with the second model (valgus.pose.second_model).
    """
    raw = estimate_pose(
        path, model=model, jobs=jobs, on_frame=on_frame, mirror_average=mirror_average
    )
    reader = keyframe_reader(path, raw) if refine else None
    return analyze_track(raw, movement=movement, sex=sex, thresholds=thresholds, refine=reader)
