"""report.json: the machine-readable result of one clip (schema in README)."""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

from valgus.analysis.calibration import FPPA_CALIBRATION_NOTE, FPPA_GAIN
from valgus.analysis.refined_fppa import SECOND_MODEL, reading_counts, second_model_note
from valgus.session import DISCLAIMER, SCHEMA_VERSION, Session


def _clean(value: Any) -> Any:
    """JSON has no NaN: unknown numbers become null; numpy scalars become Python numbers."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float):
        return round(value, 4) if math.isfinite(value) else None
    return value


def _rep_entry(session: Session, rep: Any) -> dict[str, Any]:
    flags = [
        {
            "kind": e.kind,
            "verdict": e.verdict,
            "start_s": e.start_s,
            "end_s": e.end_s,
            "peak_deg": e.peak_deg,
        }
        for e in session.flags.events
        if e.start_frame <= rep.end_frame and e.end_frame >= rep.start_frame
    ]

    def read_at(side: str) -> str | None:
        frame = getattr(rep, f"fppa_read_{side}_frame")
        if frame is None:
            return None
        return "bottom" if frame == rep.bottom_frame else "above the bottom"

    return {
        "index": rep.index,
        "start_s": rep.start_s,
        "bottom_s": rep.bottom_s,
        "end_s": rep.end_s,
        "stance_side": rep.stance_side,
        # The rep's FPPA reading: at the bottom, or at the deepest frame on the way down
        # where FPPA is valid (fppa_<side>_read_at says which); what the verdict and flags use.
        # Null where the knee bent past the FPPA limit at the bottom (detail.past_fppa_limit_*).
        "fppa_left_deg": rep.fppa_read_left_deg,
        "fppa_right_deg": rep.fppa_read_right_deg,
        "fppa_model_left_deg": rep.fppa_model_read_left_deg,
        "fppa_model_right_deg": rep.fppa_model_read_right_deg,
        "fppa_refined_left_deg": rep.fppa_refined_read_left_deg,
        "fppa_refined_right_deg": rep.fppa_refined_read_right_deg,
        "fppa_left_read_at": read_at("left"),
        "fppa_right_read_at": read_at("right"),
        "side_difference_deg": rep.fppa_pair_left_deg - rep.fppa_pair_right_deg,
        "kasr": rep.kasr_bottom,
        "kasr_vs_standing": rep.kasr_change_bottom,  # what the knees' verdict grades
        "pelvic_drop_deg": rep.pelvic_drop_deg,  # null against the image horizontal
        "pelvic_reference": rep.pelvic_reference,
        "flags": flags,
        "detail": rep.to_dict(),
    }


def _summary(session: Session) -> dict[str, Any]:
    s = session.summary
    return {
        "left": asdict(s.left),
        "right": asdict(s.right),
        "pelvic_drop_deg_max": s.pelvic_drop_deg_max,
        "pelvic_drop_deg_mean": s.pelvic_drop_deg_mean,
        "pelvic_verdict": s.pelvic_verdict,
        "pelvic_reps_measured": s.pelvic_reps_measured,
        "pelvic_reps_flagged": s.pelvic_reps_flagged,
        "pelvic_reference": s.pelvic_reference,
        # Single-leg tasks: the pelvic_* numbers above are this stance leg's (the worse one);
        # each measured stance leg's are below.
        "pelvic_stance_side": s.pelvic_stance_side,
        "pelvis_by_stance": [asdict(p) for p in s.pelvis_by_stance],
        "side_difference": asdict(s.side_difference),
        "kasr_change_bottom_mean": s.kasr_change_bottom_mean,
        "depth_verdict": s.depth_verdict,
        "collapse_frames": s.collapse_frames,
        "collapse_seconds": s.collapse_seconds,
        "pelvic_drop_frames": s.pelvic_drop_frames,
        "pelvic_drop_seconds": s.pelvic_drop_seconds,
    }


def _shots(session: Session) -> list[dict[str, Any]]:
    return [
        {
            "start_s": r.shot.start_s,
            "end_s": r.shot.end_s,
            "kind": r.shot.kind,
            "analysed": r.shot.analysed,
            "pelvic_reference": r.pelvic_reference,
        }
        for r in session.shots
    ]


def report_dict(session: Session) -> dict[str, Any]:
    """The report of ``session`` as plain JSON-ready data."""
    q = session.quality
    report = {
        "schema_version": SCHEMA_VERSION,
        "disclaimer": DISCLAIMER,
        "source": asdict(session.source),
        "movement": session.movement,
        "movement_detected": session.movement_detected,
        "model": session.track.model,
        "quality": {
            "frames_with_pose": q.frames_with_pose,
            "pose_rate": q.pose_rate,
            "lower_body_rate": q.lower_body_rate,
            "view": q.view.view,
            "body_yaw_deg": q.view.yaw_deg,
            "warnings": list(q.warnings),
            "shots": _shots(session),
        },
        "reps": [_rep_entry(session, rep) for rep in session.reps],
        "flags": [asdict(e) for e in session.flags.events],
        "summary": _summary(session),
        "calibration": {"fppa_gain": FPPA_GAIN, "note": FPPA_CALIBRATION_NOTE},
        "second_model": _second_model(session),
        "thresholds": session.thresholds.to_dict(),
        "filtering": asdict(session.filter_report),
    }
    return _clean(report)


def _second_model(session: Session) -> dict:
    """Whether the second model re-read the reading frames, where, and how many readings it gave."""
    legs = session.second_model
    refined, total = reading_counts(session.reps)
    return {
        "model": SECOND_MODEL,
        "ran": legs is not None,
        "frames": sorted(legs.readings) if legs is not None else [],
        "readings_from_second_model": refined if legs is not None else 0,
        "readings": total,
        "notes": list(legs.notes) if legs is not None else [],
        "note": second_model_note(legs, session.reps),
    }


def write_report_json(session: Session, path: Path) -> None:
    """Write report.json for ``session``."""
    path.write_text(json.dumps(report_dict(session), indent=2) + "\n", encoding="utf-8")
