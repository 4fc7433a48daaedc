"""Where clips run: worker processes on this machine, or a Dask distributed cluster.

Both backends have the same small surface, so the batch driver does not care:

- ``capacity()``: how many clips may be in flight at once;
- ``submit(task)``: start one (the driver never exceeds the capacity);
- ``wait()``: block until at least one finishes; return the finished outcomes;
- ``close()``: stop at once (clips still running are abandoned).

Why the driver keeps at most ``capacity()`` clips in flight instead of handing
everything over at once: ``--fail-fast``, Ctrl-C and a kill then leave at most
one clip per worker unfinished, and nothing queued in a pool or on a scheduler
carries on after the batch has stopped.

Why our own worker processes and not concurrent.futures.ProcessPoolExecutor:
a worker that dies in MediaPipe's native code (or is killed for memory) must
fail only its own clip, whereas a broken ProcessPoolExecutor fails every clip
in flight; and stopping must not wait for running clips to end. Workers ignore
Ctrl-C (the batch stops them) and exit by themselves when the batch process
disappears, so a ``kill -9`` leaves no orphan analysing on.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from multiprocessing.connection import Connection, wait
from typing import Any

from valgus.clip_task import (
    ClipOutcome,
    ClipTask,
    lost_outcome,
    run_clip_task,
    timed_out_outcome,
)
from valgus.errors import UsageError

PARENT_CHECK_S = 0.5
CONNECT_TIMEOUT_S = 20
PROBE_TIMEOUT_S = 5


def _check_listening(address: str) -> None:
    """Fail at once when nothing listens at a ``tcp://HOST:PORT`` scheduler address.

    Dask retries a refused connection until its timeout: a mistyped port cost
    the user 20 s before this one-line error. Other schemes are left to Dask.
    """
    scheme, _, rest = address.partition("://")
    host, _, port = rest.rpartition(":")
    if scheme != "tcp" or not host or not port.isdigit():
        return
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=PROBE_TIMEOUT_S):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise UsageError(f"cannot reach the Dask scheduler at {address}: {reason}") from exc


def exit_with_parent(parent_pid: int) -> None:
    """Exit this worker process as soon as the process that started it is gone.

    A killed batch or web server must not leave orphans analysing on.
    """

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_S)
        os._exit(1)

    threading.Thread(target=watch, name="valgus-watch-parent", daemon=True).start()


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore Ctrl-C while starting workers, which then inherit SIG_IGN from birth.

    Without it, a Ctrl-C reaches every worker too (same terminal process group)
    and each prints a traceback, e.g. from the middle of its imports. A Ctrl-C
    within the block itself is lost (the block is short). Signal handlers can
    only be changed in the main thread; elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def end_process(process: Any) -> None:
    """Terminate a worker process that is still running; kill it if it will not go."""
    if process.is_alive():
        process.terminate()
    process.join(timeout=5)
    if process.is_alive():
        process.kill()
        process.join(timeout=5)


def serve_tasks(conn: Connection) -> None:
    """Run each ClipTask received on ``conn`` and send back its outcome, until it closes.

    The loop of every local worker process (``valgus batch`` and ``valgus serve``).
    Workers show no progress bars, so tqdm gets a thread lock: its default is a
    multiprocessing lock, a named semaphore that a worker stopped mid-clip (by
    ``--clip-timeout`` or a server shutdown) leaves for Python to warn about.
    """
    from tqdm import tqdm

    tqdm.set_lock(threading.RLock())
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(run_clip_task(task))


def receive_outcome(conn: Connection) -> ClipOutcome | None:
    """The outcome a worker has sent, if one is waiting (None: nothing yet, or the pipe broke)."""
    if not conn.poll():
        return None
    try:
        return conn.recv()
    except (EOFError, OSError):
        return None


def _exit_now(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def worker_main(conn: Connection, parent_pid: int) -> None:
    """Body of a local worker process: run each ClipTask received, send back its outcome."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent; it stops us
    signal.signal(signal.SIGTERM, _exit_now)  # unwind, so half-written outputs are removed
    exit_with_parent(parent_pid)
    serve_tasks(conn)


class _Worker:
    """One worker process and the clip it is running (None when idle)."""

    def __init__(self, context: Any) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=worker_main, args=(child, os.getpid()), name="valgus-worker", daemon=True
        )
        with _sigint_ignored():  # inherited: no KeyboardInterrupt while the worker imports
            self.process.start()
        child.close()
        self.task: ClipTask | None = None
        self.started = 0.0

    @property
    def label(self) -> str:
        """HOST:PID, as run_clip_task names the worker in a ClipOutcome."""
        return f"{socket.gethostname()}:{self.process.pid}"

    def stop(self) -> None:
        """Idle: let it leave its loop (a clean exit); busy: terminate it now."""
        self.conn.close()
        if self.task is None:
            self.process.join(timeout=2)
        end_process(self.process)


class LocalPool:
    """Up to ``workers`` processes on this machine, each analysing one clip at a time.

    The pool of ``valgus batch`` and of ``valgus serve``'s job thread. Its own
    processes rather than a ProcessPoolExecutor: stopping must be immediate (a
    worker is terminated mid-clip), and a crash in MediaPipe's native code must
    fail only that worker's clip.

    Processes start on demand (spawn: no fork of a process that may hold
    threads) and stay warm between clips. With ``clip_timeout_s``, a clip still
    running after that long is stopped with its process (a file that makes a
    decoder hang must not hold a worker for the rest of the night).
    """

    is_local = True

    def __init__(self, workers: int, *, clip_timeout_s: float | None = None) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        if clip_timeout_s is not None and not clip_timeout_s > 0:
            raise ValueError(f"clip_timeout_s must be > 0, got {clip_timeout_s}")
        self._size = workers
        self._clip_timeout_s = clip_timeout_s
        self._context = multiprocessing.get_context("spawn")
        self._workers: list[_Worker] = []

    def capacity(self) -> int:
        """Clips that may run at once."""
        return self._size

    def submit(self, task: ClipTask) -> None:
        """Give ``task`` to an idle worker, starting one if fewer than ``workers`` run."""
        for dead in [w for w in self._workers if w.task is None and not w.process.is_alive()]:
            dead.stop()  # died while idle (e.g. killed for memory): never send it work
            self._workers.remove(dead)
        worker = next((w for w in self._workers if w.task is None), None)
        if worker is None:
            if len(self._workers) >= self._size:
                raise RuntimeError("all workers are busy: submit at most capacity() tasks")
            worker = _Worker(self._context)
            self._workers.append(worker)
        worker.task, worker.started = task, time.perf_counter()
        worker.conn.send(task)

    def wait(self, timeout: float | None = None) -> list[ClipOutcome]:
        """Block until a clip finishes, a worker dies, a clip runs out of time or
        ``timeout`` seconds pass (None: no limit); return what finished."""
        busy = [w for w in self._workers if w.task is not None]
        if not busy:
            return []
        limits = [t for t in (timeout, self._time_left(busy)) if t is not None]
        wait([w.conn for w in busy] + [w.process.sentinel for w in busy], min(limits, default=None))
        finished = [o for o in map(self._collect, busy) if o is not None]
        return finished + self._stop_overdue()

    def _time_left(self, busy: list[_Worker]) -> float | None:
        """Seconds until the first busy clip runs out of time (None: no clip limit)."""
        if self._clip_timeout_s is None:
            return None
        first_deadline = min(w.started for w in busy) + self._clip_timeout_s
        return max(0.0, first_deadline - time.perf_counter())

    def _stop_overdue(self) -> list[ClipOutcome]:
        if self._clip_timeout_s is None:
            return []
        now, limit, outcomes = time.perf_counter(), self._clip_timeout_s, []
        for worker in [w for w in self._workers if w.task is not None]:
            if now - worker.started < limit:
                continue
            outcomes.append(
                timed_out_outcome(
                    worker.task,
                    limit,
                    seconds=now - worker.started,
                    worker=worker.label,
                )
            )
            worker.stop()
            self._workers.remove(worker)
        return outcomes

    def _collect(self, worker: _Worker) -> ClipOutcome | None:
        task = worker.task
        if task is None:
            return None
        outcome = receive_outcome(worker.conn)
        if outcome is not None:
            worker.task = None
            return outcome
        if worker.process.is_alive():
            return None
        code = worker.process.exitcode
        outcome = lost_outcome(
            task,
            f"the analysis process stopped unexpectedly (exit code {code}: "
            "a crash, or killed for lack of memory)",
            seconds=time.perf_counter() - worker.started,
            worker=worker.label,
        )
        worker.stop()
        self._workers.remove(worker)
        return outcome

    def close(self) -> None:
        """Stop every worker now; clips they were running are abandoned."""
        for worker in self._workers:
            worker.stop()
        self._workers.clear()


class DaskBackend:
    """Clips as Dask futures on a distributed cluster (``Client.submit`` / ``as_completed``).

    Parameters
    ----------
    client : distributed.Client
    cluster : distributed.LocalCluster, optional
        Closed with the backend when this batch started it.
    max_in_flight : int, optional
        Use at most this many of the cluster's threads (``--workers``).
    """

    is_local = False

    def __init__(self, client: Any, *, cluster: Any = None, max_in_flight: int | None = None):
        from distributed import as_completed

        self._client, self._cluster, self._limit = client, cluster, max_in_flight
        self._completed = as_completed()
        self._running: dict[str, tuple[Any, ClipTask, float]] = {}

    @classmethod
    def connect(cls, address: str, *, max_in_flight: int | None = None) -> DaskBackend:
        """Use the running cluster whose scheduler listens at ``address`` (tcp://HOST:PORT)."""
        _check_listening(address)
        from distributed import Client

        try:
            client = Client(address, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError) as exc:
            raise UsageError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
        return cls(client, max_in_flight=max_in_flight)

    @classmethod
    def local_cluster(cls, workers: int) -> DaskBackend:
        """Start a LocalCluster of ``workers`` single-threaded processes on loopback."""
        from distributed import Client, LocalCluster

        with _sigint_ignored():  # workers inherit it: Ctrl-C stops the batch, which stops them
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,  # MediaPipe keeps one core busy per clip
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
        return cls(Client(cluster), cluster=cluster)

    def capacity(self) -> int:
        """The cluster's threads now (it may grow or shrink), capped by ``max_in_flight``."""
        threads = max(1, sum(self._client.nthreads().values()))
        return min(threads, self._limit) if self._limit else threads

    def submit(self, task: ClipTask) -> None:
        """Submit ``task``; the key names the clip on the Dask dashboard."""
        key = f"valgus-clip-{os.path.basename(task.out_folder)}-{uuid.uuid4().hex[:8]}"
        future = self._client.submit(run_clip_task, task, key=key, pure=False)
        self._running[future.key] = (future, task, time.perf_counter())
        self._completed.add(future)

    def wait(self) -> list[ClipOutcome]:
        """Block until at least one future is done; a lost task becomes a failed outcome."""
        if not self._running:
            return []
        outcomes = []
        for future in self._completed.next_batch(block=True):
            _, task, started = self._running.pop(future.key)
            if future.status == "finished":
                outcomes.append(future.result())
            else:
                reason = repr(future.exception()) if future.status == "error" else future.status
                outcomes.append(
                    lost_outcome(
                        task,
                        f"the Dask cluster could not run this clip: {reason}",
                        seconds=time.perf_counter() - started,
                    )
                )
            future.release()
        return outcomes

    def close(self) -> None:
        """Cancel what is still running, disconnect, stop the cluster if we started it."""
        if self._running:
            self._client.cancel([future for future, _, _ in self._running.values()])
            self._running.clear()
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def default_workers() -> int:
    """Cores this process may use (MediaPipe keeps about one busy per clip)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)
