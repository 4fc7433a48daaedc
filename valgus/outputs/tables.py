"""frames.csv and reps.csv: every per-frame and per-rep number for spreadsheets and pandas.

Every numeric column names its unit in its last word, so a researcher never
has to guess: ``_deg`` degrees, ``_s`` seconds, ``_px`` pixels of the upright
frame, ``_ratio`` a ratio of two lengths (dimensionless), ``_leg_lengths`` /
``_thigh_lengths`` a distance divided by the person's standing leg / thigh
length, ``_frame`` a frame number (0-based, as the ``frame`` index),
``_number`` a 1-based count (``shot_number``: which shot of the clip). The
``*_grade*`` columns are flag grades (0 within normal, 1 above normal range,
2 marked). Columns
without a number (``has_pose``, ``fppa_valid_*``, ``stance_side``) are
booleans or words. The Session's own column names stay as they are; only the
files carry the unit suffixes (`FRAME_UNITS`, `REP_UNITS`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from valgus.session import Session

UNIT_SUFFIXES = (
    "_deg",
    "_s",
    "_px",
    "_ratio",
    "_leg_lengths",
    "_thigh_lengths",
    "_frame",
    "_number",
)
# Flag grades are codes, not quantities: 0 within normal, 1 above normal range, 2 marked.
GRADE_COLUMNS = ("collapse_grade_left", "collapse_grade_right", "pelvic_grade")
# Words, not numbers ("left" / "right"); empty for bilateral squats, so a CSV reader
# may type the column as all-NaN floats.
TEXT_COLUMNS = ("stance_side",)

# Session column -> file column, for the columns whose name does not end in a unit.
FRAME_UNITS = {
    "thigh_ratio_left": "thigh_length_left_ratio",
    "thigh_ratio_right": "thigh_length_right_ratio",
    "knee_medial_left": "knee_medial_left_thigh_lengths",
    "knee_medial_right": "knee_medial_right_thigh_lengths",
    "kasr": "kasr_ratio",
    "kasr_change": "kasr_change_ratio",
    "khr": "khr_ratio",
    "shot": "shot_number",
    "depth": "depth_leg_lengths",
    "ankle_lift_left": "ankle_lift_left_leg_lengths",
    "ankle_lift_right": "ankle_lift_right_leg_lengths",
}
REP_UNITS = {
    "depth_bottom": "depth_bottom_leg_lengths",
    "kasr_bottom": "kasr_bottom_ratio",
    "kasr_change_bottom": "kasr_change_bottom_ratio",
    "khr_bottom": "khr_bottom_ratio",
    "knee_medial_bottom_left": "knee_medial_bottom_left_thigh_lengths",
    "knee_medial_bottom_right": "knee_medial_bottom_right_thigh_lengths",
}


def numeric_columns_without_unit(table: pd.DataFrame) -> list[str]:
    """Numeric (non-boolean) columns whose name does not end in a known unit."""
    return [
        str(c)
        for c in table.columns
        if pd.api.types.is_numeric_dtype(table[c])
        and not pd.api.types.is_bool_dtype(table[c])
        and not str(c).endswith(UNIT_SUFFIXES)
        and c not in GRADE_COLUMNS
        and c not in TEXT_COLUMNS
    ]


def frames_table(session: Session) -> pd.DataFrame:
    """One row per frame: time, every metric, stance leg and flag grades (units in names)."""
    table = session.frames.rename(columns=FRAME_UNITS)
    table.index.name = "frame"
    return table


def reps_table(session: Session) -> pd.DataFrame:
    """One row per rep (or single-leg hold), index ``rep`` (1-based), units in names."""
    rows = [rep.to_dict() for rep in session.reps]
    if not rows:
        return pd.DataFrame(columns=["rep"]).set_index("rep")
    table = pd.DataFrame(rows).rename(columns=REP_UNITS).set_index("index")
    table.index.name = "rep"
    return table


def write_tables(session: Session, folder: Path) -> None:
    """Write frames.csv and reps.csv into ``folder``."""
    frames_table(session).to_csv(folder / "frames.csv", float_format="%.4f")
    reps_table(session).to_csv(folder / "reps.csv", float_format="%.4f")
