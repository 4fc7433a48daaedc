"""Where the tests find the repository, the bundled samples and the team's real clips."""

from __future__ import annotations

import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "sample_videos"
SHARED_VIDEOS = REPO.parent / "shared" / "videos"
MODEL = REPO / "models" / "pose_landmarker_full.task"


def load_truth(clip: Path) -> dict:
    """The ground truth JSON written by valgus synth beside ``clip``."""
    return json.loads(clip.with_suffix(".truth.json").read_text())
