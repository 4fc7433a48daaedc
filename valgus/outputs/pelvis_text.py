"""The pelvis card of the report: its verdict and numbers, in a coach's words.

Split from valgus.outputs.report_text (the knee cards, the overview and the
shared wording helpers), which it uses.
"""

from __future__ import annotations

from valgus.analysis.flags import NOT_MEASURABLE, VERDICTS
from valgus.outputs.report_text import Verdict, deg, rep_noun
from valgus.session import Session

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
    th = session.thresholds
    above = th.pelvic_drop_above_deg.value
    bilateral = session.movement == "squat"
    if s.pelvic_verdict == NOT_MEASURABLE:
        return Verdict("Pelvis", NOT_MEASURABLE, _pelvis_unmeasured(session))
    moved = "tilts" if bilateral else "drops on the free-leg side"
    meaning = {
        VERDICTS[0]: "The pelvis stays level."
        if bilateral
        else "No drop beyond the normal range was measured.",
        VERDICTS[1]: f"The pelvis {moved} more than normal.",
        VERDICTS[2]: f"The pelvis {moved} markedly.",
    }[s.pelvic_verdict]
    on = f" on the {s.pelvic_stance_side} leg" if s.pelvis_per_leg else ""
    n = s.pelvic_reps_measured
    numbers = _pelvis_numbers(session)
    if s.pelvic_reps_flagged and s.pelvic_verdict == VERDICTS[0]:
        numbers.append(
            f"{s.pelvic_reps_flagged} of {n} {rep_noun(session.movement, n)}{on} reached "
            f"{above:g}° or more (marked on the timeline); on average it stays within normal."
        )
    means = [s.pelvic_drop_deg_mean, *(p.drop_deg_mean for p in s.pelvis_by_stance)]
    if not bilateral and min(means) < 0:
        numbers.append("A negative drop means the free-leg side rose (a hip hike), not dropped.")
    if s.pelvic_reference != "standing":
        numbers.append(
            "Some shots had no standing frames; their drop is measured against a shot "
            "filmed the same way."
        )
    caveat = [PELVIS_READS_LOW] if not bilateral and s.pelvic_verdict == VERDICTS[0] else []
    return Verdict("Pelvis", s.pelvic_verdict, " ".join([meaning, *numbers, *caveat]))


def _pelvis_numbers(session: Session) -> list[str]:
    """Peak drop (tilt) on average and at most; in a single-leg task, per stance leg.

    Each stance leg tests its own hip abductors, so with reps on both legs
    each is said with its own verdict, the graded (worse) one first.
    """
    s = session.summary
    above = session.thresholds.pelvic_drop_above_deg.value
    cut = f"above normal from {above:g}°."
    if not s.pelvis_per_leg:
        what = "tilt" if session.movement == "squat" else "drop"
        n = s.pelvic_reps_measured
        on = f" standing on the {s.pelvic_stance_side} leg" if s.pelvic_stance_side else ""
        return [
            f"Peak {what}{on} {deg(s.pelvic_drop_deg_mean, 1)}"
            + (f" on average over {n} {rep_noun(session.movement, n)}" if n > 1 else "")
            + f", largest {deg(s.pelvic_drop_deg_max, 1)}; {cut}"
        ]
    legs = sorted(s.pelvis_by_stance, key=lambda p: p.stance_side != s.pelvic_stance_side)
    said = [
        f"standing on the {p.stance_side} leg, peak drop {deg(p.drop_deg_mean, 1)} on average "
        f"over {p.reps_measured} {rep_noun(session.movement, p.reps_measured)}, largest "
        f"{deg(p.drop_deg_max, 1)} ({p.verdict})"
        for p in legs
    ]
    first = "; ".join(said)
    return [f"{first[0].upper()}{first[1:]}; {cut}"]


def _pelvis_unmeasured(session: Session) -> str:
    """Why there is no pelvic verdict."""
    if not session.reps:
        return "Could not be measured: no rep or hold was found."
    if session.summary.pelvic_reference == "horizontal":
        return (
            "No verdict: the clip never shows both feet on the floor, so the pelvis could "
            "only be measured against the image horizontal, and a camera tilted a few "
            "degrees would read as a drop. Start the clip standing on both feet."
        )
    return "Could not be measured: the hips were not tracked at the reps' bottoms."
