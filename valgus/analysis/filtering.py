"""Clean a pose track: drop unreliable points, repair left/right swaps, fill gaps, smooth.

Pure numpy functions on arrays (time on axis 0), plus :func:`filter_track`,
which chains them on a :class:`~valgus.pose.track.PoseTrack` in the only order that
works: swaps are repaired before gaps are filled and before smoothing, because
interpolating or low-pass filtering across a label swap smears two legs into one
(design.md section 2; Sports2D issues 30, 31, 35 for what happens otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from valgus.analysis.dsp import butter_lowpass, filtfilt
from valgus.analysis.swaps import SWAP_GROUPS, apply_swaps, find_swaps, repair_swaps
from valgus.pose.landmarks import Landmark
from valgus.pose.track import PoseTrack

__all__ = [
    "SWAP_GROUPS",
    "FilterReport",
    "apply_swaps",
    "butterworth_lowpass",
    "drop_low_visibility",
    "effective_cutoff_hz",
    "filter_track",
    "find_swaps",
    "interpolate_gaps",
    "repair_swaps",
    "sample_rate_hz",
]

# Landmarks the analysis uses; only these lose low-visibility points. The nose is
# left alone because PoseTrack.has_pose is read from it.
CLEANED_LANDMARKS: tuple[int, ...] = tuple(int(m) for m in Landmark if m != Landmark.NOSE)

# A cutoff closer to Nyquist than this barely filters; low-fps clips get this.
NYQUIST_FRACTION = 0.8


@dataclass(frozen=True)
class FilterReport:
    """What :func:`filter_track` changed, for the report and the pipeline's warnings.

    Attributes
    ----------
    swapped_frames : int
        Frames where a left/right label swap was repaired (any group).
    interpolated_points : int
        (frame, landmark) points filled by linear interpolation.
    dropped_points : int
        (frame, landmark) points of detected poses removed for low visibility.
    unfilled_points : int
        Analysed points of detected poses still missing (gaps longer than the limit).
    sample_rate_hz : float
        From the median frame interval (NaN when it cannot be known).
    requested_cutoff_hz, cutoff_hz : float
        Low-pass cutoff asked for and actually used (lowered on low-fps clips).
    notes : tuple of str
        Human-readable remarks (e.g. why the cutoff was lowered).
    """

    swapped_frames: int
    interpolated_points: int
    dropped_points: int
    unfilled_points: int
    sample_rate_hz: float
    requested_cutoff_hz: float
    cutoff_hz: float
    notes: tuple[str, ...] = ()

    @classmethod
    def combine(cls, reports: list[FilterReport]) -> FilterReport:
        """One report for a clip filtered shot by shot: counts add up, notes are kept once."""
        first = reports[0]
        return cls(
            swapped_frames=sum(r.swapped_frames for r in reports),
            interpolated_points=sum(r.interpolated_points for r in reports),
            dropped_points=sum(r.dropped_points for r in reports),
            unfilled_points=sum(r.unfilled_points for r in reports),
            sample_rate_hz=first.sample_rate_hz,
            requested_cutoff_hz=first.requested_cutoff_hz,
            cutoff_hz=first.cutoff_hz,
            notes=tuple(dict.fromkeys(n for r in reports for n in r.notes)),
        )


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start (inclusive) and end (exclusive) indices of the True runs of a 1-D mask."""
    padded = np.concatenate(([False], np.asarray(mask, dtype=bool), [False]))
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return edges[0::2], edges[1::2]


def drop_low_visibility(
    xy: np.ndarray, visibility: np.ndarray, *, min_visibility: float = 0.5
) -> np.ndarray:
    """Set points whose visibility is below ``min_visibility`` to NaN.

    Parameters
    ----------
    xy : (..., 2) float array
        Coordinates (e.g. (T, 33, 2) pixels).
    visibility : array of shape ``xy.shape[:-1]``
        Visibility in [0, 1]; NaN counts as invisible.
    min_visibility : float, keyword-only
        Threshold in [0, 1]; points at exactly the threshold are kept.

    Returns
    -------
    A new float array like ``xy``.
    """
    xy = np.asarray(xy, dtype=float)
    visibility = np.asarray(visibility, dtype=float)
    if xy.ndim < 1 or xy.shape[-1] != 2:
        raise ValueError(f"xy must have a last axis of size 2, got shape {xy.shape}")
    if visibility.shape != xy.shape[:-1]:
        raise ValueError(
            f"visibility has shape {visibility.shape}, expected {xy.shape[:-1]} to match xy"
        )
    if not 0.0 <= min_visibility <= 1.0:
        raise ValueError(f"min_visibility must be in [0, 1], got {min_visibility}")
    out = xy.copy()
    out[~(visibility >= min_visibility)] = np.nan
    return out


def interpolate_gaps(
    xy: np.ndarray, times_s: np.ndarray, *, max_gap_frames: int = 10
) -> np.ndarray:
    """Linearly interpolate short interior NaN gaps of every coordinate over time.

    Interpolation is against ``times_s``, not frame index, so variable frame rates
    are handled. A gap is filled only if it has a finite value on both sides and
    spans at most ``max_gap_frames`` frames; longer gaps and leading/trailing NaN
    stay NaN, because inventing a leg for a third of a second would be reported as
    measured (design.md section 2).

    Parameters
    ----------
    xy : (T, ...) float array
        Any array with time on axis 0.
    times_s : (T,) float array
        Strictly increasing frame times in seconds.
    max_gap_frames : int, keyword-only
        Longest gap (consecutive NaN frames) to fill; 0 fills nothing.

    Returns
    -------
    A new float array like ``xy``.
    """
    values = np.array(xy, dtype=float)
    times = np.asarray(times_s, dtype=float)
    if values.ndim < 1 or times.shape != values.shape[:1]:
        raise ValueError(f"times_s has shape {times.shape}, expected ({values.shape[0]},)")
    if np.any(~np.isfinite(times)) or np.any(np.diff(times) <= 0):
        raise ValueError("times_s must be finite and strictly increasing")
    if max_gap_frames < 0:
        raise ValueError(f"max_gap_frames must be >= 0, got {max_gap_frames}")
    n_frames = values.shape[0]
    flat = values.reshape(n_frames, int(np.prod(values.shape[1:])))
    for col in range(flat.shape[1]):
        y = flat[:, col]
        missing = np.isnan(y)
        if not missing.any() or missing.all():
            continue
        fill = np.zeros(n_frames, dtype=bool)
        for start, end in zip(*_runs(missing), strict=True):
            if start > 0 and end < n_frames and end - start <= max_gap_frames:
                fill[start:end] = True
        if fill.any():
            y[fill] = np.interp(times[fill], times[~missing], y[~missing])
    return values


def effective_cutoff_hz(fs_hz: float, cutoff_hz: float) -> float:
    """The cutoff :func:`butterworth_lowpass` uses: ``min(cutoff, 0.8 * Nyquist)``.

    A 10 fps GIF-derived clip (``front/spotter_*``) cannot hold a 6 Hz cutoff
    (Nyquist 5 Hz). Refusing would leave its user with nothing; squat motion lives
    below ~2 Hz, so lowering the cutoff to 4 Hz still keeps the movement and
    removes jitter. :func:`filter_track` reports when this happens.
    """
    if not np.isfinite(fs_hz) or fs_hz <= 0:
        raise ValueError(f"fs_hz must be a positive number, got {fs_hz}")
    if not np.isfinite(cutoff_hz) or cutoff_hz <= 0:
        raise ValueError(f"cutoff_hz must be a positive number, got {cutoff_hz}")
    return float(min(cutoff_hz, NYQUIST_FRACTION * fs_hz / 2.0))


def butterworth_lowpass(
    values: np.ndarray, fs_hz: float, *, cutoff_hz: float = 6.0, order: int = 4
) -> np.ndarray:
    """Zero-lag Butterworth low-pass along axis 0, run by run between NaN gaps.

    ``order`` is the order of the whole zero-lag filter: a Butterworth of
    ``order // 2`` is run forward and backward (``filtfilt``), which doubles the
    order and cancels the phase. This is Winter's "4th-order zero-lag" filter and
    what Pose2Sim/Sports2D do (``butter(order / 2, ...)`` + ``filtfilt``), so the
    default 6 Hz means the same as theirs; the gain at the cutoff is 0.5 (-6 dB).

    Parameters
    ----------
    values : (T, ...) float array
        Time on axis 0, any trailing shape. Each contiguous finite run of each
        column is filtered separately; runs no longer than filtfilt's padding
        (``3 * (order // 2 + 1)`` samples, 9 for order 4) are returned unfiltered,
        not dropped. NaN stay NaN.
    fs_hz : float
        Sampling rate.
    cutoff_hz : float, keyword-only
        Requested cutoff; lowered to 0.8 * Nyquist on low-fps clips
        (see :func:`effective_cutoff_hz`).
    order : int, keyword-only
        Even overall order (2, 4, 6...).

    Returns
    -------
    A new float array like ``values``.
    """
    if int(order) != order or order < 2 or order % 2:
        raise ValueError(f"order must be an even integer >= 2 (filtfilt doubles it), got {order}")
    cutoff = effective_cutoff_hz(fs_hz, cutoff_hz)
    out = np.array(values, dtype=float)
    if out.ndim < 1:
        raise ValueError("values must have a time axis (at least 1-D)")
    b, a = butter_lowpass(int(order) // 2, cutoff / (fs_hz / 2.0))
    padlen = 3 * max(len(a), len(b))
    flat = out.reshape(out.shape[0], int(np.prod(out.shape[1:])))
    finite = np.isfinite(flat)
    # Columns with the same missing frames are filtered together (one filtfilt call).
    by_mask: dict[bytes, list[int]] = {}
    for col in range(flat.shape[1]):
        by_mask.setdefault(finite[:, col].tobytes(), []).append(col)
    for cols in by_mask.values():
        for start, end in zip(*_runs(finite[:, cols[0]]), strict=True):
            if end - start > padlen:
                flat[start:end, cols] = filtfilt(b, a, flat[start:end, cols])
    return out


def sample_rate_hz(times_s: np.ndarray, *, fallback_hz: float = float("nan")) -> float:
    """Sampling rate from the median frame interval (robust to dropped frames)."""
    steps = np.diff(np.asarray(times_s, dtype=float))
    steps = steps[np.isfinite(steps) & (steps > 0)]
    return float(1.0 / np.median(steps)) if steps.size else float(fallback_hz)


def _smooth(xy: np.ndarray, fs_hz: float, cutoff_hz: float) -> tuple[np.ndarray, float, list[str]]:
    """Butterworth-smooth xy; return it, the cutoff used and notes for the report."""
    if not (np.isfinite(fs_hz) and fs_hz > 0):
        return xy, float("nan"), ["no smoothing: the frame rate could not be determined"]
    cutoff = effective_cutoff_hz(fs_hz, cutoff_hz)
    notes = []
    if cutoff < cutoff_hz:
        notes.append(
            f"low-pass cutoff lowered from {cutoff_hz:g} Hz to {cutoff:.2g} Hz: the clip's "
            f"{fs_hz:.3g} fps cannot resolve {cutoff_hz:g} Hz (Nyquist {fs_hz / 2:.3g} Hz)"
        )
    return butterworth_lowpass(xy, fs_hz, cutoff_hz=cutoff), cutoff, notes


def filter_track(
    track: PoseTrack,
    *,
    cutoff_hz: float = 6.0,
    max_gap_frames: int = 10,
    min_visibility: float = 0.5,
) -> tuple[PoseTrack, FilterReport]:
    """Clean a track: drop low-visibility points, repair swaps, fill gaps, smooth xy.

    Swaps are applied to xy, z, visibility and world coordinates alike, so every
    array keeps describing the same leg. Interpolated points get visibility
    ``min_visibility`` (usable, and trusted no more than the weakest kept point),
    so downstream visibility gates accept them. Only xy is smoothed.

    Returns
    -------
    track : PoseTrack
        The cleaned copy.
    report : FilterReport
    """
    cleaned = list(CLEANED_LANDMARKS)
    xy = np.array(track.xy_px, dtype=float)
    xy[:, cleaned] = drop_low_visibility(
        xy[:, cleaned], track.visibility[:, cleaned], min_visibility=min_visibility
    )
    pose = track.has_pose[:, None]
    dropped = int((np.isnan(xy[..., 0]) & ~np.isnan(track.xy_px[..., 0])).sum())

    flags = find_swaps(xy)
    xy = apply_swaps(xy, flags)
    visibility = apply_swaps(track.visibility, flags)
    missing = np.isnan(xy[..., 0])
    xy = interpolate_gaps(xy, track.times_s, max_gap_frames=max_gap_frames)
    filled = missing & ~np.isnan(xy[..., 0])
    visibility = np.where(filled, np.maximum(visibility, min_visibility), visibility)

    fs_hz = sample_rate_hz(track.times_s, fallback_hz=track.fps)
    xy, cutoff, notes = _smooth(xy, fs_hz, cutoff_hz)

    out = replace(
        track,
        xy_px=xy,
        visibility=visibility,
        z=apply_swaps(track.z, flags),
        world_xyz_m=apply_swaps(track.world_xyz_m, flags),
    )
    report = FilterReport(
        swapped_frames=int(flags.any(axis=1).sum()),
        interpolated_points=int(filled.sum()),
        dropped_points=dropped,
        unfilled_points=int((np.isnan(xy[:, cleaned, 0]) & pose).sum()),
        sample_rate_hz=fs_hz,
        requested_cutoff_hz=float(cutoff_hz),
        cutoff_hz=cutoff,
        notes=tuple(notes),
    )
    return out, report
