"""valgus: screen squats and single-leg tests on video for knee valgus and pelvic drop.

``valgus.analyze(path)`` mirrors ``valgus analyze``; ``valgus.analyze_track``
re-analyses a saved PoseTrack without running the model.
"""

from valgus.pipeline import analyze, analyze_track
from valgus.session import Session
from valgus.track import PoseTrack

__all__ = ["PoseTrack", "Session", "analyze", "analyze_track"]
