"""Run a batch: find the clips, skip what is done, run the rest, keep the overview current.

The order of work is what makes a batch safe to kill and re-run:

1. discover the clips and give each its output folder (stable between runs);
2. skip clips whose folder is complete and current (valgus.batch.manifest);
3. run the rest on a backend (valgus.batch.executors), at most one clip per
   worker in flight; every finished clip is logged, then the overview is
   rewritten, so an interrupted run still has one;
4. one failing clip is recorded and the batch goes on (unless ``fail_fast``).

Each clip's outputs appear atomically (valgus.outputs.folders), with ``input.json``
last, so a killed run leaves finished clips finished and the rest absent.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from tqdm import tqdm

from valgus.batch.inputs import discover, display_names
from valgus.batch.manifest import RESERVED_NAMES, OutcomeLog, check_folder
from valgus.batch.overview import clip_row, write_overview
from valgus.clip_task import ClipOutcome, ClipTask
from valgus.outputs.folders import cannot_write, clean_partials, folder_names, make_folder
from valgus.settings import AnalysisSettings


class Backend(Protocol):
    """What the driver needs from an executor (see valgus.batch.executors)."""

    is_local: bool

    def capacity(self) -> int: ...
    def submit(self, task: ClipTask) -> None: ...
    def wait(self) -> list[ClipOutcome]: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class BatchOptions:
    """The analysis settings (as for ``valgus analyze``) and how the batch behaves."""

    settings: AnalysisSettings = field(default_factory=AnalysisSettings)
    fail_fast: bool = False
    show_progress: bool = True
    quiet: bool = False  # -q: the workers discard the pose model's native log lines

    def task(self, path: Path, folder: Path) -> ClipTask:
        """The ClipTask that analyses ``path`` into ``folder``."""
        return ClipTask(
            input_path=str(path), out_folder=str(folder), settings=self.settings, quiet=self.quiet
        )


@dataclass
class Clip:
    """One clip of the batch and what became of it in this run."""

    path: Path
    label: str  # path relative to the folder all inputs share: the overview's name
    folder: Path
    status: str = "not analysed"  # "done" | "failed" | "not analysed"
    skipped: bool = False  # done by an earlier run, still current
    outcome: ClipOutcome | None = None
    row: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchResult:
    """Every clip of the run; ``exit_code`` is 0 or the code of the first failed clip."""

    clips: tuple[Clip, ...]
    out_dir: Path

    @property
    def exit_code(self) -> int:
        """0 when no clip failed, else the exit code of the first failure in input order."""
        return next((c.row.get("exit_code") or 1 for c in self.clips if c.status == "failed"), 0)

    def count(self, status: str, *, skipped: bool | None = None) -> int:
        """Clips with ``status`` (and, if given, skipped or not)."""
        return sum(
            1
            for c in self.clips
            if c.status == status and (skipped is None or c.skipped == skipped)
        )


def _set_row(clip: Clip) -> None:
    try:
        clip.row = _row(clip, clip.status)
    except (OSError, ValueError) as exc:  # a report we cannot read is not a result
        clip.status = "failed"
        clip.row = _row(clip, "failed", error=f"cannot read report.json: {exc}", exit_code=1)


def _row(clip: Clip, status: str, **extra: Any) -> dict[str, Any]:
    outcome = clip.outcome
    if status == "failed" and outcome is not None and "error" not in extra:
        extra = {"error": outcome.error, "exit_code": outcome.exit_code}
    return clip_row(
        clip=clip.label, input_path=str(clip.path), folder=clip.folder, status=status, **extra
    )


def _log_entry(clip: Clip, status: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"status": status, "input": str(clip.path), "folder": clip.folder.name}
    outcome = clip.outcome
    if outcome is not None:
        entry.update(
            exit_code=outcome.exit_code,
            error=outcome.error,
            seconds=round(outcome.seconds, 3),
            sha256=outcome.input_sha256,
            worker=outcome.worker,
        )
    return entry


def _prepare(
    inputs: Sequence[str | os.PathLike[str]], out_dir: Path, options: BatchOptions, log: OutcomeLog
) -> list[Clip]:
    """Discover the clips, name their folders, and mark those already done and current."""
    paths = discover(inputs, exclude=[out_dir])
    names = folder_names(paths, out_dir, reserved=RESERVED_NAMES)
    settings = options.settings.redo_key()
    clips = []
    for path, label, name in zip(paths, display_names(paths), names, strict=True):
        clip = Clip(path=path, label=label, folder=out_dir / name)
        if check_folder(clip.folder, path, settings, video=options.settings.write_video).up_to_date:
            clip.status, clip.skipped = "done", True
            _set_row(clip)
            if clip.status == "done":
                log.append(_log_entry(clip, "skipped"))
            else:  # its report.json is unreadable: analyse it again
                clip.status, clip.skipped = "not analysed", False
        if not clip.skipped:
            _set_row(clip)
        clips.append(clip)
    clean_partials(out_dir, [c.folder.name for c in clips if not c.skipped])
    return clips


def run_batch(
    inputs: Sequence[str | os.PathLike[str]],
    out_dir: Path,
    *,
    options: BatchOptions,
    start_backend: Callable[[int], Backend],
    on_clip: Callable[[Clip], None] | None = None,
) -> BatchResult:
    """Analyse every clip named by ``inputs`` into ``out_dir``; see the module docstring.

    Parameters
    ----------
    inputs : sequence of str or path
        Files, folders and glob patterns (valgus.batch.inputs.discover).
    out_dir : Path
        Output folder; on a cluster it must be on storage the workers share.
    options : BatchOptions
    start_backend : callable
        ``start_backend(n_clips_to_run) -> Backend``; called only if there is work.
    on_clip : callable, optional
        Called with each clip as it finishes (the CLI prints one line).

    Returns
    -------
    BatchResult
        KeyboardInterrupt propagates after the overview has been written.
    """
    out_dir = Path(out_dir).expanduser().resolve()  # workers need absolute paths
    make_folder(out_dir)
    log = OutcomeLog(out_dir, run_id=f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}")
    clips = _prepare(inputs, out_dir, options, log)
    title = f"valgus batch: {out_dir.name}"

    def refresh() -> None:
        try:
            write_overview(out_dir, [c.row for c in clips], title=title)
        except OSError as exc:  # a full disk; finished clip folders stay as they are
            raise cannot_write(f"the batch overview in {out_dir}", exc) from exc

    refresh()
    todo = [c for c in clips if not c.skipped]
    try:
        if todo:
            _execute(todo, clips, options, start_backend, log, refresh, on_clip)
    finally:
        _settle(clips, options, log)
        refresh()
    return BatchResult(clips=tuple(clips), out_dir=out_dir)


def _settle(clips: list[Clip], options: BatchOptions, log: OutcomeLog) -> None:
    """Count clips that finished while the batch was stopping (a cluster cannot abort a task)."""
    for clip in clips:
        if clip.status != "not analysed":
            continue
        settings = options.settings.redo_key()
        if check_folder(
            clip.folder, clip.path, settings, video=options.settings.write_video
        ).up_to_date:
            clip.status = "done"
            _set_row(clip)
            log.append({**_log_entry(clip, "done"), "note": "finished while the batch stopped"})


def _execute(
    todo: list[Clip],
    clips: list[Clip],
    options: BatchOptions,
    start_backend: Callable[[int], Backend],
    log: OutcomeLog,
    refresh: Callable[[], None],
    on_clip: Callable[[Clip], None] | None,
) -> None:
    """Keep the backend busy with at most ``capacity()`` clips until all are done."""
    by_folder = {str(c.folder): c for c in todo}
    queue, in_flight = deque(todo), set()
    backend = start_backend(len(todo))
    bar = _Bar(clips, enabled=options.show_progress)
    stopping = False
    try:
        while (queue or in_flight) and not stopping:
            while queue and len(in_flight) < backend.capacity():
                clip = queue.popleft()
                backend.submit(options.task(clip.path, clip.folder))
                in_flight.add(str(clip.folder))
            for outcome in backend.wait():
                in_flight.discard(outcome.out_folder)
                clip = by_folder[outcome.out_folder]
                clip.outcome = outcome
                clip.status = "done" if outcome.ok else "failed"
                _set_row(clip)
                # Overview first: whatever the log says is done, the overview shows too,
                # even if the batch is killed between the two writes.
                refresh()
                log.append(_log_entry(clip, clip.status))
                bar.update()
                if on_clip is not None:
                    on_clip(clip)
                stopping = stopping or (options.fail_fast and clip.status == "failed")
    finally:
        backend.close()
        bar.close()
        if backend.is_local and in_flight:  # its workers are gone: nothing writes there now
            clean_partials(todo[0].folder.parent, [Path(f).name for f in in_flight])


class _Bar:
    """The overall progress bar on stderr: clips done / failed / remaining, and ETA."""

    def __init__(self, clips: list[Clip], *, enabled: bool) -> None:
        self._clips = clips
        skipped = sum(1 for c in clips if c.skipped)
        self._bar = tqdm(
            total=len(clips), initial=skipped, unit="clip", desc="valgus batch", disable=not enabled
        )
        self.update(0)

    def update(self, n: int = 1) -> None:
        done = sum(1 for c in self._clips if c.status == "done")
        failed = sum(1 for c in self._clips if c.status == "failed")
        self._bar.set_postfix(
            done=done, failed=failed, remaining=len(self._clips) - done - failed, refresh=False
        )
        self._bar.update(n)

    def close(self) -> None:
        self._bar.close()
