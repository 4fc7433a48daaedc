"""Every cut the flagging uses, each with its value, unit and source.

Thresholds are immutable values: `Thresholds.for_sex` and
`Thresholds.with_overrides` return new objects, so one analysis can never
change the defaults of the next (the shallow-copied default config that
Sports2D's first call alters is the failure this avoids; design.md section 4).

Sources (as cited in design.md section 1, "Thresholds"):

- Herrington & Munro 2010, Phys Ther Sport: single-leg landing FPPA normal
  range 5-12 deg (women), 1-9 deg (men).
- Herrington 2014, Knee 21:514: single-leg squat FPPA 8.4 +/- 5.1 deg
  (asymptomatic women) vs 16.8 +/- 5.4 deg (patellofemoral pain).
- Munro 2012: 2D FPPA SEM 2.7-3.0 deg, between-day SDD 7.5-8.9 deg.
- Youdas 2007: Trendelenburg pelvic obliquity goniometry SEM 2 deg, MDC 4 deg.
- Dingenen 2018: 2D contralateral pelvic drop SDD 2.7-2.8 deg.
- Mizner 2012: knee-to-ankle separation ratio (KASR), knees closer together
  than the ankles below 1; valgus compares it at the bottom with standing.

Where no study gives a cut, the source says "valgus heuristic" and why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from types import MappingProxyType

_HERRINGTON_2010 = "Herrington & Munro 2010, Phys Ther Sport"


@dataclass(frozen=True)
class Threshold:
    """One cut with its unit and where it comes from.

    Attributes
    ----------
    value : float
        The cut, in `unit`.
    unit : str
        "deg", "s", "ratio" or "reps".
    source : str
        Literature reference, or "valgus heuristic: <reason>" where none exists.
        Shown in the report next to every verdict.
    """

    value: float
    unit: str
    source: str

    def __post_init__(self) -> None:
        if not math.isfinite(self.value):
            raise ValueError(f"threshold value must be finite, got {self.value!r}")
        if not self.source:
            raise ValueError("threshold source must not be empty")


_FPPA_ABOVE = MappingProxyType(
    {
        "f": Threshold(
            12.0,
            "deg",
            "upper end of the women's single-leg landing FPPA normal range 5-12 deg "
            f"({_HERRINGTON_2010})",
        ),
        "m": Threshold(
            9.0,
            "deg",
            "upper end of the men's single-leg landing FPPA normal range 1-9 deg "
            f"({_HERRINGTON_2010})",
        ),
        None: Threshold(
            12.0,
            "deg",
            "sex not given: upper end of the women's single-leg landing FPPA normal range "
            f"5-12 deg ({_HERRINGTON_2010}); the wider range avoids flagging healthy women "
            "and matches the all-female cohort behind the 'marked' cut (Herrington 2014)",
        ),
    }
)


@dataclass(frozen=True)
class Thresholds:
    """All cuts used to grade FPPA and pelvic drop, with their sources.

    Build with `Thresholds.for_sex` ("f", "m" or None); `Thresholds()` equals
    `Thresholds.for_sex(None)`. Change a value with `with_overrides`.

    Attributes
    ----------
    fppa_above_deg : Threshold
        FPPA at or above this is "above normal range" (sex-specific).
    fppa_marked_deg : Threshold
        FPPA at or above this is "marked": the patellofemoral pain group mean.
    fppa_hysteresis_deg : Threshold
        An FPPA flag leaves this many degrees below the value that set it.
    pelvic_drop_above_deg : Threshold
        Pelvic drop at or above this is "above normal range".
    pelvic_drop_marked_deg : Threshold
        Pelvic drop at or above this is "marked".
    pelvic_drop_hysteresis_deg : Threshold
        A pelvic drop flag leaves this many degrees below the value that set it.
    min_flag_duration_s : Threshold
        Flags shorter than this are dropped as noise.
    fppa_sdd_deg : Threshold
        Smallest FPPA difference (left vs right, or session vs session) that is
        a real difference and not measurement error.
    pelvic_drop_sdd_deg : Threshold
        The same for pelvic drop.
    fppa_sem_deg : Threshold
        Measurement error of one FPPA reading: a knee read within normal but
        less than this below ``fppa_above_deg`` is reported as borderline.
    kasr_change_above_ratio, kasr_change_marked_ratio : Threshold
        A bilateral squat whose knee-to-ankle separation ratio at the bottom,
        over the same ratio standing, is below these is "above normal range" /
        "marked" (the knees come in between the feet).
    min_side_difference_reps : Threshold
        Reps a side needed before a left/right difference is called real.
    """

    fppa_above_deg: Threshold = _FPPA_ABOVE[None]
    fppa_marked_deg: Threshold = Threshold(
        16.8,
        "deg",
        "single-leg squat FPPA mean of the patellofemoral pain group, 16.8 +/- 5.4 deg "
        "(Herrington 2014, Knee 21:514)",
    )
    fppa_hysteresis_deg: Threshold = Threshold(
        2.0,
        "deg",
        "valgus heuristic: exit 2 deg below entry, inside the FPPA SEM of 2.7-3.0 deg "
        "(Munro 2012), so measurement noise cannot toggle a flag",
    )
    pelvic_drop_above_deg: Threshold = Threshold(
        4.0,
        "deg",
        "minimal detectable change of Trendelenburg pelvic obliquity goniometry, 4 deg "
        "(Youdas 2007)",
    )
    pelvic_drop_marked_deg: Threshold = Threshold(
        8.0,
        "deg",
        "valgus heuristic: twice the 4 deg MDC of Youdas 2007 (no published cut for 'marked')",
    )
    pelvic_drop_hysteresis_deg: Threshold = Threshold(
        1.0,
        "deg",
        "valgus heuristic: exit 1 deg below entry, half the 2 deg SEM of Trendelenburg "
        "goniometry (Youdas 2007), as the pelvic cuts are a quarter to a third of FPPA's",
    )
    min_flag_duration_s: Threshold = Threshold(
        0.1,
        "s",
        "valgus heuristic: a flag must last about 100 ms (3 frames at 30 fps) so single-frame "
        "landmark noise cannot raise it",
    )
    fppa_sdd_deg: Threshold = Threshold(
        7.5,
        "deg",
        "smallest detectable difference of 2D FPPA between days, 7.5-8.9 deg (Munro 2012); "
        "the lower end",
    )
    pelvic_drop_sdd_deg: Threshold = Threshold(
        2.7,
        "deg",
        "smallest detectable difference of 2D contralateral pelvic drop, 2.7-2.8 deg "
        "(Dingenen 2018); the lower end",
    )
    fppa_sem_deg: Threshold = Threshold(
        3.0,
        "deg",
        "standard error of measurement of 2D FPPA, 2.7-3.0 deg (Munro 2012); the upper end, "
        "near valgus's own error at rep bottoms (MAE 3.4 deg, docs/validation.md)",
    )
    kasr_change_above_ratio: Threshold = Threshold(
        0.85,
        "ratio",
        "valgus heuristic on the knee-to-ankle separation ratio (KASR, Mizner 2012) at the "
        "bottom of a squat over the same ratio standing, so that a wide stance, where knees "
        "in line already sit inside the ankles, does not read as valgus: 15% for the "
        "landmarks' measurement error. Clean squats of ../shared/videos read 1.1-3.1 (the "
        "knees travel out over the toes), the rendered neutral squat 0.95. Lower is worse",
    )
    kasr_change_marked_ratio: Threshold = Threshold(
        0.7,
        "ratio",
        "valgus heuristic: the knees 30% closer together, for the ankles' spacing, than "
        "standing (the rendered squat with 18/12 deg of FPPA reads 0.61; no published cut "
        "for 'marked'); lower is worse",
    )
    min_side_difference_reps: Threshold = Threshold(
        3.0,
        "reps",
        "a left/right difference is judged real only over at least 3 reps a side, as Munro "
        "2012 averages three trials before comparing with the SDD",
    )

    def __post_init__(self) -> None:
        for f in fields(self):
            if not isinstance(getattr(self, f.name), Threshold):
                raise ValueError(f"{f.name} must be a Threshold, got {getattr(self, f.name)!r}")
        for kind in ("fppa", "pelvic_drop"):
            above = getattr(self, f"{kind}_above_deg").value
            marked = getattr(self, f"{kind}_marked_deg").value
            if marked <= above:
                raise ValueError(
                    f"{kind}_marked_deg ({marked}) must be greater than {kind}_above_deg ({above})"
                )
            if getattr(self, f"{kind}_hysteresis_deg").value < 0:
                raise ValueError(f"{kind}_hysteresis_deg must be >= 0")
        nonnegative = ("min_flag_duration_s", "fppa_sdd_deg", "pelvic_drop_sdd_deg", "fppa_sem_deg")
        for name in (*nonnegative, "min_side_difference_reps"):
            if getattr(self, name).value < 0:
                raise ValueError(f"{name} must be >= 0")
        marked, above = self.kasr_change_marked_ratio.value, self.kasr_change_above_ratio.value
        if not 0 < marked < above:
            raise ValueError(
                f"kasr_change_marked_ratio ({marked}) must be above 0 and below "
                f"kasr_change_above_ratio ({above})"
            )

    @classmethod
    def for_sex(cls, sex: str | None) -> Thresholds:
        """Default thresholds for a sex.

        Parameters
        ----------
        sex : {"f", "m", None}
            None (not given) uses the women's normal range; see the source of
            `fppa_above_deg` for why.

        Returns
        -------
        Thresholds
        """
        if sex not in _FPPA_ABOVE:
            raise ValueError(f"sex must be 'f', 'm' or None, got {sex!r}")
        return cls(fppa_above_deg=_FPPA_ABOVE[sex])

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """Names of all thresholds, in declaration order."""
        return tuple(f.name for f in fields(cls))

    def with_overrides(self, **values: float | Threshold) -> Thresholds:
        """A copy with some thresholds replaced.

        Parameters
        ----------
        **values : float or Threshold
            Threshold name to new value. A plain number keeps the unit and
            records "user override (default was ...)" as the source, so the
            report never attributes a user's number to a study.

        Returns
        -------
        Thresholds
            A new object; this one is unchanged.
        """
        known = self.names()
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ValueError(
                f"unknown threshold name(s): {', '.join(unknown)}; known: {', '.join(known)}"
            )
        changes: dict[str, Threshold] = {}
        for name, new in values.items():
            old: Threshold = getattr(self, name)
            if isinstance(new, Threshold):
                changes[name] = new
            elif isinstance(new, (int, float)) and not isinstance(new, bool):
                changes[name] = Threshold(
                    float(new), old.unit, f"user override (default was {old.value:g} {old.unit})"
                )
            else:
                raise ValueError(f"{name} must be a number or a Threshold, got {new!r}")
        return replace(self, **changes)

    def to_dict(self) -> dict[str, dict[str, float | str]]:
        """``{name: {"value", "unit", "source"}}`` for report.json."""
        return {
            name: {
                "value": getattr(self, name).value,
                "unit": getattr(self, name).unit,
                "source": getattr(self, name).source,
            }
            for name in self.names()
        }
