"""Fit on some clips, score on the others: leave one body, room, view, movement or trunk out.

Why grouped folds: a correction that only works for the bodies or rooms it
was fitted on is worthless for a person we never rendered. Each split holds
out every clip with one label value (one body shape, say), fits on the rest,
predicts the held-out clips, and pools the held-out predictions over the
folds; the scores are those pooled predictions against the truth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from benchmarks.calibration.features import ClipData
from benchmarks.calibration.models import Features, Fitted, Inverse, Regression

SPLITS = ("body", "room", "view", "movement", "trunk")


@dataclass(frozen=True)
class Table:
    """Rows of one metric: features per row, target, the clip and rep each row came from."""

    features: dict[str, np.ndarray]
    target: np.ndarray
    clip: np.ndarray
    rep: np.ndarray  # rep number within the clip (-1: none)
    scored: np.ndarray  # rows that make a rep's value (the others only train)

    def take(self, rows: np.ndarray) -> Features:
        return {k: v[rows] for k, v in self.features.items()}


def pelvic_table(clips: Sequence[ClipData]) -> Table:
    """Every single-leg frame inside a true rep or hold (fitted on all, scored at the peaks)."""
    parts = [(c.index, c.pelvic) for c in clips if c.pelvic is not None]
    inside = [p.rep >= 0 for _, p in parts]
    cat = lambda name: np.concatenate(  # noqa: E731
        [getattr(p, name)[m] for (_, p), m in zip(parts, inside, strict=True)]
    )
    return Table(
        features={"hip": cat("hip"), "shoulder": cat("shoulder"), "lean": cat("lean")},
        target=cat("true"),
        clip=np.concatenate([np.full(m.sum(), i) for (i, _), m in zip(parts, inside, strict=True)]),
        rep=cat("rep"),
        scored=cat("peak"),
    )


def fppa_table(clips: Sequence[ClipData]) -> Table:
    """Every loaded leg at every true rep bottom."""
    rows = [(c.index, k, b) for c in clips for k, b in enumerate(c.bottoms)]
    col = lambda f: np.array([f(b) for _, _, b in rows], float)  # noqa: E731
    read, flexion = col(lambda b: b.read_deg), col(lambda b: b.flexion_deg)
    return Table(
        features={
            "read": read,
            "flexion60": flexion / 60.0,  # knee flexion in units of 60 deg
            "read_x_flexion": read * flexion / 60.0,
        },
        target=col(lambda b: b.true_deg),
        clip=np.array([i for i, _, _ in rows]),
        rep=np.array([k for _, k, _ in rows]),
        scored=np.ones(len(rows), dtype=bool),
    )


def rep_values(table: Table, predicted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per (clip, rep): the mean predicted and true value over its scored rows."""
    keys = sorted(set(zip(table.clip[table.scored], table.rep[table.scored], strict=True)))
    pred, true = [], []
    for c, r in keys:
        rows = table.scored & (table.clip == c) & (table.rep == r)
        pred.append(np.nanmean(predicted[rows]))
        true.append(np.nanmean(table.target[rows]))
    return np.array(pred), np.array(true)


def held_out(
    table: Table, spec: Regression | Inverse, clips: Sequence[ClipData], split: str | None
) -> tuple[np.ndarray, list[Fitted]]:
    """Predictions of every row by a model fitted without its group (``split`` None: in-sample).

    Fitted on the scored rows only (holds and rep bottoms: the quantity the
    report gives, not the lift and ramps around it). Rows of clips without the
    split's label (a squat has no trunk mode) are predicted by the model
    fitted on all clips.
    """
    labels = {c.index: c.labels.get(split) if split else None for c in clips}
    group = np.array([labels[c] for c in table.clip], dtype=object)
    scored = table.scored
    everything = spec.fit(table.take(scored), table.target[scored])
    predicted = everything.predict(table.features)
    fits = [everything]
    for value in sorted({g for g in group if g is not None}):
        train, test = scored & (group != value), group == value
        model = spec.fit(table.take(train), table.target[train])
        predicted[test] = model.predict(table.take(test))
        fits.append(model)
    return predicted, fits
