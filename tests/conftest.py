"""Shared fixtures: paths to the bundled samples and the team's real clips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_videos"
SHARED_VIDEOS = REPO.parent / "shared" / "videos"


@pytest.fixture(scope="session")
def shared_videos() -> Path:
    """../shared/videos; tests that need it skip only when it is absent."""
    if not SHARED_VIDEOS.is_dir():
        pytest.skip("../shared/videos is not present")
    return SHARED_VIDEOS


def load_truth(clip: Path) -> dict:
    """The ground truth JSON written by valgus synth beside ``clip``."""
    return json.loads(clip.with_suffix(".truth.json").read_text())


pytest_plugins = ["tests.support.browser"]
