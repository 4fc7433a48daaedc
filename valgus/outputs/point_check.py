"""report.html's "Check the points": the reps' key frames, raw, with the model's leg points.

Why in the offline report: a coach without ``valgus serve`` can still check
MediaPipe's hip, knee and ankle where each rep's FPPA was read, move them, and
download the points as a valgus-corrections file (valgus.corrections.file) for
``valgus analyze --corrections FILE`` or the app's import. The frames are the
raw video (the overlay would hide the joints), shrunk to STILL_MAX_SIDE_PX, and
the points are those of the session's raw track, the ones the app's editor
starts from (valgus.corrections.points.model_points), in the clip's pixels.
The page's script is the app's points.js (shared geometry and gestures) plus
assets/point_check.js; the section is hidden in print.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from valgus.corrections.points import model_points
from valgus.corrections.script import points_script
from valgus.errors import ValgusError
from valgus.outputs.keyframes import jpeg_data_uri, shrink
from valgus.pose.track import PoseTrack
from valgus.session import Session
from valgus.video.frame_picker import pick_frames

STILL_MAX_SIDE_PX = 960  # sharp enough to place a joint to a few clip pixels, ~50 kB a frame
JPEG_QUALITY = 80


@dataclass(frozen=True)
class CheckFrame:
    """A frame where a rep was read: its rep, what was read there, and the model's points."""

    frame: int
    rep: int
    read: tuple[str, ...]  # "bottom", "left knee", "right knee"
    points: dict[str, tuple[float, float]]


def check_frames(session: Session) -> list[CheckFrame]:
    """Each rep's bottom and FPPA-reading frames, once each, where the model has all six points.

    A frame without one of the leg points is left out: there is nothing to start from
    (the app likewise refuses to edit it until a coach has placed them).
    """
    track = session.raw_track
    out: list[CheckFrame] = []
    seen: set[int] = set()
    for rep in session.reps:
        read: dict[int, list[str]] = {}
        read.setdefault(int(rep.bottom_frame), []).append("bottom")
        for side in ("left", "right"):
            frame = getattr(rep, f"fppa_read_{side}_frame")
            if frame is not None:
                read.setdefault(int(frame), []).append(f"{side} knee")
        for frame in sorted(read):
            points = model_points(track.xy_px[frame])
            if frame in seen or any(p is None for p in points.values()):
                continue
            seen.add(frame)
            full = {name: p for name, p in points.items() if p is not None}
            out.append(CheckFrame(frame, rep.index, tuple(read[frame]), full))
    return out


class RawStills:
    """Collects "Check the points" stills from the annotated video's pass, before it draws.

    Pass it as ``on_decoded`` to `write_annotated_video`: the frames it wants
    are then never decoded again. Only a video frame at least as sharp as the
    still needs (its long side ``STILL_MAX_SIDE_PX``, or the clip's own) is
    used; a smaller video leaves the frame to `point_check_data`'s own decode.
    Encoded at once: the caller draws on the frame afterwards.
    """

    def __init__(self, session: Session) -> None:
        index = session.frames.index  # the video pass numbers frames by their row in it
        self._frames = {int(index.get_loc(i.frame)): i.frame for i in check_frames(session)}
        track = session.raw_track
        self._long_side_needed = min(STILL_MAX_SIDE_PX, max(track.width, track.height))
        self.stills: dict[int, str] = {}

    def __call__(self, row: int, image_bgr: np.ndarray) -> None:
        frame = self._frames.get(row)
        if frame is not None and max(image_bgr.shape[:2]) >= self._long_side_needed:
            self.stills[frame] = _still(image_bgr)


def _still(image_bgr: np.ndarray) -> str:
    return jpeg_data_uri(shrink(image_bgr, STILL_MAX_SIDE_PX), quality=JPEG_QUALITY)


def point_check_data(
    session: Session,
    video_path: Path,
    *,
    clip_name: str | None = None,
    stills: Mapping[int, str] | None = None,
) -> dict[str, Any] | None:
    """The section's data: the clip's shape (for the corrections file) and each frame.

    ``stills`` (frame -> JPEG data URI, from `RawStills`) are used as they are;
    the other frames are decoded, frames sharing a keyframe in one run.
    None when no key frame can be shown (no reps, no points, or frames that do
    not decode). A frame that does not decode (a clip replaced or damaged since
    the analysis) is left out rather than failing the report.
    """
    track = session.raw_track
    items = check_frames(session)
    images = dict(stills or {})
    images.update(
        _decoded_stills(video_path, track, [i.frame for i in items if i.frame not in images])
    )
    frames = [
        {
            "frame": item.frame,
            "time_s": round(float(track.times_s[item.frame]), 4),
            "rep": item.rep,
            "read": list(item.read),
            "image": images[item.frame],
            "points": {n: [round(x, 2), round(y, 2)] for n, (x, y) in item.points.items()},
        }
        for item in items
        if item.frame in images
    ]
    if not frames:
        return None
    name = clip_name or Path(session.source.path).name
    clip = {"name": name, "width": track.width, "height": track.height, "frames": track.n_frames}
    return {"clip": clip, "frames": frames}


def _decoded_stills(video_path: Path, track: PoseTrack, frames: list[int]) -> dict[int, str]:
    """Stills of ``frames`` decoded from the clip; none from a clip that is not the track's."""
    if not frames:
        return {}
    frames = sorted(frames)  # pick_frames decodes forward through the clip
    times = [float(track.times_s[f]) for f in frames]
    half_frame = 0.5 / track.fps if track.fps > 0 else 0.02
    out = {}
    try:
        for position, frame in pick_frames(video_path, times, half_frame):
            image = frame.image_bgr
            if image.shape[:2] != (track.height, track.width):
                return {}  # another clip than the one the points were tracked on
            out[frames[position]] = _still(image)
    except ValgusError:
        return {}
    return out


def point_check_section(data: dict[str, Any] | None) -> str:
    """The section's HTML, its data and its script; empty without data."""
    if data is None:
        return ""
    script = resources.files("valgus.outputs").joinpath("assets", "point_check.js")
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    code = (points_script() + script.read_text(encoding="utf-8")).replace("</script", "<\\/script")
    return (
        '<section class="check-points" id="check-points" aria-label="Check the points">'
        "<h2>Check the points</h2>"
        '<p class="note">The model\'s hip, knee and ankle on the frames where each rep was read. '
        "Drag a point (or select it and use the arrow keys, 1 clip pixel a press) to where the "
        "joint centre is; the angles follow. Download the corrections and run "
        "<code>valgus analyze --from-pose FOLDER --corrections FILE</code> with this report's "
        "folder, or import the file in the valgus app.</p>"
        '<div class="pc-bar"><label>Frame <select id="pc-frame"></select></label>'
        '<label>Coach <input id="pc-coach" autocomplete="name" maxlength="100" '
        'placeholder="your name"></label></div>'
        '<div class="pc-editor"><svg id="pc-svg" role="group" aria-label="Frame and points"></svg>'
        '<div class="pc-side"><canvas id="pc-lens" width="200" height="200"></canvas>'
        '<p class="note" id="pc-lens-label"></p><table id="pc-angles"></table>'
        '<p class="pc-buttons"><button type="button" id="pc-reset">Reset to the model</button>'
        '<button type="button" id="pc-download">Download corrections (JSON)</button></p>'
        '<p class="note" id="pc-status" role="status"></p></div></div></section>'
        f'<script type="application/json" id="valgus-points">{payload}</script>'
        f"<script>\n{code}</script>"
    )
