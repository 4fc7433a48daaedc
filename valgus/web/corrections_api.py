"""JSON API of the coach's corrections: a frame's picture and points, save, undo, reset.

Same rules as the rest of the API (valgus.web.api): clip, frame and correction
ids are integers looked up in the database or the clip's own track, files are
reached only through valgus.web.storage.DataDir, and a correction id of another
clip is answered as unknown. The model's stored points (pose.npz) are only read.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from valgus.corrections.clip_frames import ClipFrames, FrameError, frame_jpeg, load_clip_frames
from valgus.corrections.points import PointsError
from valgus.corrections.record import build_correction, model_on_frame
from valgus.corrections.reps import corrected_reps, corrected_summary, key_frames
from valgus.web.correction_store import StaleCorrection
from valgus.web.results import load_report

router = APIRouter(prefix="/api", tags=["corrections"])
MAX_COACH_CHARS = 100


class CorrectionIn(BaseModel):
    """The coach's points on one frame, in pixels of the upright full-resolution frame."""

    frame: int = Field(ge=0, description="frame number (frames.csv's frame column)")
    points: dict[str, Any] = Field(
        description="left/right_hip, _knee, _ankle as [x, y]; left_asis and right_asis optional"
    )
    coach: str = Field(min_length=1, max_length=MAX_COACH_CHARS, description="who corrected")
    base_id: int | None = Field(
        default=None,
        description="the correction the coach started from (None: the model's points); "
        "a save whose base is no longer current is refused with 409",
    )


def clip_frames(request: Request, clip_id: int) -> tuple[dict[str, Any], ClipFrames]:
    clip = request.app.state.db.clip(clip_id)
    if clip is None:
        raise HTTPException(404, f"no clip {clip_id}")
    data = request.app.state.data
    pose = data.result_file(clip_id, "pose.npz")
    if pose is None:
        raise HTTPException(404, f"clip {clip_id} has no analysis yet")
    return clip, load_clip_frames(pose, data.result_file(clip_id, "frames.csv"))


def _frame_or_404(frames: ClipFrames, frame: int) -> None:
    try:
        frames.check_frame(frame)
    except FrameError as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/clips/{clip_id}/frames/{frame}")
def frame_detail(request: Request, clip_id: int, frame: int) -> dict[str, Any]:
    """The model's leg points on a frame, their angles, the report's numbers, any correction."""
    _, frames = clip_frames(request, clip_id)
    _frame_or_404(frames, frame)
    current = request.app.state.corrections.current(clip_id, frame)
    track = frames.track
    return {
        "frame": frame,
        "time_s": round(float(track.times_s[frame]), 4),
        "width": track.width,
        "height": track.height,
        "pelvic_baseline_deg": frames.pelvic_baseline_deg,
        "model": model_on_frame(frames, frame),
        "correction": current[0] if current else None,
        "image_url": f"/api/clips/{clip_id}/frames/{frame}/image",
    }


@router.get(
    "/clips/{clip_id}/frames/{frame}/image",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}},
)
def frame_image(request: Request, clip_id: int, frame: int) -> Response:
    """The frame upright at full resolution (JPEG), the picture the points are placed on."""
    clip, frames = clip_frames(request, clip_id)
    _frame_or_404(frames, frame)
    video = request.app.state.data.upload_path(clip["stored_name"])
    try:
        body = frame_jpeg(video, frames.track, frame)
    except FrameError as exc:
        raise HTTPException(422, str(exc)) from exc
    return Response(
        body, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=600"}
    )


@router.get("/clips/{clip_id}/corrections")
def corrections(request: Request, clip_id: int) -> dict[str, Any]:
    """The corrections in force, every save ever made, and the reps and verdicts with them in."""
    clip_frames(request, clip_id)
    store = request.app.state.corrections
    current = store.current(clip_id)
    report_path = request.app.state.data.result_file(clip_id, "report.json")
    report = load_report(report_path) if report_path else None
    reps = corrected_reps(report, current) if report else []
    return {
        "corrections": current,
        "history": store.history(clip_id),
        "key_frames": [
            {"rep": r["index"], **key_frames(r)} for r in (report or {}).get("reps", [])
        ],
        "reps": reps,
        "summary": corrected_summary(report, reps) if report else {},
    }


def checked_correction(
    frames: ClipFrames, *, frame: int, points: dict[str, Any], coach: str
) -> dict[str, Any]:
    """What the store keeps of a correction (corrections.record); HTTPException if refused."""
    _frame_or_404(frames, frame)
    try:
        return build_correction(frames, frame=frame, points=points, coach=coach)
    except PointsError as exc:
        raise HTTPException(422, f"frame {frame}: {exc}") from exc


@router.post("/clips/{clip_id}/corrections", status_code=201)
def save_correction(request: Request, clip_id: int, body: CorrectionIn) -> dict[str, Any]:
    """Save the coach's points on a frame; FPPA and pelvic obliquity are computed here."""
    _, frames = clip_frames(request, clip_id)
    correction = checked_correction(frames, frame=body.frame, points=body.points, coach=body.coach)
    try:
        return request.app.state.corrections.save(clip_id, **correction, base_id=body.base_id)
    except StaleCorrection as exc:
        who = f" by {exc.current['coach']}" if exc.current else " (it was reset)"
        raise HTTPException(
            409, f"frame {body.frame} was changed{who} since you opened it; reload it"
        ) from exc


@router.delete("/clips/{clip_id}/corrections/{correction_id}")
def undo_correction(request: Request, clip_id: int, correction_id: int) -> dict[str, Any]:
    """Undo one save: its frame falls back to the save before it, or to the model's points."""
    if request.app.state.db.clip(clip_id) is None:
        raise HTTPException(404, f"no clip {clip_id}")
    store = request.app.state.corrections
    if store.get(clip_id, correction_id) is None:
        raise HTTPException(404, f"clip {clip_id} has no correction {correction_id}")
    if not store.undo(clip_id, correction_id):
        raise HTTPException(409, f"correction {correction_id} is already undone")
    return {"ok": True}


@router.delete("/clips/{clip_id}/frames/{frame}/corrections")
def reset_frame(request: Request, clip_id: int, frame: int) -> dict[str, Any]:
    """Back to the model's points on a frame: every save on it is undone (and kept on record)."""
    _, frames = clip_frames(request, clip_id)
    _frame_or_404(frames, frame)
    return {"undone": request.app.state.corrections.reset(clip_id, frame)}
