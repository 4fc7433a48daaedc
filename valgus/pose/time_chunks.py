"""Time chunks: the clip's fixed split for pose estimation, run one after another or at once.

Why fixed: MediaPipe's VIDEO mode carries state from frame to frame (the
detector re-acquires the person, its landmark smoothing settles), so a
landmarker that starts mid-clip reads the first frames of its part a little
differently from one that ran from the start. If the split depended on the
number of cores, ``--jobs 1``, the default, ``valgus batch`` and ``valgus
serve`` would report different numbers for the same clip. So the split is a
property of the clip alone (``chunk_count``: one chunk under 4 s, else about
one per ``CHUNK_TARGET_S``, at least two), each chunk always gets a fresh
landmarker, and ``jobs`` only says how many chunks run at once: every way of
running gives the same frames.

Why threads and not processes: MediaPipe's ``detect_for_video`` and PyAV's
decoder release the GIL, so two landmarkers in two threads of one process use
both cores (measured here: 300 frames in 1.9 s on two threads vs 3.3 s on
one) without the ~0.7 s start-up and model load of a second process.

Each chunk after the first starts ``warmup_s`` early: the detector has to
re-acquire the person and MediaPipe's landmark smoothing has to settle, so
those frames are only used to check the join against the previous chunk,
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

import numpy as np

from valgus.pose.camera_cues import CueTracker
from valgus.pose.landmarker import TrackBuilder, infer_frames, track_from_rows
from valgus.pose.landmarks import LOWER_BODY
from valgus.pose.mirror_average import open_estimator
from valgus.pose.track import PoseTrack
from valgus.video.info import VideoInfo, describe_decode, missing_seconds
from valgus.video.scan import FrameScan, scan_frames
from valgus.video.source import Frame, VideoSource

# A chunk shorter than this does not repay its warm-up and extra landmarker.
MIN_SEGMENT_S = 2.0
# Clips at least twice MIN_SEGMENT_S long are split into about one chunk per this many
# seconds (at least two): a few chunks keep two cores busy, and each extra chunk costs
# one warm-up (~3% of a 15 s chunk) when chunks run one after another.
CHUNK_TARGET_S = 15.0
WARMUP_S = 0.5
# A frame decoded only to reach the warm-up costs this much of one decoded and inferred.
SKIPPED_FRAME_COST = 0.15
# Lower-body disagreement (px, median) at a join above which the report warns.
JOIN_WARN_FRACTION_OF_HEIGHT = 0.03
# The model is shown frames whose shorter side is at most this (720 px: 720x1280 for a
# phone's 1080x1920 or 2160x3840). MediaPipe works on 224-256 px crops of the person, so
# larger frames only cost the decoder's colour conversion and memory: 4K frames took
# 20 ms more to convert and 5 ms more in the model than 720x1280 ones (2-core machine).
MODEL_SHORT_SIDE = 720


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
    cues: np.ndarray  # (n, 6) camera cues (valgus.pose.camera_cues)
    corrupt_packets: int
    corrupt_frames: int


def chunk_count(duration_s: float) -> int:
    """How many chunks a clip of ``duration_s`` is split into (a property of the clip only)."""
    if duration_s < 2 * MIN_SEGMENT_S:
        return 1
    return max(2, round(duration_s / CHUNK_TARGET_S))


def default_jobs(chunks: int, *, cpus: int | None = None) -> int:
    """Chunks run at once by default: one per core, never more than there are chunks."""
    return max(1, min(cpus or os.cpu_count() or 1, chunks))


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
        VideoSource(
            info.path,
            start_s=segment.read_from_s,
            order="rgb",
            info=info,
            short_side=MODEL_SHORT_SIDE,
        ) as source,
        open_estimator(model_path, mirror_average=mirror_average) as est,
    ):
        frames = (f for f in source if f.time_s < segment.end_s)
        tracked = infer_frames(frames, est, on_frame=on_frame, stop=stop, cues=CueTracker())
        for time_s, landmarks, cues in tracked:
            builder.add(time_s, landmarks, cues)
        times, rows, cues = builder.arrays()
        rows, cues = _to_source_pixels(rows, cues, source.size, (info.width, info.height))
        return _SegmentResult(times, rows, cues, source.corrupt_packets, source.corrupt_frames)


def _to_source_pixels(
    rows: np.ndarray, cues: np.ndarray, seen: tuple[int, int], source: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Landmark pixels (x, y, z) and background motion (dx, dy) of frames seen at ``seen``
    size, in the pixels of the ``source`` frame: every later stage works in the clip's own
    pixels whatever size the model was shown."""
    if seen == source:
        return rows, cues
    sx, sy = source[0] / seen[0], source[1] / seen[1]
    rows = rows.copy()
    rows[..., 0] *= sx
    rows[..., 1] *= sy
    rows[..., 2] *= sx  # MediaPipe's z is in the units of the image width
    cues = cues.copy()
    cues[:, 2] *= sx
    cues[:, 3] *= sy
    return rows, cues


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
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """(times, rows, cues) of the kept frames of every chunk, in order, and notes on the joins."""
    notes, kept = [], []
    for k, (result, segment) in enumerate(zip(results, segments, strict=True)):
        if k:
            gap = _join_disagreement_px(results[k - 1], result, segment.start_s)
            if gap > JOIN_WARN_FRACTION_OF_HEIGHT * info.height:
                notes.append(f"time chunks disagree by {gap:.0f} px at {segment.start_s:.1f} s")
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
    cues = np.concatenate([r.cues[m] for r, m in zip(results, kept, strict=True)])
    return times, rows, cues, notes


def estimate_track_chunks(
    info: VideoInfo,
    model_path: Path,
    *,
    model_name: str,
    jobs: int | None = None,
    on_frame: Callable[[Frame, np.ndarray | None], None] | None = None,
    mirror_average: bool = False,
) -> PoseTrack:
    """Pose-estimate the clip ``info`` describes, chunk by chunk, into one PoseTrack.

    ``jobs`` chunks run at once (None: ``default_jobs``); the result is the
    same for any ``jobs``. ``info`` comes from the caller's probe of the file,
    which is not opened again for it. An error in any chunk stops the others
    and is raised here.
    """
    path = Path(info.path)
    scan = scan_frames(path, info.first_time_s)
    duration = float(scan.times_s[-1]) if scan.times_s.size else 0.0
    segments = plan_segments(scan, chunk_count(duration))
    workers = default_jobs(len(segments)) if jobs is None else max(1, min(jobs, len(segments)))
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="chunk") as pool:
        futures = [
            pool.submit(_infer_segment, info, segment, model_path, stop, on_frame, mirror_average)
            for segment in segments
        ]
        try:
            results = [future.result() for future in futures]
        except BaseException:
            stop.set()
            raise
    times, rows, cues, notes = _stitch(results, segments, info)
    del results  # each chunk's rows: the stitched copy is all that is needed now
    return track_from_rows(
        times,
        rows,
        cues,
        width=info.width,
        height=info.height,
        fps=info.fps,
        source=str(path),
        model=model_name,
        notes=tuple(notes),
    )
