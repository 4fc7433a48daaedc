"""Is this file a MediaPipe pose ``.task`` bundle? Checked before MediaPipe sees it.

Why up front: a corrupt or wrong file otherwise aborts inside MediaPipe's
native code; here it becomes one :class:`~valgus.errors.ModelError` line.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from valgus.errors import ModelError

TASK_MEMBERS = ("pose_detector.tflite", "pose_landmarks_detector.tflite")
_TFLITE_IDENTIFIER = b"TFL3"  # FlatBuffers file identifier at byte offset 4
HINT = "pass --model full or a path to a .task file"


def check_task_bundle(path: Path | str) -> None:
    """Raise ModelError unless ``path`` looks like a pose landmarker ``.task`` bundle.

    A Tasks bundle is an uncompressed zip holding ``pose_detector.tflite`` and
    ``pose_landmarks_detector.tflite``; the runtime maps the members straight
    from the file, so a compressed member fails as surely as a missing one. Each
    member must start like a TFLite flatbuffer (identifier ``TFL3`` at byte 4).
    Checking this up front turns a corrupt or wrong file into one clear line
    instead of a MediaPipe abort.

    Parameters
    ----------
    path : Path or str
        File to check.

    Raises
    ------
    ModelError
        If the file is missing, not a zip, or lacks/compresses a member.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"model file not found: {path}; {HINT}")
    problem = bundle_problem(path)
    if problem is not None:
        raise ModelError(f"{path} is not a MediaPipe pose .task bundle ({problem}); {HINT}")


def bundle_problem(path: Path) -> str | None:
    """Return why ``path`` is not a pose bundle, or None if it is one."""
    try:
        with zipfile.ZipFile(path) as bundle:
            members = {info.filename: info for info in bundle.infolist()}
            for name in TASK_MEMBERS:
                info = members.get(name)
                if info is None:
                    return f"no {name} inside"
                if info.compress_type != zipfile.ZIP_STORED:
                    return f"{name} is compressed"
                with bundle.open(info) as member:
                    head = member.read(8)
                if head[4:8] != _TFLITE_IDENTIFIER:
                    return f"{name} is not a TFLite model"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        return "not a zip file"
    return None
