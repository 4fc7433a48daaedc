"""One frame: skin the posed body, shade it, draw it over the room with its floor shadow.

Why shading in linear light: Lambert's law holds for light, not for sRGB
values; shading linear albedos and encoding to sRGB at the end gives the soft
shadow side a real body shows instead of a muddy grey.

Shading is a key light (Lambert) plus a hemispheric ambient term (brighter
from above than from the floor), which stands in for the room's bounce light.
The floor shadow is the body's vertices projected onto the floor along the key
light and straight down (contact shadow), splatted and blurred.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from valgus.synth.body import Camera
from valgus.synth.human.assets import load_assets
from valgus.synth.human.materials import GAMMA, Look
from valgus.synth.human.posing import Pose
from valgus.synth.human.raster import rasterize
from valgus.synth.human.room import Backdrop, Light
from valgus.synth.human.skeleton import Skeleton
from valgus.synth.human.skinning import skin, vertex_normals


@dataclass(frozen=True)
class View:
    """A fixed camera, its background and light, at the supersampled size.

    ``camera`` and ``size`` (width, height) are ``supersample`` times the
    output's; ``shadow`` is the darkness of the floor shadows (0 = none).
    """

    camera: Camera
    size: tuple[int, int]
    backdrop: Backdrop
    light: Light
    supersample: int = 1
    shadow: float = 0.45


@dataclass(frozen=True)
class Surface:
    """A posed body: ``skin`` (N, 3) the skinned mesh (the truth's skin points come
    from it), ``vertices`` (N, 3) what is drawn (skin + a loose shirt's offset), ``normals``."""

    skin: np.ndarray
    vertices: np.ndarray
    normals: np.ndarray


def posed_surface(skeleton: Skeleton, pose: Pose, look: Look) -> Surface:
    """Skin the body and put the outfit's drape on it."""
    triangles = load_assets().triangles
    skinned = skin(skeleton, pose)
    normals = vertex_normals(skinned, triangles)
    if not np.any(look.offsets):
        return Surface(skinned, skinned, normals)
    vertices = skinned + look.offsets[:, None] * normals
    return Surface(skinned, vertices, vertex_normals(vertices, triangles))


def _shadow(view: View, vertices: np.ndarray) -> np.ndarray:
    """Floor darkening (H, W) in [0, 1) from the body's cast and contact shadows."""
    cam, (width, height) = view.camera, view.size
    light = view.light.direction()
    low = vertices[vertices[:, 1] < 0.35]
    cast = vertices - (vertices[:, 1] / max(light[1], 0.2))[:, None] * light
    contact = low * np.array([1.0, 0.0, 1.0])
    # The cast shadow fades with the height of what casts it (a soft key light).
    weights = np.concatenate([0.5 * np.exp(-vertices[:, 1] / 0.15), np.exp(-low[:, 1] / 0.06)])
    xy, depth = cam.project(np.concatenate([cast, contact]))
    scale = 4  # splat on a quarter-resolution grid: the shadow is soft anyway
    h, w = height // scale, width // scale
    ix, iy = (xy[:, 0] / scale).astype(np.int64), (xy[:, 1] / scale).astype(np.int64)
    ok = (depth > 0) & (ix >= 0) & (ix < w) & (iy >= 0) & (iy < h)
    grid = np.zeros(h * w, dtype=np.float32)
    np.add.at(grid, iy[ok] * w + ix[ok], weights[ok])
    grid = cv2.GaussianBlur(grid.reshape(h, w), (0, 0), 2.0 * height / 1280)
    grid = cv2.resize(grid, (width, height), interpolation=cv2.INTER_LINEAR)
    return view.shadow * (1.0 - np.exp(-grid)) * view.backdrop.floor


def _shade(normals: np.ndarray, albedo: np.ndarray, light: Light) -> np.ndarray:
    n = normals / np.maximum(np.linalg.norm(normals, axis=-1, keepdims=True), 1e-9)
    lambert = np.clip(n @ light.direction(), 0.0, 1.0)
    sky = 0.65 + 0.35 * n[..., 1]  # hemispheric ambient: brighter from above
    return albedo * (light.key * lambert + light.ambient * sky)[..., None] * light.exposure


def render(view: View, surface: Surface, look: Look) -> np.ndarray:
    """BGR uint8 image of the posed surface in ``view``."""
    (width, height), vertices = view.size, surface.vertices
    xy, depth = view.camera.project(vertices)
    raster = rasterize(
        xy,
        depth,
        load_assets().triangles,
        np.concatenate([surface.normals, look.albedo, look.coverage], axis=1),
        width,
        height,
    )
    image = view.backdrop.image * (1.0 - _shadow(view, vertices))[..., None]
    attributes = raster.attributes
    albedo = attributes[:, 3:6]
    for layer, colour in enumerate(look.colours):
        albedo = np.where(attributes[:, 6 + layer, None] > 0, colour, albedo)
    image.reshape(-1, 3)[raster.pixels] = _shade(attributes[:, :3], albedo, view.light)
    if view.supersample > 1:
        size = (width // view.supersample, height // view.supersample)
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    encoded = cv2.pow(np.clip(image, 0.0, 1.0), 1.0 / GAMMA)
    return cv2.cvtColor(cv2.convertScaleAbs(encoded, alpha=255.0), cv2.COLOR_RGB2BGR)
