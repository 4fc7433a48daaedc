"""Drawing primitives shared by the overlay annotators: palette, scale, text, panels.

Why a module of its own: every annotator needs the same sizes, colours and
legible text, and the annotators stay short when these live in one place.
Everything here draws in place on a BGR ``uint8`` image (a view of a larger
image works too) and never writes outside it.

``cv2.putText`` has no glyph for the degree sign, so :func:`draw_text` draws
"°" as a small ring; callers format values with "°" like any other string.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

FONT = cv2.FONT_HERSHEY_DUPLEX
DEGREE = "°"
_REFERENCE_HEIGHT_PX = 720.0
_REFERENCE_WIDTH_PX = 540.0
_MIN_SCALE = 0.6
_COORD_LIMIT_PX = 100_000.0
SHIFT_BITS = 4  # sub-pixel precision of cv2 drawing calls


@dataclass(frozen=True)
class OverlayPalette:
    """Colours (BGR) of the overlay.

    Grades follow the flags: 0 within normal, 1 above the normal range,
    2 marked (design.md section 1, "graded flags").
    """

    normal_bgr: tuple[int, int, int] = (113, 204, 46)  # green  #2ECC71
    elevated_bgr: tuple[int, int, int] = (0, 176, 255)  # amber  #FFB000
    marked_bgr: tuple[int, int, int] = (48, 59, 255)  # red    #FF3B30
    invalid_bgr: tuple[int, int, int] = (150, 150, 150)  # grey: not measurable
    body_bgr: tuple[int, int, int] = (235, 235, 235)  # trunk, shoulders, feet
    text_bgr: tuple[int, int, int] = (245, 245, 245)
    muted_text_bgr: tuple[int, int, int] = (185, 185, 185)
    outline_bgr: tuple[int, int, int] = (25, 25, 25)
    panel_level: int = 18  # grey level of panel backgrounds
    panel_alpha: float = 0.7  # opacity of panel backgrounds

    def grade_bgr(self, grade: int) -> tuple[int, int, int]:
        """Colour of a flag grade (0, 1 or 2)."""
        if grade >= 2:
            return self.marked_bgr
        if grade == 1:
            return self.elevated_bgr
        return self.normal_bgr


DEFAULT_PALETTE = OverlayPalette()


def check_image(image_bgr: np.ndarray) -> None:
    """Raise ValueError unless ``image_bgr`` is a (H, W, 3) uint8 array."""
    if (
        not isinstance(image_bgr, np.ndarray)
        or image_bgr.ndim != 3
        or image_bgr.shape[2] != 3
        or image_bgr.dtype != np.uint8
    ):
        shape = getattr(image_bgr, "shape", None)
        dtype = getattr(image_bgr, "dtype", None)
        raise ValueError(
            f"image_bgr must be a (H, W, 3) uint8 array, got shape {shape} dtype {dtype}"
        )


def ui_scale(height: int, width: int) -> float:
    """Size unit of the overlay: 1.0 on a 1280x720 frame.

    Scales with the frame height, but narrow portrait frames (406x720) are
    limited by their width so text still fits across.
    """
    return max(_MIN_SCALE, min(height / _REFERENCE_HEIGHT_PX, width / _REFERENCE_WIDTH_PX))


def px(value: float, unit: float, minimum: int = 1) -> int:
    """``value`` reference pixels at size ``unit``, rounded, at least ``minimum``."""
    return max(minimum, round(value * unit))


def to_fixed(points_xy: np.ndarray) -> np.ndarray:
    """Pixel coordinates (..., 2) as int32 fixed point for cv2 calls with ``shift=SHIFT_BITS``.

    Far-off points are clipped first so the integers cannot overflow; cv2 then
    clips lines to the image itself. NaN becomes 0: callers skip missing points.
    """
    clipped = np.clip(np.nan_to_num(points_xy, nan=0.0), -_COORD_LIMIT_PX, _COORD_LIMIT_PX)
    return np.round(clipped * (1 << SHIFT_BITS)).astype(np.int32)


def dim_rect(
    image_bgr: np.ndarray, x0: int, y0: int, x1: int, y1: int, *, level: int, alpha: float
) -> None:
    """Darken the rectangle [x0, x1) x [y0, y1) toward grey ``level`` with opacity ``alpha``.

    Only the rectangle is blended (a full-frame blend costs ~2 ms per 720p frame).
    """
    h, w = image_bgr.shape[:2]
    x0, x1 = max(0, x0), min(w, x1)
    y0, y1 = max(0, y0), min(h, y1)
    if x1 <= x0 or y1 <= y0:
        return
    roi = image_bgr[y0:y1, x0:x1]
    cv2.convertScaleAbs(roi, dst=roi, alpha=1.0 - alpha, beta=level * alpha)


def _segments(text: str) -> list[str]:
    """Split text around degree signs: "14°" -> ["14", "°", ""]."""
    out: list[str] = []
    for i, part in enumerate(text.split(DEGREE)):
        if i:
            out.append(DEGREE)
        out.append(part)
    return out


def _degree_radius(font_scale: float) -> int:
    return max(2, round(5.5 * font_scale))


@functools.lru_cache(maxsize=4096)
def text_size(text: str, font_scale: float, thickness: int) -> tuple[int, int, int]:
    """(width, cap height, descent) in pixels of ``text`` as drawn by :func:`draw_text`.

    Cached: the overlay measures the same few labels (~110 calls a frame) on
    every frame; uncached this was a fifth of the drawing time.
    """
    width = 0
    _, cap = cv2.getTextSize("0", FONT, font_scale, thickness)[0]
    descent = cv2.getTextSize("g", FONT, font_scale, thickness)[1]
    for seg in _segments(text):
        if seg == DEGREE:
            width += 2 * _degree_radius(font_scale) + 2 * thickness + 1
        elif seg:
            width += cv2.getTextSize(seg, FONT, font_scale, thickness)[0][0]
    return width, cap, descent


def draw_text(
    image_bgr: np.ndarray,
    text: str,
    x: int,
    y_baseline: int,
    *,
    font_scale: float,
    color_bgr: tuple[int, int, int],
    thickness: int,
    outline_bgr: tuple[int, int, int] | None = None,
) -> None:
    """Draw ``text`` with its baseline at ``y_baseline``; "°" becomes a small ring.

    An ``outline_bgr`` draws a dark halo first, for text over the video itself.
    """
    _, cap, _ = text_size(text, font_scale, thickness)
    passes = [(outline_bgr, thickness + 2)] if outline_bgr is not None else []
    passes.append((color_bgr, thickness))
    for color, thick in passes:
        cursor = x
        for seg in _segments(text):
            if seg == DEGREE:
                r = _degree_radius(font_scale)
                center = (cursor + r + thickness, y_baseline - cap + r)
                cv2.circle(image_bgr, center, r, color, max(1, thick - 1), cv2.LINE_AA)
                cursor += 2 * r + 2 * thickness + 1
            elif seg:
                cv2.putText(
                    image_bgr,
                    seg,
                    (cursor, y_baseline),
                    FONT,
                    font_scale,
                    color,
                    thick,
                    cv2.LINE_AA,
                )
                cursor += cv2.getTextSize(seg, FONT, font_scale, thickness)[0][0]


@dataclass(frozen=True)
class PanelRow:
    """One panel line: a label on the left and an optional value right-aligned."""

    label: str
    label_bgr: tuple[int, int, int]
    value: str = ""
    value_bgr: tuple[int, int, int] = (245, 245, 245)
    size: float = 1.0  # relative font size


def draw_panel(
    image_bgr: np.ndarray,
    rows: Sequence[PanelRow],
    *,
    anchor: str,
    unit: float,
    palette: OverlayPalette,
    max_width_frac: float = 0.48,
) -> tuple[int, int, int, int]:
    """Draw rows of text on a semi-transparent dark panel in a top corner.

    Parameters
    ----------
    anchor : {"top-left", "top-right"}
        Corner of the frame the panel sits in.
    unit : float
        Size unit from :func:`ui_scale`.
    max_width_frac : float
        Widest the panel may be, as a share of the frame width; text shrinks to fit.

    Returns
    -------
    (x0, y0, x1, y1) : the panel rectangle in pixels (end exclusive).
    """
    if anchor not in ("top-left", "top-right"):
        raise ValueError(f"anchor must be 'top-left' or 'top-right', got {anchor!r}")
    h, w = image_bgr.shape[:2]
    margin, pad, gap = px(12, unit), px(10, unit), px(18, unit)
    font_scale = 0.62 * unit
    thickness = px(1.4, unit)

    def measure(fs: float) -> tuple[int, list[int]]:
        widths, heights = [], []
        for row in rows:
            lw, cap, _ = text_size(row.label, fs * row.size, thickness)
            vw = text_size(row.value, fs * row.size, thickness)[0] if row.value else 0
            widths.append(lw + (gap + vw if row.value else 0))
            heights.append(cap)
        return max(widths, default=0), heights

    inner_w, caps = measure(font_scale)
    limit = max(1, int(max_width_frac * w) - 2 * pad)
    if inner_w > limit:
        font_scale *= limit / inner_w
        inner_w, caps = measure(font_scale)
    line_gap = px(9, unit)
    inner_h = sum(caps) + line_gap * max(0, len(caps) - 1)
    pw, ph = inner_w + 2 * pad, inner_h + 2 * pad
    x0 = margin if anchor == "top-left" else w - margin - pw
    x0, y0 = max(0, x0), min(margin, max(0, h - ph))
    dim_rect(
        image_bgr, x0, y0, x0 + pw, y0 + ph, level=palette.panel_level, alpha=palette.panel_alpha
    )
    y = y0 + pad
    for row, cap in zip(rows, caps, strict=True):
        y += cap
        fs = font_scale * row.size
        draw_text(
            image_bgr,
            row.label,
            x0 + pad,
            y,
            font_scale=fs,
            color_bgr=row.label_bgr,
            thickness=thickness,
        )
        if row.value:
            vw = text_size(row.value, fs, thickness)[0]
            draw_text(
                image_bgr,
                row.value,
                x0 + pw - pad - vw,
                y,
                font_scale=fs,
                color_bgr=row.value_bgr,
                thickness=thickness,
            )
        y += line_gap
    return x0, y0, x0 + pw, y0 + ph
