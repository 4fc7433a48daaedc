"""Build ``pose_landmarker_full.task`` from the ``mediapipe==0.10.21`` wheel on PyPI.

Why this exists: mediapipe >= 1.0 ships no pose model and this project must run
without any download beyond PyPI. The legacy 0.10.21 wheel still carries the
BlazePose GHUM detector and full landmark model (Apache-2.0) as bare ``.tflite``
files. A Tasks ``.task`` bundle is an uncompressed, 4-byte-aligned zip of the two
models, each with TFLite metadata that tells the Tasks runtime how to normalise
the image input. This script adds that metadata and writes the bundle.

Run it in a throwaway venv (the 0.10.21 metadata writers need numpy < 2 and
Python <= 3.12)::

    python3 -m venv /tmp/mp-build
    /tmp/mp-build/bin/pip install "mediapipe==0.10.21" "numpy<2"
    /tmp/mp-build/bin/python models/build_pose_landmarker.py models/pose_landmarker_full.task

The wheel holds only the lite and full landmark networks. ``--landmarks`` bundles
another one of the same family with the wheel's detector, e.g. the heavy network
that the legacy ``@mediapipe/pose`` npm package carries (its full network is
byte-identical to the wheel's, sha256 e9a5c5cb...)::

    npm pack @mediapipe/pose@0.5.1675469404 && tar xzf mediapipe-pose-0.5.1675469404.tgz
    /tmp/mp-build/bin/python models/build_pose_landmarker.py pose_landmarker_heavy.task \
        --landmarks package/pose_landmark_heavy.tflite
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import mediapipe
from mediapipe.tasks.python.metadata.metadata_writers import (
    metadata_writer,
    model_asset_bundle_utils,
)

DETECTOR_OUTPUTS = ("regressors", "classificators")
LANDMARKS_OUTPUTS = ("landmarks", "world_landmarks", "segmentation", "heatmap", "pose_flag")


def with_metadata(
    tflite: bytes, name: str, mean: float, std: float, outputs: tuple[str, ...]
) -> bytes:
    """Return ``tflite`` with image-input normalisation and one feature entry per output."""
    writer = metadata_writer.MetadataWriter.create(bytearray(tflite))
    writer.add_general_info(name, "BlazePose GHUM (mediapipe 0.10.21 wheel), Apache-2.0")
    writer.add_image_input(norm_mean=[mean], norm_std=[std])
    for output in outputs:
        writer.add_feature_output(name=output)
    model, _ = writer.populate()
    return bytes(model)


def main(out_path: str, landmarks_path: Path | None = None) -> None:
    modules = Path(mediapipe.__file__).parent / "modules"
    detector = (modules / "pose_detection" / "pose_detection.tflite").read_bytes()
    landmarks_path = landmarks_path or modules / "pose_landmark" / "pose_landmark_full.tflite"
    landmarks = landmarks_path.read_bytes()
    bundle = {
        # Detector expects input in [-1, 1]: (x - 127.5) / 127.5.
        "pose_detector.tflite": with_metadata(
            detector, "pose_detector", 127.5, 127.5, DETECTOR_OUTPUTS
        ),
        # Landmark model expects input in [0, 1]: x / 255.
        "pose_landmarks_detector.tflite": with_metadata(
            landmarks, "pose_landmarks_detector", 0.0, 255.0, LANDMARKS_OUTPUTS
        ),
    }
    model_asset_bundle_utils.create_model_asset_bundle(bundle, out_path)
    digest = hashlib.sha256(Path(out_path).read_bytes()).hexdigest()
    sys.stdout.write(f"wrote {out_path} sha256 {digest}\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Build a pose landmarker .task bundle.")
    parser.add_argument("out", nargs="?", default="models/pose_landmarker_full.task")
    parser.add_argument(
        "--landmarks", type=Path, help="landmark .tflite (default: the wheel's full network)"
    )
    args = parser.parse_args()
    main(args.out, args.landmarks)
