"""Background analysis of uploaded clips: one job thread feeding worker processes.

Why this shape: run_clip_task (valgus.batch.task, the same unit ``valgus batch``
runs) belongs in a process of its own: it keeps a core busy for seconds per clip,
and a crash in MediaPipe's native code must not take the web server down. The job state lives in
SQLite, not in memory, so a reload of the page or a restart of the server loses
nothing: jobs left ``running`` by a killed server are queued again at start-up.

Why our own worker processes instead of a ProcessPoolExecutor: the server must
be able to stop at once (terminate a worker mid-clip; the job is simply queued
again), and a worker that dies in native code must fail only its own job. Each
worker stays warm between clips (imports and the model load are paid once) and
exits by itself when the server process disappears (a kill -9 leaves no orphan
analysing on).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from multiprocessing.connection import Connection, wait
from typing import Any

from valgus.batch.executors import end_process, exit_with_parent, receive_outcome, serve_tasks
from valgus.batch.task import ClipTask
from valgus.web.db import Database
from valgus.web.storage import DataDir

LOG = logging.getLogger("valgus.web")
MAX_ATTEMPTS = 3  # a clip interrupted this often fails instead of running again
POLL_S = 0.5  # how long the job thread sleeps when nothing happens
STARTUP_S = 3.0  # process start and model load, added to the progress estimate


def _exit_now(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def worker_main(conn: Connection, parent_pid: int) -> None:
    """Body of a worker process: run each ClipTask received, send back its ClipOutcome."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server; it stops us
    signal.signal(signal.SIGTERM, _exit_now)  # unwind, so half-written outputs are removed
    exit_with_parent(parent_pid)
    serve_tasks(conn)


class _Worker:
    """One worker process and the job it is running (None when idle)."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=worker_main, args=(child, os.getpid()), name="valgus-worker", daemon=True
        )
        self.process.start()
        child.close()
        self.job: dict[str, Any] | None = None

    def stop(self) -> None:
        """Close the pipe and end the process now (a running job is queued again)."""
        self.conn.close()
        end_process(self.process)


class JobRunner:
    """Run queued jobs from the database in up to ``workers`` processes.

    Parameters
    ----------
    db, data
        The app's database and data directory.
    workers : int
        Clips analysed at once (each needs about one CPU core).
    model : str
        Pose model for every clip ("lite" | "full" | "heavy" | path), as in ``valgus analyze``.
    mirror_average : bool
        Mirror-averaged landmarkers for every clip, as ``valgus analyze --mirror-average``.
    """

    def __init__(
        self,
        db: Database,
        data: DataDir,
        *,
        workers: int,
        model: str,
        mirror_average: bool = False,
    ) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.db, self.data, self.workers, self.model = db, data, workers, model
        self.mirror_average = mirror_average
        self._workers: list[_Worker] = []
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Queue again what a stopped server left running, then start the job thread."""
        resumed = self.db.requeue_interrupted(max_attempts=MAX_ATTEMPTS)
        if resumed:
            LOG.info("resuming %d interrupted job(s)", resumed)
        self._thread = threading.Thread(target=self._loop, name="valgus-jobs", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """A job was queued: look now instead of at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        """Stop the thread and the workers; jobs they were running are queued again."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        for worker in self._workers:
            if worker.job is not None:
                self.db.release_job(worker.job["job_id"])
            worker.stop()
        self._workers.clear()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._step()
            except Exception:  # the thread must outlive a bad moment (disk full, locked db)
                LOG.exception("job thread error")
                self._stop.wait(POLL_S)

    def _step(self) -> None:
        self._assign()
        busy = [w for w in self._workers if w.job is not None]
        if not busy:
            self._wake.wait(POLL_S)
            self._wake.clear()
            return
        wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=POLL_S)
        for worker in busy:
            self._collect(worker)

    def _assign(self) -> None:
        """Give queued jobs to idle workers, starting workers up to the limit."""
        for dead in [w for w in self._workers if w.job is None and not w.process.is_alive()]:
            dead.stop()
            self._workers.remove(dead)
        while not self._stop.is_set():
            idle = next((w for w in self._workers if w.job is None), None)
            if idle is None and len(self._workers) >= self.workers:
                return
            job = self.db.claim_job()
            if job is None:
                return
            try:
                if idle is None:
                    idle = _Worker()
                    self._workers.append(idle)
                idle.conn.send(self._task(job))
            except BaseException:  # no process could take it: it waits in the queue
                self.db.release_job(job["job_id"])
                raise
            idle.job = job

    def _task(self, clip: dict[str, Any]) -> ClipTask:
        return ClipTask(
            input_path=str(self.data.upload_path(clip["stored_name"])),
            out_folder=str(self.data.result_dir(clip["id"])),
            movement=clip["movement"],
            model=self.model,
            sex=clip["athlete_sex"],
            mirror_average=self.mirror_average,
            clip_name=clip["original_name"],
        )

    def _collect(self, worker: _Worker) -> None:
        """Record the outcome of a worker's job, or its crash."""
        job = worker.job
        if job is None:
            return
        outcome = receive_outcome(worker.conn)
        if outcome is not None:
            error = outcome.error
            if error:  # the coach knows the clip by its own name, not where we keep it
                error = error.replace(outcome.input_path, job["original_name"])
            self.db.finish_job(
                job["job_id"],
                ok=outcome.ok,
                exit_code=outcome.exit_code,
                error=error,
                seconds=outcome.seconds,
                summary=outcome.summary,
            )
            worker.job = None
        elif not worker.process.is_alive():
            code = worker.process.exitcode
            self.db.finish_job(
                job["job_id"],
                ok=False,
                exit_code=1,
                error=f"the analysis process stopped unexpectedly (exit code {code})",
                seconds=time.time() - (job["started_at"] or time.time()),
                summary=None,
            )
            worker.job = None
            worker.stop()
            self._workers.remove(worker)


def progress(clip: dict[str, Any], *, seconds_per_frame: float, now: float) -> dict[str, Any]:
    """How far a clip's job is: state, elapsed seconds and, while running, an estimate.

    run_clip_task reports nothing until it ends, so the fraction is estimated from
    the clip's frame count and the median seconds per frame of finished jobs; it is
    capped below 1 so a slow clip never shows 100 % before it is done.
    """
    state = clip["state"]
    out: dict[str, Any] = {"state": state, "elapsed_s": None, "fraction": None}
    if state == "running" and clip["started_at"]:
        elapsed = max(0.0, now - clip["started_at"])
        expected = STARTUP_S + seconds_per_frame * max(1, clip["frames"] or 1)
        out.update(elapsed_s=round(elapsed, 1), fraction=round(min(0.95, elapsed / expected), 3))
    elif state == "done":
        out.update(elapsed_s=clip["seconds"], fraction=1.0)
    elif state == "failed":
        out.update(elapsed_s=clip["seconds"])
    return out
