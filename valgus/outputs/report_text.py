"""The report's words: verdicts, findings and data quality in plain language.

Kept apart from the HTML so the wording can be read, changed and tested on
its own. Sides are the person's own (design.md section 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from valgus.analysis.flags import NOT_MEASURABLE, VERDICTS
from valgus.analysis.fppa_validity import MAX_FLEXION_DEG
from valgus.movement import Movement
from valgus.outputs.findings import NO_DROP_MEASURED, borderline, fppa_where
from valgus.session import Session, SideSummary

VERDICT_LABELS = {
    VERDICTS[0]: "Within normal",
    VERDICTS[1]: "Above normal range",
    VERDICTS[2]: "Marked",
    NOT_MEASURABLE: "Not measured",
}
VERDICT_CLASSES = {VERDICTS[0]: "ok", VERDICTS[1]: "warn", VERDICTS[2]: "bad", NOT_MEASURABLE: "na"}
FLAG_KIND_LABELS = {
    "collapse_left": "Left knee",
    "collapse_right": "Right knee",
    "pelvic_drop": "Pelvis",
}
# Share of frames (with a person; with the lower body in frame) for "good" data.
GOOD_POSE_RATE = 0.9
GOOD_LOWER_BODY_RATE = 0.9
FAIR_POSE_RATE = 0.6
FAIR_LOWER_BODY_RATE = 0.7

VALIDITY_CAVEAT = (
    "FPPA is read from a flat (2D) video image. It is a reliable screening measure, but one "
    "angle in the image mixes hip adduction and knee rotation, and it agrees only moderately "
    "with 3D knee abduction measured in a laboratory (JOSPT 2018 meta-analysis). Camera "
    "height and angle change it: film from straight in front, at about hip height."
)
SCREENING_NOTE = "This report is a screening aid for coaches and clinicians; it is not a diagnosis."


@dataclass(frozen=True)
class Verdict:
    """One headline verdict: a label, its colour class and a sentence."""

    title: str
    verdict: str  # a key of VERDICT_LABELS
    sentence: str

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    @property
    def css(self) -> str:
        return VERDICT_CLASSES[self.verdict]


def rep_noun(movement: str, n: int = 1) -> str:
    """ "rep"/"reps", or "hold"/"holds" for single-leg stance."""
    noun = Movement(movement).rep_noun
    return noun if n == 1 else noun + "s"


def stance_sides(session: Session) -> set[str]:
    """Legs that carried the body in a single-leg task (empty for squats)."""
    if session.movement == "squat":
        return set()
    return {rep.stance_side for rep in session.reps if rep.stance_side}


def lifted_sides(session: Session) -> frozenset[str]:
    """Legs that never carried the body in a single-leg task (empty for squats)."""
    if session.movement == "squat":
        return frozenset()
    return frozenset({"left", "right"} - stance_sides(session))


def deg(value: float, digits: int = 0) -> str:
    """``12°``, or an en dash when the value is unknown."""
    if not math.isfinite(value):
        return "–"
    text = f"{value:.{digits}f}"
    return (text[1:] if float(text) == 0 else text) + "°"  # never "-0°"


def knee_verdict(session: Session, side: str) -> Verdict:
    """The verdict for one knee, with a sentence a coach can read aloud."""
    s = getattr(session.summary, side)
    title = f"{side.capitalize()} knee"
    lifted = side in lifted_sides(session)
    if s.verdict == NOT_MEASURABLE:
        if lifted:
            why = "The lifted leg in this test: not assessed."
        elif s.reps_past_limit or s.reps_straight:
            why = _not_read_text(session, s)
        else:
            why = "Could not be measured: the leg was out of view or turned from the camera."
        return Verdict(title, NOT_MEASURABLE, why)
    close = borderline(session, side)
    at_depth = s.verdict != s.fppa_verdict
    meaning = {
        VERDICTS[0]: "The knee stays just inside the normal range."
        if close
        else "The knee stays in line over the foot.",
        VERDICTS[1]: "At the bottom the knees come in between the feet."
        if at_depth
        else "The knee moves inward more than normal.",
        VERDICTS[2]: "At the bottom the knees collapse in between the feet."
        if at_depth
        else "The knee collapses inward, as much as is typical of people with kneecap pain.",
    }[s.verdict]
    return Verdict(title, s.verdict, " ".join([meaning, *_knee_numbers(session, side, close)]))


def _knee_numbers(session: Session, side: str, close: bool) -> list[str]:
    """The sentences with a knee's numbers: FPPA where read, the knees at depth, caveats."""
    summary, th = session.summary, session.thresholds
    s = getattr(summary, side)
    out = []
    if s.reps_measured:
        average = f" (mean of {s.reps_measured} {rep_noun(session.movement, s.reps_measured)})"
        where = fppa_where(s)
        if s.reps_read_at_bottom < s.reps_measured:
            where += f" (knee bent up to {s.max_knee_flexion_read_deg:.0f}°, MediaPipe's angle)"
        out.append(
            f"FPPA {deg(s.mean_fppa_deg)} {where}{average if s.reps_measured > 1 else ''}; "
            f"normal is up to {th.fppa_above_deg.value:g}°{_inward_word(s.mean_fppa_deg)}."
        )
        if s.reps_flagged and s.fppa_verdict == VERDICTS[0]:
            out.append(
                f"{s.reps_flagged} of {s.reps_measured} {rep_noun(session.movement, 2)} reached "
                f"{th.fppa_above_deg.value:g}° or more (marked on the timeline)."
            )
        if s.reps_past_limit:
            out.append(
                f"Not read in {s.reps_past_limit} {rep_noun(session.movement, s.reps_past_limit)}"
                f" where {past_limit(session)} at the bottom."
            )
        if s.reps_straight:
            out.append(
                f"Not read in {s.reps_straight} {rep_noun(session.movement, s.reps_straight)}"
                f" where {STRAIGHT_LEG}."
            )
    elif s.reps_past_limit or s.reps_straight:
        out.append(_not_read_text(session, s))
    else:
        out.append("FPPA could not be read in any rep (the leg was out of view or turned).")
    change = summary.kasr_change_bottom_mean
    if np.isfinite(change) and session.movement == "squat":
        how = f"{1 - change:.0%} closer together" if change < 1 else f"{change - 1:.0%} wider apart"
        out.append(
            f"At the bottom the knees are {how}, for the ankles' spacing, than standing "
            f"(knee-to-ankle ratio {change:.2f} of standing; above normal below "
            f"{th.kasr_change_above_ratio.value:g})."
        )
    if close:
        out.append(
            f"Borderline: less than {th.fppa_sem_deg.value:g}° below the cut, within the error "
            "of one reading; film again to confirm."
        )
    return out


def past_limit(session: Session) -> str:
    """What took a knee past the depth where FPPA is read, in words."""
    if session.movement == "squat":
        return f"the knee bent past {MAX_FLEXION_DEG['squat']:.0f}°"
    return "the thigh pointed at the camera (deeper than the clinical single-leg squat)"


def past_limit_text(session: Session, s: SideSummary) -> str:
    """Why a knee past the FPPA depth limit has no FPPA, and how to film one that has."""
    reps = len(session.reps)
    where = (
        f"at the bottom of every {rep_noun(session.movement)}"
        if s.reps_past_limit == reps
        else f"at the bottom of {s.reps_past_limit} of {reps} {rep_noun(session.movement, 2)}"
    )
    text = (
        f"FPPA is not read: {past_limit(session)} {where}, where an angle in a front-view "
        "image mixes in the knee's bend and no longer shows whether it collapses inward."
    )
    if session.movement != "squat":
        return text + " For a knee angle, film a single-leg squat to about half depth."
    if np.isfinite(session.summary.kasr_change_bottom_mean):
        text += " At depth the knees are judged by how far apart they stay (below)."
    return text + " For a knee angle, film a single-leg squat or squat to about half depth."


STRAIGHT_LEG = "it stayed nearly straight while the other knee bent (a lunge or a split stance)"


def _not_read_text(session: Session, s: SideSummary) -> str:
    """Why a knee has no FPPA reading in any rep: past the depth limit, or the straight leg."""
    parts = [past_limit_text(session, s)] if s.reps_past_limit else []
    if s.reps_straight:
        reps = len(session.reps)
        where = (
            f"in every {rep_noun(session.movement)}"
            if s.reps_straight == reps
            else f"in {s.reps_straight} of {reps} {rep_noun(session.movement, 2)}"
        )
        parts.append(
            f"FPPA is not read: {where} this knee stayed nearly straight while the other bent "
            "(a lunge or a split stance), and a straight leg carries little of the load, so "
            "its angle does not show how the knee holds under it. For a knee angle, film a "
            "squat with both knees bending alike, or a single-leg squat."
        )
    return " ".join(parts)


def _inward_word(value: float) -> str:
    """What a negative FPPA means, said where one is shown."""
    return "; a negative angle means the knee is outside the hip-ankle line" if value < 0 else ""


def data_quality(session: Session) -> tuple[str, str, str]:
    """(label, css class, sentence) for how far the numbers can be trusted."""
    q = session.quality
    frontal = q.view.view in ("front", "back")
    if q.pose_rate >= GOOD_POSE_RATE and q.lower_body_rate >= GOOD_LOWER_BODY_RATE and frontal:
        label, css = "Good", "ok"
    elif q.pose_rate >= FAIR_POSE_RATE and q.lower_body_rate >= FAIR_LOWER_BODY_RATE:
        label, css = "Fair", "warn"
    else:
        label, css = "Poor", "bad"
    sentence = (
        f"Person tracked in {q.pose_rate:.0%} of frames, hips, knees and ankles in view in "
        f"{q.lower_body_rate:.0%}; filmed from the {q.view.view}."
    )
    return label, css, sentence


def _knee_phrase(session: Session) -> str:
    measured = [
        s for s in ("left", "right") if getattr(session.summary, s).verdict != NOT_MEASURABLE
    ]
    flagged = [s for s in measured if getattr(session.summary, s).verdict in VERDICTS[1:]]
    if not measured:
        return "the knee angle could not be measured"
    close = [s for s in measured if borderline(session, s)]
    if len(measured) == 1:
        side = measured[0]
        if flagged:
            return f"the {side} (standing) knee moved inward more than normal"
        if close:
            return f"the {side} (standing) knee stayed just inside the normal range (borderline)"
        return f"the {side} (standing) knee stayed in line with the foot"
    if len(flagged) == 2:
        return "both knees moved inward more than normal"
    if flagged:
        other = "right" if flagged[0] == "left" else "left"
        state = "stayed just inside the normal range" if close else "stayed in line"
        return f"the {flagged[0]} knee moved inward more than normal, the {other} {state}"
    if close:
        return f"both knees stayed within the normal range, the {' and '.join(close)} borderline"
    return "both knees stayed in line with the feet"


def overview(session: Session) -> str:
    """One sentence: what happened, in the coach's words."""
    n = len(session.reps)
    if n == 0:
        return (
            f"No {rep_noun(session.movement, 2)} were found in this clip, so nothing could "
            "be measured. Check that the whole movement is in the clip."
        )
    knees = _knee_phrase(session)
    pelvic = {
        VERDICTS[0]: "the pelvis stayed level" if session.movement == "squat" else NO_DROP_MEASURED,
        VERDICTS[1]: "the pelvis dropped more than normal",
        VERDICTS[2]: "the pelvis dropped markedly",
        NOT_MEASURABLE: "pelvic drop could not be measured",
    }[session.summary.pelvic_verdict]
    if session.summary.pelvis_per_leg and session.summary.pelvic_verdict in VERDICTS[1:]:
        pelvic += f" standing on the {session.summary.pelvic_stance_side} leg"
    return f"Over {n} {rep_noun(session.movement, n)}: {knees}, and {pelvic}."


def asymmetry_note(session: Session) -> str:
    """Left against right, with the same number the table sums (valgus.analysis.summary)."""
    d = session.summary.side_difference
    th = session.thresholds
    sdd, needed = th.fppa_sdd_deg.value, int(th.min_side_difference_reps.value)
    if d.status == "one leg only":
        return "Only one leg was tested as the stance leg; film the other leg to compare sides."
    if d.status == "view turned":
        return (
            "Left and right are not compared: the body is turned from the camera, so the two "
            "legs are seen from different angles. Film from straight in front to compare them."
        )
    if d.status == "no frame with both knees":
        return "Left and right could not be compared: FPPA was never valid for both at once."
    if d.status == "past the limit":
        return (
            "Left and right FPPA are not compared: the knees bent past the depth where FPPA "
            "is read (see each knee above)."
        )
    if d.status == "knees bent unequally":
        return (
            "Left and right FPPA are not compared: the knees bent unequally in every rep (a "
            "lunge or a split stance). Compare the sides with a single-leg squat on each leg."
        )
    how = (
        "both knees at the same frame of each rep"
        if d.method == "same frame"
        else "each leg's reps as the stance leg"
    )
    more = "left" if d.deg > 0 else "right"
    reps = min(d.reps.values())
    head = f"Left-right difference {abs(d.deg):.1f}° ({more} more inward), from {how}"
    if d.status == "real":
        return (
            f"{head}, over {reps} {rep_noun(session.movement, reps)}. It exceeds the {sdd:g}° "
            "smallest detectable difference of 2D FPPA (Munro 2012) in every rep: a real side "
            "difference."
        )
    if d.status == "too few reps":
        return (
            f"{head}, over only {reps} {rep_noun(session.movement, reps)}: at least {needed} a "
            "side are needed to tell a real difference from measurement error."
        )
    return (
        f"{head}. This is below the {sdd:g}° smallest detectable difference of 2D FPPA "
        "(Munro 2012) or not the same in every rep, so it may be measurement error rather "
        "than a real side difference."
    )
