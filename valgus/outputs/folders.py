"""Per-clip output folders: written atomically, named by one rule.

Every clip's outputs are written into a hidden temporary folder beside the
final one and renamed into place at the end, so an interrupted or failed run
never leaves a half-written result that looks complete. ``folder_names`` gives
every input its folder, the same way for analyze, batch and live.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from valgus.errors import OutputError
from valgus.outputs.input_record import read_record


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


def check_writable(folder: Path) -> None:
    """Fail as one line now if files cannot be created in ``folder`` (read-only, full)."""
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".valgus-write-check-"):
            pass
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


def clean_partials(out_dir: Path, names: Sequence[str]) -> int:
    """Remove temporary folders a killed run left for ``names`` (see atomic_folder).

    Returns how many were removed. Only call this when nothing else is writing
    these clips.
    """
    removed = 0
    for name in names:
        pattern = glob.escape(str(out_dir / f".{name}."))
        for leftover in glob.glob(pattern + "partial-*") + glob.glob(pattern + "old-*"):
            shutil.rmtree(leftover, ignore_errors=True)
            removed += 1
    return removed


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


def _stem(path: Path) -> str:
    """The name a clip's folder starts from: its stem (a saved ``pose.npz``: its folder's)."""
    return path.parent.name if path.name == "pose.npz" else path.stem


def _candidates(path: Path) -> Iterator[str]:
    stem = _stem(path)
    yield stem
    parent = path.parent.name
    base = f"{stem}-{parent}" if parent else stem
    if parent:
        yield base
    n = 2
    while True:
        yield f"{base}-{n}"
        n += 1


def folder_names(
    paths: Sequence[Path], out_dir: Path, *, reserved: Iterable[str] = ()
) -> list[str]:
    """Output folder name for each input: stable between runs, unique, never another's.

    The one naming rule of ``valgus analyze`` and ``valgus batch``. A folder whose
    record (valgus.outputs.input_record) names an input of this run keeps
    serving that input. Otherwise the clip's stem is used, then
    ``stem-<parent folder>``, then ``stem-<parent folder>-2``...; a name is
    taken if it belongs to another input of this run or to a recorded input
    that still exists (a result from an earlier run into the same OUTDIR is
    never overwritten). Names are compared without case (macOS and Windows file
    systems), and never one of ``reserved`` (files the caller writes into
    ``out_dir`` itself). ``paths`` should be absolute and sorted, so that new
    names come out the same on every run.
    """
    owners = _recorded_owners(out_dir)
    wanted = {str(p) for p in paths}
    by_input: dict[str, str] = {}
    taken = {name.casefold() for name in reserved}
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
