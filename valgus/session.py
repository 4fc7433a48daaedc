"""Session: everything one analysed clip yields, the type every output reads from."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from valgus.analysis.by_shot import ShotResult
from valgus.analysis.filtering import FilterReport
from valgus.analysis.flags import Flags
from valgus.analysis.rep_metrics import RepMetrics
from valgus.analysis.view import ViewAssessment
from valgus.pose.keyframe_legs import KeyframeLegs
from valgus.pose.track import PoseTrack
from valgus.thresholds import Thresholds

SCHEMA_VERSION = "2.0"
DISCLAIMER = (
    "valgus screens movement on video; it does not diagnose. "
    "Discuss findings with a qualified clinician."
)


@dataclass(frozen=True)
class SourceInfo:
    """The clip as read: what report.json calls ``source``."""

    path: str
    fps: float
    frames: int
    duration_s: float
    width: int
    height: int


@dataclass(frozen=True)
class Quality:
    """How much of the clip the analysis could use, and what to be careful about."""

    frames_with_pose: int
    pose_rate: float
    lower_body_rate: float
    view: ViewAssessment
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class SideSummary:
    """One leg over the whole clip (valgus.analysis.summary)."""

    mean_fppa_deg: float  # mean over reps of each rep's FPPA reading
    worst_rep_fppa_deg: float  # the highest of those readings: the worst rep
    verdict: str  # the knee's: the worse of the FPPA verdict and, in squats, the KASR one
    reps_measured: int  # reps with an FPPA reading for this knee
    fppa_verdict: str  # from mean_fppa_deg alone
    reps_read_at_bottom: int  # of reps_measured, read at the bottom (the others higher up)
    max_knee_flexion_read_deg: float  # deepest knee flexion of a reading (MediaPipe degrees)
    reps_flagged: int  # reps whose reading reached the "above normal range" cut
    reps_past_limit: int  # reps whose bottom took the knee past the FPPA limit: not read
    reps_straight: int  # reps where it stayed straight while the other knee bent: not read


@dataclass(frozen=True)
class SideDifference:
    """Left minus right FPPA, from the same measure at the same kind of frame.

    ``method`` is "same frame" (a squat: both knees at one frame of each rep)
    or "stance reps" (a single-leg task: each leg as the stance leg);
    ``reps`` how many reps each side contributed; ``status`` "real" (at least
    the SDD over enough reps), "within error", "too few reps", "one leg only",
    "no frame with both knees", "past the limit" (no rep had both knees read,
    and knees went past the FPPA depth limit at the bottom) or "knees bent
    unequally" (no rep bent both knees alike: a lunge).
    """

    deg: float
    method: str
    reps: dict[str, int]
    status: str


@dataclass(frozen=True)
class StancePelvis:
    """Pelvic drop over the reps (holds) of one stance leg of a single-leg task.

    Each stance leg tests its own hip abductors (standing on the left, the
    right side drops when the left abductors are weak), so the legs are graded
    apart: a mean over both would let one leg's drop hide behind the other's
    hike.
    """

    stance_side: str
    drop_deg_max: float
    drop_deg_mean: float
    verdict: str
    reps_measured: int
    reps_flagged: int


@dataclass(frozen=True)
class Summary:
    """The clip's headline numbers.

    The ``pelvic_*`` numbers of a single-leg task are those of the stance leg
    with the worse verdict (``pelvic_stance_side``); ``pelvis_by_stance`` has
    each measured stance leg's.
    """

    left: SideSummary
    right: SideSummary
    pelvic_drop_deg_max: float
    pelvic_drop_deg_mean: float
    pelvic_verdict: str
    pelvic_reps_measured: int  # reps with a standing baseline (own or borrowed)
    pelvic_reps_flagged: int
    pelvic_reference: str  # what the drops are measured against, e.g. "standing"
    pelvic_stance_side: str | None  # single-leg tasks: the leg the pelvic_* numbers stand on
    pelvis_by_stance: tuple[StancePelvis, ...]  # single-leg tasks: each measured stance leg
    side_difference: SideDifference
    kasr_change_bottom_mean: float  # bilateral squats: KASR at the bottom over KASR standing
    depth_verdict: str  # from kasr_change_bottom_mean; "not measurable" for single-leg tasks
    collapse_frames: int
    collapse_seconds: float
    pelvic_drop_frames: int
    pelvic_drop_seconds: float

    @property
    def pelvis_per_leg(self) -> bool:
        """A single-leg task with a pelvic drop measured standing on each leg."""
        return len(self.pelvis_by_stance) > 1


@dataclass(frozen=True)
class Session:
    """The analysis of one clip.

    ``frames`` holds one row per frame: the kinematics columns plus
    ``stance_side``, ``pelvic_drop_deg`` and the flag grades.
    """

    source: SourceInfo
    movement: str
    movement_detected: bool
    raw_track: PoseTrack  # as the model gave it: saved as pose.npz for re-analysis
    track: PoseTrack  # filtered landmarks (what the metrics were computed from)
    shots: tuple[ShotResult, ...]  # the clip's shots; only analysed ones carry metrics
    frames: pd.DataFrame
    reps: tuple[RepMetrics, ...]
    flags: Flags
    quality: Quality
    summary: Summary
    thresholds: Thresholds
    filter_report: FilterReport
    # The second model's legs at the reading frames; None when it did not run.
    second_model: KeyframeLegs | None = None
