"""MediaPipe is imported without its drawing and audio helpers, and they still work when used.

Each check runs in a fresh interpreter: this test process may have imported
MediaPipe (or matplotlib) already.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.support.paths import SAMPLES

SAMPLE = SAMPLES / "squat_valgus.mp4"


def run_fresh(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_landmarker_runs_without_importing_matplotlib_or_sounddevice():
    out = run_fresh(
        f"""
        import sys
        from valgus.pose.model_files import resolve_model
        from valgus.pose.landmarker import PoseEstimator
        from valgus.video.source import VideoSource

        with VideoSource({str(SAMPLE)!r}, order="rgb") as source, \\
                PoseEstimator(resolve_model("full").path) as estimator:
            found = sum(
                estimator.detect_rgb(f.image, f.time_s) is not None
                for f, _ in zip(source, range(10))
            )
        print(found, "matplotlib" in sys.modules, "sounddevice" in sys.modules)
        """
    )
    assert out == "10 False False"


def test_the_deferred_modules_load_in_full_when_used():
    out = run_fresh(
        """
        import sys
        from valgus.pose.mediapipe_import import mediapipe_tasks

        tasks = mediapipe_tasks()
        style = tasks.vision.drawing_styles.get_default_pose_landmarks_style()
        print(len(style) > 0, callable(tasks.vision.drawing_utils.draw_landmarks),
              tasks.audio.AudioClassifier.__name__, "matplotlib" in sys.modules,
              any(type(f).__name__ == "_DeferringFinder" for f in sys.meta_path))
        """
    )
    assert out == "True True AudioClassifier True False"
