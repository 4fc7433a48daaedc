"""The charts as image files beside the report, for slides, notes and e-mail.

SVG: sharp at any size and in print, opened by every browser, and drawn
without matplotlib (valgus.outputs.svg says why). timeline.svg is the
report's interactive timeline as a still, from the same data (``chart_data``);
reps.svg has each rep's peaks as bars against the cuts.
"""

from __future__ import annotations

import math
from pathlib import Path

from valgus.outputs import svg
from valgus.outputs.report_html import chart_data
from valgus.outputs.report_text import lifted_sides, rep_noun
from valgus.session import Session

COLORS = {"left": "#2f6fd6", "right": "#8a3ffc", "pelvis": "#0f7d74"}
BAND_COLORS = {"warn": "#fdf0d3", "bad": "#fbe1df", "cuts": ("#e39a00", "#d0342c")}
GRADE_COLORS = {1: "#e39a00", 2: "#d0342c"}
REP_SHADE = "#1f4e79"  # drawn see-through over the bands, alternating strength
REP_OPACITY = (0.07, 0.11)
LEFT, RIGHT = 64.0, 16.0  # margins: room for the y labels, and none wasted on the right
LANE_PX = 7.0


def _measured_sides(session: Session) -> tuple[str, ...]:
    lifted = lifted_sides(session)
    return tuple(s for s in ("left", "right") if s not in lifted)


def _pelvis_label(session: Session) -> str:
    return "pelvic tilt (deg)" if session.movement == "squat" else "pelvic drop (deg)"


def _flag_lane(drawing: svg.Drawing, panel: svg.Panel, y: float, kinds: set, data: dict) -> None:
    for flag in data["flags"]:
        if flag["kind"] in kinds:
            x0 = panel.sx(flag["start"])
            drawing.rect(
                x0,
                y,
                max(2.0, panel.sx(flag["end"]) - x0),
                LANE_PX,
                fill=GRADE_COLORS.get(min(flag["grade"], 2), GRADE_COLORS[1]),
            )


def timeline_svg(session: Session) -> str:
    """FPPA per knee and pelvic drop over time, cut bands shaded, reps and flags marked."""
    data = chart_data(session)
    sides = _measured_sides(session)
    duration = max(data["duration"], 0.1)
    fppa_values = [v for s in sides for v in data[f"fppa_{s}"] if v is not None]
    drop_values = [v for v in data["drop"] if v is not None]
    width, height = 1000.0, 560.0
    plot_width = width - LEFT - RIGHT
    knee = svg.Panel(
        LEFT,
        34,
        plot_width,
        270,
        (0.0, duration),
        svg.padded_range(fppa_values, at_least=(-5, data["fppa_cuts"][1] + 4)),
    )
    pelvis = svg.Panel(
        LEFT,
        knee.bottom + 2 * LANE_PX + 36,
        plot_width,
        150,
        (0.0, duration),
        svg.padded_range(drop_values, at_least=(0, data["drop_cuts"][1] + 2)),
    )
    drawing = svg.Drawing(width, height, title=f"{session.movement}: knee FPPA and pelvic drop")
    panels = (
        (
            knee,
            data["fppa_cuts"],
            [(s, data[f"fppa_{s}"]) for s in sides],
            "knee FPPA (deg, + inward)",
        ),
        (pelvis, data["drop_cuts"], [("pelvis", data["drop"])], _pelvis_label(session)),
    )
    for panel, cuts, _, label in panels:
        svg.bands(drawing, panel, tuple(cuts), BAND_COLORS)
        svg.y_axis(drawing, panel, label)
    for i, rep in enumerate(data["reps"]):
        x0, x1 = knee.sx(rep["start"]), knee.sx(min(rep["end"], duration))
        drawing.rect(
            x0,
            knee.y,
            max(1.0, x1 - x0),
            pelvis.bottom - knee.y,
            fill=REP_SHADE,
            fill_opacity=REP_OPACITY[i % 2],
        )
        label = f"{data['noun']} {rep['i']}" if x1 - x0 > 50 else str(rep["i"])
        drawing.text((x0 + x1) / 2, knee.y - 8, label, text_anchor="middle", fill=REP_SHADE)
    for panel, cuts, values, _ in panels:
        svg.cut_lines(drawing, panel, tuple(cuts), BAND_COLORS)
        for name, series in values:
            drawing.add(
                "path",
                d=svg.polyline_path(data["t"], series, panel.sx, panel.sy) or None,
                fill="none",
                stroke=COLORS[name],
                stroke_width=1.8,
                stroke_linejoin="round",
                data_series=name,
            )
    for k, side in enumerate(("left", "right")):
        y = knee.bottom + 4 + k * LANE_PX
        _flag_lane(drawing, knee, y, {f"collapse_{side}"}, data)
    _flag_lane(drawing, pelvis, pelvis.bottom + 4, {"pelvic_drop"}, data)
    axis_y = pelvis.bottom + LANE_PX + 8
    for value in svg.ticks(0.0, duration, 10):
        drawing.line(pelvis.sx(value), axis_y, pelvis.sx(value), axis_y + 4, stroke=svg.MUTED)
        drawing.text(
            pelvis.sx(value),
            axis_y + 16,
            svg.tick_label(value),
            text_anchor="middle",
            fill=svg.MUTED,
        )
    drawing.text(LEFT + plot_width / 2, height - 6, "time (s)", text_anchor="middle")
    if sides:
        svg.legend(drawing, LEFT + 8, knee.y + 16, [(f"{s} knee", COLORS[s]) for s in sides])
    return drawing.to_string()


def _bar(drawing: svg.Drawing, panel: svg.Panel, x: float, w: float, value: float, **attrs) -> None:
    if math.isfinite(value):
        base = panel.sy(max(panel.y_range[0], 0.0))
        top = panel.sy(value)
        drawing.rect(x - w / 2, min(top, base), w, abs(base - top), **attrs)


def reps_svg(session: Session) -> str:
    """Per-rep FPPA reading of each measured knee and peak pelvic drop, against the cuts.

    The same per-rep numbers as the report's table and verdicts
    (valgus.analysis.rep_metrics).
    """
    th = session.thresholds
    reps = session.reps
    sides = _measured_sides(session)
    readings = {s: [float(getattr(r, f"fppa_read_{s}_deg")) for r in reps] for s in sides}
    drops = [float(r.pelvic_drop_deg) for r in reps]  # none against the image horizontal
    width, height = 720.0, 450.0
    plot_width = width - LEFT - RIGHT
    x_range = (0.4, len(reps) + 0.6)
    knee = svg.Panel(
        LEFT,
        24,
        plot_width,
        200,
        x_range,
        svg.padded_range(
            [v for vs in readings.values() for v in vs], at_least=(0, th.fppa_marked_deg.value + 4)
        ),
    )
    pelvis = svg.Panel(
        LEFT,
        knee.bottom + 36,
        plot_width,
        150,
        x_range,
        svg.padded_range(drops, at_least=(0, th.pelvic_drop_marked_deg.value + 2)),
    )
    noun = rep_noun(session.movement)
    title = f"{session.movement}: FPPA reading and peak pelvic drop per {noun}"
    drawing = svg.Drawing(width, height, title=title)
    cuts = {
        "knee": (th.fppa_above_deg.value, th.fppa_marked_deg.value),
        "pelvis": (th.pelvic_drop_above_deg.value, th.pelvic_drop_marked_deg.value),
    }
    for panel, key, label in (
        (knee, "knee", "FPPA reading (deg)"),
        (pelvis, "pelvis", "peak " + _pelvis_label(session)),
    ):
        svg.bands(drawing, panel, cuts[key], BAND_COLORS)
        svg.y_axis(drawing, panel, label)
        svg.cut_lines(drawing, panel, cuts[key], BAND_COLORS)
    unit = knee.sx(1.0) - knee.sx(0.0)
    bar = 0.7 * unit / max(len(sides), 1)
    for k, side in enumerate(sides):
        offset = (k - (len(sides) - 1) / 2) * bar
        for rep, value in zip(reps, readings[side], strict=True):
            _bar(
                drawing,
                knee,
                knee.sx(rep.index) + offset,
                0.9 * bar,
                value,
                fill=COLORS[side],
                data_rep=rep.index,
                data_side=side,
            )
    for rep, value in zip(reps, drops, strict=True):
        _bar(
            drawing,
            pelvis,
            pelvis.sx(rep.index),
            0.35 * unit,
            value,
            fill=COLORS["pelvis"],
            data_rep=rep.index,
            data_side="pelvis",
        )
    every = max(1, math.ceil(len(reps) / 30))  # labels stay legible on long sets
    for rep in reps[::every]:
        drawing.text(
            pelvis.sx(rep.index),
            pelvis.bottom + 16,
            str(rep.index),
            text_anchor="middle",
            fill=svg.MUTED,
        )
    drawing.text(LEFT + plot_width / 2, height - 6, noun, text_anchor="middle")
    if sides:
        svg.legend(drawing, LEFT + 8, knee.y + 16, [(f"{s} knee", COLORS[s]) for s in sides])
    return drawing.to_string()


def write_plots(session: Session, folder: Path) -> list[Path]:
    """Write timeline.svg (and reps.svg when there are reps) into ``folder``."""
    charts = [("timeline.svg", timeline_svg(session))]
    if session.reps:
        charts.append(("reps.svg", reps_svg(session)))
    written = []
    for name, text in charts:
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
