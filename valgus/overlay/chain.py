"""Video overlay: the chain of annotators that draws one frame's measurements for a coach.

Style follows supervision (design.md section 4): each annotator takes its
style in ``__init__`` and draws only in ``annotate(image_bgr, frame) -> image_bgr``;
they chain with :func:`compose`. Annotators never run models: everything they
draw arrives computed in an :class:`~valgus.overlay.frame.OverlayFrame`. The
skeleton is data (``landmarks.SKELETON_EDGES``).

Sides are the person's own (design.md section 1): facing the camera, the
person's LEFT leg appears on the IMAGE RIGHT, so the skeleton labels each knee
"L"/"R". To show a mirrored (selfie) view, flip the image and the x
coordinates before annotating; the labels stay anatomically right.

All sizes scale with the frame (``valgus.overlay.draw.ui_scale``): 1.0 on
1280x720. The full default chain costs about 0.8 ms per 1280x720 frame (1.1 ms
at 1920x1080), because only the panel regions are blended, never the whole frame.

Modules of ``valgus.overlay``: ``frame`` holds the data types, ``annotators``
the per-frame annotators, ``timeline`` the flag strip, ``draw`` the shared
drawing primitives, and this one the chaining.
"""

from __future__ import annotations

import numpy as np

from valgus.overlay.annotators import (
    AngleLabelAnnotator,
    CollapseBorderAnnotator,
    CueAnnotator,
    RepCounterAnnotator,
    SkeletonAnnotator,
)
from valgus.overlay.draw import DEFAULT_PALETTE, OverlayPalette
from valgus.overlay.frame import Annotator, FlagTimeline, OverlayFrame
from valgus.overlay.timeline import FlagStripAnnotator


class Compose:
    """Chain annotators: each draws on the result of the previous one."""

    def __init__(self, *annotators: Annotator) -> None:
        self.annotators = annotators

    def annotate(self, image_bgr: np.ndarray, frame: OverlayFrame) -> np.ndarray:
        for annotator in self.annotators:
            image_bgr = annotator.annotate(image_bgr, frame)
        return image_bgr


def compose(*annotators: Annotator) -> Compose:
    """Chain ``annotators`` into one (drawn in the order given)."""
    return Compose(*annotators)


def default_overlay(
    timeline: FlagTimeline | None = None, *, palette: OverlayPalette = DEFAULT_PALETTE
) -> Compose:
    """The standard overlay: border, skeleton, angle panel, rep panel, flag strip, cue.

    Pass the clip's ``timeline`` offline; leave it None live (no strip).
    """
    chain: list[Annotator] = [
        CollapseBorderAnnotator(palette=palette),
        SkeletonAnnotator(palette=palette),
        AngleLabelAnnotator(palette=palette),
        RepCounterAnnotator(palette=palette),
    ]
    if timeline is not None:
        chain.append(FlagStripAnnotator(timeline, palette=palette))
    chain.append(CueAnnotator(palette=palette))
    return compose(*chain)
