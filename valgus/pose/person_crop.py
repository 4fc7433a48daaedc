"""A square crop around the tracked person, resized to a model's input, and the map back.

Why square, centred and padded with black: MoveNet was trained and is run by its
authors on square inputs of a centred person, with the part of the square outside
the image filled with zeros. Stretching a tall box to a square would distort the
very angles valgus measures, so the crop keeps the aspect ratio and pads.

Coordinates are continuous pixels: pixel ``i`` covers ``[i, i + 1)``, so a
normalised coordinate ``u`` in the crop is ``origin + u * side`` in the frame,
the convention of MediaPipe's normalised landmarks times the image size; the two
models' points can be compared directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Crop:
    """A square window of the frame: integer origin (may be negative) and side, in pixels."""

    x0: int
    y0: int
    side: int

    def to_frame(self, uv: np.ndarray) -> np.ndarray:
        """(..., 2) normalised crop coordinates (x, y in [0, 1]) -> frame pixels."""
        return np.asarray(uv, dtype=float) * self.side + (self.x0, self.y0)


def square_crop(box: Box, scale: float) -> Crop:
    """The square centred on ``box`` (x0, y0, x1, y1 pixels), side ``scale`` x its longer edge.

    ``scale`` > 1 leaves room around the body: a box from MediaPipe's landmarks
    stops at the eyes and heels, while MoveNet expects the whole person with a margin.
    """
    x0, y0, x1, y1 = (float(v) for v in box)
    if not (x1 > x0 and y1 > y0):
        raise ValueError(f"empty person box {box}")
    side = max(1, round(max(x1 - x0, y1 - y0) * scale))
    cx, cy = (x0 + x1) / 2.0, (y0 + y1) / 2.0
    return Crop(round(cx - side / 2.0), round(cy - side / 2.0), side)


def extract(rgb: np.ndarray, crop: Crop, size: int) -> np.ndarray:
    """The crop of an (H, W, 3) uint8 frame as a (size, size, 3) uint8 image; outside is black.

    Pasted at full resolution, then resized once: INTER_AREA when shrinking (a
    person 900 px tall squeezed into 256 px aliases with bilinear sampling),
    INTER_CUBIC when enlarging; both use the pixel-centre convention of
    ``Crop.to_frame``. Cubic, not bilinear, because MoveNet reads a blurred knee
    differently: tux_hyva7 at half resolution (a 250 px crop enlarged to 256)
    read FPPA 1.3 deg lower on average and up to 2.8 deg lower than at full
    resolution with bilinear enlarging, within 0.9 deg (mean 0.1) with cubic.
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"expected an (H, W, 3) uint8 RGB frame, got {rgb.shape} {rgb.dtype}")
    h, w = rgb.shape[:2]
    canvas = np.zeros((crop.side, crop.side, 3), np.uint8)
    fx0, fy0 = max(crop.x0, 0), max(crop.y0, 0)
    fx1, fy1 = min(crop.x0 + crop.side, w), min(crop.y0 + crop.side, h)
    if fx1 > fx0 and fy1 > fy0:
        canvas[fy0 - crop.y0 : fy1 - crop.y0, fx0 - crop.x0 : fx1 - crop.x0] = rgb[fy0:fy1, fx0:fx1]
    interp = cv2.INTER_AREA if crop.side > size else cv2.INTER_CUBIC
    return cv2.resize(canvas, (size, size), interpolation=interp)


def person_box(landmarks_xy: np.ndarray, frame_shape: tuple[int, ...]) -> Box:
    """Box (x0, y0, x1, y1) of the finite (N, 2) landmark pixels, clipped to the frame.

    For a MediaPipe row this spans eyes to heels. Clipping matters: landmarks of
    joints out of the picture can lie far outside and would shrink the person in
    the crop.
    """
    pts = np.asarray(landmarks_xy, dtype=float)[:, :2]
    pts = pts[np.isfinite(pts).all(axis=1)]
    if len(pts) < 2:
        raise ValueError("need at least two finite landmarks for a person box")
    h, w = frame_shape[:2]
    x0, x1 = np.clip([pts[:, 0].min(), pts[:, 0].max()], 0, w)
    y0, y1 = np.clip([pts[:, 1].min(), pts[:, 1].max()], 0, h)
    return float(x0), float(y0), float(x1), float(y1)
