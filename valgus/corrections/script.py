"""points.js: the point editor's geometry and gestures, for the app's page and the offline report.

Why one file read by both: the app's editor and the report's "Check the points"
must give the coach the same live angle from the same points; a second copy
would drift from the first (and from valgus.analysis.geometry, which it mirrors).
"""

from __future__ import annotations

from importlib import resources


def points_script() -> str:
    """The text of ``assets/points.js``."""
    return resources.files("valgus.corrections").joinpath("assets", "points.js").read_text("utf-8")
