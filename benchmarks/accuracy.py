"""How right are the angles? The real pipeline against rendered clips with known truth.

A fixed, seeded set of clips (``benchmarks/accuracy_set.py``) is rendered with
the realistic MakeHuman body (``valgus.synth.human``): every body shape doing a
bilateral squat, a single-leg squat and a single-leg stance hold, seen from
0-20 deg off frontal, in four rooms, the trunk upright, half or fully tilted
over a dropped pelvis. The truth is the projection of the rendered rig's joint
centres through the clip's own camera (what the picture shows); the FPPA a
frontal camera would see is reported beside it, to show what camera yaw adds.

Per metric it prints and writes to ``docs/validation.md``: n, MAE, bias
(measured - true), 95% limits of agreement (bias +/- 1.96 SD; Bland & Altman
1986), the read/true slope (least squares of measured on true) and r, the same
split by body, view, movement, room and trunk mode, and for the flags
precision / recall / F1 of the flagged intervals against the intervals where
the true value crosses the same thresholds (an interval counts as found when
it overlaps one of the other kind).

    python benchmarks/accuracy.py [--clips N] [--jobs J] [--cache DIR] [--no-doc]
                                  [--figure drawn] [--mirror-average] [--compare-models ...]
    python benchmarks/accuracy.py --reference OUT   # coaches' corrections instead (real clips)

How long (measured): the 48-clip set is 11,568 frames at 360x640; rendering and
the model take ~35 s of CPU per clip, 42 min in all with ``--jobs 2`` on a
shared two-core machine (load ~15; ~30 min of CPU on one free core). The
renders and pose tracks are cached (``--cache``, default under the temp folder;
never committed), so re-analysing after a change to the analysis takes 6-16 s.
The run prints its own time. ``--figure drawn`` scores the older drawn-figure
set (24 clips, a few minutes).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.accuracy_report import (  # noqa: E402
    bland_altman,
    model_label,
    model_table,
    table,
    yaw_rows,
)
from benchmarks.accuracy_set import (  # noqa: E402
    DEFAULT_CACHE,
    clip_key,
    drawn_specs,
    fill_cache,
    held_out_specs,
    human_specs,
    track_and_truth,
)
from benchmarks.reference_agreement import print_agreement  # noqa: E402
from valgus.analysis.flags import grade_series, intervals  # noqa: E402
from valgus.errors import ValgusError  # noqa: E402
from valgus.pipeline import analyze_track  # noqa: E402
from valgus.pose.keyframe_legs import keyframe_reader  # noqa: E402
from valgus.pose.model_files import resolve_model  # noqa: E402
from valgus.session import Session  # noqa: E402
from valgus.synth.human.scene import HumanScene  # noqa: E402
from valgus.synth.render import SynthSpec  # noqa: E402
from valgus.thresholds import Thresholds  # noqa: E402

DOC = REPO / "docs" / "validation.md"
PLOT = REPO / "docs" / "validation_bland_altman.png"

MATCH_S = 0.5  # a measured rep is a true rep when their bottoms are this close
GOALS = {"fppa_bottom": 2.5, "pelvic_drop": 1.0, "flags_f1": 0.9}


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


# What collect_values fills: rep-level and frame-level read / true pairs.
PAIR_NAMES = (
    "fppa_bottom",
    "fppa_bottom_model",
    "pelvic_drop",
    "fppa_frames",
    "pelvic_frames",
    "fppa_bottom_frontal",
)


def empty_pairs() -> dict[str, Pairs]:
    """One empty Pairs per name of PAIR_NAMES, for collect_values to fill."""
    return {name: Pairs([], [], []) for name in PAIR_NAMES}


def collect_values(session: Session, truth: dict, clip: int, out: dict[str, Pairs]) -> None:
    """Add one clip's rep-level and frame-level pairs to ``out`` (NaN = not measured)."""
    movement = truth["movement"]
    for rep in truth["reps"]:
        found = _match(session, rep)
        for side in _judged_sides(truth) if movement != "single-leg-stance" else ():
            value = getattr(found, f"fppa_bottom_{side}_deg") if found else np.nan
            out["fppa_bottom"].add(value, rep[f"fppa_{side}_deg"], clip)
            model = (
                session.frames.at[found.bottom_frame, f"fppa_model_{side}_deg"]
                if found and np.isfinite(value)
                else np.nan
            )  # MediaPipe's own angle, before valgus.analysis.calibration
            out["fppa_bottom_model"].add(model, rep[f"fppa_{side}_deg"], clip)
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
    """n, missed, MAE, bias, 95% limits of agreement, read/true slope and r.

    The slope is the least-squares line of measured on true: 1 reads changes
    at their size, 0.5 reads half of every change.
    """
    m, t = np.asarray(pairs.measured), np.asarray(pairs.true)
    ok = np.isfinite(m) & np.isfinite(t)
    d = m[ok] - t[ok]
    if d.size < 2:
        return {"n": int(d.size), "missed": int((~ok).sum())}
    bias, sd = float(d.mean()), float(d.std(ddof=1))
    spread = np.ptp(t[ok]) > 0
    return {
        "n": int(d.size),
        "missed": int((~ok).sum()),
        "mae": float(np.abs(d).mean()),
        "bias": bias,
        "loa": (bias - 1.96 * sd, bias + 1.96 * sd),
        "slope": float(np.polyfit(t[ok], m[ok], 1)[0]) if spread else float("nan"),
        "r": float(np.corrcoef(m[ok], t[ok])[0, 1]) if spread else float("nan"),
    }


def prf(counts: np.ndarray) -> dict:
    """Precision, recall and F1 from [tp measured, measured, found true, true]."""
    tp_m, n_m, tp_t, n_t = (int(v) for v in counts)
    precision = tp_m / n_m if n_m else float("nan")
    recall = tp_t / n_t if n_t else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "measured": n_m, "true": n_t}


def clip_labels(spec: SynthSpec) -> dict[str, str]:
    """What a clip is, for the per-group tables: body, view (yaw bin), movement, room, trunk."""
    yaw = abs(spec.scene.camera_yaw_deg)
    labels = {"movement": spec.movement, "view": f"yaw {5 * int(min(yaw, 19.99) // 5)}+"}
    if isinstance(spec.scene, HumanScene):
        labels["body"] = str(spec.scene.shape)
        labels["room"] = spec.scene.room
    if spec.single_leg:
        labels["trunk"] = {0.0: "upright", 0.5: "half", 1.0: "full"}.get(spec.trunk_follow, "-")
    return labels


def _groups(pairs: Pairs, labels: list[dict[str, str]]) -> dict[str, dict[str, dict]]:
    """``agreement`` of the pairs of each group of clips, per label kind."""
    out: dict[str, dict[str, dict]] = {}
    for kind in sorted({k for clip in labels for k in clip}):
        values = sorted({clip[kind] for clip in labels if kind in clip})
        for value in values:
            keep = [labels[c].get(kind) == value for c in pairs.clips]
            subset = Pairs(
                [m for m, k in zip(pairs.measured, keep, strict=True) if k],
                [t for t, k in zip(pairs.true, keep, strict=True) if k],
                [c for c, k in zip(pairs.clips, keep, strict=True) if k],
            )
            if subset.clips:
                out.setdefault(kind, {})[value] = agreement(subset)
    return out


def run_benchmark(
    specs: list[SynthSpec],
    cache: Path,
    *,
    mirror_average: bool = False,
    model: str = "full",
    jobs: int = 1,
    refine: bool = False,
) -> dict:
    """Render (or read), analyse and score every spec; the raw pairs and the summary.

    ``refine`` lets the second model re-read the reps' FPPA frames, as ``valgus analyze`` does.
    """
    start = time.perf_counter()
    fill_cache(specs, cache, jobs=jobs, mirror_average=mirror_average, model=model)
    filled = time.perf_counter()
    pairs = empty_pairs()
    flag_totals = {"collapse": np.zeros(4, int), "pelvic": np.zeros(4, int)}
    detected, views = [], []
    for i, spec in enumerate(specs):
        track, truth = track_and_truth(spec, cache, mirror_average=mirror_average, model=model)
        video = cache / f"{clip_key(spec)}.mp4"
        session = analyze_track(track, refine=keyframe_reader(video, track) if refine else None)
        detected.append(session.movement == truth["movement"])
        view = session.quality.view
        views.append((spec.scene.camera_yaw_deg, view.yaw_deg, view.view))
        collect_values(session, truth, i, pairs)
        for kind, counts in flag_counts(session, truth).items():
            flag_totals[kind] += counts
    flags = {kind: prf(c) for kind, c in flag_totals.items()}
    flags["all"] = prf(sum(flag_totals.values()))
    labels = [clip_labels(spec) for spec in specs]
    raw = {n: {"measured": p.measured, "true": p.true, "clips": p.clips} for n, p in pairs.items()}
    return {
        "clips": len(specs),
        "movement_correct": int(sum(detected)),
        "metrics": {name: agreement(p) for name, p in pairs.items()},
        "groups": {name: _groups(pairs[name], labels) for name in ("fppa_bottom", "pelvic_drop")},
        "flags": flags,
        "yaw": yaw_rows(raw["fppa_bottom"], raw["fppa_bottom_frontal"], views),
        "pairs": raw,
        "seconds": {"render_and_track": filled - start, "analyse": time.perf_counter() - filled},
    }


def _specs(figure: str, clips: int | None) -> list[SynthSpec]:
    if figure == "drawn":
        return drawn_specs(clips or 24)
    if figure == "held-out":
        return held_out_specs(clips or 16)
    return human_specs(clips or 48)


def _write(marker: str, text: str) -> None:
    from benchmarks.metamorphic import write_section

    write_section(DOC, marker, text)


def _timing(result: dict) -> str:
    s = result["seconds"]
    return (
        f"({result['clips']} clips: rendering and the pose model {s['render_and_track']:.0f} s "
        f"(0 when cached), analysis {s['analyse']:.0f} s)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--figure",
        choices=("human", "held-out", "drawn"),
        default="human",
        help="the realistic body's set, its held-out set (not used to fit the FPPA "
        "calibration; deeper knees), or the older drawn figure",
    )
    parser.add_argument("--clips", type=int, help="how many clips of the set (48 / drawn 24)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--jobs", type=int, default=1, help="clips rendered at once")
    parser.add_argument("--json", type=Path, help="write the full result here too")
    parser.add_argument("--no-doc", action="store_true", help="do not touch docs/")
    parser.add_argument(
        "--mirror-average", action="store_true", help="mirror-averaged landmarkers (own table)"
    )
    parser.add_argument(
        "--model", default="full", help="lite | full | heavy | a .task path (default: full)"
    )
    parser.add_argument(
        "--refine",
        action="store_true",
        help="FPPA readings from the second model at the reading frames (as valgus analyze)",
    )
    parser.add_argument(
        "--compare-models",
        nargs="+",
        metavar="MODEL",
        help="headline table of these models instead (lite | full | heavy | .task paths)",
    )
    parser.add_argument(
        "--reference", type=Path, metavar="DIR", help="agreement with a valgus reference export"
    )
    args = parser.parse_args(argv)
    if args.reference:  # benchmarks/reference_agreement.py: the coaches' points are the truth
        return print_agreement(args.reference)
    try:  # a wrong model is one line here, not a traceback after the first render
        for model in args.compare_models or [args.model]:
            resolve_model(model)
    except ValgusError as exc:
        parser.exit(2, f"accuracy.py: error: {exc}\n")
    specs = _specs(args.figure, args.clips)
    suffix = {"drawn": "-drawn", "held-out": "-held-out"}.get(args.figure, "")
    if args.compare_models:
        results = {
            m: run_benchmark(specs, args.cache, model=m, jobs=args.jobs)
            for m in args.compare_models
        }
        text = model_table({model_label(m): r for m, r in results.items()})
        sys.stdout.write(text + "\n")
        if not args.no_doc:
            _write("accuracy-models" + suffix, text)
        return 0
    result = run_benchmark(
        specs,
        args.cache,
        mirror_average=args.mirror_average,
        model=args.model,
        jobs=args.jobs,
        refine=args.refine,
    )
    text = table(result)
    sys.stdout.write(text + "\n" + _timing(result) + "\n")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, default=float))
    if not args.no_doc:
        if args.mirror_average:
            _write("accuracy-mirror-averaged" + suffix, text)
        elif args.refine:
            _write("accuracy-refined" + suffix, text)
        else:
            if args.figure == "human":
                bland_altman(result, PLOT)
            _write("accuracy" + suffix, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
