"""The data directory of ``valgus serve``: where every file the app keeps lives.

Why one module owns the layout: every path the web app touches is built here from
numbers and generated names, and resolved against the data directory before use,
so no request (and no client-supplied file name) can make the server read or write
outside it.

Layout::

    DATA/valgus.sqlite3          athletes, sessions, clips, jobs, notes
    DATA/uploads/<hex>.<ext>     uploaded clips under generated names
    DATA/results/<clip id>/      outputs of run_clip_task (report.json, annotated.mp4, ...)
    DATA/tmp/                    uploads still streaming in (emptied at start-up)
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from valgus.outputs.folders import make_folder

try:  # POSIX; elsewhere two servers on one data directory are not prevented
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None

# Files of a result folder the app serves (the outputs of valgus.outputs.clip_folder that
# report.html links to), and the media type of each. Anything else in the folder
# (input.json holds the server's paths) or outside it is never served.
RESULT_FILES = {
    "annotated.mp4": "video/mp4",
    "report.json": "application/json",
    "report.html": "text/html; charset=utf-8",
    "frames.csv": "text/csv; charset=utf-8",
    "reps.csv": "text/csv; charset=utf-8",
    "pose.npz": "application/octet-stream",
    "angles.mot": "text/plain; charset=utf-8",
    "landmarks_px.trc": "text/plain; charset=utf-8",
    "timeline.svg": "image/svg+xml",
    "reps.svg": "image/svg+xml",
}


@dataclass(frozen=True)
class DataDir:
    """Paths inside the data directory; every method returns a path inside ``root``."""

    root: Path

    @classmethod
    def create(cls, root: Path) -> DataDir:
        """Make the folders (``root`` included) and return the resolved layout."""
        root = Path(root).expanduser().resolve()
        make_folder(root.parent)
        # Clips of athletes are personal data: a new data directory is the user's alone.
        make_folder(root, mode=0o700)
        for sub in ("uploads", "results", "tmp"):
            make_folder(root / sub)
        return cls(root)

    @property
    def db_path(self) -> Path:
        return self.root / "valgus.sqlite3"

    @property
    def uploads(self) -> Path:
        return self.root / "uploads"

    @property
    def results(self) -> Path:
        return self.root / "results"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    def upload_path(self, stored_name: str) -> Path:
        """The stored clip ``stored_name`` (a generated name from the database)."""
        return self.inside(self.uploads / stored_name)

    def result_dir(self, clip_id: int) -> Path:
        """The output folder of clip ``clip_id``."""
        return self.inside(self.results / str(int(clip_id)))

    def result_file(self, clip_id: int, name: str) -> Path | None:
        """A servable output file of a clip, or None if ``name`` is not one or is missing."""
        if name not in RESULT_FILES:
            return None
        path = self.inside(self.result_dir(clip_id) / name)
        return path if path.is_file() else None

    def inside(self, path: Path) -> Path:
        """``path`` resolved (symlinks followed); ValueError if it leaves the data directory."""
        resolved = Path(path).resolve()
        if not resolved.is_relative_to(self.root):
            raise ValueError(f"{path} is outside the data directory {self.root}")
        return resolved

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the data directory for one server; ValueError if another holds it.

        Two servers on one directory would both clean up and run the other's jobs.
        The lock is released when the process ends, however it ends.
        """
        with (self.root / "serve.lock").open("a") as handle:
            if fcntl is not None:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as exc:
                    raise ValueError(
                        f"another valgus serve is using the data directory {self.root}"
                    ) from exc
            yield

    def clean_leftovers(self) -> None:
        """Remove what a killed server leaves behind: partial uploads and result folders.

        Partial uploads were never acknowledged to the client, and a result folder
        still being written (``.N.partial-*`` from valgus.outputs.folders.atomic_folder) is
        rewritten when the job runs again.
        """
        for path in self.tmp.iterdir():
            _remove(path)
        for path in self.results.glob(".*.partial-*"):
            _remove(path)
        for path in self.results.glob(".*.old-*"):
            _remove(path)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
