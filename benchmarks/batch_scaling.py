"""Clips per minute of ``valgus batch`` with 1 and 2 (or more) workers on the same set of clips.

Scaling efficiency of N workers = (clips/min with N) / (N x clips/min with 1);
the goal is >= 0.85 where the machine has a free core per worker. Since frames
are decoded on a thread beside inference (valgus.video.prefetch), one worker alone
uses ~1.5 cores when they are free, so on a 2-core machine the 1-worker
baseline already takes most of the machine and 2 workers cannot double it;
``--pin`` gives N workers exactly N cores, which measures scaling per core.
Every run starts from an empty output
folder and includes the workers' start-up (imports, model load), as a user's
run would. Runs are interleaved (1, 2, 1, 2, ...) and the median is taken.
The load average is printed before and after: on a machine others are using,
the figures say more about them than about valgus, so each run also prints the
cores valgus used on average and the cores other processes used meanwhile.

    python benchmarks/batch_scaling.py [--copies 2] [--workers 1 2] [--runs 1] [--pin] [--dask]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from valgus.batch.driver import BatchOptions, run_batch  # noqa: E402
from valgus.batch.executors import DaskBackend, LocalPool  # noqa: E402
from valgus.settings import AnalysisSettings  # noqa: E402

SAMPLES = sorted((REPO / "sample_videos").glob("*.mp4"))


def make_set(folder: Path, copies: int) -> list[Path]:
    """``copies`` of every bundled sample, each in its own subfolder (distinct clips)."""
    paths = []
    for copy in range(copies):
        for sample in SAMPLES:
            target = folder / f"set{copy}" / sample.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(sample, target)
            paths.append(target)
    return paths


def _our_cpu_s() -> float:
    """CPU seconds of this process and its reaped children (the workers)."""
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _busy_cpu_s() -> float:
    """CPU seconds the whole machine has been busy (everyone's work)."""
    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)


@dataclass(frozen=True)
class Run:
    """One timed batch: wall seconds, and cores used on average by valgus and by others."""

    seconds: float
    our_cores: float
    other_cores: float


@contextlib.contextmanager
def cores_limited(n: int | None) -> Iterator[None]:
    """Run on the first ``n`` cores only (workers inherit it); None leaves all cores."""
    if n is None:
        yield
        return
    everything = os.sched_getaffinity(0)
    os.sched_setaffinity(0, sorted(everything)[:n])
    try:
        yield
    finally:
        os.sched_setaffinity(0, everything)


def timed_batch(clips: Path, workers: int, *, dask: bool, video: bool, pin: bool) -> Run:
    """One batch run into a fresh output folder; every clip must succeed."""
    with tempfile.TemporaryDirectory() as out, cores_limited(workers if pin else None):

        def start(n_clips: int):
            size = min(workers, n_clips)
            return DaskBackend.local_cluster(size) if dask else LocalPool(size)

        ours, busy, begin = _our_cpu_s(), _busy_cpu_s(), time.perf_counter()
        result = run_batch(
            [clips],
            Path(out),
            options=BatchOptions(settings=AnalysisSettings(write_video=video), show_progress=False),
            start_backend=start,
        )
        seconds = time.perf_counter() - begin
        ours, busy = _our_cpu_s() - ours, _busy_cpu_s() - busy
    done = result.count("done")
    if done != len(result.clips):
        raise RuntimeError(f"only {done} of {len(result.clips)} clips succeeded")
    return Run(seconds, ours / seconds, max(0.0, busy - ours) / seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=2, help="copies of the 4 samples")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--dask", action="store_true", help="a Dask LocalCluster, not the pool")
    parser.add_argument("--video", action="store_true", help="also write annotated videos")
    parser.add_argument(
        "--pin",
        action="store_true",
        help="give N workers exactly N cores: measures scaling per core (without it, one "
        "worker also uses spare cores: the decode prefetch thread runs beside inference)",
    )
    args = parser.parse_args()
    if 1 not in args.workers:
        parser.error("--workers must include 1 (the baseline)")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"cores {cores}, load average before {os.getloadavg()[0]:.2f}")
    seconds: dict[int, list[float]] = {n: [] for n in args.workers}
    with tempfile.TemporaryDirectory() as tmp:
        clips = Path(tmp) / "clips"
        n_clips = len(make_set(clips, args.copies))
        for _ in range(args.runs):
            for n in args.workers:
                run = timed_batch(clips, n, dask=args.dask, video=args.video, pin=args.pin)
                seconds[n].append(run.seconds)
                print(
                    f"  {n} worker(s): {run.seconds:.1f} s; cores used by valgus "
                    f"{run.our_cores:.2f}, by other processes {run.other_cores:.2f}",
                    flush=True,
                )
    backend = "Dask LocalCluster" if args.dask else "process pool"
    pinned = ", N workers on N cores" if args.pin else ""
    print(f"{n_clips} clips ({backend}, video {'on' if args.video else 'off'}{pinned})")
    print(f"{'workers':>7s} {'seconds':>8s} {'clips/min':>9s} {'speed-up':>8s} {'efficiency':>10s}")
    base = n_clips / statistics.median(seconds[1]) * 60
    for n in args.workers:
        rate = n_clips / statistics.median(seconds[n]) * 60
        print(
            f"{n:7d} {statistics.median(seconds[n]):8.1f} {rate:9.2f} "
            f"{rate / base:8.2f} {rate / base / n:10.2f}"
        )
    print(f"load average after {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
