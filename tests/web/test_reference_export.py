"""Reference export: the corrected frames as files, and the benchmark reading them back.

The clip is tests.support.analysed_clip's, so every number in the export and in
the agreement table follows from its geometry.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient

from benchmarks.reference_agreement import agreement_table, read_index
from tests.support import analysed_clip as geo
from tests.support.cli import assert_one_line_error, run_cli
from tests.support.paths import REPO
from valgus.web.app import ServeConfig, create_app

VALGUS_RIGHT = 1.25 * geo.RIGHT_FPPA_DEG  # what the clip's frames.csv reports


@pytest.fixture
def corrected(tmp_path: Path) -> Path:
    """The clip's data folder with the right knee corrected onto the line on two frames."""
    data, clip_id = geo.make_analysed_clip(tmp_path / "data")
    client = TestClient(create_app(ServeConfig(data_dir=data.root)), base_url="http://127.0.0.1")
    for frame, knee_x in ((geo.BOTTOM, 120.0), (2, 125.0)):
        points = {name: list(p) for name, p in geo.POINTS.items()} | {"right_knee": [knee_x, 140]}
        body = {"frame": frame, "points": points, "coach": "Sam Coach"}
        assert client.post(f"/api/clips/{clip_id}/corrections", json=body).status_code == 201
    undone = client.post(
        f"/api/clips/{clip_id}/corrections",
        json={"frame": 4, "points": geo.POINTS, "coach": "Sam Coach"},
    ).json()
    client.delete(f"/api/clips/{clip_id}/corrections/{undone['id']}")
    return data.root


def test_export_writes_pictures_points_and_an_index(corrected: Path, tmp_path: Path) -> None:
    out = tmp_path / "reference"
    result = run_cli("reference", "export", "--data", corrected, "-o", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"valgus: 2 corrected frames exported to {out}\n"
    rows = read_index(out)
    assert [r["frame"] for r in rows] == ["2", str(geo.BOTTOM)]  # the undone frame 4 is not
    bottom = rows[1]
    assert (bottom["athlete"], bottom["coach"], bottom["original_name"]) == (
        "Alex Morgan",
        "Sam Coach",
        "clip.mp4",
    )
    assert float(bottom["coach_fppa_right_deg"]) == pytest.approx(0.0, abs=1e-9)
    assert float(bottom["model_fppa_right_deg"]) == pytest.approx(VALGUS_RIGHT, abs=1e-3)
    assert float(bottom["model_raw_fppa_right_deg"]) == pytest.approx(geo.RIGHT_FPPA_DEG, abs=1e-3)
    assert bottom["moved"] == "right_knee"
    image = cv2.imread(str(out / bottom["image"]), cv2.IMREAD_GRAYSCALE)
    assert image.shape == (geo.HEIGHT, geo.WIDTH) and abs(image.mean() - 8 * geo.BOTTOM) < 3
    record = json.loads((out / bottom["points"]).read_text())
    assert record["points"]["right_knee"] == [120.0, 140.0]
    assert record["model_points"]["right_knee"] == [130.0, 140.0]


def test_the_benchmark_reads_the_export_back(corrected: Path, tmp_path: Path) -> None:
    out = tmp_path / "reference"
    assert run_cli("reference", "export", "--data", corrected, "-o", out).returncode == 0
    table = {(t["metric"], t["group"]): t for t in agreement_table(read_index(out))}
    # Knees: left 0 vs 0 on both frames; right valgus 23.66 vs coach 0 (bottom) and
    # 23.66 vs 2 atan(5/60) = 9.53 (frame 2).
    coach_2 = np.degrees(2 * np.arctan(5 / 60))
    diffs = np.array([0.0, 0.0, VALGUS_RIGHT - 0.0, VALGUS_RIGHT - coach_2])
    fppa = table[("FPPA, valgus", "? / squat")]  # the test report names no view
    assert fppa["n"] == 4
    assert fppa["mae"] == pytest.approx(np.abs(diffs).mean(), abs=1e-3)
    assert fppa["bias"] == pytest.approx(diffs.mean(), abs=1e-3)
    sd = diffs.std(ddof=1)
    assert fppa["loa_high"] == pytest.approx(diffs.mean() + 1.96 * sd, abs=1e-3)
    model = np.array([0.0, 0.0, VALGUS_RIGHT, VALGUS_RIGHT])
    coach = np.array([0.0, 0.0, 0.0, coach_2])
    assert fppa["slope"] == pytest.approx(np.polyfit(coach, model, 1)[0], abs=1e-3)
    assert table[("Pelvic obliquity, model raw", "all")]["mae"] == pytest.approx(0.0)
    benchmark = run_python("benchmarks/accuracy.py", "--reference", out)
    assert "| FPPA, valgus | all | 4 |" in benchmark


def test_where_the_second_model_read_the_frame_valgus_reported_its_angle(tmp_path: Path) -> None:
    data, clip_id = geo.make_analysed_clip(tmp_path / "data", refined_right_deg=21.5)
    client = TestClient(create_app(ServeConfig(data_dir=data.root)), base_url="http://127.0.0.1")
    for frame in (geo.BOTTOM, 2):
        body = {"frame": frame, "points": geo.POINTS, "coach": "Sam Coach"}
        assert client.post(f"/api/clips/{clip_id}/corrections", json=body).status_code == 201
    out = tmp_path / "reference"
    assert run_cli("reference", "export", "--data", data.root, "-o", out).returncode == 0
    frame_2, bottom = read_index(out)
    assert float(bottom["model_fppa_right_deg"]) == float(bottom["second_model_fppa_right_deg"])
    assert float(bottom["model_fppa_right_deg"]) == pytest.approx(21.5)
    assert float(frame_2["model_fppa_right_deg"]) == pytest.approx(VALGUS_RIGHT, abs=1e-3)
    assert frame_2["second_model_fppa_right_deg"] == ""
    table = {(t["metric"], t["group"]): t for t in agreement_table(read_index(out))}
    second = table[("FPPA, second model", "all")]
    assert second["n"] == 1  # the right knee at the bottom: the one frame it read
    assert second["bias"] == pytest.approx(21.5 - geo.RIGHT_FPPA_DEG, abs=1e-3)


def run_python(*args) -> str:
    result = subprocess.run(
        [sys.executable, *map(str, args)], capture_output=True, text=True, cwd=REPO, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_pseudonymised_export_has_no_names(corrected: Path, tmp_path: Path) -> None:
    out = tmp_path / "reference"
    assert (
        run_cli("reference", "export", "--data", corrected, "-o", out, "--pseudonymise").returncode
        == 0
    )
    text = (out / "index.csv").read_text() + "".join(
        p.read_text() for p in out.glob("frames/*.json")
    )
    for secret in ("Alex Morgan", "Sam Coach", "clip.mp4", "Block 1"):
        assert secret not in text
    rows = read_index(out)
    assert {(r["athlete"], r["coach"], r["clip"]) for r in rows} == {
        ("athlete-01", "coach-01", "clip-01")
    }


def test_export_refuses_a_folder_in_use_and_a_folder_without_data(corrected, tmp_path) -> None:
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "mine.txt").write_text("keep me")
    result = run_cli("reference", "export", "--data", corrected, "-o", busy)
    assert_one_line_error(result, 2, "is not empty; export into a new folder")
    assert (busy / "mine.txt").read_text() == "keep me"
    result = run_cli("reference", "export", "--data", tmp_path / "nothing", "-o", tmp_path / "o")
    assert_one_line_error(result, 2, "holds no valgus serve data")


def test_the_app_button_downloads_the_same_export_zipped(corrected: Path) -> None:
    client = TestClient(create_app(ServeConfig(data_dir=corrected)), base_url="http://127.0.0.1")
    response = client.get("/api/reference/export", params={"pseudonymise": True})
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith(
        'attachment; filename="valgus-reference-'
    )
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    index = next(n for n in archive.namelist() if n.endswith("/index.csv"))
    rows = list(csv.DictReader(io.TextIOWrapper(archive.open(index), encoding="utf-8")))
    assert len(rows) == 2 and rows[0]["athlete"] == "athlete-01"
    assert sum(n.endswith(".jpg") for n in archive.namelist()) == 2
    assert list((corrected / "tmp").iterdir()) == []  # nothing left behind
