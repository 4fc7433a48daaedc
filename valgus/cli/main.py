"""The ``valgus`` command: its parser, ``valgus analyze``, and dispatch to the other commands.

Every error a user can cause ends as one line on stderr and a distinct exit
code (valgus.errors); a bad clip among several never stops the others.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from valgus.cli.options import (
    add_analysis_options,
    add_mirror_average_option,
    add_refine_option,
    add_video_size_option,
    positive_int,
    settings_from,
)
from valgus.clip_task import EXIT_TIMED_OUT
from valgus.errors import ValgusError

EXIT_INTERRUPTED = 130


DEFAULT_ANALYZE_OUT = Path("valgus-results")


def exit_code_lines() -> str:
    """The exit codes of every command, from the error classes that set them."""
    codes = {0: "success", EXIT_INTERRUPTED: "interrupted (Ctrl-C)"}
    codes[ValgusError.exit_code] = "any other problem with the input"
    codes[EXIT_TIMED_OUT] = "(batch, serve) a clip ran past --clip-timeout"
    for error in _error_classes(ValgusError):
        doc = (error.__doc__ or error.__name__).strip().splitlines()[0].rstrip(".")
        codes.setdefault(error.exit_code, doc[0].lower() + doc[1:])
    lines = [f"  {code:>3}  {text}" for code, text in sorted(codes.items())]
    return "\n".join([*lines, "  (several clips: the code of the first that failed)"])


def _error_classes(base: type[ValgusError]) -> list[type[ValgusError]]:
    found = []
    for sub in base.__subclasses__():
        found += [sub, *_error_classes(sub)]
    return found


def _epilog(examples: str) -> str:
    return f"examples:\n{examples}\n\nexit codes:\n{exit_code_lines()}"


ANALYZE_EXAMPLES = (
    "  valgus analyze squat.mp4                 # results in ./valgus-results/squat/\n"
    "  valgus analyze a.mov b.mov -o out --sex f --movement single-leg-squat"
)


def _add_analyze(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "analyze",
        help="analyse squat / single-leg clips for knee valgus and pelvic drop",
        description="Analyse one or more clips; each clip's report, annotated video and "
        "data go to OUTDIR/<clip-name>/. For a folder of clips, use valgus batch.",
        epilog=_epilog(ANALYZE_EXAMPLES),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="video files")
    p.add_argument(
        "-o",
        "--out",
        type=Path,
        metavar="OUTDIR",
        help=f"folder for the results, one sub-folder per clip (default: ./{DEFAULT_ANALYZE_OUT}/)",
    )
    add_analysis_options(p)
    p.add_argument(
        "--from-pose",
        action="store_true",
        help="PATHs are pose.npz files (or output folders): re-analyse without the model",
    )
    p.add_argument(
        "--corrections",
        type=Path,
        metavar="FILE",
        help="a coach's corrections of the clip's points (JSON from valgus serve): "
        "report.html shows the coach's FPPA beside the model's; one clip only",
    )
    p.add_argument("--no-video", action="store_true", help="skip the annotated video")
    add_video_size_option(p)
    p.add_argument(
        "--jobs",
        type=positive_int,
        metavar="N",
        help="pose landmarkers running on time segments of a clip at once "
        "(default: one per core when the clip is long enough to pay off)",
    )
    add_mirror_average_option(p)
    add_refine_option(p)
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress bars and no log lines from the pose model; errors still show",
    )


# Commands implemented in their own modules: each has add_arguments(parser) and run(args).
COMMAND_MODULES = {
    "synth": (
        "valgus.synth.cli",
        "render a synthetic figure clip with known collapse / pelvic drop",
    ),
    "batch": ("valgus.batch.cli", "analyse many clips on a process pool or a Dask cluster"),
    "live": ("valgus.live.cli", "live webcam analysis with real-time cues"),
    "serve": ("valgus.web.cli", "local web app where coaches upload and review clips"),
    "reference": (
        "valgus.web.reference_cli",
        "export the coaches' corrections of valgus serve as reference data",
    ),
}


def _add_module_commands(subparsers: argparse._SubParsersAction) -> None:
    for name, (module_name, help_text) in COMMAND_MODULES.items():
        module = importlib.import_module(module_name)
        module.add_arguments(subparsers.add_parser(name, help=help_text, description=help_text))


class _VersionAction(argparse.Action):
    """``--version``: the version is looked up only when asked for (valgus.__version__)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(
            option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="show the version"
        )

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        import valgus

        sys.stdout.write(f"valgus {valgus.__version__}\n")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``valgus`` command."""
    parser = argparse.ArgumentParser(
        prog="valgus",
        description="Screen squats and single-leg tests on video for knee valgus and pelvic drop.",
        epilog=_epilog(
            "  valgus analyze squat.mp4       # report in ./valgus-results/squat/report.html\n"
            "  valgus serve                   # web app for coaches on http://127.0.0.1:8000"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_VersionAction)
    subparsers = parser.add_subparsers(dest="command", required=True)
    _add_analyze(subparsers)
    _add_module_commands(subparsers)
    return parser


def _run_analyze(args: argparse.Namespace) -> int:
    from valgus.cli.analyze import analyze_many

    out = args.out
    if out is None:  # as valgus live does: a default folder, said before the work starts
        out = DEFAULT_ANALYZE_OUT
        sys.stdout.write(f"valgus: results go to {out}/ (choose another folder with -o)\n")
        sys.stdout.flush()
    return analyze_many(
        args.paths,
        out,
        settings_from(args, write_video=not args.no_video, jobs=args.jobs),
        from_pose=args.from_pose,
        show_progress=not args.quiet,
        corrections=args.corrections,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: parse, run, turn user errors into one line and an exit code."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "analyze":
            return _run_analyze(args)
        module = importlib.import_module(COMMAND_MODULES[args.command][0])
        return module.run(args)
    except ValgusError as exc:
        sys.stderr.write(f"valgus: error: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("valgus: interrupted\n")
        return EXIT_INTERRUPTED


def console_main() -> int:
    """The ``valgus`` command: :func:`main`, then a quick exit.

    Interpreter shutdown garbage-collects every object the analysis stack made
    (pandas, MediaPipe): 0.4 s measured on every run. Outputs are
    written and closed by now, so the objects are frozen out of that collection.
    Only for the command: a process that calls :func:`main` keeps collecting.
    """
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(console_main())
