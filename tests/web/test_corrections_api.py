"""The corrections API on a clip of known geometry: angles, validation, undo, reset, races.

In-process (TestClient without the lifespan, so no job thread): the clip is
prepared as analysed (tests.support.analysed_clip), and every expected angle
follows from the points by plane geometry.
"""

from __future__ import annotations

import math
import sqlite3
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient

from tests.support import analysed_clip as geo
from valgus.pose.track import PoseTrack
from valgus.web.app import ServeConfig, create_app

LOOPBACK = "http://127.0.0.1"
TOKEN = "a-token-of-the-right-length"


@pytest.fixture
def setup(tmp_path: Path) -> tuple[TestClient, int, Path]:
    data, clip_id = geo.make_analysed_clip(tmp_path / "data")
    client = TestClient(create_app(ServeConfig(data_dir=data.root)), base_url=LOOPBACK)
    return client, clip_id, data.root


def _points(**moved: tuple[float, float]) -> dict[str, list[float]]:
    return {name: list(moved.get(name, point)) for name, point in geo.POINTS.items()}


def _save(client: TestClient, clip_id: int, points: dict, *, frame: int = geo.BOTTOM, **extra):
    body = {"frame": frame, "points": points, "coach": "Sam Coach", **extra}
    return client.post(f"/api/clips/{clip_id}/corrections", json=body)


def test_the_model_points_and_their_angles(setup) -> None:
    client, clip_id, _ = setup
    detail = client.get(f"/api/clips/{clip_id}/frames/{geo.BOTTOM}").json()
    assert (detail["width"], detail["height"]) == (geo.WIDTH, geo.HEIGHT)
    assert detail["time_s"] == pytest.approx(geo.BOTTOM / geo.FPS, abs=1e-4)
    assert detail["model"]["points"]["right_knee"] == [130.0, 140.0]
    angles = detail["model"]["angles"]
    assert angles["fppa_model_right_deg"] == pytest.approx(geo.RIGHT_FPPA_DEG, abs=1e-3)
    assert angles["fppa_right_deg"] == pytest.approx(1.25 * geo.RIGHT_FPPA_DEG, abs=1e-3)
    assert angles["fppa_left_deg"] == pytest.approx(0.0, abs=1e-9)
    assert detail["pelvic_baseline_deg"] == pytest.approx(geo.BASELINE_DEG)
    assert angles["pelvic_obliquity"] == {"raw_deg": 0.0, "deg": -geo.BASELINE_DEG}
    assert detail["correction"] is None


def test_the_frame_image_is_the_full_resolution_frame(setup) -> None:
    client, clip_id, _ = setup
    response = client.get(f"/api/clips/{clip_id}/frames/{geo.BOTTOM}/image")
    assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"
    image = cv2.imdecode(np.frombuffer(response.content, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert image.shape == (geo.HEIGHT, geo.WIDTH)
    # numbered_frames: frame i is grey level 8 i, so the decoded frame is the asked one.
    assert abs(float(image.mean()) - 8 * geo.BOTTOM) < 3


def test_a_saved_correction_gives_the_coach_angles(setup) -> None:
    client, clip_id, data = setup
    pose_before = (data / "results" / str(clip_id) / "pose.npz").read_bytes()
    # Right knee onto the hip-ankle line: FPPA 0. Left knee 10 px medial (toward the right
    # hip, image left): 18.925 deg valgus. Left hip 10 px lower over 80 px: 7.125 deg.
    points = _points(right_knee=(120, 140), left_knee=(190, 140), left_hip=(200, 90))
    response = _save(client, clip_id, points)
    assert response.status_code == 201, response.text
    saved = response.json()
    coach = saved["angles"]["coach"]
    assert coach["fppa_right_deg"] == pytest.approx(0.0, abs=1e-9)
    thigh, shank = np.array([-10, 50]), np.array([10, 60])  # left: hip (200,90)->knee->ankle
    expected_left = math.degrees(
        math.acos(thigh @ shank / np.linalg.norm(thigh) / np.linalg.norm(shank))
    )
    assert coach["fppa_left_deg"] == pytest.approx(expected_left, abs=0.01)
    oblique = math.degrees(math.atan2(10, 80))
    assert coach["pelvic_obliquity"]["raw_deg"] == pytest.approx(oblique, abs=1e-3)
    assert coach["pelvic_obliquity"]["deg"] == pytest.approx(oblique - geo.BASELINE_DEG, abs=1e-3)
    assert saved["angles"]["model"]["fppa_model_right_deg"] == pytest.approx(
        geo.RIGHT_FPPA_DEG, abs=1e-3
    )
    assert sorted(saved["angles"]["moved"]) == ["left_hip", "left_knee", "right_knee"]
    assert (saved["coach"], saved["frame"]) == ("Sam Coach", geo.BOTTOM)
    # The model's stored points are never touched.
    assert (data / "results" / str(clip_id) / "pose.npz").read_bytes() == pose_before
    track = PoseTrack.load(data / "results" / str(clip_id) / "pose.npz")
    assert track.xy_px[geo.BOTTOM, 26].tolist() == [130.0, 140.0]


def test_the_rep_and_verdict_show_the_coach_value_beside_the_model(setup) -> None:
    client, clip_id, _ = setup
    assert _save(client, clip_id, _points(right_knee=(120, 140))).status_code == 201
    listing = client.get(f"/api/clips/{clip_id}/corrections").json()
    (rep,) = listing["reps"]
    assert rep["right"]["coach_deg"] == pytest.approx(0.0, abs=1e-9)
    assert rep["right"]["model_deg"] == pytest.approx(1.25 * geo.RIGHT_FPPA_DEG, abs=1e-3)
    assert rep["right"]["coach"] == "Sam Coach"
    assert rep["left"]["coach_deg"] is None  # the coach left the left leg as the model put it
    right = listing["summary"]["right"]
    assert (right["verdict"], right["model_verdict"]) == ("within normal", "marked")
    assert right["reps_corrected"] == 1
    assert listing["key_frames"] == [
        {"rep": 1, "bottom": geo.BOTTOM, "left": geo.BOTTOM, "right": geo.BOTTOM}
    ]


def test_asis_points_give_a_second_obliquity(setup) -> None:
    client, clip_id, _ = setup
    points = _points() | {"left_asis": [190, 70], "right_asis": [130, 64]}
    coach = _save(client, clip_id, points).json()["angles"]["coach"]
    assert coach["pelvic_obliquity_asis"]["raw_deg"] == pytest.approx(
        math.degrees(math.atan2(6, 60)), abs=1e-3
    )


@pytest.mark.parametrize(
    ("points", "message"),
    [
        (_points(right_knee=(330, 140)), "right_knee (330.0, 140.0) is outside the 320x240 frame"),
        (_points(left_ankle=(10, -1)), "left_ankle (10.0, -1.0) is outside the 320x240 frame"),
        (_points() | {"nose": [1, 1]}, "unknown landmark 'nose'"),
        ({k: v for k, v in _points().items() if k != "left_knee"}, "left_knee is missing"),
        (_points() | {"left_asis": [1, 1]}, "place both ASIS points or neither"),
        (_points() | {"right_hip": [1]}, "right_hip must be [x, y] in pixels"),
        (_points() | {"right_hip": ["a", 2]}, "right_hip must be [x, y] in pixels"),
    ],
)
def test_bad_points_are_refused_with_one_line(setup, points: dict, message: str) -> None:
    client, clip_id, _ = setup
    response = _save(client, clip_id, points)
    assert response.status_code == 422
    assert message in response.json()["detail"] and "\n" not in response.json()["detail"]
    assert client.get(f"/api/clips/{clip_id}/corrections").json()["history"] == []


def test_unknown_clips_frames_and_other_clips_ids(setup, tmp_path: Path) -> None:
    client, clip_id, _ = setup
    assert client.get("/api/clips/999/frames/0").status_code == 404
    assert client.get(f"/api/clips/{clip_id}/frames/{geo.FRAMES}").status_code == 404
    assert _save(client, clip_id, _points(), frame=geo.FRAMES).status_code == 404
    assert client.get(f"/api/clips/{clip_id}/frames/-1/image").status_code == 404
    saved = _save(client, clip_id, _points()).json()
    # A correction id is only reachable through its own clip.
    assert client.delete(f"/api/clips/{clip_id + 1}/corrections/{saved['id']}").status_code == 404
    assert client.delete(f"/api/clips/{clip_id}/corrections/{saved['id'] + 1}").status_code == 404
    assert client.get(f"/api/clips/{clip_id}/frames/../../etc/passwd").status_code == 404
    assert _save(client, clip_id, _points(), coach="\x1b[2J").status_code == 422


def test_undo_and_reset_fall_back_and_keep_the_record(setup) -> None:
    client, clip_id, _ = setup
    first = _save(client, clip_id, _points(right_knee=(120, 140))).json()
    second = _save(client, clip_id, _points(right_knee=(125, 140)), base_id=first["id"]).json()
    url = f"/api/clips/{clip_id}/frames/{geo.BOTTOM}"
    assert client.get(url).json()["correction"]["id"] == second["id"]
    assert client.delete(f"/api/clips/{clip_id}/corrections/{second['id']}").json() == {"ok": True}
    assert client.get(url).json()["correction"]["id"] == first["id"]
    assert client.delete(f"/api/clips/{clip_id}/corrections/{second['id']}").status_code == 409
    assert client.delete(f"{url}/corrections").json() == {"undone": 1}
    assert client.get(url).json()["correction"] is None
    history = client.get(f"/api/clips/{clip_id}/corrections").json()["history"]
    assert [h["id"] for h in history] == [first["id"], second["id"]]
    assert all(h["undone_at"] is not None for h in history)


def test_a_save_from_a_stale_base_is_refused(setup) -> None:
    client, clip_id, _ = setup
    assert _save(client, clip_id, _points(right_knee=(120, 140))).status_code == 201
    late = _save(client, clip_id, _points(right_knee=(140, 140)), base_id=None)
    assert late.status_code == 409
    assert late.json()["detail"].startswith(f"frame {geo.BOTTOM} was changed by Sam Coach")


def test_concurrent_saves_on_one_frame_keep_exactly_one(setup) -> None:
    """Eight coaches save from the model's points at once: one wins, seven are told."""
    client, clip_id, _ = setup
    codes: list[int] = []
    start = threading.Barrier(8)

    def coach(i: int) -> None:
        start.wait()
        codes.append(_save(client, clip_id, _points(right_knee=(120 + i, 140))).status_code)

    threads = [threading.Thread(target=coach, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [201] + [409] * 7
    assert len(client.get(f"/api/clips/{clip_id}/corrections").json()["history"]) == 1


def test_deleting_a_clip_deletes_its_corrections_only(setup, tmp_path: Path) -> None:
    client, clip_id, data = setup
    assert _save(client, clip_id, _points()).status_code == 201
    with sqlite3.connect(data / "valgus.sqlite3") as conn:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("DELETE FROM notes WHERE clip_id = ?", (clip_id,))
        conn.execute("DELETE FROM jobs WHERE clip_id = ?", (clip_id,))
        conn.execute("DELETE FROM clips WHERE id = ?", (clip_id,))
        assert conn.execute("SELECT COUNT(*) FROM corrections").fetchone() == (0,)


def test_off_loopback_the_corrections_need_the_token(tmp_path: Path) -> None:
    data, clip_id = geo.make_analysed_clip(tmp_path / "data")
    client = TestClient(create_app(ServeConfig(data_dir=data.root, token=TOKEN)), base_url=LOOPBACK)
    url = f"/api/clips/{clip_id}/frames/{geo.BOTTOM}"
    assert client.get(url).status_code == 401
    assert client.get(f"{url}/image").status_code == 401
    body = {"frame": geo.BOTTOM, "points": _points(), "coach": "x"}
    assert client.post(f"/api/clips/{clip_id}/corrections", json=body).status_code == 401
    headers = {"Authorization": f"Bearer {TOKEN}"}
    assert client.get(url, headers=headers).status_code == 200
    saved = client.post(f"/api/clips/{clip_id}/corrections", json=body, headers=headers)
    assert saved.status_code == 201
    cross = client.post(
        f"/api/clips/{clip_id}/corrections",
        json=body,
        headers={**headers, "Origin": "http://evil.example"},
    )
    assert cross.status_code == 403


def test_openapi_documents_the_corrections_routes(setup) -> None:
    client, _, _ = setup
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths["/api/clips/{clip_id}/corrections"]) == {"get", "post"}
    for route in (
        "/api/clips/{clip_id}/frames/{frame}",
        "/api/clips/{clip_id}/frames/{frame}/image",
        "/api/clips/{clip_id}/corrections/{correction_id}",
        "/api/clips/{clip_id}/frames/{frame}/corrections",
        "/api/reference/export",
    ):
        assert route in paths, route
    image = paths["/api/clips/{clip_id}/frames/{frame}/image"]["get"]["responses"]["200"]
    assert "image/jpeg" in image["content"]
