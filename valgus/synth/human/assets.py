"""Load the extracted CC0 MakeHuman assets (see ``assets/PROVENANCE.md``).

Why one loader: every stage (shape, skeleton, skinning, materials) reads the
same arrays; loading the 2.8 MB ``body.npz`` once per process and sharing the
read-only result keeps rendering a clip free of file I/O.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

ASSET_DIR = Path(__file__).parent / "assets"
PART_BODY, PART_EYE, PART_HELPER = 0, 1, 2


@dataclass(frozen=True)
class Assets:
    """The base mesh, rig, skinning weights and macro targets, in metres.

    Attributes
    ----------
    vertices_m : (N, 3) float64
        Base-mesh vertices (x = the person's left, y up, z the way they face).
    source_index : (N,) int
        Index of each vertex in MakeHuman's ``base.obj`` (for documentation).
    part : (N,) uint8
        ``PART_BODY``, ``PART_EYE`` or ``PART_HELPER`` (joint anchors, never drawn).
    triangles : (F, 3) int64
        Body and eyeball triangles.
    bone_weights : dict[str, tuple[ndarray, ndarray]]
        Per rig bone, vertex indices and skinning weights.
    rig : dict[str, dict]
        Per bone: ``parent`` and the vertex lists whose means are its ``head`` and ``tail``.
    target_names : list[str]
        Macro targets, e.g. ``"universal-female-young-maxmuscle-maxweight"``,
        ``"height:male-old-averagemuscle-minweight-maxheight"``.
    target_delta_m : (N, 3, T) float32
        Vertex offsets of every target.
    """

    vertices_m: np.ndarray
    source_index: np.ndarray
    part: np.ndarray
    triangles: np.ndarray
    bone_weights: dict[str, tuple[np.ndarray, np.ndarray]]
    rig: dict[str, dict]
    target_names: list[str]
    target_delta_m: np.ndarray


@lru_cache(maxsize=1)
def load_assets(asset_dir: Path = ASSET_DIR) -> Assets:
    """Read ``body.npz`` and ``rig.json`` once (arrays are shared: do not modify them)."""
    with np.load(asset_dir / "body.npz") as data:
        names = [str(n) for n in data["weight_bone_names"]]
        bone, vert, val = data["weight_bone"], data["weight_vertex"], data["weight_value"]
        weights = {
            name: (vert[bone == b].astype(np.int64), val[bone == b].astype(np.float64))
            for b, name in enumerate(names)
        }
        assets = Assets(
            vertices_m=data["vertices_m"].astype(np.float64),
            source_index=data["source_index"].astype(np.int64),
            part=data["part"],
            triangles=data["triangles"].astype(np.int64),
            bone_weights=weights,
            rig=json.loads((asset_dir / "rig.json").read_text()),
            target_names=[str(n) for n in data["target_names"]],
            target_delta_m=data["target_delta"].astype(np.float32) * float(data["target_unit_m"]),
        )
    for array in (assets.vertices_m, assets.triangles, assets.target_delta_m):
        array.flags.writeable = False
    return assets
