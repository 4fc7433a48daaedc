"""Per-rep metrics: the numbers clinicians read at the bottom of each rep.

Clinical practice reads FPPA and KASR at peak knee flexion (the lowest hip
position) and contralateral pelvic drop over the rep or hold (design.md
section 1). Split from valgus.analysis.events, which finds the reps.

Each rep gets one FPPA *reading* per knee, the number its verdict, flags and
comparisons use: FPPA at the bottom when it is valid there
(valgus.analysis.fppa_validity), else at the deepest frame on the way down where
it is (the leg hidden or the body turned at the bottom), else the deepest on the
way up. Always the way down first, because the deepest valid frames down and up
are about equally deep and the knee's angle differs between them: picking
whichever was a hair deeper made a mirrored or re-encoded copy read the other
side (docs/validation.md). A knee past the movement's FPPA depth limit at the
bottom (a deep bilateral squat: bent past 50 deg; a pistol: the thigh pointing
at the camera) gets no FPPA number at all (``past_fppa_limit_<side>``,
`_past_the_limit`): design.md reads FPPA at peak knee flexion, and anything
read higher up measured where the limit cut the rep.
Left and right are compared only at one frame where both are valid
(``fppa_pair_*``), so a difference is never one knee deep against the other shallow.

There is no per-rep FPPA peak (the largest angle anywhere in the rep): it is
the maximum of per-frame readings whose noise is a few degrees, so it moved
2.5-3.4 deg between a clip and its mirrored or half-size copy where the
reading held within 2 (tux_hyva7), and design.md reads FPPA at peak knee
flexion, not at the angle's maximum. A collapse away from the bottom still
raises the per-frame flags (valgus.analysis.flags), with their frames.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from valgus.analysis.by_shot import PELVIC_HORIZONTAL
from valgus.analysis.columns import bool_column, float_column, require_columns
from valgus.analysis.events import Rep, rep_positions
from valgus.analysis.fppa_validity import (
    MAX_FLEXION_DEG,
    MIN_THIGH_RATIO,
    SINGLE_LEG_MIN_THIGH_RATIO,
)
from valgus.analysis.stance import STANCE_SIDES, pelvic_drop_from_obliquity


@dataclass(frozen=True)
class RepMetrics:
    """What one rep measured, at its bottom and over its whole span.

    FPPA is read only where ``fppa_valid_<side>`` holds (the thigh is long
    enough in the image for the angle to mean something, design.md section
    5); at an invalid bottom the value is NaN and ``fppa_valid_bottom_<side>``
    is False. Pelvic peaks are maxima (drop is +). Ratios (KASR, KHR),
    depth (leg lengths) and knee medial displacement (thigh lengths) carry
    no unit suffix, like their frames columns. ``*_frame`` are frame numbers,
    None where nothing valid was seen.

    ``fppa_read_<side>_deg`` is the rep's reading (see the module notes) at
    ``fppa_read_<side>_frame`` (the bottom when it was valid there), with the
    knee flexion there: the second model's FPPA where it read the knee
    (``fppa_refined_read_<side>_deg``, valgus.analysis.refined_fppa), else
    MediaPipe's calibrated one; ``fppa_pair_*`` the deepest frame where both knees are
    valid and their FPPA there. ``pelvic_reference`` says what the pelvic
    drop is measured against (valgus.analysis.by_shot: "standing",
    "another shot" or "horizontal").
    """

    index: int
    stance_side: str | None
    start_frame: int
    bottom_frame: int
    end_frame: int
    start_s: float
    bottom_s: float
    end_s: float
    duration_s: float
    depth_bottom: float
    fppa_bottom_left_deg: float
    fppa_bottom_right_deg: float
    fppa_valid_bottom_left: bool
    fppa_valid_bottom_right: bool
    past_fppa_limit_left: bool  # measured knee past the FPPA depth limit at the bottom
    past_fppa_limit_right: bool
    straight_leg_left: bool  # stayed straight while the other knee bent (a lunge): not read
    straight_leg_right: bool
    fppa_read_left_deg: float
    fppa_read_right_deg: float
    fppa_model_read_left_deg: float  # MediaPipe's own reading, before calibration
    fppa_model_read_right_deg: float
    fppa_refined_read_left_deg: float  # the second model's, NaN where it did not read the knee
    fppa_refined_read_right_deg: float
    fppa_read_left_frame: int | None
    fppa_read_right_frame: int | None
    knee_flexion_read_left_deg: float
    knee_flexion_read_right_deg: float
    fppa_pair_frame: int | None
    fppa_pair_left_deg: float
    fppa_pair_right_deg: float
    knee_flexion_bottom_left_deg: float
    knee_flexion_bottom_right_deg: float
    kasr_bottom: float
    kasr_change_bottom: float  # KASR at the bottom over KASR standing
    khr_bottom: float
    knee_medial_bottom_left: float
    knee_medial_bottom_right: float
    trunk_lean_bottom_deg: float
    pelvic_drop_bottom_deg: float
    peak_pelvic_drop_deg: float
    peak_pelvic_drop_frame: int | None
    mean_pelvic_drop_deg: float
    pelvic_reference: str

    @property
    def symmetric(self) -> bool:
        """Both knees bent alike at the bottom: a squat, not a lunge or a split stance.

        Squats of ../shared/videos differ by at most 11 deg between the knees at
        the bottom; a side lunge by about 100 (one knee straight).
        """
        gap = self.knee_flexion_bottom_left_deg - self.knee_flexion_bottom_right_deg
        return bool(abs(gap) <= MAX_SQUAT_FLEXION_GAP_DEG)

    @property
    def pelvic_drop_deg(self) -> float:
        """The rep's peak pelvic drop where it is one; NaN against the image horizontal.

        A shot that never stands on both feet has no standing baseline, and its
        tilt against the image horizontal moves with the camera's roll (a 5 deg
        roll moved tux_hyva2's by ~5 deg), so no verdict, flag or table shows it.
        """
        return NAN if self.pelvic_reference == PELVIC_HORIZONTAL else self.peak_pelvic_drop_deg

    def to_dict(self) -> dict:
        """Plain dict (one row of reps.csv / an entry of report.json)."""
        return asdict(self)


_BOTTOM_COLUMNS = (
    "kasr",
    "kasr_change",
    "khr",
    "knee_medial_left",
    "knee_medial_right",
    "trunk_lean_deg",
    "knee_flexion_left_deg",
    "knee_flexion_right_deg",
)
_METRIC_COLUMNS = (
    "time_s",
    "depth",
    "fppa_left_deg",
    "fppa_right_deg",
    "fppa_model_left_deg",
    "fppa_model_right_deg",
    "fppa_valid_left",
    "fppa_valid_right",
    "pelvic_obliquity_deg",
    "thigh_ratio_left",
    "thigh_ratio_right",
    *_BOTTOM_COLUMNS,
)


PEAK_WINDOW_FRAMES = 5
MAX_SQUAT_FLEXION_GAP_DEG = 40.0
# A knee bent at most this much at a rep's bottom is as straight as standing: MediaPipe's
# world angle reads standing knees at 13-38 deg (5th-95th percentile over six front clips
# of ../shared/videos, medians 15-32), nowva_side_lunge's trailing knee at its bottoms 3-8.
STRAIGHT_KNEE_MAX_DEG = 30.0
NAN = float("nan")


def _peak(values: np.ndarray, ok: np.ndarray, labels: np.ndarray) -> tuple[float, int | None]:
    """Highest value of a 5-frame running median over the valid frames, and its frame.

    The plain maximum of a noisy series is its least stable statistic (on
    mirrored, rolled or re-encoded copies of real clips FPPA's moved by more
    than the 2 deg the metamorphic checks allow, docs/validation.md); the
    running median's peak of the pelvic drop does not chase single-frame
    landmark jitter.
    """
    ok = ok & np.isfinite(values)
    if not ok.any():
        return NAN, None
    series = pd.Series(np.where(ok, values, np.nan))
    robust = series.rolling(PEAK_WINDOW_FRAMES, center=True, min_periods=1).median()
    robust = robust.where(ok).to_numpy()
    i = int(np.nanargmax(robust))
    return float(robust[i]), int(labels[i])


def _reading_position(ok: np.ndarray, depth: np.ndarray, k: int) -> int | None:
    """Where a rep reads: ``k`` (the bottom) if ``ok`` there, else the deepest ``ok`` frame
    before it (the way down), else the deepest after it; None where nothing is ``ok``.
    """
    if ok[k]:
        return k
    for candidates in (np.flatnonzero(ok[:k]), k + 1 + np.flatnonzero(ok[k + 1 :])):
        if candidates.size:
            scores = np.where(np.isfinite(depth[candidates]), depth[candidates], -np.inf)
            return int(candidates[np.argmax(scores)])
    return None


def _reading_values(span: pd.DataFrame, side: str) -> tuple[np.ndarray, np.ndarray]:
    """(what a reading reports, the second model's FPPA) per frame of ``span`` for ``side``.

    The second model's value where it read the knee (the frames the rep reads),
    MediaPipe's calibrated FPPA everywhere else.
    """
    values = float_column(span, f"fppa_{side}_deg")
    column = f"fppa_refined_{side}_deg"
    if column not in span:
        return values, np.full(len(span), NAN)
    refined = float_column(span, column)
    return np.where(np.isfinite(refined), refined, values), refined


def _past_the_limit(span: pd.DataFrame, k: int, side: str, *, single_leg: bool) -> bool:
    """The knee is past the movement's FPPA depth limit at the bottom (fppa_validity).

    Bent past the limit of knee flexion, or its thigh so foreshortened (pointing
    at the camera) that the hip-knee-ankle angle means nothing: a bilateral
    squat deeper than 50 deg, a pistol squat (thigh 0.03-0.27 of its standing
    length at the bottom, where MediaPipe's world model reads the knee at only
    42-74 deg). Such a knee gets no FPPA number in the rep: not at the bottom
    (not a frontal-plane angle there) and not higher up, where the valid frames
    end as the knee bends through the limit. Read there, its angle falls about a
    degree per degree of flexion (a toes-out squat), so the number followed
    which frame one copy of a clip let through: a mirrored or half-size copy
    read up to 6 deg (aithletique_squat) to 87 deg (postopcv_squat) apart, and
    a rep's "peak" was wherever the limit cut it. Knees at depth are judged by
    KASR at the bottom (valgus.analysis.summary), which stays meaningful there.
    """
    flexion = float_column(span, f"knee_flexion_{side}_deg")[k]
    thigh = float_column(span, f"thigh_ratio_{side}")[k]
    kind = "single-leg" if single_leg else "squat"
    min_thigh = SINGLE_LEG_MIN_THIGH_RATIO if single_leg else MIN_THIGH_RATIO
    return bool(flexion > MAX_FLEXION_DEG[kind] or thigh < min_thigh)


def _straight_leg(span: pd.DataFrame, k: int) -> str | None:
    """The knee that stays straight while the other bends at the bottom (a lunge), or None.

    A bilateral rep whose knees bend more than ``MAX_SQUAT_FLEXION_GAP_DEG``
    apart, one of them at most ``STRAIGHT_KNEE_MAX_DEG``, is a lunge or a
    split stance (nowva_side_lunge: 5 deg against 110). The straight leg
    carries little of the load, so its angle is the leg's static alignment,
    not how the knee holds under load: the report once called it "in line
    over the foot" while the loaded knee went unread.
    """
    left = float_column(span, "knee_flexion_left_deg")[k]
    right = float_column(span, "knee_flexion_right_deg")[k]
    straighter = min(left, right)
    if not (abs(left - right) > MAX_SQUAT_FLEXION_GAP_DEG and straighter <= STRAIGHT_KNEE_MAX_DEG):
        return None
    return "left" if left < right else "right"


def _fppa_fields(span: pd.DataFrame, k: int, *, single_leg: bool, stance: str | None) -> dict:
    """FPPA at the bottom and the rep's reading per side, and the paired frame.

    A measured knee (both in a bilateral rep, the ``stance`` leg's in a
    single-leg one) past the limit at the bottom (`_past_the_limit`) has none of
    them, and the rep no paired frame; nor has the straight leg of a bilateral
    rep whose other knee bends far more (`_straight_leg`). A lifted leg is
    never measured, however it bends, so it is never "past the limit" either:
    its knee's card would otherwise count a rep stood on the other leg.
    """
    labels = span.index.to_numpy()
    depth = float_column(span, "depth")
    straight = None if single_leg else _straight_leg(span, k)
    out: dict = {}
    valid = {}
    for side in STANCE_SIDES:
        values = float_column(span, f"fppa_{side}_deg")
        ok = bool_column(span, f"fppa_valid_{side}") & np.isfinite(values)
        measured = stance in (None, side)
        past = measured and _past_the_limit(span, k, side, single_leg=single_leg)
        out[f"past_fppa_limit_{side}"] = past
        out[f"straight_leg_{side}"] = side == straight
        if past or side == straight:
            ok = np.zeros_like(ok)
        valid[side] = ok
        out[f"fppa_valid_bottom_{side}"] = bool(ok[k])
        reading, refined = _reading_values(span, side)
        out[f"fppa_bottom_{side}_deg"] = float(reading[k]) if ok[k] else NAN
        read = _reading_position(ok, depth, k)
        flexion = float_column(span, f"knee_flexion_{side}_deg")
        model = float_column(span, f"fppa_model_{side}_deg")
        out[f"fppa_read_{side}_deg"] = NAN if read is None else float(reading[read])
        out[f"fppa_model_read_{side}_deg"] = NAN if read is None else float(model[read])
        out[f"fppa_refined_read_{side}_deg"] = NAN if read is None else float(refined[read])
        out[f"fppa_read_{side}_frame"] = None if read is None else int(labels[read])
        out[f"knee_flexion_read_{side}_deg"] = NAN if read is None else float(flexion[read])
    pair = _reading_position(valid["left"] & valid["right"], depth, k)
    out["fppa_pair_frame"] = None if pair is None else int(labels[pair])
    for side in STANCE_SIDES:
        reading, _ = _reading_values(span, side)
        out[f"fppa_pair_{side}_deg"] = NAN if pair is None else float(reading[pair])
    return out


def rep_metrics(
    frames: pd.DataFrame, rep: Rep, *, pelvic_reference: str, single_leg: bool
) -> RepMetrics:
    """Measure one rep: FPPA, knee separation and pelvic drop at its bottom and peaks.

    The bottom is peak knee flexion (lowest hip), where clinical protocols
    read FPPA and KASR (design.md section 1). Pelvic drop uses the rep's
    ``stance_side`` (|obliquity| for bilateral reps), as `add_pelvic_drop`.

    Parameters
    ----------
    frames : DataFrame
        The kinematics table (CONTRACT.md columns), index = frame number.
    rep : Rep
    pelvic_reference : str, keyword-only
        What the pelvic drop of the rep's shot is measured against.
    single_leg : bool, keyword-only
        The movement loads one leg (its FPPA limit of knee flexion, fppa_validity).

    Returns
    -------
    RepMetrics
    """
    require_columns(frames, _METRIC_COLUMNS)
    a, m, b = rep_positions(frames, rep)
    span = frames.iloc[a : b + 1]
    labels = span.index.to_numpy()
    k = m - a
    drop = pelvic_drop_from_obliquity(
        float_column(span, "pelvic_obliquity_deg"),
        np.full(len(span), rep.stance_side, dtype=object),
    )
    peak_drop = _peak(drop, np.ones(drop.size, dtype=bool), labels)
    times = float_column(span, "time_s")
    bottom = {c: float(span[c].iloc[k]) for c in _BOTTOM_COLUMNS}
    if rep.stance_side is not None:
        # Knee gap over ankle gap with one foot in the air compares the stance knee with a
        # lifted foot: not a valgus measure, so a single-leg rep has none.
        bottom["kasr"] = bottom["kasr_change"] = NAN
    return RepMetrics(
        index=rep.index,
        stance_side=rep.stance_side,
        start_frame=rep.start_frame,
        bottom_frame=rep.bottom_frame,
        end_frame=rep.end_frame,
        start_s=float(times[0]),
        bottom_s=float(times[k]),
        end_s=float(times[-1]),
        duration_s=float(times[-1] - times[0]),
        depth_bottom=float(span["depth"].iloc[k]),
        **_fppa_fields(span, k, single_leg=single_leg, stance=rep.stance_side),
        kasr_bottom=bottom["kasr"],
        kasr_change_bottom=bottom["kasr_change"],
        khr_bottom=bottom["khr"],
        knee_medial_bottom_left=bottom["knee_medial_left"],
        knee_medial_bottom_right=bottom["knee_medial_right"],
        trunk_lean_bottom_deg=bottom["trunk_lean_deg"],
        knee_flexion_bottom_left_deg=bottom["knee_flexion_left_deg"],
        knee_flexion_bottom_right_deg=bottom["knee_flexion_right_deg"],
        pelvic_drop_bottom_deg=float(drop[k]),
        peak_pelvic_drop_deg=peak_drop[0],
        peak_pelvic_drop_frame=peak_drop[1],
        mean_pelvic_drop_deg=float(np.nanmean(drop)) if np.isfinite(drop).any() else NAN,
        pelvic_reference=pelvic_reference,
    )
