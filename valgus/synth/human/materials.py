"""Surface colours: skin tone, hair, eyes, lips, and clothing by body part.

Why coverage fields instead of coloured vertices: a hem drawn by colouring
vertices zigzags along the mesh's edges. Instead each garment (and the hair)
is a signed field per vertex, > 0 inside it (e.g. "hem position minus position
along the leg"); the rasteriser interpolates the fields and the renderer cuts
them at 0 per pixel, so hems, waistbands, necklines and the hairline come out
as clean lines. The fields are computed once on a reference body: every body
shape shares the base mesh's vertex order. Hems are cut along each limb's own
axis (fractions of hip->knee->ankle, shoulder->elbow->wrist), so shorts stay
mid-thigh on a tall body and a short one alike.

A loose shirt cannot drape without cloth simulation; it is approximated by
pushing its vertices out along their normals (``Outfit.shirt_offset_m``), more
toward the hem, which hides the waist and the top of the hips as a shirt does.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from valgus.synth.human.assets import PART_EYE, load_assets
from valgus.synth.human.shape import BodyShape
from valgus.synth.human.skeleton import PART_NAMES, build_skeleton

TOPS = ("none", "crop", "tank", "tee", "loose")
LEGWEAR = ("briefs", "shorts", "knee_shorts", "capri", "leggings")
FOOTWEAR = ("barefoot", "socks", "shoes")
# sRGB albedos, light to dark (roughly Fitzpatrick I-VI).
SKIN_TONES = (
    (238, 206, 186),
    (224, 184, 154),
    (198, 150, 114),
    (164, 118, 86),
    (122, 84, 58),
    (84, 58, 42),
)
HAIR_COLOURS = ((28, 22, 20), (62, 40, 28), (110, 74, 44), (176, 140, 92), (140, 136, 132))
CLOTH_COLOURS = (
    (32, 34, 40),
    (200, 200, 205),
    (40, 70, 140),
    (150, 30, 40),
    (40, 110, 80),
    (230, 140, 40),
    (110, 110, 118),
    (90, 60, 130),
    (20, 20, 22),
    (180, 170, 150),
)
# Hem positions along a limb: 0 at the proximal joint, 1 at the middle joint, 2 at the distal one.
_LEG_HEM = {"briefs": 0.12, "shorts": 0.45, "knee_shorts": 0.85, "capri": 1.55, "leggings": 1.93}
_SLEEVE = {"none": 0.0, "crop": 0.0, "tank": 0.0, "tee": 0.45, "loose": 0.55}


@dataclass(frozen=True)
class Outfit:
    """What the person wears and looks like; colours are sRGB 0..255.

    ``top`` is one of ``TOPS`` ("none" = bare torso), ``legwear`` one of
    ``LEGWEAR``, ``footwear`` one of ``FOOTWEAR``.
    """

    skin: tuple[int, int, int] = SKIN_TONES[1]
    hair: tuple[int, int, int] = HAIR_COLOURS[1]
    top: str = "tee"
    top_colour: tuple[int, int, int] = CLOTH_COLOURS[2]
    legwear: str = "shorts"
    legwear_colour: tuple[int, int, int] = CLOTH_COLOURS[0]
    footwear: str = "shoes"
    footwear_colour: tuple[int, int, int] = CLOTH_COLOURS[1]
    shirt_offset_m: float = 0.025

    def __post_init__(self) -> None:
        for name, allowed in (("top", TOPS), ("legwear", LEGWEAR), ("footwear", FOOTWEAR)):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, got {getattr(self, name)!r}")

    @classmethod
    def random(cls, rng: np.random.Generator, *, sex: float = 0.5) -> Outfit:
        """A plausible outfit; bare torsos only for male bodies (``sex`` > 0.5)."""
        tops = TOPS if sex > 0.5 else TOPS[1:]
        colours = rng.choice(len(CLOTH_COLOURS), size=3, replace=False)
        return cls(
            skin=SKIN_TONES[rng.integers(len(SKIN_TONES))],
            hair=HAIR_COLOURS[rng.integers(len(HAIR_COLOURS))],
            top=str(rng.choice(tops)),
            top_colour=CLOTH_COLOURS[colours[0]],
            legwear=str(rng.choice(LEGWEAR[1:])),
            legwear_colour=CLOTH_COLOURS[colours[1]],
            footwear=str(rng.choice(FOOTWEAR)),
            footwear_colour=CLOTH_COLOURS[colours[2]],
        )


GAMMA = 2.2  # sRGB is close to a 2.2 power law
LAYERS = ("hair", "legwear", "top", "footwear")  # drawn in this order, each over the last
_LEG_UNIT_M, _ARM_UNIT_M = 0.4, 0.27  # limb units -> metres, so fields have one scale
_OUTSIDE = -1.0


@dataclass(frozen=True)
class Look:
    """How a body is drawn.

    Attributes
    ----------
    albedo : (N, 3) linear-light skin, lips, brows and eyes per vertex.
    coverage : (N, L) signed field per layer of ``LAYERS``; > 0 is covered.
    colours : (L, 3) linear-light colour of each layer.
    offsets : (N,) outward offset in metres (a loose shirt's drape).
    """

    albedo: np.ndarray
    coverage: np.ndarray
    colours: np.ndarray
    offsets: np.ndarray


@dataclass(frozen=True)
class _Fields:
    """Per-vertex coordinates on the reference body, from which every outfit is cut."""

    limb: np.ndarray  # 0 torso, 1 leg, 2 arm, 3 head and neck, 4 foot, 5 eyeball
    along: np.ndarray  # position along a leg or arm (0 proximal, 1 middle, 2 distal joint)
    torso_y: np.ndarray  # rest height above the hip joints' midpoint, metres
    neckline: np.ndarray  # metres below the neck joint
    lateral: np.ndarray  # |x| in the rest pose, metres
    armhole: np.ndarray  # metres medial of a sleeveless top's armhole (arms hang out in rest)
    hair: np.ndarray  # > 0 on the scalp
    lips: np.ndarray
    brows: np.ndarray
    iris: np.ndarray
    pupil: np.ndarray
    waist_y: float
    underbust_y: float


def _along(points: np.ndarray, joints: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
    """Position 0..2 of points along a two-segment limb (projection on the nearer segment)."""
    a, b, c = joints
    t1 = np.clip((points - a) @ (b - a) / ((b - a) @ (b - a)), 0.0, 1.0)
    t2 = np.clip((points - b) @ (c - b) / ((c - b) @ (c - b)), 0.0, 1.0)
    d1 = np.linalg.norm(points - (a + t1[:, None] * (b - a)), axis=1)
    d2 = np.linalg.norm(points - (b + t2[:, None] * (c - b)), axis=1)
    return np.where(d1 <= d2, t1, 1.0 + t2)


def _limbs(sk, part: np.ndarray) -> np.ndarray:
    dominant = np.array([name.split("_")[0] for name in PART_NAMES])[sk.part_weights.argmax(1)]
    limb = np.zeros(len(dominant), dtype=np.int64)
    for code, names in ((1, ("thigh", "shank")), (2, ("upperarm", "forearm", "hand"))):
        limb[np.isin(dominant, names)] = code
    limb[dominant == "head"] = 3
    limb[dominant == "foot"] = 4
    limb[part == PART_EYE] = 5
    return limb


@lru_cache(maxsize=1)
def _fields() -> _Fields:
    assets = load_assets()
    sk = build_skeleton(BodyShape())
    v, j = sk.vertices, sk.joints
    limb = _limbs(sk, assets.part)
    along = np.zeros(len(v))
    for side in ("LEFT", "RIGHT"):
        on_side = v[:, 0] > 0 if side == "LEFT" else v[:, 0] <= 0
        for code, names in ((1, ("HIP", "KNEE", "ANKLE")), (2, ("SHOULDER", "ELBOW", "WRIST"))):
            sel = on_side & (limb == code)
            along[sel] = _along(v[sel], tuple(j[f"{side}_{n}"] for n in names))
    hip_y = 0.5 * (j["LEFT_HIP"][1] + j["RIGHT_HIP"][1])
    rel = v - j["HEAD"]  # the head joint: top of the neck, behind the jaw
    hairline = 0.045 + 1.1 * np.maximum(rel[:, 2] - 0.03, 0.0)  # rises toward the forehead
    back = np.minimum(-0.01 - rel[:, 2], rel[:, 1] + 0.07)  # back of the head to the nape
    hair = np.where(limb == 3, np.maximum(rel[:, 1] - hairline, back), _OUTSIDE)
    face = (limb == 3) & (rel[:, 2] > 0.08)
    ax, ay = np.abs(rel[:, 0]), rel[:, 1]
    front = np.zeros(len(v))
    for sign in (1.0, -1.0):
        ball = (limb == 5) & (np.sign(v[:, 0]) == sign)
        front[ball] = v[ball, 2] - v[ball, 2].max()
    return _Fields(
        limb=limb,
        along=along,
        torso_y=v[:, 1] - hip_y,
        neckline=j["NECK"][1] - v[:, 1],
        lateral=np.abs(v[:, 0]),
        armhole=np.abs(j["LEFT_SHOULDER"][0]) - 0.045 - np.abs(v[:, 0]),
        hair=hair,
        lips=face & (ax < 0.024) & (np.abs(ay + 0.032) < 0.011),
        brows=face & (ax > 0.012) & (ax < 0.052) & (ay > 0.047) & (ay < 0.06),
        iris=(limb == 5) & (front > -0.0045),
        pupil=(limb == 5) & (front > -0.0012),
        waist_y=float(j["PELVIS"][1] + 0.45 * (j["SPINE_2"][1] - j["PELVIS"][1]) - hip_y),
        underbust_y=float(j["SPINE_1"][1] - 0.06 - hip_y),
    )


def _linear(srgb: tuple[int, int, int]) -> np.ndarray:
    return (np.asarray(srgb, dtype=float) / 255.0) ** GAMMA


def _legwear(f: _Fields, legwear: str) -> np.ndarray:
    out = np.full(len(f.limb), _OUTSIDE)
    torso = f.limb == 0
    out[torso] = f.waist_y - f.torso_y[torso]
    leg = f.limb == 1
    out[leg] = (_LEG_HEM[legwear] - f.along[leg]) * _LEG_UNIT_M
    return out


def _top(f: _Fields, top: str) -> np.ndarray:
    out = np.full(len(f.limb), _OUTSIDE)
    if top == "none":
        return out
    low = {"crop": f.underbust_y, "tank": f.waist_y - 0.03, "tee": f.waist_y - 0.04}.get(top, -0.07)
    # Neckline depth: deepest in the middle, shallow over the shoulders (a strap or a
    # collar), so the edge is a U, not a straight cut across the chest.
    centre, shoulder = (0.09, 0.02) if top in ("crop", "tank") else (0.04, 0.02)
    over_shoulder = np.clip((f.lateral - 0.035) / 0.04, 0.0, 1.0)
    depth = centre + (shoulder - centre) * over_shoulder
    torso = f.limb == 0
    body = np.minimum(f.torso_y - low, f.neckline - depth)
    out[torso] = body[torso]
    arm = f.limb == 2
    if _SLEEVE[top] > 0:
        out[arm] = (_SLEEVE[top] - f.along[arm]) * _ARM_UNIT_M
    else:  # one continuous field across the armpit, so the armhole is a clean line
        upper = torso | arm
        out[upper] = np.minimum(body, f.armhole)[upper]
    if top == "loose":
        leg = f.limb == 1
        out[leg] = f.torso_y[leg] - low
    return out


def _footwear(f: _Fields, footwear: str) -> np.ndarray:
    out = np.full(len(f.limb), _OUTSIDE)
    if footwear == "barefoot":
        return out
    out[f.limb == 4] = 1.0
    leg = f.limb == 1
    out[leg] = (f.along[leg] - 1.9) * _LEG_UNIT_M
    return out


def make_look(outfit: Outfit) -> Look:
    """Albedo, coverage fields, layer colours and drape offsets for ``outfit``."""
    f = _fields()
    albedo = np.tile(_linear(outfit.skin), (len(f.limb), 1))
    albedo[f.lips] *= np.array([0.85, 0.62, 0.62])
    albedo[f.brows] = 0.6 * albedo[f.brows] + 0.4 * _linear(outfit.hair)
    albedo[f.limb == 5] = _linear((235, 232, 228))
    albedo[f.iris] = _linear((70, 50, 36))
    albedo[f.pupil] = _linear((12, 10, 10))
    coverage = np.stack(
        [f.hair, _legwear(f, outfit.legwear), _top(f, outfit.top), _footwear(f, outfit.footwear)],
        axis=1,
    )
    colours = np.stack(
        [
            _linear(c)
            for c in (outfit.hair, outfit.legwear_colour, outfit.top_colour, outfit.footwear_colour)
        ]
    )
    offsets = np.zeros(len(f.limb))
    if outfit.top == "loose":
        # Ramped in from the shirt's edge, so the drape has no step at the hem or sleeve.
        inside = np.clip(coverage[:, 2] / 0.04, 0.0, 1.0) * (f.limb != 2)
        flare = np.clip((f.waist_y + 0.1 - f.torso_y) / 0.25, 0.0, 1.0)
        offsets = outfit.shirt_offset_m * (0.4 + 0.6 * flare) * inside
    return Look(albedo, coverage, colours, offsets)
