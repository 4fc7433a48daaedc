"""One-euro filter: causal, speed-adaptive low-pass smoothing for live landmarks.

Why not the offline Butterworth (design.md section 2): a zero-lag filter needs
future samples. Live we only have the past, and a fixed low cut-off would
either jitter when the person stands still or lag behind a fast squat. The
one-euro filter (Casiez, Roussel & Vogel 2012, "1 euro filter: a simple
speed-based low-pass filter for noisy input in interactive systems", CHI)
raises its cut-off with the signal's speed: heavy smoothing at rest, little
lag in motion.

Pure numpy, element-wise over arrays of any shape (e.g. (33, 2) landmark
pixels); NaN marks a missing value, which resets that element so the filter
restarts cleanly when a landmark comes back.
"""

from __future__ import annotations

import math

import numpy as np


def smoothing_factor(cutoff_hz: np.ndarray | float, dt_s: float) -> np.ndarray:
    """Exponential smoothing factor of a first-order low-pass at ``cutoff_hz`` for step ``dt_s``.

    ``alpha = 1 / (1 + tau / dt)`` with ``tau = 1 / (2 pi f_c)`` (Casiez 2012, eq. 4).
    """
    tau = 1.0 / (2.0 * math.pi * np.asarray(cutoff_hz, dtype=float))
    return 1.0 / (1.0 + tau / dt_s)


class OneEuroFilter:
    """Causal one-euro filter over arrays of a fixed shape.

    Parameters
    ----------
    min_cutoff_hz : float, keyword-only
        Cut-off at rest (Hz): lower means less jitter when still, more lag.
    beta : float, keyword-only
        How fast the cut-off rises with speed, in Hz per (unit/s) of the
        filtered quantity: higher means less lag in fast motion.
    d_cutoff_hz : float, keyword-only
        Cut-off of the speed estimate itself (Casiez 2012 use 1 Hz).

    Notes
    -----
    ``cutoff = min_cutoff + beta * |dx/dt|`` per element, with the derivative
    smoothed at ``d_cutoff_hz``. Samples must come with increasing times; a
    sample at the same or an earlier time returns the previous output.
    """

    def __init__(
        self, *, min_cutoff_hz: float = 1.0, beta: float = 0.0, d_cutoff_hz: float = 1.0
    ) -> None:
        if not min_cutoff_hz > 0:
            raise ValueError(f"min_cutoff_hz must be > 0, got {min_cutoff_hz}")
        if beta < 0:
            raise ValueError(f"beta must be >= 0, got {beta}")
        if not d_cutoff_hz > 0:
            raise ValueError(f"d_cutoff_hz must be > 0, got {d_cutoff_hz}")
        self.min_cutoff_hz = min_cutoff_hz
        self.beta = beta
        self.d_cutoff_hz = d_cutoff_hz
        self.reset()

    def reset(self) -> None:
        """Forget the history: the next sample passes through unchanged."""
        self._x: np.ndarray | None = None
        self._raw: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t: float | None = None

    def __call__(self, x: np.ndarray, time_s: float) -> np.ndarray:
        """Filter one sample taken at ``time_s`` seconds; returns a new array of ``x``'s shape."""
        x = np.asarray(x, dtype=float)
        if self._x is None or self._t is None:
            return self._start(x, time_s)
        if x.shape != self._x.shape:
            raise ValueError(
                f"sample shape {x.shape} differs from the first sample's {self._x.shape}"
            )
        dt = time_s - self._t
        if not dt > 0:
            return self._x.copy()
        fresh = np.isnan(self._x) | np.isnan(self._raw)  # restart from the new value
        prev = np.where(fresh, x, self._x)
        # Speed from consecutive raw samples, as in Casiez's reference code: a
        # difference against the filtered value would add the lag to the speed.
        dx = np.where(fresh, 0.0, (x - self._raw) / dt)
        dx_hat = np.where(fresh, 0.0, self._dx)
        dx_hat = dx_hat + smoothing_factor(self.d_cutoff_hz, dt) * (dx - dx_hat)
        cutoff = self.min_cutoff_hz + self.beta * np.abs(dx_hat)
        x_hat = prev + smoothing_factor(cutoff, dt) * (x - prev)
        missing = np.isnan(x)
        self._x = np.where(missing, np.nan, x_hat)
        self._dx = np.where(missing, 0.0, dx_hat)
        self._raw = x.copy()
        self._t = time_s
        return self._x.copy()

    def _start(self, x: np.ndarray, time_s: float) -> np.ndarray:
        self._x = x.copy()
        self._raw = x.copy()
        self._dx = np.zeros_like(x)
        self._t = time_s
        return x.copy()
