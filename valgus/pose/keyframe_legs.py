"""Re-read hips, knees and ankles with the second model at a few frames of a clip.

Why here, after the analysis has found its reading frames: valgus reads its
verdict numbers at one or two frames per rep (valgus.analysis.rep_metrics), so
a slower, more accurate model (valgus.pose.second_model) costs seconds a clip,
not minutes. MediaPipe stays the tracker of every frame; this module only
decodes the asked-for frames (seeking, at the size the pose pass saw) and
returns leg points in the clip's own pixels.

Two failure modes of a single-frame model are caught against MediaPipe's
tracked points: a left/right pair labelled the wrong way round (relabelled to
the labelling closer to MediaPipe's; in VIDEO mode MediaPipe is rarely confused
about sides) and a pair collapsed onto one limb or a joint the model is unsure
of (that leg keeps MediaPipe's reading).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from valgus.pose.landmarks import LEG
from valgus.pose.person_crop import person_box
from valgus.pose.second_model import Keypoints, SecondModel
from valgus.pose.track import PoseTrack
from valgus.video.frame_picker import pick_frames
from valgus.video.info import fit_within
from valgus.video.source import VideoSource

SIDES = ("left", "right")
JOINTS = ("hip", "knee", "ankle")
# Below this score MoveNet is guessing (its scores on a clear, visible joint are 0.5-0.9).
MIN_SCORE = 0.3
# A pair whose two points lie closer than this share of MediaPipe's gap is one limb read twice.
MIN_PAIR_GAP_RATIO = 0.5
DECODE_SHORT_SIDE = 720  # what the pose pass saw (valgus.pose.time_chunks.MODEL_SHORT_SIDE)


@dataclass(frozen=True)
class LegReading:
    """The second model's legs at one frame: ``xy[side][joint]`` pixels, ``usable`` per side."""

    xy: dict[str, np.ndarray]  # side -> (3, 2) hip, knee, ankle in source pixels
    usable: dict[str, bool]
    swapped: tuple[str, ...] = ()


@dataclass(frozen=True)
class KeyframeLegs:
    """Second-model readings by frame number, and what could not be read."""

    readings: dict[int, LegReading] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def leg(self, frame: int, side: str) -> np.ndarray | None:
        """(3, 2) hip, knee, ankle of ``side`` at ``frame``, None if not read or not usable."""
        reading = self.readings.get(frame)
        if reading is None or not reading.usable[side]:
            return None
        return reading.xy[side]

    def other_hip(self, frame: int, side: str) -> np.ndarray | None:
        """The opposite hip at ``frame`` (FPPA's medial direction), None if not read."""
        reading = self.readings.get(frame)
        return None if reading is None else reading.xy[SIDES[side == "left"]][0]


# Yields (frame number, RGB image, source pixels per image pixel) for the asked-for frames.
FrameProvider = Callable[[list[int]], Iterator[tuple[int, np.ndarray, float]]]


def keyframe_reader(
    path: str | Path, track: PoseTrack, frames_of: FrameProvider | None = None
) -> Callable[[list[int]], KeyframeLegs]:
    """The ``refine`` of ``analyze_track``: the second model's legs at given frames of ``path``.

    ``frames_of`` replaces decoding ``path`` (benchmarks that transform frames in
    memory). The model is loaded on the first call (once per process), so a clip
    without reps never pays for it.
    """
    provider = frames_of or video_frames(path, track)

    def read(frames: list[int]) -> KeyframeLegs:
        if not frames:  # reps without a valid FPPA frame: nothing to load the model for
            return KeyframeLegs()
        return read_keyframe_legs(provider, track, frames, shared_model())

    return read


@functools.cache
def shared_model() -> SecondModel:
    """One onnxruntime session per process: batch workers analyse many clips with it."""
    return SecondModel()


def read_keyframe_legs(
    frames_of: FrameProvider, track: PoseTrack, frames: Iterable[int], model: SecondModel
) -> KeyframeLegs:
    """The second model's legs at ``frames`` (track frame numbers), in the track's pixels."""
    wanted = sorted({int(f) for f in frames if 0 <= int(f) < track.n_frames})
    readings: dict[int, LegReading] = {}
    for number, rgb, scale in frames_of(wanted):
        mediapipe = track.xy_px[number] / scale
        if np.isfinite(mediapipe).any():
            keypoints = model.read(rgb, person_box(mediapipe, rgb.shape))
            readings[number] = _legs(keypoints, mediapipe, scale)
    missed = [f for f in wanted if f not in readings]
    notes = (f"second model: {len(missed)} key frame(s) could not be read",) if missed else ()
    return KeyframeLegs(readings, notes)


def video_frames(path: str | Path, track: PoseTrack) -> FrameProvider:
    """Decode the asked-for frames of ``path`` at the size the pose pass saw.

    Frames are matched to the track by timestamp (half a frame either way), the
    way the pose pass numbered them; frames sharing a keyframe are decoded in
    one run (valgus.video.frame_picker) and only those asked for are converted.
    """

    def frames_of(wanted: list[int]) -> Iterator[tuple[int, np.ndarray, float]]:
        with VideoSource(path) as probe:
            info = probe.info
        width, _ = fit_within(info.width, info.height, DECODE_SHORT_SIDE)
        times = [float(track.times_s[f]) for f in wanted]
        half_frame = 0.5 / track.fps if track.fps > 0 else 1e-3
        picked = pick_frames(
            path, times, half_frame, order="rgb", short_side=DECODE_SHORT_SIDE, info=info
        )
        for position, frame in picked:
            yield wanted[position], frame.image, info.width / width

    return frames_of


def _legs(keypoints: Keypoints, mediapipe: np.ndarray, scale: float) -> LegReading:
    """Leg points in source pixels, each pair labelled as MediaPipe labels it, bad sides marked."""
    xy = {s: np.stack([keypoints.point(f"{s}_{j}") for j in JOINTS]) for s in SIDES}
    score = {s: np.array([keypoints.confidence(f"{s}_{j}") for j in JOINTS]) for s in SIDES}
    reference = {s: mediapipe[list(LEG[s])] for s in SIDES}
    swapped = []
    collapsed = False
    for j, joint in enumerate(JOINTS):
        ref_l, ref_r = reference["left"][j], reference["right"][j]
        if not np.isfinite([*ref_l, *ref_r]).all():
            continue
        kp_l, kp_r = xy["left"][j].copy(), xy["right"][j].copy()
        same = np.linalg.norm(kp_l - ref_l) + np.linalg.norm(kp_r - ref_r)
        if np.linalg.norm(kp_l - ref_r) + np.linalg.norm(kp_r - ref_l) < same:
            xy["left"][j], xy["right"][j] = kp_r, kp_l
            score["left"][j], score["right"][j] = score["right"][j], score["left"][j]
            swapped.append(joint)
        collapsed |= bool(
            np.linalg.norm(kp_l - kp_r) < MIN_PAIR_GAP_RATIO * np.linalg.norm(ref_l - ref_r)
        )
    usable = {s: not collapsed and bool((score[s] >= MIN_SCORE).all()) for s in SIDES}
    return LegReading(xy={s: xy[s] * scale for s in SIDES}, usable=usable, swapped=tuple(swapped))
