"""Causal flags and rep counting: decisions made from the past only, frame by frame.

The offline stages (valgus.analysis.flags, valgus.analysis.events) see the whole clip: they drop
flag runs shorter than 100 ms afterwards and find reps as depth peaks. Live,
a cue must appear while the knee is still caving in, so the same rules are
applied causally:

- a flag grade switches on once the value has stayed at or above its cut for
  the minimum duration (so the cue lags by ~100 ms, as much as the offline
  rule needs to accept the same run) and off as soon as the value falls
  below the cut minus the hysteresis (or is not measurable);
- a squat rep starts when depth has risen the movement's prominence
  (``events.REP_PROMINENCE``) above the lowest point since the last rep and
  ends when depth is back below ``events.REP_EDGE_FRACTION`` of that
  excursion; rep starts closer than ``events.MIN_REP_SEPARATION_S`` are one rep;
- a single-leg hold counts once one foot has been off the ground for
  ``events.MIN_HOLD_S``, bridging touch-downs up to ``events.MAX_HOLD_GAP_S``.
"""

from __future__ import annotations

import math

from valgus.analysis.events import (
    MAX_HOLD_GAP_S,
    MIN_HOLD_S,
    MIN_REP_SEPARATION_S,
    REP_EDGE_FRACTION,
)

_EPS_S = 1e-9


class _Level:
    """One flag level with hysteresis and a minimum duration."""

    def __init__(self, enter: float, exit: float, min_duration_s: float) -> None:
        self.enter, self.exit, self.min_duration_s = enter, exit, min_duration_s
        self.raw_on = False
        self.since_s = 0.0

    def update(self, value: float, time_s: float, period_s: float) -> bool:
        if not math.isfinite(value) or value < self.exit:
            self.raw_on = False
        elif value >= self.enter and not self.raw_on:
            self.raw_on, self.since_s = True, time_s
        # A run of n frames lasts n frame periods (valgus.analysis.flags.FlagInterval).
        return self.raw_on and time_s - self.since_s + period_s >= self.min_duration_s - _EPS_S


class CausalGrader:
    """Grade a live value 0 / 1 / 2 like ``valgus.analysis.flags.grade_series``, but causally.

    Parameters
    ----------
    above, marked : float
        Cuts of grade 1 ("above normal range") and 2 ("marked"), ``above < marked``.
    hysteresis : float, keyword-only
        A grade leaves this far below its cut.
    min_duration_s : float, keyword-only
        A grade shows only after its run has lasted this long.
    """

    def __init__(
        self, above: float, marked: float, *, hysteresis: float, min_duration_s: float
    ) -> None:
        if not above < marked:
            raise ValueError(f"above ({above}) must be < marked ({marked})")
        if hysteresis < 0 or min_duration_s < 0:
            raise ValueError("hysteresis and min_duration_s must be >= 0")
        self._levels = [_Level(cut, cut - hysteresis, min_duration_s) for cut in (above, marked)]
        self._last_s: float | None = None
        self._period_s = 0.0

    def update(self, value: float, time_s: float) -> int:
        """The grade at ``time_s`` given ``value`` (NaN when not measurable)."""
        if self._last_s is not None and time_s > self._last_s:
            self._period_s = time_s - self._last_s
        self._last_s = time_s
        on = [level.update(value, time_s, self._period_s) for level in self._levels]
        return 2 if on[1] else 1 if on[0] else 0


class RepCounter:
    """Count squat reps from live depth (leg lengths below standing).

    A rep starts when depth has risen ``prominence`` above the lowest depth
    since the previous rep (its valley), and ends when depth is back below
    ``REP_EDGE_FRACTION`` of the rep's excursion above that valley. Measuring
    from the valley, like the prominence of ``scipy.signal.find_peaks``
    offline, keeps a rep from being counted twice on the way up and lets a
    drifting standing height (a step closer to the camera) pass.

    Parameters
    ----------
    prominence : float
        Depth a rep must reach above its valley, e.g. ``events.REP_PROMINENCE["squat"]``.
    """

    def __init__(self, prominence: float) -> None:
        if not prominence > 0:
            raise ValueError(f"prominence must be > 0, got {prominence}")
        self.prominence = prominence
        self.count = 0
        self.down = False
        self.valley = math.inf
        self.peak = -math.inf
        self._last_start_s = -math.inf

    def update(self, depth: float, time_s: float) -> int:
        """Feed one depth sample (NaN is ignored); returns reps started so far."""
        if not math.isfinite(depth):
            return self.count
        if self.down:
            self.peak = max(self.peak, depth)
            if depth < self.valley + REP_EDGE_FRACTION * (self.peak - self.valley):
                self.down, self.valley = False, depth
        elif depth >= self.valley + self.prominence:
            self.down, self.peak = True, depth
            if time_s - self._last_start_s >= MIN_REP_SEPARATION_S:
                self.count += 1
                self._last_start_s = time_s
        else:
            self.valley = min(self.valley, depth)
        return self.count


class HoldCounter:
    """Count single-leg holds: one foot off the ground for ``MIN_HOLD_S`` or longer."""

    def __init__(self) -> None:
        self.count = 0
        self.side: str | None = None
        self._start_s: float | None = None
        self._last_on_s = -math.inf
        self._counted = False

    def update(self, stance_side: str | None, time_s: float) -> int:
        """Feed the stance leg of one frame (None: both feet down or unknown)."""
        if stance_side is not None:
            if self._start_s is None or stance_side != self.side:
                self._start_s, self.side, self._counted = time_s, stance_side, False
            self._last_on_s = time_s
            if not self._counted and time_s - self._start_s >= MIN_HOLD_S - _EPS_S:
                self.count += 1
                self._counted = True
        elif time_s - self._last_on_s > MAX_HOLD_GAP_S:
            self._start_s, self.side = None, None
        return self.count
