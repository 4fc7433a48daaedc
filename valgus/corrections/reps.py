"""The clip's reps and verdicts with the coach's values where a correction exists.

Why here and not in the analysis: a correction replaces one reading (a rep's
FPPA at its key frame) and leaves the model's analysis as it was, so the pages
show both side by side. A rep's key frame for a knee is the frame its FPPA was
read at (the bottom, or the deepest valid frame above it: report.json's
``detail.fppa_read_<side>_frame``), the bottom when it had no reading. The
knee's verdict is recomputed from the mean of the readings with the coach's
values in, by the analysis's own rule (valgus.analysis.flags.verdict, the worse
of it and the depth verdict, as valgus.analysis.summary does).

A knee takes the coach's value only where the coach moved one of that leg's
points and the model had a reading: a leg the coach left as the model placed it
keeps the model's calibrated reading (the coach's FPPA of the same points
differs only by the calibration gain), and a leg with no reading (the lifted
leg of a single-leg squat, a thigh too foreshortened) gets none from a drag.
"""

from __future__ import annotations

import math
from typing import Any

from valgus.analysis.flags import NOT_MEASURABLE, VERDICTS, verdict

SIDES = ("left", "right")


def key_frames(rep: dict[str, Any]) -> dict[str, int]:
    """Frame of the rep's bottom and of each knee's FPPA reading (report.json rep entry)."""
    detail = rep.get("detail") or {}
    bottom = int(detail["bottom_frame"])
    out = {"bottom": bottom}
    for side in SIDES:
        read = detail.get(f"fppa_read_{side}_frame")
        out[side] = int(read) if read is not None else bottom
    return out


def _worse(a: str, b: str) -> str:
    ranked = (NOT_MEASURABLE, *VERDICTS)
    return max(a, b, key=ranked.index)


def _counts(correction: dict[str, Any], side: str, rep: dict[str, Any]) -> bool:
    """True when the correction changes this knee's reading (see the module docstring)."""
    moved = set(correction["angles"].get("moved", ()))
    leg = {f"{side}_{joint}" for joint in ("hip", "knee", "ankle")}
    return bool(moved & leg) and rep.get(f"fppa_{side}_deg") is not None


def corrected_reps(report: dict[str, Any], current: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per rep and knee: the model's reading, the coach's (or None), the frame and who."""
    by_frame = {c["frame"]: c for c in current}
    out = []
    for rep in report.get("reps", []):
        frames = key_frames(rep)
        entry: dict[str, Any] = {"index": rep["index"], "frames": frames}
        for side in SIDES:
            correction = by_frame.get(frames[side])
            if correction is not None and not _counts(correction, side, rep):
                correction = None
            coach = correction["angles"]["coach"][f"fppa_{side}_deg"] if correction else None
            entry[side] = {
                "frame": frames[side],
                "model_deg": rep.get(f"fppa_{side}_deg"),
                "coach_deg": coach,
                "correction_id": correction["id"] if correction else None,
                "coach": correction["coach"] if correction else None,
            }
        out.append(entry)
    return out


def corrected_summary(
    report: dict[str, Any], reps: list[dict[str, Any]]
) -> dict[str, dict[str, Any] | None]:
    """Per knee: mean FPPA and verdict with the coach's values in; None where none was corrected."""
    thresholds = report["thresholds"]
    above = thresholds["fppa_above_deg"]["value"]
    marked = thresholds["fppa_marked_deg"]["value"]
    depth = report["summary"].get("depth_verdict") or NOT_MEASURABLE
    out: dict[str, dict[str, Any] | None] = {}
    for side in SIDES:
        corrected = [r[side] for r in reps if r[side]["coach_deg"] is not None]
        if not corrected:
            out[side] = None
            continue
        values = [
            r[side]["coach_deg"] if r[side]["coach_deg"] is not None else r[side]["model_deg"]
            for r in reps
        ]
        finite = [v for v in values if v is not None and math.isfinite(v)]
        mean = sum(finite) / len(finite) if finite else math.nan
        fppa_word = verdict(mean, above, marked)
        out[side] = {
            "mean_fppa_deg": round(mean, 3) if finite else None,
            "verdict": _worse(fppa_word, depth),
            "fppa_verdict": fppa_word,
            "reps_corrected": len(corrected),
            "model_mean_fppa_deg": report["summary"][side]["mean_fppa_deg"],
            "model_verdict": report["summary"][side]["verdict"],
        }
    return out
