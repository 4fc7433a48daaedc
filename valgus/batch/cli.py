"""``valgus batch``: analyse many clips on a local process pool or a Dask cluster.

Re-running the same command resumes: clips whose results are complete and
whose input is unchanged are skipped. Exit code 0 when every clip succeeded,
else the exit code of the first failed clip (in input order), as ``valgus analyze``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from tqdm import tqdm

from valgus.batch.driver import Backend, BatchOptions, BatchResult, Clip, run_batch
from valgus.batch.executors import DaskBackend, LocalPool, default_workers
from valgus.cli.options import (
    add_analysis_options,
    add_clip_timeout_option,
    add_mirror_average_option,
    add_refine_option,
    add_video_size_option,
    positive_int,
    settings_from,
)
from valgus.clip_task import error_line, summary_line, warning_lines
from valgus.errors import UsageError
from valgus.pose.model_download import OFFICIAL_SPECS
from valgus.pose.model_files import BUNDLED_NAME, resolve_model


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``valgus batch`` (those of ``valgus analyze`` plus where to run)."""
    parser.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="video files, folders (searched recursively for video files) or quoted glob "
        "patterns ('uploads/**/*.mov')",
    )
    parser.add_argument(
        "-o",
        "--out",
        type=Path,
        required=True,
        metavar="OUTDIR",
        help="folder for the results: one sub-folder per clip, index.html and summary.csv",
    )
    parser.add_argument(
        "--workers",
        type=positive_int,
        metavar="N",
        help="clips analysed at once (default: this machine's cores; with --scheduler: "
        "every thread of the cluster)",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="run on this Dask cluster (workers need valgus installed, and INPUTs and OUTDIR "
        "on storage they share, at the same paths)",
    )
    where.add_argument(
        "--cluster",
        choices=("local",),
        help="start a Dask LocalCluster on this machine (to try out Dask)",
    )
    add_analysis_options(parser)
    add_mirror_average_option(parser)
    add_refine_option(parser)
    parser.add_argument("--no-video", action="store_true", help="skip the annotated videos")
    add_video_size_option(parser)
    parser.add_argument(
        "--fail-fast", action="store_true", help="stop at the first clip that fails"
    )
    add_clip_timeout_option(parser, note="; process pool only (Dask cannot stop a task)")
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress bar and no log lines from the pose model; errors still show",
    )


def _model_spec(text: str) -> str:
    """Named models stay names (each worker resolves them); a path becomes absolute."""
    if text in (BUNDLED_NAME, *OFFICIAL_SPECS):
        return text
    return str(Path(text).expanduser().resolve())


def _backend_factory(args: argparse.Namespace) -> Callable[[int], Backend]:
    def start(n_clips: int) -> Backend:
        if args.scheduler:
            return DaskBackend.connect(args.scheduler, max_in_flight=args.workers)
        workers = min(args.workers or default_workers(), n_clips)
        if args.cluster == "local":
            return DaskBackend.local_cluster(workers)
        return LocalPool(workers, clip_timeout_s=args.clip_timeout)

    return start


def _print_clip(clip: Clip) -> None:
    """One line per finished clip, written around the progress bar."""
    outcome = clip.outcome
    if clip.status == "done" and outcome is not None and outcome.summary:
        for line in warning_lines(clip.path, outcome.summary):
            tqdm.write(line, file=sys.stderr)
        tqdm.write(summary_line(clip.folder, outcome.summary), file=sys.stdout)
        return
    tqdm.write(error_line(clip.path, clip.row.get("error")), file=sys.stderr)


def _final_line(result: BatchResult) -> str:
    analysed = result.count("done", skipped=False)
    skipped = result.count("done", skipped=True)
    failed = result.count("failed")
    missing = result.count("not analysed")
    parts = [f"{analysed} analysed", f"{skipped} already up to date", f"{failed} failed"]
    if missing:
        parts.append(f"{missing} not analysed")
    overview = result.out_dir / "index.html"
    clips = f"{len(result.clips)} clip{'' if len(result.clips) == 1 else 's'}"
    return f"{clips}: {', '.join(parts)}; overview: {overview}\n"


def run(args: argparse.Namespace) -> int:
    """Run ``valgus batch``; return 0 if no clip failed, else the first failure's exit code."""
    if args.clip_timeout is not None and (args.scheduler or args.cluster):
        raise UsageError("--clip-timeout needs the process pool: Dask cannot stop a running task")
    model = _model_spec(args.model)
    # Several clips at once already fill the cores: one landmarker per clip.
    jobs = 1 if args.scheduler or (args.workers or default_workers()) > 1 else None
    settings = settings_from(args, model=model, write_video=not args.no_video, jobs=jobs)
    if not args.scheduler:
        resolve_model(model)  # once here: a missing model is one error, not one per clip
    options = BatchOptions(
        settings=settings,
        fail_fast=args.fail_fast,
        show_progress=not args.quiet,
        quiet=args.quiet,
    )
    result = run_batch(
        args.inputs,
        args.out,
        options=options,
        start_backend=_backend_factory(args),
        on_clip=_print_clip,
    )
    sys.stdout.write(_final_line(result))
    return result.exit_code
