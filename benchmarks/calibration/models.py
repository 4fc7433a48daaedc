"""Candidate corrections: linear in a few read quantities, fitted by least squares.

Why linear and small: a correction shipped in the analysis must be explainable
in the report ("the hip tilt is read at about half its size when the trunk
stays upright") and must not learn the benchmark's bodies or rooms by heart;
two or three coefficients fitted on hundreds of frames cannot.

Two kinds, because the two goals pull apart when a reading is noisy:

* ``Regression``: ``true ~ a + b * read + c * covariate``. It minimises the
  error, but its predictions shrink toward the mean: their slope against the
  truth is r^2 of the fit (0.5 when r is 0.7), whatever the data.
* ``Inverse`` (classical calibration): model how the reading arises,
  ``read ~ a + (b + d * g) * true + c * covariate``, and solve for the truth.
  Its slope against the truth is ~1 by construction; the noise is divided by
  the gain, so the error grows where the reading carries little of the truth.

The identity (the reading as it is) is the "before" of every table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

Features = Mapping[str, np.ndarray]


def _column(features: Features, name: str) -> np.ndarray:
    return np.ones(len(next(iter(features.values())))) if name == "1" else features[name]


def _solve(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ok = np.isfinite(x).all(axis=1) & np.isfinite(y)
    return np.linalg.lstsq(x[ok], y[ok], rcond=None)[0]


@dataclass(frozen=True)
class Fitted:
    """A fitted correction of either kind: ``predict(features)`` is the corrected value."""

    spec: Regression | Inverse
    coef: np.ndarray

    def predict(self, features: Features) -> np.ndarray:
        return self.spec.predict(self.coef, features)

    def describe(self) -> str:
        """The fitted formula, e.g. ``+3.05 +0.72*hip``."""
        return self.spec.describe(self.coef)


@dataclass(frozen=True)
class Regression:
    """``true ~ sum(coef * term)``; a term is a feature name or "1" (the intercept)."""

    name: str
    terms: tuple[str, ...]

    def fit(self, features: Features, target: np.ndarray) -> Fitted:
        x = np.column_stack([_column(features, t) for t in self.terms])
        return Fitted(self, _solve(x, np.asarray(target, float)))

    def predict(self, coef: np.ndarray, features: Features) -> np.ndarray:
        return np.column_stack([_column(features, t) for t in self.terms]) @ coef

    def describe(self, coef: np.ndarray) -> str:
        pairs = zip(coef, self.terms, strict=True)
        return " ".join(f"{c:+.2f}" + ("" if t == "1" else f"*{t}") for c, t in pairs)


@dataclass(frozen=True)
class Inverse:
    """``reading ~ a + sum(b_k * gain_k) * true + sum(c_j * offset_j)``, solved for ``true``.

    ``gains`` are the terms the truth is multiplied by ("1": a constant gain;
    e.g. "flexion": a gain that changes with knee flexion); ``offsets`` add
    to the reading whatever the truth (e.g. the trunk's tilt).
    """

    name: str
    reading: str
    gains: tuple[str, ...] = ("1",)
    offsets: tuple[str, ...] = ()

    def fit(self, features: Features, target: np.ndarray) -> Fitted:
        true = np.asarray(target, float)
        columns = [np.ones(len(true))]
        columns += [true * _column(features, g) for g in self.gains]
        columns += [_column(features, o) for o in self.offsets]
        return Fitted(self, _solve(np.column_stack(columns), features[self.reading]))

    def predict(self, coef: np.ndarray, features: Features) -> np.ndarray:
        k = len(self.gains)
        gain = sum(
            b * _column(features, g) for b, g in zip(coef[1 : 1 + k], self.gains, strict=True)
        )
        offset = sum(
            (c * _column(features, o) for c, o in zip(coef[1 + k :], self.offsets, strict=True)),
            np.zeros(len(features[self.reading])),
        )
        return (features[self.reading] - coef[0] - offset) / gain

    def describe(self, coef: np.ndarray) -> str:
        k = len(self.gains)
        gain = " ".join(
            f"{b:+.2f}" + ("" if g == "1" else f"*{g}")
            for b, g in zip(coef[1 : 1 + k], self.gains, strict=True)
        )
        offsets = "".join(
            f" {c:+.2f}*{o}" for c, o in zip(coef[1 + k :], self.offsets, strict=True)
        )
        return f"{self.reading} = {coef[0]:+.2f} + ({gain})*true{offsets}"


def identity(reading: str) -> Fitted:
    """The reading as it is: the "before" of a table."""
    return Fitted(Regression("as read (before)", (reading,)), np.array([1.0]))


PELVIC_MODELS: tuple[Regression | Inverse, ...] = (
    Regression("regression: gain", ("1", "hip")),
    Regression("regression: gain + shoulder tilt", ("1", "hip", "shoulder")),
    Regression("regression: gain + shoulder + lean", ("1", "hip", "shoulder", "lean")),
    Inverse("inverse: gain", "hip"),
    Inverse("inverse: gain, shoulder tilt offset", "hip", offsets=("shoulder",)),
    Inverse("inverse: gain, shoulder + lean offsets", "hip", offsets=("shoulder", "lean")),
)
FPPA_MODELS: tuple[Regression | Inverse, ...] = (
    Regression("regression: gain only (through zero)", ("read",)),
    Regression("regression: gain", ("1", "read")),
    Regression("regression: gain by knee flexion", ("1", "read", "read_x_flexion")),
    Inverse("inverse: gain", "read"),
    Inverse("inverse: gain by knee flexion", "read", gains=("1", "flexion60")),
)
