"""Macro-target weights and the preset bodies."""

from __future__ import annotations

import numpy as np
import pytest

from valgus.synth.human.shape import PRESETS, BodyShape, macro_weights
from valgus.synth.human.skeleton import build_skeleton


def _family(weights: dict[str, float], prefix: str) -> float:
    return sum(v for k, v in weights.items() if k.startswith(prefix))


@pytest.mark.parametrize("shape", list(PRESETS.values()), ids=list(PRESETS))
def test_race_and_universal_weights_are_partitions_of_one(shape):
    w = macro_weights(shape)
    race = sum(v for k, v in w.items() if k.split("-")[0] in ("african", "asian", "caucasian"))
    assert race == pytest.approx(1.0)
    assert _family(w, "universal-") == pytest.approx(1.0)


def test_sliders_pick_the_expected_targets():
    w = macro_weights(BodyShape(sex=1.0, age_years=25, muscle=1.0, weight=0.0, height=1.0))
    assert w["universal-male-young-maxmuscle-minweight"] == pytest.approx(1.0)
    assert w["height:male-young-maxmuscle-minweight-maxheight"] == pytest.approx(1.0)
    assert not any("female" in k or "old" in k for k in w)


def test_presets_are_distinct_plausible_adults():
    dims = {name: build_skeleton(shape).dims for name, shape in PRESETS.items()}
    statures = [d.stature_m for d in dims.values()]
    assert len(PRESETS) == 8
    assert min(statures) > 1.45 and max(statures) < 2.0
    assert len({round(s, 2) for s in statures}) == len(statures)
    for d in dims.values():  # Winter's fractions of stature, with room for builds
        assert 0.21 < d.thigh_m / d.stature_m < 0.26
        assert 0.21 < d.shank_m / d.stature_m < 0.27
        assert d.stance_half_m == pytest.approx(0.14 / 0.09 * d.hip_half_m)


def test_rejects_children():
    with pytest.raises(ValueError, match="age_years"):
        BodyShape(age_years=12)


def test_weight_slider_widens_the_waist():
    def waist(shape):
        sk = build_skeleton(shape)
        y = sk.joints["SPINE_3"][1]
        band = np.abs(sk.vertices[:, 1] - y) < 0.01
        return np.ptp(sk.vertices[band & (np.abs(sk.vertices[:, 0]) < 0.3), 0])

    assert waist(BodyShape(weight=0.9)) > waist(BodyShape(weight=0.1)) + 0.05
