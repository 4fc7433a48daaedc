"""A corpus of broken and hostile inputs, built in a temp folder (nothing is committed).

Each case is a file that ``valgus analyze`` must end on with a clear outcome:
either a normal analysis, or one ``valgus: error: ...`` line with its own exit
code; never a traceback, never a hang. Cases are built from the bundled sample
clip so they stay small; each builder documents what it imitates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from tests.support.clips import (
    corrupt_middle,
    transform_clip,
    truncate,
    write_audio_only,
    write_frames,
)
from valgus.video.source import VideoSource
from valgus.video.writer import H264Writer

OK = 0  # analysed (possibly with warnings)
NOT_A_VIDEO, NO_PERSON, WRONG_VIEW, FRAMING, CORRUPT = 4, 5, 6, 7, 9


@dataclass(frozen=True)
class Case:
    """One corpus input and what a user must get from it.

    Attributes
    ----------
    name : str
    build : callable(folder) -> Path
        Writes the input into ``folder`` and returns its path.
    codes : tuple of int
        Acceptable exit codes (0 = analysed). More than one where either outcome
        is honest (e.g. a damaged file that still decodes enough to analyse).
    fragment : str
        Text the one error line must contain when the exit code is not 0.
    needs_shared : bool
        Built from ../shared/videos (the test skips when that is absent).
    xfail : str
        Non-empty: a known bug in code this corpus does not own, with the reason.
    """

    name: str
    build: Callable[[Path], Path]
    codes: tuple[int, ...]
    fragment: str = ""
    needs_shared: bool = False
    xfail: str = ""


def sample_frames(sample: Path, *, seconds: float | None = None) -> list[tuple[np.ndarray, float]]:
    """Decoded (image, time) pairs of ``sample``, optionally only the first ``seconds``."""
    with VideoSource(sample) as source:
        return [(f.image_bgr, f.time_s) for f in source if seconds is None or f.time_s < seconds]


def write_lossless(path: Path, frames: list[np.ndarray], fps: float = 30.0) -> Path:
    """FFV1 in Matroska: keeps any frame size, odd or 1x1, which H.264 yuv420p cannot."""
    height, width = frames[0].shape[:2]
    with av.open(str(path), "w") as container:
        stream = container.add_stream("ffv1", rate=Fraction(fps).limit_denominator(1001))
        stream.width, stream.height, stream.pix_fmt = width, height, "bgr0"
        for frame in frames:
            vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="bgr24")
            for packet in stream.encode(vf.reformat(format="bgr0")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def trim(src: Path, dst: Path, seconds: float, *, scale: float = 1.0) -> Path:
    """The first ``seconds`` of ``src``, resized by ``scale`` (even size, H.264)."""
    frames = sample_frames(src, seconds=seconds)
    h, w = frames[0][0].shape[:2]
    size = (max(round(w * scale) // 2 * 2, 2), max(round(h * scale) // 2 * 2, 2))
    with H264Writer(dst, *size, 30.0) as writer:
        for image, t in frames:
            writer.write(cv2.resize(image, size, interpolation=cv2.INTER_AREA), t)
    return dst


def _random_bytes(folder: Path) -> Path:
    path = folder / "noise.mp4"
    path.write_bytes(np.random.default_rng(3).bytes(200_000))
    return path


def _image_file(sample: Path) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        image = sample_frames(sample, seconds=0.05)[0][0]
        path = folder / "still.png"
        cv2.imwrite(str(path), image)
        return path

    return build


def _one_pixel(folder: Path) -> Path:
    frames = [np.full((1, 1, 3), 120 + i, np.uint8) for i in range(30)]
    return write_lossless(folder / "one_pixel.mkv", frames)


def _odd_size(sample: Path) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        frames = [cv2.resize(im, (241, 321)) for im, _ in sample_frames(sample, seconds=6.5)]
        return write_lossless(folder / "odd_241x321.mkv", frames)

    return build


def _four_k(sample: Path) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        # 1.5 s of a 3840x2160 frame with the sample person in the middle.
        path = folder / "uhd.mp4"
        with H264Writer(path, 3840, 2160, 30.0, preset="ultrafast") as writer:
            for image, t in sample_frames(sample, seconds=1.5):
                canvas = np.full((2160, 3840, 3), 180, np.uint8)
                person = cv2.resize(image, (1440, 1920))
                canvas[120:2040, 1200:2640] = person
                writer.write(canvas, t)
        return path

    return build


def _long_tiny(folder: Path) -> Path:
    # 10 000 frames of 64x48 (~5.6 min at 30 fps): a long clip must neither hang nor blow up.
    path = folder / "long_tiny.mp4"
    base = np.full((48, 64, 3), 100, np.uint8)
    with H264Writer(path, 64, 48, 30.0, preset="ultrafast") as writer:
        for i in range(10_000):
            base[:, :, 1] = i % 200
            writer.write(base)
    return path


def _vfr(sample: Path) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        # Phone-style variable frame rate: intervals alternate 25, 40 and 50 ms.
        frames = sample_frames(sample, seconds=6.5)[::2]
        steps = np.resize([0.025, 0.040, 0.050], len(frames))
        times = np.concatenate([[0.0], np.cumsum(steps[:-1])])
        path = folder / "vfr.mp4"
        h, w = frames[0][0].shape[:2]
        with H264Writer(path, w, h, 30.0) as writer:
            for (image, _), t in zip(frames, times, strict=True):
                writer.write(image, float(t))
        return path

    return build


def _two_people(sample: Path) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        frames = sample_frames(sample, seconds=6.5)
        other = [cv2.flip(im, 1) for im, _ in frames]  # a second, mirrored person
        both = [np.hstack([a, b]) for (a, _), b in zip(frames, other, strict=True)]
        return write_frames(folder / "two_people.mp4", both)

    return build


def _nobody(folder: Path) -> Path:
    frames = [np.full((240, 320, 3), 90 + i % 20, np.uint8) for i in range(45)]
    return write_frames(folder / "nobody.mp4", frames)


def _side_view(shared: Path) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        return trim(shared / "side" / "hsuhui_squat_test.mp4", folder / "side.mp4", 4.0, scale=0.5)

    return build


def _upside_down(sample: Path) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        return transform_clip(sample, folder / "upside_down.mp4", lambda im: im[::-1])

    return build


def cases(sample: Path, shared: Path) -> list[Case]:
    """The corpus: at least 15 broken or hostile inputs.

    ``sample`` is a bundled synthetic clip with one person squatting;
    ``shared`` is ../shared/videos (only the side-view case needs it).
    """
    return [
        Case("zero-bytes", lambda d: _touch(d / "empty.mp4"), (NOT_A_VIDEO,), "empty"),
        Case("random-bytes", _random_bytes, (NOT_A_VIDEO,), "not a video"),
        Case(
            "truncated-1pct", lambda d: truncate(sample, d / "t01.mp4", 0.01), (NOT_A_VIDEO,), "t01"
        ),
        Case(
            "truncated-30pct",
            lambda d: truncate(sample, d / "t30.mp4", 0.3),
            (OK, NOT_A_VIDEO, CORRUPT),
            "t30",
        ),
        Case(
            "truncated-70pct",
            lambda d: truncate(sample, d / "t70.mp4", 0.7),
            (OK, NOT_A_VIDEO, CORRUPT),
            "t70",
        ),
        Case(
            "corrupt-middle",
            lambda d: corrupt_middle(sample, d / "corrupt.mp4", fraction=0.1),
            (OK, CORRUPT),
            "corrupt",
        ),
        Case("audio-only", lambda d: write_audio_only(d / "tone.m4a"), (NOT_A_VIDEO,), "audio"),
        Case(
            "image-file",
            _image_file(sample),
            (NOT_A_VIDEO,),
            "still.png",
        ),
        Case("one-pixel", _one_pixel, (NOT_A_VIDEO, NO_PERSON), "one_pixel"),
        Case("odd-size", _odd_size(sample), (OK,)),
        Case("4k", _four_k(sample), (OK,)),
        Case("10000-frames-tiny", _long_tiny, (NO_PERSON,), "no person"),
        Case("variable-frame-rate", _vfr(sample), (OK,)),
        Case("two-people", _two_people(sample), (OK,)),
        Case("nobody", _nobody, (NO_PERSON,), "no person"),
        Case("side-view", _side_view(shared), (WRONG_VIEW,), "side", needs_shared=True),
        Case(
            "upside-down",
            _upside_down(sample),
            (WRONG_VIEW,),
            "upside down",
        ),
    ]


def sample_clip(folder: Path) -> Path:
    """A small rendered squat (360x480, two reps, ~5 s): the person most cases start from."""
    from valgus.synth.render import SynthSpec, render

    spec = SynthSpec(
        movement="squat",
        reps=2,
        knee_collapse_deg=10.0,
        width=360,
        height=480,
        lead_in_s=0.6,
        tail_s=0.4,
        pause_s=0.3,
        rep_s=1.6,
    )
    return render(spec, folder / "sample.mp4")


def _touch(path: Path) -> Path:
    path.write_bytes(b"")
    return path


@dataclass(frozen=True)
class Outcome:
    """What ``valgus analyze`` did with one case."""

    name: str
    code: int | None  # None: killed at the timeout (a hang)
    stderr: str
    seconds: float

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("valgus: error:")]


def judge(case: Case, outcome: Outcome) -> str:
    """Empty when the outcome is clear and expected, else what is wrong with it."""
    if outcome.code is None:
        return f"no answer within the timeout ({outcome.seconds:.0f} s)"
    if "Traceback" in outcome.stderr:
        return "traceback: " + outcome.stderr.strip().splitlines()[-1]
    if outcome.code not in case.codes:
        return f"exit code {outcome.code}, expected one of {case.codes}: {outcome.stderr.strip()}"
    if outcome.code != OK:
        lines = outcome.error_lines
        if len(lines) != 1:
            return f"expected one 'valgus: error:' line, got {len(lines)}: {outcome.stderr!r}"
        if case.fragment.lower() not in lines[0].lower():
            return f"error line lacks {case.fragment!r}: {lines[0]}"
    return ""


def run_case(path: Path, out: Path, *, timeout_s: float) -> tuple[int | None, str, float]:
    """Run ``valgus analyze PATH -o OUT -q --no-video`` in a fresh process."""
    import subprocess
    import sys
    import time

    start = time.perf_counter()
    command = [sys.executable, "-m", "valgus.cli.main", "analyze", str(path), "-o", str(out)]
    try:
        done = subprocess.run(
            [*command, "-q", "--no-video"], capture_output=True, text=True, timeout=timeout_s
        )
    except subprocess.TimeoutExpired as exc:
        stderr = exc.stderr.decode() if isinstance(exc.stderr, bytes) else exc.stderr or ""
        return None, stderr, time.perf_counter() - start
    return done.returncode, done.stderr, time.perf_counter() - start


def run_corpus(
    corpus: list[Case], folder: Path, *, timeout_s: float = 240.0, workers: int = 2
) -> dict[str, Outcome]:
    """Build every case in ``folder`` and analyse each in its own process, ``workers`` at once."""
    from concurrent.futures import ThreadPoolExecutor

    def one(case: Case) -> Outcome:
        work = folder / case.name
        work.mkdir(parents=True, exist_ok=True)
        path = case.build(work)
        code, stderr, seconds = run_case(path, work / "out", timeout_s=timeout_s)
        return Outcome(case.name, code, stderr, seconds)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return {o.name: o for o in pool.map(one, corpus)}
