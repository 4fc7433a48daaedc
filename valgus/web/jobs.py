"""Background analysis of uploaded clips: one job thread feeding worker processes.

Why this shape: run_clip_task (valgus.clip_task, the same unit ``valgus batch``
runs) belongs in a process of its own: it keeps a core busy for seconds per clip,
and a crash in MediaPipe's native code must not take the web server down. The
processes are ``valgus batch``'s LocalPool (warm between clips, stopped at once,
gone when the server is). The job state lives in SQLite, not in memory, so a
reload of the page or a restart of the server loses nothing: jobs left
``running`` by a killed server are queued again at start-up.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from typing import Any

from valgus.batch.executors import LocalPool
from valgus.clip_task import ClipOutcome, ClipTask
from valgus.settings import AnalysisSettings
from valgus.web.db import Database
from valgus.web.storage import DataDir

LOG = logging.getLogger("valgus.web")
MAX_ATTEMPTS = 3  # a clip interrupted this often fails instead of running again
POLL_S = 0.5  # how long the job thread sleeps when nothing happens
STARTUP_S = 3.0  # process start and model load, added to the progress estimate


class JobRunner:
    """Run queued jobs from the database in up to ``workers`` processes.

    Parameters
    ----------
    db, data
        The app's database and data directory.
    workers : int
        Clips analysed at once (each needs about one CPU core).
    settings : AnalysisSettings
        The server's choices for every clip (model, mirror averaging); each
        clip's own movement and the athlete's sex are filled in per job.
    clip_timeout_s : float or None
        A clip still running after this long is stopped; its job fails (LocalPool).
    """

    def __init__(
        self,
        db: Database,
        data: DataDir,
        *,
        workers: int,
        settings: AnalysisSettings,
        clip_timeout_s: float | None = None,
    ) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.db, self.data, self.workers, self.settings = db, data, workers, settings
        # Processes start with the first job.
        self._pool = LocalPool(workers, clip_timeout_s=clip_timeout_s)
        self._jobs: dict[str, dict[str, Any]] = {}  # out_folder -> the job running there
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
        for job in self._jobs.values():
            self.db.release_job(job["job_id"])
        self._jobs.clear()
        self._pool.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._step()
            except Exception:  # the thread must outlive a bad moment (disk full, locked db)
                LOG.exception("job thread error")
                self._stop.wait(POLL_S)

    def _step(self) -> None:
        self._assign()
        if not self._jobs:
            self._wake.wait(POLL_S)
            self._wake.clear()
            return
        for outcome in self._pool.wait(timeout=POLL_S):
            self._record(outcome)

    def _assign(self) -> None:
        """Give queued jobs to idle workers, starting workers up to the limit."""
        while not self._stop.is_set() and len(self._jobs) < self._pool.capacity():
            job = self.db.claim_job()
            if job is None:
                return
            task = self._task(job)
            try:
                self._pool.submit(task)
            except BaseException:  # no process could take it: it waits in the queue
                self.db.release_job(job["job_id"])
                raise
            self._jobs[task.out_folder] = job

    def _task(self, clip: dict[str, Any]) -> ClipTask:
        return ClipTask(
            input_path=str(self.data.upload_path(clip["stored_name"])),
            out_folder=str(self.data.result_dir(clip["id"])),
            settings=replace(self.settings, movement=clip["movement"], sex=clip["athlete_sex"]),
            clip_name=clip["original_name"],
        )

    def _record(self, outcome: ClipOutcome) -> None:
        """Store a finished job's outcome (a crashed worker's arrives as a failed one)."""
        job = self._jobs.pop(outcome.out_folder)
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
