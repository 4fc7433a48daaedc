"""Frontal-plane geometry of the legs and pelvis, vectorised over frames.

Pure numpy functions on (..., 2) image points in pixels (x right, y down),
shared by the offline kinematics and the live overlay. Sign conventions are
those of CONTRACT.md and design.md section 1.
"""

from __future__ import annotations

import numpy as np


def _as_float(*points: np.ndarray) -> tuple[np.ndarray, ...]:
    return tuple(np.asarray(p, dtype=float) for p in points)


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """z component of the 2-D cross product a x b, over the last axis."""
    return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]


def medial_sign(hip: np.ndarray, ankle: np.ndarray, other_hip: np.ndarray) -> np.ndarray:
    """(...,) +1 or -1: on which side of the hip->ankle line the other hip lies.

    Medial means "toward the other hip", which holds for front and back views
    alike without knowing which way the person faces. NaN when the other hip is
    on the line (side view) or a point is missing.
    """
    sign = np.sign(_cross(ankle - hip, other_hip - hip))
    return np.where(sign == 0, np.nan, sign)


def fppa_deg(
    hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, other_hip: np.ndarray
) -> np.ndarray:
    """Frontal plane projection angle of one leg, degrees; + valgus, - varus.

    FPPA = 180 deg minus the interior hip-knee-ankle angle, i.e. the angle between
    the thigh (hip->knee) and shank (knee->ankle) directions, positive when the
    knee lies medial of the hip-ankle line (Herrington 2014; CONTRACT.md). Computed
    with one ``atan2`` of the signed cross and dot products, so it is in
    [-180, 180], passes continuously through 0 when the knee crosses the line,
    and never wraps by 360 (the wrap that Sports2D issues 30/31 report comes from
    measuring segment angles against a fixed axis instead). Only differences of
    points enter, so rotating the camera leaves it unchanged.

    Parameters
    ----------
    hip, knee, ankle : (..., 2) float arrays
        The leg's landmarks in pixels.
    other_hip : (..., 2) float array
        The opposite hip, which defines the medial direction.

    Returns
    -------
    (...,) float array in degrees; NaN where a point is missing or the other
    hip lies on the hip-ankle line.
    """
    hip, knee, ankle, other_hip = (
        np.asarray(p, dtype=float) for p in (hip, knee, ankle, other_hip)
    )
    thigh = knee - hip
    shank = ankle - knee
    # cross(line, knee - hip) = -cross(thigh, shank): positive on the line's left.
    side = -_cross(thigh, shank) * medial_sign(hip, ankle, other_hip)
    dot = np.sum(thigh * shank, axis=-1)
    return np.degrees(np.arctan2(side, dot))


def knee_flexion_deg(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray) -> np.ndarray:
    """Knee flexion from 3D points (..., 3): the angle between thigh and shank, 0 = straight.

    Used on MediaPipe's world landmarks, which place the leg in depth: unlike the
    image, they tell a deep squat (thigh toward the camera) from a straight leg.
    MediaPipe's world skeleton stands with bent knees (15-39 deg standing on the
    clips of ../shared/videos), so its degrees are not a goniometer's.
    """
    thigh = np.asarray(knee, dtype=float) - np.asarray(hip, dtype=float)
    shank = np.asarray(ankle, dtype=float) - np.asarray(knee, dtype=float)
    cross = np.linalg.norm(np.cross(thigh, shank), axis=-1)
    return np.degrees(np.arctan2(cross, np.sum(thigh * shank, axis=-1)))


def signed_knee_offset(
    hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, other_hip: np.ndarray
) -> np.ndarray:
    """Signed perpendicular distance of the knee from the hip-ankle line, pixels.

    Positive when the knee is medial (toward ``other_hip``). Unlike FPPA it stays
    meaningful in a deep squat, where the thigh is foreshortened (design.md
    section 5); divide by a reference thigh length to compare people.

    Returns
    -------
    (...,) float array in pixels; NaN where undefined (zero-length hip-ankle line).
    """
    hip, knee, ankle, other_hip = (
        np.asarray(p, dtype=float) for p in (hip, knee, ankle, other_hip)
    )
    line = ankle - hip
    length = np.linalg.norm(line, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        offset = _cross(line, knee - hip) / length
    offset = np.where(length > 0, offset, np.nan)
    return offset * medial_sign(hip, ankle, other_hip)


def pelvic_obliquity_deg(left_hip: np.ndarray, right_hip: np.ndarray) -> np.ndarray:
    """Angle of the hip line against the image horizontal, degrees.

    ``atan2(y_left - y_right, |x_left - x_right|)``: + when the person's left hip
    is lower in the image (y down), whichever way they face; in (-90, 90].
    Subtract a standing baseline to remove camera roll and landmark bias.
    """
    left_hip = np.asarray(left_hip, dtype=float)
    right_hip = np.asarray(right_hip, dtype=float)
    d = left_hip - right_hip
    return np.degrees(np.arctan2(d[..., 1], np.abs(d[..., 0])))


def trunk_lean_deg(
    shoulder_mid: np.ndarray, hip_mid: np.ndarray, *, left_dir: float | np.ndarray
) -> np.ndarray:
    """Lateral trunk lean: hip-mid -> shoulder-mid line against the image vertical.

    Parameters
    ----------
    shoulder_mid, hip_mid : (..., 2) float arrays
        Midpoints of the shoulders and of the hips, pixels.
    left_dir : float or (...,) array, keyword-only
        +1 when the person's left side is toward larger image x (facing the
        camera), -1 when it is toward smaller x (back view).

    Returns
    -------
    (...,) degrees, + when the trunk leans toward the person's left; 0 upright.
    """
    up = np.asarray(shoulder_mid, dtype=float) - np.asarray(hip_mid, dtype=float)
    return np.degrees(np.arctan2(up[..., 0] * left_dir, -up[..., 1]))


def ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Element-wise ``numerator / denominator`` with NaN where the denominator is 0."""
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = numerator / denominator
    return np.where(denominator == 0, np.nan, out)


def finite_percentile(values: np.ndarray, q: float) -> float:
    """Percentile of the finite values, NaN (and no warning) when there are none."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    return float(np.percentile(finite, q)) if finite.size else float("nan")
