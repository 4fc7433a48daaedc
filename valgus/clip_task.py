"""One clip from its input to its output folder: the unit every way in runs.

``valgus analyze`` runs its clips one after the other in its own process,
``valgus batch`` on a process pool or Dask, ``valgus serve`` in its worker
processes, ``valgus live`` on its recording: all through ``run_clip_task`` (or,
for live, ``analyze_to_folder``), so a clip gives the same folder whichever way
it came in.

The task never raises for a bad clip: it returns a ClipOutcome saying what went
wrong, so one failure can never take down a batch (or a web server's worker).

After a successful analysis the task writes ``input.json`` into the clip's
output folder (valgus.outputs.input_record): the input's content hash, size
and mtime and the analysis settings. It is written last, so its presence means
the folder is complete; ``valgus batch`` skips such a clip on a re-run while the
input and settings are unchanged.
"""

from __future__ import annotations

import os
import socket
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tqdm import tqdm

from valgus.errors import InputNotFoundError, NotAVideoError, ValgusError
from valgus.movement import Movement
from valgus.outputs.folders import atomic_folder, cannot_write
from valgus.outputs.input_record import InputRecord, file_sha256, write_record
from valgus.pose.model_files import ResolvedModel, resolve_model
from valgus.pose.native_logs import quiet_native_logs
from valgus.settings import AnalysisSettings

if TYPE_CHECKING:
    from valgus.pose.track import PoseTrack
    from valgus.session import Session

EXIT_INTERNAL_ERROR = 1
EXIT_TIMED_OUT = 124  # as GNU timeout(1)


@dataclass(frozen=True)
class ClipTask:
    """Everything needed to analyse one clip into ``out_folder``.

    Paths must be valid where the task runs: on a Dask cluster, absolute paths
    on storage every worker shares.

    Attributes
    ----------
    input_path, out_folder : str
        The clip (or, with ``from_pose``, a saved ``pose.npz`` or a folder
        holding one) and the folder its outputs go to.
    settings : AnalysisSettings
        The user's choices. A batch running several clips at once sets
        ``jobs=1``: the clips already fill the cores, and time chunks would only
        add warm-up work.
    clip_name : str or None
        The name the report shows when the file's own is not the one its owner
        knows (the web app stores uploads under generated names). Not a
        setting: no redo.
    from_pose : bool
        Re-analyse a saved PoseTrack without running the model.
    keep_record : bool
        Write ``input.json`` (what makes the folder resumable by ``valgus batch``).
    quiet : bool
        Discard what the pose model's C++ core writes to stderr meanwhile
        (``-q``; valgus.pose.native_logs). Not a setting: no redo.
    """

    input_path: str
    out_folder: str
    settings: AnalysisSettings = field(default_factory=AnalysisSettings)
    clip_name: str | None = None
    from_pose: bool = False
    keep_record: bool = True
    quiet: bool = False


@dataclass(frozen=True)
class ClipOutcome:
    """What became of one ClipTask."""

    input_path: str
    out_folder: str
    ok: bool
    exit_code: int  # 0 on success, a valgus.errors exit code, or 1 for an internal error
    error: str | None
    seconds: float
    input_sha256: str | None
    summary: dict | None  # movement, reps, per-side verdicts; see summary_of
    worker: str = ""  # "host:pid" of the process that ran the task (where to look on a cluster)


def _since(start: float) -> float:
    return time.perf_counter() - start


def worker_id() -> str:
    """``host:pid`` of this process, recorded in every outcome."""
    return f"{socket.gethostname()}:{os.getpid()}"


def summary_of(session) -> dict:
    """The overview numbers of a Session (one row of a batch summary)."""
    s = session.summary
    return {
        "movement": session.movement,
        "reps": len(session.reps),
        "mean_fppa_left_deg": s.left.mean_fppa_deg,
        "mean_fppa_right_deg": s.right.mean_fppa_deg,
        "worst_rep_fppa_left_deg": s.left.worst_rep_fppa_deg,
        "worst_rep_fppa_right_deg": s.right.worst_rep_fppa_deg,
        "verdict_left": s.left.verdict,
        "verdict_right": s.right.verdict,
        "reps_measured_left": s.left.reps_measured,
        "reps_measured_right": s.right.reps_measured,
        # Said on stderr too, not only in report.json: a damaged file, and why no rep.
        "decode_notes": list(session.raw_track.notes),
        "no_reps_reason": next((w for w in session.quality.warnings if w.startswith("no ")), None)
        if not session.reps
        else None,
        "pelvic_drop_deg_max": s.pelvic_drop_deg_max,
        "pelvic_verdict": s.pelvic_verdict,
    }


def run_clip_task(task: ClipTask, *, show_progress: bool = False) -> ClipOutcome:
    """Analyse one clip; return its outcome instead of raising (KeyboardInterrupt excepted)."""
    start = time.perf_counter()
    path = Path(task.input_path)
    sha = None
    try:
        # Stat before hashing: if the file changes while we read it, the recorded
        # size/mtime will not match the next time and the clip is checked again.
        stat = path.stat() if task.keep_record and path.is_file() else None
        sha = file_sha256(path) if stat is not None else None
        with quiet_native_logs(task.quiet):
            session = analyze_to_folder(
                path,
                Path(task.out_folder),
                task.settings,
                model=None if task.from_pose else resolve_model(task.settings.model),
                show_progress=show_progress,
                clip_name=task.clip_name,
            )
        if stat is not None and sha is not None:
            record = InputRecord(
                input_path=task.input_path,
                sha256=sha,
                size_bytes=stat.st_size,
                mtime_ns=stat.st_mtime_ns,
                settings=task.settings.redo_key(),
                finished_at=time.time(),
            )
            write_record(Path(task.out_folder), record)
    except ValgusError as exc:
        return _failed(
            task, exc.exit_code, str(exc), seconds=_since(start), worker=worker_id(), sha=sha
        )
    except Exception as exc:  # a bug must not end the batch; the outcome carries it
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        error = f"internal error: {detail}"
        return _failed(
            task, EXIT_INTERNAL_ERROR, error, seconds=_since(start), worker=worker_id(), sha=sha
        )
    return ClipOutcome(
        input_path=task.input_path,
        out_folder=task.out_folder,
        ok=True,
        exit_code=0,
        error=None,
        seconds=_since(start),
        input_sha256=sha,
        summary=summary_of(session),
        worker=worker_id(),
    )


def summary_line(folder: Path | str, summary: dict) -> str:
    """The one line ``valgus analyze`` and ``valgus batch`` print for a finished clip.

    Knees that carried no measured rep of a single-leg task (the lifted leg)
    are left out rather than called "not measurable"; a clip with no rep says why.
    """
    movement = Movement(summary["movement"])
    if not summary["reps"]:
        reason = summary.get("no_reps_reason") or f"no {movement.rep_noun} found"
        return f"{folder}: {movement}, {movement.count(0)}: {reason}"
    knees = [
        f"{side} knee {summary[f'verdict_{side}']}"
        for side in ("left", "right")
        if summary[f"reps_measured_{side}"] or not movement.is_single_leg
    ]
    return (
        f"{folder}: {movement}, {movement.count(summary['reps'])}; "
        f"{', '.join(knees) or 'knees not measurable'}, pelvic drop {summary['pelvic_verdict']}"
    )


def warning_lines(path: Path | str, summary: dict) -> list[str]:
    """Lines for stderr about a clip that was analysed despite damage (truncated, corrupt)."""
    return [f"valgus: warning: {path}: {note}" for note in summary.get("decode_notes") or ()]


def error_line(path: Path | str, error: str | None) -> str:
    """The one line printed for a clip that failed, naming the clip once."""
    text = str(error or "failed")
    message = text if text.startswith(str(path)) else f"{path}: {text}"
    return f"valgus: error: {message}"


def load_track(path: Path) -> PoseTrack:
    """A saved PoseTrack from ``pose.npz`` or from an output folder holding one."""
    from valgus.pose.track import PoseTrack

    candidate = path / "pose.npz" if path.is_dir() else path
    if not candidate.exists():
        raise InputNotFoundError(f"{path}: no pose.npz found")
    try:
        return PoseTrack.load(candidate)
    except ValueError as exc:
        raise NotAVideoError(str(exc)) from exc


def _estimate(
    path: Path, model: ResolvedModel, settings: AnalysisSettings, show_progress: bool
) -> PoseTrack:
    from valgus.pipeline import estimate_pose

    with tqdm(desc=path.name, unit="frame", disable=not show_progress, leave=False) as bar:

        def start(frames_declared: int) -> None:
            bar.reset(total=frames_declared or None)

        return estimate_pose(
            path,
            model=model,
            jobs=settings.jobs,
            on_frame=lambda *_: bar.update(),
            mirror_average=settings.mirror_average,
            on_start=start,
        )


def analyze_to_folder(
    path: Path,
    folder: Path,
    settings: AnalysisSettings,
    *,
    model: ResolvedModel | None,
    show_progress: bool = False,
    clip_name: str | None = None,
) -> Session:
    """Analyse one clip and write its outputs atomically to ``folder``.

    With ``model`` None, ``path`` is a saved ``pose.npz`` (or a folder holding
    one) and the model does not run; the video is redrawn if its file still exists.
    The analysis stack is imported here, not with this module: the batch
    driver and the web server import it without analysing anything, and a
    broken install is then this clip's error, not the whole run's.
    """
    from valgus.outputs.clip_folder import write_outputs
    from valgus.pipeline import analyze_track
    from valgus.pose.keyframe_legs import keyframe_reader

    thresholds = settings.thresholds()
    raw = load_track(path) if model is None else _estimate(path, model, settings, show_progress)
    video = Path(raw.source) if model is None else path
    refine = keyframe_reader(video, raw) if settings.refine and video.is_file() else None
    session = analyze_track(raw, movement=settings.movement, thresholds=thresholds, refine=refine)
    try:
        with atomic_folder(folder) as work:
            write_outputs(
                session,
                work,
                video,
                draw_video=settings.write_video,
                clip_name=clip_name,
                video_size=settings.video_size,
            )
    except OSError as exc:
        raise cannot_write(f"results to {folder}", exc) from exc
    return session


def _failed(
    task: ClipTask, code: int, error: str, *, seconds: float, worker: str, sha: str | None = None
) -> ClipOutcome:
    """A task that failed here, or sent no result back (its process died or was stopped)."""
    return ClipOutcome(
        input_path=task.input_path,
        out_folder=task.out_folder,
        ok=False,
        exit_code=code,
        error=error,
        seconds=seconds,
        input_sha256=sha,
        summary=None,
        worker=worker,
    )


def lost_outcome(task: ClipTask, message: str, *, seconds: float, worker: str = "") -> ClipOutcome:
    """The outcome of a task whose process died or whose cluster lost it."""
    error = f"internal error: {message}"
    return _failed(task, EXIT_INTERNAL_ERROR, error, seconds=seconds, worker=worker)


def timed_out_outcome(
    task: ClipTask, limit_s: float, *, seconds: float, worker: str
) -> ClipOutcome:
    """The outcome of a clip stopped for running past ``--clip-timeout``."""
    error = f"stopped after {limit_s:g} s (--clip-timeout); nothing of it was kept"
    return _failed(task, EXIT_TIMED_OUT, error, seconds=seconds, worker=worker)
