"""`valgus analyze` as a user runs it: outputs, exit codes, one-line errors, no tracebacks."""

from __future__ import annotations

import json

import av
import numpy as np
import pandas as pd
import pytest

from tests.support.cli import assert_one_line_error, run_cli
from tests.support.clips import (
    corrupt_middle,
    transform_clip,
    truncate,
    write_audio_only,
    write_frames,
    write_zero_frames,
)
from tests.support.mp4_rotation import set_rotation
from tests.support.paths import SAMPLES
from valgus.video.source import upright

pytestmark = pytest.mark.slow
SAMPLE = SAMPLES / "squat_valgus.mp4"


@pytest.fixture(scope="module")
def analyzed(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = run_cli("analyze", SAMPLE, "-o", out, "-q")
    assert result.returncode == 0, result.stderr
    return out / SAMPLE.stem, result


def test_outputs_are_complete_and_consistent(analyzed):
    folder, result = analyzed
    names = {p.name for p in folder.iterdir()}
    assert {"annotated.mp4", "frames.csv", "pose.npz", "report.json", "reps.csv"} <= names
    assert not [n for n in names if n.startswith(".") or "partial" in n]
    report = json.loads((folder / "report.json").read_text())
    for key in ("schema_version", "source", "movement", "quality", "reps", "summary", "thresholds"):
        assert key in report
    assert {"path", "fps", "frames", "duration_s", "width", "height"} <= report["source"].keys()
    assert all(t["source"] for t in report["thresholds"].values())
    assert "does not diagnose" in report["disclaimer"]
    frames = pd.read_csv(folder / "frames.csv")
    assert len(frames) == report["source"]["frames"]
    reps = pd.read_csv(folder / "reps.csv")
    assert len(reps) == len(report["reps"])
    assert "squat" in result.stdout
    # -q: nothing else on stderr, not even MediaPipe's native log lines (1.2.3 logs on close).
    assert result.stderr == ""


def test_annotated_video_plays_in_browsers(analyzed):
    folder, _ = analyzed
    path = folder / "annotated.mp4"
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert stream.width % 2 == 0 and stream.height % 2 == 0
        frames = sum(1 for _ in container.decode(stream))
    report = json.loads((folder / "report.json").read_text())
    assert frames == report["source"]["frames"]
    head = path.read_bytes()[:4096]
    assert head.find(b"moov") != -1 and head.find(b"moov") < max(head.find(b"mdat"), 4096)


def test_from_pose_reanalyses_without_the_model(analyzed, tmp_path):
    folder, _ = analyzed
    result = run_cli(
        "analyze",
        folder / "pose.npz",
        "--from-pose",
        "-o",
        tmp_path,
        "--no-video",
        "--threshold",
        "fppa_above_deg=1",
        "--threshold",
        "fppa_marked_deg=2",
    )
    assert result.returncode == 0, result.stderr
    again = json.loads((tmp_path / SAMPLE.stem / "report.json").read_text())
    first = json.loads((folder / "report.json").read_text())
    assert len(again["reps"]) == len(first["reps"])
    assert again["thresholds"]["fppa_marked_deg"]["value"] == 2
    assert again["summary"]["left"]["verdict"] == "marked"


# Inputs the analysis must refuse, each with its own exit code and one line.
def _text(p):
    (p / "notes.mp4").write_text("not a video\n" * 100)
    return p / "notes.mp4"


def _empty(p):
    (p / "empty.mp4").write_bytes(b"")
    return p / "empty.mp4"


def _nobody(p):
    frames = [np.full((360, 480, 3), 90 + i % 20, np.uint8) for i in range(45)]
    return write_frames(p / "nobody.mp4", frames)


def _feet_cropped(p):
    return transform_clip(SAMPLE, p / "cropped.mp4", lambda im: im[: int(im.shape[0] * 0.55)])


def _truncated_header(p):
    return truncate(SAMPLE, p / "trunc.mp4", 0.01)


BAD_INPUTS = [
    ("missing", lambda p: p / "nope.mp4", 3, "no such file"),
    ("directory", lambda p: p, 3, "is a directory"),
    ("text-as-mp4", _text, 4, "not a video"),
    ("zero-bytes", _empty, 4, "empty"),
    ("zero-frames", lambda p: write_zero_frames(p / "zero.mp4"), 4, "no video"),
    ("audio-only", lambda p: write_audio_only(p / "tone.m4a"), 4, "only audio"),
    ("truncated-header", _truncated_header, 4, "trunc.mp4"),
    ("nobody", _nobody, 5, "no person"),
    ("feet-out-of-frame", _feet_cropped, 7, "feet"),
]


@pytest.mark.parametrize(
    ("make", "code", "fragment"), [b[1:] for b in BAD_INPUTS], ids=[b[0] for b in BAD_INPUTS]
)
def test_bad_input_gives_one_clear_line_and_its_exit_code(tmp_path, make, code, fragment):
    path = make(tmp_path)
    out = tmp_path / "out"
    result = run_cli("analyze", path, "-o", out, "-q")
    assert_one_line_error(result, code, fragment)
    assert not any(out.glob("*/report.json")) if out.exists() else True


def test_one_bad_clip_does_not_stop_the_others(tmp_path):
    out = tmp_path / "out"
    result = run_cli("analyze", tmp_path / "missing.mp4", SAMPLE, "-o", out, "-q", "--no-video")
    assert_one_line_error(result, 3, "no such file")
    assert (out / SAMPLE.stem / "report.json").exists()
    assert not list(out.glob(".*partial*"))


def test_an_output_folder_that_cannot_be_made_is_one_line_and_loses_nothing(tmp_path):
    """-o through a regular file: each clip says so (exit 12), no traceback, nothing half-made."""
    blocker = tmp_path / "results.txt"
    blocker.write_text("a coach's notes\n")
    result = run_cli("analyze", SAMPLE, "-o", blocker / "out", "-q", "--no-video")
    assert_one_line_error(result, 12, "a file stands where a folder is needed")
    assert blocker.read_text() == "a coach's notes\n"
    for command in (("batch", SAMPLE, "-o", blocker / "out"), ("serve", "--data", blocker)):
        refused = run_cli(*command)
        assert_one_line_error(refused, 12, "a file stands where a folder is needed")


def test_truncated_and_corrupt_files_are_analysed_with_a_warning_or_refused(tmp_path):
    cases = {
        "half": truncate(SAMPLE, tmp_path / "half.mp4", 0.5),
        "corrupt": corrupt_middle(SAMPLE, tmp_path / "corrupt.mp4", fraction=0.05),
    }
    for name, path in cases.items():
        result = run_cli("analyze", path, "-o", tmp_path / "out", "-q", "--no-video")
        assert "Traceback" not in result.stderr, name
        if result.returncode == 0:
            report = json.loads((tmp_path / "out" / path.stem / "report.json").read_text())
            assert report["source"]["frames"] > 0
        else:
            assert_one_line_error(result, result.returncode, path.name)


def test_odd_sized_and_rotated_phone_clips_are_analysed(tmp_path):
    odd = transform_clip(SAMPLE, tmp_path / "odd.mp4", lambda im: im[:-3, :-5])
    # A portrait clip stored sideways with rotation metadata, as phones write them.
    stored = transform_clip(SAMPLE, tmp_path / "phone.mp4", lambda im: upright(im, 270))
    set_rotation(stored, 90)
    out = tmp_path / "out"
    result = run_cli("analyze", odd, stored, "-o", out, "-q")
    assert result.returncode == 0, result.stderr
    straight = json.loads((out / "phone" / "report.json").read_text())
    assert straight["source"]["height"] > straight["source"]["width"]  # shown upright
    assert straight["quality"]["view"] == "front"
    with av.open(str(out / "odd" / "annotated.mp4")) as c:
        s = c.streams.video[0]
        assert (s.width % 2, s.height % 2) == (0, 0)


def test_missing_model_is_one_error_for_all_clips(tmp_path):
    result = run_cli("analyze", SAMPLE, SAMPLE, "-o", tmp_path, "--model", tmp_path / "x.task")
    assert_one_line_error(result, 8, "model file not found")
    assert not any(tmp_path.iterdir())


def test_unknown_threshold_is_a_usage_error(tmp_path):
    result = run_cli("analyze", SAMPLE, "-o", tmp_path, "--threshold", "fppa_typo_deg=3")
    assert_one_line_error(result, 2, "unknown threshold name(s): fppa_typo_deg")
