"""Helpers shared by the web app's tests: short clips, uploads, waiting for jobs."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.support.clips import write_frames
from valgus.video.source import VideoSource


def first_seconds(src: Path, dst: Path, seconds: float) -> Path:
    """The first ``seconds`` of ``src`` re-encoded (a short clip analyses fast)."""
    frames = []
    with VideoSource(src) as source:
        fps = source.info.fps
        for frame in source:
            if frame.time_s >= seconds:
                break
            frames.append(frame.image_bgr)
    return write_frames(dst, frames, fps=fps)


def upload(
    client: httpx.Client,
    path: Path,
    *,
    athlete: str = "Alex Morgan",
    session: str = "Block 1",
    name: str | None = None,
) -> httpx.Response:
    return client.post(
        "/api/clips",
        data={"athlete": athlete, "session": session, "movement": "auto", "sex": "f"},
        files={"file": (name or path.name, path.read_bytes(), "video/mp4")},
    )


def wait_for_job(client: httpx.Client, clip_id: int, *, timeout_s: float = 180) -> dict:
    """Poll the clip until its job is done or failed; return the clip."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        clip = client.get(f"/api/clips/{clip_id}").json()
        if clip["job"]["state"] in ("done", "failed"):
            return clip
        time.sleep(0.25)
    raise AssertionError(f"clip {clip_id} still {clip['job']} after {timeout_s} s")
