"""SQLite store of ``valgus serve``: athletes, their sessions, clips, analysis jobs, notes.

Why SQLite (stdlib sqlite3) and a short connection per call: the job state must
outlive the server process (a restart resumes unfinished jobs), the request
threads and the job thread all write, and WAL mode with one connection per
operation needs no locking of our own. Times are Unix epoch seconds (floats).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS athletes (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    sex TEXT CHECK (sex IN ('f', 'm')),
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY,
    athlete_id INTEGER NOT NULL REFERENCES athletes(id),
    label TEXT NOT NULL,
    created_at REAL NOT NULL,
    UNIQUE (athlete_id, label)
);
CREATE TABLE IF NOT EXISTS clips (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    movement TEXT NOT NULL,
    original_name TEXT NOT NULL,
    stored_name TEXT NOT NULL UNIQUE,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    width INTEGER, height INTEGER, fps REAL, frames INTEGER, duration_s REAL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY,
    clip_id INTEGER NOT NULL UNIQUE REFERENCES clips(id),
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    exit_code INTEGER,
    error TEXT,
    summary_json TEXT,
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    seconds REAL
);
CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY,
    clip_id INTEGER NOT NULL REFERENCES clips(id),
    body TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state, id);
CREATE INDEX IF NOT EXISTS notes_clip ON notes(clip_id, id);
"""

# One row of the clip listing: the clip with its athlete, session and job.
_CLIP_SELECT = """
SELECT c.*, s.label AS session_label, s.athlete_id, a.name AS athlete_name, a.sex AS athlete_sex,
       j.id AS job_id, j.state, j.attempts, j.exit_code, j.error, j.summary_json,
       j.started_at, j.finished_at, j.seconds
FROM clips c JOIN sessions s ON s.id = c.session_id JOIN athletes a ON a.id = s.athlete_id
JOIN jobs j ON j.clip_id = c.id
"""

# Seconds per frame assumed for the progress estimate before any job has finished.
DEFAULT_SECONDS_PER_FRAME = 0.04


class Database:
    """The app's SQLite file; each method opens, commits and closes its own connection."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(SCHEMA)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=30)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys=ON")
        try:
            with conn:  # commit on success, roll back on error
                yield conn
        finally:
            conn.close()

    # athletes and sessions -------------------------------------------------------------
    def athlete_id(self, name: str, *, sex: str | None = None) -> int:
        """Id of the athlete called ``name`` (case-insensitive), created if new."""
        with self._connect() as conn:
            row = conn.execute("SELECT id, sex FROM athletes WHERE name = ?", (name,)).fetchone()
            if row is None:
                cur = conn.execute(
                    "INSERT INTO athletes (name, sex, created_at) VALUES (?, ?, ?)",
                    (name, sex, time.time()),
                )
                return int(cur.lastrowid)
            if sex and row["sex"] != sex:
                conn.execute("UPDATE athletes SET sex = ? WHERE id = ?", (sex, row["id"]))
            return int(row["id"])

    def session_id(self, athlete_id: int, label: str) -> int:
        """Id of the athlete's session ``label``, created if new."""
        with self._connect() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO sessions (athlete_id, label, created_at) VALUES (?, ?, ?)",
                (athlete_id, label, time.time()),
            )
            row = conn.execute(
                "SELECT id FROM sessions WHERE athlete_id = ? AND label = ?", (athlete_id, label)
            ).fetchone()
            return int(row["id"])

    def athletes(self) -> list[dict[str, Any]]:
        """Every athlete with their sessions (newest first) and clip counts."""
        with self._connect() as conn:
            athletes = [dict(r) for r in conn.execute("SELECT * FROM athletes ORDER BY name")]
            sessions = conn.execute(
                "SELECT s.*, COUNT(c.id) AS clips FROM sessions s "
                "LEFT JOIN clips c ON c.session_id = s.id GROUP BY s.id ORDER BY s.id DESC"
            ).fetchall()
        for athlete in athletes:
            athlete["sessions"] = [dict(s) for s in sessions if s["athlete_id"] == athlete["id"]]
        return athletes

    # clips -------------------------------------------------------------------------------
    def add_clip(self, session_id: int, movement: str, clip: dict[str, Any]) -> tuple[int, int]:
        """Insert a stored clip and its queued job in one transaction; return (clip id, job id).

        ``clip`` holds original_name, stored_name, size_bytes, sha256, width, height,
        fps, frames and duration_s.
        """
        now = time.time()
        with self._connect() as conn:
            cur = conn.execute(
                "INSERT INTO clips (session_id, movement, original_name, stored_name, size_bytes,"
                " sha256, width, height, fps, frames, duration_s, created_at)"
                " VALUES (:session_id, :movement, :original_name, :stored_name, :size_bytes,"
                " :sha256, :width, :height, :fps, :frames, :duration_s, :created_at)",
                {**clip, "session_id": session_id, "movement": movement, "created_at": now},
            )
            clip_id = int(cur.lastrowid)
            cur = conn.execute(
                "INSERT INTO jobs (clip_id, state, created_at) VALUES (?, 'queued', ?)",
                (clip_id, now),
            )
            return clip_id, int(cur.lastrowid)

    def clip(self, clip_id: int) -> dict[str, Any] | None:
        """One clip with its athlete, session and job, or None."""
        with self._connect() as conn:
            row = conn.execute(_CLIP_SELECT + " WHERE c.id = ?", (clip_id,)).fetchone()
        return _clip_row(row) if row else None

    def clips(
        self, *, athlete_id: int | None = None, session_id: int | None = None, limit: int = 200
    ) -> list[dict[str, Any]]:
        """Clips, newest first, optionally of one athlete or one session."""
        where, params = [], []
        if athlete_id is not None:
            where.append("s.athlete_id = ?")
            params.append(athlete_id)
        if session_id is not None:
            where.append("c.session_id = ?")
            params.append(session_id)
        sql = _CLIP_SELECT + (" WHERE " + " AND ".join(where) if where else "")
        with self._connect() as conn:
            rows = conn.execute(sql + " ORDER BY c.id DESC LIMIT ?", (*params, limit)).fetchall()
        return [_clip_row(r) for r in rows]

    def delete_clip(self, clip_id: int) -> dict[str, Any] | None:
        """Delete a clip that is not being analysed, with its job, notes and corrections.

        Returns the deleted clip (for its files), None if there was none; ValueError
        while its job runs (the worker is writing its results). The corrections go by
        their foreign key (ON DELETE CASCADE, valgus.web.correction_store).
        """
        clip = self.clip(clip_id)
        if clip is None:
            return None
        with self._connect() as conn:
            # The write first, so the job thread cannot claim the job between check and delete.
            cur = conn.execute(
                "DELETE FROM jobs WHERE clip_id = ? AND state != 'running'", (clip_id,)
            )
            if cur.rowcount == 0:
                raise ValueError(f"clip {clip_id} is being analysed; delete it when it is done")
            conn.execute("DELETE FROM notes WHERE clip_id = ?", (clip_id,))
            conn.execute("DELETE FROM clips WHERE id = ?", (clip_id,))
        return clip

    def session(self, session_id: int) -> dict[str, Any] | None:
        """One session with its athlete's name, or None."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT s.*, a.name AS athlete_name FROM sessions s "
                "JOIN athletes a ON a.id = s.athlete_id WHERE s.id = ?",
                (session_id,),
            ).fetchone()
        return dict(row) if row else None

    # jobs --------------------------------------------------------------------------------
    def claim_job(self) -> dict[str, Any] | None:
        """Mark the oldest queued job running and return it with its clip, or None."""
        with self._connect() as conn:
            row = conn.execute(
                "UPDATE jobs SET state = 'running', attempts = attempts + 1, started_at = ?,"
                " error = NULL WHERE id = (SELECT id FROM jobs WHERE state = 'queued'"
                " ORDER BY id LIMIT 1) RETURNING clip_id",
                (time.time(),),
            ).fetchone()
        return self.clip(int(row["clip_id"])) if row else None

    def finish_job(
        self,
        job_id: int,
        *,
        ok: bool,
        exit_code: int,
        error: str | None,
        seconds: float,
        summary: dict | None,
    ) -> None:
        """Record the outcome of a job."""
        with self._connect() as conn:
            conn.execute(
                "UPDATE jobs SET state = ?, exit_code = ?, error = ?, seconds = ?,"
                " summary_json = ?, finished_at = ? WHERE id = ?",
                (
                    "done" if ok else "failed",
                    exit_code,
                    error,
                    seconds,
                    json.dumps(summary) if summary is not None else None,
                    time.time(),
                    job_id,
                ),
            )

    def requeue_interrupted(self, *, max_attempts: int) -> int:
        """At start-up: jobs left running by a stopped server run again; return how many.

        A job that was interrupted ``max_attempts`` times is failed instead, so a clip
        that kills the server every time cannot keep it in a crash loop.
        """
        with self._connect() as conn:
            conn.execute(
                "UPDATE jobs SET state = 'failed', exit_code = 1, finished_at = ?,"
                " error = 'the analysis was interrupted ' || attempts || ' times; retry it'"
                " WHERE state = 'running' AND attempts >= ?",
                (time.time(), max_attempts),
            )
            cur = conn.execute("UPDATE jobs SET state = 'queued' WHERE state = 'running'")
            return cur.rowcount

    def release_job(self, job_id: int) -> None:
        """A job stopped with the server (not by its clip): queue it again, uncounted."""
        with self._connect() as conn:
            conn.execute(
                "UPDATE jobs SET state = 'queued', attempts = MAX(attempts - 1, 0)"
                " WHERE id = ? AND state = 'running'",
                (job_id,),
            )

    def retry_job(self, job_id: int) -> bool:
        """Queue a failed job again; False if it is not failed."""
        with self._connect() as conn:
            cur = conn.execute(
                "UPDATE jobs SET state = 'queued', attempts = 0, error = NULL, exit_code = NULL"
                " WHERE id = ? AND state = 'failed'",
                (job_id,),
            )
            return cur.rowcount == 1

    def seconds_per_frame(self) -> float:
        """Median analysis time per frame of recent finished jobs (for progress estimates)."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT j.seconds / c.frames AS spf FROM jobs j JOIN clips c ON c.id = j.clip_id"
                " WHERE j.state = 'done' AND c.frames > 0 AND j.seconds > 0"
                " ORDER BY j.id DESC LIMIT 20"
            ).fetchall()
        values = sorted(r["spf"] for r in rows)
        return values[len(values) // 2] if values else DEFAULT_SECONDS_PER_FRAME

    # notes -------------------------------------------------------------------------------
    def add_note(self, clip_id: int, body: str) -> dict[str, Any]:
        """Save a note on a clip and return it."""
        with self._connect() as conn:
            row = conn.execute(
                "INSERT INTO notes (clip_id, body, created_at) VALUES (?, ?, ?) RETURNING *",
                (clip_id, body, time.time()),
            ).fetchone()
        return dict(row)

    def notes(self, clip_id: int) -> list[dict[str, Any]]:
        """The notes on a clip, oldest first."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT * FROM notes WHERE clip_id = ? ORDER BY id", (clip_id,)
            ).fetchall()
        return [dict(r) for r in rows]

    def delete_note(self, note_id: int) -> bool:
        """Delete a note; False if there was none."""
        with self._connect() as conn:
            return conn.execute("DELETE FROM notes WHERE id = ?", (note_id,)).rowcount == 1


def _clip_row(row: sqlite3.Row) -> dict[str, Any]:
    out = dict(row)
    summary = out.pop("summary_json")
    out["summary"] = json.loads(summary) if summary else None
    return out
