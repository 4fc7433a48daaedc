"""What a batch has already done: per-clip input records, folder names, the outcome log.

Why a record per output folder (``OUTDIR/<name>/input.json``) and not one
manifest file: workers on a cluster finish clips at the same time and each
writes only into its own folder, so there is no shared file to corrupt; and a
folder is self-describing (which input, which content, which settings) wherever
it is copied. The record is written after everything else (run_clip_task), so
its presence means the folder is complete.

Resume rule: a clip is skipped when its folder holds a report and a record whose
settings equal this run's and whose input still has the recorded content. Size
and mtime are compared first; the content hash is computed only when they (or
the path) differ, so a re-run over a large, unchanged upload folder is fast.

The outcome log (``OUTDIR/batch-log.jsonl``) is append-only history, one line
per clip per run (done, failed or skipped): what happened, when, where.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from valgus.outputs.folders import cannot_write

RECORD_NAME = "input.json"
LOG_NAME = "batch-log.jsonl"
REPORT_NAME = "report.json"
VIDEO_NAME = "annotated.mp4"
# Files valgus batch writes into OUTDIR itself: no clip folder may take these names.
RESERVED_NAMES = frozenset({"index.html", "summary.csv", LOG_NAME})


@dataclass(frozen=True)
class InputRecord:
    """Which input (and which content, which settings) an output folder was made from."""

    input_path: str
    sha256: str
    size_bytes: int
    mtime_ns: int
    settings: Mapping[str, Any] = field(default_factory=dict)
    finished_at: float = 0.0  # epoch seconds


@dataclass(frozen=True)
class Freshness:
    """Whether a clip's folder is up to date, and why not."""

    up_to_date: bool
    reason: str


def file_sha256(path: Path, *, chunk_bytes: int = 1 << 20) -> str:
    """Content hash of a file, read in chunks (clips can be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk_bytes):
            digest.update(block)
    return digest.hexdigest()


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file and a rename: never half a file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; results are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_record(folder: Path, record: InputRecord) -> None:
    """Write ``folder/input.json`` atomically."""
    data = {"version": 1, **asdict(record), "settings": dict(record.settings)}
    write_text_atomic(folder / RECORD_NAME, json.dumps(data, indent=2) + "\n")


def read_record(folder: Path) -> InputRecord | None:
    """The record in ``folder``, or None if absent or unreadable (then the folder is redone)."""
    try:
        data = json.loads((folder / RECORD_NAME).read_text(encoding="utf-8"))
        return InputRecord(
            input_path=str(data["input_path"]),
            sha256=str(data["sha256"]),
            size_bytes=int(data["size_bytes"]),
            mtime_ns=int(data["mtime_ns"]),
            settings=dict(data.get("settings") or {}),
            finished_at=float(data.get("finished_at") or 0.0),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def check_folder(
    folder: Path, input_path: Path, settings: Mapping[str, Any], *, video: bool
) -> Freshness:
    """Is ``folder`` a complete, current result of ``input_path`` with ``settings``?

    When only the path or mtime differ but the content hash matches (the upload
    was copied or moved), the record is updated so the next check is fast again.
    """
    record = read_record(folder)
    if record is None:
        return Freshness(False, "not analysed yet")
    if not (folder / REPORT_NAME).is_file():
        return Freshness(False, "incomplete result")
    if video and not (folder / VIDEO_NAME).is_file():
        return Freshness(False, "annotated video missing")
    if dict(record.settings) != dict(settings):
        return Freshness(False, "settings changed")
    try:
        stat = input_path.stat()
    except OSError:
        return Freshness(False, "input unreadable")
    if stat.st_size != record.size_bytes:
        return Freshness(False, "input changed")
    same_place = record.input_path == str(input_path) and record.mtime_ns == stat.st_mtime_ns
    if same_place:
        return Freshness(True, "up to date")
    if file_sha256(input_path) != record.sha256:
        return Freshness(False, "input changed")
    moved = InputRecord(
        input_path=str(input_path),
        sha256=record.sha256,
        size_bytes=stat.st_size,
        mtime_ns=stat.st_mtime_ns,
        settings=record.settings,
        finished_at=record.finished_at,
    )
    write_record(folder, moved)
    return Freshness(True, "up to date (same content)")


def _recorded_owners(out_dir: Path) -> dict[str, str]:
    """Folder name -> recorded input path, for every folder in ``out_dir`` with a record."""
    owners = {}
    if out_dir.is_dir():
        for folder in sorted(out_dir.iterdir()):
            if folder.is_dir() and not folder.name.startswith("."):
                record = read_record(folder)
                if record is not None:
                    owners[folder.name] = record.input_path
    return owners


def _candidates(path: Path):
    stem = path.stem
    yield stem
    parent = path.parent.name
    base = f"{stem}-{parent}" if parent else stem
    if parent:
        yield base
    n = 2
    while True:
        yield f"{base}-{n}"
        n += 1


def assign_names(paths: Sequence[Path], out_dir: Path) -> list[str]:
    """Output folder name for each input: stable between runs, unique, never another's.

    A folder whose record names an input of this run keeps serving that input.
    Otherwise the clip's stem is used, then ``stem-<parent folder>``, then
    ``stem-<parent folder>-2``...; a name is taken if it belongs to another
    input of this run or to a recorded input that still exists (a result from an
    earlier batch into the same OUTDIR is never overwritten). Names are compared
    without case (macOS and Windows file systems). ``paths`` should be absolute
    and sorted, so that new names come out the same on every run.
    """
    owners = _recorded_owners(out_dir)
    wanted = {str(p) for p in paths}
    by_input: dict[str, str] = {}
    taken = {name.casefold() for name in RESERVED_NAMES}
    for name, owner in owners.items():
        if owner in wanted and owner not in by_input:
            by_input[owner] = name
            taken.add(name.casefold())
        elif Path(owner).exists():
            taken.add(name.casefold())
    names = []
    for path in paths:
        name = by_input.get(str(path))
        if name is None:
            name = next(c for c in _candidates(path) if c.casefold() not in taken)
            taken.add(name.casefold())
        names.append(name)
    return names


def clean_partials(out_dir: Path, names: Sequence[str]) -> int:
    """Remove temporary folders a killed run left for ``names``; return how many.

    See valgus.outputs.folders for how the folders are written.

    Only call this when nothing else is writing these clips.
    """
    import shutil

    removed = 0
    for name in names:
        pattern = glob.escape(str(out_dir / f".{name}."))
        for leftover in glob.glob(pattern + "partial-*") + glob.glob(pattern + "old-*"):
            shutil.rmtree(leftover, ignore_errors=True)
            removed += 1
    return removed


class OutcomeLog:
    """Append-only JSON lines in ``OUTDIR/batch-log.jsonl``; each line is flushed to disk.

    Parameters
    ----------
    out_dir : Path
        The batch's output folder.
    run_id : str
        Identifies this run in every line (runs append to the same file).
    """

    def __init__(self, out_dir: Path, run_id: str) -> None:
        self.path = out_dir / LOG_NAME
        self.run_id = run_id

    def append(self, entry: Mapping[str, Any]) -> None:
        """Add one line; fsync so a line written before a kill is not lost."""
        line = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "run": self.run_id, **entry}
        try:
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(line) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:  # a full disk: one line, not a traceback from the driver
            raise cannot_write(f"the batch log {self.path}", exc) from exc


def read_log(out_dir: Path) -> list[dict[str, Any]]:
    """Every complete line of the outcome log (a line cut off by a kill is ignored)."""
    path = out_dir / LOG_NAME
    if not path.exists():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        with contextlib.suppress(ValueError):
            entries.append(json.loads(line))
    return entries
