"""One clip as a self-contained, picklable task: the unit a process pool or Dask runs.

The task never raises for a bad clip: it returns a ClipOutcome saying what went
wrong, so one failure can never take down a batch (or a web server's worker).
"""

from __future__ import annotations

import hashlib
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from valgus.errors import ValgusError
from valgus.models import resolve_model
from valgus.thresholds import Thresholds

EXIT_INTERNAL_ERROR = 1


@dataclass(frozen=True)
class ClipTask:
    """Everything needed to analyse one clip into ``out_folder``."""

    input_path: str
    out_folder: str
    movement: str = "auto"
    model: str = "full"
    sex: str | None = None
    overrides: tuple[tuple[str, float], ...] = ()
    write_video: bool = True


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


def file_sha256(path: Path, *, chunk_bytes: int = 1 << 20) -> str:
    """Content hash of a file, read in chunks (clips can be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk_bytes):
            digest.update(block)
    return digest.hexdigest()


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
    from valgus.runner import analyze_one

    start = time.perf_counter()
    path = Path(task.input_path)
    sha = None
    try:
        sha = file_sha256(path) if path.is_file() else None
        thresholds = Thresholds.for_sex(task.sex).with_overrides(**dict(task.overrides))
        session = analyze_one(
            path,
            Path(task.out_folder),
            movement=task.movement,
            model=resolve_model(task.model),
            thresholds=thresholds,
            write_video=task.write_video,
            show_progress=False,
        )
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
    )


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
    )
