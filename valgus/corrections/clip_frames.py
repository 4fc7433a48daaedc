"""One frame of an analysed clip for the coach's editor: its picture, points and numbers.

Why the points come from pose.npz (the track as the model gave it) and the
picture from the uploaded clip: the coach corrects what the model saw, at the
resolution it saw it, and the stored track is never rewritten (a correction is
a row beside it). The frame is found by its presentation time from the track,
decoded from the keyframe before it (valgus.video.source), so a frame of a long
clip does not cost a decode of everything before it.
"""

from __future__ import annotations

import csv
import functools
import math
import statistics
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from valgus.pose.track import PoseTrack
from valgus.video.source import VideoSource

JPEG_QUALITY = 92
# frames.csv columns the editor shows beside the model's points: what the report read there.
REPORTED_COLUMNS = (
    "fppa_left_deg",
    "fppa_right_deg",
    "fppa_model_left_deg",
    "fppa_model_right_deg",
    "fppa_refined_left_deg",
    "fppa_refined_right_deg",
    "fppa_valid_left",
    "fppa_valid_right",
    "pelvic_obliquity_deg",
    "pelvic_obliquity_raw_deg",
)


class FrameError(LookupError):
    """The frame cannot be shown; the message is one line for the coach."""


@dataclass(frozen=True)
class ClipFrames:
    """What the editor reads of one analysed clip: its track and frames.csv."""

    track: PoseTrack
    reported: dict[int, dict[str, str]]  # frames.csv rows by frame number (empty if absent)

    @property
    def pelvic_baseline_deg(self) -> float | None:
        """The clip's standing baseline: raw minus baseline-corrected obliquity in frames.csv.

        The same on every frame of a single-shot clip; the median covers a clip whose
        shots borrowed baselines. None when no frame has both numbers.
        """
        diffs = []
        for row in self.reported.values():
            raw, corrected = (
                _float(row.get("pelvic_obliquity_raw_deg")),
                _float(row.get("pelvic_obliquity_deg")),
            )
            if raw is not None and corrected is not None:
                diffs.append(raw - corrected)
        return round(statistics.median(diffs), 4) if diffs else None

    def check_frame(self, frame: int) -> None:
        """FrameError unless ``frame`` is a frame of the clip."""
        if not 0 <= frame < self.track.n_frames:
            raise FrameError(f"frame {frame} is not in the clip (0-{self.track.n_frames - 1})")

    def reported_at(self, frame: int) -> dict[str, float | bool | None]:
        """The report's per-frame numbers at ``frame`` (None where blank)."""
        row = self.reported.get(frame)
        if row is None:
            return {}
        out: dict[str, float | bool | None] = {}
        for name in REPORTED_COLUMNS:
            text = row.get(name)
            out[name] = text == "True" if name.startswith("fppa_valid") else _float(text)
        return out


def _float(text: str | None) -> float | None:
    try:
        value = float(text) if text not in (None, "") else math.nan
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@functools.lru_cache(maxsize=8)
def _load(pose_path: str, csv_path: str | None, stamp: tuple[int, int]) -> ClipFrames:
    track = PoseTrack.load(pose_path)
    rows: dict[int, dict[str, str]] = {}
    if csv_path is not None:
        with open(csv_path, newline="", encoding="utf-8") as handle:
            rows = {int(row["frame"]): row for row in csv.DictReader(handle)}
    return ClipFrames(track=track, reported=rows)


def load_clip_frames(pose_path: Path, frames_csv: Path | None) -> ClipFrames:
    """The clip's track and frames.csv, cached while the files are unchanged (re-analysis)."""
    stamp = (pose_path.stat().st_mtime_ns, frames_csv.stat().st_mtime_ns if frames_csv else 0)
    return _load(str(pose_path), str(frames_csv) if frames_csv else None, stamp)


def frame_image(video: Path, track: PoseTrack, frame: int) -> np.ndarray:
    """Frame ``frame`` of ``video`` upright at full resolution (BGR), the track's frame.

    Raises
    ------
    FrameError
        When the decoded frame is not the track's (another size, or no frame at its time).
    """
    time_s = float(track.times_s[frame])
    interval = 1.0 / track.fps if track.fps > 0 else 0.04
    with VideoSource(video, start_s=time_s) as source:
        found = next(iter(source), None)
    if found is None or abs(found.time_s - time_s) > interval / 2:
        raise FrameError(f"frame {frame} at {time_s:.3f} s could not be decoded from the clip")
    image = found.image_bgr
    if image.shape[:2] != (track.height, track.width):
        raise FrameError(
            f"the clip's frames are {image.shape[1]}x{image.shape[0]}, "
            f"its landmarks {track.width}x{track.height}"
        )
    return image


def frame_jpeg(video: Path, track: PoseTrack, frame: int) -> bytes:
    """Frame ``frame`` of ``video`` upright at full resolution, as JPEG bytes (`frame_image`)."""
    image = frame_image(video, track, frame)
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:  # pragma: no cover - cv2 encodes any uint8 BGR image
        raise FrameError(f"frame {frame} could not be encoded")
    return np.asarray(data).tobytes()
