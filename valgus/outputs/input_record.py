"""What made an output folder: the input record (``<folder>/input.json``).

Why a record per folder: a folder is self-describing (which input, which
content, which settings) wherever it is copied, and workers on a cluster each
write only into their own folder, so there is no shared file to corrupt. It is
written after everything else (valgus.clip_task), so its presence means the
folder is complete: ``valgus batch`` resumes on it (valgus.batch.manifest) and
folder naming keeps a recorded input's folder for that input
(valgus.outputs.folders).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RECORD_NAME = "input.json"


@dataclass(frozen=True)
class InputRecord:
    """Which input (and which content, which settings) an output folder was made from."""

    input_path: str
    sha256: str
    size_bytes: int
    mtime_ns: int
    settings: Mapping[str, Any] = field(default_factory=dict)
    finished_at: float = 0.0  # epoch seconds


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
