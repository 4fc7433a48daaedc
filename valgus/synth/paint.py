"""Anti-aliased, shaded primitives for the synthetic figure (pure numpy).

Why not plain ``cv2`` shapes: flat-coloured stick figures look little like
people, and MediaPipe under-reads knee collapse on them (design.md section 5).
Each primitive here is a signed-distance shape: coverage
``clip(0.5 - distance, 0, 1)`` gives exact one-pixel anti-aliasing, and the
distance to the axis gives a cylinder normal for Lambert shading.

All functions paint in place on a float32 BGR canvas (H, W, 3) in [0, 1];
points are pixel (x, y), radii in pixels.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

# Light from the upper left, in front of the person: image x right, y down, z to the viewer.
LIGHT = np.array([-0.45, -0.5, 0.74]) / np.linalg.norm([-0.45, -0.5, 0.74])


def _window(canvas: np.ndarray, lo: np.ndarray, hi: np.ndarray):
    """Integer bounding box clipped to the canvas, and its pixel-centre grids, or None."""
    h, w = canvas.shape[:2]
    x0, y0 = max(int(np.floor(lo[0])), 0), max(int(np.floor(lo[1])), 0)
    x1, y1 = min(int(np.ceil(hi[0])) + 1, w), min(int(np.ceil(hi[1])) + 1, h)
    if x1 <= x0 or y1 <= y0:
        return None
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    return (slice(y0, y1), slice(x0, x1)), xs, ys


def _blend(canvas, box, coverage, colour, shade) -> None:
    region = canvas[box]
    rgb = np.asarray(colour, np.float32)[None, None, :] * shade[..., None]
    alpha = coverage[..., None]
    region *= 1.0 - alpha
    region += np.clip(rgb, 0.0, 1.0) * alpha


def light_from(azimuth_deg: float) -> np.ndarray:
    """The default light turned by ``azimuth_deg`` in the image plane (+ toward the right)."""
    if azimuth_deg == 0.0:
        return LIGHT
    a = np.radians(azimuth_deg)
    x = LIGHT[0] * np.cos(a) - LIGHT[1] * np.sin(a)
    y = LIGHT[0] * np.sin(a) + LIGHT[1] * np.cos(a)
    return np.array([x, y, LIGHT[2]])


def _shade(
    nx: np.ndarray, ny: np.ndarray, ambient: float = 0.45, light: np.ndarray = LIGHT
) -> np.ndarray:
    """Lambert shade of a surface whose normal's image-plane part is (nx, ny)."""
    nz = np.sqrt(np.clip(1.0 - nx * nx - ny * ny, 0.0, 1.0))
    lambert = np.clip(nx * light[0] + ny * light[1] + nz * light[2], 0.0, 1.0)
    return ambient + (1.05 - ambient) * lambert


def segment(
    canvas: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    radii: Sequence[float],
    colour: Sequence[float],
    *,
    caps: bool = True,
    shaded: bool = True,
    light: np.ndarray = LIGHT,
) -> None:
    """Tapered capsule from ``a`` to ``b`` whose radius runs through ``radii`` (even steps).

    ``caps=False`` cuts both ends flat (a sleeve, a sock band, the trunk).
    """
    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    radii = np.asarray(radii, np.float32)
    pad = float(radii.max()) + 2.0
    win = _window(canvas, np.minimum(a, b) - pad, np.maximum(a, b) + pad)
    if win is None:
        return
    box, xs, ys = win
    ab = b - a
    length2 = max(float(ab @ ab), 1e-6)
    t = ((xs - a[0]) * ab[0] + (ys - a[1]) * ab[1]) / length2
    tc = np.clip(t, 0.0, 1.0)
    r = np.interp(tc, np.linspace(0.0, 1.0, len(radii)), radii).astype(np.float32)
    dx, dy = xs - (a[0] + tc * ab[0]), ys - (a[1] + tc * ab[1])
    dist = np.sqrt(dx * dx + dy * dy)
    coverage = np.clip(0.5 - (dist - r), 0.0, 1.0)
    if not caps:
        length = np.sqrt(length2)
        coverage *= np.clip(0.5 + t * length, 0, 1) * np.clip(0.5 + (1 - t) * length, 0, 1)
    shade = _shade(dx / r, dy / r, light=light) if shaded else np.ones_like(r)
    _blend(canvas, box, coverage, colour, shade)


def ellipse(
    canvas: np.ndarray,
    centre: np.ndarray,
    axes: tuple[float, float],
    colour: Sequence[float],
    *,
    angle_rad: float = 0.0,
    y_max: float | None = None,
    shaded: bool = True,
    light: np.ndarray = LIGHT,
) -> None:
    """Shaded ellipse (semi-axes in px, rotated by ``angle_rad``); ``y_max`` cuts below a row."""
    cx, cy = float(centre[0]), float(centre[1])
    ax, ay = float(axes[0]), float(axes[1])
    pad = max(ax, ay) + 2.0
    win = _window(canvas, np.array([cx - pad, cy - pad]), np.array([cx + pad, cy + pad]))
    if win is None:
        return
    box, xs, ys = win
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    u = ((xs - cx) * c + (ys - cy) * s) / ax
    v = (-(xs - cx) * s + (ys - cy) * c) / ay
    rho = np.sqrt(u * u + v * v) + 1e-6
    grad = np.sqrt((u / ax) ** 2 + (v / ay) ** 2) / rho + 1e-6
    coverage = np.clip(0.5 - (rho - 1.0) / grad, 0.0, 1.0)
    if y_max is not None:
        coverage *= np.clip(y_max - ys + 0.5, 0.0, 1.0)
    nx, ny = u * c - v * s, u * s + v * c
    shade = _shade(nx, ny, light=light) if shaded else np.ones_like(u)
    _blend(canvas, box, coverage, colour, shade)


def polygon(
    canvas: np.ndarray,
    points: np.ndarray,
    colour: Sequence[float],
    *,
    centre_x: float,
    half_width: float,
    light: np.ndarray = LIGHT,
) -> None:
    """Filled polygon (N, 2), 4x supersampled edges, shaded as a vertical cylinder."""
    points = np.asarray(points, np.float32)
    win = _window(canvas, points.min(axis=0) - 1, points.max(axis=0) + 1)
    if win is None:
        return
    box, xs, ys = win
    h, w = xs.shape
    x0, y0 = xs[0, 0], ys[0, 0]
    mask = np.zeros((h * 4, w * 4), np.uint8)
    fixed = np.round((points - [x0 - 0.5, y0 - 0.5]) * 4 * 16).astype(np.int32)
    cv2.fillPoly(mask, [fixed], 255, lineType=cv2.LINE_8, shift=4)
    coverage = cv2.resize(mask, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    nx = np.clip((xs - centre_x) / max(half_width, 1.0), -0.95, 0.95)
    _blend(canvas, box, coverage, colour, _shade(nx, np.zeros_like(nx), light=light))


def soft_shadow(canvas: np.ndarray, centre: np.ndarray, axes: tuple[float, float]) -> None:
    """Darken a soft elliptical patch (contact shadow on the floor)."""
    cx, cy = float(centre[0]), float(centre[1])
    ax, ay = float(axes[0]), float(axes[1])
    win = _window(
        canvas, np.array([cx - 2 * ax, cy - 2 * ay]), np.array([cx + 2 * ax, cy + 2 * ay])
    )
    if win is None:
        return
    box, xs, ys = win
    q = ((xs - cx) / ax) ** 2 + ((ys - cy) / ay) ** 2
    canvas[box] *= (1.0 - 0.35 * np.exp(-q))[..., None]
