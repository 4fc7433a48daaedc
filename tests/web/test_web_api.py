"""valgus serve over HTTP: the real server in a child process on a loopback port.

Uploads, the job lifecycle to a finished analysis, downloads, notes, comparison,
refused uploads that leave everything else as it was, and the access rules.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from tests.support.clips import numbered_frames, write_frames
from tests.support.paths import SAMPLES
from tests.support.server import ServerProcess
from tests.support.web import first_seconds, upload, wait_for_job

pytestmark = pytest.mark.slow
SAMPLE = SAMPLES / "squat_valgus.mp4"
LIMIT_MB = 1
TOKEN = "a-token-of-the-right-length"


@pytest.fixture(scope="module")
def short_clip(tmp_path_factory) -> Path:
    return first_seconds(SAMPLE, tmp_path_factory.mktemp("clips") / "squat_3s.mp4", 3.2)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServerProcess]:
    data = tmp_path_factory.mktemp("serve") / "data"
    with ServerProcess(data, args=("--max-upload-mb", str(LIMIT_MB))) as running:
        yield running


@pytest.fixture(scope="module")
def client(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


@pytest.fixture(scope="module")
def analysed(client: httpx.Client, short_clip: Path) -> dict:
    """A clip uploaded as session "Block 1" and analysed to the end."""
    response = upload(client, short_clip)
    assert response.status_code == 201, response.text
    (clip,) = response.json()["clips"]
    assert clip["job"]["state"] in ("queued", "running")
    assert (clip["original_name"], clip["frames"], clip["width"]) == ("squat_3s.mp4", 96, 720)
    return wait_for_job(client, clip["id"])


def test_upload_is_analysed_like_valgus_analyze(analysed: dict) -> None:
    assert analysed["job"]["state"] == "done", analysed["job"]
    assert analysed["job"]["fraction"] == 1.0 and analysed["job"]["attempts"] == 1
    summary = analysed["summary"]
    assert (summary["movement"], summary["reps"]) == ("squat", 1)
    # The sample's knees collapse past the 12 deg normal range (truth: valgus squat).
    assert 12 < summary["mean_fppa_left_deg"] < 25
    assert summary["worst_rep_fppa_left_deg"] == pytest.approx(summary["mean_fppa_left_deg"])
    assert summary["verdict_left"] == "marked"  # true FPPA 18 deg, past the 16.8 deg cut
    report = analysed["report"]
    assert report["summary"]["left"]["mean_fppa_deg"] == pytest.approx(
        summary["mean_fppa_left_deg"], abs=1e-3
    )
    assert "peak_fppa_deg" not in report["summary"]["left"]  # a maximum of noise: not reported
    assert {"annotated.mp4", "report.json", "frames.csv", "reps.csv"} <= set(analysed["files"])
    assert "stored_name" not in analysed and "sha256" not in analysed


def test_queue_listing_survives_a_reload(client: httpx.Client, analysed: dict) -> None:
    listed = {c["id"]: c for c in client.get("/api/clips").json()["clips"]}
    assert listed[analysed["id"]]["job"]["state"] == "done"
    athletes = client.get("/api/athletes").json()["athletes"]
    alex = next(a for a in athletes if a["name"] == "Alex Morgan")
    assert alex["sex"] == "f"
    assert "Block 1" in [s["label"] for s in alex["sessions"]]


def test_timeline_follows_frames_csv(client: httpx.Client, analysed: dict) -> None:
    series = client.get(f"/api/clips/{analysed['id']}/timeline").json()
    assert len(series["time_s"]) == 96
    assert series["time_s"][1] - series["time_s"][0] == pytest.approx(1 / 30, abs=0.002)
    # Each rep's reading (the second model's where it re-read the knee) is a point of the
    # timeline at the frame it was read: the curve and the numbers beside it agree.
    for rep in analysed["report"]["reps"]:
        frame = rep["detail"]["fppa_read_left_frame"]
        assert series["fppa_left_deg"][frame] == pytest.approx(rep["fppa_left_deg"], abs=0.01)
    assert np.isfinite(analysed["report"]["reps"][0]["fppa_refined_left_deg"])


def test_downloads(client: httpx.Client, analysed: dict, short_clip: Path) -> None:
    clip_id = analysed["id"]
    video = client.get(f"/files/clips/{clip_id}/annotated.mp4", headers={"Range": "bytes=0-99"})
    assert video.status_code == 206 and len(video.content) == 100
    assert video.headers["content-type"] == "video/mp4" and video.content[4:8] == b"ftyp"
    csv = client.get(f"/files/clips/{clip_id}/frames.csv", params={"download": 1})
    assert csv.status_code == 200 and csv.text.startswith("frame,time_s")
    disposition = csv.headers["content-disposition"]
    assert disposition.startswith("attachment") and f"Alex-Morgan_Block-1_{clip_id}_" in disposition
    report = client.get(f"/files/clips/{clip_id}/report.json", params={"download": 1})
    assert report.json()["movement"] == "squat"
    original = client.get(f"/files/clips/{clip_id}/original")
    assert original.content == short_clip.read_bytes()


def test_the_report_is_titled_by_the_uploaded_name(client: httpx.Client, analysed: dict) -> None:
    """Uploads are stored as <hex>-name.mp4; the coach's report must show the name they chose."""
    html = client.get(f"/files/clips/{analysed['id']}/report.html").text
    title = html[html.index("<title>") : html.index("</title>")]
    assert title.endswith("squat_3s.mp4")
    assert not re.search(r"[0-9a-f]{16}-squat_3s", html)


def test_notes_are_saved(client: httpx.Client, analysed: dict) -> None:
    url = f"/api/clips/{analysed['id']}/notes"
    first = client.post(
        url, json={"body": "  Knees in at the bottom: cue 'push the floor apart'. "}
    )
    assert first.status_code == 201
    client.post(url, json={"body": "Re-test after 6 weeks."})
    notes = client.get(url).json()["notes"]
    assert [n["body"] for n in notes][-2:] == [
        "Knees in at the bottom: cue 'push the floor apart'.",
        "Re-test after 6 weeks.",
    ]
    assert client.post(url, json={"body": ""}).status_code == 422
    assert client.post(url, json={"body": "   "}).status_code == 400
    assert client.post("/api/clips/9999/notes", json={"body": "x"}).status_code == 404
    assert client.delete(f"/api/notes/{first.json()['id']}").status_code == 200
    assert len(client.get(url).json()["notes"]) == len(notes) - 1


def test_compare_two_sessions_of_one_athlete(
    client: httpx.Client, analysed: dict, short_clip: Path
) -> None:
    again = upload(client, short_clip, session="Block 2", name="after.mp4").json()["clips"][0]
    after = wait_for_job(client, again["id"])
    assert after["job"]["state"] == "done"
    a, b = analysed["session"]["id"], after["session"]["id"]
    data = client.get("/api/compare", params={"a": a, "b": b}).json()
    assert (data["a"]["label"], data["b"]["label"]) == ("Block 1", "Block 2")
    (pair,) = data["pairs"]
    assert pair["movement"] == "squat" and pair["b"]["id"] == after["id"]
    rows = {r["label"]: r for r in pair["rows"]}
    mean = rows["Mean FPPA, left knee"]
    assert mean["a"] == pytest.approx(analysed["summary"]["mean_fppa_left_deg"], abs=1e-3)
    # The same clip twice: any difference is far inside the 7.5 deg SDD, not a real change.
    assert abs(mean["delta"]) < 1 and mean["sdd"] == 7.5 and mean["real_change"] is False
    assert not any("Peak FPPA" in label for label in rows)
    assert rows["Left knee"]["a"] == "marked"
    other = upload(client, short_clip, athlete="Sam Lee", session="Block 1").json()["clips"][0]
    refused = client.get("/api/compare", params={"a": a, "b": other["session"]["id"]})
    assert refused.status_code == 400 and "same athlete" in refused.json()["detail"]


def test_a_clip_without_a_person_fails_with_its_reason(
    client: httpx.Client, tmp_path: Path
) -> None:
    empty_room = write_frames(tmp_path / "room.mp4", numbered_frames(20, 96, 128))
    clip = upload(client, empty_room, athlete="Nobody").json()["clips"][0]
    failed = wait_for_job(client, clip["id"])
    assert failed["job"]["state"] == "failed"
    assert "no person found" in failed["job"]["error"]
    assert "uploads" not in failed["job"]["error"]  # never where the server keeps the clip
    assert client.get(f"/api/clips/{clip['id']}/timeline").status_code == 404
    assert client.post(f"/api/clips/{clip['id']}/retry").status_code == 200
    assert client.get(f"/api/clips/{clip['id']}").json()["job"]["state"] in ("queued", "running")


def _store_state(server: ServerProcess, client: httpx.Client) -> tuple:
    data = server.data_dir
    return (
        sorted(p.name for p in (data / "uploads").iterdir()),
        sorted(p.name for p in (data / "tmp").iterdir()),
        [c["id"] for c in client.get("/api/clips", params={"limit": 500}).json()["clips"]],
        len(client.get("/api/athletes").json()["athletes"]),
    )


PNG = b"\x89PNG\r\n\x1a\n" + bytes(2000)
BAD_UPLOADS = [
    ("notes.mp4", b"not a video, just some text\n" * 40, 415, "notes.mp4 is not a video file"),
    ("photo.mp4", PNG, 415, "photo.mp4 is not a video file"),
    ("empty.mp4", b"", 400, "empty.mp4 is empty (0 bytes)"),
    ("big.mp4", os.urandom(LIMIT_MB * 1_000_000 + 200_000), 413, "larger than the limit of 1 MB"),
    ("../../x.mp4", SAMPLE.read_bytes(), 400, "refused file name '../../x.mp4'"),
    ("..\\..\\x.mp4", SAMPLE.read_bytes(), 400, "carries a path"),
]


@pytest.mark.parametrize(("name", "content", "status", "message"), BAD_UPLOADS)
def test_bad_uploads_are_refused_and_nothing_else_is_lost(
    server: ServerProcess, client: httpx.Client, analysed: dict, name, content, status, message
) -> None:
    before = _store_state(server, client)
    response = client.post(
        "/api/clips",
        data={"athlete": "Intruder", "session": "x"},
        files={"file": (name, content, "video/mp4")},
    )
    assert response.status_code == status
    assert message in response.json()["detail"]
    assert _store_state(server, client) == before
    assert not (server.data_dir.parent / "x.mp4").exists()
    assert not (server.data_dir / "x.mp4").exists()
    original = client.get(f"/files/clips/{analysed['id']}/original")
    assert original.status_code == 200 and original.content[4:8] == b"ftyp"


@pytest.mark.parametrize(
    ("kwargs", "status", "message"),
    [
        (
            {"data": {"athlete": "A"}, "files": {"other": ("", b"", "text/plain")}},
            400,
            "holds no file",
        ),
        (
            {"data": {"session": "x"}, "files": {"file": ("a.mp4", SAMPLE.read_bytes())}},
            400,
            "the upload needs the athlete field",
        ),
        (
            {"content": SAMPLE.read_bytes(), "headers": {"Content-Type": "video/mp4"}},
            415,
            "multipart/form-data",
        ),
        # One good clip and one bad file in one request: all or nothing.
        (
            {
                "data": {"athlete": "A"},
                "files": [
                    ("file", ("good.mp4", SAMPLE.read_bytes())),
                    ("file", ("bad.mp4", b"text" * 100)),
                ],
            },
            415,
            "bad.mp4 is not a video file",
        ),
    ],
)
def test_malformed_upload_requests_are_refused(
    server: ServerProcess, client: httpx.Client, kwargs: dict, status: int, message: str
) -> None:
    before = _store_state(server, client)
    response = client.post("/api/clips", **kwargs)
    assert response.status_code == status
    assert message in response.json()["detail"]
    assert _store_state(server, client) == before


def test_an_endless_upload_stops_at_the_limit(server: ServerProcess, client: httpx.Client) -> None:
    boundary = "valgus-test-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="athlete"\r\n\r\nA\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.mp4"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()
    chunk = np.random.default_rng(0).bytes(64 * 1024)
    sent = 0

    def body() -> Iterator[bytes]:  # no Content-Length: chunked, as a stream would be
        nonlocal sent
        yield head
        for _ in range(40):  # 2.6 MB, more than twice the limit
            sent += len(chunk)
            yield chunk
        yield f"\r\n--{boundary}--\r\n".encode()

    before = _store_state(server, client)
    response = client.post(
        "/api/clips",
        content=body(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 413
    assert _store_state(server, client) == before


@pytest.mark.parametrize(
    "path",
    [
        "/files/clips/1/..%2F..%2Fvalgus.sqlite3",
        "/files/clips/1/input.json",
        "/files/clips/1/%2E%2E",
        "/files/clips/abc/report.json",
        "/files/clips/999/report.json",
        "/static/..%2Fvalgus.sqlite3",
        "/static/..%2F..%2Fvalgus.sqlite3",
    ],
)
def test_no_url_reads_outside_the_data_dir(client: httpx.Client, analysed: dict, path: str):
    response = client.get(path)
    assert response.status_code in (404, 422)
    assert b"SQLite format" not in response.content


def test_loopback_rules(client: httpx.Client) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "<title>valgus" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    rebinding = client.get("/api/athletes", headers={"Host": "attacker.example"})
    assert rebinding.status_code == 421
    cross_site = client.post(
        "/api/clips/1/notes", json={"body": "x"}, headers={"Origin": "http://evil.example"}
    )
    assert cross_site.status_code == 403


def test_a_token_server_wants_the_token_on_every_request(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data", args=("--token", TOKEN))
    with server, httpx.Client(base_url=server.url) as anonymous:
        for path in ("/", "/api/clips", "/static/app.css", "/files/clips/1/report.json"):
            assert anonymous.get(path).status_code == 401, path
        assert anonymous.get("/", params={"token": "x" * 30}).status_code == 401
        bearer = {"Authorization": f"Bearer {TOKEN}"}
        assert anonymous.get("/api/clips", headers=bearer).status_code == 200
        header = {"X-Valgus-Token": TOKEN}
        assert anonymous.get("/api/clips", headers=header).status_code == 200
        # The link the server prints: ?token= sets a cookie and drops the token from the URL.
        first = anonymous.get("/clips/3", params={"token": TOKEN})
        assert first.status_code == 303 and first.headers["location"] == "/clips/3"
        assert "httponly" in first.headers["set-cookie"].lower()
        assert anonymous.get("/api/clips").status_code == 200  # the cookie carries it now


def test_a_mirror_averaging_server_analyses_every_clip_that_way(
    tmp_path: Path, short_clip: Path
) -> None:
    server = ServerProcess(tmp_path / "data", args=("--mirror-average",))
    with server, httpx.Client(base_url=server.url, timeout=30) as http:
        response = upload(http, short_clip)
        assert response.status_code == 201, response.text
        (clip,) = response.json()["clips"]
        done = wait_for_job(http, clip["id"])
        assert done["job"]["state"] == "done", done["job"]
        report = http.get(f"/files/clips/{clip['id']}/report.json").json()
    assert report["model"] == "full, mirror-averaged"
    assert report["movement"] == "squat" and len(report["reps"]) == 1


def test_a_clip_past_the_servers_clip_timeout_fails_and_the_server_goes_on(
    tmp_path: Path, short_clip: Path
) -> None:
    """0.5 s is less than a fresh worker needs to start: the job must fail with the reason,
    and the next job (a new worker) must still be taken."""
    server = ServerProcess(tmp_path / "data", args=("--clip-timeout", "0.5"))
    with server, httpx.Client(base_url=server.url, timeout=30) as http:
        ids = [upload(http, short_clip).json()["clips"][0]["id"] for _ in range(2)]
        jobs = [wait_for_job(http, clip_id)["job"] for clip_id in ids]
    for job in jobs:
        assert job["state"] == "failed", job
        assert job["error"] == "stopped after 0.5 s (--clip-timeout); nothing of it was kept"
