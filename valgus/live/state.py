"""Live session state: countdown, standing calibration, then the set, one frame at a time.

Takes the pose model's landmarks of each processed frame (unmirrored, the
person's own left and right) and returns what to draw: an
:class:`~valgus.overlay.chain.OverlayFrame` plus the phase. No drawing, no model,
no I/O here, so it is tested with plain arrays.

Phases:

1. countdown (``countdown_s``): time to step back; framing hints only.
2. calibrating: collects ``calibration_s`` seconds of frames in which the whole
   body is in view and facing the camera, then estimates the standing
   reference (segment lengths, standing hip height, floor, pelvic baseline)
   with the offline :func:`valgus.analysis.kinematics.estimate_reference`. Frames seen
   meanwhile are replayed into the counters, so a rep begun during the
   calibration still counts.
3. set: FPPA, pelvic drop, causal flags, rep counter, cues.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from valgus.analysis.events import REP_PROMINENCE
from valgus.analysis.fppa_validity import fppa_valid
from valgus.analysis.kinematics import BodyReference, estimate_reference
from valgus.analysis.stance import pelvic_drop_from_obliquity, stance_side
from valgus.live.counting import CausalGrader, HoldCounter, RepCounter
from valgus.live.measure import HINT_HEAD, Framing, LiveMeasures, assess_framing, measure
from valgus.live.one_euro import OneEuroFilter
from valgus.movement import MOVEMENT_CHOICES
from valgus.overlay.frame import OverlayFrame
from valgus.pose.landmarker import TrackBuilder
from valgus.pose.landmarks import SIDES
from valgus.thresholds import Thresholds

PHASES = ("countdown", "calibrating", "set")
# One-euro parameters on coordinates in frame heights: 3 Hz at rest, 3 + 20 * speed
# (heights/s) in motion, i.e. ~8 Hz at a squat's peak hip speed of ~0.25 heights/s.
# Tuned against the offline 6 Hz Butterworth on real clips: on front/nowva_squats.mp4
# live FPPA is within 3.4-3.9 deg (p95) of the offline value with half the raw
# frame-to-frame jitter; 1.5 Hz / beta 6 lagged so much that the p95 grew to 8-9 deg
# and the drawn 18 deg collapse of sample_videos/squat_valgus.mp4 peaked at 16.9.
SMOOTHING = {"min_cutoff_hz": 3.0, "beta": 20.0, "d_cutoff_hz": 1.0}
# Auto movement: one foot off the ground this long makes the set single-leg.
SINGLE_LEG_AFTER_S = 0.5
# A gap longer than this between good calibration frames does not count as calibrated time.
MAX_CALIBRATION_STEP_S = 0.25
CUE_KNEES = "KNEES OUT"
CUE_KNEE = "KNEE OUT"
CUE_HIPS = "HIPS LEVEL"
CUE_STAND = "STAND STILL"
HINT_CALIBRATING = "calibrating: stand tall, facing the camera"
HINT_GET_READY = "get ready: whole body in view"


@dataclass(frozen=True)
class LiveFrame:
    """What the live view shows for one processed frame.

    ``overlay.xy_px`` are the smoothed, unmirrored landmark pixels; the
    display mirrors them. ``measures`` is None outside the set or without a pose.
    """

    phase: str
    overlay: OverlayFrame
    framing: Framing
    measures: LiveMeasures | None
    calibration_progress: float  # 0..1


class MovementGuess:
    """The movement shown live: fixed when given, else guessed from what the person does.

    A set is single-leg once one foot has been off the ground for
    ``SINGLE_LEG_AFTER_S``; a single-leg set that drops the hip by the
    single-leg squat prominence is a single-leg squat, else a stance hold.
    The guess never goes back (one set is one test); the final report
    classifies the whole recording offline.
    """

    def __init__(self, movement: str) -> None:
        if movement not in MOVEMENT_CHOICES:
            raise ValueError(f"movement must be one of {', '.join(MOVEMENT_CHOICES)}")
        self.fixed = movement != "auto"
        self.movement = "squat" if movement == "auto" else movement
        self._lift_since: float | None = None

    def update(self, stance_side: str | None, depth: float, time_s: float) -> str:
        if self.fixed:
            return self.movement
        if stance_side is None:
            self._lift_since = None
        elif self._lift_since is None:
            self._lift_since = time_s
        lifted_s = time_s - self._lift_since if self._lift_since is not None else 0.0
        if self.movement == "squat" and lifted_s >= SINGLE_LEG_AFTER_S:
            self.movement = "single-leg-stance"
        single = self.movement == "single-leg-stance" and stance_side is not None
        if single and depth >= REP_PROMINENCE["single-leg-squat"]:
            self.movement = "single-leg-squat"
        return self.movement


class LiveState:
    """Turn each frame's landmarks into an overlay, causally.

    Parameters
    ----------
    width, height : int
        Frame size in pixels.
    movement : {"auto", "squat", "single-leg-squat", "single-leg-stance"}, keyword-only
    thresholds : Thresholds, keyword-only
    countdown_s, calibration_s : float, keyword-only
        Length of the countdown and of the standing calibration, seconds.
    """

    def __init__(
        self,
        width: int,
        height: int,
        *,
        movement: str = "auto",
        thresholds: Thresholds | None = None,
        countdown_s: float = 3.0,
        calibration_s: float = 2.0,
    ) -> None:
        if countdown_s < 0 or calibration_s <= 0:
            raise ValueError("countdown_s must be >= 0 and calibration_s > 0")
        self.width, self.height = width, height
        self.countdown_s, self.calibration_s = countdown_s, calibration_s
        self.guess = MovementGuess(movement)
        th = thresholds or Thresholds()
        min_s = th.min_flag_duration_s.value

        def grader(above, marked, hysteresis) -> CausalGrader:
            return CausalGrader(
                above.value, marked.value, hysteresis=hysteresis.value, min_duration_s=min_s
            )

        self.knee_graders = {
            side: grader(th.fppa_above_deg, th.fppa_marked_deg, th.fppa_hysteresis_deg)
            for side in SIDES
        }
        self.pelvis_grader = grader(
            th.pelvic_drop_above_deg, th.pelvic_drop_marked_deg, th.pelvic_drop_hysteresis_deg
        )
        self.rep_counters = {m: RepCounter(p) for m, p in REP_PROMINENCE.items()}
        self.hold_counter = HoldCounter()
        self.smoother = OneEuroFilter(**SMOOTHING)
        self.reference: BodyReference | None = None
        self.phase = "countdown"
        self._calibration = TrackBuilder()
        self._calibration_rows: list[tuple[float, np.ndarray]] = []
        self._calibrated_s = 0.0
        self._last_good_s: float | None = None
        self.max_grade = {"left": 0, "right": 0, "pelvis": 0}

    @property
    def reps(self) -> int:
        """Reps (or holds) counted so far for the current movement guess."""
        movement = self.guess.movement
        if movement == "single-leg-stance":
            return self.hold_counter.count
        return self.rep_counters[movement].count

    def update(self, time_s: float, landmarks: np.ndarray | None) -> LiveFrame:
        """Advance by one processed frame.

        Parameters
        ----------
        time_s : float
            Seconds since the first frame (increasing).
        landmarks : (33, 7) array or None
            ``PoseEstimator.detect`` output: x_px, y_px, z_px, visibility, world x/y/z.
        """
        xy = None
        if landmarks is None:
            self.smoother.reset()
        else:
            xy = self.smoother(landmarks[:, :2] / self.height, time_s) * self.height
            landmarks = landmarks.copy()
            landmarks[:, :2] = xy
        vis = None if landmarks is None else landmarks[:, 3]
        world = None if landmarks is None else landmarks[:, 4:7]
        framing = assess_framing(xy, vis, self.width, self.height, world_xyz_m=world)
        if self.phase == "countdown" and time_s >= self.countdown_s:
            self.phase = "calibrating"
        if self.phase == "calibrating":
            self._calibrate(time_s, landmarks, framing)
        if self.phase != "set" or landmarks is None:
            if self.phase == "set":  # nobody in view: flags clear, as offline for NaN frames
                for grader in (*self.knee_graders.values(), self.pelvis_grader):
                    grader.update(math.nan, time_s)
            return self._waiting_frame(time_s, xy, framing)
        measures = measure(landmarks, self.reference)
        return self._set_frame(time_s, xy, framing, measures)

    def _calibrate(self, time_s: float, landmarks: np.ndarray | None, framing: Framing) -> None:
        if landmarks is not None:
            self._calibration_rows.append((time_s, landmarks))
        good = framing.whole_body_in_frame and framing.facing
        if good and self._last_good_s is not None:
            self._calibrated_s += min(time_s - self._last_good_s, MAX_CALIBRATION_STEP_S)
        self._last_good_s = time_s if good else None
        if good:
            self._calibration.add(time_s, landmarks)
        if self._calibrated_s >= self.calibration_s:
            self._finish_calibration()

    def _finish_calibration(self) -> None:
        track = self._calibration.build(
            width=self.width, height=self.height, fps=30.0, source="live", model="live"
        )
        self.reference = estimate_reference(track)
        self.phase = "set"
        for time_s, landmarks in self._calibration_rows:  # reps begun while calibrating count
            self._count(time_s, measure(landmarks, self.reference))
        self._calibration_rows = []

    def _count(self, time_s: float, measures: LiveMeasures) -> tuple[str, str | None]:
        stance = stance_side(
            measures.ankle_lift["left"], measures.ankle_lift["right"], has_pose=True
        )
        movement = self.guess.update(stance, measures.depth, time_s)
        for counter in self.rep_counters.values():
            counter.update(measures.depth, time_s)
        self.hold_counter.update(stance, time_s)
        return movement, stance

    def _set_frame(
        self, time_s: float, xy: np.ndarray, framing: Framing, measures: LiveMeasures
    ) -> LiveFrame:
        movement, stance = self._count(time_s, measures)
        single_leg = movement != "squat"
        valid = {
            side: bool(
                fppa_valid(
                    measures.fppa_deg[side],
                    measures.thigh_ratio[side],
                    measures.knee_flexion_deg[side],
                    measures.leg_visible[side],
                    body_yaw_deg=measures.body_yaw_deg,
                    single_leg=single_leg,
                    lifted=stance is not None and stance != side,
                )
            )
            for side in SIDES
        }
        grades = {
            side: self.knee_graders[side].update(
                measures.fppa_deg[side] if valid[side] else math.nan, time_s
            )
            for side in SIDES
        }
        drop_side = stance if single_leg else None
        drop = float(
            pelvic_drop_from_obliquity(np.array([measures.obliquity_deg]), np.array([drop_side]))[0]
        )
        pelvic = self.pelvis_grader.update(drop, time_s)
        for key, grade in (*grades.items(), ("pelvis", pelvic)):
            self.max_grade[key] = max(self.max_grade[key], grade)
        cue = None
        if max(grades.values()) >= 1:
            cue = CUE_KNEE if single_leg else CUE_KNEES
        elif single_leg and pelvic >= 1:
            cue = CUE_HIPS
        hint = framing.hint if framing.hint != HINT_HEAD else None
        overlay = OverlayFrame(
            time_s=time_s,
            xy_px=xy,
            fppa_deg=measures.fppa_deg,
            fppa_valid=valid,
            collapse_grade=grades,
            pelvic_drop_deg=drop,
            pelvic_grade=pelvic,
            rep_number=self.reps,
            reps_total=None,
            movement=movement,
            stance_side=stance if single_leg else None,
            cue=cue,
            framing_hint=hint,
        )
        return LiveFrame("set", overlay, framing, measures, 1.0)

    def _waiting_frame(self, time_s: float, xy: np.ndarray | None, framing: Framing) -> LiveFrame:
        """Countdown, calibration, or the set without a pose: skeleton and hints only."""
        if self.phase == "countdown":
            cue = str(max(1, math.ceil(self.countdown_s - time_s)))
            hint = framing.hint or HINT_GET_READY
        elif self.phase == "calibrating":
            cue = CUE_STAND
            hint = framing.hint or HINT_CALIBRATING
        else:
            cue, hint = None, framing.hint
        nan = {side: math.nan for side in SIDES}
        overlay = OverlayFrame(
            time_s=time_s,
            xy_px=xy,
            fppa_deg=nan,
            fppa_valid={side: False for side in SIDES},
            collapse_grade={side: 0 for side in SIDES},
            pelvic_drop_deg=math.nan,
            pelvic_grade=0,
            rep_number=self.reps,
            reps_total=None,
            movement=self.guess.movement,
            stance_side=None,
            cue=cue,
            framing_hint=hint,
        )
        progress = min(1.0, self._calibrated_s / self.calibration_s)
        return LiveFrame(self.phase, overlay, framing, None, progress)
