"""Render synthetic sample clips with known ground truth (``valgus synth``).

Why: the project cannot ship other people's footage, and real clips carry no
true FPPA. A rendered person whose joint centres we place ourselves gives both
a shareable demo clip and an exact answer to test the pipeline against.

The clip is an H.264 MP4 (``H264Writer``); next to it, ``<name>.truth.json``
(``valgus.synth.truth``). The spec's scene picks the renderer: a ``Scene``
draws the flat-shaded figure (``valgus.synth.figure``, fast: the tests' clips),
a ``HumanScene`` renders the MakeHuman body (``valgus.synth.human``, slower:
the benchmark's and the samples' clips).
"""

from __future__ import annotations

import json
from pathlib import Path

from valgus.synth.backdrop import background
from valgus.synth.figure import Palette, draw_figure
from valgus.synth.human.clip import render_human
from valgus.synth.human.scene import HumanScene
from valgus.synth.motion import build_motion
from valgus.synth.spec import Scene, SynthSpec
from valgus.synth.truth import truth_dict
from valgus.video.writer import H264Writer

__all__ = ["HumanScene", "Scene", "SynthSpec", "render"]


def render(spec: SynthSpec, path: str | Path, *, crf: int = 28) -> Path:
    """Render ``spec`` to ``path`` (.mp4, H.264) and ``path.with_suffix(".truth.json")``.

    Parameters
    ----------
    spec : SynthSpec
        What to show.
    path : str or Path
        Output video; its folder must exist.
    crf : int, keyword-only
        libx264 quality (28 keeps a 10 s 720x960 clip near 1 MB).

    Returns
    -------
    Path
        The video path.
    """
    path = Path(path)
    if path.suffix.lower() != ".mp4":
        raise ValueError(f"output must be an .mp4 file, got {path.name!r}")
    if not path.parent.is_dir():
        raise ValueError(f"output folder does not exist: {path.parent}")
    if isinstance(spec.scene, HumanScene):
        truth = render_human(spec, path, crf=crf)
    else:
        truth = _render_figure(spec, path, crf)
    path.with_suffix(".truth.json").write_text(json.dumps(truth, separators=(",", ":")))
    return path


def _render_figure(spec: SynthSpec, path: Path, crf: int) -> dict:
    """Draw the figure's frames to ``path``; return the truth."""
    motion = build_motion(spec)
    palette = Palette.for_scene(spec.seed, spec.scene)
    room = background(spec.width, spec.height, motion.camera, palette, spec.seed)
    with H264Writer(path, spec.width, spec.height, spec.fps, crf=crf) as writer:
        for i, time_s in enumerate(motion.times_s):
            frame = draw_figure(
                room.copy(),
                motion.points_px[i],
                motion.depth_m[i],
                motion.camera,
                palette,
                kneecaps=spec.uses_joint_angles,
            )
            writer.write(frame, float(time_s))
    return truth_dict(spec, motion)
