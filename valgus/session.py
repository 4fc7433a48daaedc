"""Session: everything one analysed clip yields, the type every output reads from."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from valgus.analysis.filtering import FilterReport
from valgus.analysis.flags import Flags
from valgus.analysis.kinematics import BodyReference
from valgus.analysis.rep_metrics import RepMetrics
from valgus.analysis.view import ViewAssessment
from valgus.pose.track import PoseTrack
from valgus.thresholds import Thresholds

SCHEMA_VERSION = "1.0"
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
    """One leg over the whole clip."""

    peak_fppa_deg: float  # highest valid FPPA of any rep
    mean_fppa_deg: float  # mean over reps of FPPA at the bottom (Munro 2012 averages trials)
    verdict: str  # "within normal" / "above normal range" / "marked" / "not measurable"
    reps_measured: int


@dataclass(frozen=True)
class Summary:
    """The clip's headline numbers."""

    left: SideSummary
    right: SideSummary
    pelvic_drop_deg_max: float
    pelvic_drop_deg_mean: float
    pelvic_verdict: str
    asymmetry_deg: float  # mean FPPA left minus right
    asymmetry_exceeds_sdd: bool
    collapse_frames: int
    collapse_seconds: float
    pelvic_drop_frames: int
    pelvic_drop_seconds: float


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
    reference: BodyReference
    frames: pd.DataFrame
    reps: tuple[RepMetrics, ...]
    flags: Flags
    quality: Quality
    summary: Summary
    thresholds: Thresholds
    filter_report: FilterReport
