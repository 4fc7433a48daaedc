"""Live frame sources and a capture thread where the latest frame wins.

Why a thread that keeps only the newest frame: a webcam delivers frames at its
own pace whether we keep up or not. If the analysis is slower, a queue would
grow and the screen would fall further and further behind the person. So the
capture thread overwrites one slot and the analysis always takes the newest
frame, dropping the ones it had no time for. Every frame still goes to the
``on_frame`` callback (the recorder), so the recording misses nothing.

A video file given as the source is played at its own frame rate, as if a
camera were filming it: that is how tests and demos run on machines without a
camera. Files are read with :class:`valgus.video.source.VideoSource` (container
timestamps, rotation); cameras and stream URLs with OpenCV.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from valgus.errors import CameraError
from valgus.pose.native_logs import quiet_native_logs
from valgus.video.source import VideoSource

# Seconds a camera that opened may take to deliver its first frame (some need ~1-2 s).
FIRST_FRAME_TIMEOUT_S = 5.0
_DEVICE = re.compile(r"^/dev/video(\d+)$")


@dataclass(frozen=True)
class CapturedFrame:
    """One frame as captured.

    Attributes
    ----------
    index : int
        0-based count of frames captured so far (dropped ones included).
    time_s : float
        Seconds since the first frame: the camera's clock (arrival time) or
        the file's container time.
    captured_at : float
        ``time.perf_counter()`` when the frame became available, for latency.
    image_bgr : ndarray of shape (H, W, 3), uint8
        The unmirrored frame, as the camera sees the person.
    """

    index: int
    time_s: float
    captured_at: float
    image_bgr: np.ndarray


class FrameReader(Protocol):
    """A blocking source of frames: ``read`` returns (image, time_s) or None at the end."""

    name: str
    fps: float
    is_file: bool

    def read(self) -> tuple[np.ndarray, float] | None: ...

    def close(self) -> None: ...


def _camera_hint(index: int) -> str:
    other = 1 if index == 0 else 0
    return f"try --source {other} or a video file"


class CameraReader:
    """A webcam (index or /dev/videoN) or a stream URL read with OpenCV.

    Raises
    ------
    CameraError
        When nothing can be opened, or it sends no first frame within
        ``FIRST_FRAME_TIMEOUT_S``.
    """

    is_file = False

    def __init__(self, target: int | str) -> None:
        import cv2

        self.name = f"camera {target}" if isinstance(target, int) else str(target)
        self._what = f"index {target}" if isinstance(target, int) else str(target)
        index = target if isinstance(target, int) else _device_index(target)
        if index is not None and not _device_may_exist(index):
            raise CameraError(f"no camera at {self._what}; {_camera_hint(index)}")
        with quiet_native_logs():  # OpenCV/FFmpeg print their own lines on a failed open
            self._cap = cv2.VideoCapture(target)
        if not self._cap.isOpened():
            self._cap.release()
            hint = _camera_hint(index) if index is not None else "check the URL"
            raise CameraError(f"no camera at {self._what}; {hint}")
        self._cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # keep the driver queue short: less latency
        fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self.fps = fps if 0 < fps < 1000 else 30.0
        self._is_url = index is None
        self._pos_msec = cv2.CAP_PROP_POS_MSEC
        self._position0_s: float | None = None
        self._t0: float | None = None
        self._first = self._read_first()

    def _read_first(self) -> np.ndarray:
        deadline = time.monotonic() + FIRST_FRAME_TIMEOUT_S
        while time.monotonic() < deadline:
            ok, image = self._cap.read()
            if ok and image is not None:
                return image
            time.sleep(0.05)
        self._cap.release()
        raise CameraError(
            f"{self.name} opened but sent no picture within {FIRST_FRAME_TIMEOUT_S:.0f} s; "
            "is another program using it?"
        )

    def read(self) -> tuple[np.ndarray, float] | None:
        if self._first is not None:
            image, self._first = self._first, None
        else:
            ok, image = self._cap.read()
            if not ok or image is None:
                return None
        now = time.monotonic()
        if self._t0 is None:
            self._t0 = now
        return image, now - self._t0 + self._pace(now - self._t0)

    def _pace(self, elapsed_s: float) -> float:
        """Hold back a URL that delivers faster than real time (a file over HTTP); seconds slept.

        Cameras and live streams deliver in real time and are never held back.
        """
        if not self._is_url:
            return 0.0
        position_s = self._cap.get(self._pos_msec) / 1000.0
        if not position_s > 0:
            return 0.0
        if self._position0_s is None:
            self._position0_s = position_s
        ahead = min(position_s - self._position0_s - elapsed_s, 1.0)
        if ahead <= 0:
            return 0.0
        time.sleep(ahead)
        return ahead

    def close(self) -> None:
        self._cap.release()


class FileReader:
    """A video file played in real time at its own frame rate, like a camera."""

    is_file = True

    def __init__(self, path: Path) -> None:
        self._source = VideoSource(path)
        self.name = str(path)
        self.fps = self._source.info.fps
        self._frames = iter(self._source)
        self._t0: float | None = None

    def read(self) -> tuple[np.ndarray, float] | None:
        frame = next(self._frames, None)
        if frame is None:
            return None
        if self._t0 is None:
            self._t0 = time.monotonic() - frame.time_s
        wait = self._t0 + frame.time_s - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        return frame.image_bgr, frame.time_s

    def close(self) -> None:
        self._source.close()


def _device_index(target: str) -> int | None:
    match = _DEVICE.match(target)
    return int(match.group(1)) if match else None


def _device_may_exist(index: int) -> bool:
    """False only where we know for sure: on Linux, no /dev/videoN node means no camera."""
    if os.name == "posix" and Path("/dev").is_dir() and Path("/sys/class").is_dir():
        return Path(f"/dev/video{index}").exists()
    return True


def open_reader(spec: str) -> FrameReader:
    """The reader for a ``--source`` value: camera index, /dev/videoN, URL or video file.

    Raises
    ------
    CameraError
        No camera there (exit code 11).
    InputNotFoundError, NotAVideoError
        For a file that is missing or not a video (as in ``valgus analyze``).
    """
    spec = spec.strip()
    if spec.isdigit():
        return CameraReader(int(spec))
    if _DEVICE.match(spec) or "://" in spec:
        return CameraReader(spec)
    return FileReader(Path(spec))


class FrameGrabber:
    """Runs a reader on its own thread; :meth:`next_frame` hands out only the newest frame.

    Parameters
    ----------
    reader : FrameReader
    on_frame : callable, keyword-only
        Called on the capture thread with every frame (e.g. the recorder's
        ``offer``); must return quickly.
    """

    def __init__(
        self, reader: FrameReader, *, on_frame: Callable[[CapturedFrame], None] | None = None
    ) -> None:
        self.reader = reader
        self._on_frame = on_frame
        self._cond = threading.Condition()
        self._latest: CapturedFrame | None = None
        self._stop = threading.Event()
        self.finished = False
        self.error: BaseException | None = None
        self.captured = 0
        self._thread = threading.Thread(target=self._run, name="valgus-capture", daemon=True)

    def start(self) -> FrameGrabber:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                item = self.reader.read()
                if item is None:
                    break
                image, time_s = item
                frame = CapturedFrame(self.captured, time_s, time.perf_counter(), image)
                if self._on_frame is not None:
                    self._on_frame(frame)
                with self._cond:
                    self._latest = frame
                    self.captured += 1
                    self._cond.notify_all()
        except BaseException as exc:  # handed to the main thread, raised there
            self.error = exc
        finally:
            with self._cond:
                self.finished = True
                self._cond.notify_all()

    def next_frame(self, after: int, *, timeout_s: float) -> CapturedFrame | None:
        """The newest frame with ``index > after``; None on timeout or at the end of the stream."""
        with self._cond:
            self._cond.wait_for(
                lambda: self.finished or (self._latest is not None and self._latest.index > after),
                timeout=timeout_s,
            )
            if self._latest is not None and self._latest.index > after:
                return self._latest
            return None

    def stop(self) -> None:
        """Stop capturing and release the reader (waits for a blocked read to return)."""
        self._stop.set()
        if self._thread.ident is not None:  # started
            self._thread.join(timeout=5.0)
        self.reader.close()

    def __enter__(self) -> FrameGrabber:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
