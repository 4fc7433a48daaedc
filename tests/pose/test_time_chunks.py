"""Time chunks: a clip's fixed split gives the same track on any number of cores; no hang."""

from __future__ import annotations

import numpy as np
import pytest

from tests.support.paths import SAMPLES
from valgus.outputs.annotated_video import write_annotated_video
from valgus.pipeline import analyze_track, estimate_pose
from valgus.pose.time_chunks import (
    SKIPPED_FRAME_COST,
    Segment,
    _join_disagreement_px,
    _SegmentResult,
    _stitch,
    chunk_count,
    default_jobs,
    plan_segments,
)
from valgus.video.scan import FrameScan, scan_frames
from valgus.video.source import VideoInfo

SAMPLE = SAMPLES / "squat_valgus.mp4"


def test_plan_gives_every_segment_the_same_work():
    times = np.arange(300) / 30.0
    # Keyframe every frame: a later segment's extra work is its 30 warm-up frames.
    every = plan_segments(FrameScan(times, times), 3, warmup_s=1.0)
    assert [s.start_s for s in every] == pytest.approx([0.0, 4.0, 7.0])
    assert [s.read_from_s for s in every] == pytest.approx([0.0, 3.0, 6.0])
    # Keyframes only at 0 s: later segments also decode from the start, so they keep less.
    sparse = plan_segments(FrameScan(times, np.array([0.0])), 2, warmup_s=1.0)
    kept_first = sparse[1].start_s * 30
    work_second = 300 - kept_first + 30 + SKIPPED_FRAME_COST * (sparse[1].read_from_s * 30)
    assert kept_first > 165
    assert abs(kept_first - work_second) <= 1.5
    assert plan_segments(FrameScan(times, times), 1) == [Segment(0.0, float("inf"), 0.0)]
    with pytest.raises(ValueError, match="jobs must be >= 1"):
        plan_segments(FrameScan(times, times), 0)


def test_first_segment_keeps_the_first_frame_of_a_late_starting_stream():
    # pts * time_base - first time leaves 4e-16 s on a stream that starts at 3.36 s.
    times = np.arange(227) / 25.0 + 4.440892098500626e-16
    first = plan_segments(FrameScan(times, times[::50]), 2)[0]
    assert first.start_s == 0.0 and first.read_from_s == 0.0


def test_scan_reads_frame_and_keyframe_times():
    scan = scan_frames(SAMPLE, 0.0)
    assert scan.times_s.size == 271
    assert scan.times_s[0] == pytest.approx(0.0)
    assert np.all(np.diff(scan.times_s) > 0)
    assert scan.keyframes_s[0] == pytest.approx(0.0)
    assert set(np.round(scan.keyframes_s, 6)) <= set(np.round(scan.times_s, 6))


@pytest.mark.parametrize(
    ("duration_s", "chunks"),
    [(2.0, 1), (3.9, 1), (4.0, 2), (27.0, 2), (37.0, 2), (38.0, 3), (101.0, 7)],
)
def test_the_split_depends_on_the_clip_only(duration_s, chunks):
    assert chunk_count(duration_s) == chunks


@pytest.mark.parametrize(("chunks", "cpus", "jobs"), [(1, 2, 1), (2, 2, 2), (7, 2, 2), (2, 8, 2)])
def test_default_jobs_never_exceed_cores_or_chunks(chunks, cpus, jobs):
    assert default_jobs(chunks, cpus=cpus) == jobs


@pytest.fixture(scope="module")
def sequential():
    return analyze_track(estimate_pose(SAMPLE, jobs=1))


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [2, 3])
def test_any_number_of_jobs_gives_the_same_track(sequential, jobs):
    """How the work is split never changes a result: the chunks are the clip's, not the CPU's."""
    parallel = estimate_pose(SAMPLE, jobs=jobs)
    raw = sequential.raw_track
    assert parallel.n_frames == raw.n_frames == 271
    np.testing.assert_array_equal(parallel.times_s, raw.times_s)
    np.testing.assert_array_equal(parallel.xy_px, raw.xy_px)
    np.testing.assert_array_equal(parallel.world_xyz_m, raw.world_xyz_m)
    np.testing.assert_array_equal(parallel.cues, raw.cues)
    assert parallel.notes == raw.notes == ()


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


def a_segment(times, rows, offset_px=0.0):
    moved = rows.copy()
    moved[:, :, 0] += offset_px
    cues = np.zeros((len(times), 6))
    return _SegmentResult(np.asarray(times), moved, cues, corrupt_packets=0, corrupt_frames=0)


def test_stitch_keeps_each_segments_own_frames_and_measures_the_join():
    """Warm-up frames only compare the two landmarkers; the track keeps each frame once."""
    rng = np.random.default_rng(11)
    times = np.round(np.arange(20) * 0.1, 3)
    rows = rng.uniform(100, 500, (20, 33, 7))
    first = a_segment(times[:10], rows[:10])  # 0.0-0.9 s
    # The second starts at 1.0 s after a warm-up from 0.5 s, reading the hips and
    # knees 40 px to the right; at 0.9 s it found no person.
    second = a_segment(times[5:], rows[5:], offset_px=40.0)
    second.rows[4] = np.nan
    segments = [Segment(0.0, 1.0, 0.0), Segment(1.0, float("inf"), 0.5)]
    info = VideoInfo("clip.mp4", 640, 480, 10.0, 20, 2.0, 0, "h264", 0.0)

    assert _join_disagreement_px(first, second, 1.0) == pytest.approx(40.0)
    kept_times, kept_rows, kept_cues, notes = _stitch([first, second], segments, info)
    assert kept_cues.shape == (20, 6)
    np.testing.assert_array_equal(kept_times, times)
    np.testing.assert_array_equal(kept_rows[:10], rows[:10])
    np.testing.assert_array_equal(kept_rows[10:, :, 0], rows[10:, :, 0] + 40.0)
    assert notes == ["time chunks disagree by 40 px at 1.0 s"]  # above 3% of 480 px
