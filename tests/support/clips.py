"""Build small video files for tests: the repo commits no test fixtures."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from valgus.video.source import VideoSource
from valgus.video.writer import H264Writer


def write_frames(path: Path, frames: list[np.ndarray], fps: float = 30.0) -> Path:
    """Encode BGR ``frames`` to an H.264 MP4 at ``path``."""
    height, width = frames[0].shape[:2]
    with H264Writer(path, width, height, fps) as writer:
        for frame in frames:
            writer.write(frame)
    return path


def numbered_frames(n: int, width: int = 64, height: int = 48) -> list[np.ndarray]:
    """Frames whose brightness encodes their index (index * 8), to check order and count."""
    return [np.full((height, width, 3), (i * 8) % 256, np.uint8) for i in range(n)]


def write_vfr(path: Path, times_s: list[float], width: int = 64, height: int = 48) -> Path:
    """A variable-frame-rate clip: one frame at each of ``times_s``."""
    frames = numbered_frames(len(times_s), width, height)
    with H264Writer(path, width, height, 30.0) as writer:
        for frame, t in zip(frames, times_s, strict=True):
            writer.write(frame, t)
    return path


def write_audio_only(path: Path, seconds: float = 0.5) -> Path:
    """An .mp4 (m4a) holding only an AAC tone."""
    rate = 44100
    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=rate)
        stream.layout = "mono"
        samples = (np.sin(np.arange(int(rate * seconds)) * 0.05) * 0.3).astype(np.float32)
        for start in range(0, samples.size, 1024):
            chunk = samples[start : start + 1024]
            frame = av.AudioFrame.from_ndarray(chunk[None, :], format="flt", layout="mono")
            frame.sample_rate = rate
            frame.pts = start
            frame.time_base = Fraction(1, rate)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def write_zero_frames(path: Path) -> Path:
    """A valid MP4 container with a video stream but not one frame."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        container.start_encoding()
    return path


def transform_clip(src: Path, dst: Path, transform, fps: float | None = None) -> Path:
    """Re-encode ``src`` with ``transform(image_bgr) -> image_bgr`` applied to every frame."""
    with VideoSource(src) as source:
        frames = [(transform(f.image_bgr), f.time_s) for f in source]
        rate = fps or source.info.fps
    height, width = frames[0][0].shape[:2]
    with H264Writer(dst, width, height, rate) as writer:
        for image, t in frames:
            writer.write(image, t)
    return dst


def corrupt_middle(src: Path, dst: Path, *, fraction: float = 0.1) -> Path:
    """Copy ``src`` with ``fraction`` of the bytes around its middle overwritten by noise."""
    data = bytearray(src.read_bytes())
    n = int(len(data) * fraction)
    start = len(data) // 2 - n // 2
    data[start : start + n] = np.random.default_rng(0).integers(0, 256, n, np.uint8).tobytes()
    dst.write_bytes(bytes(data))
    return dst


def truncate(src: Path, dst: Path, fraction: float) -> Path:
    """Copy the first ``fraction`` of ``src``'s bytes."""
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * fraction)])
    return dst
