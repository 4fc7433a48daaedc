"""How well does the model agree with coaches? A ``valgus reference export`` folder, read back.

Each row of the export's ``index.csv`` is one frame on which a coach placed the
joint centres; the coach's angle is taken as the truth (Munro 2012's raters
agree to an SEM of 2.7-3.0 deg, so nothing here can be read finer than that).
Per metric, and per camera view and movement: n, MAE, bias (model - coach), 95%
limits of agreement (bias +/- 1.96 SD; Bland & Altman 1986) and the read/true
slope (least squares of the model's value on the coach's; 1 reads changes at
their size) with r.

Metrics: FPPA as valgus reports it (frames.csv: filtered points x the
calibration gain) and from MediaPipe's raw points without the gain, both knees
pooled, only where valgus judged FPPA valid (elsewhere the angle means nothing,
design.md section 5); pelvic obliquity (hip line against the horizontal) as
valgus read it and from the raw points, against the coach's hip line and, where
placed, the coach's ASIS line.

    python benchmarks/accuracy.py --reference OUT
    python benchmarks/reference_agreement.py OUT
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

SIDES = ("left", "right")
# (label, model column, coach column, per side, needs FPPA valid)
METRICS = (
    ("FPPA, valgus", "model_fppa_{}_deg", "coach_fppa_{}_deg", True),
    ("FPPA, second model", "second_model_fppa_{}_deg", "coach_fppa_{}_deg", True),
    ("FPPA, model raw", "model_raw_fppa_{}_deg", "coach_fppa_{}_deg", True),
    ("Pelvic obliquity, valgus", "model_pelvic_obliquity_deg", "coach_pelvic_obliquity_deg", False),
    (
        "Pelvic obliquity, model raw",
        "model_raw_pelvic_obliquity_deg",
        "coach_pelvic_obliquity_deg",
        False,
    ),
    (
        "Pelvic obliquity vs coach ASIS",
        "model_pelvic_obliquity_deg",
        "coach_asis_obliquity_deg",
        False,
    ),
)


def _float(text: str | None) -> float:
    try:
        return float(text) if text not in (None, "") else math.nan
    except ValueError:
        return math.nan


def read_index(folder: Path) -> list[dict[str, str]]:
    """The rows of ``folder/index.csv``; ValueError when it is not a reference export."""
    index = Path(folder) / "index.csv"
    if not index.is_file():
        raise ValueError(f"{folder} is not a valgus reference export (no index.csv)")
    with index.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def pairs(rows: list[dict[str, str]], model: str, coach: str, per_side: bool) -> list[tuple]:
    """(model, coach, view, movement) for every finite pair; per side only where FPPA is valid."""
    out = []
    for row in rows:
        for side in SIDES if per_side else (None,):
            if side and row.get(f"fppa_valid_{side}") != "True":
                continue
            m, c = _float(row.get(model.format(side))), _float(row.get(coach.format(side)))
            if math.isfinite(m) and math.isfinite(c):
                out.append((m, c, row.get("view") or "?", row.get("movement") or "?"))
    return out


def agreement(model: np.ndarray, coach: np.ndarray) -> dict[str, float]:
    """n, MAE, bias, 95% limits of agreement, read/true slope and r of model against coach."""
    d = model - coach
    out = {"n": float(d.size), "mae": math.nan, "bias": math.nan, "loa_low": math.nan}
    out.update(loa_high=math.nan, slope=math.nan, r=math.nan)
    if d.size == 0:
        return out
    out.update(mae=float(np.abs(d).mean()), bias=float(d.mean()))
    if d.size >= 2:
        sd = float(d.std(ddof=1))
        out.update(loa_low=out["bias"] - 1.96 * sd, loa_high=out["bias"] + 1.96 * sd)
        if np.ptp(coach) > 0:
            out["slope"] = float(np.polyfit(coach, model, 1)[0])
            out["r"] = float(np.corrcoef(model, coach)[0, 1])
    return out


def agreement_table(rows: list[dict[str, str]]) -> list[dict]:
    """One entry per metric and group (all, then each view / movement)."""
    table = []
    for label, model, coach, per_side in METRICS:
        found = pairs(rows, model, coach, per_side)
        groups: dict[str, list[tuple]] = defaultdict(list)
        for item in found:
            groups["all"].append(item)
            groups[f"{item[2]} / {item[3]}"].append(item)
        for group in ["all", *sorted(g for g in groups if g != "all")]:
            values = np.array([(m, c) for m, c, *_ in groups[group]], dtype=float).reshape(-1, 2)
            table.append({"metric": label, "group": group, **agreement(values[:, 0], values[:, 1])})
    return table


def _cell(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}" if math.isfinite(value) else "-"


def format_table(table: list[dict], frames: int) -> str:
    """A markdown table of ``agreement_table`` (degrees)."""
    lines = [
        f"Model against coach on {frames} corrected frames (degrees; bias = model - coach)",
        "",
        "| metric | view / movement | n | MAE | bias | 95% LoA | slope | r |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for t in table:
        loa = f"{_cell(t['loa_low'])} to {_cell(t['loa_high'])}"
        lines.append(
            f"| {t['metric']} | {t['group']} | {int(t['n'])} | {_cell(t['mae'])} | "
            f"{_cell(t['bias'])} | {loa} | {_cell(t['slope'])} | {_cell(t['r'])} |"
        )
    return "\n".join(lines)


def print_agreement(folder: Path) -> int:
    """Print the table for an export folder; 2 with one line when it is not one."""
    try:
        rows = read_index(folder)
    except ValueError as exc:
        sys.stderr.write(f"reference_agreement: error: {exc}\n")
        return 2
    sys.stdout.write(format_table(agreement_table(rows), len(rows)) + "\n")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="a valgus reference export folder")
    sys.exit(print_agreement(parser.parse_args().folder))
