"""Quality gate: refuse clips the analysis cannot be trusted on, warn about weaker ones.

Refusals (each its own error and exit code): nobody in the clip, a side view,
the lower body out of frame. Warnings go into the report.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from valgus.analysis.by_shot import PELVIC_BORROWED, PELVIC_HORIZONTAL, PELVIC_NONE, ShotResult
from valgus.analysis.filtering import FilterReport
from valgus.analysis.view import MAX_MEASURED_YAW_DEG, ViewAssessment, assess_view
from valgus.errors import FramingError, NoPersonError, WrongViewError
from valgus.pose.track import PoseTrack
from valgus.session import Quality

MIN_POSE_RATE = 0.3  # below this share of frames with a person, the clip is refused
WARN_POSE_RATE = 0.9
MIN_LOWER_BODY_RATE = 0.5  # share of pose frames with hips, knees and ankles in frame
WARN_LOWER_BODY_RATE = 0.9
TURNED_WARN_SHARE = 0.05  # share of pose frames turned too far that the report mentions


def assess_quality(
    raw: PoseTrack, frames: pd.DataFrame, shots: tuple[ShotResult, ...], report: FilterReport
) -> Quality:
    """Check the clip and return its Quality; raise a ValgusError when it is unusable.

    ``frames`` is the per-frame table and ``shots`` the shots it was computed in
    (valgus.analysis.by_shot); a clip is measured only in its whole-body shots.
    """
    has_pose = raw.has_pose
    frames_with_pose = int(has_pose.sum())
    pose_rate = frames_with_pose / max(raw.n_frames, 1)
    if frames_with_pose == 0:
        raise NoPersonError(f"no person found in any of {raw.n_frames} frames")
    if pose_rate < MIN_POSE_RATE:
        raise NoPersonError(
            f"a person was found in only {pose_rate:.0%} of {raw.n_frames} frames "
            f"(need {MIN_POSE_RATE:.0%}); is the whole person in view and lit?"
        )
    view = assess_view(raw)
    if view.view == "side":
        raise WrongViewError(
            f"the camera sees the person from the side (body turned ~{view.yaw_deg:.0f} deg); "
            "knee valgus and pelvic drop need a front or back view"
        )
    if view.yaw_deg > MAX_MEASURED_YAW_DEG:
        raise WrongViewError(
            f"the body is turned ~{view.yaw_deg:.0f} deg from the camera; knee valgus and pelvic "
            f"drop need the camera straight in front (or behind), within "
            f"{MAX_MEASURED_YAW_DEG:.0f} deg"
        )
    if view.view == "upside-down":
        raise WrongViewError(
            "the person appears upside down (shoulders below the hips); rotate the video upright"
        )
    lower = frames["lower_body_visible"].to_numpy(dtype=bool)
    lower_rate = float(lower[has_pose].mean())
    if not any(s.shot.analysed for s in shots):
        where = "" if len(shots) == 1 else f" (in none of its {len(shots)} shots for a second)"
        raise FramingError(
            f"hips, knees and ankles are all in frame in only {lower_rate:.0%} of frames "
            f"with a person{where}; step back so the feet are in view"
        )
    warnings = _warnings(raw, pose_rate, lower_rate, view, frames, shots, report)
    return Quality(frames_with_pose, pose_rate, lower_rate, view, tuple(warnings))


def _warnings(
    raw: PoseTrack,
    pose_rate: float,
    lower_rate: float,
    view: ViewAssessment,
    frames: pd.DataFrame,
    shots: tuple[ShotResult, ...],
    report: FilterReport,
) -> list[str]:
    warnings = list(raw.notes)
    if pose_rate < WARN_POSE_RATE:
        warnings.append(f"a person was found in only {pose_rate:.0%} of frames")
    if lower_rate < WARN_LOWER_BODY_RATE:
        warnings.append(f"the lower body is fully in frame in only {lower_rate:.0%} of frames")
    if view.view == "oblique":
        warnings.append(
            f"the body is turned ~{view.yaw_deg:.0f} deg from the camera; "
            "FPPA is most accurate from straight in front"
        )
    if view.view == "back":
        warnings.append("filmed from behind: left and right are the person's own sides")
    warnings.extend(_shot_warnings(raw, frames, shots))
    if report.swapped_frames:
        warnings.append(f"left/right landmark swaps repaired in {report.swapped_frames} frames")
    warnings.extend(report.notes)
    return warnings


def _shot_warnings(
    raw: PoseTrack, frames: pd.DataFrame, shots: tuple[ShotResult, ...]
) -> list[str]:
    """What the cuts and the missing standing frames take away from the measurements."""
    warnings = []
    analysed = [s for s in shots if s.shot.analysed]
    if len(shots) > 1:
        measured = sum(s.shot.end_s - s.shot.start_s for s in analysed)
        total = float(raw.times_s[-1] - raw.times_s[0]) if raw.n_frames > 1 else 0.0
        warnings.append(
            f"the clip cuts or the camera moves {len(shots) - 1} time(s): measured only in "
            f"{len(analysed)} whole-body shot(s), {measured:.0f} s of {total:.0f} s, each "
            "against its own standing reference"
        )
    yaw = frames["body_yaw_deg"].to_numpy(dtype=float)[frames["has_pose"].to_numpy(dtype=bool)]
    turned = float(np.mean(yaw > MAX_MEASURED_YAW_DEG)) if yaw.size else 0.0
    if turned >= TURNED_WARN_SHARE:
        warnings.append(
            f"the body turns more than {MAX_MEASURED_YAW_DEG:.0f} deg from the camera in "
            f"{turned:.0%} of the frames with a person: nothing is measured there"
        )
    references = {s.pelvic_reference for s in analysed}
    if references == {PELVIC_HORIZONTAL}:
        warnings.append(
            "no frames standing on both feet: pelvic tilt is measured against the image "
            "horizontal, which camera roll shifts, so no pelvic verdict is given; start the "
            "clip standing on both feet for a second"
        )
    if PELVIC_BORROWED in references:
        warnings.append(
            "some shots have no frames standing on both feet: their pelvic drop is measured "
            "against the standing frames of a shot filmed the same way"
        )
    if PELVIC_NONE in references:
        warnings.append(
            "some shots have no frames standing on both feet and no shot filmed the same way "
            "has: no pelvic drop is measured in them"
        )
    return warnings
