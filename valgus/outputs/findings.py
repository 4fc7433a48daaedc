"""What a clip found, reduced to what the training advice and the report's words depend on.

Why apart from the plan (valgus.outputs.recommendations): the report's
sentences and the plan must say the same thing about a knee (where its FPPA
was read, whether it is borderline), so both read it from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from valgus.analysis.flags import NOT_MEASURABLE, VERDICTS
from valgus.session import Session, SideSummary, Summary

SIDES = ("left", "right")
FLAGGED = frozenset(VERDICTS[1:])  # "above normal range", "marked"
# A single-leg pelvis within normal: valgus reads about half of a known drop
# (docs/validation.md, finding 4), so it is not called "level".
NO_DROP_MEASURED = "no pelvic drop beyond the normal range was measured"
_ALL_VERDICTS = (*VERDICTS, NOT_MEASURABLE)


def fppa_where(side_summary: SideSummary) -> str:
    """Where a knee's FPPA was read: "at the bottom", or higher up where it is still valid."""
    s = side_summary
    if s.reps_read_at_bottom == s.reps_measured:
        return "at the bottom"
    if s.reps_read_at_bottom == 0:
        return "on the way down, at the deepest frame where it can be read"
    return "at the bottom or, where not readable there, the deepest frame down where it can be"


def knee_evidence(summary: Summary, side: str) -> str:
    """What a knee's verdict rests on, in a few words ("FPPA 14° at the bottom")."""
    s = getattr(summary, side)
    from_depth = s.verdict != s.fppa_verdict and summary.depth_verdict == s.verdict
    if from_depth:
        closer = 1.0 - summary.kasr_change_bottom_mean
        return (
            f"at the bottom the knees come {closer:.0%} closer together, for the ankles' "
            "spacing, than standing"
        )
    return f"FPPA {s.mean_fppa_deg:.0f}° {fppa_where(s)}"


def borderline(session: Session, side: str) -> bool:
    """Within normal, but closer to the cut than one reading's error (``fppa_sem_deg``)."""
    s, th = getattr(session.summary, side), session.thresholds
    return s.verdict == VERDICTS[0] and bool(
        s.mean_fppa_deg > th.fppa_above_deg.value - th.fppa_sem_deg.value
    )


@dataclass(frozen=True)
class Findings:
    """What the screen found, reduced to what the training plan depends on.

    Attributes
    ----------
    movement : str
        "squat", "single-leg-squat" or "single-leg-stance".
    knee_verdict : dict {"left", "right"} -> str
        One of `valgus.analysis.flags.VERDICTS` or "not measurable".
    knee_mean_fppa_deg : dict {"left", "right"} -> float
        Mean FPPA at the rep bottoms (NaN when not measurable).
    pelvic_verdict : str
    pelvic_drop_deg : float
        Mean over reps of the peak pelvic drop (NaN when not measurable).
    asymmetry_exceeds_sdd : bool
        True when the left/right FPPA difference is a real side difference
        (valgus.analysis.summary.side_difference: the SDD, over enough reps,
        the same way in every rep).
    knees_borderline : tuple of str
        Sides read within normal but closer to the cut than one reading's
        error (see :func:`borderline`).
    knee_evidence : dict {"left", "right"} -> str
        What each knee's verdict rests on (see :func:`knee_evidence`).
    pelvic_stance_side : str or None
        In a single-leg task with reps on both legs, the stance leg whose drop
        ``pelvic_verdict`` grades (each stance leg tests its own abductors).
    """

    movement: str
    knee_verdict: dict[str, str]
    knee_mean_fppa_deg: dict[str, float]
    pelvic_verdict: str
    pelvic_drop_deg: float
    asymmetry_exceeds_sdd: bool
    knees_borderline: tuple[str, ...] = ()
    knee_evidence: dict[str, str] | None = None
    pelvic_stance_side: str | None = None

    def __post_init__(self) -> None:
        for name in ("knee_verdict", "knee_mean_fppa_deg"):
            if set(getattr(self, name)) != set(SIDES):
                raise ValueError(f"{name} must have exactly the keys 'left' and 'right'")
        for word in (*self.knee_verdict.values(), self.pelvic_verdict):
            if word not in _ALL_VERDICTS:
                raise ValueError(f"verdict must be one of {_ALL_VERDICTS}, got {word!r}")
        if not set(self.knees_borderline) <= set(SIDES):
            raise ValueError(
                f"knees_borderline must name 'left' or 'right', got {self.knees_borderline}"
            )

    @classmethod
    def from_session(cls, session: Session) -> Findings:
        """The findings of an analysed clip (its Summary)."""
        s = session.summary
        return cls(
            movement=session.movement,
            knee_verdict={"left": s.left.verdict, "right": s.right.verdict},
            knee_mean_fppa_deg={"left": s.left.mean_fppa_deg, "right": s.right.mean_fppa_deg},
            pelvic_verdict=s.pelvic_verdict,
            pelvic_drop_deg=s.pelvic_drop_deg_mean,
            asymmetry_exceeds_sdd=s.side_difference.status == "real",
            knees_borderline=tuple(side for side in SIDES if borderline(session, side)),
            knee_evidence={side: knee_evidence(s, side) for side in SIDES},
            pelvic_stance_side=s.pelvic_stance_side if s.pelvis_per_leg else None,
        )

    @property
    def knees_flagged(self) -> tuple[str, ...]:
        """Sides whose knee moved inward beyond the normal range."""
        return tuple(side for side in SIDES if self.knee_verdict[side] in FLAGGED)

    @property
    def pelvis_flagged(self) -> bool:
        return self.pelvic_verdict in FLAGGED

    @property
    def any_marked(self) -> bool:
        return VERDICTS[2] in (*self.knee_verdict.values(), self.pelvic_verdict)

    @property
    def measurable(self) -> bool:
        """Whether anything at all could be judged."""
        words = (*self.knee_verdict.values(), self.pelvic_verdict)
        return any(word != NOT_MEASURABLE for word in words)
