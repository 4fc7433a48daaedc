"""Phone-sized footage: the model sees at most 720p, results stay in the clip's pixels.

A clip scaled up 2x (720x960 -> 1440x1920, as a phone films) must give the same
angles and landmarks at twice the pixel values; the annotated video is written at
720p unless asked otherwise, with the overlay drawn at that size.
"""

from __future__ import annotations

import json

import av
import cv2
import numpy as np
import pytest

from tests.support.cli import run_cli
from tests.support.clips import transform_clip
from tests.support.paths import SAMPLES
from valgus.pipeline import analyze

pytestmark = pytest.mark.slow
SAMPLE = SAMPLES / "squat_valgus.mp4"  # 720x960


@pytest.fixture(scope="module")
def big_clip(tmp_path_factory):
    folder = tmp_path_factory.mktemp("phone")
    return transform_clip(
        SAMPLE,
        folder / "squat_1440x1920.mp4",
        lambda image: cv2.resize(image, (1440, 1920), interpolation=cv2.INTER_CUBIC),
    )


def test_a_clip_filmed_larger_reads_the_same_in_its_own_pixels(big_clip):
    small, big = analyze(SAMPLE), analyze(big_clip)
    assert (big.track.width, big.track.height) == (1440, 1920)
    assert len(big.reps) == len(small.reps) == 3
    hips_knees_ankles = [23, 24, 25, 26, 27, 28]
    a = small.track.xy_px[:, hips_knees_ankles]
    b = big.track.xy_px[:, hips_knees_ankles]
    # The model saw 720x960 both times (the big clip scaled down by the decoder, after
    # an encode at another size): the landmarks agree to a few pixels of the small clip.
    assert np.nanmedian(np.abs(b / 2 - a)) < 1.5
    for side in ("left", "right"):
        for r_small, r_big in zip(small.reps, big.reps, strict=True):
            assert getattr(r_big, f"fppa_read_{side}_deg") == pytest.approx(
                getattr(r_small, f"fppa_read_{side}_deg"), abs=1.5
            )


@pytest.mark.parametrize(("size", "width"), [(None, 720), ("source", 1440), ("1080", 1080)])
def test_the_annotated_video_is_720p_unless_asked(big_clip, tmp_path, size, width):
    args = ["analyze", big_clip, "-o", tmp_path, "-q", *(["--video-size", size] if size else [])]
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / big_clip.stem
    with av.open(str(folder / "annotated.mp4")) as video:
        stream = video.streams.video[0]
        assert stream.codec_context.width == width
        # The picture keeps the clip's aspect; the flag strip adds a band below it.
        assert stream.codec_context.height > width * 1920 / 1440
        frame = next(video.decode(stream)).to_ndarray(format="bgr24")
    report = json.loads((folder / "report.json").read_text())
    assert (report["source"]["width"], report["source"]["height"]) == (1440, 1920)
    # The overlay is drawn where the body is at this size: around each knee (the clip's
    # pixels scaled to the video's) the picture differs from the plain clip.
    with av.open(str(big_clip)) as plain:
        raw = next(plain.decode(video=0)).to_ndarray(format="bgr24")
    raw = cv2.resize(raw, (width, round(1920 * width / 1440)))
    pose = np.load(folder / "pose.npz")
    scale = width / 1440
    for knee in (25, 26):
        x, y = (pose["xy_px"][0, knee] * scale).round().astype(int)
        patch = np.s_[y - 6 : y + 7, x - 6 : x + 7]
        assert np.abs(frame[patch].astype(int) - raw[patch].astype(int)).mean() > 25
