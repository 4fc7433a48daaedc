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


def _package_version() -> str:
    """The installed version: one string for ``valgus --version`` and the reports' footers.

    Looked up on first use: reading the package metadata took ~30 ms, which every
    command (``valgus live`` included) would otherwise pay at start-up.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("valgus")
    except PackageNotFoundError:  # a checkout that was never pip-installed
        return "0.0.0+unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        globals()["__version__"] = _package_version()
        return globals()["__version__"]
    if name not in _EXPORTS:
        raise AttributeError(f"module 'valgus' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
