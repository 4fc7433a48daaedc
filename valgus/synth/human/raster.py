"""Z-buffer triangle rasteriser in numpy: per-pixel interpolated vertex attributes.

Why numpy and not OpenGL: the renderer must run on headless CI machines with
only numpy and OpenCV. At 720x1280 a body's ~13,000 front-facing triangles
cover a few pixels each, so the work is "which pixel centres does each small
triangle cover": all covered pixels of all triangles are enumerated at once,
and the nearest surface per pixel
is kept with ``np.maximum.at`` on inverse depth. The pixels are enumerated row
by row from each triangle's exact span on that row (its three edge half-planes
cut the row's pixel-centre line), so no pixel is tested that is not covered:
about a third of the work of testing every pixel of each bounding box.

Attributes are interpolated linearly in screen space (not perspective
corrected): across a triangle of a few pixels the difference is far below a
grey level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_EPS = 1e-6  # pixels: spans are widened this much so a shared edge never leaves a crack


@dataclass(frozen=True)
class Raster:
    """The covered pixels only (a body fills a fifth of the frame; shading the rest is waste).

    ``pixels`` (K,) flat indices ``y * width + x`` in increasing order, ``attributes``
    (K, C) interpolated there, ``inv_depth`` (K,) 1 / depth of the nearest surface.
    """

    pixels: np.ndarray
    attributes: np.ndarray
    inv_depth: np.ndarray

    def mask(self, width: int, height: int) -> np.ndarray:
        """(H, W) bool image of the covered pixels."""
        out = np.zeros(width * height, dtype=bool)
        out[self.pixels] = True
        return out.reshape(height, width)


def _repeat_ranges(first: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ranges ``first[i] .. first[i] + count[i] - 1``: (owner i, value) of every element."""
    owner = np.repeat(np.arange(len(count), dtype=np.int32), count)
    start = np.repeat((np.cumsum(count) - count).astype(np.int32), count)
    return owner, first[owner] + (np.arange(len(owner), dtype=np.int32) - start)


def _spans(edges: np.ndarray, ys: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """First pixel and pixel count on each row (rows, 3 edges of (A, B, C): A x + B y + C >= 0)."""
    a, b, c = edges[..., 0], edges[..., 1], edges[..., 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        bound = -(b * (ys[:, None] + 0.5) + c) / a
    lower = np.where(a > 0, bound, -np.inf).max(axis=1) - _EPS
    upper = np.where(a < 0, bound, np.inf).min(axis=1) + _EPS
    flat_out = ((a == 0) & (b * (ys[:, None] + 0.5) + c < 0)).any(axis=1)
    first = np.maximum(np.ceil(lower - 0.5), 0)
    last = np.minimum(np.floor(upper - 0.5), width - 1)
    count = np.where(flat_out, 0, np.maximum(last - first + 1, 0))
    return first.astype(np.int32), count.astype(np.int64)


def _front_faces(
    xy: np.ndarray,
    depth: np.ndarray,
    triangles: np.ndarray,
    width: int,
    height: int,
    near_m: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The triangles to draw, their barycentric planes, first row and row count.

    Kept: front faces (counter-clockwise on screen) in front of ``near_m`` that
    cross a pixel-centre row inside the image. ``plane`` (T, 3, 3) holds the
    edge half-planes b1 >= 0, b2 >= 0, 1 - b1 - b2 >= 0 as (A, B, C) of
    A x + B y + C; the first two rows are the barycentrics of corners 1 and 2.
    """
    p = xy[triangles]  # (F, 3, 2)
    e1, e2 = p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]
    area = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]
    y_lo = np.maximum(np.ceil(p[:, :, 1].min(axis=1) - 0.5), 0).astype(np.int32)
    y_hi = np.minimum(np.floor(p[:, :, 1].max(axis=1) - 0.5), height - 1).astype(np.int32)
    keep = (area < 0) & (depth[triangles].min(axis=1) > near_m) & (y_hi >= y_lo)
    keep &= (p[:, :, 0].max(axis=1) >= 0) & (p[:, :, 0].min(axis=1) <= width)
    p, e1, e2, area = p[keep], e1[keep], e2[keep], area[keep]
    # Barycentrics of corners 1 and 2 are linear in (x, y): b = gx * x + gy * y + g0.
    g1 = np.stack([e2[:, 1], -e2[:, 0]], axis=1) / area[:, None]
    g2 = np.stack([-e1[:, 1], e1[:, 0]], axis=1) / area[:, None]
    g1_0 = -(g1 * p[:, 0]).sum(axis=1)
    g2_0 = -(g2 * p[:, 0]).sum(axis=1)
    plane = np.stack(
        [
            np.column_stack([g1, g1_0]),
            np.column_stack([g2, g2_0]),
            np.column_stack([-g1 - g2, 1 - g1_0 - g2_0]),
        ],
        axis=1,
    ).astype(np.float64)
    rows = (y_hi - y_lo + 1)[keep].astype(np.int64)
    return triangles[keep], plane, y_lo[keep], rows


def rasterize(
    xy: np.ndarray,
    depth: np.ndarray,
    triangles: np.ndarray,
    attributes: np.ndarray,
    width: int,
    height: int,
    *,
    near_m: float = 0.05,
) -> Raster:
    """Draw triangles whose corners run counter-clockwise on screen; keep the nearest per pixel.

    Parameters
    ----------
    xy : (N, 2) float
        Vertex pixel positions (x right, y down).
    depth : (N,) float
        Vertex distance along the optical axis, metres.
    triangles : (F, 3) int
        Vertex indices; faces wound clockwise in the image (y down) are back faces.
    attributes : (N, C) float
        Interpolated into the image (colours, normals, ...).
    width, height : int
        Image size.
    near_m : float
        Triangles with a corner nearer than this are dropped.
    """
    xy, depth = xy.astype(np.float32), depth.astype(np.float32)
    attributes = attributes.astype(np.float32)
    tris, plane, y_lo, rows = _front_faces(xy, depth, triangles, width, height, near_m)
    row_tri, row_y = _repeat_ranges(y_lo, rows)
    first, count = _spans(plane[row_tri], row_y, width)
    row, x = _repeat_ranges(first, count)
    tri, y = row_tri[row], row_y[row]
    cx, cy = x.astype(np.float32) + 0.5, y.astype(np.float32) + 0.5
    bary = plane[:, :2].astype(np.float32)[tri]  # (K, 2, 3)
    b1 = bary[:, 0, 0] * cx + bary[:, 0, 1] * cy + bary[:, 0, 2]
    b2 = bary[:, 1, 0] * cx + bary[:, 1, 1] * cy + bary[:, 1, 2]
    inv_d = 1.0 / depth[tris]
    z = (1 - b1 - b2) * inv_d[tri, 0] + b1 * inv_d[tri, 1] + b2 * inv_d[tri, 2]
    pix = y.astype(np.int64) * width + x
    inv_depth = np.zeros(width * height, dtype=np.float32)
    np.maximum.at(inv_depth, pix, z)
    # One fragment per pixel: the nearest; of exact ties (a shared edge through a pixel
    # centre, same depth) the last in triangle order, which is deterministic.
    win = np.flatnonzero(z >= inv_depth[pix])
    winner = np.full(width * height, -1, dtype=np.int64)
    winner[pix[win]] = win
    pixels = np.flatnonzero(winner >= 0)
    chosen = winner[pixels]
    tri, b1, b2 = tri[chosen], b1[chosen, None], b2[chosen, None]
    corner = tris[tri]
    values = (
        (1 - b1 - b2) * attributes[corner[:, 0]]
        + b1 * attributes[corner[:, 1]]
        + b2 * attributes[corner[:, 2]]
    )
    return Raster(pixels, values, inv_depth[pixels])
