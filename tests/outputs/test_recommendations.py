"""Findings -> training plan: only what the findings support, with the programme's dose."""

from __future__ import annotations

import dataclasses
import math

import pytest

from valgus.outputs.findings import Findings
from valgus.outputs.recommendations import ACTIVATION, STRENGTH, recommend

OK, ABOVE, MARKED, NA = "within normal", "above normal range", "marked", "not measurable"
NAN = math.nan


def findings(
    left=OK,
    right=OK,
    pelvis=OK,
    *,
    movement="squat",
    fppa=(5.0, 5.0),
    drop=1.0,
    asymmetric=False,
) -> Findings:
    return Findings(
        movement=movement,
        knee_verdict={"left": left, "right": right},
        knee_mean_fppa_deg={"left": fppa[0], "right": fppa[1]},
        pelvic_verdict=pelvis,
        pelvic_drop_deg=drop,
        asymmetry_exceeds_sdd=asymmetric,
    )


def names(plan) -> list[list[str]]:
    return [[e.name for e in phase.exercises] for phase in plan.phases]


def test_clean_screen_gets_no_programme():
    plan = recommend(findings())
    assert not plan.needed
    assert plan.phases == () and plan.reasons == ()
    assert "No corrective hip programme is needed" in plan.headline


def test_nothing_measurable_asks_to_film_again_instead_of_advising():
    plan = recommend(findings(NA, NA, NA, fppa=(NAN, NAN), drop=NAN))
    assert not plan.needed and plan.phases == ()
    assert "Film again" in plan.headline


def test_knee_collapse_gets_activation_then_strength_with_the_dose():
    plan = recommend(findings(ABOVE, ABOVE, fppa=(16.0, 13.0)))
    assert plan.needed
    assert [p.title for p in plan.phases] == ["1 · Activation", "2 · Strength"]
    activation, strength = plan.phases
    assert "2-3 sessions a week" in activation.dose and "2-3 sets of 10-15" in activation.dose
    assert "3-4 sets of 6-12" in strength.dose
    assert "band" in strength.progression and "load" in strength.progression
    assert names(plan) == [
        ["Clamshell", "Side-lying leg raise", "Lateral band walk", "Glute bridge"],
        [
            "Step-up",
            "Reverse lunge",
            "Lateral lunge",
            "Romanian deadlift",
            "Hip thrust",
            "Single-leg balance, knee out",
        ],
    ]
    assert any("left knee" in r and "16°" in r for r in plan.reasons)
    assert any("gluteus medius and minimus" in r for r in plan.reasons)


def test_pelvic_drop_alone_targets_the_pelvis_not_the_knee_only_drills():
    plan = recommend(findings(pelvis=ABOVE, movement="single-leg-stance", drop=5.2))
    activation, strength = names(plan)
    assert "Standing hip abduction" in activation and "Clamshell" not in activation
    assert "Reverse lunge" not in strength and "Step-up" in strength
    assert any("5.2°" in r for r in plan.reasons)
    assert any("other leg" in n for n in plan.notes)


def test_both_signs_get_every_exercise_once():
    plan = recommend(findings(ABOVE, OK, ABOVE, fppa=(14.0, 4.0), drop=5.0))
    activation, strength = names(plan)
    assert activation == [e.name for e in ACTIVATION]
    assert strength == [e.name for e in STRENGTH]


@pytest.mark.parametrize(
    ("left", "right", "asymmetric", "favoured"),
    [
        (ABOVE, OK, False, "left"),  # one side flagged
        (OK, ABOVE, False, "right"),
        (ABOVE, ABOVE, True, "left"),  # both flagged, left clearly worse (beyond the SDD)
    ],
)
def test_the_worse_side_gets_extra_work(left, right, asymmetric, favoured):
    plan = recommend(findings(left, right, fppa=(22.0, 13.0), asymmetric=asymmetric))
    assert any(f"{favoured} side" in n for n in plan.notes), plan.notes


def test_symmetric_collapse_within_the_sdd_favours_no_side():
    plan = recommend(findings(ABOVE, ABOVE, fppa=(16.0, 13.0), asymmetric=False))
    assert not any(" side:" in n or "extra set" in n for n in plan.notes)


def test_marked_finding_sends_to_a_physiotherapist():
    marked = recommend(findings(MARKED, ABOVE, fppa=(19.0, 13.0)))
    mild = recommend(findings(ABOVE, ABOVE, fppa=(14.0, 13.0)))
    assert any("physiotherapist" in n for n in marked.notes)
    assert not any("physiotherapist" in n for n in mild.notes)


def test_findings_reject_unknown_verdicts_and_sides():
    with pytest.raises(ValueError, match="verdict must be one of"):
        findings("bad")
    with pytest.raises(ValueError, match="exactly the keys"):
        Findings("squat", {"left": OK}, {"left": 1.0, "right": 1.0}, OK, 1.0, False)
    with pytest.raises(ValueError, match="knees_borderline must name"):
        dataclasses.replace(findings(), knees_borderline=("middle",))


def test_clean_screen_claims_only_what_was_measured():
    # A pelvis that could not be measured is not "level"; nor is one knee "both".
    headline = recommend(findings(OK, OK, NA, drop=NAN)).headline
    assert "pelvic drop could not be measured" in headline and "level" not in headline
    headline = recommend(findings(OK, NA, OK, fppa=(5.0, NAN))).headline
    assert "the left knee stayed within the normal range (the right could not be measured)" in (
        headline
    )
    assert "the pelvis stayed level" in headline


def test_clean_single_leg_screen_does_not_call_the_pelvis_level():
    # valgus reads about half of a known pelvic drop (docs/validation.md, finding 4).
    headline = recommend(findings(NA, OK, OK, movement="single-leg-squat")).headline
    assert "the standing knee stayed within the normal range" in headline
    assert "no pelvic drop beyond the normal range was measured" in headline
    assert "level" not in headline


def test_borderline_knees_are_asked_to_film_again_not_told_all_is_well():
    both = Findings(
        "squat", {"left": OK, "right": OK}, {"left": 10.5, "right": 11.0}, OK, 1.0, False,
        knees_borderline=("left", "right"),
    )  # fmt: skip
    plan = recommend(both)
    assert not plan.needed and plan.phases == ()
    assert plan.headline.startswith("No corrective hip programme is needed yet:")
    assert plan.headline.endswith("Film again to confirm the borderline left and right knees.")
