"""A spec spelled out per frame: depth, leg lift, pelvic drop, collapse, and the reps.

Why apart from the spec: the timeline is the one place that knows which frame
is a rep bottom and how far each control has ramped; the motion poses from it
and the truth file reports its reps, whichever figure is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from valgus.synth.spec import SynthSpec


@dataclass(frozen=True)
class Timeline:
    """Per-frame controls, each shape (T,) in [0, 1] unless said, and the reps."""

    depth: np.ndarray  # squat progress of the loaded leg(s); 1 at each rep bottom
    lift: np.ndarray  # weight shift + free-leg lift (single-leg movements)
    drop: np.ndarray  # fraction of the requested pelvic drop
    collapse: np.ndarray  # fraction of the solved knee collapse
    reps: tuple[dict[str, int], ...]  # frames: start, bottom, end (+ hold_start, hold_end)


def ramp(n: int) -> np.ndarray:
    """Cosine ramp from 0 to 1 over ``n`` steps, shape (n + 1,), ends exact."""
    return 0.5 * (1.0 - np.cos(np.pi * np.arange(n + 1) / max(n, 1)))


def _frames(seconds: float, fps: float) -> int:
    return max(1, round(seconds * fps))


def _squat_block(spec: SynthSpec, start: int, depth: np.ndarray, reps: list) -> int:
    """Write ``spec.reps`` cosine squats into ``depth`` from ``start``; return end frame."""
    half = _frames(spec.rep_s / 2, spec.fps)
    pause = round(spec.pause_s * spec.fps)
    up = ramp(half)
    frame = start
    for i in range(spec.reps):
        depth[frame : frame + half + 1] = up
        depth[frame + half : frame + 2 * half + 1] = up[::-1]
        reps.append({"start": frame, "bottom": frame + half, "end": frame + 2 * half})
        frame += 2 * half + (pause if i < spec.reps - 1 else 0)
    return frame


def build_timeline(spec: SynthSpec) -> Timeline:
    """Frame-by-frame controls for the spec's movement (standing lead-in and tail)."""
    return _scaled(spec, _unscaled(spec))


def _unscaled(spec: SynthSpec) -> Timeline:
    """The timeline with every rep at full size."""
    fps = spec.fps
    lead, tail = round(spec.lead_in_s * fps), round(spec.tail_s * fps)
    lift_n, ramp_n = _frames(spec.lift_s, fps), _frames(spec.drop_ramp_s, fps)
    hold_n, pause = _frames(spec.hold_s, fps), round(spec.pause_s * fps)
    half = _frames(spec.rep_s / 2, fps)
    if spec.movement == "squat":
        total = lead + spec.reps * (2 * half + pause) - pause + tail + 1
    elif spec.movement == "single-leg-squat":
        total = lead + 2 * lift_n + spec.reps * (2 * half + pause) - pause + tail + 1
    else:
        total = lead + spec.reps * (2 * lift_n + 2 * ramp_n + hold_n + pause) - pause + tail + 1
    depth, lift, drop = (np.zeros(total) for _ in range(3))
    reps: list[dict[str, int]] = []
    if spec.movement == "squat":
        _squat_block(spec, lead, depth, reps)
        return Timeline(depth, lift, drop, depth.copy(), tuple(reps))
    if spec.movement == "single-leg-squat":
        lift[lead : lead + lift_n + 1] = ramp(lift_n)
        end = _squat_block(spec, lead + lift_n, depth, reps)
        lift[lead + lift_n : end + 1] = 1.0
        lift[end : end + lift_n + 1] = ramp(lift_n)[::-1]
        return Timeline(depth, lift, depth.copy(), depth.copy(), tuple(reps))
    frame = lead
    for _ in range(spec.reps):
        hold_start = frame + lift_n + ramp_n
        hold_end = hold_start + hold_n
        lift[frame : frame + lift_n + 1] = ramp(lift_n)
        lift[frame + lift_n : hold_end + ramp_n + 1] = 1.0
        drop[frame + lift_n : hold_start + 1] = ramp(ramp_n)
        drop[hold_start : hold_end + 1] = 1.0
        drop[hold_end : hold_end + ramp_n + 1] = ramp(ramp_n)[::-1]
        end = hold_end + ramp_n + lift_n
        lift[hold_end + ramp_n : end + 1] = ramp(lift_n)[::-1]
        reps.append(
            {
                "start": frame,
                "bottom": hold_start,
                "end": end,
                "hold_start": hold_start,
                "hold_end": hold_end,
            }
        )
        frame = end + pause
    return Timeline(depth, lift, drop, drop.copy(), tuple(reps))


def _scaled(spec: SynthSpec, timeline: Timeline) -> Timeline:
    """``timeline`` with each rep's drop and collapse times its ``spec.rep_scale`` factor."""
    if not spec.rep_scale:
        return timeline
    factor = np.ones(len(timeline.depth))
    for rep, scale in zip(timeline.reps, spec.rep_scale, strict=True):
        factor[rep["start"] : rep["end"] + 1] = scale
    return replace(timeline, drop=timeline.drop * factor, collapse=timeline.collapse * factor)
