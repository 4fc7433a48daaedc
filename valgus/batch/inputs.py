"""Which clips a batch analyses: files, folders (searched recursively) and glob patterns.

Why the rules are what they are: a clinic points the command at an upload
folder that also holds notes, thumbnails and (often) the results of a previous
run. So folders and patterns yield only files with a video extension, skip
hidden files and folders, and never look inside the output folder. A file
named explicitly is taken as it is (whatever its extension): the user asked for
it, and if it is not a video its row in the overview says so.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from valgus.errors import InputNotFoundError

VIDEO_SUFFIXES = frozenset(
    {
        ".mp4",
        ".m4v",
        ".mov",
        ".avi",
        ".mkv",
        ".webm",
        ".mpg",
        ".mpeg",
        ".3gp",
        ".wmv",
        ".mts",
        ".m2ts",
        ".ts",
    }
)
_GLOB_CHARS = frozenset("*?[")


def is_video_name(path: Path) -> bool:
    """True if the file name has a video extension (any case: phones write ``.MOV``)."""
    return path.suffix.lower() in VIDEO_SUFFIXES


def _inside(path: Path, folders: Sequence[Path]) -> bool:
    return any(path == folder or folder in path.parents for folder in folders)


def _walk(folder: Path, exclude: Sequence[Path]) -> Iterator[Path]:
    """Video files below ``folder``, in sorted order, without hidden or excluded parts."""
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and not _inside(here / d, exclude)
        )
        for name in sorted(files):
            path = here / name
            if not name.startswith(".") and is_video_name(path) and path.is_file():
                yield path


def _expand(text: str, exclude: Sequence[Path]) -> Iterator[Path]:
    path = Path(text).expanduser()
    if path.is_file():
        yield path
    elif path.is_dir():
        yield from _walk(path.resolve(), exclude)
    elif _GLOB_CHARS & set(text):
        matches = sorted(glob.glob(os.path.expanduser(text), recursive=True))
        if not matches:
            raise InputNotFoundError(f"{text}: no file matches this pattern")
        for match in map(Path, matches):
            if match.is_dir():
                yield from _walk(match.resolve(), exclude)
            elif is_video_name(match) and match.is_file():
                yield match
    else:
        raise InputNotFoundError(f"{text}: no such file or folder")


def discover(
    inputs: Sequence[str | os.PathLike[str]], *, exclude: Sequence[Path] = ()
) -> list[Path]:
    """The clips named by ``inputs``: absolute, resolved, without duplicates, sorted.

    Parameters
    ----------
    inputs : sequence of str or path
        Files, folders (searched recursively for video extensions) or glob
        patterns (``**`` recurses), as typed on the command line.
    exclude : sequence of Path
        Folders never searched and files below them never taken (the output
        folder, so results of an earlier run are not analysed as clips).

    Raises
    ------
    InputNotFoundError
        An input does not exist or a pattern matches nothing (found before any
        work starts, so a typo does not cost a long run), or no video at all.
    """
    excluded = [Path(p).resolve() for p in exclude]
    found: set[Path] = set()
    for item in inputs:
        for path in _expand(os.fspath(item), excluded):
            resolved = path.resolve()
            if not _inside(resolved, excluded):
                found.add(resolved)
    if not found:
        listed = ", ".join(os.fspath(i) for i in inputs)
        raise InputNotFoundError(f"no video files found in {listed}")
    return sorted(found, key=str)


def display_names(paths: Sequence[Path]) -> list[str]:
    """Short, unambiguous labels: each path relative to the folder all of them share."""
    if not paths:
        return []
    root = Path(os.path.commonpath([str(p.parent) for p in paths]))
    return [p.relative_to(root).as_posix() for p in paths]
