"""Quality gate: refuse clips the analysis cannot be trusted on, warn about weaker ones.

Refusals (each its own error and exit code): nobody in the clip, a side view,
the lower body out of frame. Warnings go into the report.
"""

from __future__ import annotations

from valgus.analysis.filtering import FilterReport
from valgus.analysis.kinematics import Kinematics
from valgus.analysis.view import ViewAssessment, assess_view
from valgus.errors import FramingError, NoPersonError, WrongViewError
from valgus.pose.track import PoseTrack
from valgus.session import Quality

MIN_POSE_RATE = 0.3  # below this share of frames with a person, the clip is refused
WARN_POSE_RATE = 0.9
MIN_LOWER_BODY_RATE = 0.5  # share of pose frames with hips, knees and ankles in frame
WARN_LOWER_BODY_RATE = 0.9


def assess_quality(raw: PoseTrack, kinematics: Kinematics, report: FilterReport) -> Quality:
    """Check the clip and return its Quality; raise a ValgusError when it is unusable."""
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
    if view.view == "upside-down":
        raise WrongViewError(
            "the person appears upside down (shoulders below the hips); rotate the video upright"
        )
    lower = kinematics.frames["lower_body_visible"].to_numpy(dtype=bool)
    lower_rate = float(lower[has_pose].mean())
    if lower_rate < MIN_LOWER_BODY_RATE:
        raise FramingError(
            f"hips, knees and ankles are all in frame in only {lower_rate:.0%} of frames "
            "with a person; step back so the feet are in view"
        )
    warnings = _warnings(raw, pose_rate, lower_rate, view, kinematics, report)
    return Quality(frames_with_pose, pose_rate, lower_rate, view, tuple(warnings))


def _warnings(
    raw: PoseTrack,
    pose_rate: float,
    lower_rate: float,
    view: ViewAssessment,
    kinematics: Kinematics,
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
    if kinematics.reference.standing_frames == 0:
        warnings.append(
            "no frames standing on both feet: pelvic drop is measured against horizontal, "
            "not a standing baseline"
        )
    if report.swapped_frames:
        warnings.append(f"left/right landmark swaps repaired in {report.swapped_frames} frames")
    warnings.extend(report.notes)
    return warnings
