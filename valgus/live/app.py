"""The live loop: capture -> pose -> live state -> mirrored overlay -> window, plus the recorder.

Threads: the capture thread reads the camera (or plays a file in real time)
and hands every frame to the recorder's encoder thread; this loop, on the
main thread, always takes the newest frame, so when the model is slower than
the camera frames are skipped rather than queued and the picture never lags
(latest frame wins). Everything is closed in ``finally``: a crash or Ctrl-C
still leaves a playable recording, and Ctrl-C is an ordinary way to stop.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import cv2
import numpy as np

from valgus.live.capture import CapturedFrame, FrameGrabber, FrameReader
from valgus.live.display import LiveRenderer, Window
from valgus.live.recorder import Recorder
from valgus.live.state import LiveFrame, LiveState
from valgus.pose.landmarker import PoseEstimator
from valgus.pose.model_files import ResolvedModel
from valgus.settings import AnalysisSettings

DEFAULT_COUNTDOWN_S = 3.0
FPS_WINDOW_S = 1.0
_POLL_S = 0.05
_STATUS = {
    "countdown": "countdown: step back until your whole body is in view",
    "calibrating": "calibrating: stand still, facing the camera",
    "set": "set: go! ({how} to stop)",
}
QUIT_WINDOW = "quit key or window closed"


@dataclass(frozen=True)
class LiveOptions:
    """How to run one live session (the ``valgus live`` options, resolved).

    ``countdown_s`` None means 3 s for a camera and 0 for a video file (a
    recorded person does not wait). ``duration_s`` counts from the end of the
    countdown; None runs until quit or the end of a file.
    """

    model: ResolvedModel  # settings.model, resolved once before the camera starts
    record_path: Path
    settings: AnalysisSettings = field(default_factory=AnalysisSettings)
    window: bool = True
    duration_s: float | None = None
    countdown_s: float | None = None
    calibration_s: float = 2.0
    last_frame_path: Path | None = None


@dataclass(frozen=True)
class LiveResult:
    """What happened in a session; written to live.json."""

    source: str
    recording: str | None  # None when nothing was recorded (stopped during the countdown)
    quit_reason: str
    calibrated: bool
    movement_live: str
    reps_live: int
    frames_captured: int
    frames_processed: int
    frames_shown: int
    frames_recorded: int
    frames_dropped_recording: int
    source_fps: float
    achieved_fps: float
    latency_ms_p50: float
    latency_ms_p95: float
    max_grade: dict[str, int]
    log: list[dict] = field(repr=False)

    def summary(self) -> dict:
        """Everything but the per-frame log."""
        out = asdict(self)
        out.pop("log")
        return out


def _log_row(frame: CapturedFrame, live: LiveFrame, latency_ms: float) -> dict:
    o = live.overlay
    return {
        "frame": frame.index,
        "time_s": round(frame.time_s, 4),
        "latency_ms": round(latency_ms, 2),
        "phase": live.phase,
        "fppa_left_deg": round(o.fppa_deg["left"], 2),
        "fppa_right_deg": round(o.fppa_deg["right"], 2),
        "collapse_grade_left": o.collapse_grade["left"],
        "collapse_grade_right": o.collapse_grade["right"],
        "pelvic_drop_deg": round(o.pelvic_drop_deg, 2),
        "pelvic_grade": o.pelvic_grade,
        "rep_number": o.rep_number,
        "movement": o.movement,
        "cue": o.cue or "",
        "framing_hint": o.framing_hint or "",
    }


class LiveSession:
    """One run of the live loop over an opened reader (see :func:`run_live`)."""

    def __init__(
        self, reader: FrameReader, options: LiveOptions, on_status: Callable[[str], None]
    ) -> None:
        self.reader = reader
        self.options = options
        self.on_status = on_status
        countdown = options.countdown_s
        if countdown is None:
            countdown = 0.0 if reader.is_file else DEFAULT_COUNTDOWN_S
        self.countdown_s = countdown
        self.end_s = None if options.duration_s is None else countdown + options.duration_s
        self.renderer = LiveRenderer()
        self.state: LiveState | None = None
        self.latencies_ms: list[float] = []
        self.done_times: deque[float] = deque()
        self.log: list[dict] = []
        self.last_image: np.ndarray | None = None
        self.phase = ""

    def _fps(self) -> float:
        times = self.done_times
        while len(times) > 1 and times[-1] - times[0] > FPS_WINDOW_S:
            times.popleft()
        return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0

    def _status(self, live: LiveFrame) -> str:
        fps = f"{self._fps():.0f} fps"
        if live.phase == "calibrating":
            return f"{fps} | calibrating {live.calibration_progress:.0%} | q: stop"
        return f"{fps} | {live.phase} | q: stop"

    def _step(self, frame: CapturedFrame, estimator: PoseEstimator, window: Window | None) -> bool:
        """Process one frame; True when the person asked to quit."""
        if self.state is None:
            h, w = frame.image_bgr.shape[:2]
            self.state = LiveState(
                w,
                h,
                movement=self.options.settings.movement,
                thresholds=self.options.settings.thresholds(),
                countdown_s=self.countdown_s,
                calibration_s=self.options.calibration_s,
            )
        landmarks = estimator.detect(frame.image_bgr, frame.time_s)
        live = self.state.update(frame.time_s, landmarks)
        if live.phase != self.phase:
            self.phase = live.phase
            how = "q or Esc in the window, or Ctrl-C," if window is not None else "Ctrl-C"
            self.on_status(_STATUS[live.phase].format(how=how))
        image = self.renderer.render(frame.image_bgr, live, self._status(live))
        quit_now = window.show(image) if window is not None else False
        done = time.perf_counter()
        latency_ms = (done - frame.captured_at) * 1000.0
        self.latencies_ms.append(latency_ms)
        self.done_times.append(done)
        self.log.append(_log_row(frame, live, latency_ms))
        self.last_image = image
        return quit_now

    def loop(self, grabber: FrameGrabber, estimator: PoseEstimator, window: Window | None) -> str:
        """Process the newest frames until a quit condition; returns the reason."""
        seen = -1
        while True:
            frame = grabber.next_frame(seen, timeout_s=_POLL_S)
            if frame is None:
                if grabber.error is not None:
                    raise grabber.error
                if grabber.finished:
                    return "end of video" if self.reader.is_file else "camera stopped"
                if window is not None and window.poll():
                    return QUIT_WINDOW
                continue
            seen = frame.index
            if self.end_s is not None and frame.time_s >= self.end_s:
                return "duration reached"
            if self._step(frame, estimator, window):
                return QUIT_WINDOW


def _result(
    session: LiveSession,
    grabber: FrameGrabber,
    recorder: Recorder,
    reason: str,
    shown: int,
) -> LiveResult:
    lat = np.asarray(session.latencies_ms, dtype=float)
    state = session.state
    recorded = recorder.frames_written
    span = (session.log[-1]["time_s"] - session.log[0]["time_s"]) if len(session.log) > 1 else 0.0
    return LiveResult(
        source=session.reader.name,
        recording=str(recorder.path) if recorded else None,
        quit_reason=reason,
        calibrated=bool(state is not None and state.reference is not None),
        movement_live=state.guess.movement if state is not None else "squat",
        reps_live=state.reps if state is not None else 0,
        frames_captured=grabber.captured,
        frames_processed=len(session.log),
        frames_shown=shown,
        frames_recorded=recorded,
        frames_dropped_recording=recorder.dropped,
        source_fps=round(session.reader.fps, 3),
        achieved_fps=round((len(session.log) - 1) / span, 2) if span > 0 else 0.0,
        latency_ms_p50=round(float(np.percentile(lat, 50)), 2) if lat.size else float("nan"),
        latency_ms_p95=round(float(np.percentile(lat, 95)), 2) if lat.size else float("nan"),
        max_grade=dict(state.max_grade) if state is not None else {},
        log=session.log,
    )


def run_live(
    reader: FrameReader,
    options: LiveOptions,
    *,
    on_status: Callable[[str], None] | None = None,
) -> LiveResult:
    """Run a live session on an opened ``reader`` until quit, duration, end of file or Ctrl-C.

    The reader is closed on return. Ctrl-C (KeyboardInterrupt) ends the
    session like the q key; the recording is closed in every case.
    """
    session = LiveSession(reader, options, on_status or (lambda _line: None))
    recorder = Recorder(
        options.record_path, reader.fps, start_s=session.countdown_s, end_s=session.end_s
    )
    grabber = FrameGrabber(reader, on_frame=recorder.offer)
    window: Window | None = None
    reason = "stopped"
    try:
        window = Window() if options.window else None
        with PoseEstimator(options.model.path) as estimator:
            grabber.start()
            reason = session.loop(grabber, estimator, window)
    except KeyboardInterrupt:
        reason = "ctrl-c"
    finally:
        grabber.stop()
        recorder.close()
        if window is not None:
            window.close()
    if options.last_frame_path is not None and session.last_image is not None:
        options.last_frame_path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(options.last_frame_path), session.last_image)
    if recorder.error is not None:
        raise recorder.error
    return _result(session, grabber, recorder, reason, window.shown if window else 0)
