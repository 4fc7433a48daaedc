"""valgus live, piece by piece: one-euro filter, causal flags, counters, live state, display,
capture (latest frame wins) and the crash-safe recorder. No pose model runs here."""

from __future__ import annotations

import math
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.support.clips import numbered_frames, write_frames
from tests.support.paths import REPO, SAMPLES, load_truth
from valgus.analysis.calibration import FPPA_GAIN
from valgus.analysis.flags import grade_series
from valgus.errors import CameraError, InputNotFoundError, UsageError
from valgus.live.capture import CapturedFrame, FileReader, FrameGrabber, open_reader
from valgus.live.counting import CausalGrader, HoldCounter, RepCounter
from valgus.live.display import LiveRenderer, Window, mirror_points
from valgus.live.measure import HINT_FEET
from valgus.live.one_euro import OneEuroFilter, smoothing_factor
from valgus.live.recorder import Recorder
from valgus.live.state import CUE_KNEES, LiveState
from valgus.overlay.draw import DEFAULT_PALETTE
from valgus.pose.landmarks import LEG, NUM_LANDMARKS, Landmark
from valgus.video.source import VideoSource

FPS = 30.0


# ---------------------------------------------------------------- one-euro filter


def test_one_euro_passes_a_constant_unchanged():
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=0.5)
    x = np.array([[3.0, -2.0], [100.0, 0.25]])
    for i in range(20):
        out = f(x, i / FPS)
    np.testing.assert_array_equal(out, x)


@pytest.mark.parametrize("cutoff_hz", [0.5, 1.0, 4.0])
def test_one_euro_without_beta_is_a_first_order_low_pass(cutoff_hz):
    f = OneEuroFilter(min_cutoff_hz=cutoff_hz, beta=0.0)
    f(np.zeros(1), 0.0)
    alpha = 1.0 / (1.0 + 1.0 / (2 * math.pi * cutoff_hz) * FPS)
    assert smoothing_factor(cutoff_hz, 1 / FPS) == pytest.approx(alpha)
    expected = 0.0
    for i in range(1, 6):  # step response: y_n = y_{n-1} + alpha (1 - y_{n-1})
        expected += alpha * (1.0 - expected)
        assert f(np.ones(1), i / FPS)[0] == pytest.approx(expected)


def _ramp_lag(beta: float) -> float:
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=beta)
    t = np.arange(0, 2.0, 1 / FPS)
    out = [f(np.array([ti]), ti)[0] for ti in t]  # x = t: slope 1 unit/s
    return float(t[-1] - out[-1])


def test_one_euro_lags_a_ramp_by_tau_and_less_with_beta():
    tau = 1 / (2 * math.pi * 1.0)  # a first-order low-pass trails a unit ramp by tau seconds
    assert _ramp_lag(0.0) == pytest.approx(tau, rel=0.02)
    # beta = 1 raises the cut-off to ~2 Hz at 1 unit/s: about half the lag.
    assert _ramp_lag(1.0) == pytest.approx(tau / 2, rel=0.15)


def test_one_euro_restarts_missing_elements_and_keeps_the_others():
    f = OneEuroFilter(min_cutoff_hz=1.0)
    f(np.array([0.0, 0.0]), 0.0)
    out = f(np.array([np.nan, 1.0]), 1 / FPS)
    assert np.isnan(out[0]) and 0 < out[1] < 1
    out = f(np.array([5.0, 1.0]), 2 / FPS)
    assert out[0] == 5.0  # a landmark that comes back starts from its new value
    assert f(np.array([9.0, 9.0]), 2 / FPS).tolist() == out.tolist()  # same time: no change


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_cutoff_hz": 0.0}, "min_cutoff_hz must be > 0"),
        ({"beta": -1.0}, "beta must be >= 0"),
        ({"d_cutoff_hz": 0.0}, "d_cutoff_hz must be > 0"),
    ],
)
def test_one_euro_rejects_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        OneEuroFilter(**kwargs)


# ---------------------------------------------------------------- causal flags and counters


@pytest.mark.parametrize(
    ("values", "grades"),
    [
        ([13, 13, 13, 13, 13], [0, 0, 1, 1, 1]),  # 3 frames = 100 ms before the flag shows
        ([13, 13, 11, 10.5, 13, 9.9, 13], [0, 0, 1, 1, 1, 0, 0]),  # leaves below 12 - 2
        ([13, 13, 13, math.nan, 13], [0, 0, 1, 0, 0]),  # not measurable clears it
        ([17, 17, 17, 16, 14.7, 14.8], [0, 0, 2, 2, 1, 1]),  # marked leaves below 16.8 - 2
        ([12.5, 11.0, 12.5, 12.5, 12.5], [0, 0, 1, 1, 1]),  # 11 >= exit 10: run goes on
        ([12.5, 9.0, 12.5, 12.5, 12.5], [0, 0, 0, 0, 1]),  # 9 < exit 10: starts again
    ],
)
def test_causal_grader_sequences(values, grades):
    grader = CausalGrader(12.0, 16.8, hysteresis=2.0, min_duration_s=0.1)
    assert [grader.update(v, i / FPS) for i, v in enumerate(values)] == grades


def test_causal_grades_match_offline_grades_except_for_the_entry_delay():
    truth = load_truth(SAMPLES / "squat_valgus.mp4")["frames"]
    rng = np.random.default_rng(0)
    times = np.asarray(truth["time_s"])
    values = np.asarray(truth["fppa_left_deg"]) + rng.normal(0, 1.0, times.size)
    offline = grade_series(values, times, 12.0, 16.8, hysteresis_deg=2.0, min_duration_s=0.1)
    grader = CausalGrader(12.0, 16.8, hysteresis=2.0, min_duration_s=0.1)
    live = np.array([grader.update(v, t) for v, t in zip(values, times, strict=True)])
    assert np.all(live <= offline)  # live never flags what the whole-clip rule rejects
    assert (offline == 2).sum() >= 3 * 4 and (live == 2).sum() > 0
    late = np.flatnonzero(live != offline)
    for i in late:  # every difference lies within 100 ms after the offline grade rose
        first = i
        while first > 0 and offline[first - 1] >= offline[i]:
            first -= 1
        assert times[i] - times[first] < 0.1 - 1e-9


def _dips(depths: list[float], *, wobble: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Depth series: 1 s standing, then a 2 s cosine dip per entry, 0.6 s between."""
    parts, t0 = [np.zeros(30)], 0
    for d in depths:
        phase = np.linspace(0, 2 * np.pi, 60)
        dip = d * (1 - np.cos(phase)) / 2
        dip[25:35] += wobble * np.sin(np.linspace(0, 6 * np.pi, 10))
        parts += [dip, np.zeros(18)]
    depth = np.concatenate(parts)
    return depth, np.arange(depth.size) / FPS + t0


@pytest.mark.parametrize(
    ("depths", "prominence", "wobble", "count"),
    [
        ([0.3, 0.3, 0.3], 0.08, 0.0, 3),
        ([0.3, 0.3, 0.3], 0.08, 0.05, 3),  # a wobble at the bottom is not a rep
        ([0.06, 0.06], 0.08, 0.0, 0),  # too shallow for a squat rep...
        ([0.06, 0.06], 0.05, 0.0, 2),  # ...but a single-leg squat rep
    ],
)
def test_rep_counter(depths, prominence, wobble, count):
    depth, times = _dips(depths, wobble=wobble)
    counter = RepCounter(prominence)
    counts = [counter.update(d, t) for d, t in zip(depth, times, strict=True)]
    assert counts[-1] == count
    assert counts == sorted(counts)


@pytest.mark.parametrize(
    ("pattern", "holds"),
    [
        ([("right", 1.2)], 1),
        ([("right", 0.6), (None, 0.1), ("right", 0.6)], 1),  # short touch-down bridged
        ([("right", 0.8)], 0),
        ([("left", 1.1), (None, 1.0), ("right", 1.1)], 2),
    ],
)
def test_hold_counter(pattern, holds):
    counter, t = HoldCounter(), 0.0
    for side, seconds in pattern:
        for _ in range(round(seconds * FPS)):
            counter.update(side, t)
            t += 1 / FPS
    assert counter.count == holds


# ---------------------------------------------------------------- live state on drawn truth


def truth_landmarks(clip: Path) -> tuple[np.ndarray, np.ndarray, dict]:
    """(T,) times and (T, 33, 7) landmarks from a synth truth file (visibility 1, world 0)."""
    truth = load_truth(clip)
    times = np.asarray(truth["frames"]["time_s"])
    out = np.full((times.size, NUM_LANDMARKS, 7), np.nan)
    out[:, :, 3] = 0.0
    for name, points in truth["frames"]["landmarks_px"].items():
        index = truth["landmark_index"][name]
        out[:, index, :2] = points
        out[:, index, 3] = 1.0
        out[:, index, 4:7] = 0.0
    return times, out, truth


def run_state(clip: Path, **kwargs) -> tuple[list, LiveState, np.ndarray, dict]:
    times, landmarks, truth = truth_landmarks(clip)
    state = LiveState(truth["width"], truth["height"], countdown_s=0.0, **kwargs)
    frames = [state.update(t, lm) for t, lm in zip(times, landmarks, strict=True)]
    return frames, state, times, truth


def test_live_state_counts_reps_grades_knees_and_cues_on_a_drawn_squat():
    frames, state, times, truth = run_state(SAMPLES / "squat_valgus.mp4")
    assert state.reps == len(truth["reps"]) == 3
    assert [f.phase for f in frames[:3]] == ["calibrating"] * 3 and frames[-1].phase == "set"
    assert state.reference.pelvic_baseline_deg == pytest.approx(0.0, abs=0.1)
    for rep in truth["reps"][1:]:  # rep 1 bottoms during the calibration
        bottom = frames[rep["bottom_frame"]].overlay
        # The true joint centres go in, so live shows them through MediaPipe's calibration.
        for side in ("left", "right"):
            expected = FPPA_GAIN * rep[f"fppa_{side}_deg"]
            assert bottom.fppa_deg[side] == pytest.approx(expected, abs=1.25)
        assert bottom.cue == CUE_KNEES
        around = frames[rep["bottom_frame"] - 9 : rep["bottom_frame"] + 10]  # +-0.3 s
        assert max(f.overlay.collapse_grade["left"] for f in around) == 2  # 18 >= 16.8 marked
    in_rep = np.zeros(times.size, bool)
    for rep in truth["reps"]:
        in_rep[rep["start_frame"] : rep["end_frame"] + 1] = True
    cued = np.array([f.overlay.cue == CUE_KNEES for f in frames])
    assert cued.any() and not np.any(cued & ~in_rep)  # the cue shows only inside reps


def test_live_state_single_leg_squat_is_recognised_with_its_stance_leg():
    frames, state, _, truth = run_state(SAMPLES / "single_leg_squat_valgus.mp4")
    assert state.guess.movement == truth["movement"] == "single-leg-squat"
    assert state.reps == len(truth["reps"])
    bottoms = [frames[rep["bottom_frame"]].overlay for rep in truth["reps"][1:]]
    assert all(o.stance_side == "right" for o in bottoms)
    assert all(not o.fppa_valid["left"] for o in bottoms)  # the lifted leg is never graded


def test_live_state_waits_for_the_feet_and_says_so():
    times, landmarks, truth = truth_landmarks(SAMPLES / "squat_valgus.mp4")
    cropped = landmarks.copy()
    for index in (Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE, Landmark.LEFT_HEEL):
        cropped[:60, index, 1] = truth["height"] + 20  # feet below the frame for 2 s
    state = LiveState(truth["width"], truth["height"], countdown_s=0.0)
    frames = [state.update(t, lm) for t, lm in zip(times[:130], cropped[:130], strict=True)]
    assert all(f.overlay.framing_hint == HINT_FEET for f in frames[:60])
    assert all(f.phase == "calibrating" for f in frames[:60])  # no calibration without feet
    assert frames[-1].phase == "set" and frames[-1].overlay.framing_hint is None


def test_live_state_countdown_then_calibration():
    times, landmarks, truth = truth_landmarks(SAMPLES / "squat_good.mp4")
    state = LiveState(truth["width"], truth["height"], countdown_s=1.0, calibration_s=0.5)
    phases = [state.update(t, lm).phase for t, lm in zip(times[:60], landmarks[:60], strict=True)]
    assert phases[:30] == ["countdown"] * 30
    assert state.update(times[60], None).overlay.framing_hint == "step into view: no one detected"
    assert phases[30:45] == ["calibrating"] * 15 and phases[-1] == "set"


# ---------------------------------------------------------------- display


def test_mirror_points_flips_x_like_cv2_flip():
    xy = np.array([[0.0, 5.0], [639.0, 7.0], [np.nan, np.nan]])
    np.testing.assert_array_equal(mirror_points(xy, 640), [[639.0, 5.0], [0.0, 7.0], [np.nan] * 2])


def test_renderer_mirrors_picture_and_landmarks_together():
    frames, _, _, truth = run_state(SAMPLES / "squat_valgus.mp4")
    live = frames[truth["reps"][1]["bottom_frame"]]  # left knee marked (red)
    image = np.zeros((truth["height"], truth["width"], 3), np.uint8)
    image[:, :40] = 255  # a white stripe on the camera's left edge
    out = LiveRenderer().render(image, live, "30 fps")
    assert out[500, -20].tolist() == [255, 255, 255] and out[500, 20].sum() < 3 * 255
    grade = live.overlay.collapse_grade["left"]
    assert grade >= 1
    colour = list(DEFAULT_PALETTE.grade_bgr(grade))
    kx, ky = np.round(live.overlay.xy_px[LEG["left"][1]]).astype(int)
    assert out[ky, truth["width"] - 1 - kx].tolist() == colour  # knee dot, mirrored place
    assert out[ky, kx].tolist() != colour
    assert image[:, 40:].max() == 0  # the camera frame itself is never drawn on


def test_window_refuses_to_open_without_a_display(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    if not sys.platform.startswith("linux"):
        pytest.skip("display check is Linux only")
    with pytest.raises(UsageError, match="--no-window"):
        Window()


# ---------------------------------------------------------------- capture and recorder


@pytest.mark.parametrize(
    ("spec", "error", "message"),
    [
        ("7", CameraError, "no camera at index 7; try --source 0 or a video file"),
        ("0" if not Path("/dev/video0").exists() else "9", CameraError, "no camera at index"),
        ("/dev/video9", CameraError, "no camera at /dev/video9"),
        ("no/such/clip.mp4", InputNotFoundError, "no such file"),
    ],
)
def test_open_reader_errors(spec, error, message):
    with pytest.raises(error, match=message) as info:
        open_reader(spec)
    assert info.value.exit_code == (11 if error is CameraError else 3)


def test_no_camera_is_one_line_and_exit_code_11(tmp_path, capsys):
    from valgus.cli.main import main

    code = main(["live", "--source", "7", "--no-window", "-o", str(tmp_path / "x")])
    captured = capsys.readouterr()
    assert code == 11
    assert captured.err == "valgus: error: no camera at index 7; try --source 0 or a video file\n"
    assert captured.out == ""
    assert not (tmp_path / "x").exists()  # nothing created before the camera check


def test_grabber_plays_a_file_in_real_time_and_hands_out_only_the_newest(tmp_path):
    clip = write_frames(tmp_path / "n.mp4", numbered_frames(30), fps=FPS)  # 1 s
    every: list[int] = []
    got: list[CapturedFrame] = []
    start = time.perf_counter()
    with FrameGrabber(FileReader(clip), on_frame=lambda f: every.append(f.index)) as grabber:
        seen = -1
        while (frame := grabber.next_frame(seen, timeout_s=1.0)) is not None:
            got.append(frame)
            seen = frame.index
            time.sleep(0.1)  # a consumer 3x slower than the camera
    elapsed = time.perf_counter() - start
    assert every == list(range(30))  # the recorder sees every frame
    assert 0.9 < elapsed < 1.6  # played at its own rate, and the slow consumer did not queue
    assert 6 <= len(got) <= 14
    indices = [f.index for f in got]
    assert indices == sorted(set(indices)) and indices[-1] >= 27
    for f in got:  # each frame handed out is the one the file holds at that index
        assert abs(int(f.image_bgr.mean()) - (f.index * 8) % 256) <= 2
        assert f.time_s == pytest.approx(f.index / FPS, abs=1e-3)


def test_recorder_skips_the_countdown_and_starts_its_clock_there(tmp_path):
    path = tmp_path / "rec.mp4"
    images = numbered_frames(20, 64, 48)
    with Recorder(path, FPS, start_s=0.2) as rec:
        for i, image in enumerate(images):
            rec.offer(CapturedFrame(i, i / FPS, 0.0, image))
    with VideoSource(path) as source:
        frames = list(source)
    brightness = [f.image_bgr.mean() for f in frames]
    np.testing.assert_allclose(brightness, [(i * 8) % 256 for i in range(6, 20)], atol=2)
    assert frames[0].time_s == 0.0 and frames[-1].time_s == pytest.approx(13 / FPS, abs=1e-3)


KILLED_RECORDER = """
import sys, time
from valgus.live.capture import CapturedFrame
from valgus.live.recorder import Recorder
from tests.support.clips import numbered_frames
images = numbered_frames(32, 160, 120)
rec = Recorder(sys.argv[1], 30.0, max_queue=100)
for i in range(90):  # 3 s of media time; fragments close every second of it
    rec.offer(CapturedFrame(i, i / 30.0, 0.0, images[i % 32]))
while rec.frames_written < 90:
    time.sleep(0.01)
print("written", flush=True)
time.sleep(60)  # mid-set: the file is never closed
"""


def test_a_recording_killed_mid_set_still_plays(tmp_path):
    path = tmp_path / "killed.mp4"
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_RECORDER, str(path)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "written"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    with VideoSource(path) as source:
        frames = list(source)
    assert len(frames) >= 60  # all but the last (unfinished) 1 s fragment
    brightness = [f.image_bgr.mean() for f in frames]
    np.testing.assert_allclose(brightness, [i % 32 * 8 for i in range(len(frames))], atol=2)
