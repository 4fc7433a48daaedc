"""Corrections as files: one clip's as JSON (download and import), everyone's as reference data.

Why a JSON file of points only: a coach without the app, or on another server,
keeps and hands over the points they placed; whoever imports them recomputes
every angle from the points against their own copy of the clip, so a file
cannot carry an angle its points do not give. The file names the clip's frame
size and frame count, and an import into another clip is refused.
"""

from __future__ import annotations

import datetime
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from valgus.corrections.file import (
    FORMAT,
    ClipShape,
    CorrectionsFile,
    FileCorrection,
    check_shape,
)
from valgus.web.corrections_api import checked_correction, clip_frames
from valgus.web.reference import export_reference

router = APIRouter(prefix="/api", tags=["corrections"])


@router.get("/clips/{clip_id}/corrections/file")
def corrections_file(request: Request, clip_id: int) -> Response:
    """The corrections in force on a clip as a JSON file to keep or import elsewhere."""
    clip, frames = clip_frames(request, clip_id)
    track = frames.track
    body = CorrectionsFile(
        format=FORMAT,
        version=1,
        clip=ClipShape(
            name=clip["original_name"],
            width=track.width,
            height=track.height,
            frames=track.n_frames,
        ),
        corrections=[
            FileCorrection(
                frame=c["frame"],
                coach=c["coach"],
                points=c["points"],
                time_s=c["time_s"],
                created_at=c["created_at"],
            )
            for c in request.app.state.corrections.current(clip_id)
        ],
    )
    return Response(
        body.model_dump_json(indent=1),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="clip{clip_id}-corrections.json"'},
    )


@router.post("/clips/{clip_id}/corrections/import", status_code=201)
def import_corrections(request: Request, clip_id: int, body: CorrectionsFile) -> dict[str, Any]:
    """Save a corrections file's points on this clip, each over the frame's current correction.

    Every correction is checked before any is saved: a file is taken whole or not at all.
    """
    _, frames = clip_frames(request, clip_id)
    track = frames.track
    try:
        check_shape(body, frames)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    checked = []
    for item in body.corrections:
        if item.frame >= track.n_frames:
            raise HTTPException(422, f"frame {item.frame} is not in the clip")
        checked.append(
            checked_correction(frames, frame=item.frame, points=item.points, coach=item.coach)
        )
    store = request.app.state.corrections
    saved = []
    for correction in checked:
        current = store.current(clip_id, correction["frame"])
        base = current[0]["id"] if current else None
        saved.append(store.save(clip_id, **correction, base_id=base)["id"])
    return {"imported": len(saved), "ids": saved}


def _zip_folder(folder: Path, zip_path: Path) -> None:
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder.parent).as_posix())


@router.get(
    "/reference/export",
    response_class=FileResponse,
    responses={200: {"content": {"application/zip": {}}}},
)
def reference_export(request: Request, pseudonymise: bool = False) -> FileResponse:
    """Every corrected frame of every clip as reference data, zipped (valgus reference export).

    Built under the data directory's tmp/ and streamed from there (a large export is
    never held in memory); the folder goes once the answer is sent, or at the next start.
    """
    data = request.app.state.data
    name = f"valgus-reference-{datetime.date.today().isoformat()}"
    work = Path(tempfile.mkdtemp(dir=data.tmp))
    try:
        export_reference(data.root, work / name, pseudonymise=pseudonymise)
        _zip_folder(work / name, work / f"{name}.zip")
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return FileResponse(
        work / f"{name}.zip",
        media_type="application/zip",
        filename=f"{name}.zip",
        background=BackgroundTask(shutil.rmtree, work, ignore_errors=True),
    )
