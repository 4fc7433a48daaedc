"""Picking a few frames by time: grouped by keyframe, each the frame asked for."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.support.clips import numbered_frames
from valgus.errors import InputNotFoundError
from valgus.video.frame_picker import SAME_RUN_S, pick_frames, seek_runs
from valgus.video.scan import scan_frames
from valgus.video.writer import H264Writer

FPS = 30.0


def test_frames_sharing_a_keyframe_are_one_run_and_far_apart_groups_are_seeks() -> None:
    keyframes = np.array([0.0, 1.0, 2.0, 8.0])
    times = [0.1, 0.9, 1.05, 3.0, 7.9, 8.2, 9.9]
    # 0.1 and 0.9: same group; 1.05 is 0.15 s on (decoding on beats a seek); 3.0 starts
    # the 2-8 s group, 7.9 joins it; 8.2 is 0.3 s later; 9.9 is in 8.2's group.
    assert seek_runs(times, keyframes) == [[0, 1, 2], [3, 4, 5, 6]]
    far = [0.1, 1.0 + 2 * SAME_RUN_S]
    assert seek_runs(far, keyframes) == [[0], [1]]
    assert seek_runs([], keyframes) == []
    assert seek_runs([5.0, 50.0], np.array([0.0])) == [[0, 1]]  # one keyframe: one run


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    """30 numbered frames (grey level 8 x index), a keyframe every 10 frames."""
    path = tmp_path_factory.mktemp("picker") / "gop10.mp4"
    with H264Writer(path, 64, 48, FPS, x264_params="keyint=10:min-keyint=10:scenecut=0") as out:
        for frame in numbered_frames(30):
            out.write(frame)
    return path


def test_the_clip_has_a_keyframe_every_ten_frames(clip) -> None:
    np.testing.assert_allclose(scan_frames(clip, 0.0).keyframes_s, [0.0, 1 / 3, 2 / 3], atol=1e-3)


def test_each_asked_for_time_gets_its_own_frame_across_groups(clip) -> None:
    wanted = [2, 3, 12, 25, 29]
    times = [i / FPS for i in wanted]
    picked = list(pick_frames(clip, times, 0.5 / FPS))
    assert [position for position, _ in picked] == [0, 1, 2, 3, 4]
    for (position, frame), index in zip(picked, wanted, strict=True):
        assert frame.time_s == pytest.approx(times[position], abs=1e-3)
        assert float(np.median(frame.image_bgr)) == pytest.approx(index * 8, abs=3)


def test_times_the_clip_does_not_have_are_skipped_not_misread(clip) -> None:
    picked = list(pick_frames(clip, [5 / FPS, 5.5 / FPS, 40 / FPS], 0.1 / FPS))
    assert [position for position, _ in picked] == [0]
    assert list(pick_frames(clip, [], 0.01)) == []


def test_a_missing_file_is_the_usual_one_line_error(tmp_path) -> None:
    with pytest.raises(InputNotFoundError):
        list(pick_frames(tmp_path / "gone.mp4", [0.0], 0.01))
