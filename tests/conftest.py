"""Shared fixtures: paths to the bundled samples and the team's real clips."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import SHARED_VIDEOS


@pytest.fixture(scope="session")
def shared_videos() -> Path:
    """../shared/videos; tests that need it skip only when it is absent."""
    if not SHARED_VIDEOS.is_dir():
        pytest.skip("../shared/videos is not present")
    return SHARED_VIDEOS


pytest_plugins = ["tests.support.browser"]
