"""Silence what MediaPipe's C++ core writes straight to the process's stderr.

Why at the file-descriptor level: MediaPipe logs through absl/glog and TFLite
from C++ (XNNPACK banners at start-up; ``W0000 ... landmark_projection_calculator.cc
... NORM_RECT`` and "Input tensor memory is not aligned" later), bypassing
``sys.stderr``, so neither Python's logging nor replacing ``sys.stderr`` holds
those lines back. Landmarker start-up is always quiet (valgus.pose.landmarker);
``valgus analyze -q`` and ``valgus batch -q`` keep the whole analysis of a clip
quiet (valgus.clip_task). Errors are raised out of the block and written after
the descriptor is restored, so they always show.

Reference-counted because landmarkers are created on several threads at once
(valgus.pose.time_chunks): the first to enter redirects and the last to leave
restores, so no thread can restore /dev/null as "the original" stderr.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator

STDERR_FD = 2


class _QuietStderr:
    """Process-wide, reference-counted redirect of fd 2 to /dev/null."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved: int | None = None

    def enter(self) -> None:
        with self._lock:
            if self._depth == 0:
                sys.stderr.flush()
                self._saved = os.dup(STDERR_FD)
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, STDERR_FD)
                os.close(devnull)
            self._depth += 1

    def leave(self) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0 and self._saved is not None:
                sys.stderr.flush()
                os.dup2(self._saved, STDERR_FD)
                os.close(self._saved)
                self._saved = None


_QUIET = _QuietStderr()


@contextlib.contextmanager
def quiet_native_logs(enabled: bool = True) -> Iterator[None]:
    """While active (and ``enabled``), everything written to file descriptor 2 is discarded."""
    if not enabled:
        yield
        return
    _QUIET.enter()
    try:
        yield
    finally:
        _QUIET.leave()
