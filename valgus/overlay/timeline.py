"""The flag strip: the whole clip's knee and pelvis flags along the bottom of the frame.

Why: a coach sees at once where in the clip the knees collapsed, and where
the current frame is (the cursor). The strip spans the full frame width so
its time axis lines up with the browser's seek bar below the video.
"""

from __future__ import annotations

import cv2
import numpy as np

from valgus.overlay.draw import (
    DEFAULT_PALETTE,
    OverlayPalette,
    check_image,
    dim_rect,
    draw_text,
    px,
    text_size,
    ui_scale,
)
from valgus.overlay.frame import FlagTimeline, OverlayFrame

LANE_LABELS = ("L knee", "R knee", "Pelvis")
# Smallest font scale of the lane labels: cv2 text below about 0.35 cannot be read.
MIN_LABEL_SCALE = 0.35


def column_grades(times_s: np.ndarray, grades: np.ndarray, width: int) -> np.ndarray:
    """Grade of each pixel column of a strip ``width`` pixels wide.

    Column ``x`` covers the time ``t0 + x / (width - 1) * (t1 - t0)``. Each
    column shows the grade in effect at its time (the last sample at or
    before it), raised to the worst grade of any sample that rounds to it, so
    a flag shorter than one column never disappears.

    Parameters
    ----------
    times_s : ndarray of shape (T,)
        Non-decreasing sample times in seconds.
    grades : ndarray of shape (T,)
        Grade per sample (-1 not computable, 0, 1, 2).
    width : int
        Strip width in pixels (>= 1).

    Returns
    -------
    ndarray of shape (width,), int8
    """
    if width < 1:
        raise ValueError(f"width must be >= 1, got {width}")
    t0 = times_s[0]
    span = max(float(times_s[-1] - t0), 1e-9)
    col_times = t0 + np.arange(width) / max(width - 1, 1) * span
    in_effect = np.clip(np.searchsorted(times_s, col_times, side="right") - 1, 0, times_s.size - 1)
    out = grades[in_effect].astype(np.int8)
    cols = np.clip(np.round((times_s - t0) / span * (width - 1)).astype(np.int64), 0, width - 1)
    np.maximum.at(out, cols, grades.astype(np.int8))
    return out


def time_to_x(time_s: float, times_s: np.ndarray, width: int) -> int:
    """Pixel column of ``time_s`` on a strip ``width`` pixels wide (clipped to the strip)."""
    t0 = float(times_s[0])
    span = max(float(times_s[-1]) - t0, 1e-9)
    return int(np.clip(round((time_s - t0) / span * (width - 1)), 0, width - 1))


class FlagStripAnnotator:
    """Three lanes (L knee, R knee, pelvis) coloured by grade, with a time cursor.

    Parameters
    ----------
    timeline : FlagTimeline
        The whole clip's flags.
    palette : OverlayPalette, keyword-only
    lane_height_px : float, keyword-only
        Height of one lane in pixels on a 1280x720 frame (scaled with the frame).
    """

    def __init__(
        self,
        timeline: FlagTimeline,
        *,
        palette: OverlayPalette = DEFAULT_PALETTE,
        lane_height_px: float = 15.0,
    ) -> None:
        if lane_height_px <= 0:
            raise ValueError(f"lane_height_px must be positive, got {lane_height_px}")
        self.timeline = timeline
        self.palette = palette
        self.lane_height_px = lane_height_px
        self._lane_cache: dict[int, np.ndarray] = {}

    def _lane_colors(self, width: int) -> np.ndarray:
        """(3, width, 3) uint8 colour of every lane column, cached per width."""
        if width not in self._lane_cache:
            pal = self.palette
            # Normal is dimmed so amber and red stand out; -1 (no data) is dark grey.
            lut = np.array(
                [
                    (70, 70, 70),
                    tuple(round(0.5 * c) for c in pal.normal_bgr),
                    pal.elevated_bgr,
                    pal.marked_bgr,
                ],
                dtype=np.uint8,
            )
            lanes = [
                lut[column_grades(self.timeline.times_s, g, width) + 1] for g in self.timeline.lanes
            ]
            self._lane_cache[width] = np.stack(lanes)
        return self._lane_cache[width]

    def _sizes(self, unit: float) -> tuple[int, int, int]:
        """(lane height, gap between lanes, padding) in pixels at size ``unit``."""
        return px(self.lane_height_px, unit, 3), px(3, unit), px(6, unit, 2)

    def _rows(self, height: int, unit: float) -> list[tuple[int, int]]:
        lane_h, gap, pad = self._sizes(unit)
        y_top = height - pad - 3 * lane_h - 2 * gap
        return [(y_top + i * (lane_h + gap), y_top + i * (lane_h + gap) + lane_h) for i in range(3)]

    def band_height(self, frame_height: int, frame_width: int) -> int:
        """Height (even, for H.264) of the band below a frame that holds the strip."""
        unit = ui_scale(frame_height, frame_width)
        lane_h, gap, pad = self._sizes(unit)
        height = 3 * lane_h + 2 * gap + 2 * pad + px(6, unit, 3)  # room for the cursor tip
        return height + height % 2

    def lane_rows(self, height: int, width: int) -> list[tuple[int, int]]:
        """(y0, y1) pixel rows of each lane, top to bottom, for a frame of this size."""
        return self._rows(height, ui_scale(height, width))

    def below(self, image_bgr: np.ndarray, frame: OverlayFrame) -> np.ndarray:
        """``image_bgr`` with a band added below it holding the strip: the picture stays whole.

        Drawn over the picture, the strip hid the feet of people standing near
        the bottom of the frame, where valgus measures the ankles.
        """
        check_image(image_bgr)
        h, w = image_bgr.shape[:2]
        band = np.zeros((self.band_height(h, w), w, 3), dtype=np.uint8)
        band[:] = self.palette.panel_level
        return np.vstack([image_bgr, self._draw(band, frame, unit=ui_scale(h, w))])

    def cursor_x(self, time_s: float, width: int) -> int:
        """Pixel column of the cursor at ``time_s``."""
        return time_to_x(time_s, self.timeline.times_s, width)

    def annotate(self, image_bgr: np.ndarray, frame: OverlayFrame) -> np.ndarray:
        """Draw the strip over the bottom of ``image_bgr`` (the live view has no band)."""
        check_image(image_bgr)
        h, w = image_bgr.shape[:2]
        return self._draw(image_bgr, frame, unit=ui_scale(h, w))

    def _draw(self, image_bgr: np.ndarray, frame: OverlayFrame, *, unit: float) -> np.ndarray:
        h, w = image_bgr.shape[:2]
        rows = self._rows(h, unit)
        top = max(0, rows[0][0] - self._sizes(unit)[2])
        pal = self.palette
        dim_rect(image_bgr, 0, top, w, h, level=pal.panel_level, alpha=pal.panel_alpha)
        colors = self._lane_colors(w)
        for (y0, y1), lane in zip(rows, colors, strict=True):
            if y1 > max(0, y0):
                image_bgr[max(0, y0) : y1] = lane[None]
        fs, thick = max(0.5 * unit, MIN_LABEL_SCALE), px(1.2, unit)
        for (y0, y1), label in zip(rows, LANE_LABELS, strict=True):
            _, cap, _ = text_size(label, fs, thick)
            baseline = y0 + (y1 - y0 + cap) // 2
            draw_text(
                image_bgr,
                label,
                self._sizes(unit)[2],
                baseline,
                font_scale=fs,
                color_bgr=pal.text_bgr,
                thickness=thick,
                outline_bgr=pal.outline_bgr,
            )
        x = self.cursor_x(frame.time_s, w)
        half = px(1.5, unit)
        x0, x1 = max(0, x - half), min(w, x + half + 1)
        image_bgr[top:h, max(0, x0 - 1) : min(w, x1 + 1)] = pal.outline_bgr
        image_bgr[top:h, x0:x1] = pal.text_bgr
        tri = px(6, unit, 3)
        pts = np.array([[x - tri, top - tri], [x + tri, top - tri], [x, top]], dtype=np.int32)
        cv2.fillConvexPoly(image_bgr, pts, pal.text_bgr, cv2.LINE_AA)
        return image_bgr
