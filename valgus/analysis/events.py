"""Events: which movement, and where each rep (or hold) starts and bottoms out.

Input is the per-frame table of the kinematics stage (CONTRACT.md, "frames"):
one row per frame, index = frame number, with at least ``time_s``,
``has_pose``, ``depth``, ``ankle_lift_left``, ``ankle_lift_right`` and, for the
metrics, the FPPA, knee separation and pelvic columns. All times come from
``time_s`` (never frame counts: phone clips have variable frame rates).

Clinical practice reads FPPA and KASR at peak knee flexion, i.e. the lowest
hip position of each rep, and contralateral pelvic drop (CPD) over a
single-leg hold or at the bottom of a single-leg squat (design.md section 1).

Which leg bears the weight is decided in valgus.analysis.stance. Cut values
(heuristics of this project, tuned on the clips in ../shared/videos, not
published norms):

- ``SINGLE_LEG_SHARE_MIN`` 0.25: a single-leg clip has one foot lifted in at
  least a quarter of the pose frames of its analysed shots (room for standing
  before, between and after the reps), or keeps one foot put while the other
  travels in at least half its reps (a pistol squat, whose free foot crosses
  the floor line: front/tux_hyva6 23% of frames). Measured: bilateral squat
  clips 0.00-0.04, single-leg squats (front/tux_hyva7) 0.87.
- ``REP_PROMINENCE``: a rep is a hip-drop excursion at least this prominent,
  in leg lengths. 0.08 for bilateral squats (measured bottoms: 0.25-0.68 on
  the front-view squat clips); 0.05 for single-leg squats, so a shallow
  clinical single-leg squat still counts (measured bottoms 0.36-0.45 on
  front/tux_hyva7, but shallower protocols drop the hip far less), while a
  stance hold's sway stays below it.
- ``MIN_REP_SEPARATION_S`` 0.6 s: no one squats faster than that, so closer
  depth peaks are one rep with a wobble at the bottom.
- ``REP_EDGE_FRACTION`` 0.25: a rep starts and ends where depth is back below
  25% of its excursion (or at the lowest point between two reps).
- ``MIN_HOLD_S`` 1.0 s and ``MAX_HOLD_GAP_S`` 0.25 s: a single-leg stance hold
  lasts at least a second on one foot; shorter touch-downs or detection
  dropouts inside it are bridged.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from valgus.analysis.columns import bool_column, float_column, require_columns
from valgus.analysis.dsp import find_peaks
from valgus.analysis.stance import (
    STANCE_SIDES,
    mostly_planted,
    pelvic_drop_from_obliquity,
    rep_stance_side,
    stance_side_per_frame,
)
from valgus.analysis.view import MAX_MEASURED_YAW_DEG
from valgus.movement import MOVEMENTS

SINGLE_LEG_SHARE_MIN = 0.25
REP_PROMINENCE = MappingProxyType({"squat": 0.08, "single-leg-squat": 0.05})
MIN_REP_SEPARATION_S = 0.6
REP_EDGE_FRACTION = 0.25
MIN_HOLD_S = 1.0
MAX_HOLD_GAP_S = 0.25


@dataclass(frozen=True)
class Rep:
    """One repetition (or one single-leg hold), as frame numbers of ``frames``.

    Attributes
    ----------
    index : int
        1-based position in the clip.
    start_frame, bottom_frame, end_frame : int
        First frame, deepest frame (for a stance hold: the frame of peak
        pelvic drop) and last frame (inclusive).
    stance_side : {"left", "right", None}
        The loaded leg for single-leg tasks; None for bilateral.
    """

    index: int
    start_frame: int
    bottom_frame: int
    end_frame: int
    stance_side: str | None

    def __post_init__(self) -> None:
        if self.index < 1:
            raise ValueError(f"index must be >= 1, got {self.index}")
        if not self.start_frame <= self.bottom_frame <= self.end_frame:
            raise ValueError(
                "need start_frame <= bottom_frame <= end_frame, got "
                f"{self.start_frame}, {self.bottom_frame}, {self.end_frame}"
            )
        if self.stance_side not in (*STANCE_SIDES, None):
            raise ValueError(
                f"stance_side must be 'left', 'right' or None, got {self.stance_side!r}"
            )


def _interpolated(times_s: np.ndarray, values: np.ndarray) -> np.ndarray | None:
    """Values with NaN gaps filled linearly in time (None if < 2 finite values)."""
    ok = np.isfinite(values) & np.isfinite(times_s)
    if ok.sum() < 2:
        return None
    return np.interp(times_s, times_s[ok], values[ok])


def _separated_peaks(
    peaks: np.ndarray, heights: np.ndarray, times_s: np.ndarray, min_separation_s: float
) -> np.ndarray:
    """Keep the highest peaks so that no two are closer than ``min_separation_s``.

    scipy's ``distance`` does the same in samples; this works in seconds so a
    variable frame rate does not change which peaks survive.
    """
    keep = np.ones(peaks.size, dtype=bool)
    for i in np.argsort(-heights[peaks], kind="stable"):
        if not keep[i]:
            continue
        close = np.abs(times_s[peaks] - times_s[peaks[i]]) < min_separation_s
        close[i] = False
        keep &= ~close
    return peaks[keep]


def _depth_excursions(
    times_s: np.ndarray,
    depth: np.ndarray,
    *,
    prominence: float,
    min_separation_s: float,
    edge_fraction: float,
) -> list[tuple[int, int, int]]:
    """(start, bottom, end) positions of each prominent hip-drop excursion."""
    d = _interpolated(times_s, depth)
    if d is None:
        return []
    peaks = find_peaks(d, prominence=prominence)
    peaks = _separated_peaks(peaks, d, times_s, min_separation_s)
    out = []
    for i, p in enumerate(peaks):
        lo = peaks[i - 1] if i > 0 else 0
        hi = peaks[i + 1] if i + 1 < peaks.size else d.size - 1
        left_lim = lo + int(np.argmin(d[lo : p + 1]))
        right_lim = p + int(np.argmin(d[p : hi + 1]))
        base = min(d[left_lim], d[right_lim])
        level = base + edge_fraction * (d[p] - base)
        below_left = np.flatnonzero(d[left_lim : p + 1] <= level)
        below_right = np.flatnonzero(d[p : right_lim + 1] <= level)
        start = left_lim + int(below_left[-1]) if below_left.size else left_lim
        end = p + int(below_right[0]) if below_right.size else right_lim
        raw = depth[start : end + 1]
        bottom = start + int(np.nanargmax(raw)) if np.isfinite(raw).any() else int(p)
        out.append((start, bottom, end))
    return out


def _stance_holds(
    times_s: np.ndarray,
    sides: np.ndarray,
    obliquity_deg: np.ndarray,
    *,
    min_hold_s: float,
    max_gap_s: float,
) -> list[tuple[int, int, int, str]]:
    """(start, peak drop, end, side) positions of continuous one-foot holds."""
    runs: list[list] = []
    for i, s in enumerate(sides):
        if s is None:
            continue
        if runs and runs[-1][2] == s and times_s[i] - times_s[runs[-1][1]] <= max_gap_s:
            runs[-1][1] = i
        else:
            runs.append([i, i, s])
    holds = []
    for a, b, side in runs:
        if times_s[b] - times_s[a] < min_hold_s - 1e-9:
            continue
        drop = pelvic_drop_from_obliquity(obliquity_deg[a : b + 1], np.full(b - a + 1, side))
        peak = a + (int(np.nanargmax(drop)) if np.isfinite(drop).any() else (b - a) // 2)
        holds.append((a, peak, b, side))
    return holds


def detect_movement(frames: pd.DataFrame) -> str:
    """Guess the task from the clip: bilateral squat, single-leg squat or stance.

    A clip is single-leg when one foot is lifted (`stance_side_per_frame`) in
    at least ``SINGLE_LEG_SHARE_MIN`` of its pose frames; then it is a
    single-leg squat when a single-leg rep shows a hip-drop excursion of
    ``REP_PROMINENCE["single-leg-squat"]`` or more, else a stance hold.

    Parameters
    ----------
    frames : DataFrame
        Needs ``time_s``, ``has_pose``, ``depth``, ``ankle_lift_left/right``.

    Returns
    -------
    str
        One of `MOVEMENTS`.
    """
    require_columns(frames, ("time_s", "has_pose", "depth", "ankle_lift_left", "ankle_lift_right"))
    pose = bool_column(frames, "has_pose")
    if not pose.any():
        raise ValueError("frames has no pose frames; cannot detect the movement")
    sides = stance_side_per_frame(frames).to_numpy(dtype=object)
    counted = pose & _analysed(frames)
    share = np.mean([s is not None for s in sides[counted]]) if counted.any() else 0.0
    reps = segment_reps(frames, "single-leg-squat")
    if share < SINGLE_LEG_SHARE_MIN:
        planted = mostly_planted(frames, [(r.start_frame, r.end_frame) for r in reps])
        return "single-leg-squat" if planted else "squat"
    return "single-leg-squat" if any(r.stance_side for r in reps) else "single-leg-stance"


def segment_reps(
    frames: pd.DataFrame,
    movement: str,
    *,
    prominence: float | None = None,
    min_separation_s: float = MIN_REP_SEPARATION_S,
    edge_fraction: float = REP_EDGE_FRACTION,
    min_hold_s: float = MIN_HOLD_S,
) -> list[Rep]:
    """Split the clip into reps (squats) or holds (single-leg stance).

    Squats: each depth peak of at least ``prominence`` leg lengths, peaks at
    least ``min_separation_s`` apart; a rep spans from where depth last rose
    above ``edge_fraction`` of its excursion to where it falls back below
    (bounded by the lowest point between neighbouring reps), and bottoms at
    the deepest frame. Single-leg squats take the foot that stays put over
    the rep, else the grounded leg most common over it, as ``stance_side``
    (valgus.analysis.stance.rep_stance_side; None if no foot is lifted).
    Single-leg stance: each hold on one foot of ``min_hold_s`` or longer,
    bottoming at the frame of peak pelvic drop.

    Parameters
    ----------
    frames : DataFrame
        The kinematics table; index = frame number.
    movement : {"squat", "single-leg-squat", "single-leg-stance"}
    prominence : float, optional
        Leg lengths; default ``REP_PROMINENCE[movement]``.
    min_separation_s, edge_fraction, min_hold_s : float, optional
        See the module docstring.

    Returns
    -------
    list of Rep
        In time order, numbered from 1.
    """
    if movement not in MOVEMENTS:
        raise ValueError(f"movement must be one of {', '.join(MOVEMENTS)}, got {movement!r}")
    require_columns(frames, ("time_s", "has_pose", "depth", "ankle_lift_left", "ankle_lift_right"))
    options = {
        "prominence": prominence,
        "min_separation_s": min_separation_s,
        "edge_fraction": edge_fraction,
        "min_hold_s": min_hold_s,
    }
    spans = []
    for part in _analysed_parts(frames):
        labels = part.index.to_numpy()
        spans += [
            (int(labels[a]), int(labels[m]), int(labels[b]), side)
            for a, m, b, side in _spans(part, movement, **options)
        ]
    return [Rep(n, a, m, b, side) for n, (a, m, b, side) in enumerate(spans, start=1)]


def _analysed(frames: pd.DataFrame) -> np.ndarray:
    """(T,) bool: frames of analysed shots (all frames of a table not split into shots)."""
    if "shot_analysed" not in frames.columns:
        return np.ones(len(frames), dtype=bool)
    return bool_column(frames, "shot_analysed")


def _facing(frames: pd.DataFrame) -> np.ndarray:
    """(T,) bool: frames where the body is not turned past MAX_MEASURED_YAW_DEG.

    A turned body's far foot stands higher in the picture, which reads as a
    lifted foot (valgus.analysis.view).
    """
    if "body_yaw_deg" not in frames.columns:
        return np.ones(len(frames), dtype=bool)
    return ~(float_column(frames, "body_yaw_deg") > MAX_MEASURED_YAW_DEG)


def _analysed_parts(frames: pd.DataFrame) -> list[pd.DataFrame]:
    """The table's analysed shots, each as its own slice (the whole table if not split)."""
    if "shot" not in frames.columns:
        return [frames]
    analysed = frames[_analysed(frames)]
    return [part for _, part in analysed.groupby("shot", sort=True)]


def _spans(
    frames: pd.DataFrame,
    movement: str,
    *,
    prominence: float | None,
    min_separation_s: float,
    edge_fraction: float,
    min_hold_s: float,
) -> list[tuple[int, int, int, str | None]]:
    """(start, bottom, end, stance side) row positions of each rep or hold of one shot."""
    times = float_column(frames, "time_s")
    sides = stance_side_per_frame(frames).to_numpy(dtype=object)
    if movement == "single-leg-stance":
        require_columns(frames, ("pelvic_obliquity_deg",))
        spans = _stance_holds(
            times,
            sides,
            float_column(frames, "pelvic_obliquity_deg"),
            min_hold_s=min_hold_s,
            max_gap_s=MAX_HOLD_GAP_S,
        )
    else:
        excursions = _depth_excursions(
            times,
            float_column(frames, "depth"),
            prominence=REP_PROMINENCE[movement] if prominence is None else prominence,
            min_separation_s=min_separation_s,
            edge_fraction=edge_fraction,
        )
        single_leg = movement == "single-leg-squat"
        lifts = [float_column(frames, f"ankle_lift_{side}") for side in STANCE_SIDES]
        bent = [_flexion(frames, side) for side in STANCE_SIDES]
        depth = float_column(frames, "depth")

        def stance(a: int, m: int, b: int) -> str | None:
            rep_lifts = (x[a : b + 1] for x in lifts)
            bottom = (depth[m], bent[0][m], bent[1][m])
            return rep_stance_side(sides[a : b + 1], *rep_lifts, bottom=bottom)

        spans = [(a, m, b, stance(a, m, b) if single_leg else None) for a, m, b in excursions]
    return spans


def _flexion(frames: pd.DataFrame, side: str) -> np.ndarray:
    """Knee flexion of one side (NaN where the table has none)."""
    column = f"knee_flexion_{side}_deg"
    return float_column(frames, column) if column in frames else np.full(len(frames), np.nan)


def rep_positions(frames: pd.DataFrame, rep: Rep) -> tuple[int, int, int]:
    """Row positions of a rep's start, bottom and end frame numbers."""
    try:
        return tuple(
            frames.index.get_loc(f) for f in (rep.start_frame, rep.bottom_frame, rep.end_frame)
        )
    except KeyError as err:
        raise ValueError(
            f"rep {rep.index} refers to frame {err} that frames does not have"
        ) from None


def add_pelvic_drop(frames: pd.DataFrame, reps: list[Rep] | tuple[Rep, ...]) -> pd.Series:
    """Pelvic drop for every frame, signed by the leg that bears the weight.

    Inside a rep the rep's ``stance_side`` decides (so a bilateral squat rep
    uses |obliquity| even if a heel lifts); outside reps the per-frame
    grounded leg from `stance_side_per_frame` does.

    Parameters
    ----------
    frames : DataFrame
        Needs ``pelvic_obliquity_deg`` (baseline-corrected) and the ankle lifts.
    reps : sequence of Rep
        From `segment_reps` (may be empty).

    Returns
    -------
    Series of float, index = frames.index, name "pelvic_drop_deg"
        Degrees, + when the non-stance side is lower. Not added in place: the
        caller assigns it (``frames.assign(pelvic_drop_deg=...)``).
    """
    require_columns(frames, ("pelvic_obliquity_deg",))
    sides = stance_sides(frames, reps).to_numpy(dtype=object)
    drop = pelvic_drop_from_obliquity(float_column(frames, "pelvic_obliquity_deg"), sides)
    return pd.Series(drop, index=frames.index, name="pelvic_drop_deg")


def stance_sides(frames: pd.DataFrame, reps: list[Rep] | tuple[Rep, ...]) -> pd.Series:
    """Stance leg per frame: the rep's stance side inside reps, the grounded leg elsewhere.

    Inside a rep the rep decides, so a bilateral squat rep stays bilateral
    (None) even if a heel lifts for a frame.
    """
    sides = stance_side_per_frame(frames).to_numpy(dtype=object, copy=True)
    for rep in reps:
        a, _, b = rep_positions(frames, rep)
        sides[a : b + 1] = rep.stance_side
    return pd.Series(sides, index=frames.index, name="stance_side", dtype=object)
