"""Detect and undo MediaPipe's left/right label swaps between consecutive frames.

Peers' most reported failure (Sports2D issues 30, 31, 35; Pose2Sim's swap
handling is not implemented): for a few frames the model labels the right leg
"left" and vice versa, which turns FPPA and pelvic drop into nonsense. The
repair is cost-based continuity, applied before gap filling and smoothing
(see :func:`valgus.analysis.filtering.filter_track`).
"""

from __future__ import annotations

import math

import numpy as np

from valgus.pose.landmarks import NUM_LANDMARKS, Landmark

# The leg below the pelvis is swapped as one unit: MediaPipe's leg confusions
# exchange the whole chain, and pooling four pairs keeps the decision clear when
# one pair is ambiguous (knees touching at the bottom of a valgus squat).
LEG_SWAP_PAIRS: tuple[tuple[int, int], ...] = (
    (Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE),
    (Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE),
    (Landmark.LEFT_HEEL, Landmark.RIGHT_HEEL),
    (Landmark.LEFT_FOOT_INDEX, Landmark.RIGHT_FOOT_INDEX),
)
# Hips are judged on their own: a leg-only swap leaves the hips in place (adding
# them to the leg unit would dilute its evidence), while a whole-body flip swaps
# both units, and repairing only the legs would hang each leg on the wrong hip.
HIP_SWAP_PAIRS: tuple[tuple[int, int], ...] = ((Landmark.LEFT_HIP, Landmark.RIGHT_HIP),)
SWAP_GROUPS: tuple[tuple[tuple[int, int], ...], ...] = (LEG_SWAP_PAIRS, HIP_SWAP_PAIRS)


def _body_scale_px(xy: np.ndarray) -> float:
    """Median hip-to-ankle distance over frames and legs (0 if never seen)."""
    lengths = [
        np.linalg.norm(xy[:, ankle] - xy[:, hip], axis=-1)
        for hip, ankle in (
            (Landmark.LEFT_HIP, Landmark.LEFT_ANKLE),
            (Landmark.RIGHT_HIP, Landmark.RIGHT_ANKLE),
        )
    ]
    all_lengths = np.concatenate(lengths)
    all_lengths = all_lengths[np.isfinite(all_lengths)]
    return float(np.median(all_lengths)) if all_lengths.size else 0.0


def _swap_costs(
    current: np.ndarray, last: np.ndarray, pairs: tuple[tuple[int, int], ...]
) -> tuple[float, float, bool]:
    """Summed distance to the last known points for (keep, swap) over comparable pairs.

    Plain floats, not numpy: this runs once per frame and group, and numpy's
    per-scalar calls took 1.5 s on a 10-minute clip.
    """
    keep = swap = 0.0
    compared = False
    now, before = current.tolist(), last.tolist()
    for left, right in pairs:
        (lx, ly), (rx, ry) = now[left], now[right]
        (plx, ply), (prx, pry) = before[left], before[right]
        if not all(map(math.isfinite, (lx, ly, rx, ry, plx, ply, prx, pry))):
            continue
        keep += math.hypot(lx - plx, ly - ply) + math.hypot(rx - prx, ry - pry)
        swap += math.hypot(lx - prx, ly - pry) + math.hypot(rx - plx, ry - ply)
        compared = True
    return keep, swap, compared


def _find_group_swaps(
    xy: np.ndarray,
    pairs: tuple[tuple[int, int], ...],
    *,
    max_ratio: float,
    min_gain_px: float,
    max_gap_frames: int,
) -> np.ndarray:
    """(T,) bool: frames whose labels in ``pairs`` must be exchanged (see find_swaps)."""
    index = [i for pair in pairs for i in pair]
    last = np.full((NUM_LANDMARKS, 2), np.nan)
    last_t = np.full(NUM_LANDMARKS, -(10**9))
    swapped = np.zeros(xy.shape[0], dtype=bool)
    chain = np.full(xy.shape[0], -1)  # frames linked by continuity share a chain id
    chain_id = -1
    present = np.isfinite(xy[:, index]).all(axis=-1).any(axis=-1)
    for t in np.flatnonzero(present):
        fresh = np.where((t - last_t <= max_gap_frames + 1)[:, None], last, np.nan)
        keep, swap, compared = _swap_costs(xy[t], fresh, pairs)
        swapped[t] = compared and swap < max_ratio * keep and keep - swap > min_gain_px
        chain_id += 0 if compared else 1
        chain[t] = chain_id
        frame = xy[t].copy()
        if swapped[t]:
            for left, right in pairs:
                frame[[left, right]] = frame[[right, left]]
        seen = np.isfinite(frame).all(axis=-1)
        last[seen] = frame[seen]
        last_t[seen] = t
    # Continuity only gives orientation relative to a chain's first frame; if that
    # frame was the mislabelled one, most of the chain reads "swapped". MediaPipe is
    # right more often than not, so each chain takes its majority orientation.
    for c in np.unique(chain[chain >= 0]):
        members = chain == c
        if swapped[members].sum() * 2 > members.sum():
            swapped[members] = ~swapped[members]
    return swapped


def find_swaps(
    xy: np.ndarray,
    *,
    groups: tuple[tuple[tuple[int, int], ...], ...] = SWAP_GROUPS,
    max_ratio: float = 0.5,
    min_gain: float = 0.05,
    max_gap_frames: int = 2,
) -> np.ndarray:
    """Detect frames where MediaPipe exchanged left/right labels, per group of pairs.

    Each frame is compared with the last repaired position of every landmark:
    ``keep`` is the summed distance of the current labelling, ``swap`` that of the
    exchanged labelling. A swap is flagged only when it is clearly cheaper:
    ``swap < max_ratio * keep`` and ``keep - swap > min_gain * leg length``. A
    rigid translation, however fast, never qualifies (``swap >= keep`` then), so
    only a real exchange does; a person genuinely crossing their legs (rare in
    squats and stance) would be undone, the accepted cost.

    Continuity is trusted across at most ``max_gap_frames`` frames without a
    point; after a longer dropout the person may have turned (a real clip,
    ``front/postopcv_squat.mp4``, turns away during a 3-frame dropout), so a new
    chain starts. Each chain takes its majority labelling as the truth, so a
    chain that starts on a mislabelled frame is still repaired.

    Parameters
    ----------
    xy : (T, 33, 2) float array
        Pixel coordinates; NaN points are skipped.
    groups : tuple of tuples of (left, right) landmark pairs, keyword-only
        Units swapped together; default legs (knee to toe) and hips separately.
    max_ratio : float, keyword-only
        Largest swap/keep cost ratio that counts as a swap, in (0, 1].
    min_gain : float, keyword-only
        Smallest saving, as a fraction of the clip's median hip-ankle distance.
    max_gap_frames : int, keyword-only
        Longest run of missing frames that continuity bridges.

    Returns
    -------
    (T, len(groups)) bool array.
    """
    xy = np.asarray(xy, dtype=float)
    if xy.ndim != 3 or xy.shape[1:] != (NUM_LANDMARKS, 2):
        raise ValueError(f"xy has shape {xy.shape}, expected (T, {NUM_LANDMARKS}, 2)")
    if not 0.0 < max_ratio <= 1.0:
        raise ValueError(f"max_ratio must be in (0, 1], got {max_ratio}")
    if min_gain < 0:
        raise ValueError(f"min_gain must be >= 0, got {min_gain}")
    if max_gap_frames < 0:
        raise ValueError(f"max_gap_frames must be >= 0, got {max_gap_frames}")
    min_gain_px = min_gain * _body_scale_px(xy)
    flags = np.zeros((xy.shape[0], len(groups)), dtype=bool)
    for g, pairs in enumerate(groups):
        flags[:, g] = _find_group_swaps(
            xy, pairs, max_ratio=max_ratio, min_gain_px=min_gain_px, max_gap_frames=max_gap_frames
        )
    return flags


def apply_swaps(
    values: np.ndarray,
    flags: np.ndarray,
    *,
    groups: tuple[tuple[tuple[int, int], ...], ...] = SWAP_GROUPS,
) -> np.ndarray:
    """Exchange left/right landmarks where ``flags`` says so.

    Parameters
    ----------
    values : (T, 33, ...) array
        Any per-landmark array (xy, z, visibility, world coordinates).
    flags : (T, len(groups)) bool array
        From :func:`find_swaps`.

    Returns
    -------
    A new array like ``values``.
    """
    out = np.array(values, copy=True)
    flags = np.asarray(flags, dtype=bool)
    if flags.shape != (out.shape[0], len(groups)):
        raise ValueError(f"flags has shape {flags.shape}, expected ({out.shape[0]}, {len(groups)})")
    for g, pairs in enumerate(groups):
        frames = np.flatnonzero(flags[:, g])
        for left, right in pairs:
            out[frames, left], out[frames, right] = out[frames, right], out[frames, left]
    return out


def repair_swaps(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Find and undo left/right label swaps (see :func:`find_swaps`).

    Returns
    -------
    xy : (T, 33, 2) float array, repaired copy.
    swapped : (T,) bool array, frames where any group was exchanged.
    """
    flags = find_swaps(xy)
    return apply_swaps(np.asarray(xy, dtype=float), flags), flags.any(axis=1)
