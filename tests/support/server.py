"""Run a real ``valgus serve`` in a child process on a free loopback port.

Why a child process and not an in-process TestClient: what matters about this
server happens between processes (uploads streamed over a socket, analysis in
worker processes, a kill -9 in the middle of a job and a restart that resumes
it), so tests and demos drive the real command on a real port.
"""

from __future__ import annotations

import os
import re
import selectors
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

_URL = re.compile(r"valgus serve: (http://\S+?/)")


def child_pids(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (Linux /proc; empty elsewhere)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        match = re.search(r"^PPid:\s+(\d+)$", text, re.MULTILINE)
        if match and int(match.group(1)) == pid:
            found.append(int(status.parent.name))
    return found


def pid_alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


class ServerProcess:
    """``python -m valgus.cli.main serve --port 0 --data DATA ...`` as a context manager.

    Parameters
    ----------
    data_dir : Path
        The server's data directory (kept across restarts of the same test).
    args : tuple of str
        Further ``valgus serve`` options, e.g. ``("--max-upload-mb", "1")``.
    """

    def __init__(self, data_dir: Path, *, args: tuple[str, ...] = ()) -> None:
        self.data_dir = Path(data_dir)
        self.args = args
        self.process: subprocess.Popen | None = None
        self.url = ""
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}-server.log"

    def start(self, *, timeout_s: float = 60.0) -> str:
        """Start the server, wait until it answers, return its base URL."""
        command = [sys.executable, "-m", "valgus.cli.main", "serve", "--port", "0"]
        command += ["--data", str(self.data_dir), *self.args]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("VALGUS_TOKEN", None)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=log, env=env, text=True
            )
        deadline = time.monotonic() + timeout_s
        self.url = self._read_url(deadline)
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "api/health", timeout=2):
                    return self.url
            except urllib.error.HTTPError:  # answering, e.g. 401 without the token
                return self.url
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"valgus serve did not answer in time: {self.log()}")

    def _read_url(self, deadline: float) -> str:
        assert self.process is not None and self.process.stdout is not None
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if selector.select(timeout=0.2):
                line = self.process.stdout.readline()
                match = _URL.search(line)
                if match:
                    return match.group(1)
                if not line:
                    break
        raise RuntimeError(f"valgus serve did not start: {self.log()}")

    def log(self) -> str:
        """What the server wrote on stderr so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> list[int]:
        """Kill the server at once (SIGKILL, as a crash would); return its workers' pids."""
        assert self.process is not None
        workers = child_pids(self.process.pid)
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        return workers

    def stop(self) -> None:
        """Stop the server as Ctrl-C would, killing it if it does not end in time."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()
