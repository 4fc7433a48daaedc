"""Draw the synthetic person (front view); the room behind them is valgus.synth.backdrop.

Why so much detail: MediaPipe reads a drawn figure more truly the more human it
looks (design.md section 5), so the figure has a face, hair, a shirt, shorts,
shaded limbs with thigh and calf bulk, socks and shoes with heels and toes.
Sizes are real body dimensions in metres, scaled by each joint's distance to
the camera, so near parts look bigger.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from valgus.synth import paint
from valgus.synth.joints import PATELLA_M
from valgus.synth.motion import HIP_HALF_M, POINTS, Camera
from valgus.synth.spec import Scene

_P = {name: i for i, name in enumerate(POINTS)}

# Colour choices (RGB 0-255), picked by the seed.
_SKIN = ((241, 194, 167), (224, 172, 138), (198, 134, 98), (141, 85, 54), (170, 110, 75))
_SHIRT = ((200, 45, 45), (40, 90, 180), (40, 140, 80), (230, 150, 30), (120, 60, 150))
_SHORTS = ((30, 40, 70), (45, 45, 50), (20, 20, 25), (70, 80, 110), (40, 60, 40))
_HAIR = ((40, 25, 15), (85, 55, 25), (20, 20, 20), (150, 110, 60), (110, 50, 25))
_SHOES = ((235, 235, 235), (35, 35, 40), (190, 60, 60), (60, 70, 170))
_WALL = ((180, 195, 210), (205, 205, 195), (170, 185, 170), (200, 185, 170))
_FLOOR = ((120, 100, 80), (110, 110, 115), (150, 130, 105), (90, 90, 95))
# Wider choices for varied scenes (``Palette.varied``): the Fitzpatrick range from
# very light to very dark skin, more garment colours, grey and dark rooms.
_SKIN_WIDE = (*_SKIN, (255, 224, 196), (234, 192, 134), (110, 68, 44), (80, 50, 35))
_SHIRT_WIDE = (*_SHIRT, (245, 245, 245), (30, 30, 35), (150, 150, 155), (240, 120, 160))
_LEGWEAR_WIDE = (*_SHORTS, (25, 25, 30), (120, 120, 125), (60, 90, 140), (150, 40, 60))
_WALL_WIDE = (*_WALL, (235, 235, 230), (120, 125, 130), (150, 170, 190), (210, 195, 160))
_FLOOR_WIDE = (*_FLOOR, (60, 60, 65), (170, 160, 140), (95, 70, 50))


def _bgr(rgb: tuple[int, int, int]) -> np.ndarray:
    return np.array(rgb[::-1], np.float32) / 255.0


@dataclass(frozen=True)
class Palette:
    """Colours of one figure and room (BGR floats in [0, 1])."""

    skin: np.ndarray
    shirt: np.ndarray
    shorts: np.ndarray
    hair: np.ndarray
    shoes: np.ndarray
    socks: np.ndarray
    wall: np.ndarray
    floor: np.ndarray
    light: np.ndarray = field(default_factory=lambda: paint.LIGHT)
    girth: float = 1.0
    legwear: str = "shorts"
    exposure: float = 1.0
    light_falloff: float = 0.0
    backdrop: str = "plain"

    @classmethod
    def for_scene(cls, seed: int, scene: Scene) -> Palette:
        """Colours (``from_seed``, or ``varied`` when the scene has a palette seed) and look."""
        varied = scene.palette_seed is not None
        base = cls.varied(scene.palette_seed) if varied else cls.from_seed(seed)
        return replace(
            base,
            light=paint.light_from(scene.light_azimuth_deg),
            girth=scene.girth,
            legwear=scene.legwear,
            exposure=scene.exposure,
            light_falloff=scene.light_falloff,
            backdrop=scene.backdrop,
        )

    @classmethod
    def varied(cls, seed: int) -> Palette:
        """Seeded colours from the wide lists (all skin tones, more clothes and rooms)."""
        return cls._picked(
            np.random.default_rng([seed, 7]),
            skin=_SKIN_WIDE,
            shirt=_SHIRT_WIDE,
            legwear=_LEGWEAR_WIDE,
            wall=_WALL_WIDE,
            floor=_FLOOR_WIDE,
        )

    @classmethod
    def from_seed(cls, seed: int) -> Palette:
        """Seeded colours; the same seed always gives the same person and room."""
        return cls._picked(
            np.random.default_rng(seed),
            skin=_SKIN,
            shirt=_SHIRT,
            legwear=_SHORTS,
            wall=_WALL,
            floor=_FLOOR,
        )

    @classmethod
    def _picked(
        cls,
        rng: np.random.Generator,
        *,
        skin: tuple,
        shirt: tuple,
        legwear: tuple,
        wall: tuple,
        floor: tuple,
    ) -> Palette:
        """One colour from each list, drawn in a fixed order (the samples depend on it)."""

        def pick(options: tuple) -> np.ndarray:
            return _bgr(options[int(rng.integers(len(options)))])

        return cls(
            skin=pick(skin),
            shirt=pick(shirt),
            shorts=pick(legwear),
            hair=pick(_HAIR),
            shoes=pick(_SHOES),
            socks=_bgr((240, 240, 235)),
            wall=pick(wall),
            floor=pick(floor),
        )


class _Scale:
    """Metres to pixels at a named point's depth."""

    def __init__(self, px: np.ndarray, depth: np.ndarray, camera: Camera) -> None:
        self.px, self.depth, self.f = px, depth, camera.focal_px

    def __call__(self, name: str, metres: float) -> float:
        return self.f * metres / float(self.depth[_P[name]])

    def at(self, name: str) -> np.ndarray:
        return self.px[_P[name]]


def _kneecap(canvas: np.ndarray, sc: _Scale, side: str, colour: np.ndarray, pal: Palette) -> None:
    """A lighter oval on the front of the knee, where the kneecap marker points.

    Why: hip internal rotation barely moves the knee's centre, but it turns the
    kneecap in; without it a rotated leg looks like a moved capsule. The oval
    slides across the knee and narrows as the kneecap turns from the camera.
    """
    up = side.upper()
    knee, patella = sc.at(f"{up}_KNEE"), sc.at(f"{up}_PATELLA")
    facing = (sc.depth[_P[f"{up}_KNEE"]] - sc.depth[_P[f"{up}_PATELLA"]]) / PATELLA_M
    if facing <= 0.2:
        return
    k = sc(f"{up}_KNEE", 1.0) * pal.girth
    along = sc.at(f"{up}_HIP") - sc.at(f"{up}_ANKLE")
    centre = knee + 0.8 * pal.girth * (patella - knee)
    paint.ellipse(
        canvas,
        centre,
        (0.030 * k, 0.024 * k * min(facing, 1.0)),
        np.clip(colour * 1.15 + 0.05, 0.0, 1.0),
        angle_rad=float(np.arctan2(along[1], along[0])),
        light=pal.light,
    )


def _leg(canvas: np.ndarray, sc: _Scale, side: str, pal: Palette, *, kneecap: bool = False) -> None:
    up = side.upper()
    hip, knee, ankle = sc.at(f"{up}_HIP"), sc.at(f"{up}_KNEE"), sc.at(f"{up}_ANKLE")
    heel, toe = sc.at(f"{up}_HEEL"), sc.at(f"{up}_FOOT_INDEX")
    k = sc(f"{up}_KNEE", 1.0) * pal.girth
    light = pal.light
    limb = pal.skin if pal.legwear == "shorts" else pal.shorts
    radii = [0.050 * k, 0.057 * k, 0.045 * k, 0.033 * k]
    paint.segment(canvas, knee, ankle, radii, limb, light=light)
    sock_top = knee + 0.86 * (ankle - knee)
    paint.segment(
        canvas, sock_top, ankle, [0.036 * k, 0.034 * k], pal.socks, caps=False, light=light
    )
    h = sc(f"{up}_HIP", 1.0) * pal.girth
    radii = [0.082 * h, 0.072 * h, 0.060 * k, 0.050 * k]
    paint.segment(canvas, hip, knee, radii, limb, light=light)
    if kneecap:
        _kneecap(canvas, sc, side, limb, pal)
    hem = hip + 0.42 * (knee - hip)
    paint.segment(canvas, hip, hem, [0.088 * h, 0.080 * h], pal.shorts, caps=False, light=light)
    t = sc(f"{up}_FOOT_INDEX", 1.0)
    sole = pal.shoes * 0.55
    paint.segment(canvas, heel, toe, [0.038 * t, 0.046 * t, 0.043 * t], sole, light=light)
    collar = heel + 0.35 * (ankle - heel)
    toe_top = toe - [0, 0.01 * t]
    paint.segment(canvas, collar, toe_top, [0.036 * t, 0.042 * t], pal.shoes, light=light)


def _pelvis(canvas: np.ndarray, sc: _Scale, pal: Palette) -> None:
    """Shorts: hips, crotch and the tops of both thighs as one polygon."""
    left, right = sc.at("LEFT_HIP"), sc.at("RIGHT_HIP")
    s = sc("LEFT_HIP", 1.0) * pal.girth
    across = (left - right) / max(np.linalg.norm(left - right), 1e-6)
    up = np.array([across[1], -across[0]])
    centre = 0.5 * (left + right)
    waist = HIP_HALF_M + 0.06
    pts = [
        right + 0.085 * s * up - (waist - HIP_HALF_M) * s * across,
        right - 0.075 * s * across + 0.0 * s * up,
        right - 0.07 * s * across - 0.08 * s * up,
        centre - 0.10 * s * up,
        left + 0.07 * s * across - 0.08 * s * up,
        left + 0.075 * s * across + 0.0 * s * up,
        left + 0.085 * s * up + (waist - HIP_HALF_M) * s * across,
    ]
    half = 0.5 * np.linalg.norm(left - right) + 0.07 * s
    light = pal.light
    paint.polygon(
        canvas, np.array(pts), pal.shorts, centre_x=centre[0], half_width=half, light=light
    )
    band = [pts[0], pts[0] - 0.025 * s * up, pts[-1] - 0.025 * s * up, pts[-1]]
    paint.polygon(
        canvas, np.array(band), pal.shorts * 0.6, centre_x=centre[0], half_width=half, light=light
    )


def _trunk(canvas: np.ndarray, sc: _Scale, pal: Palette) -> None:
    pelvis = 0.5 * (sc.at("LEFT_HIP") + sc.at("RIGHT_HIP"))
    neck = sc.at("NECK")
    s, n = sc("LEFT_HIP", 1.0) * pal.girth, sc("NECK", 1.0) * pal.girth
    axis = neck - pelvis
    bottom = pelvis + 0.05 * axis
    top = neck + 0.04 * axis
    radii = [0.145 * s, 0.140 * s, 0.135 * s, 0.148 * n, 0.160 * n, 0.175 * n, 0.165 * n, 0.10 * n]
    paint.segment(canvas, bottom, top, radii, pal.shirt, caps=False, light=pal.light)


def _arm(canvas: np.ndarray, sc: _Scale, side: str, pal: Palette) -> None:
    up = side.upper()
    sh, el, wr = sc.at(f"{up}_SHOULDER"), sc.at(f"{up}_ELBOW"), sc.at(f"{up}_WRIST")
    hand = sc.at(f"{up}_HAND")
    g, light = pal.girth, pal.light
    s, e = sc(f"{up}_SHOULDER", 1.0) * g, sc(f"{up}_ELBOW", 1.0) * g
    w = sc(f"{up}_WRIST", 1.0) * g
    paint.segment(canvas, el, wr, [0.036 * e, 0.033 * e, 0.025 * w], pal.skin, light=light)
    paint.segment(canvas, sh, el, [0.046 * s, 0.040 * s, 0.036 * e], pal.skin, light=light)
    sleeve = sh + 0.45 * (el - sh)
    paint.segment(canvas, sh, sleeve, [0.058 * s, 0.050 * s], pal.shirt, light=light)
    cuff = sleeve - 0.3 * (sleeve - sh)
    paint.segment(canvas, cuff, sleeve, [0.05 * s, 0.05 * s], pal.shirt, caps=False, light=light)
    paint.segment(canvas, wr, hand, [0.028 * w, 0.034 * w, 0.026 * w], pal.skin, light=light)


def _head(canvas: np.ndarray, sc: _Scale, pal: Palette) -> None:
    head, s = sc.at("HEAD"), sc("HEAD", 1.0)
    neck = sc.at("NECK")
    light = pal.light
    chin = head + np.array([0, 0.04 * s])
    paint.segment(canvas, neck, chin, [0.052 * s, 0.048 * s], pal.skin, light=light)
    paint.ellipse(canvas, head - [0, 0.015 * s], (0.085 * s, 0.105 * s), pal.hair, light=light)
    for side in ("LEFT", "RIGHT"):
        ear = sc.at(f"{side}_EAR")
        paint.ellipse(canvas, ear, (0.014 * s, 0.027 * s), pal.skin * 0.92, light=light)
    paint.ellipse(canvas, head, (0.074 * s, 0.104 * s), pal.skin, light=light)
    fringe = head[1] - 0.045 * s
    top = head - [0, 0.02 * s]
    paint.ellipse(canvas, top, (0.079 * s, 0.101 * s), pal.hair, y_max=fringe, light=light)


def _face(image: np.ndarray, sc: _Scale, pal: Palette) -> None:
    """Eyes, brows, nose and mouth with cv2 anti-aliased strokes on the uint8 frame."""
    s = sc("HEAD", 1.0)
    shift = 4
    one = 1 << shift

    def fx(p: np.ndarray) -> tuple[int, int]:
        return round(p[0] * one), round(p[1] * one)

    def sz(m: float) -> int:
        return max(round(m * s * one), one // 2)

    hair = tuple(float(c) * 255 for c in pal.hair)
    for side in ("LEFT", "RIGHT"):
        eye = sc.at(f"{side}_EYE")
        cv2.ellipse(
            image,
            fx(eye),
            (sz(0.013), sz(0.007)),
            0,
            0,
            360,
            (245, 245, 245),
            -1,
            cv2.LINE_AA,
            shift,
        )
        cv2.circle(image, fx(eye), sz(0.0055), (60, 45, 35), -1, cv2.LINE_AA, shift)
        cv2.circle(image, fx(eye), sz(0.0025), (10, 10, 10), -1, cv2.LINE_AA, shift)
        brow = eye - [0, 0.017 * s]
        cv2.ellipse(
            image,
            fx(brow),
            (sz(0.016), sz(0.005)),
            0,
            190,
            350,
            hair,
            sz(0.004) // one + 2,
            cv2.LINE_AA,
            shift,
        )
    nose = sc.at("NOSE")
    skin_dark = tuple(float(c) * 255 * 0.72 for c in pal.skin)
    top = nose - [0, 0.035 * s]
    cv2.line(image, fx(top), fx(nose + np.array([0.004 * s, 0])), skin_dark, 2, cv2.LINE_AA, shift)
    for dx in (-0.008, 0.008):
        cv2.circle(
            image,
            fx(nose + np.array([dx * s, 0.002 * s])),
            sz(0.0035),
            skin_dark,
            -1,
            cv2.LINE_AA,
            shift,
        )
    mouth = 0.5 * (sc.at("MOUTH_LEFT") + sc.at("MOUTH_RIGHT"))
    half = 0.5 * abs(sc.at("MOUTH_LEFT")[0] - sc.at("MOUTH_RIGHT")[0])
    lips = (70, 70, 175)
    cv2.ellipse(
        image,
        fx(mouth - [0, 0.004 * s]),
        (int(half * one), sz(0.008)),
        0,
        20,
        160,
        lips,
        3,
        cv2.LINE_AA,
        shift,
    )


def draw_figure(
    canvas: np.ndarray,
    points_px: np.ndarray,
    depth_m: np.ndarray,
    camera: Camera,
    palette: Palette,
    *,
    kneecaps: bool = False,
) -> np.ndarray:
    """Paint one frame of the figure over ``canvas`` (float32, modified) and return uint8 BGR.

    ``points_px`` (P, 2) and ``depth_m`` (P,) follow ``valgus.synth.motion.POINTS``.
    ``kneecaps`` draws the kneecaps (clips posed by joint angles); off, the
    picture is the original figure's, pixel for pixel.
    """
    sc = _Scale(points_px, depth_m, camera)
    for side in ("LEFT", "RIGHT"):
        w = sc(f"{side}_SHADOW", 0.11)
        paint.soft_shadow(canvas, sc.at(f"{side}_SHADOW"), (w, 0.3 * w))
    for side in ("left", "right"):
        _leg(canvas, sc, side, palette, kneecap=kneecaps)
    _trunk(canvas, sc, palette)
    _pelvis(canvas, sc, palette)
    for side in ("left", "right"):
        _arm(canvas, sc, side, palette)
    _head(canvas, sc, palette)
    if palette.exposure != 1.0 or palette.light_falloff != 0.0:
        across = np.linspace(-1.0, 1.0, canvas.shape[1], dtype=np.float32)
        gain = palette.exposure * (1.0 + palette.light_falloff * across)
        canvas *= gain[None, :, None]
    image = np.round(np.clip(canvas, 0.0, 1.0) * 255).astype(np.uint8)
    _face(image, sc, palette)
    return image
