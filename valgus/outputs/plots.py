"""PNG plots beside the report, for people who want images (slides, notes, e-mail).

Drawn with matplotlib's object API on the Agg canvas: no pyplot, so no global
figure state and no GUI backend, safe in worker processes and web servers.
The same picture as the report's interactive timeline, plus per-rep bars.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from valgus.outputs.report_text import lifted_sides, rep_noun
from valgus.session import Session

COLORS = {"left": "#2f6fd6", "right": "#8a3ffc", "pelvis": "#0f7d74"}
BANDS = {"warn": "#fdf0d3", "bad": "#fbe1df"}
CUT_COLORS = ("#e39a00", "#d0342c")
DPI = 150


def _new_figure(width_in: float, height_in: float, rows: int) -> tuple[Figure, list]:
    fig = Figure(figsize=(width_in, height_in), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, 1, sharex=True, squeeze=False)[:, 0]
    return fig, list(axes)


def _bands(ax, above: float, marked: float, top: float) -> None:
    """Shade the above-normal and marked ranges and draw the two cuts."""
    ax.axhspan(above, marked, color=BANDS["warn"], alpha=0.8, zorder=0.6, lw=0)
    ax.axhspan(marked, max(top, marked + 1), color=BANDS["bad"], alpha=0.8, zorder=0.6, lw=0)
    for cut, color in zip((above, marked), CUT_COLORS, strict=True):
        ax.axhline(cut, color=color, lw=0.8, ls=(0, (3, 3)), zorder=2)


def _style(ax, ylabel: str) -> None:
    ax.set_ylabel(ylabel)
    ax.set_axisbelow(True)
    ax.grid(axis="y", color="#e6e9ee", lw=0.6, zorder=0.4)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)


def _valid_fppa(session: Session, side: str) -> np.ndarray:
    f = session.frames
    ok = f[f"fppa_valid_{side}"].fillna(False).to_numpy(dtype=bool)
    return np.where(ok, f[f"fppa_{side}_deg"].to_numpy(dtype=float), np.nan)


def _measured_sides(session: Session) -> tuple[str, ...]:
    lifted = lifted_sides(session)
    return tuple(s for s in ("left", "right") if s not in lifted)


def _finite(values: list[np.ndarray]) -> np.ndarray:
    joined = np.concatenate([np.asarray(v, dtype=float) for v in values] or [np.array([])])
    return joined[np.isfinite(joined)]


def _limits(
    values: list[np.ndarray], cut: float, *, pad: float, floor: float
) -> tuple[float, float]:
    """y range: from below ``floor`` (or the data) to above the marked cut (or the data)."""
    finite = _finite(values)
    low = min(floor, float(finite.min()) - 1) if finite.size else floor
    high = max(cut + pad, float(finite.max()) + 1) if finite.size else cut + pad
    return low, high


def _rep_spans(ax, session: Session, *, label: bool) -> None:
    for i, rep in enumerate(session.reps):
        ax.axvspan(rep.start_s, rep.end_s, color="#e9edf3" if i % 2 else "#f0f3f7", zorder=0.3)
        if label:
            ax.annotate(
                f"{rep_noun(session.movement).capitalize()} {rep.index}",
                ((rep.start_s + rep.end_s) / 2, 1.0),
                xycoords=("data", "axes fraction"),
                ha="center",
                va="bottom",
                fontsize=8,
                color="#1f4e79",
            )


# Flag lanes: axes-fraction band at the bottom of each panel.
_LANES = {"collapse_left": (0, 0.0), "collapse_right": (0, 0.045), "pelvic_drop": (1, 0.0)}


def timeline_figure(session: Session) -> Figure:
    """FPPA per knee and pelvic drop over time, threshold bands shaded, reps and flags marked."""
    th = session.thresholds
    t = session.frames["time_s"].to_numpy(dtype=float)
    fig, axes = _new_figure(10, 5.2, 2)
    knee, pelvis = axes
    fppa = {side: _valid_fppa(session, side) for side in _measured_sides(session)}
    drop = session.frames["pelvic_drop_deg"].to_numpy(dtype=float)
    knee_lim = _limits(list(fppa.values()), th.fppa_marked_deg.value, pad=4, floor=-5)
    drop_lim = _limits([drop], th.pelvic_drop_marked_deg.value, pad=2, floor=0)
    _bands(knee, th.fppa_above_deg.value, th.fppa_marked_deg.value, knee_lim[1])
    _bands(pelvis, th.pelvic_drop_above_deg.value, th.pelvic_drop_marked_deg.value, drop_lim[1])
    _rep_spans(knee, session, label=True)
    _rep_spans(pelvis, session, label=False)
    for side, values in fppa.items():
        knee.plot(t, values, color=COLORS[side], lw=1.6, label=f"{side} knee", zorder=3)
    pelvis.plot(t, drop, color=COLORS["pelvis"], lw=1.6, label="pelvis", zorder=3)
    for e in session.flags.events:
        row, y = _LANES[e.kind]
        axes[row].axvspan(
            e.start_s,
            e.start_s + e.duration_s,
            ymin=y,
            ymax=y + 0.035,
            color=CUT_COLORS[min(e.grade, 2) - 1],
            zorder=4,
        )
    knee.set_ylim(*knee_lim)
    pelvis.set_ylim(*drop_lim)
    _style(knee, "knee FPPA (deg, + inward)")
    _style(pelvis, "pelvic tilt (deg)" if session.movement == "squat" else "pelvic drop (deg)")
    pelvis.set_xlabel("time (s)")
    pelvis.set_xlim(0, float(t[-1]) if t.size else 1.0)
    if fppa:
        knee.legend(loc="upper left", fontsize=8, frameon=False, ncols=2)
    return fig


def reps_figure(session: Session) -> Figure:
    """Per-rep peak FPPA of each measured knee and peak pelvic drop, against the cuts."""
    th = session.thresholds
    fig, (knee, pelvis) = _new_figure(7, 4.6, 2)
    index = np.array([r.index for r in session.reps], dtype=float)
    sides = _measured_sides(session)
    width = 0.7 / max(len(sides), 1)
    peaks = []
    for k, side in enumerate(sides):
        values = np.array([getattr(r, f"peak_fppa_{side}_deg") for r in session.reps], dtype=float)
        peaks.append(values)
        offset = (k - (len(sides) - 1) / 2) * width
        knee.bar(
            index + offset,
            np.nan_to_num(values),
            width * 0.9,
            color=COLORS[side],
            label=f"{side} knee",
            zorder=3,
        )
    drops = np.array([r.peak_pelvic_drop_deg for r in session.reps], dtype=float)
    pelvis.bar(index, np.nan_to_num(drops), 0.35, color=COLORS["pelvis"], zorder=3)
    knee_lim = _limits(peaks, th.fppa_marked_deg.value, pad=4, floor=0)
    drop_lim = _limits([drops], th.pelvic_drop_marked_deg.value, pad=2, floor=0)
    _bands(knee, th.fppa_above_deg.value, th.fppa_marked_deg.value, knee_lim[1])
    _bands(pelvis, th.pelvic_drop_above_deg.value, th.pelvic_drop_marked_deg.value, drop_lim[1])
    knee.set_ylim(*knee_lim)
    pelvis.set_ylim(*drop_lim)
    _style(knee, "peak FPPA (deg)")
    _style(pelvis, "peak pelvic drop (deg)")
    pelvis.set_xlabel(rep_noun(session.movement))
    pelvis.set_xticks(index, [str(int(i)) for i in index])
    pelvis.set_xlim(0.4, len(index) + 0.6)
    if sides:
        knee.legend(loc="upper left", fontsize=8, frameon=False, ncols=2)
    return fig


def write_plots(session: Session, folder: Path) -> list[Path]:
    """Write timeline.png (and reps.png when there are reps) into ``folder``."""
    written = []
    figures = [("timeline.png", timeline_figure(session))]
    if session.reps:
        figures.append(("reps.png", reps_figure(session)))
    for name, fig in figures:
        path = folder / name
        fig.savefig(path, dpi=DPI, facecolor="white")
        written.append(path)
    return written
