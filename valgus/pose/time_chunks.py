"""Segment-parallel pose estimation: one landmarker per time segment, then stitch.

Why threads and not processes: MediaPipe's ``detect_for_video`` and PyAV's
decoder release the GIL, so two landmarkers in two threads of one process use
both cores (measured here: 300 frames in 1.9 s on two threads vs 3.3 s on
one) without the ~0.7 s start-up and model load of a second process.

Each segment after the first starts ``warmup_s`` early: the detector has to
re-acquire the person and MediaPipe's landmark smoothing has to settle, so
those frames are only used to check the join against the previous segment,
never kept. Measured on tux_hyva7 at three cuts (lower-body landmarks of the
first kept frames against one landmarker over the whole clip): no warm-up
2.4-4.6 px off on the first frame, 0.2 s 1.4-2.3 px, 0.5 s 0.7-1.8 px, 1 s
0.6-0.8 px; 0.5 s is within the run-to-run spread of 2-3 px.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from valgus.pose.landmarker import TrackBuilder, infer_frames, track_from_rows
from valgus.pose.landmarks import LOWER_BODY
from valgus.pose.mirror_average import open_estimator
from valgus.pose.track import PoseTrack
from valgus.video.source import Frame, VideoInfo, VideoSource, describe_decode, missing_seconds

# A segment shorter than this does not repay its warm-up and extra landmarker.
MIN_SEGMENT_S = 2.0
WARMUP_S = 0.5
# A frame decoded only to reach the warm-up costs this much of one decoded and inferred.
SKIPPED_FRAME_COST = 0.15
# Lower-body disagreement (px, median) at a join above which the report warns.
JOIN_WARN_FRACTION_OF_HEIGHT = 0.03


@dataclass(frozen=True)
class Segment:
    """Frames in ``[start_s, end_s)`` belong to this segment; decoding starts at ``read_from_s``."""

    start_s: float
    end_s: float
    read_from_s: float


@dataclass
class _SegmentResult:
    times_s: np.ndarray  # (n,) every frame the segment inferred, its warm-up included
    rows: np.ndarray  # (n, 33, 7) as detect_rgb gives them; all NaN where no person
    corrupt_packets: int
    corrupt_frames: int


@dataclass(frozen=True)
class FrameScan:
    """Display times (s from the first frame) of every frame and of the keyframes."""

    times_s: np.ndarray
    keyframes_s: np.ndarray


def scan_frames(path: Path, first_time_s: float) -> FrameScan:
    """Frame and keyframe times of the video stream, by demuxing only (no decoding)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        time_base = float(stream.time_base)  # read before closing: None afterwards
        packets = [
            (p.pts, p.is_keyframe) for p in container.demux(stream) if p.pts is not None and p.size
        ]
    pts = np.asarray([p for p, _ in packets], dtype=float) * time_base - first_time_s
    keys = np.asarray([k for _, k in packets], dtype=bool)
    times = np.sort(pts[pts >= -1e-6])
    return FrameScan(times, np.sort(pts[keys]))


def auto_jobs(duration_s: float, *, cpus: int | None = None) -> int:
    """Segments worth running for a clip: one per core, each at least ``MIN_SEGMENT_S`` long."""
    cpus = cpus or os.cpu_count() or 1
    return max(1, min(cpus, int(duration_s // MIN_SEGMENT_S)))


def _start_overhead(scan: FrameScan, row: int, warmup_s: float) -> float:
    """Frames a segment starting at ``row`` processes before its first kept frame.

    Its warm-up frames cost as much as kept ones; the frames between the
    keyframe it must seek to and the warm-up are only decoded.
    """
    if row == 0:
        return 0.0
    times = scan.times_s
    read_from = times[row] - warmup_s
    warmup = row - int(np.searchsorted(times, read_from - 1e-6))
    earlier_keys = scan.keyframes_s[scan.keyframes_s <= read_from + 1e-6]
    keyframe = float(earlier_keys[-1]) if earlier_keys.size else 0.0
    skipped = int(np.searchsorted(times, read_from - 1e-6) - np.searchsorted(times, keyframe))
    return warmup + SKIPPED_FRAME_COST * max(skipped, 0)


def _greedy_cuts(scan: FrameScan, jobs: int, budget: float, warmup_s: float) -> list[int] | None:
    """Start rows of segments that each cost at most ``budget``; None if ``jobs`` are too few."""
    n, starts, row = scan.times_s.size, [0], 0
    while True:
        end = row + int(budget - _start_overhead(scan, row, warmup_s))
        if end >= n:
            return starts
        if end <= row or len(starts) == jobs:
            return None
        row = end
        starts.append(row)


def plan_segments(scan: FrameScan, jobs: int, *, warmup_s: float = WARMUP_S) -> list[Segment]:
    """Split the clip into at most ``jobs`` segments that cost the same to process.

    A segment after the first also infers its warm-up frames and decodes from
    the keyframe before them, so it keeps fewer frames: with equal frame
    counts the first landmarker would finish early and leave a core idle.
    """
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1, got {jobs}")
    n = scan.times_s.size
    if n == 0 or jobs == 1:
        return [Segment(0.0, float("inf"), 0.0)]
    low, high = n / jobs, float(n)  # the smallest budget that covers the clip lies between
    for _ in range(40):
        middle = 0.5 * (low + high)
        low, high = (low, middle) if _greedy_cuts(scan, jobs, middle, warmup_s) else (middle, high)
    rows = _greedy_cuts(scan, jobs, high, warmup_s) or [0]
    # The first segment keeps everything from 0: frame times are clamped at 0, and a scan
    # of a clip whose stream starts late reads its first frame at 4e-16 s, not 0
    # (tux_hyva2 lost its first frame to that).
    starts = [0.0, *(float(scan.times_s[row]) for row in rows[1:])]
    ends = [*starts[1:], float("inf")]
    return [
        Segment(a, b, max(0.0, a - warmup_s) if a > 0 else 0.0)
        for a, b in zip(starts, ends, strict=True)
    ]


def _infer_segment(
    info: VideoInfo,
    segment: Segment,
    model_path: Path,
    stop: threading.Event,
    on_frame: Callable[[Frame, np.ndarray | None], None] | None,
    mirror_average: bool,
) -> _SegmentResult:
    builder = TrackBuilder()
    with (
        VideoSource(info.path, start_s=segment.read_from_s, order="rgb", info=info) as source,
        open_estimator(model_path, mirror_average=mirror_average) as est,
    ):
        frames = (f for f in source if f.time_s < segment.end_s)
        for time_s, landmarks in infer_frames(frames, est, on_frame=on_frame, stop=stop):
            builder.add(time_s, landmarks)
        return _SegmentResult(*builder.arrays(), source.corrupt_packets, source.corrupt_frames)


def _join_disagreement_px(
    previous: _SegmentResult, current: _SegmentResult, start_s: float
) -> float:
    """Median lower-body distance between two segments on their last 5 shared warm-up frames."""
    before = previous.times_s < start_s
    _, in_previous, in_current = np.intersect1d(
        previous.times_s[before], current.times_s, return_indices=True
    )
    a = previous.rows[before][in_previous][:, list(LOWER_BODY), :2]
    b = current.rows[in_current][:, list(LOWER_BODY), :2]
    both = ~(np.isnan(a).all(axis=(1, 2)) | np.isnan(b).all(axis=(1, 2)))
    a, b = a[both][-5:], b[both][-5:]
    if not len(a):
        return float("nan")
    return float(np.median(np.linalg.norm(a - b, axis=2)))


def _stitch(
    results: list[_SegmentResult], segments: list[Segment], info: VideoInfo
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(times, rows) of the kept frames of every segment, in order, and notes on the joins."""
    notes, kept = [], []
    for k, (result, segment) in enumerate(zip(results, segments, strict=True)):
        if k:
            gap = _join_disagreement_px(results[k - 1], result, segment.start_s)
            if gap > JOIN_WARN_FRACTION_OF_HEIGHT * info.height:
                notes.append(f"segments disagree by {gap:.0f} px at {segment.start_s:.1f} s")
        kept.append(result.times_s >= segment.start_s)
    times = np.concatenate([r.times_s[m] for r, m in zip(results, kept, strict=True)])
    if not times.size:
        from valgus.errors import NotAVideoError

        raise NotAVideoError(f"{info.path}: no video frames could be decoded")
    notes[:0] = describe_decode(
        info,
        frames_decoded=len(times),
        last_time_s=float(times[-1]),
        missing_s=missing_seconds(times, info.fps),
        corrupt_packets=sum(r.corrupt_packets for r in results),
        corrupt_frames=sum(r.corrupt_frames for r in results),
    )
    rows = np.concatenate([r.rows[m] for r, m in zip(results, kept, strict=True)])
    return times, rows, notes


def estimate_track_segments(
    info: VideoInfo,
    model_path: Path,
    *,
    model_name: str,
    jobs: int,
    on_frame: Callable[[Frame, np.ndarray | None], None] | None = None,
    mirror_average: bool = False,
) -> PoseTrack:
    """Pose-estimate the clip ``info`` describes in ``jobs`` time segments at once.

    Returns one stitched PoseTrack. ``info`` comes from the caller's probe of
    the file, which is not opened again for it. An error in any segment stops
    the others and is raised here.
    """
    path = Path(info.path)
    segments = plan_segments(scan_frames(path, info.first_time_s), jobs)
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=len(segments), thread_name_prefix="segment") as pool:
        futures = [
            pool.submit(_infer_segment, info, segment, model_path, stop, on_frame, mirror_average)
            for segment in segments
        ]
        try:
            results = [future.result() for future in futures]
        except BaseException:
            stop.set()
            raise
    times, rows, notes = _stitch(results, segments, info)
    del results  # each segment's rows: the stitched copy is all that is needed now
    return track_from_rows(
        times,
        rows,
        width=info.width,
        height=info.height,
        fps=info.fps,
        source=str(path),
        model=model_name,
        notes=tuple(notes),
    )
