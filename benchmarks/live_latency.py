"""Latency and frame rate of ``valgus live`` at 640x480 with the full model.

A 640x480, 30 fps clip (a real squat clip centre-cropped, or the bundled
sample letterboxed when ../shared/videos is absent) is played in real time as
if it were a webcam, through the whole live path: capture thread, pose model,
live state, mirrored overlay, window (when $DISPLAY is set) and the recorder.

Latency is per processed frame, from the moment the capture thread had the
frame to the moment the annotated image was handed to the window (or drawn,
headless). Frames the loop had no time for are dropped, not queued, so the
achieved fps shows how many frames got analysed. Goal: p95 <= 33 ms on 2 cores.

    python benchmarks/live_latency.py [--seconds 10] [--runs 1] [--window]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from valgus.live.app import LiveOptions, run_live  # noqa: E402
from valgus.live.capture import FileReader  # noqa: E402
from valgus.pose.landmarker import PoseEstimator  # noqa: E402
from valgus.pose.model_files import resolve_model  # noqa: E402
from valgus.video.source import VideoSource  # noqa: E402
from valgus.video.writer import H264Writer  # noqa: E402

WIDTH, HEIGHT, FPS = 640, 480, 30.0
REAL_CLIP = REPO.parent / "shared/videos/front/nowva_squats.mp4"
SAMPLE = REPO / "sample_videos/squat_valgus.mp4"


def to_640x480(image: np.ndarray) -> np.ndarray:
    """Centre-crop to 4:3 when wider, letterbox when taller, then resize to 640x480."""
    h, w = image.shape[:2]
    if w * 3 > h * 4:
        crop = h * 4 // 3
        x0 = (w - crop) // 2
        return cv2.resize(image[:, x0 : x0 + crop], (WIDTH, HEIGHT), interpolation=cv2.INTER_AREA)
    scale = HEIGHT / h
    small = cv2.resize(image, (round(w * scale), HEIGHT), interpolation=cv2.INTER_AREA)
    out = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
    x0 = (WIDTH - small.shape[1]) // 2
    out[:, x0 : x0 + small.shape[1]] = small
    return out


def make_clip(path: Path, seconds: float) -> Path:
    """A 640x480 30 fps clip of ``seconds`` (the source loops if it is shorter)."""
    source_clip = REAL_CLIP if REAL_CLIP.exists() else SAMPLE
    with VideoSource(source_clip) as source:
        frames = [to_640x480(f.image_bgr) for f in source]
    n = round(seconds * FPS)
    with H264Writer(path, WIDTH, HEIGHT, FPS) as writer:
        for i in range(n):
            writer.write(frames[i % len(frames)], i / FPS)
    return path


def bare_model_ms(clip: Path, model_path: Path) -> np.ndarray:
    """Per-frame ms of the pose model alone on the same frames, back to back (the floor)."""
    times = []
    with VideoSource(clip) as source, PoseEstimator(model_path) as estimator:
        for frame in source:
            start = time.perf_counter()
            estimator.detect(frame.image_bgr, frame.time_s)
            times.append((time.perf_counter() - start) * 1000.0)
    return np.asarray(times[10:])  # without the warm-up


def steady(result, warmup_s: float = 1.0) -> tuple[float, float, float]:
    """Latency p50, p95 (ms) and fps after the first ``warmup_s`` (model warm-up)."""
    rows = [r for r in result.log if r["time_s"] >= warmup_s]
    lat = np.array([r["latency_ms"] for r in rows])
    span = rows[-1]["time_s"] - rows[0]["time_s"]
    return float(np.percentile(lat, 50)), float(np.percentile(lat, 95)), (len(rows) - 1) / span


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--window", action="store_true", help="show the window (needs $DISPLAY)")
    args = parser.parse_args()
    model = resolve_model("full")
    with tempfile.TemporaryDirectory() as tmp:
        clip = make_clip(Path(tmp) / "cam640x480.mp4", args.seconds)
        print(f"clip: {clip.name} {WIDTH}x{HEIGHT} @ {FPS:g} fps, {args.seconds:g} s; model full")
        print(f"cores: {os.cpu_count()}, load average before: {os.getloadavg()}")
        floor = bare_model_ms(clip, model.path)
        print(
            f"pose model alone: p50 {np.percentile(floor, 50):.1f} ms, "
            f"p95 {np.percentile(floor, 95):.1f} ms per frame"
        )
        print("live, after a 1 s warm-up (capture -> frame on screen):")
        print("run  p50 ms  p95 ms    fps processed dropped")
        for run in range(1, args.runs + 1):
            options = LiveOptions(
                model=model,
                record_path=Path(tmp) / f"recording-{run}.mp4",
                window=args.window,
                countdown_s=0.0,
            )
            result = run_live(FileReader(clip), options)
            dropped = result.frames_captured - result.frames_processed
            p50, p95, fps = steady(result)
            processed = result.frames_processed
            print(f"{run:3d} {p50:7.1f} {p95:7.1f} {fps:6.1f} {processed:9d} {dropped:7d}")
        print(f"load average after: {os.getloadavg()} (other processes share these cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
