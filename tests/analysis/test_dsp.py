"""valgus.analysis.dsp must give what scipy.signal gives (scipy stays as the reference)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy import signal

from valgus.analysis.dsp import butter_lowpass, filtfilt, find_peaks, near_marked


@pytest.mark.parametrize("order", [1, 2, 3, 4])
@pytest.mark.parametrize("wn", [0.02, 0.1, 0.4, 0.8, 0.95])
def test_butter_matches_scipy(order, wn):
    b, a = butter_lowpass(order, wn)
    b_ref, a_ref = signal.butter(order, wn)
    np.testing.assert_allclose(b, b_ref, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(a, a_ref, rtol=1e-10, atol=1e-14)
    # A low-pass passes DC unchanged: the coefficients are not merely close to scipy's.
    assert b.sum() / a.sum() == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.2, 1.5])
def test_butter_refuses_cutoffs_outside_nyquist(bad):
    with pytest.raises(ValueError, match="fraction of Nyquist"):
        butter_lowpass(2, bad)


@pytest.mark.parametrize("shape", [(10,), (97, 3), (673, 33, 2)])
@pytest.mark.parametrize("wn", [0.05, 0.4, 0.8])
def test_filtfilt_matches_scipy(shape, wn):
    rng = np.random.default_rng(7)
    x = np.cumsum(rng.normal(size=shape), axis=0) + 5.0
    b, a = butter_lowpass(2, wn)
    np.testing.assert_allclose(filtfilt(b, a, x), signal.filtfilt(b, a, x, axis=0), atol=1e-9)


def test_filtfilt_keeps_a_line_and_removes_fast_wobble():
    t = np.arange(300) / 30.0
    line = 3.0 * t + 1.0
    wobble = np.sin(2 * np.pi * 12.0 * t)  # 12 Hz, far above a 6 Hz cutoff at 30 fps
    b, a = butter_lowpass(2, 6.0 / 15.0)
    # Odd padding keeps a ramp straight: off by 1e-4 at the ends, exact inside.
    np.testing.assert_allclose(filtfilt(b, a, line), line, atol=1e-4)
    np.testing.assert_allclose(filtfilt(b, a, line)[20:-20], line[20:-20], atol=1e-9)
    assert np.abs(filtfilt(b, a, line + wobble) - line)[20:-20].max() < 0.05


def test_filtfilt_refuses_short_signals():
    b, a = butter_lowpass(2, 0.4)
    with pytest.raises(ValueError, match="more than 9 samples"):
        filtfilt(b, a, np.ones(9))


def _scipy_peaks(x: np.ndarray, prominence: float) -> np.ndarray:
    return signal.find_peaks(x, prominence=prominence)[0]


@pytest.mark.parametrize("seed", range(20))
def test_find_peaks_matches_scipy_with_plateaus(seed):
    rng = np.random.default_rng(seed)
    # Rounded random walks: many flat peaks, plateaus at the ends, ties between valleys.
    x = np.round(np.cumsum(rng.normal(size=400)), 0)
    for prominence in (0.0, 1.0, 3.0, 8.0):
        np.testing.assert_array_equal(
            find_peaks(x, prominence=prominence), _scipy_peaks(x, prominence)
        )


def test_find_peaks_on_squat_like_depth():
    t = np.linspace(0, 10, 301)
    depth = 0.5 * (1 - np.cos(2 * np.pi * 0.4 * t))  # four reps, 0..1
    depth[150:160] = depth[150]  # a pause at the bottom of a rep becomes a flat peak
    found = find_peaks(depth, prominence=0.08)
    np.testing.assert_array_equal(found, _scipy_peaks(depth, 0.08))
    assert found.size == 4


def test_find_peaks_edge_cases():
    assert find_peaks(np.array([]), prominence=0.0).size == 0
    assert find_peaks(np.array([1.0, 2.0]), prominence=0.0).size == 0
    assert find_peaks(np.array([0.0, 2.0, 2.0]), prominence=0.0).size == 0  # plateau at the end
    np.testing.assert_array_equal(find_peaks(np.array([0, 2, 2, 2, 0.0]), prominence=0.0), [2])
    with pytest.raises(ValueError, match="1-D"):
        find_peaks(np.zeros((3, 3)), prominence=0.0)


def test_analysis_does_not_import_scipy_signal():
    """The reason valgus.analysis.dsp exists: ~0.5 s of start-up on every analysis."""
    code = "import sys, valgus.cli.analyze; print('scipy.signal' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_near_marked_reaches_the_given_time_either_side_of_each_marked_frame():
    times = np.arange(20) / 10.0  # 10 fps
    marked = np.zeros(20, dtype=bool)
    marked[[5, 15]] = True
    near = near_marked(times, marked, 0.2)
    assert np.flatnonzero(near).tolist() == [3, 4, 5, 6, 7, 13, 14, 15, 16, 17]
    assert not near_marked(times, np.zeros(20, dtype=bool), 0.2).any()
