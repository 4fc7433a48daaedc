"""Silence what MediaPipe's C++ core writes straight to the process's stderr.

Why at the file-descriptor level: MediaPipe logs through absl/glog from C++
(``W0000 ... landmark_projection_calculator.cc ... NORM_RECT``, "Input tensor
memory is not aligned"), bypassing ``sys.stderr``, so neither Python's
logging nor redirecting ``sys.stderr`` can hold those lines back. ``valgus
analyze -q`` and ``valgus batch -q`` promise a quiet terminal, so stderr's
descriptor points at the null device while a clip is analysed and is
restored before anything of valgus's own is printed: errors are raised out
of the block and written after it, so they always show.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

STDERR_FD = 2


@contextmanager
def quiet_native_logs(enabled: bool = True) -> Iterator[None]:
    """While active, everything written to file descriptor 2 is discarded."""
    if not enabled:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(STDERR_FD)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), STDERR_FD)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, STDERR_FD)
        os.close(saved)
