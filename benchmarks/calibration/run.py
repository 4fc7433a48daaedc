"""Before / after tables of the calibration study.

Fill the accuracy benchmark's cache first (``python benchmarks/accuracy.py``,
~40 min on two cores from empty), then, from the repository root (a minute)::

    python -m benchmarks.calibration.run [--cache DIR]

FPPA is read as MediaPipe's own angle (``fppa_model_*``), so the study
re-derives the gain valgus ships rather than fitting on top of it.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

from benchmarks.accuracy import Pairs, agreement
from benchmarks.accuracy_set import DEFAULT_CACHE
from benchmarks.calibration.crossval import (
    SPLITS,
    Table,
    fppa_table,
    held_out,
    pelvic_table,
    rep_values,
)
from benchmarks.calibration.features import load_clips
from benchmarks.calibration.models import FPPA_MODELS, PELVIC_MODELS, Inverse, Regression, identity


def _score(predicted: np.ndarray, true: np.ndarray) -> dict:
    return agreement(Pairs(list(predicted), list(true), [0] * len(true)))


def _cell(a: dict) -> str:
    return f"{a['mae']:.2f} / {a['slope']:.2f}" if "mae" in a else "-"


def model_rows(
    table: Table, clips: list, models: tuple[Regression | Inverse, ...], reading: str
) -> str:
    """One row per model: rep-level MAE / slope in-sample and held out by each split."""
    head = "| model | in-sample | " + " | ".join(f"held-out {s}" for s in SPLITS) + " |"
    lines = [head, "|---" * (len(SPLITS) + 2) + "|"]
    before = identity(reading).predict(table.features)
    rows = [("as read (before)", [before] * (len(SPLITS) + 1))]
    for spec in models:
        preds = [held_out(table, spec, clips, split)[0] for split in (None, *SPLITS)]
        rows.append((spec.name, preds))
    for name, preds in rows:
        cells = [_cell(_score(*rep_values(table, p))) for p in preds]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def formulas(table: Table, clips: list, models: tuple[Regression | Inverse, ...]) -> str:
    """The in-sample fit of each model, and the spread of its coefficients over body folds."""
    lines = []
    for spec in models:
        _, fits = held_out(table, spec, clips, "body")
        coef = np.array([f.coef for f in fits[1:]])
        ranges = zip(coef.min(0), coef.max(0), strict=True)
        spread = ", ".join(f"{lo:+.2f}..{hi:+.2f}" for lo, hi in ranges)
        lines.append(f"- {spec.name}: `{fits[0].describe()}` (leave-one-body-out: {spread})")
    return "\n".join(lines)


def by_label(
    table: Table, clips: list, models: tuple[Regression | Inverse, ...], reading: str, label: str
) -> str:
    """Rep-level MAE / slope per value of ``label``, before and held out by body."""
    labels = {c.index: c.labels.get(label, "-") for c in clips}
    values = sorted({labels[c] for c in table.clip})
    head = "| model | " + " | ".join(f"{label} {v}" for v in values) + " |"
    lines = [head, "|---" * (len(values) + 1) + "|"]
    before = identity(reading).predict(table.features)
    rows = [("as read (before)", before)]
    rows += [(s.name, held_out(table, s, clips, "body")[0]) for s in models]
    group = np.array([labels[c] for c in table.clip], dtype=object)
    for name, predicted in rows:
        cells = []
        for v in values:
            rows_v = group == v
            part = Table(
                {k: f[rows_v] for k, f in table.features.items()},
                table.target[rows_v],
                table.clip[rows_v],
                table.rep[rows_v],
                table.scored[rows_v],
            )
            cells.append(_cell(_score(*rep_values(part, predicted[rows_v]))))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--clips", type=int, default=48)
    args = parser.parse_args(argv)
    # Reps without a valid frame (an FPPA gated out, a pelvis never grounded) are NaN by
    # design and left out of each fit; numpy's empty-slice warnings say nothing more.
    warnings.simplefilter("ignore", RuntimeWarning)
    clips = load_clips(args.cache, args.clips)
    pelvic, fppa = pelvic_table(clips), fppa_table(clips)
    out = [
        "Pelvic drop per rep (hold mean / bottom window), MAE deg / read-true slope:",
        "",
        model_rows(pelvic, clips, PELVIC_MODELS, "hip"),
        "",
        formulas(pelvic, clips, PELVIC_MODELS),
        "",
        "Pelvic drop by trunk mode and by movement (held out by body):",
        "",
        by_label(pelvic, clips, PELVIC_MODELS, "hip", "trunk"),
        "",
        by_label(pelvic, clips, PELVIC_MODELS, "hip", "movement"),
        "",
        "FPPA at rep bottoms, MAE deg / read-true slope:",
        "",
        model_rows(fppa, clips, FPPA_MODELS, "read"),
        "",
        formulas(fppa, clips, FPPA_MODELS),
        "",
        "FPPA at rep bottoms by movement and by view (held out by body):",
        "",
        by_label(fppa, clips, FPPA_MODELS, "read", "movement"),
        "",
        by_label(fppa, clips, FPPA_MODELS, "read", "view"),
    ]
    sys.stdout.write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
