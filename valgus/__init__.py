"""valgus: screen squats and single-leg tests on video for knee valgus and pelvic drop.

``valgus.analyze(path)`` mirrors ``valgus analyze``; ``valgus.analyze_track``
re-analyses a saved PoseTrack without running the model. The names load on
first use so that every command (``valgus live --source 7`` included) starts
without importing the whole pipeline.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:  # one version string for ``valgus --version`` and the reports' footers
    __version__ = version("valgus")
except PackageNotFoundError:  # running from a checkout that was never pip-installed
    __version__ = "0.0.0+unknown"

_EXPORTS = {
    "analyze": "valgus.pipeline",
    "analyze_track": "valgus.pipeline",
    "Session": "valgus.session",
    "PoseTrack": "valgus.pose.track",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'valgus' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
