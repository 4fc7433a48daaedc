"""The room behind the drawn person: wall, floor, and panels, a door or a gym wall.

Why varied rooms: MediaPipe's reading of the same pose moves with the scene,
so test clips vary what is behind the person as much as the person.
"""

from __future__ import annotations

import cv2
import numpy as np

from valgus.synth.figure import Palette
from valgus.synth.motion import Camera


def background(width: int, height: int, camera: Camera, palette: Palette, seed: int) -> np.ndarray:
    """Wall and floor with a soft gradient and faint static texture, float32 (H, W, 3)."""
    rng = np.random.default_rng(seed + 1)
    horizon = min(max(round(camera.horizon_y()), 3), height)
    rows = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    canvas = np.empty((height, width, 3), np.float32)
    canvas[:] = palette.wall[None, None, :] * (1.02 - 0.12 * rows)
    canvas[horizon:] = palette.floor[None, None, :] * (0.85 + 0.2 * rows[horizon:])
    canvas[max(horizon - 3, 0) : horizon] = palette.wall * 0.8  # skirting board shadow
    noise = rng.normal(0.0, 1.0, (height // 4 + 1, width // 4 + 1)).astype(np.float32)
    noise = cv2.resize(cv2.GaussianBlur(noise, (0, 0), 1.2), (width, height))
    canvas *= (1.0 + 0.025 * noise)[..., None]
    if palette.backdrop != "plain":
        _backdrop(canvas, horizon, palette, np.random.default_rng([seed, 11]))
    return np.clip(canvas, 0.0, 1.0)


def _backdrop(canvas: np.ndarray, horizon: int, palette: Palette, rng) -> None:
    """Room detail behind the person: wall panels, a door, or a dark gym wall with a mirror."""
    height, width = canvas.shape[:2]
    if palette.backdrop == "panels":
        step = max(width // int(rng.integers(4, 8)), 8)
        for x in range(int(rng.integers(0, step)), width, step):
            canvas[:horizon, x : x + 2] *= 0.82
    elif palette.backdrop == "door":
        w = width // 5
        x0 = int(rng.choice([width // 12, width - width // 12 - w]))
        top = max(horizon - int(0.55 * height), 0)
        wood = np.array([0.25, 0.35, 0.5], np.float32) * float(rng.uniform(0.7, 1.1))
        canvas[top:horizon, x0 : x0 + w] = wood
        canvas[top:horizon, x0 : x0 + 3] *= 0.6
        knob = (horizon + top) // 2
        canvas[knob : knob + 6, x0 + w - 14 : x0 + w - 8] = 0.8
    else:  # gym: dark wall, a bright mirror band, a rubber floor mat
        canvas[:horizon] *= 0.45
        band = slice(max(horizon - int(0.5 * height), 0), max(horizon - int(0.12 * height), 0))
        canvas[band] = canvas[band] * 0.5 + 0.35
        canvas[horizon:] = canvas[horizon:] * 0.5 + 0.05
