"""How right are the angles? The real pipeline against rendered clips with known truth.

A fixed, seeded set of clips is rendered with ``valgus.synth.render`` (a figure posed
in 3D and projected through a perspective camera): squats, single-leg squats
and single-leg stance holds, with true bottom FPPA from -5 to 24 deg as seen
from straight in front, knee flexion 45-95 deg and pelvic drop 0-10 deg, seen
from camera heights of 0.5-1.4 m, distances of 2.4-5 m and 0-20 deg off
frontal, by people of different size, build, skin tone and clothing, in
different rooms and light. The truth is the projection of the same 3D joint
centres that are drawn, through the clip's own camera (what the picture
shows); the FPPA a frontal camera would see is reported beside it, to show
what camera yaw adds.

Per metric it prints and writes to ``docs/validation.md``: n, MAE, bias
(measured - true), 95% limits of agreement (bias +/- 1.96 SD; Bland & Altman
1986), and for the flags precision / recall / F1 of the flagged intervals
against the intervals where the true value crosses the same thresholds (an
interval counts as found when it overlaps one of the other kind).

    python benchmarks/accuracy.py [--clips N] [--no-doc] [--mirror-average]

``--mirror-average`` runs the mirror-averaged landmarkers (``valgus analyze
--mirror-average``) and writes its own table.

Pose tracks are cached (``--cache``): re-running after a change to kinematics
or events never reruns the model.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from valgus.analysis.flags import grade_series, intervals  # noqa: E402
from valgus.errors import ValgusError  # noqa: E402
from valgus.pipeline import analyze_track, estimate_pose  # noqa: E402
from valgus.pose.model_files import resolve_model  # noqa: E402
from valgus.pose.track import PoseTrack  # noqa: E402
from valgus.session import Session  # noqa: E402
from valgus.synth.render import Scene, SynthSpec, render  # noqa: E402
from valgus.thresholds import Thresholds  # noqa: E402

DEFAULT_CACHE = Path(tempfile.gettempdir()) / "valgus-bench" / "accuracy"
DOC = REPO / "docs" / "validation.md"
PLOT = REPO / "docs" / "validation_bland_altman.png"
MOVES = ("squat", "single-leg-squat", "single-leg-stance")
MATCH_S = 0.5  # a measured rep is a true rep when their bottoms are this close
RENDER_VERSION = 3  # bump when the renderer draws the same spec differently
GOALS = {"fppa_bottom": 2.5, "pelvic_drop": 1.0, "flags_f1": 0.9}


def scene_for(rng: np.random.Generator, index: int) -> Scene:
    """One varied scene: camera, body, clothes, room and light."""
    height = float(rng.uniform(0.5, 1.4))
    return Scene(
        camera_height_m=height,
        camera_distance_m=float(rng.uniform(2.4, 5.0)),
        camera_yaw_deg=float(rng.choice([-1, 1]) * rng.uniform(0.0, 20.0)),
        camera_pitch_deg=float(rng.uniform(0.0, 12.0)) if height > 1.0 else 0.0,
        body_height_m=float(rng.uniform(1.5, 1.95)),
        leg_scale=float(rng.uniform(0.92, 1.08)),
        hip_scale=float(rng.uniform(0.85, 1.2)),
        shoulder_scale=float(rng.uniform(0.85, 1.15)),
        girth=float(rng.uniform(0.8, 1.35)),
        legwear=str(rng.choice(["shorts", "leggings"])),
        backdrop=str(rng.choice(["plain", "panels", "door", "gym"])),
        light_azimuth_deg=float(rng.uniform(-90.0, 90.0)),
        exposure=float(rng.uniform(0.7, 1.2)),
        light_falloff=float(rng.uniform(-0.3, 0.3)),
        palette_seed=index,
    )


def _joint_angles(rng: np.random.Generator, *, both: bool) -> dict:
    """Bottom joint angles in realistic ranges, per side for squats (mixed collapse mechanisms)."""
    # Knees that would pass through each other (FPPA beyond ~30 deg) are left out.
    ranges = {"hip_adduction_deg": 10, "hip_internal_rotation_deg": 12, "knee_abduction_deg": 5}
    if both:
        return {k: tuple(float(v) for v in rng.uniform(0, hi, 2)) for k, hi in ranges.items()}
    return {k: float(rng.uniform(0, hi)) for k, hi in ranges.items()}


def benchmark_specs(n: int = 24, *, size: tuple[int, int] = (360, 480), seed: int = 2024):
    """The fixed benchmark set: ``n`` specs, the movements in turn, seeded per clip.

    Every other squat and single-leg squat (a third of the set) collapses by joint
    angles (hip adduction, hip internal rotation, knee abduction) instead of a set FPPA.
    """
    specs = []
    for i in range(n):
        rng = np.random.default_rng([seed, i])
        movement = MOVES[i % 3]
        scene = scene_for(rng, i)
        common = {"width": size[0], "height": size[1], "seed": i, "scene": scene, "reps": 2}
        # Drawn after the clip's other values, so those stay as they were before joints.
        by_joints = (i // 3) % 2 == 1
        if movement == "squat":
            collapse = (float(rng.uniform(-5, 24)), float(rng.uniform(-5, 24)))
            flex = float(rng.uniform(50, 95))
            if by_joints:
                common.update(_joint_angles(rng, both=True))
                collapse = 0.0
            spec = SynthSpec(movement, knee_collapse_deg=collapse, knee_flexion_deg=flex, **common)
        elif movement == "single-leg-squat":
            collapse = float(rng.uniform(-3, 24))
            drop, flex = float(rng.uniform(0, 10)), float(rng.uniform(45, 65))
            stance = str(rng.choice(["left", "right"]))
            if by_joints:
                common.update(_joint_angles(rng, both=False))
                collapse = 0.0
            spec = SynthSpec(
                movement,
                knee_collapse_deg=collapse,
                pelvic_drop_deg=drop,
                knee_flexion_deg=flex,
                stance_side=stance,
                pause_s=0.8,
                **common,
            )
        else:
            spec = SynthSpec(
                movement,
                pelvic_drop_deg=float(rng.uniform(0, 10)),
                stance_side=str(rng.choice(["left", "right"])),
                hold_s=2.0,
                **{**common, "reps": 1},
            )
        specs.append(spec)
    return specs


def clip_key(spec: SynthSpec) -> str:
    """Cache key: the spec's full text (any change renders again)."""
    return hashlib.sha1(f"{RENDER_VERSION}{spec!r}".encode()).hexdigest()[:16]


def track_and_truth(
    spec: SynthSpec, cache: Path, *, mirror_average: bool = False, model: str = "full"
) -> tuple[PoseTrack, dict]:
    """Render ``spec`` and run the pose model once; later calls read the cache."""
    key = clip_key(spec) + ("-mirror-averaged" if mirror_average else "")
    if model != "full":
        key += "-" + hashlib.sha1(resolve_model(model).path.read_bytes()).hexdigest()[:12]
    track_path, truth_path = cache / f"{key}.npz", cache / f"{key}.truth.json"
    if track_path.exists() and truth_path.exists():
        return PoseTrack.load(track_path), json.loads(truth_path.read_text())
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        clip = render(spec, Path(tmp) / f"{key}.mp4")
        track = estimate_pose(clip, model=model, mirror_average=mirror_average)
        truth_text = clip.with_suffix(".truth.json").read_text()
    track.save(track_path)
    truth_path.write_text(truth_text)
    return track, json.loads(truth_text)


@dataclass
class Pairs:
    """Measured and true values of one metric, with where each pair came from."""

    measured: list
    true: list
    clips: list

    def add(self, measured: float, true: float, clip: int) -> None:
        self.measured.append(float(measured))
        self.true.append(float(true))
        self.clips.append(clip)


def _match(session: Session, rep: dict):
    """The measured rep of a true one: nearest bottom, or for a hold the one spanning it."""
    if "hold_start_s" in rep:
        middle = (rep["hold_start_s"] + rep["hold_end_s"]) / 2
        holds = [r for r in session.reps if r.start_s <= middle <= r.end_s]
        return holds[0] if holds else None
    bottom_s = rep["bottom_s"]
    reps = [r for r in session.reps if abs(r.bottom_s - bottom_s) <= MATCH_S]
    return min(reps, key=lambda r: abs(r.bottom_s - bottom_s)) if reps else None


def _judged_sides(truth: dict) -> tuple[str, ...]:
    return (truth["stance_side"],) if truth["stance_side"] else ("left", "right")


def collect_values(session: Session, truth: dict, clip: int, out: dict[str, Pairs]) -> None:
    """Add one clip's rep-level and frame-level pairs to ``out`` (NaN = not measured)."""
    movement = truth["movement"]
    for rep in truth["reps"]:
        found = _match(session, rep)
        for side in _judged_sides(truth) if movement != "single-leg-stance" else ():
            value = getattr(found, f"fppa_bottom_{side}_deg") if found else np.nan
            out["fppa_bottom"].add(value, rep[f"fppa_{side}_deg"], clip)
            frontal = truth["frames"].get(f"fppa_frontal_{side}_deg")
            if frontal is not None:
                out["fppa_bottom_frontal"].add(value, frontal[rep["bottom_frame"]], clip)
        if truth["stance_side"]:
            if movement == "single-leg-stance":
                value = found.peak_pelvic_drop_deg if found else np.nan
            else:
                value = found.pelvic_drop_bottom_deg if found else np.nan
            out["pelvic_drop"].add(value, rep["pelvic_drop_deg"], clip)
    frames = session.frames
    true_frames = truth["frames"]
    if movement != "single-leg-stance":
        for side in _judged_sides(truth):
            valid = frames[f"fppa_valid_{side}"].to_numpy(dtype=bool)
            measured = frames[f"fppa_{side}_deg"].to_numpy(dtype=float)[valid]
            for m, t in zip(
                measured, np.asarray(true_frames[f"fppa_{side}_deg"])[valid], strict=True
            ):
                out["fppa_frames"].add(m, t, clip)
    if truth["stance_side"]:
        inside = np.zeros(len(frames), dtype=bool)
        for rep in truth["reps"]:
            inside[rep["start_frame"] : rep["end_frame"] + 1] = True
        measured = frames["pelvic_drop_deg"].to_numpy(dtype=float)[inside]
        for m, t in zip(measured, np.asarray(true_frames["pelvic_drop_deg"])[inside], strict=True):
            out["pelvic_frames"].add(m, t, clip)


def _true_intervals(values: np.ndarray, times: np.ndarray, cuts: tuple, th: Thresholds):
    above, marked, hysteresis = cuts
    grade = grade_series(
        values,
        times,
        above,
        marked,
        hysteresis_deg=hysteresis,
        min_duration_s=th.min_flag_duration_s.value,
    )
    return [(iv.start_frame, iv.end_frame) for iv in intervals(grade > 0, times)]


def flag_counts(session: Session, truth: dict) -> dict[str, np.ndarray]:
    """Per flag kind, [true positives (measured), measured, true found, true] interval counts."""
    th = session.thresholds
    times = np.asarray(truth["frames"]["time_s"])
    fppa_cuts = (th.fppa_above_deg.value, th.fppa_marked_deg.value, th.fppa_hysteresis_deg.value)
    pelvic_cuts = (
        th.pelvic_drop_above_deg.value,
        th.pelvic_drop_marked_deg.value,
        th.pelvic_drop_hysteresis_deg.value,
    )
    kinds = {}
    if truth["movement"] != "single-leg-stance":
        for side in _judged_sides(truth):
            kinds[f"collapse_{side}"] = (truth["frames"][f"fppa_{side}_deg"], fppa_cuts)
    if truth["stance_side"]:
        kinds["pelvic_drop"] = (truth["frames"]["pelvic_drop_deg"], pelvic_cuts)
    counts: dict[str, np.ndarray] = {}
    for kind, (values, cuts) in kinds.items():
        true = _true_intervals(np.asarray(values, float), times, cuts, th)
        found = [(e.start_frame, e.end_frame) for e in session.flags.of_kind(kind)]
        row = np.array(
            [
                sum(_overlaps(f, true) for f in found),
                len(found),
                sum(_overlaps(t, found) for t in true),
                len(true),
            ]
        )
        key = "pelvic" if kind == "pelvic_drop" else "collapse"
        counts[key] = counts.get(key, np.zeros(4, int)) + row
    return counts


def _overlaps(span: tuple[int, int], pool: list[tuple[int, int]]) -> bool:
    return any(span[0] <= b and a <= span[1] for a, b in pool)


def agreement(pairs: Pairs) -> dict:
    """n, missed, MAE, bias and 95% limits of agreement of measured - true."""
    m, t = np.asarray(pairs.measured), np.asarray(pairs.true)
    ok = np.isfinite(m) & np.isfinite(t)
    d = m[ok] - t[ok]
    if d.size < 2:
        return {"n": int(d.size), "missed": int((~ok).sum())}
    bias, sd = float(d.mean()), float(d.std(ddof=1))
    return {
        "n": int(d.size),
        "missed": int((~ok).sum()),
        "mae": float(np.abs(d).mean()),
        "bias": bias,
        "loa": (bias - 1.96 * sd, bias + 1.96 * sd),
        "r": float(np.corrcoef(m[ok], t[ok])[0, 1]) if np.ptp(t[ok]) > 0 else float("nan"),
    }


def prf(counts: np.ndarray) -> dict:
    """Precision, recall and F1 from [tp measured, measured, found true, true]."""
    tp_m, n_m, tp_t, n_t = (int(v) for v in counts)
    precision = tp_m / n_m if n_m else float("nan")
    recall = tp_t / n_t if n_t else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "measured": n_m, "true": n_t}


def run_benchmark(
    specs: list[SynthSpec], cache: Path, *, mirror_average: bool = False, model: str = "full"
) -> dict:
    """Render (or read), analyse and score every spec; the raw pairs and the summary."""
    names = ("fppa_bottom", "pelvic_drop", "fppa_frames", "pelvic_frames", "fppa_bottom_frontal")
    pairs = {name: Pairs([], [], []) for name in names}
    flag_totals = {"collapse": np.zeros(4, int), "pelvic": np.zeros(4, int)}
    detected, views = [], []
    for i, spec in enumerate(specs):
        track, truth = track_and_truth(spec, cache, mirror_average=mirror_average, model=model)
        session = analyze_track(track)
        detected.append(session.movement == truth["movement"])
        view = session.quality.view
        views.append((spec.scene.camera_yaw_deg, view.yaw_deg, view.view))
        collect_values(session, truth, i, pairs)
        for kind, counts in flag_counts(session, truth).items():
            flag_totals[kind] += counts
    flags = {kind: prf(c) for kind, c in flag_totals.items()}
    flags["all"] = prf(sum(flag_totals.values()))
    return {
        "clips": len(specs),
        "movement_correct": int(sum(detected)),
        "metrics": {name: agreement(p) for name, p in pairs.items()},
        "flags": flags,
        "yaw": yaw_table(pairs["fppa_bottom"], pairs["fppa_bottom_frontal"], views),
        "pairs": {n: {"measured": p.measured, "true": p.true} for n, p in pairs.items()},
    }


YAW_BINS = ((0.0, 5.0), (5.0, 10.0), (10.0, 15.0), (15.0, 20.01))


def yaw_table(seen: Pairs, frontal: Pairs, views: list[tuple[float, float, str]]) -> list[dict]:
    """Per bin of true camera yaw: FPPA error against the picture and against a frontal view.

    ``views`` holds per clip (true yaw, the pipeline's yaw estimate, its view class).
    """
    rows = []
    for lo, hi in YAW_BINS:
        clips = [i for i, (yaw, _, _) in enumerate(views) if lo <= abs(yaw) < hi]
        row = {"bin": f"{lo:g}-{min(hi, 20):g}", "clips": len(clips)}
        row["warned"] = sum(views[i][2] != "front" for i in clips)
        row["estimate"] = [round(views[i][1], 1) for i in clips]
        for name, p in (("mae_seen", seen), ("mae_frontal", frontal)):
            d = [m - t for m, t, c in zip(p.measured, p.true, p.clips, strict=True) if c in clips]
            d = np.asarray(d, float)
            row[name] = float(np.nanmean(np.abs(d))) if np.isfinite(d).any() else float("nan")
        rows.append(row)
    return rows


LABELS = {
    "fppa_bottom": "FPPA at rep bottom (deg)",
    "fppa_bottom_frontal": "FPPA at rep bottom vs a frontal camera (deg)",
    "pelvic_drop": "pelvic drop, hold peak / SL-squat bottom (deg)",
    "fppa_frames": "FPPA, every valid frame (deg)",
    "pelvic_frames": "pelvic drop, every single-leg frame (deg)",
}


def table(result: dict) -> str:
    """Markdown tables of the agreement and the flags."""
    lines = [
        "| metric | n (missed) | MAE | bias | 95% limits of agreement | r |",
        "|---|---|---|---|---|---|",
    ]
    for name, label in LABELS.items():
        a = result["metrics"][name]
        if "mae" not in a:
            lines.append(f"| {label} | {a['n']} ({a['missed']}) | - | - | - | - |")
            continue
        lo, hi = a["loa"]
        lines.append(
            f"| {label} | {a['n']} ({a['missed']}) | {a['mae']:.2f} | {a['bias']:+.2f} | "
            f"{lo:+.2f} to {hi:+.2f} | {a['r']:.3f} |"
        )
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


HEADLINE = (
    ("FPPA at rep bottom", "fppa_bottom"),
    ("FPPA per frame", "fppa_frames"),
    ("pelvic drop at peak", "pelvic_drop"),
    ("pelvic drop per frame", "pelvic_frames"),
)


def _model_label(model: str) -> str:
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clips", type=int, default=24, help="how many clips of the set")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--json", type=Path, help="write the full result here too")
    parser.add_argument("--no-doc", action="store_true", help="do not touch docs/")
    parser.add_argument(
        "--mirror-average", action="store_true", help="mirror-averaged landmarkers (own table)"
    )
    parser.add_argument(
        "--model", default="full", help="lite | full | heavy | a .task path (default: full)"
    )
    parser.add_argument(
        "--compare-models",
        nargs="+",
        metavar="MODEL",
        help="headline table of these models instead (lite | full | heavy | .task paths)",
    )
    args = parser.parse_args(argv)
    try:  # a wrong model is one line here, not a traceback after the first render
        for model in args.compare_models or [args.model]:
            resolve_model(model)
    except ValgusError as exc:
        parser.exit(2, f"accuracy.py: error: {exc}\n")
    start = time.perf_counter()
    if args.compare_models:
        specs = benchmark_specs(args.clips)
        results = {m: run_benchmark(specs, args.cache, model=m) for m in args.compare_models}
        text = model_table({_model_label(m): r for m, r in results.items()})
        sys.stdout.write(text + f"\n({time.perf_counter() - start:.0f} s)\n")
        if not args.no_doc:
            from benchmarks.metamorphic import write_section

            write_section(DOC, "accuracy-models", text)
        return 0
    result = run_benchmark(
        benchmark_specs(args.clips),
        args.cache,
        mirror_average=args.mirror_average,
        model=args.model,
    )
    text = table(result)
    sys.stdout.write(text + f"\n({time.perf_counter() - start:.0f} s)\n")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, default=float))
    if not args.no_doc:
        from benchmarks.metamorphic import write_section

        if args.mirror_average:
            write_section(DOC, "accuracy-mirror-averaged", text)
        else:
            bland_altman(result, PLOT)
            write_section(DOC, "accuracy", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
