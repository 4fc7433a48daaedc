"""One clip as a self-contained, picklable task: the unit a process pool or Dask runs.

The task never raises for a bad clip: it returns a ClipOutcome saying what went
wrong, so one failure can never take down a batch (or a web server's worker).

After a successful analysis the task writes ``input.json`` into the clip's
output folder (valgus.batch.manifest): the input's content hash, size and mtime
and the analysis settings. It is written last, so its presence means the folder
is complete; ``valgus batch`` skips such a clip on a re-run while the input and
settings are unchanged.
"""

from __future__ import annotations

import os
import socket
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from valgus.batch.manifest import InputRecord, file_sha256, write_record
from valgus.errors import ValgusError
from valgus.pose.model_files import resolve_model
from valgus.thresholds import Thresholds

EXIT_INTERNAL_ERROR = 1
EXIT_TIMED_OUT = 124  # as GNU timeout(1)


@dataclass(frozen=True)
class ClipTask:
    """Everything needed to analyse one clip into ``out_folder``.

    Paths must be valid where the task runs: on a Dask cluster, absolute paths
    on storage every worker shares.
    """

    input_path: str
    out_folder: str
    movement: str = "auto"
    model: str = "full"
    sex: str | None = None
    overrides: tuple[tuple[str, float], ...] = ()
    write_video: bool = True
    # Landmarkers on time segments of this clip (valgus.pose.time_chunks); None = one per core
    # for long clips. A batch running several clips at once passes 1: the clips
    # already fill the cores, and segments would only add warm-up work.
    jobs: int | None = None
    mirror_average: bool = (
        False  # valgus.pose.mirror_average: the model on each frame and its mirror image
    )
    # The name the report shows when the file's own is not the one its owner knows
    # (the web app stores uploads under generated names). Not a setting: no redo.
    clip_name: str | None = None

    def settings(self) -> dict[str, Any]:
        """The options that change the numbers (a change means the clip is redone).

        ``write_video`` is not among them: it only adds a file, checked separately.
        ``mirror_average`` is recorded only when on, so folders written before
        the option existed stay current.
        """
        return {
            "movement": self.movement,
            "model": self.model,
            "sex": self.sex,
            # Last value wins for a repeated name, as in the analysis itself.
            "overrides": {k: float(v) for k, v in sorted(dict(self.overrides).items())},
            **({"mirror_average": True} if self.mirror_average else {}),
        }


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


def worker_id() -> str:
    """``host:pid`` of this process, recorded in every outcome."""
    return f"{socket.gethostname()}:{os.getpid()}"


def summary_of(session) -> dict:
    """The overview numbers of a Session (one row of a batch summary)."""
    s = session.summary
    return {
        "movement": session.movement,
        "reps": len(session.reps),
        "peak_fppa_left_deg": s.left.peak_fppa_deg,
        "peak_fppa_right_deg": s.right.peak_fppa_deg,
        "mean_fppa_left_deg": s.left.mean_fppa_deg,
        "mean_fppa_right_deg": s.right.mean_fppa_deg,
        "verdict_left": s.left.verdict,
        "verdict_right": s.right.verdict,
        "pelvic_drop_deg_max": s.pelvic_drop_deg_max,
        "pelvic_verdict": s.pelvic_verdict,
    }


def run_clip_task(task: ClipTask) -> ClipOutcome:
    """Analyse one clip; return its outcome instead of raising (KeyboardInterrupt excepted)."""
    start = time.perf_counter()
    path = Path(task.input_path)
    sha = None
    try:
        from valgus.cli.analyze import analyze_one  # inside: a broken install is this clip's error

        # Stat before hashing: if the file changes while we read it, the recorded
        # size/mtime will not match the next time and the clip is checked again.
        stat = path.stat() if path.is_file() else None
        sha = file_sha256(path) if stat is not None else None
        thresholds = Thresholds.for_sex(task.sex).with_overrides(**dict(task.overrides))
        session = analyze_one(
            path,
            Path(task.out_folder),
            movement=task.movement,
            model=resolve_model(task.model),
            thresholds=thresholds,
            write_video=task.write_video,
            show_progress=False,
            jobs=task.jobs,
            mirror_average=task.mirror_average,
            clip_name=task.clip_name,
        )
        if stat is not None and sha is not None:
            record = InputRecord(
                input_path=task.input_path,
                sha256=sha,
                size_bytes=stat.st_size,
                mtime_ns=stat.st_mtime_ns,
                settings=task.settings(),
                finished_at=time.time(),
            )
            write_record(Path(task.out_folder), record)
    except ValgusError as exc:
        return _failed(task, exc.exit_code, str(exc), start, sha)
    except Exception as exc:  # a bug must not end the batch; the outcome carries it
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return _failed(task, EXIT_INTERNAL_ERROR, f"internal error: {detail}", start, sha)
    return ClipOutcome(
        input_path=task.input_path,
        out_folder=task.out_folder,
        ok=True,
        exit_code=0,
        error=None,
        seconds=time.perf_counter() - start,
        input_sha256=sha,
        summary=summary_of(session),
        worker=worker_id(),
    )


def _no_result(
    task: ClipTask, code: int, error: str, *, seconds: float, worker: str
) -> ClipOutcome:
    """A task that sent no result back: its process died or was stopped, or a cluster lost it."""
    return ClipOutcome(
        input_path=task.input_path,
        out_folder=task.out_folder,
        ok=False,
        exit_code=code,
        error=error,
        seconds=seconds,
        input_sha256=None,
        summary=None,
        worker=worker,
    )


def lost_outcome(task: ClipTask, message: str, *, seconds: float, worker: str = "") -> ClipOutcome:
    """The outcome of a task whose process died or whose cluster lost it."""
    error = f"internal error: {message}"
    return _no_result(task, EXIT_INTERNAL_ERROR, error, seconds=seconds, worker=worker)


def timed_out_outcome(
    task: ClipTask, limit_s: float, *, seconds: float, worker: str
) -> ClipOutcome:
    """The outcome of a clip stopped for running past ``--clip-timeout``."""
    error = f"stopped after {limit_s:g} s (--clip-timeout); nothing of it was kept"
    return _no_result(task, EXIT_TIMED_OUT, error, seconds=seconds, worker=worker)


def _failed(task: ClipTask, code: int, message: str, start: float, sha: str | None) -> ClipOutcome:
    return ClipOutcome(
        input_path=task.input_path,
        out_folder=task.out_folder,
        ok=False,
        exit_code=code,
        error=message,
        seconds=time.perf_counter() - start,
        input_sha256=sha,
        summary=None,
        worker=worker_id(),
    )
