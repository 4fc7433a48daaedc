"""Reading columns of the per-frame table: checked names, NaN-safe arrays.

Why: every analysis stage reads the kinematics table; a missing column must
fail with its name, and a missing boolean must read as False, the same way
everywhere.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def require_columns(frames: pd.DataFrame, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in frames.columns]
    if missing:
        raise ValueError(f"frames is missing column(s): {', '.join(missing)}")


def bool_column(frames: pd.DataFrame, column: str) -> np.ndarray:
    """A boolean column as an array, with missing values as False."""
    return frames[column].fillna(False).to_numpy(dtype=bool)


def float_column(frames: pd.DataFrame, column: str) -> np.ndarray:
    return frames[column].to_numpy(dtype=float)
