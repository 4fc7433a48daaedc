"""The movements valgus screens, declared once for every stage, output and app.

Why an enum of strings: the name travels through report.json, CSV, the
command line and the web pages as plain text ("single-leg-squat"), so each
member *is* its string (``Movement.SQUAT == "squat"``, formats and serialises
as ``squat``), while code gets one place for the list, the titles shown to
people and the rules that differ by movement (single-leg or not, rep or hold).
"""

from __future__ import annotations

from enum import Enum

AUTO = "auto"


class Movement(str, Enum):
    """A screened movement; the value is its name everywhere (CLI, JSON, web)."""

    SQUAT = "squat"
    SINGLE_LEG_SQUAT = "single-leg-squat"
    SINGLE_LEG_STANCE = "single-leg-stance"

    # Format and print as the plain name, on every Python version (3.12 changed the
    # default for mixed-in enums to "Movement.SQUAT").
    __str__ = str.__str__
    __format__ = str.__format__

    @property
    def title(self) -> str:
        """How people read it: "Squat", "Single-leg squat", "Single-leg stance"."""
        return " ".join(self.value.capitalize().rsplit("-", 1))

    @property
    def is_single_leg(self) -> bool:
        """One leg bears the weight: the lifted leg is never a valgus measure."""
        return self is not Movement.SQUAT

    @property
    def rep_noun(self) -> str:
        """What one repetition is called: a squat has reps, a stance test has holds."""
        return "hold" if self is Movement.SINGLE_LEG_STANCE else "rep"

    def count(self, n: int) -> str:
        """``"3 reps"``, ``"1 hold"``."""
        return f"{n} {self.rep_noun}{'' if n == 1 else 's'}"


MOVEMENTS: tuple[str, ...] = tuple(m.value for m in Movement)
MOVEMENT_CHOICES: tuple[str, ...] = (AUTO, *MOVEMENTS)


def titles() -> dict[str, str]:
    """Name -> title of every choice, ``auto`` included (for the web pages)."""
    return {AUTO: "Auto-detect", **{m.value: m.title for m in Movement}}
