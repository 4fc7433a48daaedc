"""The command line a new user expects: --version, help for every option, exit codes, -q."""

from __future__ import annotations

import argparse
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.support.cli import assert_one_line_error, run_cli
from tests.support.paths import SAMPLES
from valgus.cli.main import build_parser
from valgus.errors import ValgusError


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_version_is_the_installed_one():
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"valgus {version('valgus')}"


def test_every_option_of_every_command_has_help():
    parser = build_parser()
    for name, sub in {"valgus": parser, **_subparsers(parser)}.items():
        for action in sub._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            assert action.help, f"{name} {action.option_strings or action.dest} has no help"


@pytest.mark.parametrize("args", [("--help",), ("analyze", "--help")])
def test_help_lists_every_exit_code_and_examples(args):
    text = run_cli(*args).stdout
    assert "examples:" in text and "valgus analyze squat.mp4" in text
    codes = {ValgusError.exit_code}
    pending = list(ValgusError.__subclasses__())
    while pending:
        error = pending.pop()
        codes.add(error.exit_code)
        pending += error.__subclasses__()
    listed = text.split("exit codes:", 1)[1]
    for code in sorted(codes | {0, 124, 130}):
        assert f"\n  {code:>3}  " in listed, code


def test_a_folder_given_to_analyze_points_to_batch(tmp_path):
    result = run_cli("analyze", tmp_path, "-o", tmp_path / "out")
    assert_one_line_error(result, 3, f"valgus batch {tmp_path}")


@pytest.mark.slow
def test_analyze_without_o_writes_to_the_default_folder_and_says_so(tmp_path):
    result = run_cli("analyze", SAMPLES / "squat_good.mp4", "-q", "--no-video", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    first, *rest = result.stdout.splitlines()
    assert first == "valgus: results go to valgus-results/ (choose another folder with -o)"
    assert (tmp_path / "valgus-results" / "squat_good" / "report.html").exists()
    assert rest[-1].startswith("valgus-results/squat_good: squat, 3 reps")


QUIET_CHILD = """
import os, sys
from valgus.pose.native_logs import quiet_native_logs
print("before", file=sys.stderr, flush=True)
try:
    with quiet_native_logs():
        os.write(2, b"W0000 landmark_projection_calculator.cc NORM_RECT\\n")  # as C++ writes
        print("python inside", file=sys.stderr)
        raise RuntimeError("raised inside")
except RuntimeError as exc:
    print(f"valgus: error: {exc}", file=sys.stderr)
os.write(2, b"native after\\n")
"""


def test_quiet_discards_native_stderr_only_while_a_clip_runs(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-c", QUIET_CHILD], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == ["before", "valgus: error: raised inside", "native after"]
