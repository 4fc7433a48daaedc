"""Shots: where an edited or moving clip cuts, zooms or pans, and which parts show the whole body.

Why: every depth, lift and pelvic number is measured against the standing
reference of the clip (hip height, floor, pelvic baseline). A cut to a
close-up, a zoom or a pan moves that reference: front/yogapose_tree (24 cuts)
read as 21 single-leg-squat reps with an 80 deg "pelvic drop", and
front/tux_hyva_ja_paha2 (pans between reps) as a bilateral squat with 18 deg.
Split into shots, each whole-body ("wide") shot gets its own reference, and
nothing is measured across a cut or in a close-up.

Three detectors, from the pose stage's per-frame cues (valgus.pose.camera_cues)
and the landmarks:

1. **Picture cuts**: a frame whose colour-histogram change is at least
   ``CUT_MIN_DISTANCE``, ``CUT_MIN_RATIO`` times the median change of the
   surrounding ``CONTEXT_S``, the largest within ``MIN_SHOT_S``, and whose
   layout changed too (``CUT_MIN_LAYOUT``). On ../shared/videos: all 24 cuts of
   yogapose_tree (0.19-0.99 at 10-990x their context), nothing on the 28
   other front and oblique clips (largest non-cut change 0.16; a GIF palette
   change in oblique/spotter_squat is rejected by the layout test).
2. **Camera drift**: the running sum of the background's motion; a new shot
   starts when the camera has moved more than ``DRIFT_MAX_LEG`` leg lengths or
   zoomed past ``DRIFT_MAX_SCALE`` since the shot began, *and* the person's
   footing and size in the picture moved along (objects the person carries,
   like barbell plates, move the "background" but not the feet). 0.15 leg
   lengths splits only tux_hyva_ja_paha2 (1.7, 9.4 and 24.7 s); 0.05-0.10
   also cut hand-held phone clips into pieces shorter than a rep.
3. **Body-scale jumps**: pixels per metre of the person (image over world
   landmark lengths) jumping by ``SCALE_JUMP`` and holding: a digital zoom on a
   plain background barely changes the colours.

Each shot is "wide" (hips, knees and ankles in frame in at least
``WIDE_MIN_LOWER_BODY_SHARE`` of its pose frames), "close-up" or "no-person".
Fades to white are not found (oblique/mrpose_squat).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from valgus.pose.landmarks import Landmark
from valgus.pose.track import PoseTrack

CUT_MIN_DISTANCE = 0.12
CUT_MIN_RATIO = 8.0
CUT_MIN_LAYOUT = 0.1
CONTEXT_S = 1.0
MIN_SHOT_S = 0.4  # cuts closer than this are one cut (a dissolve, a flash)
SCALE_JUMP = 1.25
SCALE_CONTEXT_FRAMES = 5
SCALE_HOLD_FRAMES = 5
DRIFT_MAX_LEG = 0.15
DRIFT_MAX_SCALE = 1.06
ANCHOR_AGREEMENT = 0.5  # the feet must move at least half as far as the camera, same way
ANCHOR_WINDOW_S = 0.5
# As valgus.analysis.quality's MIN_LOWER_BODY_RATE: the bar a whole clip had to pass.
WIDE_MIN_LOWER_BODY_SHARE = 0.5
MIN_POSE_SHARE = 0.3
# A wide shot shorter than this holds no rep or hold worth measuring.
MIN_ANALYSED_SHOT_S = 1.0
# Segments whose image over world length gives the body scale: shoulders, hips, torso
# sides, thighs, shanks, upper arms.
SCALE_SEGMENTS = ((11, 12), (23, 24), (11, 23), (12, 24), (23, 25), (24, 26), (25, 27), (26, 28))
SCALE_SEGMENTS += ((11, 13), (12, 14))


@dataclass(frozen=True)
class Shot:
    """One continuous shot: frames ``start_frame`` (inclusive) to ``end_frame`` (exclusive).

    ``kind`` is "wide", "close-up" or "no-person"; ``analysed`` is True for wide
    shots of at least ``MIN_ANALYSED_SHOT_S``, the only frames measured.
    """

    start_frame: int
    end_frame: int
    start_s: float
    end_s: float
    kind: str
    analysed: bool


def detect_cuts(times_s: np.ndarray, distance: np.ndarray, layout: np.ndarray) -> list[int]:
    """Frame positions that start a new shot by a change of picture (see the module notes)."""
    cuts = []
    for i in np.flatnonzero(distance >= CUT_MIN_DISTANCE):
        near = np.abs(times_s - times_s[i])
        context = distance[(near <= CONTEXT_S) & (near > 0)]
        floor = float(np.nanmedian(context)) if np.isfinite(context).any() else 0.0
        rivals = distance[near < MIN_SHOT_S]
        if (
            distance[i] >= CUT_MIN_RATIO * floor
            and distance[i] >= np.nanmax(rivals)
            and layout[i] >= CUT_MIN_LAYOUT
        ):
            cuts.append(int(i))
    return cuts


def body_scale_px_per_m(xy_px: np.ndarray, world_xyz_m: np.ndarray) -> np.ndarray:
    """(T,) pixels per metre: image over world (x, y) length summed over ``SCALE_SEGMENTS``."""
    a = [s[0] for s in SCALE_SEGMENTS]
    b = [s[1] for s in SCALE_SEGMENTS]
    px = np.linalg.norm(xy_px[:, a] - xy_px[:, b], axis=-1)
    m = np.linalg.norm(world_xyz_m[:, a, :2] - world_xyz_m[:, b, :2], axis=-1)
    ok = np.isfinite(px) & np.isfinite(m)
    px_sum, m_sum = np.where(ok, px, 0.0).sum(axis=1), np.where(ok, m, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(m_sum > 0, px_sum / m_sum, np.nan)


def detect_scale_jumps(scale: np.ndarray) -> list[int]:
    """Frame positions where the body scale jumps by ``SCALE_JUMP`` either way and stays."""
    known = np.flatnonzero(np.isfinite(scale))
    s, limit = np.log(scale[known]), np.log(SCALE_JUMP)
    jumps, i = [], SCALE_CONTEXT_FRAMES
    while i < known.size - SCALE_HOLD_FRAMES + 1:
        before = np.median(s[i - SCALE_CONTEXT_FRAMES : i])
        after = np.median(s[i : i + SCALE_HOLD_FRAMES])
        if abs(s[i] - before) > limit and abs(after - before) > limit:
            jumps.append(int(known[i]))
            i += SCALE_CONTEXT_FRAMES  # the new level needs a full context first
        else:
            i += 1
    return jumps


def _rolling_median(values: np.ndarray, times_s: np.ndarray, window_s: float) -> np.ndarray:
    """Centred running median over about ``2 * window_s`` (frames from the median rate)."""
    step = float(np.median(np.diff(times_s))) if times_s.size > 1 else 1.0
    frames = 2 * max(1, round(window_s / step)) + 1
    frame = pd.DataFrame(values)
    return frame.rolling(frames, center=True, min_periods=1).median().to_numpy()


def person_anchor(times_s: np.ndarray, xy_px: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """(T, 3) the feet's x, the lower ankle's y and log hip width, as a camera move shifts them."""
    left, right = xy_px[:, Landmark.LEFT_ANKLE], xy_px[:, Landmark.RIGHT_ANKLE]
    hips = np.linalg.norm(xy_px[:, Landmark.LEFT_HIP] - xy_px[:, Landmark.RIGHT_HIP], axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = np.stack(
            [0.5 * (left[:, 0] + right[:, 0]), np.fmax(left[:, 1], right[:, 1]), np.log(hips)],
            axis=1,
        )
    raw[~whole] = np.nan
    return _rolling_median(raw, times_s, ANCHOR_WINDOW_S)


def leg_length_px(xy_px: np.ndarray, whole: np.ndarray) -> float:
    """90th percentile over whole-body frames of the mean (thigh + shank) length, pixels."""
    legs = [
        np.linalg.norm(xy_px[:, knee] - xy_px[:, hip], axis=-1)
        + np.linalg.norm(xy_px[:, ankle] - xy_px[:, knee], axis=-1)
        for hip, knee, ankle in ((23, 25, 27), (24, 26, 28))
    ]
    leg = np.mean(np.stack(legs), axis=0)[whole]
    leg = leg[np.isfinite(leg)]
    return float(np.percentile(leg, 90)) if leg.size else float("nan")


def _corroborated(drift: np.ndarray, shift: np.ndarray, limits: np.ndarray) -> bool:
    """The person's anchor moved along on every axis where the camera moved past its limit."""
    for axis in range(3):
        if abs(drift[axis]) <= limits[axis]:
            continue
        agreeing = shift[axis] * drift[axis] >= ANCHOR_AGREEMENT * drift[axis] ** 2
        if not (np.isfinite(shift[axis]) and agreeing):
            return False
    return True


def detect_camera_moves(
    times_s: np.ndarray, motion: np.ndarray, xy_px: np.ndarray, whole: np.ndarray, resets: set
) -> list[int]:
    """Frame positions where the camera drifted too far from the current shot's start."""
    steps = np.nan_to_num(np.asarray(motion[:, :3], dtype=float), nan=0.0)
    counted = whole & np.concatenate(([False], whole[:-1]))
    steps[~counted] = 0.0
    path = np.cumsum(steps, axis=0)
    leg = leg_length_px(xy_px, whole)
    if not np.isfinite(leg):
        return []
    limits = np.array([DRIFT_MAX_LEG * leg] * 2 + [np.log(DRIFT_MAX_SCALE)])
    anchor = person_anchor(times_s, xy_px, whole)
    starts, first = [], 0
    for i in range(1, len(path)):
        if i in resets:
            first = i
            continue
        drift = path[i] - path[first]
        if (np.abs(drift) > limits).any() and _corroborated(
            drift, anchor[i] - anchor[first], limits
        ):
            starts.append(i)
            first = i
    return starts


def _merge(groups: Iterable[Iterable[int]], times_s: np.ndarray) -> list[int]:
    """Union of cut positions, keeping the earlier of two closer than ``MIN_SHOT_S``."""
    merged: list[int] = []
    for i in sorted({int(i) for group in groups for i in group}):
        if i > 0 and not (merged and times_s[i] - times_s[merged[-1]] < MIN_SHOT_S):
            merged.append(i)
    return merged


def split_shots(
    times_s: np.ndarray, cuts: list[int], has_pose: np.ndarray, whole: np.ndarray
) -> list[Shot]:
    """The shots between ``cuts``, each labelled by how much of the body it shows."""
    n = times_s.size
    edges = [0, *cuts, n]
    period = float(np.median(np.diff(times_s))) if n > 1 else 0.0
    shots = []
    for a, b in itertools.pairwise(edges):
        pose = has_pose[a:b]
        share = float((whole[a:b] & pose).sum() / pose.sum()) if pose.any() else 0.0
        if pose.mean() < MIN_POSE_SHARE:
            kind = "no-person"
        else:
            kind = "wide" if share >= WIDE_MIN_LOWER_BODY_SHARE else "close-up"
        end_s = float(times_s[b]) if b < n else float(times_s[-1]) + period
        long_enough = end_s - float(times_s[a]) >= MIN_ANALYSED_SHOT_S
        shots.append(Shot(a, b, float(times_s[a]), end_s, kind, kind == "wide" and long_enough))
    return shots


def detect_shots(track: PoseTrack, whole: np.ndarray) -> list[Shot]:
    """The shots of ``track``; ``whole`` (T,) marks frames with the lower body in frame.

    A track without cues (saved before they were recorded) is split by the
    body-scale detector alone.
    """
    times = track.times_s
    whole = np.asarray(whole, dtype=bool)
    cues = track.cues
    picture = detect_cuts(times, cues[:, 0], cues[:, 1]) if np.isfinite(cues[:, 0]).any() else []
    scale = np.where(whole, body_scale_px_per_m(track.xy_px, track.world_xyz_m), np.nan)
    groups = [picture, detect_scale_jumps(scale)]
    if np.isfinite(cues[:, 2]).any():
        groups.append(detect_camera_moves(times, cues[:, 2:5], track.xy_px, whole, set(picture)))
    return split_shots(times, _merge(groups, times), track.has_pose, whole)
