"""Pose stage: MediaPipe Pose Landmarker (Tasks API, VIDEO mode) over frames -> PoseTrack.

MediaPipe is imported inside functions so the rest of the package (re-analysis
from ``pose.npz``, reports, tests of pure stages) loads without it.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import cv2
import numpy as np

from valgus.landmarks import NUM_LANDMARKS
from valgus.prefetch import prefetch
from valgus.source import Frame
from valgus.track import PoseTrack


class _QuietStderr:
    """Process-wide, reference-counted redirect of fd 2 to /dev/null.

    Reference-counted because landmarkers are created on several threads at
    once (valgus.segments): the first to enter redirects and the last to leave
    restores, so no thread can restore /dev/null as "the original" stderr.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved: int | None = None

    def enter(self) -> None:
        with self._lock:
            if self._depth == 0:
                self._saved = os.dup(2)
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 2)
                os.close(devnull)
            self._depth += 1

    def leave(self) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0 and self._saved is not None:
                os.dup2(self._saved, 2)
                os.close(self._saved)
                self._saved = None


_QUIET = _QuietStderr()


@contextlib.contextmanager
def quiet_native_logs() -> Iterator[None]:
    """Silence MediaPipe's C++ start-up chatter (glog/TFLite lines on fd 2).

    Users should see one clear line per problem, not XNNPACK banners. Python
    exceptions are unaffected: they propagate and are reported by the caller
    after the descriptor is restored.
    """
    _QUIET.enter()
    try:
        yield
    finally:
        _QUIET.leave()


class PoseEstimator:
    """One MediaPipe Pose Landmarker in VIDEO mode; close it (or use ``with``).

    Parameters
    ----------
    model_path : Path
        A Tasks ``.task`` bundle (see ``valgus.models.resolve_model``).
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
        from valgus.mediapipe_import import mediapipe_tasks

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
    """Collects per-frame landmarks into a PoseTrack without holding any frame images."""

    def __init__(self) -> None:
        self._times: list[float] = []
        self._rows: list[np.ndarray | None] = []

    def add(self, time_s: float, landmarks: np.ndarray | None) -> None:
        """Append one frame's result (None when no person was found)."""
        self._times.append(time_s)
        self._rows.append(landmarks)

    def build(self, *, width: int, height: int, fps: float, source: str, model: str) -> PoseTrack:
        """The PoseTrack of everything added so far."""
        track = PoseTrack.empty(
            len(self._times), width=width, height=height, fps=fps, source=source, model=model
        )
        track.times_s[:] = self._times
        for i, row in enumerate(self._rows):
            if row is None:
                continue
            track.xy_px[i] = row[:, 0:2]
            track.z[i] = row[:, 2]
            track.visibility[i] = row[:, 3]
            track.world_xyz_m[i] = row[:, 4:7]
        return track


def _with_rgb(frames: Iterable[Frame]) -> Iterator[tuple[Frame, np.ndarray]]:
    for frame in frames:
        yield frame, frame.image_rgb


def infer_frames(
    frames: Iterable[Frame],
    estimator: PoseEstimator,
    *,
    on_frame: Callable[[Frame, np.ndarray | None], None] | None = None,
    stop: threading.Event | None = None,
) -> Iterator[tuple[float, np.ndarray | None]]:
    """(time_s, landmarks) for each frame, decoding ahead on a background thread.

    Decoding (and the conversion to RGB, if ``frames`` are BGR: a source
    opened with ``order="rgb"`` saves it) overlaps inference, which runs on one
    core (MediaPipe's Python API has no thread option). ``stop`` ends early.
    """
    for frame, rgb in prefetch(_with_rgb(frames), maxsize=8, name="decode"):
        if stop is not None and stop.is_set():
            return
        landmarks = estimator.detect_rgb(rgb, frame.time_s)
        if on_frame is not None:
            on_frame(frame, landmarks)
        yield frame.time_s, landmarks


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
    for time_s, landmarks in infer_frames(frames, estimator, on_frame=on_frame):
        builder.add(time_s, landmarks)
    return builder.build(width=width, height=height, fps=fps, source=source, model=model)
