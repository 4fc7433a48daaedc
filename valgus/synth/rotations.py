"""Rotation helpers: orthonormal frames, axis-angle, fractional rotations.

Why one module: the joint-angle model (``valgus.synth.joints``) and the
realistic body's posing (``valgus.synth.human.posing``) build joint frames the
same way; one definition keeps the truth and the render on the same convention.
Matrices act on column vectors; a frame is a rotation whose columns are its
axes (lateral x, up y, forward z) in world coordinates.
"""

from __future__ import annotations

import numpy as np


def unit(v: np.ndarray) -> np.ndarray:
    """``v`` scaled to length 1 along the last axis."""
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def frame_from_up(up: np.ndarray, forward_hint: np.ndarray) -> np.ndarray:
    """Frame with y = ``up`` and z = ``forward_hint`` made square to it; x = y cross z."""
    y = unit(up)
    z = unit(forward_hint - (forward_hint @ y) * y)
    return np.column_stack([np.cross(y, z), y, z])


def frame_from_forward(forward: np.ndarray, up_hint: np.ndarray) -> np.ndarray:
    """Frame with z = ``forward`` and y = ``up_hint`` made square to it."""
    z = unit(forward)
    y = unit(up_hint - (up_hint @ z) * z)
    return np.column_stack([np.cross(y, z), y, z])


def frame_from_lateral(lateral: np.ndarray, forward_hint: np.ndarray) -> np.ndarray:
    """Frame with x = ``lateral`` and z = ``forward_hint`` made square to it."""
    x = unit(lateral)
    z = unit(forward_hint - (forward_hint @ x) * x)
    return np.column_stack([x, np.cross(z, x), z])


def axis_angle(rotvec: np.ndarray) -> np.ndarray:
    """Rotation matrix of a rotation vector (axis times angle in radians), Rodrigues."""
    angle = float(np.linalg.norm(rotvec))
    if angle < 1e-12:
        return np.eye(3)
    k = rotvec / angle
    kx = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    return np.eye(3) + np.sin(angle) * kx + (1.0 - np.cos(angle)) * (kx @ kx)


def rotation_vector(r: np.ndarray) -> np.ndarray:
    """Rotation vector of a rotation matrix (angles below pi)."""
    cos = np.clip((np.trace(r) - 1.0) / 2.0, -1.0, 1.0)
    angle = np.arccos(cos)
    if angle < 1e-12:
        return np.zeros(3)
    axis = np.array([r[2, 1] - r[1, 2], r[0, 2] - r[2, 0], r[1, 0] - r[0, 1]])
    return axis / (2.0 * np.sin(angle)) * angle


def power(r: np.ndarray, fraction: float) -> np.ndarray:
    """``fraction`` of rotation ``r`` about the same axis (r ** fraction)."""
    return axis_angle(fraction * rotation_vector(r))


def between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Smallest rotation taking direction ``a`` to direction ``b``."""
    a, b = unit(a), unit(b)
    axis = np.cross(a, b)
    s = np.linalg.norm(axis)
    if s < 1e-12:
        if a @ b > 0:
            return np.eye(3)
        ortho = np.cross(a, [1.0, 0.0, 0.0] if abs(a[0]) < 0.9 else [0.0, 1.0, 0.0])
        return axis_angle(np.pi * unit(ortho))
    return axis_angle(axis / s * np.arctan2(s, a @ b))


def rot(axis: int, angle: float) -> np.ndarray:
    """Rotation matrix about x (0), y (1) or z (2) by ``angle`` radians (right hand)."""
    c, s = np.cos(angle), np.sin(angle)
    i, j = ((1, 2), (2, 0), (0, 1))[axis]
    r = np.eye(3)
    r[i, i] = r[j, j] = c
    r[i, j], r[j, i] = -s, s
    return r
