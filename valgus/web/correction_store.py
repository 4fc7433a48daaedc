"""Coaches' corrections in the app's SQLite file, beside the notes.

Why a row per save and undo as a mark rather than a delete: who corrected what
and when is the provenance of reference data, so every save stays on record; the
current correction of a frame is its newest row not undone. A save names the
correction it started from (``base_id``, None for the model's points) and is
refused if another save came in between, so two coaches on one frame never
overwrite each other unseen. Rows go with their clip (ON DELETE CASCADE).

Each save is one ``BEGIN IMMEDIATE`` transaction: the check and the insert hold
the write lock together, and a server killed mid-save leaves the row either
committed whole or absent (SQLite's journal), never half-written.
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
CREATE TABLE IF NOT EXISTS corrections (
    id INTEGER PRIMARY KEY,
    clip_id INTEGER NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
    frame INTEGER NOT NULL CHECK (frame >= 0),
    time_s REAL NOT NULL,
    coach TEXT NOT NULL,
    points_json TEXT NOT NULL,
    model_json TEXT NOT NULL,
    angles_json TEXT NOT NULL,
    created_at REAL NOT NULL,
    undone_at REAL
);
CREATE INDEX IF NOT EXISTS corrections_clip ON corrections(clip_id, frame, id);
"""
_JSON_COLUMNS = ("points", "model", "angles")


class StaleCorrection(Exception):
    """Another save reached the frame first; ``current`` is the correction now in force."""

    def __init__(self, current: dict[str, Any] | None) -> None:
        super().__init__("stale correction")
        self.current = current


class CorrectionStore:
    """The ``corrections`` table; each method opens, commits and closes its own connection."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        with self._connect() as conn:
            conn.executescript(SCHEMA)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # Autocommit mode: each method opens its own transaction with BEGIN IMMEDIATE.
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys=ON")
        try:
            yield conn
        finally:
            conn.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def save(
        self,
        clip_id: int,
        *,
        frame: int,
        time_s: float,
        coach: str,
        points: dict[str, Any],
        model: dict[str, Any],
        angles: dict[str, Any],
        base_id: int | None,
    ) -> dict[str, Any]:
        """Record a correction of ``frame``; StaleCorrection if ``base_id`` is not current."""
        with self._write() as conn:
            current = _current(conn, clip_id, frame)
            if (current["id"] if current else None) != base_id:
                raise StaleCorrection(current)
            row = conn.execute(
                "INSERT INTO corrections (clip_id, frame, time_s, coach, points_json,"
                " model_json, angles_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " RETURNING *",
                (
                    clip_id,
                    frame,
                    time_s,
                    coach,
                    json.dumps(points),
                    json.dumps(model),
                    json.dumps(angles),
                    time.time(),
                ),
            ).fetchone()
            return _row(row)

    def get(self, clip_id: int, correction_id: int) -> dict[str, Any] | None:
        """One correction of ``clip_id`` (undone or not), or None (also for another clip's id)."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT * FROM corrections WHERE id = ? AND clip_id = ?", (correction_id, clip_id)
            ).fetchone()
        return _row(row) if row else None

    def current(self, clip_id: int, frame: int | None = None) -> list[dict[str, Any]]:
        """The correction in force on each corrected frame of a clip (or on one frame)."""
        sql = (
            "SELECT * FROM corrections c WHERE clip_id = ? AND undone_at IS NULL AND id ="
            " (SELECT MAX(id) FROM corrections d WHERE d.clip_id = c.clip_id"
            " AND d.frame = c.frame AND d.undone_at IS NULL)"
        )
        params: tuple = (clip_id,)
        if frame is not None:
            sql += " AND frame = ?"
            params += (frame,)
        with self._connect() as conn:
            rows = conn.execute(sql + " ORDER BY frame", params).fetchall()
        return [_row(r) for r in rows]

    def history(self, clip_id: int) -> list[dict[str, Any]]:
        """Every save on a clip, undone ones included, oldest first."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT * FROM corrections WHERE clip_id = ? ORDER BY id", (clip_id,)
            ).fetchall()
        return [_row(r) for r in rows]

    def undo(self, clip_id: int, correction_id: int) -> bool:
        """Mark one correction undone (the frame falls back to the one before); False if none."""
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE corrections SET undone_at = ? WHERE id = ? AND clip_id = ?"
                " AND undone_at IS NULL",
                (time.time(), correction_id, clip_id),
            )
            return cur.rowcount == 1

    def reset(self, clip_id: int, frame: int) -> int:
        """Undo every correction of a frame (back to the model's points); return how many."""
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE corrections SET undone_at = ? WHERE clip_id = ? AND frame = ?"
                " AND undone_at IS NULL",
                (time.time(), clip_id, frame),
            )
            return cur.rowcount

    def all_current(self) -> list[dict[str, Any]]:
        """The corrections in force on every clip (for the reference export), by clip and frame."""
        with self._connect() as conn:
            ids = [r["clip_id"] for r in conn.execute("SELECT DISTINCT clip_id FROM corrections")]
        return [c for clip_id in sorted(ids) for c in self.current(clip_id)]


def _current(conn: sqlite3.Connection, clip_id: int, frame: int) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT * FROM corrections WHERE clip_id = ? AND frame = ? AND undone_at IS NULL"
        " ORDER BY id DESC LIMIT 1",
        (clip_id, frame),
    ).fetchone()
    return _row(row) if row else None


def _row(row: sqlite3.Row) -> dict[str, Any]:
    out = dict(row)
    for name in _JSON_COLUMNS:
        out[name] = json.loads(out.pop(f"{name}_json"))
    return out
