"""Kinematics tables built by hand (the columns of CONTRACT.md), for tests of events and metrics."""

from __future__ import annotations

import numpy as np
import pandas as pd

from valgus.analysis.calibration import FPPA_GAIN


def make_frames(times_s, **columns) -> pd.DataFrame:
    """A kinematics table of a person standing still, with some columns replaced."""
    n = len(times_s)
    base = {
        "time_s": np.asarray(times_s, dtype=float),
        "has_pose": np.ones(n, dtype=bool),
        "lower_body_visible": np.ones(n, dtype=bool),
        "fppa_left_deg": np.zeros(n),
        "fppa_right_deg": np.zeros(n),
        "thigh_ratio_left": np.ones(n),
        "thigh_ratio_right": np.ones(n),
        "knee_flexion_left_deg": np.full(n, 20.0),
        "knee_flexion_right_deg": np.full(n, 20.0),
        "leg_visible_left": np.ones(n, dtype=bool),
        "leg_visible_right": np.ones(n, dtype=bool),
        "fppa_valid_left": np.ones(n, dtype=bool),
        "fppa_valid_right": np.ones(n, dtype=bool),
        "knee_medial_left": np.zeros(n),
        "knee_medial_right": np.zeros(n),
        "knee_sep_px": np.full(n, 100.0),
        "ankle_sep_px": np.full(n, 100.0),
        "hip_sep_px": np.full(n, 100.0),
        "kasr": np.ones(n),
        "kasr_change": np.ones(n),
        "khr": np.ones(n),
        "pelvic_obliquity_raw_deg": np.zeros(n),
        "pelvic_obliquity_deg": np.zeros(n),
        "depth": np.zeros(n),
        "ankle_lift_left": np.zeros(n),
        "ankle_lift_right": np.zeros(n),
        "trunk_lean_deg": np.zeros(n),
    }
    for name, values in columns.items():
        assert name in base, name
        base[name] = np.asarray(values, dtype=base[name].dtype)
    for side in ("left", "right"):  # the model's reading behind the calibrated one
        base[f"fppa_model_{side}_deg"] = base[f"fppa_{side}_deg"] / FPPA_GAIN
    return pd.DataFrame(base)
