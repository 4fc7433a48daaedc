"""Video source: upright BGR frames with container timestamps.

Why PyAV and not cv2.VideoCapture: we need the container's presentation
timestamps (variable frame rate, streams that start at a non-zero time) and the
display-matrix rotation of phone clips, and we need to survive corrupt packets
mid-file instead of stopping silently (design.md sections 2 and 5).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from valgus.errors import CorruptVideoError, InputNotFoundError, NotAVideoError

# A clip where more than this share of packets fail to decode is refused, not guessed at.
MAX_CORRUPT_SHARE = 0.2
# A jump between frame times of more than this many nominal intervals is missing video.
GAP_FRAMES = 2.5


@dataclass(frozen=True)
class VideoInfo:
    """What the container says about a clip, before decoding all of it."""

    path: str
    width: int  # of the upright frame (rotation applied)
    height: int
    fps: float
    frames_declared: int  # 0 when the container does not say
    duration_s: float  # 0.0 when the container does not say
    rotation_deg: int  # clockwise rotation applied to make frames upright
    codec: str


@dataclass(frozen=True)
class Frame:
    """One decoded, upright frame."""

    index: int
    time_s: float  # from the first decoded frame
    image_bgr: np.ndarray


def _check_path(path: Path) -> None:
    if not path.exists():
        raise InputNotFoundError(f"{path}: no such file")
    if path.is_dir():
        raise InputNotFoundError(f"{path}: is a directory, not a video file")
    if path.stat().st_size == 0:
        raise NotAVideoError(f"{path}: file is empty (0 bytes)")


def _open_container(path: Path) -> av.container.InputContainer:
    try:
        return av.open(str(path), mode="r")
    except av.error.FFmpegError as exc:
        raise NotAVideoError(f"{path}: not a video file we can read ({exc.strerror})") from exc


def _video_stream(container: av.container.InputContainer, path: Path) -> av.VideoStream:
    if not container.streams.video:
        if container.streams.audio:
            raise NotAVideoError(f"{path}: has only audio, no video stream")
        raise NotAVideoError(f"{path}: not a video file (no video stream found)")
    stream = container.streams.video[0]
    if stream.codec_context.width <= 0 or stream.codec_context.height <= 0:
        raise NotAVideoError(f"{path}: not a video file (its stream has no picture size)")
    return stream


def _clockwise_rotation(display_rotation_ccw: float) -> int:
    """Clockwise quarter turns (in degrees) that make a frame upright.

    PyAV reports the display matrix rotation counter-clockwise; phone clips
    filmed upright in portrait typically say -90 (show rotated 90 clockwise).
    """
    return round(-display_rotation_ccw / 90.0) % 4 * 90


def upright(image: np.ndarray, rotation_deg: int) -> np.ndarray:
    """Rotate ``image`` clockwise by ``rotation_deg`` (a multiple of 90)."""
    if rotation_deg == 0:
        return image
    return np.ascontiguousarray(np.rot90(image, k=-(rotation_deg // 90)))


class VideoSource:
    """Decode a video file into upright BGR frames with timestamps.

    Iterate it once; to read a file twice, make a new source (seeking back to
    frame 0 lands on the wrong frame in streams that start at a non-zero
    timestamp, design.md section 5).

    Raises
    ------
    InputNotFoundError, NotAVideoError
        On construction, for a missing path, a directory, an empty file,
        something that is not a video, or audio only.
    CorruptVideoError
        While iterating, when too many packets fail to decode.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        _check_path(self.path)
        self._container = _open_container(self.path)
        try:
            self._stream = _video_stream(self._container, self.path)
            self._stream.thread_type = "AUTO"
            self.info = self._read_info()
        except BaseException:
            self._container.close()
            raise
        self.corrupt_packets = 0
        self.corrupt_frames = 0
        self.frames_decoded = 0
        self.last_time_s = 0.0
        self.missing_s = 0.0

    def _read_info(self) -> VideoInfo:
        stream = self._stream
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        fps = float(rate) if rate else 0.0
        duration_s = 0.0
        if stream.duration is not None and stream.time_base is not None:
            duration_s = float(stream.duration * stream.time_base)
        elif self._container.duration:
            duration_s = self._container.duration / av.time_base
        rotation = self._peek_rotation()
        width, height = stream.codec_context.width, stream.codec_context.height
        if rotation in (90, 270):
            width, height = height, width
        return VideoInfo(
            path=str(self.path),
            width=width,
            height=height,
            fps=fps if 0 < fps < 1000 else 30.0,
            frames_declared=int(stream.frames or 0),
            duration_s=duration_s,
            rotation_deg=rotation,
            codec=stream.codec_context.name,
        )

    def _peek_rotation(self) -> int:
        """Rotation from the display matrix of the first frame, then rewind by reopening."""
        probe = _open_container(self.path)
        try:
            for frame in probe.decode(video=0):
                return _clockwise_rotation(frame.rotation)
        except av.error.FFmpegError:
            return 0
        finally:
            probe.close()
        return 0

    def __iter__(self) -> Iterator[Frame]:
        first_time: float | None = None
        index = 0
        packets = 0
        for packet in self._container.demux(self._stream):
            packets += 1
            try:
                decoded = packet.decode()
            except av.error.FFmpegError:
                self.corrupt_packets += 1
                self._check_corruption(packets)
                continue
            for frame in decoded:
                self.corrupt_frames += bool(frame.is_corrupt)
                time_s = frame.time if frame.time is not None else index / self.info.fps
                first_time = time_s if first_time is None else first_time
                image = upright(frame.to_ndarray(format="bgr24"), self.info.rotation_deg)
                now = max(0.0, time_s - first_time)
                if index and now - self.last_time_s > GAP_FRAMES / self.info.fps:
                    self.missing_s += now - self.last_time_s - 1.0 / self.info.fps
                self.last_time_s = now
                yield Frame(index=index, time_s=self.last_time_s, image_bgr=image)
                index += 1
        if index == 0:
            raise NotAVideoError(f"{self.path}: no video frames could be decoded")
        self.frames_decoded = index

    def decode_notes(self) -> tuple[str, ...]:
        """Warnings about the decode so far: skipped packets, a stream that ends early."""
        notes = []
        if self.corrupt_packets:
            notes.append(f"{self.corrupt_packets} damaged packets were skipped while decoding")
        if self.corrupt_frames:
            notes.append(f"{self.corrupt_frames} damaged frame(s) decoded with errors")
        if self.missing_s > 0:
            notes.append(f"{self.missing_s:.1f} s of video missing inside the file (damaged?)")
        decoded = self.frames_decoded
        declared = self.info.frames_declared
        covered = self.last_time_s + 1.0 / self.info.fps
        if declared and decoded < 0.9 * declared:
            notes.append(f"the video ends early: {decoded} of {declared} frames could be decoded")
        elif self.info.duration_s and covered < 0.9 * self.info.duration_s:
            notes.append(
                f"the video ends early: frames cover {covered:.1f} s "
                f"of {self.info.duration_s:.1f} s"
            )
        return tuple(notes)

    def _check_corruption(self, packets: int) -> None:
        if packets >= 20 and self.corrupt_packets / packets > MAX_CORRUPT_SHARE:
            raise CorruptVideoError(
                f"{self.path}: video is damaged ({self.corrupt_packets} of {packets} "
                "packets could not be decoded)"
            )

    def close(self) -> None:
        """Release the file."""
        self._container.close()

    def __enter__(self) -> VideoSource:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
