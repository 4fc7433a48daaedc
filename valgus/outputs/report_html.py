"""report.html: the coach's one-page report, opened from disk with no server.

Everything the page needs is inside the file (styles, script, the key frame
stills as data URIs, the chart data as JSON) except the annotated video,
which is referenced relatively so the folder can be moved or zipped whole.
The page layout lives in ``assets/`` (template, CSS, JS); the sections come
from `valgus.outputs.report_sections`, the words from `report_text`.
"""

from __future__ import annotations

import json
import math
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from valgus import __version__
from valgus.movement import Movement
from valgus.outputs import report_sections as sections
from valgus.outputs.findings import Findings
from valgus.outputs.keyframes import KeyMoment
from valgus.outputs.point_check import point_check_section
from valgus.outputs.recommendations import recommend
from valgus.outputs.report_text import lifted_sides
from valgus.session import Session

MAX_CHART_POINTS = 3000  # longer clips are thinned for the chart (the CSVs keep every frame)
_ASSETS = ("report.html", "report.css", "report.js")


def _asset(name: str) -> str:
    return resources.files("valgus.outputs").joinpath("assets", name).read_text(encoding="utf-8")


def _series(values: np.ndarray, digits: int) -> list[float | None]:
    return [round(float(v), digits) if math.isfinite(v) else None for v in values]


def chart_data(session: Session) -> dict[str, Any]:
    """What report.js needs to draw the timeline: series, bands, reps and flags.

    FPPA is given only where it is valid (the thigh long enough in the image),
    as in the flags; the lifted leg of a single-leg task is left out.
    """
    f = session.frames
    step = max(1, math.ceil(len(f) / MAX_CHART_POINTS))
    part = f.iloc[::step]
    times = f["time_s"].to_numpy(dtype=float)
    period = float(np.median(np.diff(times))) if times.size > 1 else 0.0
    lifted = lifted_sides(session)
    fppa = {}
    for side in ("left", "right"):
        valid = part[f"fppa_valid_{side}"].fillna(False).to_numpy(dtype=bool)
        values = np.where(valid, part[f"fppa_{side}_deg"].to_numpy(dtype=float), np.nan)
        fppa[side] = None if side in lifted else _series(values, 2)
    th = session.thresholds
    return {
        "duration": float(times[-1] + period) if times.size else 0.0,
        "period": period,
        "t": _series(part["time_s"].to_numpy(dtype=float), 3),
        "fppa_left": fppa["left"],
        "fppa_right": fppa["right"],
        "drop": _series(part["pelvic_drop_deg"].to_numpy(dtype=float), 2),
        "fppa_cuts": [th.fppa_above_deg.value, th.fppa_marked_deg.value],
        "drop_cuts": [th.pelvic_drop_above_deg.value, th.pelvic_drop_marked_deg.value],
        "bilateral": session.movement == "squat",
        "noun": Movement(session.movement).rep_noun.capitalize(),
        "reps": [
            {"i": r.index, "start": r.start_s, "end": r.end_s + period, "bottom": r.bottom_s}
            for r in session.reps
        ],
        "flags": [
            {
                "kind": e.kind,
                "grade": e.grade,
                "verdict": e.verdict,
                "start": e.start_s,
                "end": e.start_s + e.duration_s,
                "peak": float(f["time_s"].loc[e.peak_frame]),
                "peak_deg": round(e.peak_deg, 2),
            }
            for e in session.flags.events
        ],
    }


def _json_for_script(data: dict[str, Any]) -> str:
    """JSON that cannot close its <script> element early."""
    return json.dumps(data, separators=(",", ":")).replace("</", "<\\/")


def render_report(
    session: Session,
    *,
    folder: Path,
    video_name: str | None,
    moments: list[KeyMoment],
    stills: dict[int, str],
    clip_name: str | None = None,
    point_check: dict[str, Any] | None = None,
) -> str:
    """The complete report page as one HTML string.

    Parameters
    ----------
    session : Session
    folder : Path
        Where the report will live: data-file links are listed only for files
        that exist there.
    video_name : str or None
        File name of the annotated video beside the report; None when there is none.
    moments : list of KeyMoment
        The worst moment of each rep (`keyframes.key_moments`).
    stills : dict
        Frame number -> image data URI of the key frames that could be captured.
    clip_name : str or None
        The clip's name as its owner knows it (the web app keeps uploads under
        generated names); None shows the analysed file's own name.
    point_check : dict or None
        The key frames and model points of "Check the points"
        (`point_check.point_check_data`); None leaves the section out.
    """
    plan = recommend(Findings.from_session(session))
    clip_name = clip_name or Path(session.source.path).name
    body = "".join(
        (
            sections.header(session, clip_name=clip_name),
            "<main>",
            sections.verdicts(session),
            sections.media(
                video_name=video_name,
                lifted=lifted_sides(session),
                pelvis=bool(session.frames["pelvic_drop_deg"].notna().any()),
            ),
            sections.key_frames(moments, stills, session.movement),
            sections.rep_table(session),
            sections.training(plan),
            sections.method(session),
            point_check_section(point_check),
            sections.files(folder),
            "</main>",
            sections.footer(version=__version__),
        )
    )
    title = f"{Movement(session.movement).title} screen: {clip_name}"
    page = _asset("report.html")
    for key, value in (
        ("{{css}}", _asset("report.css")),
        ("{{script}}", _asset("report.js")),
        ("{{data}}", _json_for_script(chart_data(session))),
        ("{{title}}", title.replace("&", "&amp;").replace("<", "&lt;")),
        ("{{body}}", body),
    ):
        page = page.replace(key, value)
    return page


def write_report_html(
    session: Session,
    path: Path,
    *,
    video_name: str | None,
    moments: list[KeyMoment],
    stills: dict[int, str],
    clip_name: str | None = None,
    point_check: dict[str, Any] | None = None,
) -> None:
    """Write report.html for ``session`` at ``path`` (see `render_report`)."""
    html = render_report(
        session,
        folder=path.parent,
        video_name=video_name,
        moments=moments,
        stills=stills,
        clip_name=clip_name,
        point_check=point_check,
    )
    path.write_text(html, encoding="utf-8")
