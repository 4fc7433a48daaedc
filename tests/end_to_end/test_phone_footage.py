"""Phone-sized footage: the model sees at most 720p, results stay in the clip's pixels.

A clip scaled up 2x (720x960 -> 1440x1920, as a phone films) must give the same
angles and landmarks at twice the pixel values; the annotated video is written at
720p unless asked otherwise, with the overlay drawn at that size, and that is
what Chromium plays.
"""

from __future__ import annotations

import base64
import functools
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

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


@pytest.fixture(scope="module")
def served_report(big_clip, tmp_path_factory):
    """The default analysis of the big clip, its folder served over HTTP on loopback.

    Served rather than opened from disk: a canvas may only read back a video's
    pixels from the page's own origin, and every file:// page is its own origin.
    """
    out = tmp_path_factory.mktemp("served")
    result = run_cli("analyze", big_clip, "-o", out, "-q")
    assert result.returncode == 0, result.stderr
    folder = out / big_clip.stem
    handler = functools.partial(QuietHandler, directory=str(folder))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield folder, f"http://127.0.0.1:{server.server_address[1]}/report.html"
        server.shutdown()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the test's output is not a web log
        pass


def test_the_720p_video_plays_in_chromium_with_the_overlay_on_the_joints(
    browser, big_clip, served_report
):
    """What a coach's browser shows of a phone clip: 720 px wide, lines on the knees."""
    folder, url = served_report
    page = browser.new_page()
    page.goto(url)
    page.wait_for_function("document.getElementById('video').readyState >= 2", timeout=20_000)
    width, height, png = page.evaluate(
        """() => {
            const video = document.getElementById('video');
            const canvas = document.createElement('canvas');
            canvas.width = video.videoWidth;
            canvas.height = video.videoHeight;
            canvas.getContext('2d').drawImage(video, 0, 0);
            return [canvas.width, canvas.height, canvas.toDataURL('image/png')];
        }"""
    )
    page.close()
    assert width == 720 and height > 960  # the clip's 3:4 picture and the flag strip below
    shown = cv2.imdecode(
        np.frombuffer(base64.b64decode(png.split(",", 1)[1]), np.uint8), cv2.IMREAD_COLOR
    )
    # Chromium shows the frame the file holds (PyAV's decode of it, within rounding) ...
    with av.open(str(folder / "annotated.mp4")) as video:
        first = next(video.decode(video=0)).to_ndarray(format="bgr24")
    assert np.abs(shown.astype(int) - first.astype(int)).mean() < 4
    # ... and the overlay is drawn on the knees: pose.npz's points scaled to 720 px.
    with av.open(str(big_clip)) as plain:
        raw = cv2.resize(next(plain.decode(video=0)).to_ndarray(format="bgr24"), (720, 960))
    knees = np.load(folder / "pose.npz")["xy_px"][0, [25, 26]] * (720 / 1440)
    for x, y in knees.round().astype(int):
        patch = np.s_[y - 6 : y + 7, x - 6 : x + 7]
        assert np.abs(shown[patch].astype(int) - raw[patch].astype(int)).mean() > 25
