"""Tests for valgus.analysis.filtering and the swap repair it re-exports (analysis.swaps)."""

from __future__ import annotations

import numpy as np
import pytest

from valgus.analysis.filtering import (
    apply_swaps,
    butterworth_lowpass,
    drop_low_visibility,
    effective_cutoff_hz,
    filter_track,
    find_swaps,
    interpolate_gaps,
    repair_swaps,
    sample_rate_hz,
)
from valgus.analysis.swaps import HIP_SWAP_PAIRS, LEG_SWAP_PAIRS
from valgus.pose.landmarks import NUM_LANDMARKS, Landmark
from valgus.pose.track import PoseTrack

L = Landmark


def moving_figure(
    n_frames: int = 60, *, knee_gap_px: float = 80.0, seed: int = 0, noise_px: float = 1.5
) -> np.ndarray:
    """(T, 33, 2) a person facing the camera, squatting and swaying; left = larger x."""
    t = np.arange(n_frames) / 30.0
    cx = 320 + 15 * np.sin(2 * np.pi * 0.3 * t)
    hip_y = 250 + 60 * (1 - np.cos(2 * np.pi * 0.5 * t)) / 2
    xy = np.zeros((n_frames, NUM_LANDMARKS, 2))
    xy[:, :, 0] = cx[:, None]
    xy[:, :, 1] = 100.0  # head and arms, unused
    for sign, (hip, knee, ankle, heel, foot, shoulder) in (
        (+1, (L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE, L.LEFT_HEEL, L.LEFT_FOOT_INDEX, 11)),
        (-1, (L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE, L.RIGHT_HEEL, L.RIGHT_FOOT_INDEX, 12)),
    ):
        xy[:, shoulder] = np.stack([cx + sign * 60, hip_y - 180], axis=1)
        xy[:, hip] = np.stack([cx + sign * 45, hip_y], axis=1)
        xy[:, knee] = np.stack([cx + sign * knee_gap_px / 2, (hip_y + 450) / 2], axis=1)
        xy[:, ankle] = np.stack([np.full(n_frames, 320 + sign * 50.0), np.full(n_frames, 450)], 1)
        xy[:, heel] = xy[:, ankle] + [sign * 5.0, 10.0]
        xy[:, foot] = xy[:, ankle] + [sign * 15.0, 25.0]
    rng = np.random.default_rng(seed)
    return xy + rng.normal(0.0, noise_px, xy.shape)


def swap_frames(xy: np.ndarray, frames: list[int], pairs) -> np.ndarray:
    out = xy.copy()
    for left, right in pairs:
        out[frames, left], out[frames, right] = xy[frames, right], xy[frames, left]
    return out


def make_track(xy: np.ndarray, times_s: np.ndarray | None = None, visibility=None) -> PoseTrack:
    n = xy.shape[0]
    times = np.arange(n) / 30.0 if times_s is None else times_s
    vis = np.full((n, NUM_LANDMARKS), 0.9) if visibility is None else visibility
    return PoseTrack(
        xy_px=xy,
        z=np.zeros((n, NUM_LANDMARKS)),
        visibility=vis,
        world_xyz_m=np.zeros((n, NUM_LANDMARKS, 3)),
        times_s=times,
        width=640,
        height=480,
        fps=30.0,
    )


# --- visibility -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("visibility", "kept"),
    [(0.9, True), (0.5, True), (0.4999, False), (0.0, False), (np.nan, False)],
)
def test_drop_low_visibility_threshold(visibility, kept):
    xy = np.array([[[3.0, 4.0]]])
    out = drop_low_visibility(xy, np.array([[visibility]]), min_visibility=0.5)
    assert np.isfinite(out).all() == kept
    assert xy[0, 0, 0] == 3.0  # input untouched


def test_drop_low_visibility_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"visibility has shape \(2, 3\), expected \(2, 33\)"):
        drop_low_visibility(np.zeros((2, 33, 2)), np.zeros((2, 3)))


# --- gap interpolation ------------------------------------------------------------


def linear_with_gaps(gaps: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    times = np.cumsum(np.r_[0.0, np.random.default_rng(1).uniform(0.02, 0.05, 49)])
    truth = 3.0 * times + 1.0
    values = truth.copy()
    for start, end in gaps:
        values[start:end] = np.nan
    return times, truth, values


def test_interpolation_is_exact_on_a_linear_signal_with_variable_frame_times():
    times, truth, values = linear_with_gaps([(5, 10), (20, 30)])  # gaps of 5 and 10 frames
    out = interpolate_gaps(values, times, max_gap_frames=10)
    np.testing.assert_allclose(out, truth, rtol=0, atol=1e-12)


def test_long_leading_and_trailing_gaps_stay_nan():
    times, truth, values = linear_with_gaps([(0, 3), (10, 21), (25, 27), (47, 50)])
    out = interpolate_gaps(values, times, max_gap_frames=10)
    assert np.isnan(out[0:3]).all()  # leading
    assert np.isnan(out[10:21]).all()  # 11 frames > 10
    assert np.isnan(out[47:50]).all()  # trailing
    np.testing.assert_allclose(out[25:27], truth[25:27], atol=1e-12)
    assert np.isnan(values[25:27]).all()  # input untouched


def test_interpolation_works_per_coordinate_of_a_landmark_array():
    times = np.arange(20) / 30.0
    xy = np.stack([np.stack([times * k, -times * k], axis=-1) for k in range(1, 34)], axis=1)
    holed = xy.copy()
    holed[4:7, 25, 0] = np.nan  # only x of the left knee
    holed[8:19, 27] = np.nan  # 11 frames of the left ankle: kept NaN
    out = interpolate_gaps(holed, times, max_gap_frames=10)
    np.testing.assert_allclose(out[4:7, 25, 0], xy[4:7, 25, 0], atol=1e-12)
    assert np.isnan(out[8:19, 27]).all()
    assert out.shape == (20, 33, 2)


def test_interpolation_rejects_non_increasing_times():
    with pytest.raises(ValueError, match="times_s must be finite and strictly increasing"):
        interpolate_gaps(np.zeros(3), np.array([0.0, 0.1, 0.1]))


# --- swap repair ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frames", "pairs"),
    [
        ([10, 11, 12, 13], LEG_SWAP_PAIRS),  # legs for a few frames
        ([40], LEG_SWAP_PAIRS),  # a single frame
        ([0, 1, 2], LEG_SWAP_PAIRS),  # the very first frames: majority orientation wins
        ([20, 21], HIP_SWAP_PAIRS),  # hips alone
        ([30, 31, 32], LEG_SWAP_PAIRS + HIP_SWAP_PAIRS),  # whole lower body
        ([5, 6, 50, 51, 52], LEG_SWAP_PAIRS),  # two episodes
    ],
)
def test_injected_swaps_are_repaired_exactly(frames, pairs):
    truth = moving_figure()
    repaired, swapped = repair_swaps(swap_frames(truth, frames, pairs))
    np.testing.assert_array_equal(repaired, truth)
    np.testing.assert_array_equal(np.flatnonzero(swapped), frames)


@pytest.mark.parametrize("knee_gap_px", [80.0, 4.0])  # 4 px: knees touching in valgus
def test_track_without_swaps_is_untouched(knee_gap_px):
    truth = moving_figure(300, knee_gap_px=knee_gap_px, seed=3)
    repaired, swapped = repair_swaps(truth)
    np.testing.assert_array_equal(repaired, truth)
    assert not swapped.any()


def test_fast_sideways_move_is_not_a_swap():
    truth = moving_figure()
    truth[30:] += [70.0, 0.0]  # the whole body jumps 70 px, nearly the ankle separation
    _, swapped = repair_swaps(truth)
    assert not swapped.any()


@pytest.mark.parametrize("gap_frames", [2, 6])  # bridged by continuity / a new chain
def test_swap_right_after_a_gap_without_pose_is_repaired(gap_frames):
    truth = moving_figure()
    truth[20 : 20 + gap_frames] = np.nan
    after = [20 + gap_frames, 21 + gap_frames]
    repaired, swapped = repair_swaps(swap_frames(truth, after, LEG_SWAP_PAIRS))
    np.testing.assert_array_equal(repaired, truth)
    np.testing.assert_array_equal(np.flatnonzero(swapped), after)


def test_labels_that_change_for_good_after_a_long_dropout_are_kept():
    # e.g. the person turned around while the model lost them: no continuity to trust
    truth = moving_figure()
    truth[20:25] = np.nan
    turned = swap_frames(truth, list(range(25, 60)), LEG_SWAP_PAIRS + HIP_SWAP_PAIRS)
    repaired, swapped = repair_swaps(turned)
    np.testing.assert_array_equal(repaired, turned)
    assert not swapped.any()


def test_swap_is_detected_with_some_leg_points_missing():
    truth = moving_figure()
    truth[:, [L.LEFT_HEEL, L.RIGHT_FOOT_INDEX]] = np.nan
    truth[14, L.LEFT_KNEE] = np.nan
    repaired, swapped = repair_swaps(swap_frames(truth, [14, 15], LEG_SWAP_PAIRS))
    np.testing.assert_array_equal(repaired, truth)
    np.testing.assert_array_equal(np.flatnonzero(swapped), [14, 15])


def test_find_and_apply_swaps_per_group():
    truth = moving_figure()
    flags = find_swaps(swap_frames(truth, [7], HIP_SWAP_PAIRS))
    assert flags.shape == (60, 2)
    np.testing.assert_array_equal(np.flatnonzero(flags[:, 0]), [])  # legs
    np.testing.assert_array_equal(np.flatnonzero(flags[:, 1]), [7])  # hips
    vis = np.tile(np.arange(33.0), (60, 1))
    swapped_vis = apply_swaps(vis, flags)
    assert swapped_vis[7, L.LEFT_HIP] == L.RIGHT_HIP
    assert swapped_vis[7, L.LEFT_KNEE] == L.LEFT_KNEE
    assert swapped_vis[8, L.LEFT_HIP] == L.LEFT_HIP


# --- Butterworth --------------------------------------------------------------------


def butter_gain(f_hz: float, cutoff_hz: float, fs_hz: float, order: int = 4) -> float:
    """|H|^2 of a digital Butterworth of order/2 (bilinear), i.e. the filtfilt gain."""
    r = np.tan(np.pi * f_hz / fs_hz) / np.tan(np.pi * cutoff_hz / fs_hz)
    return float(1.0 / (1.0 + r ** (2 * (order // 2))))


def amplitude(signal: np.ndarray, t: np.ndarray, f_hz: float, *, also=(1.0, 12.0)) -> float:
    """Amplitude of the f_hz component, fitted jointly with ``also`` and a constant."""
    freqs = [f_hz, *(f for f in also if f != f_hz)]
    columns = [np.ones_like(t)]
    for f in freqs:
        columns += [np.sin(2 * np.pi * f * t), np.cos(2 * np.pi * f * t)]
    coef = np.linalg.lstsq(np.stack(columns, axis=1), signal, rcond=None)[0]
    return float(np.hypot(coef[1], coef[2]))


@pytest.mark.parametrize("f_hz", [1.0, 6.0, 12.0])
def test_butterworth_gain_at_30_fps_matches_the_design(f_hz):
    fs, t = 30.0, np.arange(600) / 30.0
    out = butterworth_lowpass(np.sin(2 * np.pi * f_hz * t), fs, cutoff_hz=6.0)
    middle = slice(150, 450)  # away from the ends; 10 s of whole cycles
    measured = amplitude(out[middle], t[middle], f_hz)
    expected = butter_gain(f_hz, 6.0, fs)
    assert measured == pytest.approx(expected, abs=2e-3)
    # the numbers behind the decision: 1 Hz kept, 6 Hz halved (-6 dB), 12 Hz ~gone
    assert {1.0: 0.9996, 6.0: 0.5, 12.0: 0.0031}[f_hz] == pytest.approx(expected, abs=1e-4)


def test_butterworth_removes_12_hz_from_1_hz_without_phase_lag():
    fs, t = 30.0, np.arange(300) / 30.0
    slow = np.cos(2 * np.pi * 1.0 * t)  # peaks on samples 0, 30, 60...
    out = butterworth_lowpass(slow + 0.5 * np.sin(2 * np.pi * 12.0 * t), fs)
    middle = slice(60, 240)
    assert amplitude(out[middle], t[middle], 12.0) / 0.5 < 0.005
    assert amplitude(out[middle], t[middle], 1.0) == pytest.approx(1.0, abs=2e-3)
    assert np.max(np.abs(out[middle] - slow[middle])) < 0.01
    peaks = [int(np.argmax(out[k - 15 : k + 15])) + k - 15 for k in range(60, 270, 30)]
    assert peaks == list(range(60, 270, 30))


def test_butterworth_filters_each_run_between_nans_and_keeps_short_runs():
    fs, t = 30.0, np.arange(120) / 30.0
    noisy = np.sin(2 * np.pi * 1.0 * t) + 0.5 * np.sin(2 * np.pi * 12.0 * t)
    noisy[50:53] = np.nan  # runs 0-49 and 63-119 are long
    noisy[62] = np.nan  # 53-61 is 9 samples: too short for filtfilt's padding of 9
    out = butterworth_lowpass(noisy, fs)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(noisy))
    np.testing.assert_array_equal(out[53:62], noisy[53:62])  # untouched, not dropped
    for run in (slice(10, 40), slice(73, 110)):
        assert amplitude(out[run], t[run], 12.0) < 0.01


def test_butterworth_works_along_axis_0_of_any_shape():
    rng = np.random.default_rng(2)
    values = rng.normal(size=(90, 33, 2))
    values[10:15, 3, 1] = np.nan
    out = butterworth_lowpass(values, 30.0)
    np.testing.assert_array_equal(out[:, 5, 0], butterworth_lowpass(values[:, 5, 0], 30.0))
    np.testing.assert_array_equal(out[:, 3, 1], butterworth_lowpass(values[:, 3, 1], 30.0))


def test_low_fps_clip_gets_a_lower_cutoff_instead_of_an_error():
    assert effective_cutoff_hz(10.0, 6.0) == pytest.approx(4.0)  # 0.8 * Nyquist
    assert effective_cutoff_hz(30.0, 6.0) == 6.0
    fs, t = 10.0, np.arange(200) / 10.0
    out = butterworth_lowpass(np.sin(2 * np.pi * 0.5 * t) + np.sin(2 * np.pi * 4.5 * t), fs)
    middle = slice(40, 160)
    for f_hz, tol in ((0.5, 2e-3), (4.5, 5e-3)):
        measured = amplitude(out[middle], t[middle], f_hz, also=(0.5, 4.5))
        assert measured == pytest.approx(butter_gain(f_hz, 4.0, fs), abs=tol)
    assert butter_gain(4.5, 4, 10) < 0.06


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fs_hz": 0.0}, "fs_hz must be a positive number, got 0.0"),
        ({"fs_hz": 30.0, "cutoff_hz": -1.0}, "cutoff_hz must be a positive number, got -1.0"),
        ({"fs_hz": 30.0, "order": 3}, r"order must be an even integer >= 2 \(filtfilt doubles"),
    ],
)
def test_butterworth_rejects_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        butterworth_lowpass(np.zeros(50), **kwargs)


# --- the whole stage ----------------------------------------------------------------


def test_sample_rate_from_median_interval_ignores_a_dropped_frame():
    times = np.r_[np.arange(10) / 25.0, 0.5 + np.arange(10) / 25.0]
    assert sample_rate_hz(times) == pytest.approx(25.0)
    assert sample_rate_hz(np.array([0.0]), fallback_hz=12.0) == 12.0


def test_filter_track_repairs_fills_and_reports():
    truth = moving_figure(90)
    xy = swap_frames(truth, [40, 41], LEG_SWAP_PAIRS)
    vis = np.full((90, NUM_LANDMARKS), 0.9)
    vis[40:42, L.LEFT_KNEE] = 0.8  # belongs to the right knee's points in the raw frames
    vis[20:24, L.LEFT_ANKLE] = 0.2  # 4 frames dropped, then interpolated
    vis[60:75, L.RIGHT_KNEE] = 0.1  # 15 frames: dropped and left empty
    vis[:, L.NOSE] = 0.1  # not cleaned: has_pose is read from the nose
    out, report = filter_track(make_track(xy, visibility=vis))
    assert report.swapped_frames == 2
    assert report.dropped_points == 4 + 15
    assert report.interpolated_points == 4
    assert report.unfilled_points == 15
    assert report.sample_rate_hz == pytest.approx(30.0)
    assert report.cutoff_hz == 6.0 and report.notes == ()
    assert out.visibility[40, L.RIGHT_KNEE] == 0.8  # swapped with its point
    assert out.visibility[21, L.LEFT_ANKLE] == 0.5  # interpolated: usable, barely
    assert np.isnan(out.xy_px[60:75, L.RIGHT_KNEE]).all()
    assert out.has_pose.all()
    # smoothing brought the figure closer to its noise-free self, legs on their sides
    clean = moving_figure(90, noise_px=0.0)
    assert np.nanmax(np.abs(out.xy_px - clean)[5:-5]) < 3.5  # filtfilt's ends smooth less
    assert np.sqrt(np.nanmean((out.xy_px - clean) ** 2)) < 0.7 * 1.5  # noise RMS 1.5 px


def test_filter_track_on_a_10_fps_clip_lowers_the_cutoff_and_says_so():
    xy = moving_figure(40)
    _, report = filter_track(make_track(xy, times_s=np.arange(40) / 10.0))
    assert report.cutoff_hz == pytest.approx(4.0)
    assert report.requested_cutoff_hz == 6.0
    assert "lowered from 6 Hz to 4 Hz" in report.notes[0]


def test_filter_track_leaves_a_still_pose_unchanged():
    xy = np.tile(moving_figure(1)[0], (50, 1, 1))
    out, report = filter_track(make_track(xy))
    np.testing.assert_allclose(out.xy_px, xy, atol=1e-9)
    assert report.swapped_frames == 0 and report.interpolated_points == 0
