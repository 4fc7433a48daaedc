"""Tables and plots of the accuracy benchmark (``benchmarks/accuracy.py``).

Why apart from the scoring: the same result dict is printed, written to
``docs/validation.md`` and plotted; the calibration study prints its own
before/after tables with ``agreement_row``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

YAW_BINS = ((0.0, 5.0), (5.0, 10.0), (10.0, 15.0), (15.0, 20.01))
LABELS = {
    "fppa_bottom": "FPPA at rep bottom (deg)",
    "fppa_bottom_model": "FPPA at rep bottom, MediaPipe before calibration (deg)",
    "fppa_bottom_frontal": "FPPA at rep bottom vs a frontal camera (deg)",
    "pelvic_drop": "pelvic drop, hold peak / SL-squat bottom (deg)",
    "fppa_frames": "FPPA, every valid frame (deg)",
    "pelvic_frames": "pelvic drop, every single-leg frame (deg)",
}
HEADLINE = (
    ("FPPA at rep bottom", "fppa_bottom"),
    ("FPPA per frame", "fppa_frames"),
    ("pelvic drop at peak", "pelvic_drop"),
    ("pelvic drop per frame", "pelvic_frames"),
)
# The per-group tables: which metrics, split by which clip label.
GROUPED = ("fppa_bottom", "pelvic_drop")
GROUPS = ("body", "view", "movement", "room", "trunk")


def agreement_row(label: str, a: dict) -> str:
    """One markdown row: n (missed), MAE, bias, limits of agreement, slope, r."""
    if "mae" not in a:
        return f"| {label} | {a['n']} ({a['missed']}) | - | - | - | - | - |"
    lo, hi = a["loa"]
    return (
        f"| {label} | {a['n']} ({a['missed']}) | {a['mae']:.2f} | {a['bias']:+.2f} | "
        f"{lo:+.2f} to {hi:+.2f} | {a['slope']:.2f} | {a['r']:.3f} |"
    )


AGREEMENT_HEAD = [
    "| metric | n (missed) | MAE | bias | 95% limits of agreement | read/true slope | r |",
    "|---|---|---|---|---|---|---|",
]


def yaw_rows(seen: dict, frontal: dict, views: list[tuple[float, float, str]]) -> list[dict]:
    """Per bin of true camera yaw: FPPA error against the picture and against a frontal view.

    ``seen`` and ``frontal`` hold ``measured``, ``true`` and ``clips`` lists;
    ``views`` per clip (true yaw, the pipeline's yaw estimate, its view class).
    """
    rows = []
    for lo, hi in YAW_BINS:
        clips = [i for i, (yaw, _, _) in enumerate(views) if lo <= abs(yaw) < hi]
        row = {"bin": f"{lo:g}-{min(hi, 20):g}", "clips": len(clips)}
        row["warned"] = sum(views[i][2] != "front" for i in clips)
        row["estimate"] = [round(views[i][1], 1) for i in clips]
        for name, p in (("mae_seen", seen), ("mae_frontal", frontal)):
            d = [
                m - t
                for m, t, c in zip(p["measured"], p["true"], p["clips"], strict=True)
                if c in clips
            ]
            d = np.asarray(d, float)
            row[name] = float(np.nanmean(np.abs(d))) if np.isfinite(d).any() else float("nan")
        rows.append(row)
    return rows


def group_table(result: dict, metric: str) -> str:
    """MAE, bias and slope of ``metric`` split by each clip label (body, view, ...)."""
    lines = [
        f"| {LABELS[metric]} by | group | n | MAE | bias | read/true slope |",
        "|---|---|---|---|---|---|",
    ]
    for group in GROUPS:
        for value, a in result["groups"][metric].get(group, {}).items():
            if "mae" not in a:
                continue
            lines.append(
                f"| {group} | {value} | {a['n']} | {a['mae']:.2f} | {a['bias']:+.2f} | "
                f"{a['slope']:.2f} |"
            )
    return "\n".join(lines)


def table(result: dict) -> str:
    """Markdown tables of the agreement, the flags, the groups and the yaw bins."""
    lines = list(AGREEMENT_HEAD)
    lines += [agreement_row(label, result["metrics"][name]) for name, label in LABELS.items()]
    lines += ["", "| flags | true intervals | flagged | precision | recall | F1 |"]
    lines.append("|---|---|---|---|---|---|")
    for kind, f in result["flags"].items():
        lines.append(
            f"| {kind} | {f['true']} | {f['measured']} | {f['precision']:.2f} | "
            f"{f['recall']:.2f} | {f['f1']:.2f} |"
        )
    lines.append("")
    lines.append(
        f"Movement detected correctly in {result['movement_correct']} of {result['clips']} clips."
    )
    if result.get("groups"):
        for metric in GROUPED:
            lines += ["", group_table(result, metric)]
    lines += [
        "",
        "| true camera yaw (deg) | clips | warned (not 'front') | FPPA-at-bottom MAE vs "
        "the picture | vs a frontal camera | the pipeline's yaw estimates (deg) |",
        "|---|---|---|---|---|---|",
    ]
    for row in result["yaw"]:
        lines.append(
            f"| {row['bin']} | {row['clips']} | {row['warned']} | {row['mae_seen']:.1f} | "
            f"{row['mae_frontal']:.1f} | {', '.join(str(v) for v in row['estimate'])} |"
        )
    return "\n".join(lines)


def bland_altman(result: dict, path: Path) -> None:
    """Two small Bland-Altman panels: FPPA at rep bottom and pelvic drop."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(7.0, 2.8), dpi=90)
    for ax, name in zip(axes, ("fppa_bottom", "pelvic_drop"), strict=True):
        p = result["pairs"][name]
        m, t = np.asarray(p["measured"]), np.asarray(p["true"])
        ok = np.isfinite(m) & np.isfinite(t)
        a = result["metrics"][name]
        ax.scatter((m[ok] + t[ok]) / 2, m[ok] - t[ok], s=12, alpha=0.7)
        if "bias" in a:
            ax.axhline(a["bias"], color="k", lw=1)
            for limit in a["loa"]:
                ax.axhline(limit, color="k", lw=0.8, ls="--")
        ax.set_title(LABELS[name].split(",")[0].split(" (")[0], fontsize=9)
        ax.set_xlabel("mean of measured and true (deg)", fontsize=8)
        ax.set_ylabel("measured - true (deg)", fontsize=8)
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def model_label(model: str) -> str:
    """A model's name for the table: "full", or a bundle file's name."""
    return model if model in ("lite", "full", "heavy") else Path(model).name


def model_table(results: dict[str, dict]) -> str:
    """One row per model: the headline MAEs (bias) and flag F1s, to choose a model by."""
    head = " | ".join(f"{label} MAE (bias)" for label, _ in HEADLINE)
    lines = [
        f"| model | {head} | collapse F1 | pelvic F1 | all F1 "
        "| warned 'not front' at 0-10 deg yaw |",
        "|---" * (len(HEADLINE) + 5) + "|",
    ]
    for name, result in results.items():
        cells = []
        for _, key in HEADLINE:
            a = result["metrics"][key]
            cells.append(f"{a['mae']:.2f} ({a['bias']:+.2f})" if "mae" in a else "-")
        f1 = [f"{result['flags'][k]['f1']:.2f}" for k in ("collapse", "pelvic", "all")]
        low_yaw = [row for (_, hi), row in zip(YAW_BINS, result["yaw"], strict=True) if hi <= 10]
        warned = f"{sum(r['warned'] for r in low_yaw)} of {sum(r['clips'] for r in low_yaw)}"
        lines.append(f"| {name} | {' | '.join(cells)} | {' | '.join(f1)} | {warned} |")
    return "\n".join(lines)
