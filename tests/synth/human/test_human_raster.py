"""The z-buffer rasteriser on shapes whose coverage is known exactly."""

from __future__ import annotations

import numpy as np

from valgus.synth.human.raster import rasterize

# Counter-clockwise on screen (y down): (0,0) -> (0,h) -> (w,0).
SQUARE = np.array([[2.0, 2.0], [2.0, 12.0], [12.0, 12.0], [12.0, 2.0]])
SQUARE_TRIS = np.array([[0, 1, 2], [0, 2, 3]])


def test_square_covers_exactly_its_pixel_centres_without_cracks():
    r = rasterize(SQUARE, np.ones(4), SQUARE_TRIS, np.ones((4, 1)), 16, 16)
    mask = r.mask(16, 16)
    assert mask.sum() == 100  # centres 2.5 .. 11.5 on both axes; the diagonal leaves no gap
    assert mask[2:12, 2:12].all()
    assert len(np.unique(r.pixels)) == len(r.pixels)


def test_back_faces_are_culled():
    r = rasterize(SQUARE, np.ones(4), SQUARE_TRIS[:, ::-1], np.ones((4, 1)), 16, 16)
    assert len(r.pixels) == 0


def test_nearer_surface_wins_whatever_the_drawing_order():
    xy = np.concatenate([SQUARE, SQUARE])
    depth = np.array([2.0] * 4 + [1.0] * 4)  # second square nearer
    attributes = np.array([[0.0]] * 4 + [[1.0]] * 4)
    for tris in (
        np.concatenate([SQUARE_TRIS, SQUARE_TRIS + 4]),
        np.concatenate([SQUARE_TRIS + 4, SQUARE_TRIS]),
    ):
        r = rasterize(xy, depth, tris, attributes, 16, 16)
        np.testing.assert_allclose(r.attributes[:, 0], 1.0)
        np.testing.assert_allclose(r.inv_depth, 1.0)


def test_attributes_interpolate_linearly():
    attributes = SQUARE[:, :1]  # x itself
    r = rasterize(SQUARE, np.ones(4), SQUARE_TRIS, attributes, 16, 16)
    x = r.pixels % 16 + 0.5
    np.testing.assert_allclose(r.attributes[:, 0], x, atol=1e-4)
