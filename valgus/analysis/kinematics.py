"""Per-frame kinematics of a cleaned pose track: FPPA, knee offsets, pelvis, depth.

Turns a :class:`~valgus.pose.track.PoseTrack` (after :mod:`valgus.analysis.filtering`) into
the per-frame table of CONTRACT.md ("frames" columns) plus a
:class:`BodyReference` estimated from the clip itself (standing posture and
segment lengths), which normalises every distance so people, zoom and camera
distance compare. The geometry lives in :mod:`valgus.analysis.geometry` and is
re-exported here for the live mode and tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from valgus.analysis.calibration import calibrated_fppa_deg
from valgus.analysis.dsp import near_marked
from valgus.analysis.floor import ankle_lift, ankle_stagger, floor_line_y
from valgus.analysis.fppa_validity import fppa_valid
from valgus.analysis.geometry import (
    finite_percentile,
    fppa_deg,
    knee_flexion_deg,
    medial_sign,
    pelvic_obliquity_deg,
    ratio,
    signed_knee_offset,
    trunk_lean_deg,
)
from valgus.analysis.view import MAX_MEASURED_YAW_DEG, body_yaw_deg
from valgus.pose.landmarks import LEG, LOWER_BODY, SIDES, Landmark
from valgus.pose.track import PoseTrack

__all__ = [
    "BodyReference",
    "Kinematics",
    "compute_kinematics",
    "estimate_reference",
    "fppa_deg",
    "lower_body_visible",
    "medial_sign",
    "pelvic_obliquity_deg",
    "ratio",
    "signed_knee_offset",
    "trunk_lean_deg",
]

MIN_VISIBILITY = 0.5
# Knee flexion from the world landmarks is smoothed over this many frames (its
# frame-to-frame noise: p95 3.1 deg raw, 2.6 deg smoothed, on 24 front clips).
FLEXION_MEDIAN_FRAMES = 5
# The world landmarks' yaw is noisier (their depth): a median over half a second at 30 fps.
YAW_MEDIAN_FRAMES = 15
MAX_PELVIC_TILT_DEG = 20.0
MIN_HIP_WIDTH_RATIO = 0.5
# Standing frames for the pelvic baseline: hips within 5% of leg length of their
# highest and both ankles within 8% of the floor. 8%, not 5%: staggered feet or a
# slight camera roll put one grounded ankle 4-8% higher on real clips
# (front/lnewco_good_IMG_7027.mov: median 4.8%, p90 7.8%), while a foot lifted for a
# single-leg squat sits 20-35% above the floor over the rep (90th percentiles, tux_hyva2
# and tux_hyva7; the 13% once quoted here for tux_hyva6 was its stance foot over a floor
# line the pistol's free foot had pulled down, valgus.analysis.floor).
STANDING_MAX_DEPTH = 0.05
# The floor line comes from frames with the hips at most this deep (floor.floor_line_y): a
# pistol squat's free foot leaves the floor line past 0.4 (tux_hyva6), and a jump squat's
# feet are on the floor up to ~0.15 below its airborne hips (spotter_jumps_legs_work_out).
FLOOR_MAX_DEPTH = 0.25
GROUNDED_MAX_LIFT = 0.08
LIFT_GUARD_S = 0.2  # not standing this near a lift: seen late, hips already tilt (stance.py)


@dataclass(frozen=True)
class BodyReference:
    """Standing posture and body size, estimated from the clip itself (pixels, degrees).

    Attributes
    ----------
    thigh_length_px, shank_length_px : dict[str, float]
        Per side ("left", "right"): 90th percentile of the projected segment
        length, i.e. its length when it is most parallel to the image plane.
    leg_length_px : float
        Mean over sides of thigh + shank reference lengths.
    hip_width_px : float
        Median hip-to-hip distance.
    standing_hip_y_px : float
        Hip-midpoint y when standing (10th percentile of y: the highest hips).
    floor_y_px : float
        y of a grounded ankle (90th percentile of the lower ankle's y).
    ankle_stagger : dict[str, float]
        Per side, leg lengths a grounded ankle sits above ``floor_y_px`` (feet
        staggered or camera rolled); subtracted from the ankle lift.
    pelvic_baseline_deg : float
        Median raw pelvic obliquity over standing frames (0 if there are none).
    kasr_standing : float
        Median knee-to-ankle separation ratio over standing frames (NaN if none):
        what the knees' spacing at depth is compared with.
    standing_frames : int
        How many frames the baseline came from.
    """

    thigh_length_px: dict[str, float]
    shank_length_px: dict[str, float]
    leg_length_px: float
    hip_width_px: float
    standing_hip_y_px: float
    floor_y_px: float
    ankle_stagger: dict[str, float]
    pelvic_baseline_deg: float
    standing_frames: int
    kasr_standing: float = float("nan")


@dataclass(frozen=True)
class Kinematics:
    """The per-frame table (index = frame number, CONTRACT.md columns) and the reference."""

    frames: pd.DataFrame
    reference: BodyReference


def _midpoint(xy: np.ndarray, left: int, right: int) -> np.ndarray:
    return (xy[:, left] + xy[:, right]) / 2.0


def _present(track: PoseTrack, landmarks: tuple[int, ...], min_visibility: float) -> np.ndarray:
    """(T,) bool: all ``landmarks`` finite and at least ``min_visibility`` visible."""
    index = list(landmarks)
    finite = np.isfinite(track.xy_px[:, index]).all(axis=(1, 2))
    return finite & (track.visibility[:, index] >= min_visibility).all(axis=1)


def lower_body_visible(track: PoseTrack, *, min_visibility: float = MIN_VISIBILITY) -> np.ndarray:
    """(T,) bool: hips, knees and ankles visible (>= ``min_visibility``) and inside the frame.

    MediaPipe extrapolates landmarks outside the frame (e.g. cropped feet in
    ``front/sebitzu_squat.mp4``); such frames must not feed FPPA or the floor.
    """
    xy = track.xy_px[:, list(LOWER_BODY)]
    with np.errstate(invalid="ignore"):
        inside = (
            (xy[..., 0] >= 0)
            & (xy[..., 0] <= track.width)
            & (xy[..., 1] >= 0)
            & (xy[..., 1] <= track.height)
        )
    return _present(track, LOWER_BODY, min_visibility) & inside.all(axis=1)


def _segment_lengths(xy: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per side, (T,) projected thigh and shank lengths in pixels."""
    lengths = {}
    for side in SIDES:
        hip, knee, ankle = LEG[side]
        thigh = np.linalg.norm(xy[:, knee] - xy[:, hip], axis=-1)
        shank = np.linalg.norm(xy[:, ankle] - xy[:, knee], axis=-1)
        lengths[side] = (thigh, shank)
    return lengths


def estimate_reference(
    track: PoseTrack, *, min_visibility: float = MIN_VISIBILITY
) -> BodyReference:
    """Estimate the standing posture, segment lengths and pelvic baseline of a clip.

    Statistics come from frames with the lower body visible (all frames if there
    are none, so a cropped clip still gets numbers, and the pipeline warns about
    framing). Standing frames: depth < 0.05 and both ankle lifts < 0.08 (leg
    lengths), not within 0.2 s of a lifted foot; their median raw obliquity is
    the baseline that removes camera roll and landmark bias from pelvic drop
    (Dingenen 2018 measure against a standing reference too).
    """
    xy = track.xy_px
    use = lower_body_visible(track, min_visibility=min_visibility)
    if not use.any():
        use = np.ones(track.n_frames, dtype=bool)
    lengths = _segment_lengths(xy)
    thigh = {side: finite_percentile(lengths[side][0][use], 90) for side in SIDES}
    shank = {side: finite_percentile(lengths[side][1][use], 90) for side in SIDES}
    per_side = np.array([thigh[s] + shank[s] for s in SIDES])
    leg = float(np.mean(per_side[np.isfinite(per_side)])) if np.isfinite(per_side).any() else np.nan
    left_hip, right_hip = xy[:, Landmark.LEFT_HIP], xy[:, Landmark.RIGHT_HIP]
    hip_width = finite_percentile(np.linalg.norm(left_hip - right_hip, axis=-1)[use], 50)
    hip_y = _midpoint(xy, Landmark.LEFT_HIP, Landmark.RIGHT_HIP)[:, 1]
    standing_hip_y = finite_percentile(hip_y[use], 10)
    depth = ratio(hip_y - standing_hip_y, leg)
    with np.errstate(invalid="ignore"):
        hips_high = use & (depth < FLOOR_MAX_DEPTH)
    floor_y = floor_line_y(xy, use, hips_high)
    stagger = {side: ankle_stagger(xy, side, floor_y, leg, use, hips_high) for side in SIDES}
    lifts = [ankle_lift(xy, side, floor_y, leg, stagger[side]) for side in SIDES]
    obliquity = pelvic_obliquity_deg(left_hip, right_hip)
    with np.errstate(invalid="ignore"):
        standing = use & (depth < STANDING_MAX_DEPTH) & np.isfinite(obliquity)
        lifted = np.zeros(track.n_frames, dtype=bool)
        for lift in lifts:
            standing &= lift < GROUNDED_MAX_LIFT
            lifted |= lift >= GROUNDED_MAX_LIFT
    standing &= ~near_marked(track.times_s, lifted, LIFT_GUARD_S)
    baseline = float(np.median(obliquity[standing])) if standing.any() else 0.0
    kasr = ratio(
        np.abs(xy[:, Landmark.LEFT_KNEE, 0] - xy[:, Landmark.RIGHT_KNEE, 0]),
        np.abs(xy[:, Landmark.LEFT_ANKLE, 0] - xy[:, Landmark.RIGHT_ANKLE, 0]),
    )
    return BodyReference(
        thigh_length_px=thigh,
        shank_length_px=shank,
        leg_length_px=leg,
        hip_width_px=hip_width,
        standing_hip_y_px=standing_hip_y,
        floor_y_px=floor_y,
        ankle_stagger=stagger,
        pelvic_baseline_deg=baseline,
        standing_frames=int(standing.sum()),
        kasr_standing=finite_percentile(kasr[standing], 50) if standing.any() else float("nan"),
    )


def running_median(values: np.ndarray, frames: int = FLEXION_MEDIAN_FRAMES) -> np.ndarray:
    """Centred running median over ``frames`` frames (fewer at the ends), NaN-aware."""
    series = pd.Series(np.asarray(values, dtype=float))
    return series.rolling(frames, center=True, min_periods=1).median().to_numpy()


def _leg_columns(
    track: PoseTrack, side: str, reference: BodyReference, min_visibility: float
) -> dict[str, np.ndarray]:
    """FPPA, thigh ratio, knee flexion, visibility, validity and medial knee offset of one leg."""
    xy, world = track.xy_px, track.world_xyz_m
    hip, knee, ankle = LEG[side]
    other_hip = LEG["right" if side == "left" else "left"][0]
    points = (xy[:, hip], xy[:, knee], xy[:, ankle], xy[:, other_hip])
    thigh_ref = reference.thigh_length_px[side]
    thigh_ratio = ratio(np.linalg.norm(xy[:, knee] - xy[:, hip], axis=-1), thigh_ref)
    model_fppa = fppa_deg(*points)
    fppa = calibrated_fppa_deg(model_fppa)
    flexion = running_median(knee_flexion_deg(world[:, hip], world[:, knee], world[:, ankle]))
    present = _present(track, (hip, knee, ankle), min_visibility)
    yaw = running_median(body_yaw_deg(world), YAW_MEDIAN_FRAMES)
    # Before the movement is known every leg is judged as in a bilateral squat; the
    # pipeline applies the movement's own rule once the stance leg is known.
    valid = fppa_valid(fppa, thigh_ratio, flexion, present, body_yaw_deg=yaw, single_leg=False)
    return {
        f"fppa_{side}_deg": fppa,
        f"fppa_model_{side}_deg": model_fppa,
        f"thigh_ratio_{side}": thigh_ratio,
        f"knee_flexion_{side}_deg": flexion,
        f"leg_visible_{side}": present,
        f"fppa_valid_{side}": valid,
        f"knee_medial_{side}": ratio(signed_knee_offset(*points), thigh_ref),
    }


def plausible_pelvis(
    obliquity_deg: np.ndarray,
    hip_width_px: np.ndarray,
    reference_width_px: float,
    *,
    body_yaw_deg: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Baseline-corrected obliquity, NaN where no pelvis can be that tilted or seen that way.

    No clean front clip of ../shared/videos tilts more than 9.4 deg from its
    baseline; all 616 frames beyond ``MAX_PELVIC_TILT_DEG`` (21-88 deg) were a
    cut, a side view or lost tracking. A hip line shorter than
    ``MIN_HIP_WIDTH_RATIO`` of its usual length is seen edge-on (the body turned
    away), where its angle is not the pelvis's frontal tilt; so is a body turned
    more than ``MAX_MEASURED_YAW_DEG`` (valgus.analysis.view).
    """
    with np.errstate(invalid="ignore"):
        ok = (
            (np.abs(obliquity_deg) <= MAX_PELVIC_TILT_DEG)
            & (hip_width_px >= MIN_HIP_WIDTH_RATIO * reference_width_px)
            & (np.asarray(body_yaw_deg) <= MAX_MEASURED_YAW_DEG)
        )
    return np.where(ok, obliquity_deg, np.nan)


def compute_kinematics(
    track: PoseTrack,
    *,
    min_visibility: float = MIN_VISIBILITY,
    reference: BodyReference | None = None,
) -> Kinematics:
    """Per-frame kinematics of a (filtered) pose track.

    Parameters
    ----------
    track : PoseTrack
        Usually the output of :func:`valgus.analysis.filtering.filter_track`.
    min_visibility : float, keyword-only
        Visibility a landmark needs for ``lower_body_visible`` and ``fppa_valid_*``.
    reference : BodyReference, optional, keyword-only
        Use this reference (e.g. with a pelvic baseline from another shot)
        instead of estimating it from ``track``.

    Returns
    -------
    Kinematics
        ``frames``: one row per frame (index "frame"), the columns of
        CONTRACT.md in its order; NaN where not computable. ``reference``: the
        :class:`BodyReference` used for normalisation and the pelvic baseline.
    """
    xy = track.xy_px
    if reference is None:
        reference = estimate_reference(track, min_visibility=min_visibility)
    leg = reference.leg_length_px
    cols: dict[str, np.ndarray] = {
        "time_s": np.asarray(track.times_s, dtype=float),
        "has_pose": track.has_pose,
        "lower_body_visible": lower_body_visible(track, min_visibility=min_visibility),
    }
    legs = {side: _leg_columns(track, side, reference, min_visibility) for side in SIDES}
    stems = (
        "fppa_{}_deg",
        "fppa_model_{}_deg",
        "thigh_ratio_{}",
        "knee_flexion_{}_deg",
        "leg_visible_{}",
    )
    for stem in (*stems, "fppa_valid_{}", "knee_medial_{}"):
        for side in SIDES:
            cols[stem.format(side)] = legs[side][stem.format(side)]

    def sep(left: int, right: int) -> np.ndarray:
        return np.abs(xy[:, left, 0] - xy[:, right, 0])

    cols["knee_sep_px"] = sep(Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE)
    cols["ankle_sep_px"] = sep(Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE)
    cols["hip_sep_px"] = sep(Landmark.LEFT_HIP, Landmark.RIGHT_HIP)
    cols["kasr"] = ratio(cols["knee_sep_px"], cols["ankle_sep_px"])
    cols["khr"] = ratio(cols["knee_sep_px"], cols["hip_sep_px"])
    cols["kasr_change"] = ratio(cols["kasr"], np.full(track.n_frames, reference.kasr_standing))

    left_hip, right_hip = xy[:, Landmark.LEFT_HIP], xy[:, Landmark.RIGHT_HIP]
    raw = pelvic_obliquity_deg(left_hip, right_hip)
    cols["pelvic_obliquity_raw_deg"] = raw
    cols["body_yaw_deg"] = running_median(body_yaw_deg(track.world_xyz_m), YAW_MEDIAN_FRAMES)
    cols["pelvic_obliquity_deg"] = plausible_pelvis(
        raw - reference.pelvic_baseline_deg,
        np.linalg.norm(left_hip - right_hip, axis=-1),
        reference.hip_width_px,
        body_yaw_deg=cols["body_yaw_deg"],
    )

    hip_mid = _midpoint(xy, Landmark.LEFT_HIP, Landmark.RIGHT_HIP)
    cols["depth"] = ratio(hip_mid[:, 1] - reference.standing_hip_y_px, leg)
    for side in SIDES:
        cols[f"ankle_lift_{side}"] = ankle_lift(
            xy, side, reference.floor_y_px, leg, reference.ankle_stagger[side]
        )

    # Which image direction is the person's left: the clip's median, so that a
    # few noisy frames with overlapping hips cannot flip the sign of the lean.
    facing = finite_percentile(left_hip[:, 0] - right_hip[:, 0], 50)
    left_dir = np.sign(facing) if np.isfinite(facing) and facing != 0 else np.nan
    shoulder_mid = _midpoint(xy, Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER)
    cols["trunk_lean_deg"] = trunk_lean_deg(shoulder_mid, hip_mid, left_dir=left_dir)

    frames = pd.DataFrame(cols, index=pd.RangeIndex(track.n_frames, name="frame"))
    return Kinematics(frames=frames, reference=reference)
