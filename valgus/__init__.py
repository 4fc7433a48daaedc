"""valgus: screen squats and single-leg tests on video for knee valgus and pelvic drop.

``valgus.analyze(path)`` mirrors ``valgus analyze``; ``valgus.analyze_track``
re-analyses a saved PoseTrack without running the model. The names load on
first use so that every command (``valgus live --source 7`` included) starts
without importing the whole pipeline.
"""

from __future__ import annotations

import importlib
from typing import Any

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
