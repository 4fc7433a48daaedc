"""Run the analysis over several clips from the command line.

One bad clip never stops the others: each failure is reported as one line and
the run goes on; finished clips are already safe in their own folders.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tqdm import tqdm

from valgus.errors import UsageError, ValgusError
from valgus.outputs.clip_folder import write_outputs
from valgus.outputs.folders import atomic_folder, cannot_write, unique_names
from valgus.pipeline import analyze_track, estimate_pose
from valgus.pose.model_files import ResolvedModel, resolve_model
from valgus.pose.track import PoseTrack
from valgus.session import Session
from valgus.thresholds import Thresholds


def _load_track(path: Path) -> PoseTrack:
    """A saved PoseTrack from ``pose.npz`` or from an output folder holding one."""
    from valgus.errors import InputNotFoundError, NotAVideoError

    candidate = path / "pose.npz" if path.is_dir() else path
    if not candidate.exists():
        raise InputNotFoundError(f"{path}: no pose.npz found")
    try:
        return PoseTrack.load(candidate)
    except ValueError as exc:
        raise NotAVideoError(str(exc)) from exc


def _estimate(
    path: Path, model: ResolvedModel, jobs: int | None, show_progress: bool, mirror_average: bool
) -> PoseTrack:
    from valgus.video.source import VideoSource

    with VideoSource(path) as probe:
        total = probe.info.frames_declared or None
    with tqdm(
        total=total, desc=path.name, unit="frame", disable=not show_progress, leave=False
    ) as bar:
        return estimate_pose(
            path,
            model=model,
            jobs=jobs,
            on_frame=lambda *_: bar.update(),
            mirror_average=mirror_average,
        )


def analyze_one(
    path: Path,
    folder: Path,
    *,
    movement: str,
    model: ResolvedModel | None,
    thresholds: Thresholds,
    write_video: bool,
    show_progress: bool,
    jobs: int | None = None,
    mirror_average: bool = False,
    clip_name: str | None = None,
) -> Session:
    """Analyse one clip and write its outputs atomically to ``folder``.

    With ``model`` None, ``path`` is a saved ``pose.npz`` (or a folder holding
    one) and the model does not run; the video is redrawn if its file still exists.
    """
    if model is None:
        raw = _load_track(path)
    else:
        raw = _estimate(path, model, jobs, show_progress, mirror_average)
    session = analyze_track(raw, movement=movement, thresholds=thresholds)
    video = Path(raw.source) if model is None else path
    try:
        with atomic_folder(folder) as work:
            write_outputs(session, work, video if write_video else None, clip_name=clip_name)
    except OSError as exc:
        raise cannot_write(f"results to {folder}", exc) from exc
    return session


def _count(n: int, movement: str) -> str:
    noun = "hold" if movement == "single-leg-stance" else "rep"
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _one_line(session: Session, folder: Path) -> str:
    s = session.summary
    knees = [
        f"{side} knee {getattr(s, side).verdict}"
        for side in ("left", "right")
        if getattr(s, side).reps_measured or session.movement == "squat"
    ]
    return (
        f"{folder}: {session.movement}, {_count(len(session.reps), session.movement)}; "
        f"{', '.join(knees) or 'knees not measurable'}, pelvic drop {s.pelvic_verdict}"
    )


def analyze_many(
    paths: list[Path],
    out_dir: Path,
    *,
    movement: str = "auto",
    model: str = "full",
    sex: str | None = None,
    overrides: dict[str, float] | None = None,
    from_pose: bool = False,
    write_video: bool = True,
    show_progress: bool = True,
    jobs: int | None = None,
    mirror_average: bool = False,
) -> int:
    """Analyse every path; return 0 if all succeeded, else the exit code of the first failure."""
    try:
        thresholds = Thresholds.for_sex(sex).with_overrides(**(overrides or {}))
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    # Once for all clips: a missing model is one error, not one per clip.
    resolved = None if from_pose else resolve_model(model)
    first_failure = 0
    for path, name in zip(paths, unique_names(paths), strict=True):
        folder = out_dir / name
        try:
            session = analyze_one(
                path,
                folder,
                movement=movement,
                model=resolved,
                thresholds=thresholds,
                write_video=write_video,
                show_progress=show_progress and sys.stderr.isatty(),
                jobs=jobs,
                mirror_average=mirror_average,
            )
        except ValgusError as exc:
            message = str(exc) if str(exc).startswith(str(path)) else f"{path}: {exc}"
            sys.stderr.write(f"valgus: error: {message}\n")
            first_failure = first_failure or exc.exit_code
            continue
        sys.stdout.write(_one_line(session, folder) + "\n")
    return first_failure
