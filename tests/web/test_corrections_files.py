"""A clip's corrections as a JSON file: download, import into a copy of the clip, refusals."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.support import analysed_clip as geo
from valgus.web.app import ServeConfig, create_app


@pytest.fixture
def two_clips(tmp_path: Path) -> tuple[TestClient, int, int]:
    """One data folder holding the same analysed clip twice (an original and a copy)."""
    data, first = geo.make_analysed_clip(tmp_path / "data")
    _, second = geo.make_analysed_clip(tmp_path / "data")
    client = TestClient(create_app(ServeConfig(data_dir=data.root)), base_url="http://127.0.0.1")
    points = {name: list(p) for name, p in geo.POINTS.items()} | {"right_knee": [120, 140]}
    body = {"frame": geo.BOTTOM, "points": points, "coach": "Sam Coach"}
    assert client.post(f"/api/clips/{first}/corrections", json=body).status_code == 201
    return client, first, second


def test_a_downloaded_file_imports_into_the_copy_with_the_same_angles(two_clips) -> None:
    client, first, second = two_clips
    response = client.get(f"/api/clips/{first}/corrections/file")
    assert response.headers["content-disposition"] == (
        f'attachment; filename="clip{first}-corrections.json"'
    )
    document = response.json()
    assert (document["format"], document["version"]) == ("valgus-corrections", 1)
    assert document["clip"] == {"name": "clip.mp4", "width": 320, "height": 240, "frames": 12}
    assert [c["frame"] for c in document["corrections"]] == [geo.BOTTOM]
    # Angles in the file are not trusted: the importer computes them from the points.
    document["corrections"][0]["angles"] = {"coach": {"fppa_right_deg": 99}}
    imported = client.post(f"/api/clips/{second}/corrections/import", json=document)
    assert imported.status_code == 201, imported.text
    assert imported.json()["imported"] == 1
    (copy,) = client.get(f"/api/clips/{second}/corrections").json()["corrections"]
    (original,) = client.get(f"/api/clips/{first}/corrections").json()["corrections"]
    assert copy["angles"] == original["angles"]
    assert copy["angles"]["coach"]["fppa_right_deg"] == pytest.approx(0.0, abs=1e-9)
    assert copy["coach"] == "Sam Coach" and copy["id"] != original["id"]
    # Importing again lands on top of the frame's correction: the earlier one stays on record.
    assert client.post(f"/api/clips/{second}/corrections/import", json=document).status_code == 201
    history = client.get(f"/api/clips/{second}/corrections").json()["history"]
    assert len(history) == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["clip"].update(width=640),
            "the corrections are for a 640x240 clip of 12 frames",
        ),
        (lambda d: d["corrections"][0].update(frame=12), "frame 12 is not in the clip"),
        (
            lambda d: d["corrections"].append({**d["corrections"][0], "points": {"nose": [1, 1]}}),
            "unknown landmark 'nose'",
        ),
    ],
)
def test_a_file_is_imported_whole_or_not_at_all(two_clips, change, message: str) -> None:
    client, first, second = two_clips
    document = client.get(f"/api/clips/{first}/corrections/file").json()
    change(document)
    response = client.post(f"/api/clips/{second}/corrections/import", json=document)
    assert response.status_code == 422 and message in response.json()["detail"]
    assert client.get(f"/api/clips/{second}/corrections").json()["history"] == []


def test_not_a_corrections_file_is_refused(two_clips) -> None:
    client, _, second = two_clips
    for body in ({"format": "something-else", "version": 1}, json.loads("[]")):
        response = client.post(f"/api/clips/{second}/corrections/import", json=body)
        assert response.status_code == 422


def test_the_served_report_carries_the_corrections_and_the_file_does_not(
    two_clips, tmp_path: Path
) -> None:
    client, first, second = two_clips
    folder = tmp_path / "data" / "results" / str(first)
    model_report = '<html><body><main><section class="reps">model</section></main></body></html>'
    (folder / "report.html").write_text(model_report, encoding="utf-8")
    served = client.get(f"/files/clips/{first}/report.html")
    assert served.status_code == 200 and served.headers["content-type"].startswith("text/html")
    html = served.text
    assert html.index("Coach corrections") < html.index("model</section>")
    # Right knee: coach 0.0 deg against the model's 1.25 x 18.925 = 23.7 deg, marked.
    assert '<b>0.0°</b></td><td class="num">23.7°</td><td>Sam Coach</td>' in html
    assert "right knee within normal (mean 0.0°; model 23.7°, marked)" in html
    assert "default-src 'self' 'unsafe-inline'" in served.headers["content-security-policy"]
    download = client.get(f"/files/clips/{first}/report.html", params={"download": 1})
    assert download.headers["content-disposition"].startswith("attachment")
    assert "Coach corrections" in download.text
    assert (folder / "report.html").read_text(encoding="utf-8") == model_report
    untouched = tmp_path / "data" / "results" / str(second) / "report.html"
    untouched.write_text(model_report, encoding="utf-8")
    assert client.get(f"/files/clips/{second}/report.html").text == model_report


def test_a_coach_name_reaches_the_report_as_text(two_clips, tmp_path: Path) -> None:
    client, _, second = two_clips
    points = {name: list(p) for name, p in geo.POINTS.items()} | {"right_knee": [120, 140]}
    body = {"frame": geo.BOTTOM, "points": points, "coach": "<img src=x onerror=alert(1)>"}
    assert client.post(f"/api/clips/{second}/corrections", json=body).status_code == 201
    folder = tmp_path / "data" / "results" / str(second)
    (folder / "report.html").write_text("<main></main>", encoding="utf-8")
    html = client.get(f"/files/clips/{second}/report.html").text
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_deleting_a_clip_deletes_its_corrections_and_files_only(two_clips, tmp_path) -> None:
    client, first, second = two_clips
    data = tmp_path / "data"
    body = {"frame": 1, "points": {n: list(p) for n, p in geo.POINTS.items()}, "coach": "Sam"}
    assert client.post(f"/api/clips/{second}/corrections", json=body).status_code == 201
    assert client.post(f"/api/clips/{first}/notes", json={"body": "re-test"}).status_code == 201
    uploads = sorted(p.name for p in (data / "uploads").iterdir())
    assert client.delete(f"/api/clips/{first}").json() == {"ok": True}
    assert client.get(f"/api/clips/{first}").status_code == 404
    assert client.get(f"/api/clips/{first}/corrections").status_code == 404
    assert not (data / "results" / str(first)).exists()
    assert len(list((data / "uploads").iterdir())) == len(uploads) - 1
    with sqlite3.connect(data / "valgus.sqlite3") as conn:
        rows = conn.execute("SELECT clip_id, COUNT(*) FROM corrections GROUP BY clip_id").fetchall()
        assert rows == [(second, 1)]
        assert conn.execute("SELECT COUNT(*) FROM notes").fetchone() == (0,)
    assert client.delete(f"/api/clips/{first}").status_code == 404


def test_a_clip_being_analysed_is_not_deleted(two_clips, tmp_path) -> None:
    client, first, _ = two_clips
    with sqlite3.connect(tmp_path / "data" / "valgus.sqlite3") as conn:
        conn.execute("UPDATE jobs SET state = 'running' WHERE clip_id = ?", (first,))
    response = client.delete(f"/api/clips/{first}")
    assert response.status_code == 409 and "is being analysed" in response.json()["detail"]
    assert len(client.get(f"/api/clips/{first}/corrections").json()["corrections"]) == 1
