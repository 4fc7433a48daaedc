"""Key frames: a still, with the overlay, of the key moment of each rep or hold.

The key moment of a rep is the frame where its most severe measure peaks,
severity being the value relative to its "above normal range" cut (so a
16 deg FPPA against a 12 deg cut outranks a 3 deg pelvic drop against a 4 deg
cut). When nothing reaches its cut, it is the rep's bottom (deepest point),
where a coach checks alignment. Only the stance leg counts in single-leg
tasks: the lifted leg's angle says nothing about valgus.

Capture: `KeyFrameCollector` rides along the annotated-video pass
(``write_annotated_video(..., on_drawn=collector)``), so the stills carry the
same overlay as annotated.mp4 and the video is not decoded again.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable
from dataclasses import dataclass

import cv2
import numpy as np

from valgus.analysis.rep_metrics import RepMetrics
from valgus.session import Session

STILL_MAX_SIDE_PX = 560  # long side of an embedded still: sharp on a phone, small in the page
JPEG_QUALITY = 82


@dataclass(frozen=True)
class KeyMoment:
    """The key moment of one rep (or hold): its worst moment, or its bottom.

    Attributes
    ----------
    rep_index : int
        1-based rep number, as in reps.csv.
    frame : int
        Frame number of the still.
    time_s : float
        Its time in the clip.
    measure : str
        What peaks there: "left knee FPPA", "right knee FPPA" or "pelvic drop";
        "bottom" when nothing reached its cut and the rep bottom is shown.
    value_deg : float
        The value of ``measure`` at that frame (NaN for "bottom").
    """

    rep_index: int
    frame: int
    time_s: float
    measure: str
    value_deg: float


def _candidates(rep: RepMetrics, movement: str) -> list[tuple[str, float, int | None, str]]:
    """(measure, value, frame, threshold name) of each reading that counts for this movement."""
    sides = (rep.stance_side,) if movement != "squat" and rep.stance_side else ("left", "right")
    out = [
        (
            f"{side} knee FPPA",
            getattr(rep, f"fppa_read_{side}_deg"),
            getattr(rep, f"fppa_read_{side}_frame"),
            "fppa_above_deg",
        )
        for side in sides
    ]
    out.append(
        (
            "pelvic drop",
            rep.pelvic_drop_deg,  # none against the image horizontal
            rep.peak_pelvic_drop_frame,
            "pelvic_drop_above_deg",
        )
    )
    return out


def key_moments(session: Session) -> list[KeyMoment]:
    """The key moment of every rep of ``session``, in rep order."""
    times = session.frames["time_s"]
    moments = []
    for rep in session.reps:
        best: tuple[float, str, float, int] | None = None
        for measure, value, frame, cut_name in _candidates(rep, session.movement):
            if frame is None or not math.isfinite(value):
                continue
            cut = getattr(session.thresholds, cut_name).value
            severity = value / cut if cut > 0 else value
            if best is None or severity > best[0]:
                best = (severity, measure, float(value), int(frame))
        if best is None or best[0] < 1.0:
            # Nothing above normal: the bottom is the moment worth seeing.
            best = (0.0, "bottom", float("nan"), rep.bottom_frame)
        _, measure, value, frame = best
        moments.append(KeyMoment(rep.index, frame, float(times.loc[frame]), measure, value))
    return moments


def shrink(image_bgr: np.ndarray, max_side_px: int) -> np.ndarray:
    h, w = image_bgr.shape[:2]
    scale = max_side_px / max(h, w)
    if scale >= 1.0:
        return image_bgr
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(image_bgr, size, interpolation=cv2.INTER_AREA)


class KeyFrameCollector:
    """Keeps downscaled JPEG stills of the drawn frames it is asked for.

    Pass it as ``on_drawn`` to `write_annotated_video`: it is called with
    ``(row, annotated_image_bgr)`` for every drawn frame, and ``stills`` then
    maps each wanted row to its still as a JPEG data URI. Encoded at once
    rather than kept as pixels: a 10-minute set has ~200 reps, whose raw
    stills took 100 MB, the largest allocation of the whole run.
    """

    def __init__(self, rows: Iterable[int], *, max_side_px: int = STILL_MAX_SIDE_PX) -> None:
        if max_side_px < 16:
            raise ValueError(f"max_side_px must be >= 16, got {max_side_px}")
        self.wanted = frozenset(int(r) for r in rows)
        self.max_side_px = max_side_px
        self.stills: dict[int, str] = {}

    def __call__(self, row: int, image_bgr: np.ndarray) -> None:
        if row in self.wanted:
            self.stills[row] = jpeg_data_uri(shrink(image_bgr, self.max_side_px))


def jpeg_data_uri(image_bgr: np.ndarray, *, quality: int = JPEG_QUALITY) -> str:
    """A ``data:image/jpeg;base64,...`` URI, so the report needs no image files."""
    ok, buffer = cv2.imencode(".jpg", image_bgr, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise ValueError("could not encode the still as JPEG")
    return "data:image/jpeg;base64," + base64.b64encode(buffer.tobytes()).decode("ascii")
