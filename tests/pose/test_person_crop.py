"""The square crop around a person: geometry a pixel can be traced through."""

from __future__ import annotations

import numpy as np
import pytest

from valgus.pose.person_crop import Crop, extract, person_box, square_crop


def test_square_crop_is_centred_on_the_box_and_scaled_from_its_longer_edge():
    crop = square_crop((100, 200, 300, 600), 1.25)  # 200 x 400 box, centre (200, 400)
    assert crop == Crop(x0=-50, y0=150, side=500)


def test_an_empty_box_is_refused():
    with pytest.raises(ValueError, match="empty person box"):
        square_crop((10, 10, 10, 50), 1.25)


def test_a_pixel_maps_into_the_crop_and_back_to_where_it_was():
    frame = np.zeros((480, 640, 3), np.uint8)
    frame[300:304, 250:254] = 255  # a 4 px white square centred on (252, 302)
    crop = square_crop((200, 100, 400, 460), 1.2)
    image = extract(frame, crop, 256)
    assert image.shape == (256, 256, 3) and image.dtype == np.uint8
    weights = image[..., 0].astype(float)
    ys, xs = np.mgrid[:256, :256]
    centre_uv = (
        np.array(
            [(xs * weights).sum() / weights.sum() + 0.5, (ys * weights).sum() / weights.sum() + 0.5]
        )
        / 256
    )
    np.testing.assert_allclose(crop.to_frame(centre_uv), (252, 302), atol=1.0)


def test_the_part_of_the_crop_outside_the_frame_is_black():
    frame = np.full((100, 100, 3), 200, np.uint8)
    image = extract(frame, Crop(x0=-100, y0=0, side=200), 200)  # left half outside
    assert image[:, :95].max() == 0
    assert image[:100, 105:].min() == 200


def test_person_box_ignores_missing_landmarks_and_stays_in_the_frame():
    points = np.array([[50.0, 20.0], [np.nan, np.nan], [700.0, 300.0], [120.0, -40.0]])
    assert person_box(points, (480, 640, 3)) == (50.0, 0.0, 640.0, 300.0)
    with pytest.raises(ValueError, match="two finite landmarks"):
        person_box(np.full((33, 2), np.nan), (480, 640, 3))
