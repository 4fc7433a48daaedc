"""Backgrounds: a room's back wall, floor and (optionally) a side wall, ray-cast per pixel.

Why ray-cast planes instead of a flat picture: the floor must recede in
perspective and meet the wall where a camera at that height and tilt would see
it, the feet must stand on it (their shadows land on it), and a yawed camera
must see the room turn. Each pixel's ray is intersected with the planes and
looks up a small procedural texture image (``cv2.remap``), so a 720x1280
background costs ~40 ms and is computed once per clip (the camera is fixed).

World: floor y = 0, back wall at z = -``wall_m`` (behind the person), side wall
at x = -``side_m`` (the person's right).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from valgus.synth.body import Camera

ROOMS = ("plain", "textured", "room", "gym")
_TEX_PX_PER_M = 100.0
_TEX_SIZE_M = 8.0


@dataclass(frozen=True)
class Light:
    """Key light from ``azimuth_deg`` (0 = from the camera side, + from the person's left)
    and ``elevation_deg`` above the horizon, plus hemispheric ambient light."""

    azimuth_deg: float = 25.0
    elevation_deg: float = 40.0
    key: float = 0.85
    ambient: float = 0.35
    exposure: float = 1.0

    def direction(self) -> np.ndarray:
        """Unit vector toward the light (world)."""
        az, el = np.radians([self.azimuth_deg, self.elevation_deg])
        return np.array([np.sin(az) * np.cos(el), np.sin(el), np.cos(az) * np.cos(el)])


@dataclass(frozen=True)
class Backdrop:
    """Background of one camera view: linear colour (H, W, 3) and the floor's pixels (H, W)."""

    image: np.ndarray
    floor: np.ndarray


def _noise(rng: np.random.Generator, shape: tuple[int, int], cells: int) -> np.ndarray:
    """Smooth value noise in [-1, 1] of ``shape`` with about ``cells`` blobs across."""
    grid = rng.uniform(-1.0, 1.0, size=(cells, cells)).astype(np.float32)
    return cv2.resize(grid, shape[::-1], interpolation=cv2.INTER_CUBIC)


def _block_columns(shape: tuple[int, int], block_px: tuple[int, int], offset_rows: bool):
    """Row and column number of the block under each pixel; odd rows shifted half a block."""
    h, w = shape
    rows = np.arange(h) // block_px[0]
    shift = (rows % 2) * (block_px[1] // 2) if offset_rows else np.zeros_like(rows)
    return rows[:, None], np.arange(w)[None, :] + shift[:, None]


def _blocks(rng, shape, block_px: tuple[int, int], offset_rows: bool) -> np.ndarray:
    """Per-block random tone in [-1, 1] (bricks, planks, tiles)."""
    rows, cols = _block_columns(shape, block_px, offset_rows)
    index = cols // block_px[1]
    table = rng.uniform(-1.0, 1.0, size=(int(rows.max()) + 1, int(index.max()) + 1))
    return table[rows, index].astype(np.float32)


def _grout(shape, block_px: tuple[int, int], line_px: int, offset_rows: bool) -> np.ndarray:
    """1 on the joints between blocks, 0 elsewhere."""
    _, cols = _block_columns(shape, block_px, offset_rows)
    horiz = np.arange(shape[0])[:, None] % block_px[0] < line_px
    return (horiz | (cols % block_px[1] < line_px)).astype(np.float32)


def _texture(kind: str, surface: str, rng: np.random.Generator) -> np.ndarray:
    """Linear-light texture image (S, S, 3) covering _TEX_SIZE_M metres square."""
    size = int(_TEX_SIZE_M * _TEX_PX_PER_M)
    shape = (size, size)
    px = lambda metres: max(1, round(metres * _TEX_PX_PER_M))  # noqa: E731
    soft = _noise(rng, shape, 12)
    if surface == "wall":
        base = {
            "plain": rng.choice([(0.78, 0.76, 0.72), (0.70, 0.74, 0.78), (0.80, 0.74, 0.66)]),
            "textured": (0.55, 0.30, 0.22),
            "room": rng.choice([(0.62, 0.66, 0.60), (0.75, 0.70, 0.62), (0.58, 0.62, 0.70)]),
            "gym": (0.10, 0.10, 0.11),
        }[kind]
        tone = 0.03 * soft
        if kind == "textured":  # brick
            tone = 0.12 * _blocks(rng, shape, (px(0.075), px(0.23)), True) + 0.05 * soft
            tone -= 0.45 * _grout(shape, (px(0.075), px(0.23)), px(0.012), True)
        if kind == "gym":
            tone = 0.15 * soft
    else:
        base = {
            "plain": (0.52, 0.50, 0.47),
            "textured": (0.42, 0.28, 0.17),
            "room": (0.46, 0.32, 0.20),
            "gym": (0.06, 0.06, 0.065),
        }[kind]
        tone = 0.05 * soft
        if kind in ("textured", "room"):  # wooden planks along the depth axis
            planks = _blocks(rng, shape[::-1], (px(0.14), px(1.2)), True).T
            grain = _noise(rng, (size, size // 8), 40)
            grain = cv2.resize(grain, (size, size))
            tone = 0.18 * planks + 0.06 * grain
            tone -= 0.3 * _grout(shape[::-1], (px(0.14), px(1.2)), 2, True).T
        if kind == "gym":
            tone = 0.25 * rng.uniform(-1, 1, size=shape).astype(np.float32) + 0.1 * soft
    image = np.asarray(base, dtype=np.float32)[None, None, :] * (1.0 + tone[..., None])
    return np.clip(image, 0.0, 1.0)


def _decorate_wall(kind: str, image: np.ndarray, hit: np.ndarray, wall: np.ndarray) -> None:
    """Skirting board, and in a room a door frame and a picture, drawn in wall coordinates."""
    x, y = hit[..., 0], hit[..., 1]
    if kind in ("room", "plain", "gym"):
        skirting = wall & (y < 0.09)
        image[skirting] = (0.85, 0.84, 0.80) if kind != "gym" else (0.04, 0.04, 0.04)
    if kind == "room":
        door = wall & (x > 0.9) & (x < 1.85) & (y < 2.05)
        frame = door & ~((x > 0.96) & (x < 1.79) & (y < 1.99))
        image[door] = (0.70, 0.66, 0.58)
        image[frame] = (0.88, 0.87, 0.83)
        picture = wall & (x > -1.6) & (x < -0.9) & (y > 1.3) & (y < 1.8)
        image[picture] = (0.20, 0.32, 0.40)
        image[picture & (np.abs(x + 1.25) > 0.32) | picture & (np.abs(y - 1.55) > 0.22)] = 0.05
    if kind == "gym":
        band = wall & (y > 1.0) & (y < 1.12)
        image[band] = (0.45, 0.10, 0.08)


def _sample(texture: np.ndarray, u_m: np.ndarray, v_m: np.ndarray) -> np.ndarray:
    map_x = ((u_m / _TEX_SIZE_M + 0.5) % 1.0 * texture.shape[1]).astype(np.float32)
    map_y = ((v_m / _TEX_SIZE_M + 0.5) % 1.0 * texture.shape[0]).astype(np.float32)
    return cv2.remap(texture, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)


def render_backdrop(
    camera: Camera,
    size: tuple[int, int],
    kind: str,
    light: Light,
    seed: int,
    *,
    wall_m: float = 1.6,
    side_m: float = 2.4,
) -> Backdrop:
    """The lit background of ``camera``'s ``size`` = (width, height) view of a room ``kind``."""
    if kind not in ROOMS:
        raise ValueError(f"room must be one of {ROOMS}, got {kind!r}")
    width, height = size
    rng = np.random.default_rng(seed)
    centre, rot = camera.axes()
    u = (np.arange(width) + 0.5 - camera.cx) / camera.focal_px
    v = (camera.cy - np.arange(height) - 0.5) / camera.focal_px
    rays = u[None, :, None] * rot[0] + v[:, None, None] * rot[1] + rot[2]
    with np.errstate(divide="ignore", invalid="ignore"):
        t_floor = np.where(rays[..., 1] < 0, -centre[1] / rays[..., 1], np.inf)
        t_wall = np.where(rays[..., 2] < 0, (-wall_m - centre[2]) / rays[..., 2], np.inf)
        t_side = np.where(rays[..., 0] < 0, (-side_m - centre[0]) / rays[..., 0], np.inf)
    t = np.minimum(np.minimum(t_floor, t_wall), t_side)
    t = np.where(np.isfinite(t), t, 50.0)
    hit = centre + t[..., None] * rays
    floor = t == t_floor
    wall = (t == t_wall) & ~floor
    side = ~floor & ~wall
    image = np.zeros((height, width, 3), dtype=np.float32)
    floor_tex, wall_tex = _texture(kind, "floor", rng), _texture(kind, "wall", rng)
    image[floor] = _sample(floor_tex, hit[..., 0], hit[..., 2])[floor]
    image[wall] = _sample(wall_tex, hit[..., 0], hit[..., 1])[wall]
    image[side] = 0.9 * _sample(wall_tex, hit[..., 2], hit[..., 1])[side]
    _decorate_wall(kind, image, hit, wall)
    normal = np.where(
        floor[..., None], [0.0, 1.0, 0.0], np.where(wall[..., None], [0, 0, 1.0], [1.0, 0, 0])
    )
    lambert = np.clip(normal @ light.direction(), 0.0, 1.0)
    falloff = 1.0 / (1.0 + 0.04 * (t - camera.distance_m).clip(0) ** 2)
    shade = (light.ambient + light.key * lambert * falloff) * light.exposure
    return Backdrop((image * shade[..., None]).astype(np.float32), floor)
