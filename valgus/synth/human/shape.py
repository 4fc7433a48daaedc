"""Body shapes from MakeHuman's macro targets: sex, age, muscle, weight, height, proportions.

Why macro targets: they are MakeHuman's own statistically built blend shapes,
so any slider setting gives a plausible adult body, and the joint anchors (the
rig's joint cubes) move with the shape, so the skeleton always fits the skin.

The weights follow MakeHuman's macro modifier rules: each slider in [0, 1]
splits into the neighbouring target levels by linear interpolation (``min`` /
``average`` / ``max``; average height and regular proportions have no target),
and a combined target such as ``universal-female-young-maxmuscle-minweight`` is
weighted by the product of its levels' weights. Only adult targets are
extracted, so age runs from 25 years (MakeHuman age 0.5) to 90 (age 1.0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from valgus.synth.human.assets import Assets, load_assets

RACES = ("african", "asian", "caucasian")
MIN_AGE_YEARS, MAX_AGE_YEARS = 25.0, 90.0


@dataclass(frozen=True)
class BodyShape:
    """Macro sliders of one body.

    Parameters
    ----------
    sex : float
        0 female .. 1 male (MakeHuman "gender").
    age_years : float
        25 .. 90.
    muscle, weight : float
        0 .. 1, 0.5 average.
    height : float
        0 .. 1, 0.5 average (MakeHuman's height slider, not metres; see
        ``Skeleton.stature_m`` for the resulting height).
    proportions : float
        0 uncommon .. 0.5 regular .. 1 idealised.
    race : (float, float, float)
        African, Asian, Caucasian mix of the face and body shape (normalised);
        skin colour is chosen separately (``materials``).
    """

    sex: float = 0.5
    age_years: float = 30.0
    muscle: float = 0.5
    weight: float = 0.5
    height: float = 0.5
    proportions: float = 0.5
    race: tuple[float, float, float] = (1 / 3, 1 / 3, 1 / 3)

    def __post_init__(self) -> None:
        for name in ("sex", "muscle", "weight", "height", "proportions"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {getattr(self, name)}")
        if not MIN_AGE_YEARS <= self.age_years <= MAX_AGE_YEARS:
            raise ValueError(
                f"age_years must be in [{MIN_AGE_YEARS}, {MAX_AGE_YEARS}], got {self.age_years}"
            )
        if len(self.race) != 3 or min(self.race) < 0 or sum(self.race) <= 0:
            raise ValueError(f"race needs three non-negative weights, got {self.race!r}")


# Distinct adults for test sets; names say what the sliders make.
PRESETS: dict[str, BodyShape] = {
    "woman_average": BodyShape(sex=0.0, age_years=30, height=0.55),
    "man_average": BodyShape(sex=1.0, age_years=30, height=0.55),
    "woman_tall_slim": BodyShape(
        sex=0.0, age_years=26, weight=0.25, muscle=0.45, height=0.62, proportions=0.8
    ),
    "man_heavy": BodyShape(sex=1.0, age_years=50, weight=0.9, muscle=0.45, height=0.48),
    "man_muscular": BodyShape(sex=1.0, age_years=28, muscle=0.9, weight=0.6, height=0.57),
    "woman_older_heavy": BodyShape(sex=0.0, age_years=65, weight=0.75, muscle=0.3, height=0.47),
    "woman_petite": BodyShape(
        sex=0.0, age_years=35, weight=0.4, height=0.47, proportions=0.3, race=(0.1, 0.8, 0.1)
    ),
    "man_lean_tall": BodyShape(
        sex=1.0, age_years=40, weight=0.2, muscle=0.6, height=0.57, race=(0.8, 0.1, 0.1)
    ),
}


def _split(value: float, low: str, mid: str, high: str) -> dict[str, float]:
    """MakeHuman's three-level split of a [0, 1] slider (empty names carry no target)."""
    lo, hi = max(0.0, 1.0 - 2.0 * value), max(0.0, 2.0 * value - 1.0)
    return {low: lo, mid: 1.0 - lo - hi, high: hi}


def macro_weights(shape: BodyShape) -> dict[str, float]:
    """Weight of every adult macro target for ``shape`` (targets not listed weigh 0)."""
    old = (shape.age_years - MIN_AGE_YEARS) / (MAX_AGE_YEARS - MIN_AGE_YEARS)
    gender = {"female": 1.0 - shape.sex, "male": shape.sex}
    age = {"young": 1.0 - old, "old": old}
    muscle = _split(shape.muscle, "minmuscle", "averagemuscle", "maxmuscle")
    weight = _split(shape.weight, "minweight", "averageweight", "maxweight")
    height = _split(shape.height, "minheight", "", "maxheight")
    proportions = _split(shape.proportions, "uncommonproportions", "", "idealproportions")
    total = sum(shape.race)
    race = {r: w / total for r, w in zip(RACES, shape.race, strict=True)}
    out: dict[str, float] = {}
    for g, wg in gender.items():
        for a, wa in age.items():
            for r, wr in race.items():
                out[f"{r}-{g}-{a}"] = wr * wg * wa
            for m, wm in muscle.items():
                for w, ww in weight.items():
                    base = wg * wa * wm * ww
                    out[f"universal-{g}-{a}-{m}-{w}"] = base
                    for h, wh in height.items():
                        if h:
                            out[f"height:{g}-{a}-{m}-{w}-{h}"] = base * wh
                    for p, wp in proportions.items():
                        if p:
                            out[f"proportions:{g}-{a}-{m}-{w}-{p}"] = base * wp
    return {k: v for k, v in out.items() if v > 0.0}


def shaped_vertices(shape: BodyShape, assets: Assets | None = None) -> np.ndarray:
    """Rest-pose vertices (N, 3) in metres of the base mesh morphed to ``shape``."""
    assets = assets or load_assets()
    index = {name: i for i, name in enumerate(assets.target_names)}
    w = np.zeros(len(index), dtype=np.float32)
    for name, value in macro_weights(shape).items():
        if name in index:  # the average-muscle-average-weight universals are empty files
            w[index[name]] = value
    return assets.vertices_m + assets.target_delta_m @ w
