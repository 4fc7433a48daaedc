"""What to train: map a clip's findings to a hip-strengthening plan, in our own words.

Knee collapse (dynamic valgus) and contralateral pelvic drop both point to
weak hip abductors, gluteus medius and minimus (design.md section 1). The
usual plan starts with activation exercises, then loaded strength work. The
plan here is a pure function of the findings, so it can be tested without a
video, and it only recommends what the findings support: a clean screen gets
no programme, a clip that could not be measured gets a re-film request.
"""

from __future__ import annotations

from dataclasses import dataclass

from valgus.analysis.flags import NOT_MEASURABLE, VERDICTS
from valgus.outputs.findings import NO_DROP_MEASURED, SIDES, Findings

KNEE = "knee"  # exercise targets
PELVIS = "pelvis"


@dataclass(frozen=True)
class Exercise:
    """One exercise: its name, how to do it (one line) and what it addresses."""

    name: str
    how: str
    targets: frozenset[str]


@dataclass(frozen=True)
class Phase:
    """A stage of the plan with its dose and exercises."""

    title: str
    goal: str
    dose: str
    progression: str
    exercises: tuple[Exercise, ...]


@dataclass(frozen=True)
class Plan:
    """The training advice for one clip.

    ``needed`` is False when the screen found nothing to train (or nothing
    could be measured); ``phases`` is then empty and ``headline`` says why.
    """

    needed: bool
    headline: str
    reasons: tuple[str, ...]
    phases: tuple[Phase, ...]
    notes: tuple[str, ...]


def _ex(name: str, how: str, *targets: str) -> Exercise:
    return Exercise(name, how, frozenset(targets))


ACTIVATION = (
    _ex(
        "Clamshell",
        "Lie on your side, knees bent, heels together; open the top knee without rolling "
        "the pelvis back.",
        KNEE,
    ),
    _ex(
        "Side-lying leg raise",
        "Lie on your side, bottom knee bent; lift the straight top leg slightly behind you, "
        "toes pointing forward.",
        KNEE,
        PELVIS,
    ),
    _ex(
        "Lateral band walk",
        "Band around the knees or ankles, half squat; step sideways keeping the knees over "
        "the toes.",
        KNEE,
        PELVIS,
    ),
    _ex(
        "Glute bridge",
        "On your back, knees bent; push through the heels and lift the hips, knees pressing "
        "gently outwards.",
        KNEE,
        PELVIS,
    ),
    _ex(
        "Standing hip abduction",
        "Stand tall on one leg, hips level; move the other leg out to the side and back "
        "slowly (band optional).",
        PELVIS,
    ),
)

STRENGTH = (
    _ex(
        "Step-up",
        "Step onto a box with the whole foot; drive up without the knee drifting inward "
        "or the opposite hip dropping.",
        KNEE,
        PELVIS,
    ),
    _ex(
        "Reverse lunge",
        "Step back and lower under control; the front knee stays in line with the second toe.",
        KNEE,
    ),
    _ex(
        "Lateral lunge",
        "Step wide to the side and sit back into that hip; the bent knee tracks over the foot.",
        KNEE,
    ),
    _ex(
        "Romanian deadlift",
        "Hinge at the hips with a flat back; progress to single-leg with the pelvis kept level.",
        KNEE,
        PELVIS,
    ),
    _ex(
        "Hip thrust",
        "Upper back on a bench; drive the hips up through the heels, knees held apart.",
        KNEE,
        PELVIS,
    ),
    _ex(
        "Single-leg balance, knee out",
        "Stand on one leg, slight knee bend; keep the knee pushed gently out over the foot "
        "and the hips level for 30 s.",
        KNEE,
        PELVIS,
    ),
)

ACTIVATION_DOSE = "2-3 sessions a week · 2-3 sets of 10-15 reps per side"
ACTIVATION_PROGRESSION = (
    "Slow and controlled; you should feel the side of the hip working. When 3 sets of 15 "
    "are easy (often after 2-4 weeks), move on to strength and keep one or two of these "
    "as a warm-up."
)
STRENGTH_DOSE = "2-3 sessions a week · 3-4 sets of 6-12 reps per side"
STRENGTH_PROGRESSION = (
    "Add a band above the knees or more load once every rep stays clean, the knee over "
    "the foot and the hips level."
)


def _knee_reason(findings: Findings, side: str) -> str:
    word = findings.knee_verdict[side]
    degree = "clearly, " if word == VERDICTS[2] else ""
    evidence = (findings.knee_evidence or {}).get(side)
    if evidence is None:
        evidence = f"FPPA {findings.knee_mean_fppa_deg[side]:.0f}°"
    return f"The {side} knee moved inward {degree}more than the normal range ({evidence}, {word})."


def _reasons(findings: Findings) -> tuple[str, ...]:
    reasons = [_knee_reason(findings, side) for side in findings.knees_flagged]
    if findings.pelvis_flagged:
        on = findings.pelvic_stance_side
        reasons.append(
            (f"Standing on the {on} leg, the pelvis" if on else "The pelvis")
            + f" dropped on the free-leg side by {findings.pelvic_drop_deg:.1f}° "
            f"({findings.pelvic_verdict})"
            + (f": the {on} hip's abductors hold it level." if on else ".")
        )
    reasons.append(
        "Both signs point to weak hip abductors (gluteus medius and minimus), which hold "
        "the knee over the foot and the pelvis level."
        if findings.knees_flagged and findings.pelvis_flagged
        else "This points to weak hip abductors (gluteus medius and minimus), which hold "
        + ("the knee over the foot." if findings.knees_flagged else "the pelvis level.")
    )
    return tuple(reasons)


def _notes(findings: Findings) -> tuple[str, ...]:
    notes = []
    sides = findings.knees_flagged
    if len(sides) == 1 and findings.movement == "squat":
        notes.append(
            f"Favour the {sides[0]} side: do single-leg exercises on both legs, start with "
            f"the {sides[0]} and add one extra set on it."
        )
    elif findings.asymmetry_exceeds_sdd and findings.movement == "squat":
        worse = max(SIDES, key=lambda s: findings.knee_mean_fppa_deg[s])
        notes.append(
            f"The {worse} knee moved inward clearly more than the other: add one extra set "
            f"of the single-leg exercises on the {worse} side."
        )
    if findings.movement != "squat":
        notes.append("Test the other leg as well, so the two sides can be compared.")
    if findings.any_marked:
        notes.append(
            "A marked finding is at or beyond the average of people with kneecap pain: "
            "have a physiotherapist look at it before training with heavy loads."
        )
    notes.append("Stop an exercise that causes knee pain and get advice.")
    notes.append(
        "Film the same test again after 6-8 weeks, same camera position, to see the change."
    )
    return tuple(notes)


def recommend(findings: Findings) -> Plan:
    """The training plan the findings support.

    Parameters
    ----------
    findings : Findings

    Returns
    -------
    Plan
        No phases when nothing was flagged or nothing could be measured;
        otherwise an activation phase and a strength phase whose exercises
        address the flagged signs (knee collapse, pelvic drop or both).
    """
    if not findings.measurable:
        return Plan(
            needed=False,
            headline="Nothing could be measured reliably, so no training advice is given. "
            "Film again from the front with the whole body, feet included, in view.",
            reasons=(),
            phases=(),
            notes=(),
        )
    targets = ({KNEE} if findings.knees_flagged else set()) | (
        {PELVIS} if findings.pelvis_flagged else set()
    )
    if not targets:
        close = findings.knees_borderline
        return Plan(
            needed=False,
            headline=f"No corrective hip programme is needed{' yet' if close else ''}: "
            f"{_clean_screen(findings)}. "
            + (
                f"Film again to confirm the borderline {' and '.join(close)} knee"
                f"{'s' if len(close) > 1 else ''}."
                if close
                else "Keep training as usual."
            ),
            reasons=(),
            phases=(),
            notes=(),
        )
    return Plan(
        needed=True,
        headline="Strengthen the hip abductors: activation first, then strength.",
        reasons=_reasons(findings),
        phases=_phases(frozenset(targets)),
        notes=_notes(findings),
    )


def _clean_screen(findings: Findings) -> str:
    """What a screen with nothing flagged did show, claiming nothing it did not measure."""
    measured = [s for s in SIDES if findings.knee_verdict[s] != NOT_MEASURABLE]
    if not measured:
        knees = "the knee angle could not be measured"
    elif findings.movement != "squat":
        knees = "the standing knee stayed within the normal range"
    elif len(measured) == 2:
        knees = "the knees stayed within the normal range"
    else:
        other = "right" if measured[0] == "left" else "left"
        knees = (
            f"the {measured[0]} knee stayed within the normal range "
            f"(the {other} could not be measured)"
        )
    if findings.pelvic_verdict == NOT_MEASURABLE:
        pelvis = "pelvic drop could not be measured"
    elif findings.movement == "squat":
        pelvis = "the pelvis stayed level"
    else:
        pelvis = NO_DROP_MEASURED
    return f"{knees} and {pelvis}"


def _phases(targets: frozenset[str]) -> tuple[Phase, ...]:
    """Activation then strength, each with the exercises that address ``targets``."""
    return (
        Phase(
            "1 · Activation",
            "Wake up and coordinate the side-hip muscles.",
            ACTIVATION_DOSE,
            ACTIVATION_PROGRESSION,
            tuple(e for e in ACTIVATION if e.targets & targets),
        ),
        Phase(
            "2 · Strength",
            "Load the hip in the positions where control was lost.",
            STRENGTH_DOSE,
            STRENGTH_PROGRESSION,
            tuple(e for e in STRENGTH if e.targets & targets),
        ),
    )
