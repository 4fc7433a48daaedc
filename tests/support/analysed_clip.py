"""A data directory of ``valgus serve`` holding one analysed clip of known geometry.

Why not upload and analyse: the corrections API only reads a clip's upload,
pose.npz, frames.csv and report.json, and its tests need landmarks whose angles
are known exactly, which a model cannot promise. The clip's frames are real
H.264 video; its track puts the legs where the expected angles say.

Geometry (320x240 frame, person facing the camera, so their left is image right):
left leg hip (200, 80), knee (200, 140), ankle (200, 200): FPPA 0; right leg hip
(120, 80), knee (130, 140), ankle (120, 200): the knee 10 px medial of the
hip-ankle line, FPPA = 2 atan(10 / 60) = 18.925 deg; hips level (obliquity 0),
the clip's standing baseline 1.0 deg.
"""

from __future__ import annotations

import csv
import json
import math
import shutil
from pathlib import Path

from tests.support.clips import numbered_frames, write_frames
from tests.support.tracks import legs_track
from valgus.pose.track import PoseTrack
from valgus.web.db import Database
from valgus.web.storage import DataDir

WIDTH, HEIGHT, FRAMES, FPS = 320, 240, 12, 30.0
BOTTOM = 6
BASELINE_DEG = 1.0
POINTS = {
    "left_hip": (200.0, 80.0),
    "right_hip": (120.0, 80.0),
    "left_knee": (200.0, 140.0),
    "right_knee": (130.0, 140.0),
    "left_ankle": (200.0, 200.0),
    "right_ankle": (120.0, 200.0),
}
RIGHT_FPPA_DEG = math.degrees(2 * math.atan(10 / 60))  # 18.925


def _track() -> PoseTrack:
    return legs_track(POINTS, frames=FRAMES, width=WIDTH, height=HEIGHT, fps=FPS)


def _frames_csv(path: Path, refined_right_deg: float | None) -> None:
    """frames.csv as the pipeline writes it; the second model read the right knee at BOTTOM."""
    columns = ["frame", "time_s", "fppa_left_deg", "fppa_right_deg", "fppa_model_left_deg"]
    columns += ["fppa_model_right_deg", "fppa_refined_left_deg", "fppa_refined_right_deg"]
    columns += ["fppa_valid_left", "fppa_valid_right"]
    columns += ["pelvic_obliquity_raw_deg", "pelvic_obliquity_deg"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for i in range(FRAMES):
            right = 1.25 * RIGHT_FPPA_DEG
            refined = refined_right_deg if i == BOTTOM and refined_right_deg is not None else ""
            fppa = [0.0, right, 0.0, RIGHT_FPPA_DEG, "", refined, True, True]
            writer.writerow([i, i / FPS, *fppa, 0.0, -BASELINE_DEG])


def _report() -> dict:
    rep = {
        "index": 1,
        "start_s": 0.0,
        "bottom_s": BOTTOM / FPS,
        "end_s": (FRAMES - 1) / FPS,
        "fppa_left_deg": 0.0,
        "fppa_right_deg": round(1.25 * RIGHT_FPPA_DEG, 4),
        "detail": {"bottom_frame": BOTTOM, "fppa_read_left_frame": BOTTOM},
    }
    side = {"mean_fppa_deg": 0.0, "verdict": "within normal"}
    return {
        "movement": "squat",
        "reps": [rep],
        "thresholds": {"fppa_above_deg": {"value": 12.0}, "fppa_marked_deg": {"value": 16.8}},
        "summary": {
            "left": side,
            "right": {"mean_fppa_deg": rep["fppa_right_deg"], "verdict": "marked"},
            "depth_verdict": "within normal",
        },
    }


def make_analysed_clip(
    root: Path, *, athlete: str = "Alex Morgan", refined_right_deg: float | None = None
) -> tuple[DataDir, int]:
    """A data directory at ``root`` with one finished clip; return it and the clip id.

    ``refined_right_deg``: the second model's FPPA of the right knee at BOTTOM (frames.csv).
    """
    data = DataDir.create(root)
    db = Database(data.db_path)
    video = write_frames(root.parent / "clip.mp4", numbered_frames(FRAMES, WIDTH, HEIGHT), FPS)
    session_id = db.session_id(db.athlete_id(athlete, sex="f"), "Block 1")
    stored = f"{len(list(data.uploads.iterdir())):016x}-clip.mp4"
    shutil.copy(video, data.upload_path(stored))
    clip = {
        "original_name": "clip.mp4",
        "stored_name": stored,
        "size_bytes": video.stat().st_size,
        "sha256": "0" * 64,
        "width": WIDTH,
        "height": HEIGHT,
        "fps": FPS,
        "frames": FRAMES,
        "duration_s": FRAMES / FPS,
    }
    clip_id, job_id = db.add_clip(session_id, "squat", clip)
    assert db.claim_job() is not None
    db.finish_job(job_id, ok=True, exit_code=0, error=None, seconds=1.0, summary=None)
    folder = data.result_dir(clip_id)
    folder.mkdir(parents=True)
    _track().save(folder / "pose.npz")
    _frames_csv(folder / "frames.csv", refined_right_deg)
    (folder / "report.json").write_text(json.dumps(_report()), encoding="utf-8")
    return data, clip_id
