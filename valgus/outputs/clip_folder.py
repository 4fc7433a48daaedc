"""Write every output of one clip into a folder."""

from __future__ import annotations

from pathlib import Path

from valgus.outputs.annotated_video import write_annotated_video
from valgus.outputs.keyframes import KeyFrameCollector, key_moments
from valgus.outputs.opensim import write_opensim
from valgus.outputs.plots import write_plots
from valgus.outputs.point_check import RawStills, point_check_data
from valgus.outputs.report_html import write_report_html
from valgus.outputs.report_json import write_report_json
from valgus.outputs.tables import write_tables
from valgus.session import Session
from valgus.settings import DEFAULT_VIDEO_SIZE

VIDEO_NAME = "annotated.mp4"


def write_outputs(
    session: Session,
    folder: Path,
    video_path: Path | None,
    *,
    draw_video: bool = True,
    clip_name: str | None = None,
    video_size: int | None = DEFAULT_VIDEO_SIZE,
) -> None:
    """pose.npz, report.json, CSVs, OpenSim files, plots, annotated.mp4 and report.html.

    ``video_path`` is the clip's video (None or a missing file: there is none). The
    annotated video and the report's key frames need it and ``draw_video``;
    without them the report says no video was written. The report's "Check the
    points" needs only ``video_path``: a coach can correct points without the
    annotated video. ``clip_name`` titles the report when the file's own name is
    not the one its owner knows (web uploads). ``video_size`` is the annotated
    video's shorter side (None: the clip's own size).
    """
    session.raw_track.save(folder / "pose.npz")
    write_report_json(session, folder / "report.json")
    write_tables(session, folder)
    write_opensim(session, folder)
    write_plots(session, folder)
    moments = key_moments(session)
    stills: dict[int, str] = {}
    video_name = point_check = None
    if video_path is not None and video_path.is_file():
        raw_stills: dict[int, str] = {}
        if draw_video:
            frames = session.frames.index
            collector = KeyFrameCollector(frames.get_loc(m.frame) for m in moments)
            raw = RawStills(session)
            write_annotated_video(
                session,
                video_path,
                folder / VIDEO_NAME,
                short_side=video_size,
                on_drawn=collector,
                on_decoded=raw,
            )
            video_name = VIDEO_NAME
            stills = {int(frames[row]): uri for row, uri in collector.stills.items()}
            raw_stills = raw.stills
        point_check = point_check_data(session, video_path, clip_name=clip_name, stills=raw_stills)
    write_report_html(
        session,
        folder / "report.html",
        video_name=video_name,
        moments=moments,
        stills=stills,
        clip_name=clip_name,
        point_check=point_check,
    )
