"""AnalysisSettings: what the user chose for an analysis, in one frozen object.

Why: ``valgus analyze``, ``valgus batch``, ``valgus live`` and ``valgus serve``
take the same choices (movement, model, sex, threshold overrides, mirror
averaging, time chunks, whether to write the video). Declared once, they are
parsed once, validated once, turned into thresholds in one place, and
travel to worker processes as one picklable value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from valgus.errors import UsageError
from valgus.movement import MOVEMENT_CHOICES
from valgus.thresholds import Thresholds

SEXES = ("f", "m")
# The annotated video's shorter side by default: a 4K phone clip is watched in a browser
# or a report, where 720p shows every line of the overlay, and encoding it at 4K took
# most of the run (benchmarks/throughput.py --phone).
DEFAULT_VIDEO_SIZE = 720
VIDEO_SIZES = {"source": None, "1080": 1080, "720": 720}


@dataclass(frozen=True)
class AnalysisSettings:
    """The choices behind one analysis.

    Parameters
    ----------
    movement : str
        ``"auto"`` or a ``valgus.movement.Movement`` name.
    model : str
        ``"lite"``, ``"full"``, ``"heavy"`` or a path to a ``.task`` bundle.
    sex : {"f", "m"} or None
        Selects sex-specific FPPA normal ranges.
    overrides : tuple of (name, value)
        Threshold overrides in the order given (the last of a repeated name wins).
    mirror_average : bool
        Also run the model on mirrored frames and average (valgus.pose.mirror_average).
    jobs : int or None
        Landmarkers on time chunks of one clip at once; None picks by clip length.
    write_video : bool
        Write the annotated video (the numbers do not depend on it).
    video_size : int or None
        Shorter side of the annotated video in pixels (720: 720x1280 for a phone's
        portrait clip), never larger than the clip; None keeps the clip's size.
    refine : bool
        Re-read the reps' FPPA frames with the second model (valgus.pose.second_model).
    """

    movement: str = "auto"
    model: str = "full"
    sex: str | None = None
    overrides: tuple[tuple[str, float], ...] = ()
    mirror_average: bool = False
    jobs: int | None = None
    write_video: bool = True
    video_size: int | None = DEFAULT_VIDEO_SIZE
    refine: bool = True

    def __post_init__(self) -> None:
        if self.movement not in MOVEMENT_CHOICES:
            raise ValueError(
                f"movement must be one of {', '.join(MOVEMENT_CHOICES)}, got {self.movement!r}"
            )
        if self.sex not in (None, *SEXES):
            raise ValueError(f"sex must be 'f', 'm' or None, got {self.sex!r}")
        if self.video_size is not None and self.video_size < 2:
            raise ValueError(f"video_size must be >= 2 px or None, got {self.video_size}")
        if self.jobs is not None and self.jobs < 1:
            raise ValueError(f"jobs must be >= 1 or None, got {self.jobs}")
        object.__setattr__(self, "overrides", tuple((k, float(v)) for k, v in self.overrides))

    def thresholds(self) -> Thresholds:
        """The thresholds for this sex with the overrides applied.

        Raises
        ------
        UsageError
            For an unknown threshold name or a value out of its range.
        """
        try:
            return Thresholds.for_sex(self.sex).with_overrides(**dict(self.overrides))
        except ValueError as exc:
            raise UsageError(str(exc)) from exc

    def redo_key(self) -> dict[str, Any]:
        """The choices that change the numbers: a batch redoes a clip when they change.

        ``write_video`` and ``jobs`` are not among them (a video is only an extra
        file; how the work is split must not change a result). ``mirror_average`` is
        listed only when on, so folders written before the option existed stay
        current. ``refine`` is always listed: folders written before the second
        model existed hold MediaPipe's readings and are redone once.
        """
        return {
            "movement": self.movement,
            "model": self.model,
            "sex": self.sex,
            # Last value wins for a repeated name, as in the analysis itself.
            "overrides": {k: float(v) for k, v in sorted(dict(self.overrides).items())},
            **({"mirror_average": True} if self.mirror_average else {}),
            "refine": self.refine,
        }
