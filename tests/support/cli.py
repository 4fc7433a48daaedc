"""Running the ``valgus`` command as a user would, and checking its one-line errors."""

from __future__ import annotations

import subprocess
import sys


def run_cli(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "valgus.cli.main", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


def assert_one_line_error(result, code: int, fragment: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("valgus: error:")]
    assert len(lines) == 1 and fragment in lines[0], result.stderr
