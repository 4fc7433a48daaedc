"""``valgus reference export``: the coaches' corrections of a ``valgus serve`` data folder.

Why a command beside the app's button: a researcher handed a copy of the data
folder (or the coach, on the machine that serves) exports without starting a
server; both write the same folder (valgus.web.reference).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from valgus.errors import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Subcommands of ``valgus reference``."""
    commands = parser.add_subparsers(dest="reference_command", required=True)
    export = commands.add_parser(
        "export",
        help="write every corrected frame (picture, points, angles) and an index.csv",
        description="Write every corrected frame of a valgus serve data folder: the picture, "
        "the coach's and the model's points, both angles, and index.csv.",
    )
    export.add_argument(
        "--data",
        type=Path,
        metavar="DIR",
        help="the valgus serve data folder (default: the per-user one valgus serve uses)",
    )
    export.add_argument(
        "-o", "--out", type=Path, required=True, metavar="OUT", help="new or empty folder"
    )
    export.add_argument(
        "--pseudonymise",
        action="store_true",
        help="numbered labels instead of athlete, session, clip and coach names and ids",
    )


def run(args: argparse.Namespace) -> int:
    """Export; one line says how many frames went where."""
    from valgus.web.cli import default_data_dir
    from valgus.web.reference import export_reference

    try:
        count = export_reference(
            args.data or default_data_dir(), args.out, pseudonymise=args.pseudonymise
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    sys.stdout.write(f"valgus: {count} corrected frames exported to {args.out}\n")
    return 0
