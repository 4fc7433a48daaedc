"""A clip's corrections as a JSON file, and ``valgus analyze --corrections FILE``.

Why a file of points only: a coach away from the app, or on another server,
keeps and hands over the points they placed; whoever reads the file computes
every angle from the points against their own copy of the clip, so a file
cannot carry an angle its points do not give (extra keys, such as the angles
of a ``corrections.json`` that ``valgus analyze`` wrote, are ignored). The file
names the clip's frame size and frame count; a clip of another shape is refused.

In an analysis folder, the corrections are written as ``corrections.json`` (the
same format, with the angles) and report.html gets the coach corrections
section (valgus.corrections.report_section); the other outputs stay the model's.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from valgus.corrections.clip_frames import ClipFrames, load_clip_frames
from valgus.corrections.record import build_correction
from valgus.corrections.report_section import with_corrections

FORMAT = "valgus-corrections"
MAX_CORRECTIONS = 10_000
MAX_COACH_CHARS = 100


class ClipShape(BaseModel):
    """The clip a corrections file belongs to, as far as a reader can check it."""

    name: str = ""
    width: int
    height: int
    frames: int


class FileCorrection(BaseModel):
    """One frame's points in a corrections file."""

    frame: int = Field(ge=0)
    coach: str = Field(min_length=1, max_length=MAX_COACH_CHARS)
    points: dict[str, Any]
    time_s: float | None = None
    created_at: float | None = None


class CorrectionsFile(BaseModel):
    """A clip's corrections: ``GET /api/clips/{id}/corrections/file`` writes one."""

    format: Literal["valgus-corrections"]
    version: Literal[1]
    clip: ClipShape
    corrections: list[FileCorrection] = Field(max_length=MAX_CORRECTIONS)


def read_corrections_file(path: Path) -> CorrectionsFile:
    """The corrections file at ``path``; ValueError (one line) when it is not one."""
    try:
        return CorrectionsFile.model_validate_json(Path(path).read_bytes())
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the file"
        raise ValueError(
            f"{path} is not a valgus corrections file ({where}: {first['msg']})"
        ) from None


def check_shape(document: CorrectionsFile, frames: ClipFrames) -> None:
    """ValueError unless the file's clip has this clip's frame size and frame count."""
    track, clip = frames.track, document.clip
    if (clip.width, clip.height, clip.frames) != (track.width, track.height, track.n_frames):
        raise ValueError(
            f"the corrections are for a {clip.width}x{clip.height} clip of {clip.frames} frames; "
            f"this clip is {track.width}x{track.height} with {track.n_frames}"
        )


def apply_to_folder(folder: Path, document: CorrectionsFile) -> int:
    """Write corrections.json and the report's corrections section into an analysis folder.

    Every correction is checked before anything is written; the last one of a frame
    counts. Returns how many frames are corrected.

    Raises
    ------
    ValueError
        For a clip of another shape, a frame outside the clip or points it refuses.
    """
    folder = Path(folder)
    frames = load_clip_frames(folder / "pose.npz", _existing(folder / "frames.csv"))
    check_shape(document, frames)
    by_frame: dict[int, dict[str, Any]] = {}
    for number, item in enumerate(document.corrections, start=1):
        record = build_correction(frames, frame=item.frame, points=item.points, coach=item.coach)
        record.update(id=number, created_at=item.created_at or time.time())
        by_frame[item.frame] = record
    current = [by_frame[frame] for frame in sorted(by_frame)]
    out = document.model_dump() | {"corrections": current}
    _replace(folder / "corrections.json", json.dumps(out, indent=1) + "\n")
    report_html, report_json = folder / "report.html", folder / "report.json"
    if report_html.is_file() and report_json.is_file():
        report = json.loads(report_json.read_text(encoding="utf-8"))
        html = with_corrections(report_html.read_text(encoding="utf-8"), report, current)
        _replace(report_html, html)
    return len(current)


def _existing(path: Path) -> Path | None:
    return path if path.is_file() else None


def _replace(path: Path, text: str) -> None:
    """Write ``path`` whole or not at all (a reader never sees half a file)."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
