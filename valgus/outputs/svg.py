"""A few SVG drawing helpers for the chart files: elements, scales, ticks and panels.

Why not matplotlib: its import and two figures cost ~0.45 s on every clip
(more than the rest of the outputs together), for two charts this small
module draws as sharp vector files that open in any browser.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif"
INK, MUTED, GRID = "#1c2430", "#5b6675", "#e6e9ee"


def _number(value: float) -> str:
    """Coordinates to 0.1 px, without trailing zeros (files stay small)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


class Drawing:
    """An SVG document built element by element, in painting order."""

    def __init__(self, width: float, height: float, *, title: str) -> None:
        self.width, self.height = width, height
        self._parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{_number(width)}" '
            f'height="{_number(height)}" viewBox="0 0 {_number(width)} {_number(height)}" '
            f'font-family="{FONT}" font-size="12" fill="{INK}">',
            f"<title>{escape(title)}</title>",
            f'<rect width="{_number(width)}" height="{_number(height)}" fill="#fff"/>',
        ]

    def add(self, tag: str, text: str | None = None, **attrs: object) -> None:
        """One element; ``stroke_width=2`` is written ``stroke-width="2"``."""
        fields = "".join(
            f" {key.rstrip('_').replace('_', '-')}="
            + quoteattr(_number(value) if isinstance(value, float) else str(value))
            for key, value in attrs.items()
            if value is not None
        )
        self._parts.append(
            f"<{tag}{fields}/>" if text is None else f"<{tag}{fields}>{escape(text)}</{tag}>"
        )

    def text(self, x: float, y: float, text: str, **attrs: object) -> None:
        self.add("text", text, x=float(x), y=float(y), **attrs)

    def line(self, x1: float, y1: float, x2: float, y2: float, **attrs: object) -> None:
        self.add("line", x1=float(x1), y1=float(y1), x2=float(x2), y2=float(y2), **attrs)

    def rect(self, x: float, y: float, width: float, height: float, **attrs: object) -> None:
        self.add("rect", x=float(x), y=float(y), width=float(width), height=float(height), **attrs)

    def to_string(self) -> str:
        return "\n".join([*self._parts, "</svg>\n"])


def nice_step(span: float, target: int) -> float:
    """A 1, 2 or 5 times a power of ten step that cuts ``span`` into about ``target`` parts."""
    span, target = max(span, 1e-9), max(target, 1)
    power = 10 ** math.floor(math.log10(span / target))
    steps = [m * power for m in (1, 2, 5, 10, 20)]
    return min(steps, key=lambda step: (abs(span / step - target), -step))


def ticks(low: float, high: float, target: int) -> list[float]:
    """Round values from ``low`` to ``high`` at a nice step."""
    step = nice_step(high - low, target)
    first = math.ceil(low / step - 1e-9)
    return [k * step for k in range(first, math.floor(high / step + 1e-9) + 1)]


def tick_label(value: float) -> str:
    return f"{value:.10g}" if abs(value) >= 1e-9 else "0"


@dataclass(frozen=True)
class Panel:
    """A plotting box in pixels and the data ranges it shows."""

    x: float
    y: float
    width: float
    height: float
    x_range: tuple[float, float]
    y_range: tuple[float, float]

    def sx(self, value: float) -> float:
        low, high = self.x_range
        return self.x + (value - low) / ((high - low) or 1.0) * self.width

    def sy(self, value: float) -> float:
        """Pixels from the top; values outside the range are clipped to the box."""
        low, high = self.y_range
        clipped = min(max(value, low), high)
        return self.y + self.height - (clipped - low) / ((high - low) or 1.0) * self.height

    @property
    def bottom(self) -> float:
        return self.y + self.height


def padded_range(values: Sequence[float], *, at_least: tuple[float, float]) -> tuple[float, float]:
    """A y range on nice ticks covering ``at_least`` and every finite value (with 1 deg spare)."""
    finite = [v for v in values if math.isfinite(v)]
    low = min([at_least[0], *(v - 1 for v in finite)])
    high = max([at_least[1], *(v + 1 for v in finite)])
    step = nice_step(high - low, 5)
    return math.floor(low / step) * step, math.ceil(high / step) * step


def y_axis(drawing: Drawing, panel: Panel, label: str) -> None:
    """Horizontal grid lines with their labels, and the axis title turned upright."""
    for value in ticks(*panel.y_range, 5):
        y = panel.sy(value)
        drawing.line(panel.x, y, panel.x + panel.width, y, stroke=GRID, stroke_width=1)
        drawing.text(panel.x - 6, y + 4, tick_label(value), text_anchor="end", fill=MUTED)
    middle = panel.y + panel.height / 2
    drawing.text(
        16, middle, label, text_anchor="middle", transform=f"rotate(-90 16 {_number(middle)})"
    )


def bands(drawing: Drawing, panel: Panel, cuts: tuple[float, float], colors: dict) -> None:
    """Shade the above-normal and marked ranges (draw before the grid: they are opaque)."""
    above, marked = cuts
    top = panel.y_range[1]
    if top > marked:
        drawing.rect(
            panel.x,
            panel.sy(top),
            panel.width,
            panel.sy(marked) - panel.sy(top),
            fill=colors["bad"],
        )
    if top > above:
        drawing.rect(
            panel.x,
            panel.sy(min(marked, top)),
            panel.width,
            panel.sy(above) - panel.sy(min(marked, top)),
            fill=colors["warn"],
        )


def cut_lines(drawing: Drawing, panel: Panel, cuts: tuple[float, float], colors: dict) -> None:
    """The two cuts as dashed lines (draw after the grid, which would hide them)."""
    for cut, color in zip(cuts, colors["cuts"], strict=True):
        if panel.y_range[0] <= cut <= panel.y_range[1]:
            y = panel.sy(cut)
            drawing.line(panel.x, y, panel.x + panel.width, y, stroke=color, stroke_dasharray="4 4")


def polyline_path(
    xs: Sequence[float], ys: Sequence[float | None], sx: Callable, sy: Callable
) -> str:
    """An SVG path through the points, lifting the pen over missing values."""
    commands, pen = [], False
    for x, y in zip(xs, ys, strict=True):
        if y is None or not math.isfinite(y):
            pen = False
            continue
        commands.append(f"{'L' if pen else 'M'}{_number(sx(x))},{_number(sy(y))}")
        pen = True
    return "".join(commands)


def legend(drawing: Drawing, x: float, y: float, entries: Sequence[tuple[str, str]]) -> None:
    """Coloured swatches with their names, in a row."""
    for name, color in entries:
        drawing.line(x, y - 4, x + 18, y - 4, stroke=color, stroke_width=3)
        drawing.text(x + 23, y, name, font_size=11)
        x += 32 + 6.5 * len(name)
