"""Video source: upright BGR or RGB frames with container timestamps.

Why PyAV and not cv2.VideoCapture: we need the container's presentation
timestamps (variable frame rate, streams that start at a non-zero time) and the
display-matrix rotation of phone clips, and we need to survive corrupt packets
mid-file instead of stopping silently (design.md sections 2 and 5).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import av
import cv2
import numpy as np

from valgus.errors import CorruptVideoError, InputNotFoundError, NotAVideoError
from valgus.video.info import GAP_FRAMES, VideoInfo, describe_decode, fit_within

# A clip where more than this share of packets fail to decode is refused, not guessed at.
MAX_CORRUPT_SHARE = 0.2


ChannelOrder = Literal["bgr", "rgb"]


@dataclass(frozen=True)
class Frame:
    """One decoded, upright frame, in the channel order its source was asked for.

    The model wants RGB and drawing wants BGR. Decoding straight to the one
    that is needed saves a conversion per frame: PyAV's rgb24 and bgr24 are the
    same pixels in another order (bit-exact on every clip in ../shared/videos).
    """

    index: int  # position in this iteration (0 = first frame yielded)
    time_s: float  # from the first frame of the file
    image: np.ndarray
    order: ChannelOrder = "bgr"

    @property
    def image_bgr(self) -> np.ndarray:
        """The frame in BGR (a converted copy when it was decoded as RGB)."""
        return self.image if self.order == "bgr" else cv2.cvtColor(self.image, cv2.COLOR_RGB2BGR)

    @property
    def image_rgb(self) -> np.ndarray:
        """The frame in RGB (a converted copy when it was decoded as BGR)."""
        return self.image if self.order == "rgb" else cv2.cvtColor(self.image, cv2.COLOR_BGR2RGB)


def _check_path(path: Path) -> None:
    if not path.exists():
        raise InputNotFoundError(f"{path}: no such file")
    if path.is_dir():
        raise InputNotFoundError(
            f"{path}: is a directory, not a video file (for every clip in it: valgus batch {path})"
        )
    if path.stat().st_size == 0:
        raise NotAVideoError(f"{path}: file is empty (0 bytes)")


def _open_container(path: Path) -> av.container.InputContainer:
    try:
        return av.open(str(path), mode="r")
    except av.error.FFmpegError as exc:
        raise NotAVideoError(f"{path}: not a video file we can read ({exc.strerror})") from exc


def _is_still_image(container: av.container.InputContainer) -> bool:
    """FFmpeg opens PNG/JPEG/... through image demuxers as a one-frame "video"."""
    names = container.format.name.split(",")
    return any(n == "image2" or n.endswith("_pipe") for n in names)


def _video_stream(container: av.container.InputContainer, path: Path) -> av.VideoStream:
    if not container.streams.video:
        if container.streams.audio:
            raise NotAVideoError(f"{path}: has only audio, no video stream")
        raise NotAVideoError(f"{path}: not a video file (no video stream found)")
    if _is_still_image(container):
        raise NotAVideoError(f"{path}: is a still image, not a video")
    stream = container.streams.video[0]
    codec = stream.codec_context  # None when the header names a stream it cannot describe
    if codec is None:
        raise NotAVideoError(f"{path}: not a video file we can read (its stream has no codec)")
    if codec.width <= 0 or codec.height <= 0:
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
    """Decode a video file into upright BGR (or, with ``order="rgb"``, RGB) frames with timestamps.

    Iterate it once; to read a file twice, make a new source (seeking back to
    frame 0 lands on the wrong frame in streams that start at a non-zero
    timestamp, design.md section 5). ``start_s`` starts at the first frame at
    or after that time (seeking to the keyframe before it and decoding on):
    how segment-parallel analysis reads its part of a clip. ``info`` from an
    earlier source on the same file skips probing it again. ``short_side``
    delivers frames scaled so their shorter side is at most that (``size``):
    phone video is decoded straight to what the model or the annotated video
    needs, in the decoder's colour-conversion step.

    Raises
    ------
    InputNotFoundError, NotAVideoError
        On construction, for a missing path, a directory, an empty file,
        something that is not a video, or audio only.
    CorruptVideoError
        While iterating, when too many packets fail to decode.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        start_s: float = 0.0,
        order: ChannelOrder = "bgr",
        info: VideoInfo | None = None,
        short_side: int | None = None,
    ) -> None:
        if start_s < 0:
            raise ValueError(f"start_s must be >= 0, got {start_s}")
        if order not in ("bgr", "rgb"):
            raise ValueError(f"order must be 'bgr' or 'rgb', got {order!r}")
        self.path = Path(path)
        self._start_s = start_s
        self._order = order
        _check_path(self.path)
        self._container = _open_container(self.path)
        try:
            self._stream = _video_stream(self._container, self.path)
            self._stream.thread_type = "AUTO"
            self.info = info if info is not None else self._read_info()
        except BaseException:
            self._container.close()
            raise
        # Frames come out at this size (upright), scaled by the decoder's own scaler in the
        # same step as the colour conversion: a 4K frame is never held at full size.
        self.size = fit_within(self.info.width, self.info.height, short_side)
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
        rotation, first_time = self._peek_first_frame()
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
            first_time_s=first_time,
        )

    def _peek_first_frame(self) -> tuple[int, float]:
        """Rotation (display matrix) and time of the first frame, read by a separate open.

        A separate open rather than seeking back: seeking to the start lands on
        the wrong frame in streams that start at a non-zero time.
        """
        probe = _open_container(self.path)
        try:
            for frame in probe.decode(video=0):
                return _clockwise_rotation(frame.rotation), float(frame.time or 0.0)
        except av.error.FFmpegError:
            return 0, 0.0
        finally:
            probe.close()
        return 0, 0.0

    def _keyframe_before(self, time_s: float) -> int | None:
        """pts of the last keyframe at or before ``time_s`` (from the first frame), by demuxing."""
        probe = _open_container(self.path)
        try:
            stream = probe.streams.video[0]
            limit = (self.info.first_time_s + time_s) / stream.time_base
            best = None
            for packet in probe.demux(stream):
                if packet.pts is None or not packet.is_keyframe:
                    continue
                if packet.pts > limit:
                    break
                best = packet.pts
            return best
        except av.error.FFmpegError:
            return None
        finally:
            probe.close()

    def _seek_to_start(self) -> None:
        """Jump near ``start_s``.

        Seeks to just before the keyframe preceding ``start_s`` (the MP4
        demuxer lands a GOP late when asked for the keyframe's exact time);
        frames before ``start_s`` are then skipped while decoding.
        """
        keyframe = self._keyframe_before(self._start_s)
        if keyframe is not None:
            self._container.seek(max(int(keyframe) - 1, 0), stream=self._stream)

    def _restart_from_beginning(self) -> None:
        """Reopen the file after a seek that went past ``start_s`` (decode and skip instead)."""
        self._container.close()
        self._container = _open_container(self.path)
        self._stream = self._container.streams.video[0]
        self._stream.thread_type = "AUTO"

    def _timed_frames(self, *, seek: bool) -> Iterator[tuple[float, av.VideoFrame]]:
        """(time from the file's first frame, frame) at or after ``start_s``; counts damage."""
        if seek:
            self._seek_to_start()
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
                if frame.time is None:
                    continue
                now = max(0.0, float(frame.time) - self.info.first_time_s)
                if now >= self._start_s - 1e-6:
                    yield now, frame

    def _from_start(self, wanted_s: float, tolerance_s: float) -> Iterator[tuple[float, Any]]:
        """Timed frames from ``start_s``; when the seek lands past ``wanted_s`` (some demuxers
        land a GOP late), decoded from the beginning instead."""
        frames = self._timed_frames(seek=self._start_s > 0)
        first = next(frames, None)
        if self._start_s > 0 and first is not None and first[0] > wanted_s + tolerance_s:
            frames.close()
            self._restart_from_beginning()
            frames = self._timed_frames(seek=False)
            first = next(frames, None)
        return itertools.chain([first] if first else [], frames)

    def __iter__(self) -> Iterator[Frame]:
        index = 0
        scale = self._decoded_size()
        for now, frame in self._from_start(self._start_s, 1e-3):
            image = upright(self._to_array(frame, scale), self.info.rotation_deg)
            if index and now - self.last_time_s > GAP_FRAMES / self.info.fps:
                self.missing_s += now - self.last_time_s - 1.0 / self.info.fps
            self.last_time_s = now
            yield Frame(index=index, time_s=now, image=image, order=self._order)
            index += 1
        if index == 0:
            raise NotAVideoError(f"{self.path}: no video frames could be decoded")
        self.frames_decoded = index

    def frames_near(self, times_s: list[float], tolerance_s: float) -> Iterator[Frame]:
        """The frames within ``tolerance_s`` of each of ``times_s`` (sorted, at or after
        ``start_s``), stopping after the last: every frame between is decoded (inter
        frames need their references) but only the wanted ones are converted to pixels.
        ``Frame.index`` is the position of the wanted time in ``times_s``.
        """
        pending = list(enumerate(times_s))
        scale = self._decoded_size()
        for now, frame in self._from_start(times_s[0] if times_s else self._start_s, tolerance_s):
            while pending and now > pending[0][1] + tolerance_s:
                pending.pop(0)  # a frame the stream does not have
            if not pending:
                return
            if abs(now - pending[0][1]) <= tolerance_s:
                image = upright(self._to_array(frame, scale), self.info.rotation_deg)
                yield Frame(index=pending.pop(0)[0], time_s=now, image=image, order=self._order)

    def _decoded_size(self) -> tuple[int, int] | None:
        """Size of the stored (not yet rotated) frame to convert to; None: as decoded."""
        if self.size == (self.info.width, self.info.height):
            return None
        width, height = self.size
        return (height, width) if self.info.rotation_deg in (90, 270) else (width, height)

    def _to_array(self, frame: av.VideoFrame, size: tuple[int, int] | None) -> np.ndarray:
        """The frame as an array, scaled first in its own (YUV) planes when ``size`` is set.

        Scaling the small chroma planes with an area filter, then converting the small
        picture to RGB, took 13.0 ms a 4K frame (decode included) against 18.8 ms for
        the converter's one-step bicubic scale to RGB, within 0.9 grey levels of it.
        """
        if size is None:
            return frame.to_ndarray(format=f"{self._order}24")
        small = frame.reformat(width=size[0], height=size[1], interpolation="AREA")
        return small.to_ndarray(format=f"{self._order}24")

    def decode_notes(self) -> tuple[str, ...]:
        """Warnings about the decode so far: damage, missing video, a stream that ends early."""
        return describe_decode(
            self.info,
            frames_decoded=self.frames_decoded,
            last_time_s=self.last_time_s,
            missing_s=self.missing_s,
            corrupt_packets=self.corrupt_packets,
            corrupt_frames=self.corrupt_frames,
        )

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
