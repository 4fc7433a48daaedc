"""Write every output of one clip into a folder."""

from __future__ import annotations

from pathlib import Path

from valgus.outputs.annotated_video import write_annotated_video
from valgus.outputs.report_json import write_report_json
from valgus.outputs.tables import write_tables
from valgus.session import Session


def write_outputs(session: Session, folder: Path, video_path: Path | None) -> None:
    """pose.npz, report.json, frames.csv, reps.csv and (given the video) annotated.mp4."""
    session.raw_track.save(folder / "pose.npz")
    write_report_json(session, folder / "report.json")
    write_tables(session, folder)
    if video_path is not None and video_path.exists():
        write_annotated_video(session, video_path, folder / "annotated.mp4")
