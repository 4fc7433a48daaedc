"""Pages and files of ``valgus serve``: the three HTML pages and each clip's outputs.

The pages are static HTML whose small scripts read the JSON API (valgus.web.api);
text from users reaches the page only through ``textContent``, never as markup.
Files are served by clip id and a fixed list of names (storage.RESULT_FILES), each
resolved inside the data directory, so no URL can name another file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, Response

from valgus.corrections.report_section import with_corrections
from valgus.corrections.script import points_script
from valgus.movement import titles
from valgus.web.results import load_report
from valgus.web.storage import RESULT_FILES

router = APIRouter()
STATIC_DIR = Path(__file__).resolve().parent / "static"
NO_CACHE = {"Cache-Control": "no-cache"}
# report.html (valgus.outputs.report_html) is our own generated page; it may carry its
# script and style inline, so it gets a policy of its own, still same-origin only.
REPORT_POLICY = (
    "default-src 'self' 'unsafe-inline' data: blob:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'self'"
)
VIDEO_TYPES = {
    ".mp4": "video/mp4",
    ".mov": "video/quicktime",
    ".mkv": "video/x-matroska",
    ".webm": "video/webm",
    ".avi": "video/x-msvideo",
    ".ts": "video/mp2t",
}


def _page(name: str) -> FileResponse:
    return FileResponse(STATIC_DIR / name, media_type="text/html", headers=NO_CACHE)


@router.get("/", include_in_schema=False)
def upload_page() -> FileResponse:
    return _page("index.html")


@router.get("/static/movements.js", include_in_schema=False)
def movements_script() -> Response:
    """The movement names and titles of valgus.movement, so the pages never list their own."""
    body = f'"use strict";\nconst MOVEMENTS = {json.dumps(titles())};\n'
    return Response(body, media_type="text/javascript", headers=NO_CACHE)


@router.get("/static/points.js", include_in_schema=False)
def points_geometry_script() -> Response:
    """The editor's geometry and gestures, one file with the offline report's (points.js)."""
    return Response(points_script(), media_type="text/javascript", headers=NO_CACHE)


@router.get("/clips/{clip_id}", include_in_schema=False)
def review_page(clip_id: int) -> FileResponse:
    return _page("review.html")


@router.get("/compare", include_in_schema=False)
def compare_page() -> FileResponse:
    return _page("compare.html")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-._")[:40] or "clip"


@router.get("/files/clips/{clip_id}/{name}")
def clip_file(request: Request, clip_id: int, name: str, download: bool = False) -> FileResponse:
    """A clip's upload (``original``) or one of its outputs; ``?download=1`` to save it.

    Range requests are answered (FileResponse), so the video seeks without loading.
    """
    db, data = request.app.state.db, request.app.state.data
    clip = db.clip(clip_id)
    if clip is None:
        raise HTTPException(404, f"no clip {clip_id}")
    headers = dict(NO_CACHE)
    if name == "original":
        path = data.upload_path(clip["stored_name"])
        media_type = VIDEO_TYPES.get(path.suffix, "application/octet-stream")
        save_as = f"{Path(clip['original_name']).stem}{path.suffix}"
    else:
        path = data.result_file(clip_id, name)
        if path is None:
            raise HTTPException(404, f"clip {clip_id} has no {name}")
        media_type = RESULT_FILES[name]
        save_as = f"{clip['athlete_name']}_{clip['session_label']}_{clip_id}_{name}"
        if name == "report.html":
            headers["Content-Security-Policy"] = REPORT_POLICY
    if not path.is_file():
        raise HTTPException(404, f"clip {clip_id} has no {name}")
    current = request.app.state.corrections.current(clip_id) if name == "report.html" else []
    report = load_report(data.result_dir(clip_id) / "report.json") if current else None
    if report is not None:  # the coaches' corrections, beside the model's readings
        html = with_corrections(path.read_text(encoding="utf-8"), report, current)
        if download:
            headers["Content-Disposition"] = (
                f'attachment; filename="{_slug(Path(save_as).stem)}.html"'
            )
        return Response(html, media_type=media_type, headers=headers)
    return FileResponse(
        path,
        media_type=media_type,
        headers=headers,
        filename=_slug(Path(save_as).stem) + Path(save_as).suffix if download else None,
        content_disposition_type="attachment",
    )
