"""``valgus analyze``: analyse clips one after the other in this process.

Each clip runs as the same ClipTask that ``valgus batch`` and the web app run
(valgus.clip_task), into the folder the shared naming rule gives it
(valgus.outputs.folders). One bad clip never stops the others: each failure is
reported as one line and the run goes on; finished clips are already safe in
their own folders.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from valgus.clip_task import ClipTask, error_line, run_clip_task, summary_line, warning_lines
from valgus.errors import UsageError
from valgus.outputs.folders import check_writable, folder_names, make_folder
from valgus.pose.model_files import resolve_model
from valgus.settings import AnalysisSettings

if TYPE_CHECKING:  # imported when used: pydantic is not needed by an analysis without it
    from valgus.corrections.file import CorrectionsFile


def analyze_many(
    paths: list[Path],
    out_dir: Path,
    settings: AnalysisSettings,
    *,
    from_pose: bool = False,
    show_progress: bool = True,
    corrections: Path | None = None,
) -> int:
    """Analyse every path; return 0 if all succeeded, else the exit code of the first failure.

    ``corrections`` (one clip only) is a coach's corrections file, read before the
    analysis and applied to the clip's folder after it (valgus.corrections.file).
    """
    document = _read_corrections(corrections, paths) if corrections else None
    # Before any analysis: a folder that cannot be written must not cost the user the
    # minutes of analysis first (as valgus live checks before the camera starts).
    make_folder(out_dir)
    check_writable(out_dir)
    # Once for all clips: a missing model is one error, not one per clip.
    if not from_pose:
        resolve_model(settings.model)
    first_failure = 0
    for path, name in zip(paths, folder_names(paths, out_dir), strict=True):
        task = ClipTask(
            input_path=str(path),
            out_folder=str(out_dir / name),
            settings=settings,
            from_pose=from_pose,
            keep_record=False,
            quiet=not show_progress,
        )
        outcome = run_clip_task(task, show_progress=show_progress and sys.stderr.isatty())
        if outcome.ok:
            summary = outcome.summary or {}
            for line in warning_lines(path, summary):
                sys.stderr.write(line + "\n")
            sys.stdout.write(summary_line(task.out_folder, summary) + "\n")
            if document is not None:
                _apply_corrections(Path(task.out_folder), document)
            continue
        sys.stderr.write(error_line(path, outcome.error) + "\n")
        first_failure = first_failure or outcome.exit_code
    return first_failure


def _read_corrections(path: Path, paths: list[Path]) -> CorrectionsFile:
    """The corrections file, checked before any analysis; UsageError (one line) if unusable."""
    from valgus.corrections.file import read_corrections_file

    if len(paths) != 1:
        raise UsageError("--corrections belongs to one clip: give exactly one PATH")
    try:
        return read_corrections_file(path)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def _apply_corrections(folder: Path, document: CorrectionsFile) -> None:
    from valgus.corrections.file import apply_to_folder

    try:
        count = apply_to_folder(folder, document)
    except ValueError as exc:
        raise UsageError(f"--corrections: {exc}") from exc
    sys.stdout.write(f"valgus: {count} corrected frames in {folder / 'report.html'}\n")
