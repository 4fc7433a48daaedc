"""Mirror-averaged pose: run the model on each frame and on its mirror image, and average.

Why: MediaPipe is not mirror-symmetric. On the real front clips of
``../shared/videos`` a mirrored copy reads each knee's FPPA 0.5-3 deg away from
the other knee of the original, frame by frame (docs/validation.md), so which
knee "collapses more" can depend on the model's handedness rather than on the
person. Averaging a frame's landmarks with those of its mirror image (mapped
back and with left and right exchanged) removes that bias by construction: a
mirrored clip then reads exactly as the original with the sides swapped. On
the rendered benchmark it also cut the per-frame FPPA error from 2.2 to 1.9 deg.

The cost is a second landmarker. Both run at once on two threads (MediaPipe
releases the GIL), so on two cores a clip takes about as long as one
landmarker did; with ``--jobs`` segments the cores are shared.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np

from valgus.pose.landmarker import PoseEstimator
from valgus.pose.landmarks import NUM_LANDMARKS

# BlazePose's 33 landmarks in pairs of the person's left and right (eyes inner, eyes,
# eyes outer, ears, mouth corners, then shoulders to feet as odd-left / even-right).
_PAIRS = ((1, 4), (2, 5), (3, 6), (7, 8), (9, 10), *((i, i + 1) for i in range(11, 33, 2)))


def _mirror_order() -> tuple[int, ...]:
    order = list(range(NUM_LANDMARKS))
    for left, right in _PAIRS:
        order[left], order[right] = right, left
    return tuple(order)


MIRROR_ORDER = _mirror_order()


def unmirror(landmarks: np.ndarray | None, width: int) -> np.ndarray | None:
    """Landmarks found on a mirrored frame, as they lie on the original frame.

    Columns as ``PoseEstimator.detect_rgb``: x_px, y_px, z, visibility, world x/y/z.
    A pixel column c becomes width - c (MediaPipe's normalised x becomes 1 - x),
    the world x axis flips, and each left landmark becomes its right partner.
    """
    if landmarks is None:
        return None
    out = landmarks[list(MIRROR_ORDER)]  # fancy indexing: a new array
    out[:, 0] = width - out[:, 0]
    out[:, 4] = -out[:, 4]
    return out


def average(plain: np.ndarray | None, mirrored: np.ndarray | None) -> np.ndarray | None:
    """Mean of the two readings; the one that found a person when the other did not."""
    if plain is None or mirrored is None:
        return mirrored if plain is None else plain
    return (plain + mirrored) / 2.0


class MirrorAveragedEstimator:
    """Two landmarkers, one on the frames and one on their mirror images, averaged.

    Same interface as ``PoseEstimator`` (``detect``, ``detect_rgb``, ``close``,
    context manager), so every stage that takes one takes this.
    """

    def __init__(self, model_path: Path) -> None:
        self._plain = PoseEstimator(model_path)
        self._mirrored = PoseEstimator(model_path)
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mirror")

    def detect(self, image_bgr: np.ndarray, time_s: float) -> np.ndarray | None:
        """Landmarks of one BGR frame (see :meth:`detect_rgb`)."""
        return self.detect_rgb(cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB), time_s)

    def detect_rgb(self, rgb: np.ndarray, time_s: float) -> np.ndarray | None:
        """Average of the frame's landmarks and its mirror image's, as (33, 7) or None."""
        flipped = self._worker.submit(self._mirrored.detect_rgb, cv2.flip(rgb, 1), time_s)
        plain = self._plain.detect_rgb(rgb, time_s)
        return average(plain, unmirror(flipped.result(), rgb.shape[1]))

    def close(self) -> None:
        """Stop the worker thread and release both landmarkers."""
        self._worker.shutdown(wait=True)
        self._plain.close()
        self._mirrored.close()

    def __enter__(self) -> MirrorAveragedEstimator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_estimator(
    model_path: Path, *, mirror_average: bool
) -> PoseEstimator | MirrorAveragedEstimator:
    """The landmarker a clip's analysis asked for."""
    return MirrorAveragedEstimator(model_path) if mirror_average else PoseEstimator(model_path)


def model_label(name: str, *, mirror_average: bool) -> str:
    """The model name recorded in the track and the report."""
    return f"{name}, mirror-averaged" if mirror_average else name
