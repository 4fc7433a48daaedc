"""Reference data from the coaches' corrections: a folder a researcher can use as it is.

Why a folder of plain files: the corrections are the first truth valgus has on
real people (valgus.analysis.calibration says so), and a researcher should read
them with anything, without valgus or its database. Per corrected frame the
still picture, a JSON of both sets of points and angles, and one row in
``index.csv``; ``benchmarks/accuracy.py --reference OUT`` reads the folder back.

Only the correction in force on each frame is exported (undone saves stay in
the app's record). With ``pseudonymise`` athletes, sessions, clips and coaches
get numbered labels instead of names and ids, and the uploaded file name is
left out; the pictures still show the person (README.md of the export says so).
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

from valgus.corrections.clip_frames import FrameError, frame_jpeg, load_clip_frames
from valgus.outputs.folders import make_folder
from valgus.web.correction_store import CorrectionStore
from valgus.web.db import Database
from valgus.web.results import load_report
from valgus.web.storage import DataDir

INDEX_COLUMNS = (
    "id",
    "athlete",
    "session",
    "clip",
    "original_name",
    "movement",
    "view",
    "frame",
    "time_s",
    "width",
    "height",
    "coach",
    "corrected_at",
    "image",
    "points",
    "moved",
    "coach_fppa_left_deg",
    "coach_fppa_right_deg",
    "model_fppa_left_deg",
    "model_fppa_right_deg",
    "second_model_fppa_left_deg",
    "second_model_fppa_right_deg",
    "model_raw_fppa_left_deg",
    "model_raw_fppa_right_deg",
    "fppa_valid_left",
    "fppa_valid_right",
    "coach_pelvic_obliquity_deg",
    "model_pelvic_obliquity_deg",
    "model_raw_pelvic_obliquity_deg",
    "coach_asis_obliquity_deg",
)
README = """# valgus reference data

Frames of real clips on which a coach placed the hip, knee and ankle joint centres
(and optionally both ASIS) over the pose model's points, exported by
`valgus reference export`. One row of `index.csv` per frame; `frames/<id>.jpg` is
the frame upright at full resolution, `frames/<id>.json` the points (pixels, x right,
y down) of the coach and of the model, and every angle.

Angles, degrees:
- `coach_fppa_*`: FPPA of the coach's points (180 minus the hip-knee-ankle angle,
  + valgus: knee medial of the hip-ankle line), as a person digitising reads it.
- `model_fppa_*`: what valgus reported on that frame: the second pose model's
  FPPA where it re-read the frame (a rep's reading frame), else MediaPipe's
  filtered points x the calibration gain; `second_model_fppa_*`: the second
  model's alone (blank where it did not read the frame); `model_raw_fppa_*`:
  MediaPipe's points on the frame as the model gave them, no gain.
  `fppa_valid_*`: valgus judged FPPA meaningful there (thigh not foreshortened,
  knee not too bent).
- `*_pelvic_obliquity_deg`: the left-to-right hip line against the image horizontal,
  + when the person's left hip is lower (no standing baseline removed, so coach and
  model compare on the same frame); `coach_asis_obliquity_deg` the same for the ASIS.

Pseudonymised exports replace names and ids with numbered labels; the pictures
still show the person. Analyse with `python benchmarks/accuracy.py --reference DIR`.
"""


def reported_fppa(reported: dict[str, Any], side: str) -> float | None:
    """What valgus reported for ``side`` on a frame: the second model's FPPA where it read it."""
    refined = reported.get(f"fppa_refined_{side}_deg")
    return refined if refined is not None else reported.get(f"fppa_{side}_deg")


def _number(value: Any) -> float | str:
    return value if isinstance(value, (int, float)) and math.isfinite(value) else ""


class _Labels:
    """Numbered labels (``athlete-01``) in order of first appearance, for pseudonymised exports."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, Any], str] = {}

    def __call__(self, kind: str, key: Any) -> str:
        counted = sum(1 for k in self._seen if k[0] == kind)
        return self._seen.setdefault((kind, key), f"{kind}-{counted + 1:02d}")


def _row(correction: dict, clip: dict, report: dict | None, names: dict[str, str]) -> dict:
    angles = correction["angles"]
    coach, model, reported = angles["coach"], angles["model"] or {}, angles["reported"] or {}
    asis = coach.get("pelvic_obliquity_asis") or {}
    return {
        **names,
        "movement": (report or {}).get("movement", clip["movement"]),
        "view": ((report or {}).get("quality") or {}).get("view", ""),
        "frame": correction["frame"],
        "time_s": correction["time_s"],
        "width": clip["width"],
        "height": clip["height"],
        "corrected_at": round(correction["created_at"], 3),
        "image": f"frames/{names['id']}.jpg",
        "points": f"frames/{names['id']}.json",
        "moved": " ".join(angles.get("moved", [])),
        "coach_fppa_left_deg": _number(coach["fppa_left_deg"]),
        "coach_fppa_right_deg": _number(coach["fppa_right_deg"]),
        **{
            f"model_fppa_{side}_deg": _number(reported_fppa(reported, side))
            for side in ("left", "right")
        },
        **{
            f"second_model_fppa_{side}_deg": _number(reported.get(f"fppa_refined_{side}_deg"))
            for side in ("left", "right")
        },
        "model_raw_fppa_left_deg": _number(model.get("fppa_model_left_deg")),
        "model_raw_fppa_right_deg": _number(model.get("fppa_model_right_deg")),
        "fppa_valid_left": reported.get("fppa_valid_left", ""),
        "fppa_valid_right": reported.get("fppa_valid_right", ""),
        "coach_pelvic_obliquity_deg": _number(coach["pelvic_obliquity"]["raw_deg"]),
        "model_pelvic_obliquity_deg": _number(reported.get("pelvic_obliquity_raw_deg")),
        "model_raw_pelvic_obliquity_deg": _number(
            (model.get("pelvic_obliquity") or {}).get("raw_deg")
        ),
        "coach_asis_obliquity_deg": _number(asis.get("raw_deg")),
    }


def _names(correction: dict, clip: dict, labels: _Labels | None) -> dict[str, str]:
    if labels is None:
        return {
            "id": f"clip{clip['id']}_frame{correction['frame']}",
            "athlete": clip["athlete_name"],
            "session": clip["session_label"],
            "clip": str(clip["id"]),
            "original_name": clip["original_name"],
            "coach": correction["coach"],
        }
    clip_label = labels("clip", clip["id"])
    return {
        "id": f"{clip_label}_frame{correction['frame']}",
        "athlete": labels("athlete", clip["athlete_id"]),
        "session": labels("session", clip["session_id"]),
        "clip": clip_label,
        "original_name": "",
        "coach": labels("coach", correction["coach"].casefold()),
    }


def export_reference(data_root: Path, out: Path, *, pseudonymise: bool = False) -> int:
    """Write the reference folder ``out`` from the app's data directory; return the frame count.

    Raises
    ------
    ValueError
        When ``out`` exists and is not empty (an export never mixes with other files),
        or ``data_root`` holds no valgus serve database.
    """
    data = DataDir(Path(data_root).expanduser().resolve())
    if not data.db_path.is_file():
        raise ValueError(f"{data_root} holds no valgus serve data (no {data.db_path.name})")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ValueError(f"{out} is not empty; export into a new folder")
    make_folder(out / "frames")
    db = Database(data.db_path)
    labels = _Labels() if pseudonymise else None
    rows = []
    for correction in CorrectionStore(data.db_path).all_current():
        clip = db.clip(correction["clip_id"])
        pose = data.result_file(correction["clip_id"], "pose.npz")
        if clip is None or pose is None:
            continue
        names = _names(correction, clip, labels)
        report_path = data.result_file(clip["id"], "report.json")
        frames = load_clip_frames(pose, data.result_file(clip["id"], "frames.csv"))
        try:
            image = frame_jpeg(
                data.upload_path(clip["stored_name"]), frames.track, correction["frame"]
            )
        except (FrameError, ValueError, OSError):
            continue  # the upload is gone or unreadable: no picture, no reference row
        (out / "frames" / f"{names['id']}.jpg").write_bytes(image)
        row = _row(correction, clip, load_report(report_path) if report_path else None, names)
        record = {key: row[key] for key in ("id", "athlete", "clip", "frame", "time_s", "coach")}
        record.update(
            points=correction["points"],
            model_points=correction["model"],
            angles=correction["angles"],
        )
        (out / "frames" / f"{names['id']}.json").write_text(json.dumps(record, indent=1) + "\n")
        rows.append(row)
    with (out / "index.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=INDEX_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    (out / "README.md").write_text(README, encoding="utf-8")
    return len(rows)
