"""Atomic per-clip output folders.

Every clip's outputs are written into a hidden temporary folder beside the
final one and renamed into place at the end, so an interrupted or failed run
never leaves a half-written result that looks complete.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from valgus.errors import OutputError


@contextlib.contextmanager
def atomic_folder(final: Path) -> Iterator[Path]:
    """Yield a temporary folder; on success it replaces ``final``, on error it is removed."""
    final.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{final.name}.partial-", dir=final.parent))
    work.chmod(0o755)  # mkdtemp makes it private; results are meant to be shared
    try:
        yield work
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    if final.exists():
        old = final.with_name(f".{final.name}.old-{os.getpid()}")
        os.replace(final, old)
        os.replace(work, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(work, final)


def make_folder(folder: Path, *, mode: int = 0o777) -> None:
    """``mkdir -p``, failing as one line (:func:`cannot_write`) rather than a traceback."""
    try:
        folder.mkdir(mode=mode, parents=True, exist_ok=True)
    except OSError as exc:
        raise cannot_write(f"to {folder}", exc) from exc


def cannot_write(what: str, exc: OSError) -> OutputError:
    """One line for results that cannot be written (path through a file, read-only, disk full)."""
    if isinstance(exc, FileExistsError | NotADirectoryError):
        reason = f"a file stands where a folder is needed ({exc.filename})"
    else:
        reason = exc.strerror or str(exc)
        where = exc.filename2 or exc.filename  # a rename names its target second
        reason += f" ({where})" if where else ""
    return OutputError(f"cannot write {what}: {reason}")


def unique_names(paths: list[Path]) -> list[str]:
    """Output folder names: the clip stem, made unique within one run (``squat``, ``squat-2``)."""
    seen: dict[str, int] = {}
    names = []
    for path in paths:
        stem = path.parent.name if path.name == "pose.npz" else path.stem
        count = seen.get(stem, 0) + 1
        seen[stem] = count
        names.append(stem if count == 1 else f"{stem}-{count}")
    return names
