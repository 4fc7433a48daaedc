"""Decode a few frames of a clip by time: one seek per group of pictures, not one per frame.

Why: after the analysis, valgus reads a handful of frames again (the second
model's reading frames, the report's "Check the points" stills). Each seek
decodes from the keyframe before the frame, so two frames of one group of
pictures read with two seeks decode its start twice. Phone video has a
keyframe every second, but re-encoded uploads can have one every 8 s: a 4K
clip then spent ~5 s of a 32 s analysis decoding the same 4K frames again for
each key frame. Frames that share a keyframe are decoded in one run here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from valgus.video.info import VideoInfo
from valgus.video.scan import scan_frames
from valgus.video.source import ChannelOrder, Frame, VideoSource

# Frames closer than this are decoded in one run even across a keyframe: decoding a
# few frames on is cheaper than a new seek, which restarts the decoder's threads.
SAME_RUN_S = 0.5


def seek_runs(times_s: Sequence[float], keyframes_s: np.ndarray) -> list[list[int]]:
    """Positions of the sorted ``times_s``, grouped so each group is decoded from one seek.

    A time joins the previous one's group when no keyframe lies between them
    (the decoder would seek to the same keyframe) or when it is at most
    ``SAME_RUN_S`` later.
    """
    keys = np.sort(np.asarray(keyframes_s, dtype=float))
    runs: list[list[int]] = []
    for position, time_s in enumerate(times_s):
        if runs:
            previous = times_s[runs[-1][-1]]
            same_group = np.searchsorted(keys, previous, "right") == np.searchsorted(
                keys, time_s, "right"
            )
            if same_group or time_s - previous <= SAME_RUN_S:
                runs[-1].append(position)
                continue
        runs.append([position])
    return runs


def pick_frames(
    path: str | Path,
    times_s: Sequence[float],
    tolerance_s: float,
    *,
    order: ChannelOrder = "bgr",
    short_side: int | None = None,
    info: VideoInfo | None = None,
) -> Iterator[tuple[int, Frame]]:
    """(position in ``times_s``, frame) for each of the sorted ``times_s`` the clip has.

    A frame counts when it lies within ``tolerance_s`` of the asked-for time;
    times without one are skipped. Only the wanted frames are converted to
    pixels (``order``, at most ``short_side`` on the shorter side).
    """
    if not times_s:
        return
    if info is None:
        with VideoSource(path) as probe:
            info = probe.info
    keyframes = scan_frames(Path(path), info.first_time_s).keyframes_s
    for run in seek_runs(times_s, keyframes):
        wanted = [float(times_s[i]) for i in run]
        start = max(0.0, wanted[0] - tolerance_s)
        with VideoSource(
            path, start_s=start, order=order, short_side=short_side, info=info
        ) as source:
            for frame in source.frames_near(wanted, tolerance_s):
                yield run[frame.index], frame
