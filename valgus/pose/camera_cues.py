"""Per-frame cues of edited or moving footage: picture changes and camera motion.

Why in the pose stage: a cut, a zoom or a pan changes the floor and the
standing height every depth, lift and pelvic number is measured against
(front/yogapose_tree has 24 cuts to close-ups; front/tux_hyva_ja_paha2 pans and
tilts between reps). Finding them needs the pixels, which only the pose stage
decodes; the analysis then splits the clip into shots (valgus.analysis.shots).
The cues are small (six numbers a frame) and are saved in pose.npz, so a
re-analysis finds the same shots without the video.

Per frame, against the previous frame of the same time chunk (each chunk
starts early, so its first kept frame has its predecessor):

- ``hist_distance``: total-variation distance of HSV colour histograms of a
  64 px thumbnail (the share of pixels that changed colour bin); a person
  moving against a fixed background moves few pixels, a cut changes the whole
  frame's colour make-up at once;
- ``layout_distance``: 1 - correlation of 16 px grayscale thumbnails: a GIF
  palette change moves colours but not the layout;
- ``camera_dx_px``, ``camera_dy_px``, ``camera_log_scale``, ``camera_roll_deg``:
  the background's similarity transform (Lucas-Kanade on corners outside the
  person's box, RANSAC), in pixels of the full frame; NaN when too few
  background corners were found (a plain studio wall, a person filling the frame).

Thresholds were set on ../shared/videos (all front and oblique clips).
"""

from __future__ import annotations

import cv2
import numpy as np

from valgus.pose.track import CUE_COLUMNS

THUMB_WIDTH = 64
HIST_BINS = (16, 4, 4)  # hue x saturation x value
LAYOUT_WIDTH = 16
MOTION_WIDTH = 160
MOTION_MAX_CORNERS = 120
MOTION_MIN_INLIERS = 12
# Share of the motion thumbnail outside the person's box (both frames) needed to trust
# the background: a person filling a narrow frame leaves only their own edges to track
# (front/spotter_weighted_squat, 296x640: the "camera" followed her squats).
MOTION_MIN_FREE_AREA = 0.4
BOX_MARGIN = 0.15  # the person's landmark box grows by this share of its size


def shrink(image: np.ndarray, width: int) -> np.ndarray:
    """Area-averaged copy ``width`` pixels wide (aspect kept).

    Frames at least 4x wider are first decimated (every k-th pixel, k = ratio // 2):
    the area resize of a 1080x1920 frame to 160 px took 8-20 ms here, of the
    decimated one about 1 ms, and the 2-3x area average left still smooths what a
    histogram and a corner tracker would alias on.
    """
    h, w = image.shape[:2]
    step = w // (2 * width)
    if step > 1:
        image = image[::step, ::step]
        h, w = image.shape[:2]
    return cv2.resize(image, (width, max(1, round(h * width / w))), interpolation=cv2.INTER_AREA)


def _signature(thumb_rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(normalised HSV histogram, zero-mean unit-norm layout vector) of a thumbnail."""
    hsv = cv2.cvtColor(thumb_rgb, cv2.COLOR_RGB2HSV)
    hist = cv2.calcHist([hsv], [0, 1, 2], None, list(HIST_BINS), [0, 180, 0, 256, 0, 256]).ravel()
    hist /= max(float(hist.sum()), 1.0)
    gray = cv2.cvtColor(shrink(thumb_rgb, LAYOUT_WIDTH), cv2.COLOR_RGB2GRAY).astype(float).ravel()
    gray -= gray.mean()
    norm = float(np.linalg.norm(gray))
    return hist, gray / norm if norm > 0 else gray


def person_box(xy_px: np.ndarray | None) -> tuple[float, float, float, float] | None:
    """x0, y0, x1, y1 of all landmarks (33, 2), grown by ``BOX_MARGIN``; None without a pose."""
    if xy_px is None or not np.isfinite(xy_px).any():
        return None
    lo, hi = np.nanmin(xy_px, axis=0), np.nanmax(xy_px, axis=0)
    grow = BOX_MARGIN * (hi - lo)
    return (*(lo - grow), *(hi + grow))


def _background_mask(shape: tuple[int, int], boxes: list, factor: float) -> np.ndarray:
    mask = np.full(shape, 255, dtype=np.uint8)
    for box in boxes:
        if box is not None:
            x0, y0, x1, y1 = (v * factor for v in box)
            mask[
                max(int(y0), 0) : max(int(np.ceil(y1)), 0),
                max(int(x0), 0) : max(int(np.ceil(x1)), 0),
            ] = 0
    return mask


def background_motion(
    previous: np.ndarray, current: np.ndarray, mask: np.ndarray
) -> tuple[float, float, float, float] | None:
    """(dx, dy, log scale, roll deg) of the background between two gray thumbnails, or None."""
    if (mask > 0).mean() < MOTION_MIN_FREE_AREA:
        return None
    corners = cv2.goodFeaturesToTrack(previous, MOTION_MAX_CORNERS, 0.01, 4, mask=mask, blockSize=5)
    if corners is None or len(corners) < MOTION_MIN_INLIERS:
        return None
    moved, status, _ = cv2.calcOpticalFlowPyrLK(
        previous, current, corners, None, winSize=(15, 15), maxLevel=2
    )
    ok = status.ravel() == 1
    if ok.sum() < MOTION_MIN_INLIERS:
        return None
    matrix, inliers = cv2.estimateAffinePartial2D(
        corners[ok], moved[ok], method=cv2.RANSAC, ransacReprojThreshold=1.0
    )
    if matrix is None or inliers.sum() < MOTION_MIN_INLIERS:
        return None
    scale = float(np.hypot(matrix[0, 0], matrix[1, 0]))
    roll = float(np.degrees(np.arctan2(matrix[1, 0], matrix[0, 0])))
    return float(matrix[0, 2]), float(matrix[1, 2]), float(np.log(scale)), roll


class CueTracker:
    """The six cues of each frame against the previous one; feed frames in order.

    One tracker per time chunk: the first frame it sees gets zero picture
    change and no motion (NaN), so chunks never compare across their joins.
    """

    def __init__(self) -> None:
        self._signature: tuple[np.ndarray, np.ndarray] | None = None
        self._gray: np.ndarray | None = None
        self._box: tuple[float, float, float, float] | None = None

    def update(self, image_rgb: np.ndarray, xy_px: np.ndarray | None) -> np.ndarray:
        """(6,) cues of this frame (``CUE_COLUMNS``); ``xy_px`` is its landmarks or None."""
        small = shrink(image_rgb, MOTION_WIDTH)
        signature = _signature(shrink(small, THUMB_WIDTH))
        gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
        box = person_box(xy_px)
        cues = np.full(len(CUE_COLUMNS), np.nan)
        if self._signature is None:
            cues[:2] = 0.0
        else:
            cues[0] = 0.5 * float(np.abs(signature[0] - self._signature[0]).sum())
            cues[1] = 1.0 - float(np.dot(signature[1], self._signature[1]))
            factor = MOTION_WIDTH / image_rgb.shape[1]
            mask = _background_mask(gray.shape, [self._box, box], factor)
            motion = background_motion(self._gray, gray, mask)
            if motion is not None:
                dx, dy, log_scale, roll = motion
                cues[2:] = (dx / factor, dy / factor, log_scale, roll)
        self._signature, self._gray, self._box = signature, gray, box
        return cues
