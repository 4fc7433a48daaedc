"""Corrections files: read, applied to an analysis folder, and valgus analyze --corrections."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support import analysed_clip as geo
from tests.support.cli import assert_one_line_error, run_cli
from tests.support.paths import SAMPLES
from tests.support.web import first_seconds
from valgus.corrections.file import CorrectionsFile, apply_to_folder, read_corrections_file
from valgus.pose.track import PoseTrack

MODEL_REPORT = '<html><body><main><section class="reps">model reps</section></main></body></html>'


def _document(**clip) -> dict:
    points = {name: list(p) for name, p in geo.POINTS.items()} | {"right_knee": [120, 140]}
    return {
        "format": "valgus-corrections",
        "version": 1,
        "clip": {"width": geo.WIDTH, "height": geo.HEIGHT, "frames": geo.FRAMES, **clip},
        "corrections": [{"frame": geo.BOTTOM, "coach": "Sam Coach", "points": points}],
    }


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An analysis folder of the known-geometry clip (pose.npz, frames.csv, report.*)."""
    data, clip_id = geo.make_analysed_clip(tmp_path / "data")
    out = shutil.copytree(data.result_dir(clip_id), tmp_path / "clip")
    (out / "report.html").write_text(MODEL_REPORT, encoding="utf-8")
    return out


def test_apply_writes_corrections_json_and_the_report_section(folder: Path) -> None:
    pose_before = (folder / "pose.npz").read_bytes()
    assert apply_to_folder(folder, CorrectionsFile.model_validate(_document())) == 1
    written = json.loads((folder / "corrections.json").read_text())
    (correction,) = written["corrections"]
    assert correction["angles"]["coach"]["fppa_right_deg"] == pytest.approx(0.0, abs=1e-9)
    assert correction["angles"]["model"]["fppa_model_right_deg"] == pytest.approx(
        geo.RIGHT_FPPA_DEG, abs=1e-3
    )
    html = (folder / "report.html").read_text()
    assert html.index("Coach corrections") < html.index("model reps")
    assert "right knee within normal (mean 0.0°; model 23.7°, marked)" in html
    assert (folder / "pose.npz").read_bytes() == pose_before
    # What valgus analyze wrote reads back as a corrections file (the angles are ignored).
    again = read_corrections_file(folder / "corrections.json")
    assert again.corrections[0].points["right_knee"] == [120.0, 140.0]


def test_apply_refuses_another_clip_and_writes_nothing(folder: Path) -> None:
    with pytest.raises(
        ValueError, match="are for a 640x240 clip of 12 frames; this clip is 320x240"
    ):
        apply_to_folder(folder, CorrectionsFile.model_validate(_document(width=640)))
    bad = _document()
    bad["corrections"][0]["points"]["right_knee"] = [999, 1]
    with pytest.raises(ValueError, match=r"right_knee .* is outside the 320x240 frame"):
        apply_to_folder(folder, CorrectionsFile.model_validate(bad))
    assert not (folder / "corrections.json").exists()
    assert (folder / "report.html").read_text() == MODEL_REPORT


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "is not a valgus corrections file"),
        ('{"format": "other", "version": 1}', "is not a valgus corrections file (format:"),
    ],
)
def test_analyze_refuses_a_bad_file_before_analysing(tmp_path: Path, text: str, message: str):
    file = tmp_path / "c.json"
    file.write_text(text)
    result = run_cli("analyze", SAMPLES / "squat_good.mp4", "--corrections", file, "-o", tmp_path)
    assert_one_line_error(result, 2, message)
    result = run_cli("analyze", "a.mp4", "b.mp4", "--corrections", file, "-o", tmp_path)
    assert_one_line_error(result, 2, "--corrections belongs to one clip")


@pytest.mark.slow
def test_analyze_with_corrections_shows_them_in_the_report(tmp_path: Path) -> None:
    clip = first_seconds(SAMPLES / "squat_valgus.mp4", tmp_path / "squat_3s.mp4", 3.2)
    assert run_cli("analyze", clip, "-o", tmp_path / "first", "--no-video").returncode == 0
    analysed = tmp_path / "first" / "squat_3s"
    track = PoseTrack.load(analysed / "pose.npz")
    report = json.loads((analysed / "report.json").read_text())
    bottom = report["reps"][0]["detail"]["bottom_frame"]
    names = ("left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle")
    index = {"left_hip": 23, "right_hip": 24, "left_knee": 25, "right_knee": 26}
    index |= {"left_ankle": 27, "right_ankle": 28}
    points = {n: [float(v) for v in track.xy_px[bottom, index[n]]] for n in names}
    # Right knee onto the line from the right hip to the right ankle: a coach's FPPA of 0.
    hip, ankle = points["right_hip"], points["right_ankle"]
    points["right_knee"] = [(hip[0] + ankle[0]) / 2, (hip[1] + ankle[1]) / 2]
    document = {
        "format": "valgus-corrections",
        "version": 1,
        "clip": {"width": track.width, "height": track.height, "frames": track.n_frames},
        "corrections": [{"frame": bottom, "coach": "Sam Coach", "points": points}],
    }
    file = tmp_path / "corrections.json"
    file.write_text(json.dumps(document))
    result = run_cli(
        "analyze", "--from-pose", analysed, "--corrections", file, "-o", tmp_path / "second"
    )
    assert result.returncode == 0, result.stderr
    assert "valgus: 1 corrected frames in" in result.stdout
    folder = tmp_path / "second" / "squat_3s"
    written = json.loads((folder / "corrections.json").read_text())
    assert written["corrections"][0]["angles"]["coach"]["fppa_right_deg"] == pytest.approx(
        0, abs=1e-6
    )
    html = (folder / "report.html").read_text()
    model = report["reps"][0]["fppa_right_deg"]
    assert f'<b>0.0°</b></td><td class="num">{model:.1f}°</td><td>Sam Coach</td>' in html
