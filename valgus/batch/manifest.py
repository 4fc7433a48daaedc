"""What a batch has already done: which clip folders are current, and the outcome log.

Each clip folder carries the record of what made it
(valgus.outputs.input_record, ``OUTDIR/<name>/input.json``), written last.

Resume rule: a clip is skipped when its folder holds a report and a record whose
settings equal this run's and whose input still has the recorded content. Size
and mtime are compared first; the content hash is computed only when they (or
the path) differ, so a re-run over a large, unchanged upload folder is fast.

The outcome log (``OUTDIR/batch-log.jsonl``) is append-only history, one line
per clip per run (done, failed or skipped): what happened, when, where.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from valgus.outputs.folders import cannot_write
from valgus.outputs.input_record import InputRecord, file_sha256, read_record, write_record

LOG_NAME = "batch-log.jsonl"
REPORT_NAME = "report.json"
VIDEO_NAME = "annotated.mp4"
# Files valgus batch writes into OUTDIR itself: no clip folder may take these names.
RESERVED_NAMES = frozenset({"index.html", "summary.csv", LOG_NAME})


@dataclass(frozen=True)
class Freshness:
    """Whether a clip's folder is up to date, and why not."""

    up_to_date: bool
    reason: str


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
