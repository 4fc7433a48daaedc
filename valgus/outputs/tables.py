"""frames.csv and reps.csv: every per-frame and per-rep number for spreadsheets and pandas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from valgus.session import Session


def frames_table(session: Session) -> pd.DataFrame:
    """One row per frame: time, every metric, stance leg and flag grades."""
    table = session.frames.copy()
    table.index.name = "frame"
    return table


def reps_table(session: Session) -> pd.DataFrame:
    """One row per rep (or single-leg hold) with the metrics of valgus.events.RepMetrics."""
    rows = [rep.to_dict() for rep in session.reps]
    return pd.DataFrame(rows).set_index("index") if rows else pd.DataFrame()


def write_tables(session: Session, folder: Path) -> None:
    """Write frames.csv and reps.csv into ``folder``."""
    frames_table(session).to_csv(folder / "frames.csv", float_format="%.4f")
    reps_table(session).to_csv(folder / "reps.csv", float_format="%.4f")
