"""Segment-parallel pose estimation equals the single-landmarker run; errors never hang."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import SAMPLES
from valgus.outputs.annotated_video import write_annotated_video
from valgus.pipeline import analyze_track, estimate_pose
from valgus.segments import Segment, auto_jobs, plan_segments

SAMPLE = SAMPLES / "squat_valgus.mp4"


def test_plan_splits_frames_evenly_with_warm_up():
    times = np.arange(300) / 30.0
    segments = plan_segments(times, 3, warmup_s=1.0)
    assert segments == [
        Segment(0.0, 100 / 30, 0.0),
        Segment(100 / 30, 200 / 30, 100 / 30 - 1.0),
        Segment(200 / 30, float("inf"), 200 / 30 - 1.0),
    ]
    assert plan_segments(times, 1) == [Segment(0.0, float("inf"), 0.0)]
    with pytest.raises(ValueError, match="jobs must be >= 1"):
        plan_segments(times, 0)


@pytest.mark.parametrize(
    ("duration_s", "cpus", "jobs"),
    [(2.0, 2, 1), (7.9, 2, 1), (8.0, 2, 2), (60.0, 2, 2), (60, 8, 8)],
)
def test_auto_jobs_only_splits_clips_that_pay_off(duration_s, cpus, jobs):
    assert auto_jobs(duration_s, cpus=cpus) == jobs


@pytest.fixture(scope="module")
def sequential():
    return analyze_track(estimate_pose(SAMPLE, jobs=1))


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [2, 3])
def test_segment_parallel_matches_sequential(sequential, jobs):
    parallel = analyze_track(estimate_pose(SAMPLE, jobs=jobs))
    assert parallel.raw_track.n_frames == sequential.raw_track.n_frames
    np.testing.assert_allclose(parallel.raw_track.times_s, sequential.raw_track.times_s)
    assert len(parallel.reps) == len(sequential.reps) == 3
    for a, b in zip(sequential.reps, parallel.reps, strict=True):
        for side in ("left", "right"):
            assert getattr(b, f"peak_fppa_{side}_deg") == pytest.approx(
                getattr(a, f"peak_fppa_{side}_deg"), abs=1.0
            )
            assert getattr(b, f"fppa_bottom_{side}_deg") == pytest.approx(
                getattr(a, f"fppa_bottom_{side}_deg"), abs=1.0
            )
    assert parallel.raw_track.notes == ()


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2])
def test_an_error_in_inference_surfaces_and_does_not_hang(jobs):
    calls = []

    def fail_at_40(frame, landmarks):
        calls.append(frame.time_s)
        if len(calls) == 40:
            raise RuntimeError("stage failed")

    with pytest.raises(RuntimeError, match="stage failed"):
        estimate_pose(SAMPLE, jobs=jobs, on_frame=fail_at_40)


@pytest.mark.slow
def test_an_error_while_drawing_surfaces_and_does_not_hang(sequential, tmp_path):
    def fail(row, image):
        if row == 100:
            raise RuntimeError("drawing failed")

    with pytest.raises(RuntimeError, match="drawing failed"):
        write_annotated_video(sequential, SAMPLE, tmp_path / "a.mp4", on_drawn=fail)
