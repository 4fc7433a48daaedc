"""annotated.mp4: the clip with skeleton, angles, rep counter and flag strip drawn on it.

A second pass over the video: it reopens the file (never seeks back, see
design.md section 5) and reads the landmarks from the Session, so the model
never runs twice. It has to follow the analysis: the overlay shows
whole-clip results (rep total, the flag strip) and zero-lag smoothed angles.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from valgus.overlay.chain import default_overlay
from valgus.overlay.frame import FlagTimeline, OverlayFrame
from valgus.overlay.timeline import FlagStripAnnotator
from valgus.session import Session
from valgus.settings import DEFAULT_VIDEO_SIZE
from valgus.video.prefetch import BackgroundConsumer, prefetch
from valgus.video.source import VideoSource
from valgus.video.writer import H264Writer


def flag_timeline(frames: pd.DataFrame) -> FlagTimeline:
    """The whole clip's flag grades for the time strip."""
    return FlagTimeline(
        times_s=frames["time_s"].to_numpy(dtype=float),
        collapse_grade_left=frames["collapse_grade_left"].to_numpy(dtype=np.int8),
        collapse_grade_right=frames["collapse_grade_right"].to_numpy(dtype=np.int8),
        pelvic_grade=frames["pelvic_grade"].to_numpy(dtype=np.int8),
    )


def _rep_numbers(session: Session) -> np.ndarray:
    """(T,) number of reps started at or before each frame."""
    starts = np.array([rep.start_frame for rep in session.reps], dtype=int)
    return np.searchsorted(np.sort(starts), np.arange(len(session.frames)), side="right")


_OVERLAY_COLUMNS = (
    "time_s",
    "stance_side",
    "pelvic_drop_deg",
    "pelvic_grade",
    *(f"fppa_{side}_deg" for side in ("left", "right")),
    *(f"fppa_valid_{side}" for side in ("left", "right")),
    *(f"collapse_grade_{side}" for side in ("left", "right")),
)


class OverlayFrames(Sequence[OverlayFrame]):
    """What to draw on each frame of a Session, made when the frame is drawn.

    A sequence rather than a list: one OverlayFrame a frame, with its three
    small dicts, held for a 10-minute clip at once was ~1 KB a frame.
    """

    def __init__(self, session: Session, *, scale: tuple[float, float] = (1.0, 1.0)) -> None:
        self._columns = {c: session.frames[c].to_numpy() for c in _OVERLAY_COLUMNS}
        # The landmarks are in the clip's pixels; the video may be drawn smaller.
        self._xy = session.track.xy_px * np.asarray(scale)
        self._has_pose = session.track.has_pose
        self._rep_numbers = _rep_numbers(session)
        self._reps_total = len(session.reps)
        self._movement = session.movement

    def __len__(self) -> int:
        return len(self._rep_numbers)

    def __getitem__(self, i: int) -> OverlayFrame:  # type: ignore[override]
        c = self._columns
        stance = c["stance_side"][i]
        return OverlayFrame(
            time_s=float(c["time_s"][i]),
            xy_px=self._xy[i] if self._has_pose[i] else None,
            fppa_deg={s: float(c[f"fppa_{s}_deg"][i]) for s in ("left", "right")},
            fppa_valid={s: bool(c[f"fppa_valid_{s}"][i]) for s in ("left", "right")},
            collapse_grade={s: int(c[f"collapse_grade_{s}"][i]) for s in ("left", "right")},
            pelvic_drop_deg=float(c["pelvic_drop_deg"][i]),
            pelvic_grade=int(c["pelvic_grade"][i]),
            rep_number=int(self._rep_numbers[i]),
            reps_total=self._reps_total,
            movement=self._movement,
            stance_side=stance if isinstance(stance, str) else None,
        )


def _frame_lookup(times_s: np.ndarray) -> Callable[[float], int | None]:
    """Row of the Session for a decoded frame, matched by time (not by counting frames)."""

    def lookup(time_s: float) -> int | None:
        i = int(np.searchsorted(times_s, time_s - 1e-4))
        return i if i < times_s.size and abs(times_s[i] - time_s) < 1e-3 else None

    return lookup


def write_annotated_video(
    session: Session,
    video_path: Path,
    out_path: Path,
    *,
    short_side: int | None = DEFAULT_VIDEO_SIZE,
    on_drawn: Callable[[int, np.ndarray], None] | None = None,
    on_decoded: Callable[[int, np.ndarray], None] | None = None,
) -> int:
    """Draw the overlay on every frame of ``video_path``; return the frames written.

    Frames are decoded straight to the video's size (``short_side`` px on the
    shorter side, never enlarged; None: the clip's size) and the overlay is
    drawn at that size, so a 4K clip never costs 4K drawing and encoding.
    The flag strip goes in a band added below the picture, so it never hides
    the feet. Three stages overlap: decoding (background thread), drawing (this
    thread) and encoding (background thread; libx264 adds its own threads), with
    bounded queues so memory stays flat. ``on_drawn(row, image)`` sees every
    annotated frame (e.g. to keep key frames) before it is encoded,
    ``on_decoded(row, image)`` every frame before anything is drawn on it (the
    raw stills of the report's "Check the points", which then need no decode
    of their own); neither may keep the image, which is drawn on and reused.
    """
    overlay = default_overlay()
    strip = FlagStripAnnotator(flag_timeline(session.frames))
    lookup = _frame_lookup(session.frames["time_s"].to_numpy(dtype=float))
    with VideoSource(video_path, short_side=short_side) as source:
        info = source.info
        width, height = source.size
        drawn = OverlayFrames(session, scale=(width / info.width, height / info.height))
        band = strip.band_height(height, width)
        with H264Writer(out_path, width, height + band, info.fps) as writer:
            encoder = BackgroundConsumer(lambda item: writer.write(*item), name="encode")
            try:
                for frame in prefetch(source, name="decode"):
                    row = lookup(frame.time_s)
                    image = frame.image_bgr
                    if row is not None:
                        if on_decoded is not None:
                            on_decoded(row, image)
                        image = strip.below(overlay.annotate(image, drawn[row]), drawn[row])
                        if on_drawn is not None:
                            on_drawn(row, image)
                    else:
                        filler = np.full((band, width, 3), strip.palette.panel_level, np.uint8)
                        image = np.vstack([image, filler])
                    encoder.submit((image, frame.time_s))
            except BaseException:
                with contextlib.suppress(Exception):
                    encoder.close()
                raise
            encoder.close()
            return writer.frames_written
