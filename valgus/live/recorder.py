"""Record the raw (unmirrored) camera frames to an MP4 that survives a crash.

Why fragmented MP4: a normal MP4 keeps its index (``moov``) at the end, so a
process killed mid-set leaves an unplayable file. With
``frag_keyframe+empty_moov`` the index goes first and the frames follow in
self-contained fragments; ``frag_duration`` closes a fragment every second and
``flush_packets`` pushes it to disk, so SIGKILL loses at most about a second.
The recording is what the offline analysis re-runs on after the set.

Encoding runs on its own thread behind a bounded queue: the capture thread
only hands frames over, and if the encoder ever falls behind, frames are
dropped from the recording (counted) rather than piling up in memory.
"""

from __future__ import annotations

import contextlib
import math
import queue
import threading
from pathlib import Path

from valgus.live.capture import CapturedFrame
from valgus.video.writer import H264Writer

FRAGMENT_S = 1.0
FRAGMENTED_MOVFLAGS = "frag_keyframe+empty_moov+default_base_moof"


# A fragment closed every FRAGMENT_S of video and flushed at once: a killed
# process loses at most that much of the recording.
FRAGMENTED_OPTIONS = {
    "movflags": FRAGMENTED_MOVFLAGS,
    "frag_duration": str(round(FRAGMENT_S * 1_000_000)),
    "flush_packets": "1",
}


class Recorder:
    """Encode frames handed over by the capture thread, from ``start_s`` on.

    Parameters
    ----------
    path : Path
        Output ``.mp4``; created with the first accepted frame (no frame, no file).
    fps : float
        Nominal frame rate of the source (frame times come from the frames).
    start_s : float, keyword-only
        Frames earlier than this (the countdown) are not recorded; the
        recording's time 0 is the first recorded frame.
    end_s : float or None, keyword-only
        Frames at or after this (``--duration`` reached) are not recorded.
    max_queue : int, keyword-only
        Frames waiting for the encoder before new ones are dropped.
    preset : str, keyword-only
        libx264 preset; "superfast" costs ~1.4 ms of CPU per 640x480 frame here.
    """

    def __init__(
        self,
        path: Path,
        fps: float,
        *,
        start_s: float = 0.0,
        end_s: float | None = None,
        max_queue: int = 30,
        preset: str = "superfast",
    ) -> None:
        if max_queue < 1:
            raise ValueError(f"max_queue must be >= 1, got {max_queue}")
        self.path = Path(path)
        self.fps = fps
        self.start_s = start_s
        self.end_s = math.inf if end_s is None else end_s
        self.preset = preset
        self.dropped = 0
        self.error: BaseException | None = None
        self._first_time_s: float | None = None
        self._queue: queue.Queue[CapturedFrame | None] = queue.Queue(maxsize=max_queue)
        self._accepting = True
        self._writer: H264Writer | None = None
        self._thread = threading.Thread(target=self._run, name="valgus-recorder", daemon=True)
        self._thread.start()

    @property
    def frames_written(self) -> int:
        """Frames encoded so far."""
        return self._writer.frames_written if self._writer is not None else 0

    def offer(self, frame: CapturedFrame) -> None:
        """Queue ``frame`` for encoding without blocking (called on the capture thread)."""
        if not self._accepting or not self.start_s <= frame.time_s < self.end_s:
            return
        try:
            self._queue.put_nowait(frame)
        except queue.Full:
            self.dropped += 1

    def _run(self) -> None:
        try:
            while (frame := self._queue.get()) is not None:
                self._write(frame)
        except BaseException as exc:  # reported by close() on the main thread
            self.error = exc
            self._accepting = False

    def _write(self, frame: CapturedFrame) -> None:
        if self._writer is None:
            height, width = frame.image_bgr.shape[:2]
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = H264Writer(
                self.path,
                width,
                height,
                self.fps,
                preset=self.preset,
                container_options=FRAGMENTED_OPTIONS,
            )
            self._first_time_s = frame.time_s
        self._writer.write(frame.image_bgr, frame.time_s - self._first_time_s)

    def close(self) -> None:
        """Stop accepting, encode what is queued and finalise the file (idempotent)."""
        self._accepting = False
        while self._thread.is_alive():
            with contextlib.suppress(queue.Full):
                self._queue.put(None, timeout=0.1)
                break
        self._thread.join()
        if self._writer is not None:
            self._writer.close()

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
