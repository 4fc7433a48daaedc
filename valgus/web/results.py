"""Read a clip's analysis outputs for the pages: report, timeline series, session comparison.

Why the pages draw from report.json and frames.csv (the documented outputs of
``valgus analyze``) rather than embedding the per-clip report.html: the review
page also carries job state, notes and comparison, and its click-to-seek must be
tested against a stable data contract, not against another page's markup. The
report.html is linked and downloadable wherever it exists.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

# Per-frame series the timeline draws; FPPA is blanked where the thigh is too
# foreshortened for it to mean anything (fppa_valid_* false, design.md section 5).
TIMELINE_COLUMNS = ("fppa_left_deg", "fppa_right_deg", "pelvic_drop_deg")
_VALID_COLUMN = {"fppa_left_deg": "fppa_valid_left", "fppa_right_deg": "fppa_valid_right"}

# Comparison rows: label, unit, path in report["summary"], threshold holding the SDD.
COMPARE_METRICS = (
    ("Mean FPPA, left knee", "deg", ("left", "mean_fppa_deg"), "fppa_sdd_deg"),
    ("Mean FPPA, right knee", "deg", ("right", "mean_fppa_deg"), "fppa_sdd_deg"),
    ("Left/right FPPA difference", "deg", ("side_difference", "deg"), "fppa_sdd_deg"),
    ("Peak pelvic drop", "deg", ("pelvic_drop_deg_max",), "pelvic_drop_sdd_deg"),
    ("Mean pelvic drop", "deg", ("pelvic_drop_deg_mean",), "pelvic_drop_sdd_deg"),
    ("Time in knee collapse", "s", ("collapse_seconds",), None),
)
COMPARE_VERDICTS = (
    ("Left knee", ("left", "verdict")),
    ("Right knee", ("right", "verdict")),
    ("Pelvis", ("pelvic_verdict",)),
)


def load_report(path: Path) -> dict[str, Any] | None:
    """The parsed report.json at ``path``, or None if it is missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _number(text: str | None, digits: int = 2) -> float | None:
    try:
        value = float(text) if text not in (None, "") else math.nan
    except ValueError:
        return None
    return round(value, digits) if math.isfinite(value) else None


# At a rep's reading frame the report reads the second model's FPPA (frames.csv
# fppa_refined_*): the timeline shows that value there, so the readings beside it
# are points of the curve.
_REFINED_COLUMN = {
    "fppa_left_deg": "fppa_refined_left_deg",
    "fppa_right_deg": "fppa_refined_right_deg",
}


def timeline(frames_csv: Path) -> dict[str, list[float | None]]:
    """Per-frame series from frames.csv: ``time_s`` and TIMELINE_COLUMNS (None = no value)."""
    series: dict[str, list[float | None]] = {"time_s": []}
    series.update({name: [] for name in TIMELINE_COLUMNS})
    with frames_csv.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            series["time_s"].append(_number(row.get("time_s"), 4))
            for name in TIMELINE_COLUMNS:
                valid = row.get(_VALID_COLUMN.get(name, ""), "True") != "False"
                refined = _number(row.get(_REFINED_COLUMN.get(name, ""), ""))
                value = refined if refined is not None else _number(row.get(name))
                series[name].append(value if valid else None)
    return series


def _dig(mapping: dict[str, Any] | None, path: tuple[str, ...]) -> Any:
    value: Any = mapping
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _row(
    label: str,
    unit: str,
    a: Any,
    b: Any,
    *,
    delta: float | None = None,
    sdd: float | None = None,
    real_change: bool | None = None,
) -> dict[str, Any]:
    return {
        "label": label,
        "unit": unit,
        "a": a,
        "b": b,
        "delta": delta,
        "sdd": sdd,
        "real_change": real_change,
    }


def compare_rows(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of numbers of two reports of one movement, with the change and whether it is real.

    A change smaller than the smallest detectable difference (SDD) between days is
    measurement error, not progress (Munro 2012 for FPPA, Dingenen 2018 for pelvic
    drop); the SDD comes from the earlier report's thresholds.
    """
    rows = []
    for label, unit, path, sdd_name in COMPARE_METRICS:
        a, b = _dig(before, ("summary", *path)), _dig(after, ("summary", *path))
        delta = round(b - a, 2) if a is not None and b is not None else None
        sdd = _dig(before, ("thresholds", sdd_name, "value")) if sdd_name else None
        real = None if delta is None or sdd is None else abs(delta) >= sdd
        rows.append(_row(label, unit, a, b, delta=delta, sdd=sdd, real_change=real))
    reps = len(before.get("reps", [])), len(after.get("reps", []))
    rows.append(_row("Reps / holds", "", *reps, delta=reps[1] - reps[0]))
    for label, path in COMPARE_VERDICTS:
        a, b = _dig(before, ("summary", *path)), _dig(after, ("summary", *path))
        rows.append(_row(label, "", a, b))
    return rows


def pair_by_movement(
    clips_a: list[dict[str, Any]], clips_b: list[dict[str, Any]]
) -> list[tuple[str, dict[str, Any] | None, dict[str, Any] | None]]:
    """(movement, newest finished clip of session A, of session B) for each movement seen.

    The movement is the analysed one (``auto`` resolved); clips come newest first.
    """

    def newest(clips: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for clip in clips:
            if clip["state"] == "done" and clip["summary"]:
                out.setdefault(clip["summary"]["movement"], clip)
        return out

    a, b = newest(clips_a), newest(clips_b)
    order = list(dict.fromkeys([*a, *b]))
    return [(movement, a.get(movement), b.get(movement)) for movement in order]
