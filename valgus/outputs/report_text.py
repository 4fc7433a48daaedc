"""The report's words: verdicts, findings and data quality in plain language.

Kept apart from the HTML so the wording can be read, changed and tested on
its own. Sides are the person's own (design.md section 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from valgus.analysis.flags import NOT_MEASURABLE, VERDICTS
from valgus.movement import Movement
from valgus.outputs.recommendations import NO_DROP_MEASURED, borderline
from valgus.session import Session

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
    th = session.thresholds
    title = f"{side.capitalize()} knee"
    lifted = side in lifted_sides(session)
    if s.verdict == NOT_MEASURABLE:
        why = (
            "The lifted leg in this test: not assessed."
            if lifted
            else "Could not be measured: the leg was out of view or the thigh pointed "
            "at the camera."
        )
        return Verdict(title, NOT_MEASURABLE, why)
    close = borderline(session, side)
    meaning = {
        VERDICTS[0]: "The knee stays just inside the normal range."
        if close
        else "The knee stays in line over the foot.",
        VERDICTS[1]: "The knee moves inward more than normal.",
        VERDICTS[2]: "The knee collapses inward, as much as is typical of people with "
        "kneecap pain.",
    }[s.verdict]
    where = "during the hold" if session.movement == "single-leg-stance" else "at the bottom"
    average = " on average" if s.reps_measured > 1 else ""
    numbers = (
        f"Angle {where} {deg(s.mean_fppa_deg)}{average}, peak {deg(s.peak_fppa_deg)}; "
        f"normal is up to {th.fppa_above_deg.value:g}°."
    )
    caveat = (
        f" Borderline: less than {th.fppa_sem_deg.value:g}° below the cut, within the error "
        "of one reading; film again to confirm."
        if close
        else ""
    )
    return Verdict(title, s.verdict, f"{meaning} {numbers}{caveat}")


# On rendered clips with a known drop, valgus read about half of it (docs/validation.md,
# finding 4; the same with every MediaPipe pose model), so "within normal" on one leg is
# weaker evidence than it sounds.
PELVIS_READS_LOW = (
    "Pelvic drop reads low on video: on test clips with a known drop valgus measured about "
    "half of it, so this does not rule out weak hip abductors."
)


def pelvis_verdict(session: Session) -> Verdict:
    """The verdict for pelvic drop (bilateral squats: the pelvis tilting either way)."""
    s = session.summary
    above = session.thresholds.pelvic_drop_above_deg.value
    if s.pelvic_verdict == NOT_MEASURABLE:
        return Verdict("Pelvis", NOT_MEASURABLE, "Could not be measured.")
    bilateral = session.movement == "squat"
    moved = "tilts" if bilateral else "drops on the free-leg side"
    meaning = {
        VERDICTS[0]: "The pelvis stays level."
        if bilateral
        else "No drop beyond the normal range was measured.",
        VERDICTS[1]: f"The pelvis {moved} more than normal.",
        VERDICTS[2]: f"The pelvis {moved} markedly.",
    }[s.pelvic_verdict]
    per = f" per {rep_noun(session.movement)} on average" if len(session.reps) > 1 else ""
    numbers = (
        f"Largest {'tilt' if bilateral else 'drop'} {deg(s.pelvic_drop_deg_mean, 1)}{per}; "
        f"above normal from {above:g}°."
    )
    caveat = f" {PELVIS_READS_LOW}" if not bilateral and s.pelvic_verdict == VERDICTS[0] else ""
    return Verdict("Pelvis", s.pelvic_verdict, f"{meaning} {numbers}{caveat}")


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
    return f"Over {n} {rep_noun(session.movement, n)}: {knees}, and {pelvic}."


def asymmetry_note(session: Session) -> str:
    """Whether the left/right FPPA difference is real, against the SDD (design.md section 1)."""
    s = session.summary
    sdd = session.thresholds.fppa_sdd_deg.value
    if session.movement != "squat" or not math.isfinite(s.asymmetry_deg):
        return (
            "Left and right are compared only when both legs were measured in the same "
            "clip; film the other leg too."
        )
    diff = abs(s.asymmetry_deg)
    more = "left" if s.asymmetry_deg > 0 else "right"
    if s.asymmetry_exceeds_sdd:
        return (
            f"The {more} knee moves inward {diff:.1f}° more than the other on average. This "
            f"exceeds the {sdd:g}° smallest detectable difference of 2D FPPA (Munro 2012): "
            "a real side difference."
        )
    return (
        f"Left-right difference {diff:.1f}° on average ({more} higher). This is below the "
        f"{sdd:g}° smallest detectable difference of 2D FPPA (Munro 2012), so it may be "
        "measurement error rather than a real side difference."
    )
