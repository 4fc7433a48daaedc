"""What the person sees: the mirrored frame with the overlay, and the window.

Why mirror only here: people move naturally in front of a mirror image, but
MediaPipe labels left and right on the unmirrored frame (design.md section 1;
its selfie samples flip before inference and swap the anatomical labels).
So inference and all measures use the camera's frame, and only the picture
and the landmark x coordinates are flipped just before drawing. The "L"/"R"
knee labels stay the person's own sides.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

import cv2
import numpy as np

from valgus.errors import UsageError
from valgus.live.state import LiveFrame
from valgus.overlay.chain import default_overlay
from valgus.overlay.draw import DEFAULT_PALETTE, OverlayPalette, dim_rect, draw_text, px, ui_scale
from valgus.overlay.draw import text_size as measure_text
from valgus.overlay.frame import OverlayFrame

QUIT_KEYS = frozenset({ord("q"), ord("Q"), 27})  # 27 = Esc
_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts")


def mirror_points(xy_px: np.ndarray, width: int) -> np.ndarray:
    """(..., 2) pixel points as they appear in the horizontally flipped frame.

    ``cv2.flip(image, 1)`` moves pixel column ``c`` to ``width - 1 - c``.
    """
    out = np.array(xy_px, dtype=float, copy=True)
    out[..., 0] = (width - 1) - out[..., 0]
    return out


def mirror_overlay(frame: OverlayFrame, width: int) -> OverlayFrame:
    """The same overlay data with the landmarks flipped like the picture."""
    if frame.xy_px is None:
        return frame
    return dataclasses.replace(frame, xy_px=mirror_points(frame.xy_px, width))


def draw_status(
    image_bgr: np.ndarray, text: str, *, palette: OverlayPalette = DEFAULT_PALETTE
) -> np.ndarray:
    """A one-line status bar (fps, phase, how to quit) at the bottom left, on a dark box."""
    h, w = image_bgr.shape[:2]
    unit = ui_scale(h, w)
    fs, thick, pad = 0.55 * unit, px(1.2, unit), px(7, unit)
    tw, cap, _ = measure_text(text, fs, thick)
    margin = px(12, unit)
    x0, y1 = margin, h - margin
    y0 = y1 - cap - 2 * pad
    dim_rect(image_bgr, x0, y0, x0 + tw + 2 * pad, y1, level=palette.panel_level, alpha=0.7)
    draw_text(
        image_bgr,
        text,
        x0 + pad,
        y1 - pad,
        font_scale=fs,
        color_bgr=palette.text_bgr,
        thickness=thick,
    )
    return image_bgr


class LiveRenderer:
    """Draw one live frame: mirror, the standard overlay (no flag strip), the status bar.

    Parameters
    ----------
    mirror : bool, keyword-only
        Flip like a selfie (default) or show the camera's view.
    """

    def __init__(self, *, mirror: bool = True, palette: OverlayPalette = DEFAULT_PALETTE) -> None:
        self.mirror = mirror
        self.palette = palette
        self.overlay = default_overlay(None, palette=palette)

    def render(self, image_bgr: np.ndarray, live: LiveFrame, status: str) -> np.ndarray:
        """A new image; ``image_bgr`` (shared with the recorder) is never drawn on."""
        width = image_bgr.shape[1]
        if self.mirror:
            canvas = cv2.flip(image_bgr, 1)
            frame = mirror_overlay(live.overlay, width)
        else:
            canvas, frame = image_bgr.copy(), live.overlay
        canvas = self.overlay.annotate(canvas, frame)
        return draw_status(canvas, status, palette=self.palette)


def check_display() -> None:
    """Fail with a clear line instead of letting Qt abort the process without a display."""
    if not sys.platform.startswith("linux"):
        return
    display = os.environ.get("DISPLAY", "")
    if not display and not os.environ.get("WAYLAND_DISPLAY"):
        raise UsageError("no display to open a window on; use --no-window (or run under Xvfb)")
    if display.startswith(":"):
        number = display[1:].split(".")[0]
        if number.isdigit() and not Path(f"/tmp/.X11-unix/X{number}").exists():
            raise UsageError(f"no X server on DISPLAY={display}; use --no-window")


class Window:
    """An OpenCV highgui window; :meth:`show` reports whether the person asked to quit."""

    def __init__(self, title: str = "valgus live") -> None:
        check_display()
        for folder in _FONT_DIRS:  # Qt in the OpenCV wheel ships no fonts and warns without
            if Path(folder).is_dir():
                os.environ.setdefault("QT_QPA_FONTDIR", folder)
                break
        self.title = title
        self.shown = 0
        cv2.namedWindow(title, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)

    def show(self, image_bgr: np.ndarray) -> bool:
        """Display ``image_bgr``; True when q or Esc was pressed or the window was closed."""
        cv2.imshow(self.title, image_bgr)
        self.shown += 1
        return self.poll(wait_ms=1)

    def poll(self, *, wait_ms: int = 10) -> bool:
        """Handle window events for ``wait_ms``; True when the person asked to quit."""
        if (cv2.waitKey(wait_ms) & 0xFF) in QUIT_KEYS:
            return True
        return cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) < 1

    def close(self) -> None:
        cv2.destroyWindow(self.title)
        cv2.waitKey(1)
