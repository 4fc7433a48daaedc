"""Camera cues: picture change and background motion, from frames a chunk decodes anyway."""

from __future__ import annotations

import numpy as np
import pytest

from valgus.pose.camera_cues import CueTracker

RNG = np.random.default_rng(3)
# A textured room 640x480 (corners to track) with a grey person in the middle.
ROOM = (RNG.uniform(0, 255, (60, 80, 3))).astype(np.uint8).repeat(8, axis=0).repeat(8, axis=1)


def person_xy() -> np.ndarray:
    xy = np.full((33, 2), np.nan)
    xy[:, 0] = np.linspace(280, 360, 33)
    xy[:, 1] = np.linspace(120, 440, 33)
    return xy


def test_a_still_frame_has_no_change_and_no_motion():
    tracker = CueTracker()
    first = tracker.update(ROOM, person_xy())
    assert first[:2].tolist() == [0.0, 0.0] and np.isnan(first[2:]).all()
    again = tracker.update(ROOM.copy(), person_xy())
    assert again[0] == pytest.approx(0.0, abs=1e-9) and again[1] == pytest.approx(0.0, abs=1e-6)
    assert again[2:4] == pytest.approx([0.0, 0.0], abs=0.3)


def test_a_pan_moves_the_background_by_its_pixels():
    tracker = CueTracker()
    tracker.update(ROOM[:, :600], person_xy())
    moved = tracker.update(ROOM[:, 16:616], person_xy())  # the camera pans 16 px right
    assert moved[2] == pytest.approx(-16.0, abs=1.5)
    assert moved[3] == pytest.approx(0.0, abs=1.5)
    assert moved[4] == pytest.approx(0.0, abs=0.02)


def test_a_cut_changes_the_colours_of_the_whole_picture():
    tracker = CueTracker()
    tracker.update(ROOM, person_xy())
    other = np.full_like(ROOM, 200)
    other[:, :, 0] = 30
    cut = tracker.update(other, None)
    assert cut[0] > 0.5
