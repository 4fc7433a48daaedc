"""Import MediaPipe's Tasks API without running the parts valgus never calls.

Why: ``import mediapipe`` imports every task there is. Two of them cost a
third of a second on every run for nothing here: the vision drawing helpers
import ``matplotlib.pyplot``, and the audio tasks import ``sounddevice``.
Measured with mediapipe 1.2.3: the import took 0.40-0.45 s, and 0.08-0.10 s
with those modules deferred. valgus draws with cv2 and has no audio.

Deferred, not removed: Python's ``LazyLoader`` makes and binds each module as
usual but runs its code at the first attribute access, so code that does use
them (a notebook drawing with ``mediapipe.tasks.python.vision.drawing_utils``)
gets the real modules.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import threading
from types import ModuleType

DEFERRED = (
    "mediapipe.tasks.python.audio",
    "mediapipe.tasks.python.vision.drawing_utils",
    "mediapipe.tasks.python.vision.drawing_styles",
)
# Landmarkers are created on several threads at once (valgus.pose.time_chunks); the
# finder must be in sys.meta_path for exactly the one import that needs it.
_IMPORT_LOCK = threading.Lock()


class _DeferringFinder(importlib.abc.MetaPathFinder):
    """Finds only the ``DEFERRED`` modules, and hands them to a ``LazyLoader``."""

    def find_spec(
        self, fullname: str, path: object = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in DEFERRED:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)  # type: ignore[arg-type]
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return None  # not a plain source module: let the normal import have it
        spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


def mediapipe_tasks() -> ModuleType:
    """``mediapipe.tasks.python``, imported with the ``DEFERRED`` modules left unrun."""
    with _IMPORT_LOCK:
        if "mediapipe" not in sys.modules:
            finder = _DeferringFinder()
            sys.meta_path.insert(0, finder)
            try:
                importlib.import_module("mediapipe")
            finally:
                sys.meta_path.remove(finder)
    return importlib.import_module("mediapipe.tasks.python")
