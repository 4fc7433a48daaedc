"""Flags: which reps reached a cut, and where in the clip to see it.

One rule makes the verdict, the per-rep table and the timeline flags: each
rep's *reading* (valgus.analysis.rep_metrics: a knee's FPPA at the bottom, or
at the deepest frame where it is valid; the pelvis's peak drop) is graded
against the thresholds, and a rep is flagged with that grade when its reading
reaches a cut. A flag covers the frames around the reading where the value
stays above the cut: it enters at the cut, leaves only a little below it
(hysteresis) and lasts a minimum time (design.md section 1, "Graded flags beat
a single cut"); a reading too brief for that still flags its own frame. So no
flag shows a frame that the verdict did not count, and no flagged rep lacks
its flag. The pelvis of a shot without a standing baseline
(valgus.analysis.by_shot) is never flagged.

The low-level functions are pure numpy: values and times in, arrays out; the
live view grades causally with the same levels (valgus.live.counting).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from valgus.analysis.rep_metrics import RepMetrics
from valgus.analysis.stance import STANCE_SIDES
from valgus.thresholds import Thresholds

VERDICTS = ("within normal", "above normal range", "marked")
NOT_MEASURABLE = "not measurable"
FLAG_KINDS = ("collapse_left", "collapse_right", "pelvic_drop")

_FLAG_COLUMNS = ("time_s", "fppa_left_deg", "fppa_right_deg", "fppa_valid_left", "fppa_valid_right")
_EPS_S = 1e-9  # float slack when comparing a duration with its minimum


@dataclass(frozen=True)
class FlagInterval:
    """A run of consecutive flagged frames.

    Attributes
    ----------
    start_frame, end_frame : int
        First and last (inclusive) flagged position.
    start_s, end_s : float
        Times of those frames.
    duration_s : float
        From the first flagged frame to the first frame after the run, so
        n frames at a steady rate last n frame periods.
    """

    start_frame: int
    end_frame: int
    start_s: float
    end_s: float
    duration_s: float


@dataclass(frozen=True)
class FlagEvent:
    """One flagged interval of one kind, with its worst grade and peak value.

    ``kind`` is one of `FLAG_KINDS`; frames are frame numbers of ``frames``;
    ``grade`` 1 is above normal range, 2 marked; ``peak_deg`` is the largest
    value inside the interval at ``peak_frame``.
    """

    kind: str
    grade: int
    verdict: str
    start_frame: int
    end_frame: int
    start_s: float
    end_s: float
    duration_s: float
    peak_deg: float
    peak_frame: int


@dataclass(frozen=True)
class Flags:
    """Per-frame grades and the flagged intervals of one clip.

    Attributes
    ----------
    grades : DataFrame, index = frames.index
        int8 columns ``collapse_grade_left``, ``collapse_grade_right``,
        ``pelvic_grade``: 0 within normal, 1 above normal range, 2 marked.
    events : tuple of FlagEvent
        In time order within each kind, kinds in `FLAG_KINDS` order.
    """

    grades: pd.DataFrame
    events: tuple[FlagEvent, ...]

    def of_kind(self, kind: str) -> list[FlagEvent]:
        """The events of one kind."""
        if kind not in FLAG_KINDS:
            raise ValueError(f"kind must be one of {', '.join(FLAG_KINDS)}, got {kind!r}")
        return [e for e in self.events if e.kind == kind]


def _check_series(values: np.ndarray, times_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    v = np.asarray(values, dtype=float)
    t = np.asarray(times_s, dtype=float)
    if v.ndim != 1 or v.shape != t.shape:
        raise ValueError(
            f"values and times_s must be 1-D of the same length, got {v.shape} and {t.shape}"
        )
    if t.size > 1 and not np.all(np.diff(t) > 0):
        raise ValueError("times_s must be strictly increasing")
    return v, t


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end inclusive) of each run of True."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1, strict=True))


def _duration_s(times_s: np.ndarray, start: int, end: int) -> float:
    """Time from frame ``start`` to the frame after ``end`` (one median period at the clip end)."""
    if end + 1 < times_s.size:
        return float(times_s[end + 1] - times_s[start])
    period = float(np.median(np.diff(times_s))) if times_s.size > 1 else 0.0
    return float(times_s[end] - times_s[start]) + period


def intervals(mask: np.ndarray, times_s: np.ndarray) -> list[FlagInterval]:
    """The runs of True in a per-frame mask, with their times.

    Parameters
    ----------
    mask : (T,) bool
    times_s : (T,) float, strictly increasing

    Returns
    -------
    list of FlagInterval
        Frames are positions in ``mask``.
    """
    m = np.asarray(mask, dtype=bool)
    _, t = _check_series(m.astype(float), times_s)
    return [
        FlagInterval(int(a), int(b), float(t[a]), float(t[b]), _duration_s(t, a, b))
        for a, b in _runs(m)
    ]


def hysteresis_mask(
    values: np.ndarray,
    times_s: np.ndarray,
    *,
    enter: float,
    exit: float,
    min_duration_s: float,
) -> np.ndarray:
    """Frames where a flag is on: set at ``value >= enter``, cleared at ``value < exit``.

    Parameters
    ----------
    values : (T,) float
        NaN counts as below ``exit`` (an unmeasurable frame clears a flag
        rather than keeping a stale one).
    times_s : (T,) float, strictly increasing
    enter, exit : float
        Same unit as ``values``; ``exit <= enter``.
    min_duration_s : float
        Runs shorter than this (see `FlagInterval.duration_s`) are removed.

    Returns
    -------
    (T,) bool
    """
    v, t = _check_series(values, times_s)
    if not exit <= enter:
        raise ValueError(f"exit ({exit}) must be <= enter ({enter})")
    if min_duration_s < 0:
        raise ValueError(f"min_duration_s must be >= 0, got {min_duration_s}")
    with np.errstate(invalid="ignore"):
        event = np.where(v >= enter, 1, np.where(v >= exit, 0, -1))
    # The state is the last non-zero event so far (forward fill of +1 / -1).
    last = np.maximum.accumulate(np.where(event != 0, np.arange(v.size), -1))
    on = np.zeros(v.size, dtype=bool)
    seen = last >= 0
    on[seen] = event[last[seen]] == 1
    for a, b in _runs(on):
        if _duration_s(t, a, b) < min_duration_s - _EPS_S:
            on[a : b + 1] = False
    return on


def grade_series(
    values: np.ndarray,
    times_s: np.ndarray,
    above: float,
    marked: float,
    *,
    hysteresis_deg: float,
    min_duration_s: float,
) -> np.ndarray:
    """Per-frame grade: 0 within normal, 1 above normal range, 2 marked.

    Each level is its own `hysteresis_mask` (enter at the cut, exit
    ``hysteresis_deg`` below it), so both grades are debounced.

    Parameters
    ----------
    values : (T,) float, degrees
    times_s : (T,) float, strictly increasing
    above, marked : float
        Degrees, ``above < marked``.
    hysteresis_deg, min_duration_s : float

    Returns
    -------
    (T,) int8
    """
    if not above < marked:
        raise ValueError(f"above ({above}) must be < marked ({marked})")
    if hysteresis_deg < 0:
        raise ValueError(f"hysteresis_deg must be >= 0, got {hysteresis_deg}")
    levels = [
        hysteresis_mask(
            values, times_s, enter=cut, exit=cut - hysteresis_deg, min_duration_s=min_duration_s
        )
        for cut in (above, marked)
    ]
    return np.where(levels[1], 2, np.where(levels[0], 1, 0)).astype(np.int8)


def verdict(value: float, above: float, marked: float) -> str:
    """Word for one value (e.g. a rep's FPPA): see `VERDICTS`.

    NaN gives "not measurable" (e.g. FPPA at a squat bottom outside the
    valid range), never "within normal".
    """
    if not above < marked:
        raise ValueError(f"above ({above}) must be < marked ({marked})")
    if not np.isfinite(value):
        return NOT_MEASURABLE
    return VERDICTS[2] if value >= marked else VERDICTS[1] if value >= above else VERDICTS[0]


def grade(value: float, above: float, marked: float) -> int:
    """0 within normal, 1 above normal range, 2 marked (NaN: 0)."""
    return VERDICTS.index(verdict(value, above, marked)) if np.isfinite(value) else 0


def _flag(
    kind: str,
    reading: tuple[float, int | None],
    series: np.ndarray,
    span: slice,
    frames: pd.DataFrame,
    cuts: tuple,
) -> tuple[FlagEvent | None, slice | None, int]:
    """The flag of one rep's reading: the event, the frames it covers and its grade."""
    value, frame = reading
    above, marked, hysteresis, min_s = cuts
    level = grade(value, above, marked)
    if level == 0 or frame is None:
        return None, None, 0
    times = frames["time_s"].to_numpy(dtype=float)
    on = grade_series(
        series[span], times[span], above, marked, hysteresis_deg=hysteresis, min_duration_s=min_s
    )
    k = frames.index.get_loc(frame) - span.start
    first, last = next(((a, b) for a, b in _runs(on > 0) if a <= k <= b), (k, k))
    covered = slice(span.start + first, span.start + last + 1)
    labels = frames.index.to_numpy()
    event = FlagEvent(
        kind=kind,
        grade=level,
        verdict=VERDICTS[level],
        start_frame=int(labels[covered.start]),
        end_frame=int(labels[covered.stop - 1]),
        start_s=float(times[covered.start]),
        end_s=float(times[covered.stop - 1]),
        duration_s=_duration_s(times, covered.start, covered.stop - 1),
        peak_deg=float(value),
        peak_frame=int(frame),
    )
    return event, covered, level


def _valid_fppa(frames: pd.DataFrame, side: str) -> np.ndarray:
    """FPPA of one leg, NaN where ``fppa_valid_<side>`` is False."""
    ok = frames[f"fppa_valid_{side}"].fillna(False).to_numpy(dtype=bool)
    return np.where(ok, frames[f"fppa_{side}_deg"].to_numpy(dtype=float), np.nan)


def compute_flags(
    frames: pd.DataFrame, reps: tuple[RepMetrics, ...], thresholds: Thresholds
) -> Flags:
    """Grade each rep's readings and mark the frames of the flagged ones.

    Parameters
    ----------
    frames : DataFrame
        The per-frame table with ``time_s``, ``fppa_<side>_deg``,
        ``fppa_valid_<side>`` and ``pelvic_drop_deg``.
    reps : tuple of RepMetrics
    thresholds : Thresholds

    Returns
    -------
    Flags
        Frames outside a flagged rep's flag are graded 0.
    """
    missing = [c for c in (*_FLAG_COLUMNS, "pelvic_drop_deg") if c not in frames.columns]
    if missing:
        raise ValueError(f"frames is missing column(s): {', '.join(missing)}")
    th = thresholds
    fppa_cuts = (th.fppa_above_deg, th.fppa_marked_deg, th.fppa_hysteresis_deg)
    pelvic_cuts = (th.pelvic_drop_above_deg, th.pelvic_drop_marked_deg)
    pelvic_cuts += (th.pelvic_drop_hysteresis_deg,)
    specs = {
        **{
            f"collapse_{side}": (f"collapse_grade_{side}", _valid_fppa(frames, side), fppa_cuts)
            for side in STANCE_SIDES
        },
        "pelvic_drop": ("pelvic_grade", frames["pelvic_drop_deg"].to_numpy(float), pelvic_cuts),
    }
    grades = {column: np.zeros(len(frames), dtype=np.int8) for column, _, _ in specs.values()}
    found: dict[str, list[FlagEvent]] = {kind: [] for kind in FLAG_KINDS}
    for rep in reps:
        span = slice(frames.index.get_loc(rep.start_frame), frames.index.get_loc(rep.end_frame) + 1)
        readings = {
            f"collapse_{side}": (
                getattr(rep, f"fppa_read_{side}_deg"),
                getattr(rep, f"fppa_read_{side}_frame"),
            )
            for side in STANCE_SIDES
        }
        # NaN (no flag) where the shot has no standing baseline: RepMetrics.pelvic_drop_deg.
        readings["pelvic_drop"] = (rep.pelvic_drop_deg, rep.peak_pelvic_drop_frame)
        for kind, reading in readings.items():
            column, series, cuts = specs[kind]
            values = (*(c.value for c in cuts), th.min_flag_duration_s.value)
            event, covered, level = _flag(kind, reading, series, span, frames, values)
            if event is not None:
                grades[column][covered] = level
                found[kind].append(event)
    events = tuple(e for kind in FLAG_KINDS for e in found[kind])
    return Flags(pd.DataFrame(grades, index=frames.index), events)
