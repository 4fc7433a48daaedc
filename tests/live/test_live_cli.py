"""`valgus live` as a user runs it, with a video file standing in for the webcam.

End to end headless, the window under Xvfb (with a mirrored screenshot) and
Ctrl-C in the middle of a set. The no-camera error is in test_live_units.py.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.support.paths import REPO, SAMPLES
from valgus.video.source import VideoSource
from valgus.video.writer import H264Writer

pytestmark = pytest.mark.slow
SAMPLE = SAMPLES / "squat_valgus.mp4"
CMD = [sys.executable, "-m", "valgus.cli.main", "live"]


def run_live(*args, env=None, timeout=240) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CMD, *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env, cwd=REPO
    )


def decoded_frames(path: Path) -> int:
    with VideoSource(path) as source:
        return sum(1 for _ in source)


def test_headless_run_records_the_set_and_reports_its_three_reps(tmp_path):
    out = tmp_path / "session"
    result = run_live("--source", SAMPLE, "--no-window", "-o", out)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "analysis",
        "live.csv",
        "live.json",
        "recording.mp4",
    ]
    live = json.loads((out / "live.json").read_text())
    assert live["quit_reason"] == "end of video" and live["calibrated"]
    assert live["frames_captured"] == live["frames_recorded"] == 271  # nothing lost to disk
    assert live["reps_live"] == 3 and live["movement_live"] == "squat"
    assert 0 < live["frames_processed"] <= 271
    assert decoded_frames(out / "recording.mp4") == 271
    report = json.loads((out / "analysis" / "report.json").read_text())
    assert report["movement"] == "squat" and len(report["reps"]) == 3
    assert (out / "analysis" / "annotated.mp4").stat().st_size > 0
    assert "analysis: squat, 3 reps;" in result.stdout
    # The second model is asked for (--refine), not run by default after a live set.
    assert report["second_model"]["ran"] is False


def test_refine_lets_the_second_model_read_the_report_after_the_set(tmp_path):
    out = tmp_path / "session"
    result = run_live("--source", SAMPLE, "--no-window", "-o", out, "--refine")
    assert result.returncode == 0, result.stderr
    second = json.loads((out / "analysis" / "report.json").read_text())["second_model"]
    assert second["ran"] is True
    assert second["readings_from_second_model"] == second["readings"] == 6  # 3 reps, 2 knees


@pytest.fixture
def xvfb_display():
    """A private Xvfb server on a display number it picks itself; yields ":N"."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb)")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        assert number.isdigit(), "Xvfb did not report its display"
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def marked_clip(path: Path, seconds: float) -> tuple[Path, tuple[slice, slice]]:
    """The sample's first ``seconds`` with a pure red square near the camera's left edge."""
    rows, cols = slice(600, 660), slice(30, 90)
    with VideoSource(SAMPLE) as source:
        info = source.info
        with H264Writer(path, info.width, info.height, info.fps) as writer:
            for frame in source:
                if frame.time_s >= seconds:
                    break
                image = frame.image_bgr.copy()
                image[rows, cols] = (0, 0, 255)
                writer.write(image, frame.time_s)
    return path, (rows, cols)


def is_red(patch: np.ndarray) -> bool:
    b, g, r = (float(c) for c in patch.reshape(-1, 3).mean(axis=0))
    return r > 200 and g < 60 and b < 60


def test_window_under_xvfb_shows_the_mirrored_view(tmp_path, xvfb_display):
    clip, (rows, cols) = marked_clip(tmp_path / "marked.mp4", 3.0)
    shot = tmp_path / "last.png"
    env = {**os.environ, "DISPLAY": xvfb_display}
    out = tmp_path / "session"
    result = run_live(
        "--source", clip, "-o", out, "--duration", 2, "--save-last-frame", shot, env=env
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    live = json.loads((out / "live.json").read_text())
    assert live["quit_reason"] == "duration reached"
    assert live["frames_shown"] == live["frames_processed"] > 10
    assert decoded_frames(out / "recording.mp4") == 60  # 2 s of the 3 s clip at 30 fps
    image = cv2.imread(str(shot))
    width = image.shape[1]
    mirrored_cols = slice(width - cols.stop, width - cols.start)
    assert is_red(image[rows, mirrored_cols])  # the camera's left edge is on the screen's right
    assert not is_red(image[rows, cols])
    assert (out / "analysis" / "report.json").exists()


def _terminal_ctrl_c() -> None:
    """In the child: Ctrl-C as a terminal delivers it.

    A test run started in the background (``cmd &`` in a script, as CI harnesses
    do) inherits SIGINT ignored, and so would every child; Python then never
    raises KeyboardInterrupt and this test would measure the harness, not valgus.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_mid_set_leaves_a_playable_recording_and_the_report(tmp_path):
    out = tmp_path / "session"
    proc = subprocess.Popen(
        [*CMD, "--source", str(SAMPLE), "--no-window", "-o", str(out)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_terminal_ctrl_c,
    )
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("set:"):
                time.sleep(1.0)
                proc.send_signal(signal.SIGINT)
                break
        stdout, stderr = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert "stopped (ctrl-c)" in "".join(lines) + stdout
    live = json.loads((out / "live.json").read_text())
    assert live["quit_reason"] == "ctrl-c"
    recorded = decoded_frames(out / "recording.mp4")
    assert 60 <= recorded == live["frames_recorded"] < 271  # stopped mid-clip, all of it on disk
    report = json.loads((out / "analysis" / "report.json").read_text())
    assert report["source"]["frames"] == recorded


@pytest.mark.parametrize("where", ["-o", "--record"])
def test_an_unwritable_output_is_refused_before_the_set(tmp_path, where):
    """A wrong path must fail at once (exit 12, one line), not after the user has squatted."""
    blocker = tmp_path / "notes.txt"
    blocker.write_text("keep me\n")
    target = blocker / "out" if where == "-o" else blocker / "rec.mp4"
    args = ("--source", SAMPLE, "--no-window", "--duration", "30", where, target)
    result = run_live(*args, *(("-o", tmp_path / "out") if where == "--record" else ()))
    assert result.returncode == 12, result.stderr
    assert "Traceback" not in result.stderr
    assert "a file stands where a folder is needed" in result.stderr.strip().splitlines()[-1]
    assert "counted live" not in result.stderr + result.stdout  # the set never started
    assert blocker.read_text() == "keep me\n"
