"""Mirror-averaged pose: exact left/right symmetry by construction, on real MediaPipe."""

from __future__ import annotations

import json
import subprocess
import sys
from itertools import islice

import cv2
import numpy as np
import pytest

from tests.support.paths import SAMPLES
from valgus.analysis.geometry import fppa_deg
from valgus.pose.landmarks import LEG
from valgus.pose.mirror_average import MIRROR_ORDER, MirrorAveragedEstimator, average, unmirror
from valgus.pose.model_files import resolve_model
from valgus.video.source import VideoSource


def test_unmirror_flips_x_swaps_sides_and_undoes_itself():
    rng = np.random.default_rng(3)
    landmarks = rng.uniform(0, 640, (33, 7))
    back = unmirror(landmarks, 640)
    left_hip, right_hip = 23, 24
    assert back[left_hip, 0] == pytest.approx(640 - landmarks[right_hip, 0])
    assert back[left_hip, 1] == pytest.approx(landmarks[right_hip, 1])
    assert back[left_hip, 4] == pytest.approx(-landmarks[right_hip, 4])
    assert back[0, 0] == pytest.approx(640 - landmarks[0, 0])  # the nose stays the nose
    np.testing.assert_allclose(unmirror(back, 640), landmarks)
    assert sorted(MIRROR_ORDER) == list(range(33))
    assert unmirror(None, 640) is None


def test_average_keeps_the_reading_that_found_a_person():
    a, b = np.zeros((33, 7)), np.ones((33, 7))
    np.testing.assert_allclose(average(a, b), 0.5)
    assert average(None, b) is b and average(a, None) is a and average(None, None) is None


def _landmarks(frames: list[np.ndarray], times: list[float]) -> list[np.ndarray | None]:
    with MirrorAveragedEstimator(resolve_model("full").path) as estimator:
        return [estimator.detect(image, t) for image, t in zip(frames, times, strict=True)]


@pytest.mark.slow
def test_a_mirrored_clip_reads_as_the_original_with_sides_swapped():
    with VideoSource(SAMPLES / "squat_valgus.mp4") as source:
        frames = [(f.image_bgr, f.time_s) for f in islice(source, 45, 75)]  # into rep 1
    images, times = [f for f, _ in frames], [t for _, t in frames]
    width = images[0].shape[1]
    original = _landmarks(images, times)
    mirrored = _landmarks([cv2.flip(im, 1) for im in images], times)
    for a, b in zip(original, mirrored, strict=True):
        assert a is not None and b is not None
        np.testing.assert_allclose(unmirror(b, width), a, atol=1e-3)
    # So each knee's FPPA on the mirrored clip is the other knee's on the original.
    for side, other in (("left", "right"), ("right", "left")):
        hip, knee, ankle = LEG[side]
        o_hip, o_knee, o_ankle = LEG[other]
        bottom_o, bottom_m = original[16], mirrored[16]  # frame 61: the rep's bottom
        seen = fppa_deg(
            bottom_o[hip, :2], bottom_o[knee, :2], bottom_o[ankle, :2], bottom_o[o_hip, :2]
        )
        swapped = fppa_deg(
            bottom_m[o_hip, :2], bottom_m[o_knee, :2], bottom_m[o_ankle, :2], bottom_m[hip, :2]
        )
        assert float(swapped) == pytest.approx(float(seen), abs=0.01)
        assert float(seen) > 5  # the sample collapses at depth: a real angle, not 0 == 0


@pytest.mark.slow
def test_cli_mirror_average_is_recorded_in_the_report(tmp_path):
    clip = SAMPLES / "squat_valgus.mp4"
    args = [
        sys.executable,
        "-m",
        "valgus.cli.main",
        "analyze",
        str(clip),
        "-o",
        str(tmp_path),
        "-q",
    ]
    done = subprocess.run([*args, "--mirror-average", "--no-video"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "squat_valgus" / "report.json").read_text())
    assert report["model"] == "full, mirror-averaged"
    truth = json.loads(clip.with_suffix(".truth.json").read_text())
    for rep in report["reps"]:
        assert rep["fppa_left_deg"] == pytest.approx(truth["reps"][0]["fppa_left_deg"], abs=4)
        assert rep["fppa_right_deg"] == pytest.approx(truth["reps"][0]["fppa_right_deg"], abs=4)


@pytest.mark.slow
def test_segments_run_mirror_averaged_landmarkers_too():
    from valgus.pipeline import estimate_pose

    track = estimate_pose(SAMPLES / "squat_valgus.mp4", jobs=2, mirror_average=True)
    assert track.model == "full, mirror-averaged"
    assert track.n_frames == 271
    assert track.has_pose.mean() > 0.95
