"""valgus serve survives a crash: kill -9 mid-job, restart, the job completes, no upload lost."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from tests.support.paths import SAMPLES
from tests.support.server import ServerProcess, pid_alive
from tests.support.web import first_seconds, upload, wait_for_job

pytestmark = pytest.mark.slow


def _job_row(data: Path, clip_id: int) -> tuple[str, int]:
    with sqlite3.connect(data / "valgus.sqlite3") as conn:
        return conn.execute(
            "SELECT state, attempts FROM jobs WHERE clip_id = ?", (clip_id,)
        ).fetchone()


def _wait_until_running(client: httpx.Client, clip_id: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = client.get(f"/api/clips/{clip_id}").json()["job"]
        assert job["state"] in ("queued", "running"), job
        if job["state"] == "running" and (job["elapsed_s"] or 0) >= 1.0:
            return
        time.sleep(0.1)
    raise AssertionError("the job never started")


def test_kill_mid_job_then_restart_resumes_it(tmp_path: Path) -> None:
    clip_file = first_seconds(SAMPLES / "squat_valgus.mp4", tmp_path / "squat_3s.mp4", 3.2)
    data = tmp_path / "data"
    first = ServerProcess(data)
    with first, httpx.Client(base_url=first.url, timeout=30) as client:
        clip_id = upload(client, clip_file).json()["clips"][0]["id"]
        _wait_until_running(client, clip_id)
        workers = first.kill()
    assert workers, "the analysis should have been running in a worker process"
    deadline = time.monotonic() + 10
    while any(pid_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(pid_alive(pid) for pid in workers), "an orphan worker kept analysing"
    assert _job_row(data, clip_id) == ("running", 1)  # the dead server could not record it
    (data / "tmp" / "half-received.part").write_bytes(b"\x00" * 1000)

    second = ServerProcess(data)
    with second, httpx.Client(base_url=second.url, timeout=30) as client:
        clip = wait_for_job(client, clip_id)
        assert clip["job"]["state"] == "done", clip["job"]
        assert clip["job"]["attempts"] == 2
        assert (clip["summary"]["movement"], clip["summary"]["reps"]) == ("squat", 1)
        assert client.get(f"/files/clips/{clip_id}/original").content == clip_file.read_bytes()
        assert client.get(f"/files/clips/{clip_id}/annotated.mp4").status_code == 200
    assert "resuming 1 interrupted job(s)" in second.log()
    assert list((data / "tmp").iterdir()) == []
    assert [p.name for p in (data / "results").iterdir()] == [str(clip_id)]
