"""Pose stage: MediaPipe Pose Landmarker (Tasks API, VIDEO mode) over frames -> PoseTrack.

MediaPipe is imported inside functions so the rest of the package (re-analysis
from ``pose.npz``, reports, tests of pure stages) loads without it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import cv2
import numpy as np

from valgus.pose.camera_cues import CueTracker
from valgus.pose.landmarks import NUM_LANDMARKS
from valgus.pose.native_logs import quiet_native_logs
from valgus.pose.track import CUE_COLUMNS, PoseTrack
from valgus.video.prefetch import prefetch
from valgus.video.source import Frame


class PoseEstimator:
    """One MediaPipe Pose Landmarker in VIDEO mode; close it (or use ``with``).

    Parameters
    ----------
    model_path : Path
        A Tasks ``.task`` bundle (see ``valgus.pose.model_files.resolve_model``).
    min_detection_confidence, min_tracking_confidence : float, keyword-only
        MediaPipe's thresholds; the defaults are MediaPipe's own.
    """

    def __init__(
        self,
        model_path: Path,
        *,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
    ) -> None:
        from valgus.pose.mediapipe_import import mediapipe_tasks

        tasks = mediapipe_tasks()
        vision = tasks.vision
        options = vision.PoseLandmarkerOptions(
            base_options=tasks.BaseOptions(model_asset_path=str(model_path)),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=1,
            min_pose_detection_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence,
        )
        with quiet_native_logs():
            self._landmarker = vision.PoseLandmarker.create_from_options(options)
        self._last_ms = -1
        self._first = True

    def detect(self, image_bgr: np.ndarray, time_s: float) -> np.ndarray | None:
        """Landmarks of one BGR frame (see :meth:`detect_rgb`)."""
        return self.detect_rgb(cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB), time_s)

    def detect_rgb(self, rgb: np.ndarray, time_s: float) -> np.ndarray | None:
        """Landmarks of one RGB frame as (33, 7): x_px, y_px, z_px, visibility, world x/y/z (m).

        Returns None when no person is found. Timestamps must increase; equal or
        decreasing container times (rare, broken files) are nudged forward by 1 ms.
        """
        import mediapipe as mp

        height, width = rgb.shape[:2]
        ms = max(round(time_s * 1000.0), self._last_ms + 1)
        self._last_ms = ms
        # mp.Image reads the buffer as packed rows: a decoder's padded rows (odd widths) or a
        # rotated view would be read as noise, and no person found.
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        if self._first:
            with quiet_native_logs():
                result = self._landmarker.detect_for_video(image, ms)
            self._first = False
        else:
            result = self._landmarker.detect_for_video(image, ms)
        if not result.pose_landmarks:
            return None
        image_pts = result.pose_landmarks[0]
        world_pts = result.pose_world_landmarks[0]
        out = np.empty((NUM_LANDMARKS, 7))
        for i, (p, w) in enumerate(zip(image_pts, world_pts, strict=True)):
            out[i] = (p.x * width, p.y * height, p.z * width, p.visibility or 0.0, w.x, w.y, w.z)
        return out

    def close(self) -> None:
        """Release the landmarker now (mediapipe 1.2.2 complains if the GC does it at exit).

        Quietly: mediapipe 1.2.3 logs an INFO line per accelerator it destroys.
        """
        if self._landmarker is not None:
            with quiet_native_logs():
                self._landmarker.close()
            self._landmarker = None

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class TrackBuilder:
    """Collects per-frame landmarks (and cues) into a PoseTrack without holding any frame images.

    Rows are copied into blocks of ``BLOCK_FRAMES`` frames rather than kept as
    one small array per frame: a 10-minute clip held 15,600 of those, each
    with its own allocation (on the chunk threads' malloc arenas, which the
    analysis after them cannot reuse), and a second copy while building.
    """

    BLOCK_FRAMES = 1024

    def __init__(self) -> None:
        self._times: list[float] = []
        self._blocks: list[np.ndarray] = []
        self._cue_blocks: list[np.ndarray] = []

    def add(self, time_s: float, landmarks: np.ndarray | None, cues: np.ndarray | None = None):
        """Append one frame's result (None when no person was found; no cues: NaN)."""
        slot = len(self._times) % self.BLOCK_FRAMES
        if slot == 0:
            self._blocks.append(np.full((self.BLOCK_FRAMES, NUM_LANDMARKS, 7), np.nan))
            self._cue_blocks.append(np.full((self.BLOCK_FRAMES, len(CUE_COLUMNS)), np.nan))
        if landmarks is not None:
            self._blocks[-1][slot] = landmarks
        if cues is not None:
            self._cue_blocks[-1][slot] = cues
        self._times.append(time_s)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(times (T,), landmarks (T, 33, 7), cues (T, 6)) so far; no person: all NaN."""
        n = len(self._times)
        if not n:
            empty = np.full((0, NUM_LANDMARKS, 7), np.nan)
            return np.zeros(0), empty, np.full((0, len(CUE_COLUMNS)), np.nan)
        return (
            np.asarray(self._times, dtype=float),
            np.concatenate(self._blocks)[:n],
            np.concatenate(self._cue_blocks)[:n],
        )

    def build(self, *, width: int, height: int, fps: float, source: str, model: str) -> PoseTrack:
        """The PoseTrack of everything added so far (filled block by block: no joined copy)."""
        n = len(self._times)
        track = PoseTrack.empty(n, width=width, height=height, fps=fps, source=source, model=model)
        track.times_s[:] = self._times
        for k, (block, cues) in enumerate(zip(self._blocks, self._cue_blocks, strict=True)):
            start = k * self.BLOCK_FRAMES
            fill_rows(track, start, block[: n - start])
            track.cues[start : start + len(cues[: n - start])] = cues[: n - start]
        return track


def track_from_rows(
    times_s: np.ndarray, rows: np.ndarray, cues: np.ndarray | None = None, **meta: object
) -> PoseTrack:
    """A PoseTrack from (T, 33, 7) landmark rows as ``detect_rgb`` gives them (NaN: no person)."""
    track = PoseTrack.empty(len(times_s), **meta)
    track.times_s[:] = times_s
    fill_rows(track, 0, rows)
    if cues is not None:
        track.cues[:] = cues
    return track


def fill_rows(track: PoseTrack, start: int, rows: np.ndarray) -> None:
    """Write (k, 33, 7) landmark rows into frames ``start..start+k`` of ``track``.

    A frame whose row is all NaN had no person: it keeps the empty track's
    NaN coordinates and zero visibility.
    """
    found = ~np.isnan(rows[:, :, 3]).all(axis=1)
    index = start + np.flatnonzero(found)
    track.xy_px[index] = rows[found, :, 0:2]
    track.z[index] = rows[found, :, 2]
    track.visibility[index] = rows[found, :, 3]
    track.world_xyz_m[index] = rows[found, :, 4:7]


def _with_rgb(frames: Iterable[Frame]) -> Iterator[tuple[Frame, np.ndarray]]:
    for frame in frames:
        yield frame, frame.image_rgb


def infer_frames(
    frames: Iterable[Frame],
    estimator: PoseEstimator,
    *,
    on_frame: Callable[[Frame, np.ndarray | None], None] | None = None,
    stop: threading.Event | None = None,
    cues: CueTracker | None = None,
) -> Iterator[tuple[float, np.ndarray | None, np.ndarray | None]]:
    """(time_s, landmarks, cues) for each frame, decoding ahead on a background thread.

    Decoding (and the conversion to RGB, if ``frames`` are BGR: a source
    opened with ``order="rgb"`` saves it) overlaps inference, which runs on one
    core (MediaPipe's Python API has no thread option). ``stop`` ends early.
    With a ``cues`` tracker each frame's camera cues come too (else None).
    """
    for frame, rgb in prefetch(_with_rgb(frames), maxsize=8, name="decode"):
        if stop is not None and stop.is_set():
            return
        landmarks = estimator.detect_rgb(rgb, frame.time_s)
        if on_frame is not None:
            on_frame(frame, landmarks)
        row = (
            None
            if cues is None
            else cues.update(rgb, None if landmarks is None else landmarks[:, :2])
        )
        yield frame.time_s, landmarks, row


def estimate_track(
    frames: Iterable[Frame],
    estimator: PoseEstimator,
    *,
    width: int,
    height: int,
    fps: float,
    source: str,
    model: str,
    on_frame: Callable[[Frame, np.ndarray | None], None] | None = None,
) -> PoseTrack:
    """Run ``estimator`` over ``frames`` and return the PoseTrack.

    ``on_frame`` sees each frame with its landmarks (progress bars, live view).
    """
    builder = TrackBuilder()
    for time_s, landmarks, _ in infer_frames(frames, estimator, on_frame=on_frame):
        builder.add(time_s, landmarks)
    return builder.build(width=width, height=height, fps=fps, source=source, model=model)
