"""The data an overlay draws: one frame's measurements and the whole clip's flag timeline.

Why a module of its own: the annotators (``valgus.overlay.annotators``,
``valgus.overlay.timeline``) and the chain that composes them
(``valgus.overlay.chain``) all read these types; holding them here keeps the
imports one way (types <- annotators <- chain).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from valgus.movement import MOVEMENTS
from valgus.pose.landmarks import NUM_LANDMARKS, SIDES

_GRADES = (0, 1, 2)


def _check_sides(name: str, mapping: Mapping[str, object]) -> None:
    if set(mapping) != set(SIDES):
        raise ValueError(
            f"{name} must have exactly the keys 'left' and 'right', got {sorted(mapping)}"
        )


@dataclass(frozen=True)
class OverlayFrame:
    """Everything drawn on one frame, computed upstream (no model runs here).

    Attributes
    ----------
    time_s : float
        Time of the frame in seconds from the clip start.
    xy_px : ndarray of shape (33, 2) or None
        Landmark pixels (x right, y down) in this frame; NaN rows are skipped;
        None when no pose was found.
    fppa_deg : mapping "left"/"right" -> float
        Frontal plane projection angle, + valgus; NaN when not computable.
    fppa_valid : mapping "left"/"right" -> bool
        False when the thigh is too foreshortened (deep squat, design.md section 5).
    collapse_grade : mapping "left"/"right" -> int
        0 within normal, 1 above the normal range, 2 marked.
    pelvic_drop_deg : float
        Contralateral pelvic drop, + when the non-stance side is lower; NaN if unknown.
    pelvic_grade : int
        0, 1 or 2 as for the knees.
    rep_number : int
        Reps started so far (0 before the first).
    reps_total : int or None
        Number of reps in the clip (known offline), None live.
    movement : {"squat", "single-leg-squat", "single-leg-stance"}
    stance_side : {"left", "right"} or None
    cue : str or None
        Short coaching cue shown large, e.g. "KNEES OUT" (live mode).
    framing_hint : str or None
        e.g. "step back: feet out of frame".
    """

    time_s: float
    xy_px: np.ndarray | None
    fppa_deg: Mapping[str, float]
    fppa_valid: Mapping[str, bool]
    collapse_grade: Mapping[str, int]
    pelvic_drop_deg: float
    pelvic_grade: int
    rep_number: int
    reps_total: int | None
    movement: str
    stance_side: str | None
    cue: str | None = None
    framing_hint: str | None = None

    def __post_init__(self) -> None:
        if not math.isfinite(self.time_s):
            raise ValueError(f"time_s must be finite, got {self.time_s}")
        if self.xy_px is not None:
            xy = np.asarray(self.xy_px, dtype=np.float64)
            if xy.shape != (NUM_LANDMARKS, 2):
                raise ValueError(f"xy_px must have shape (33, 2), got {xy.shape}")
            object.__setattr__(self, "xy_px", xy)
        _check_sides("fppa_deg", self.fppa_deg)
        _check_sides("fppa_valid", self.fppa_valid)
        _check_sides("collapse_grade", self.collapse_grade)
        grades = [*self.collapse_grade.values(), self.pelvic_grade]
        if any(g not in _GRADES for g in grades):
            raise ValueError(f"grades must be 0, 1 or 2, got {grades}")
        if self.rep_number < 0:
            raise ValueError(f"rep_number must be >= 0, got {self.rep_number}")
        if self.reps_total is not None and self.reps_total < 0:
            raise ValueError(f"reps_total must be >= 0 or None, got {self.reps_total}")
        if self.movement not in MOVEMENTS:
            raise ValueError(f"movement must be one of {MOVEMENTS}, got {self.movement!r}")
        if self.stance_side not in (None, *SIDES):
            raise ValueError(
                f"stance_side must be 'left', 'right' or None, got {self.stance_side!r}"
            )


@dataclass(frozen=True)
class FlagTimeline:
    """The whole clip's flags, drawn as a time strip.

    Attributes
    ----------
    times_s : ndarray of shape (T,)
        Frame times in seconds, non-decreasing, T >= 1.
    collapse_grade_left, collapse_grade_right, pelvic_grade : ndarray of shape (T,), int8
        0 within normal, 1 above normal, 2 marked; -1 where not computable
        (drawn dark grey).
    """

    times_s: np.ndarray
    collapse_grade_left: np.ndarray
    collapse_grade_right: np.ndarray
    pelvic_grade: np.ndarray

    def __post_init__(self) -> None:
        times = np.asarray(self.times_s, dtype=np.float64)
        if times.ndim != 1 or times.size == 0:
            raise ValueError(f"times_s must be a non-empty 1-D array, got shape {times.shape}")
        if not np.all(np.isfinite(times)) or np.any(np.diff(times) < 0):
            raise ValueError("times_s must be finite and non-decreasing")
        object.__setattr__(self, "times_s", times)
        for name in ("collapse_grade_left", "collapse_grade_right", "pelvic_grade"):
            grades = np.asarray(getattr(self, name))
            if grades.shape != times.shape:
                raise ValueError(f"{name} must have shape {times.shape}, got {grades.shape}")
            if grades.size and (grades.min() < -1 or grades.max() > 2):
                raise ValueError(f"{name} values must be in -1..2")
            object.__setattr__(self, name, grades.astype(np.int8))

    @property
    def lanes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Grades per lane, top to bottom: left knee, right knee, pelvis."""
        return self.collapse_grade_left, self.collapse_grade_right, self.pelvic_grade


class Annotator(Protocol):
    """Anything that draws an :class:`OverlayFrame` onto a BGR image."""

    def annotate(self, image_bgr: np.ndarray, frame: OverlayFrame) -> np.ndarray: ...
