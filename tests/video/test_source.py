"""Decoding: timestamps from the container, rotation metadata, and clear errors on bad files."""

from __future__ import annotations

import numpy as np
import pytest

from tests.support.clips import (
    numbered_frames,
    write_audio_only,
    write_frames,
    write_vfr,
    write_zero_frames,
)
from tests.support.mp4_rotation import set_rotation
from valgus.errors import InputNotFoundError, NotAVideoError
from valgus.video.source import VideoSource, fit_within, upright


def decode(path):
    with VideoSource(path) as source:
        return source.info, list(source)


def test_frames_come_in_order_with_container_times(tmp_path):
    path = write_frames(tmp_path / "n.mp4", numbered_frames(30), fps=25.0)
    info, frames = decode(path)
    assert (info.width, info.height, info.fps) == (64, 48, 25.0)
    assert [f.index for f in frames] == list(range(30))
    assert np.allclose([f.time_s for f in frames], np.arange(30) / 25.0, atol=1e-3)
    brightness = [float(f.image_bgr.mean()) for f in frames]
    assert np.allclose(brightness, np.arange(30) * 8, atol=3)


def test_variable_frame_rate_keeps_real_times(tmp_path):
    times = [0.0, 0.033, 0.066, 0.2, 0.25, 0.6, 0.633]
    _, frames = decode(write_vfr(tmp_path / "vfr.mp4", times))
    assert np.allclose([f.time_s for f in frames], times, atol=2e-3)


@pytest.mark.parametrize("clockwise", [90, 180, 270])
def test_rotation_metadata_gives_upright_frames(tmp_path, clockwise):
    portrait = np.zeros((96, 64, 3), np.uint8)
    portrait[:16, :16] = 255  # a white patch in the top-left corner when upright
    # Store the picture turned the other way, as a phone sensor does, and tag the turn.
    stored = upright(portrait, (360 - clockwise) % 360)
    path = write_frames(tmp_path / "rot.mp4", [stored] * 3)
    set_rotation(path, clockwise)
    info, frames = decode(path)
    assert info.rotation_deg == clockwise
    assert (info.width, info.height) == (64, 96)
    image = frames[0].image_bgr
    assert image.shape == (96, 64, 3)
    assert image[:16, :16].mean() > 240 and image[-16:, -16:].mean() < 15


@pytest.mark.parametrize(
    ("size", "short_side", "expected"),
    [
        ((1080, 1920), 720, (720, 1280)),  # a phone's portrait clip
        ((3840, 2160), 720, (1280, 720)),  # 4K landscape
        ((1280, 720), 720, (1280, 720)),  # already there
        ((360, 480), 720, (360, 480)),  # never enlarged
        ((1080, 1920), None, (1080, 1920)),
        ((1001, 1999), 500, (500, 998)),  # even sizes, aspect kept to the pixel
    ],
)
def test_fit_within_scales_the_shorter_side_down_only(size, short_side, expected):
    assert fit_within(*size, short_side) == expected


@pytest.mark.parametrize("clockwise", [0, 90])
def test_frames_are_decoded_straight_to_the_asked_size_upright(tmp_path, clockwise):
    portrait = np.zeros((192, 128, 3), np.uint8)
    portrait[:32, :32] = 255  # white top-left corner when upright
    stored = upright(portrait, (360 - clockwise) % 360)
    path = write_frames(tmp_path / "big.mp4", [stored] * 3)
    if clockwise:
        set_rotation(path, clockwise)
    with VideoSource(path, short_side=64) as source:
        assert (source.info.width, source.info.height) == (128, 192)  # the clip's own size
        assert source.size == (64, 96)
        frames = list(source)
    image = frames[0].image_bgr
    assert image.shape == (96, 64, 3)
    assert image[:16, :16].mean() > 235 and image[-16:, -16:].mean() < 20


def test_upright_turns_clockwise():
    image = np.arange(6).reshape(2, 3)
    assert upright(image, 90).tolist() == [[3, 0], [4, 1], [5, 2]]
    assert upright(image, 0) is image


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda p: p / "missing.mp4", InputNotFoundError, "no such file"),
        (lambda p: p, InputNotFoundError, "is a directory"),
        (lambda p: _write(p / "empty.mp4", b""), NotAVideoError, r"empty \(0 bytes\)"),
        (lambda p: _write(p / "notes.mp4", b"just some text\n" * 50), NotAVideoError, "video"),
        (
            lambda p: _write(p / "noise.mp4", np.random.default_rng(1).bytes(50_000)),
            NotAVideoError,
            "video",
        ),
        (lambda p: write_audio_only(p / "tone.m4a"), NotAVideoError, "only audio"),
    ],
    ids=["missing", "directory", "empty", "text", "random-bytes", "audio-only"],
)
def test_bad_files_fail_on_open_with_a_clear_message(tmp_path, make, error, message):
    path = make(tmp_path)
    with pytest.raises(error, match=message):
        VideoSource(path)


def test_zero_frames_fail_with_a_clear_message(tmp_path):
    path = write_zero_frames(tmp_path / "zero.mp4")
    with pytest.raises(NotAVideoError, match="no video"), VideoSource(path) as source:
        list(source)


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def test_rgb_frames_are_the_bgr_pixels_in_the_other_order(tmp_path):
    """The model is fed RGB decoded directly: it must see exactly what BGR plus a swap gave."""
    rng = np.random.default_rng(3)
    colourful = [rng.integers(0, 256, (48, 64, 3), dtype=np.uint8) for _ in range(5)]
    portrait = write_frames(tmp_path / "c.mp4", colourful)
    set_rotation(portrait, 90)
    with VideoSource(portrait) as bgr_source, VideoSource(portrait, order="rgb") as rgb_source:
        pairs = list(zip(bgr_source, rgb_source, strict=True))
    assert len(pairs) == 5
    for bgr, rgb in pairs:
        assert (bgr.order, rgb.order) == ("bgr", "rgb")
        assert rgb.image.shape == (64, 48, 3)  # upright, like the BGR frame
        assert np.array_equal(rgb.image, bgr.image[..., ::-1])
        assert np.array_equal(rgb.image_bgr, bgr.image)
        assert np.array_equal(bgr.image_rgb, rgb.image)


def test_unknown_channel_order_is_refused(tmp_path):
    path = write_frames(tmp_path / "n.mp4", numbered_frames(2))
    with pytest.raises(ValueError, match="order"):
        VideoSource(path, order="yuv")
