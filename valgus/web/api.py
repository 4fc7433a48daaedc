"""JSON API of ``valgus serve``: uploads, clips and their jobs, notes, session comparison.

Every handler that touches files goes through valgus.web.storage.DataDir, and
clip ids are integers looked up in the database, so no request names a path.
"""

from __future__ import annotations

import datetime
import os
import shutil
import time
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from valgus.movement import MOVEMENT_CHOICES
from valgus.web.jobs import progress
from valgus.web.results import compare_rows, load_report, pair_by_movement, timeline
from valgus.web.storage import RESULT_FILES
from valgus.web.uploads import (
    ReceivedForm,
    UploadError,
    VideoProbe,
    check_video,
    receive_form,
    stored_name,
)

router = APIRouter(prefix="/api")
MAX_LABEL_CHARS = 100
MAX_NOTE_CHARS = 5000
# What a page may see of a clip row: not the stored file name, not the content hash.
PUBLIC_CLIP_KEYS = (
    "id",
    "movement",
    "original_name",
    "size_bytes",
    "duration_s",
    "frames",
    "width",
    "height",
    "fps",
    "created_at",
    "summary",
)


class NoteIn(BaseModel):
    """A coach's note on a clip."""

    body: str = Field(min_length=1, max_length=MAX_NOTE_CHARS)


def _clip_or_404(request: Request, clip_id: int) -> dict[str, Any]:
    clip = request.app.state.db.clip(clip_id)
    if clip is None:
        raise HTTPException(404, f"no clip {clip_id}")
    return clip


def public_clip(clip: dict[str, Any], *, seconds_per_frame: float) -> dict[str, Any]:
    """A clip as the pages see it (no stored file names or hashes)."""
    job = progress(clip, seconds_per_frame=seconds_per_frame, now=time.time())
    job.update(id=clip["job_id"], attempts=clip["attempts"], error=clip["error"])
    out = {key: clip[key] for key in PUBLIC_CLIP_KEYS}
    out["athlete"] = {"id": clip["athlete_id"], "name": clip["athlete_name"]}
    out["session"] = {"id": clip["session_id"], "label": clip["session_label"]}
    out["job"] = job
    out["review_url"] = f"/clips/{clip['id']}"
    return out


@router.get("/health")
def health() -> dict[str, Any]:
    return {"ok": True}


@router.get("/config")
def config(request: Request) -> dict[str, Any]:
    cfg = request.app.state.config
    return {
        "max_upload_bytes": cfg.max_upload_bytes,
        "movements": list(MOVEMENT_CHOICES),
        "model": cfg.model,
        "today": datetime.date.today().isoformat(),
    }


@router.get("/athletes")
def athletes(request: Request) -> dict[str, Any]:
    return {"athletes": request.app.state.db.athletes()}


@router.get("/clips")
def clips(
    request: Request, athlete_id: int | None = None, session_id: int | None = None, limit: int = 100
) -> dict[str, Any]:
    db = request.app.state.db
    rows = db.clips(athlete_id=athlete_id, session_id=session_id, limit=max(1, min(limit, 500)))
    spf = db.seconds_per_frame()
    return {"clips": [public_clip(c, seconds_per_frame=spf) for c in rows]}


@router.get("/clips/{clip_id}")
def clip_detail(request: Request, clip_id: int) -> dict[str, Any]:
    """A clip with its job, its report (once analysed) and the files that can be fetched."""
    db, data = request.app.state.db, request.app.state.data
    clip = _clip_or_404(request, clip_id)
    out = public_clip(clip, seconds_per_frame=db.seconds_per_frame())
    files = {name: f"/files/clips/{clip_id}/{name}" for name in RESULT_FILES}
    out["files"] = {n: url for n, url in files.items() if data.result_file(clip_id, n)}
    out["files"]["original"] = f"/files/clips/{clip_id}/original"
    report_path = data.result_file(clip_id, "report.json")
    out["report"] = load_report(report_path) if report_path else None
    return out


@router.get("/clips/{clip_id}/timeline")
def clip_timeline(request: Request, clip_id: int) -> dict[str, Any]:
    """Per-frame FPPA and pelvic drop for the review page's chart."""
    _clip_or_404(request, clip_id)
    path = request.app.state.data.result_file(clip_id, "frames.csv")
    if path is None:
        raise HTTPException(404, f"clip {clip_id} has no analysis yet")
    return timeline(path)


@router.post("/clips/{clip_id}/retry")
def retry(request: Request, clip_id: int) -> dict[str, Any]:
    """Queue a failed clip again (e.g. after fixing the model or freeing disk space)."""
    clip = _clip_or_404(request, clip_id)
    if not request.app.state.db.retry_job(clip["job_id"]):
        raise HTTPException(409, f"clip {clip_id} is {clip['state']}, not failed")
    request.app.state.runner.wake()
    return {"ok": True}


@router.delete("/clips/{clip_id}")
def delete_clip(request: Request, clip_id: int) -> dict[str, Any]:
    """Delete a clip: its upload, results, notes and corrections (not while it is analysed)."""
    state = request.app.state
    try:
        clip = state.db.delete_clip(clip_id)
    except ValueError as exc:
        raise HTTPException(409, str(exc)) from exc
    if clip is None:
        raise HTTPException(404, f"no clip {clip_id}")
    state.data.upload_path(clip["stored_name"]).unlink(missing_ok=True)
    shutil.rmtree(state.data.result_dir(clip_id), ignore_errors=True)
    return {"ok": True}


@router.get("/clips/{clip_id}/notes")
def notes(request: Request, clip_id: int) -> dict[str, Any]:
    _clip_or_404(request, clip_id)
    return {"notes": request.app.state.db.notes(clip_id)}


@router.post("/clips/{clip_id}/notes", status_code=201)
def add_note(request: Request, clip_id: int, note: NoteIn) -> dict[str, Any]:
    _clip_or_404(request, clip_id)
    body = note.body.strip()
    if not body:
        raise HTTPException(400, "the note is empty")
    return request.app.state.db.add_note(clip_id, body)


@router.delete("/notes/{note_id}")
def delete_note(request: Request, note_id: int) -> dict[str, Any]:
    if not request.app.state.db.delete_note(note_id):
        raise HTTPException(404, f"no note {note_id}")
    return {"ok": True}


@router.get("/compare")
def compare(request: Request, a: int, b: int) -> dict[str, Any]:
    """Two sessions of one athlete side by side: per movement, the newest clip of each."""
    db, data = request.app.state.db, request.app.state.data
    first, second = db.session(a), db.session(b)
    if first is None or second is None:
        raise HTTPException(404, f"no session {a if first is None else b}")
    if first["athlete_id"] != second["athlete_id"]:
        raise HTTPException(400, "compare two sessions of the same athlete")
    spf = db.seconds_per_frame()
    pairs = []
    clips_a, clips_b = db.clips(session_id=a), db.clips(session_id=b)
    for movement, clip_a, clip_b in pair_by_movement(clips_a, clips_b):
        reports = [
            load_report(data.result_dir(c["id"]) / "report.json") if c else None
            for c in (clip_a, clip_b)
        ]
        pairs.append(
            {
                "movement": movement,
                "a": public_clip(clip_a, seconds_per_frame=spf) if clip_a else None,
                "b": public_clip(clip_b, seconds_per_frame=spf) if clip_b else None,
                "rows": compare_rows(*reports) if all(reports) else [],
            }
        )
    return {
        "athlete": {"id": first["athlete_id"], "name": first["athlete_name"]},
        "a": {"id": a, "label": first["label"], "clips": len(clips_a)},
        "b": {"id": b, "label": second["label"], "clips": len(clips_b)},
        "pairs": pairs,
    }


def _label(fields: dict[str, str], name: str, *, default: str | None = None) -> str:
    value = " ".join(fields.get(name, "").split()) or default
    if not value:
        raise UploadError(400, f"the upload needs the {name} field")
    if len(value) > MAX_LABEL_CHARS or not value.isprintable():
        raise UploadError(400, f"{name} must be printable and at most {MAX_LABEL_CHARS} characters")
    return value


def _upload_fields(fields: dict[str, str]) -> dict[str, Any]:
    movement = fields.get("movement") or "auto"
    if movement not in MOVEMENT_CHOICES:
        raise UploadError(400, f"movement must be one of {', '.join(MOVEMENT_CHOICES)}")
    sex = fields.get("sex") or None
    if sex not in (None, "f", "m"):
        raise UploadError(400, "sex must be f, m or empty")
    return {
        "athlete": _label(fields, "athlete"),
        "session": _label(fields, "session", default=datetime.date.today().isoformat()),
        "movement": movement,
        "sex": sex,
    }


def _check_all(form: ReceivedForm) -> list[VideoProbe]:
    return [check_video(f.tmp_path, label=f.original_name) for f in form.files]


@router.post("/clips", status_code=201)
async def upload(request: Request) -> dict[str, Any]:
    """Upload one or more clips (multipart field ``file``) for an athlete's session.

    Form fields: ``athlete`` (name; created if new), ``session`` (label, default
    today's date), ``movement`` (default auto), ``sex`` (f, m or empty). All files
    of a request are accepted or none is.
    """
    state = request.app.state
    form = ReceivedForm()
    try:
        form = await receive_form(
            dict(request.headers),
            request.stream(),
            tmp_dir=state.data.tmp,
            max_bytes=state.config.max_upload_bytes,
        )
        fields = _upload_fields(form.fields)
        probes = await run_in_threadpool(_check_all, form)
    except UploadError as exc:
        form.discard()
        raise HTTPException(exc.status, exc.message) from exc
    except BaseException:
        form.discard()
        raise
    ids = await run_in_threadpool(_store, state, form, probes, fields)
    state.runner.wake()
    spf = state.db.seconds_per_frame()
    return {"clips": [public_clip(state.db.clip(i), seconds_per_frame=spf) for i in ids]}


def _store(state: Any, form: ReceivedForm, probes: list[VideoProbe], fields: dict) -> list[int]:
    """Move checked files under generated names and record them with their jobs."""
    db, data = state.db, state.data
    athlete_id = db.athlete_id(fields["athlete"], sex=fields["sex"])
    session_id = db.session_id(athlete_id, fields["session"])
    ids, stored = [], []
    try:
        for item, probe in zip(form.files, probes, strict=True):
            name = stored_name(item.original_name, probe.extension)
            os.replace(item.tmp_path, data.upload_path(name))
            stored.append(data.upload_path(name))
            clip = {
                "original_name": item.original_name,
                "stored_name": name,
                "size_bytes": item.size_bytes,
                "sha256": item.sha256,
                "width": probe.width,
                "height": probe.height,
                "fps": probe.fps,
                "frames": probe.frames,
                "duration_s": probe.duration_s,
            }
            ids.append(db.add_clip(session_id, fields["movement"], clip)[0])
    except BaseException:  # e.g. disk full: keep what is recorded, drop the rest
        form.discard()
        for path in stored[len(ids) :]:
            path.unlink(missing_ok=True)
        raise
    return ids
