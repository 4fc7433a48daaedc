"""Filtering and kinematics shot by shot, each whole-body shot against its own reference.

Why: smoothing across a cut blends two pictures, and a standing reference
taken in one framing (hip height, floor, pelvic baseline) is wrong in another
(valgus.analysis.shots). Frames outside analysed shots keep their pose (for
the overlay and the data quality) but carry no metric: nothing is measured in
a close-up, across a cut, or while the body is turned from the camera.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from valgus.analysis.filtering import FilterReport, filter_track
from valgus.analysis.kinematics import BodyReference, compute_kinematics, estimate_reference
from valgus.analysis.shots import Shot
from valgus.analysis.view import MAX_MEASURED_YAW_DEG
from valgus.pose.track import PoseTrack

# Columns kept in frames that are not measured; every other one is blanked.
KEPT_COLUMNS = ("time_s", "has_pose", "lower_body_visible", "body_yaw_deg")
# What a shot's pelvic drop is measured against.
PELVIC_STANDING = "standing"  # its own frames standing on both feet
PELVIC_BORROWED = "another shot"  # the standing frames of a shot of the same framing
PELVIC_HORIZONTAL = "horizontal"  # one shot, never standing: the image horizontal
PELVIC_NONE = "none"  # several shots, none of this framing standing: not measured
# Two shots share a camera set-up (and so a pelvic baseline) when the person's leg
# length differs by at most this share and the floor by at most this many leg lengths:
# an editor's cut back to the same camera (front/yogapose_tree's tree-pose shots
# never show her standing; its first wide shot does). A panning camera rolls between
# shots (front/tux_hyva_ja_paha2: up to 14 deg), so other shots lend no baseline.
SAME_FRAMING_LEG = 0.07
SAME_FRAMING_FLOOR = 0.1


@dataclass(frozen=True)
class ShotResult:
    """One shot and, if analysed, its body reference and what its pelvis is measured against."""

    shot: Shot
    reference: BodyReference | None
    pelvic_reference: str | None


def filter_by_shots(raw: PoseTrack, shots: list[Shot]) -> tuple[PoseTrack, FilterReport]:
    """:func:`filter_track` on each shot on its own, joined back into one track."""
    parts, reports = [], []
    for shot in shots:
        filtered, report = filter_track(raw.slice(shot.start_frame, shot.end_frame))
        parts.append(filtered)
        reports.append(report)
    return PoseTrack.concat(parts), FilterReport.combine(reports)


def _blank(frames: pd.DataFrame, rows: np.ndarray | None = None) -> pd.DataFrame:
    """Frames (all, or ``rows``) with every metric unknown: NaN numbers, False flags.

    The pose, its visibility and the body's turn are kept (the overlay and the
    data quality still use them).
    """
    out = frames.copy()
    mask = np.ones(len(out), dtype=bool) if rows is None else rows
    for column in out.columns:
        if column not in KEPT_COLUMNS:
            out.loc[mask, column] = False if out[column].dtype == bool else np.nan
    return out


def _longest_leg_px(reference: BodyReference) -> float:
    """The straighter leg's length: a lifted or folded leg (tree pose) reads shorter."""
    return max(
        reference.thigh_length_px[s] + reference.shank_length_px[s] for s in ("left", "right")
    )


def _same_framing(a: BodyReference, b: BodyReference) -> bool:
    """Two shots of one camera set-up: the person as big and standing as low in both."""
    leg_a, leg_b = _longest_leg_px(a), _longest_leg_px(b)
    leg = 0.5 * (leg_a + leg_b)
    return (
        abs(leg_a - leg_b) <= SAME_FRAMING_LEG * leg
        and abs(a.floor_y_px - b.floor_y_px) <= SAME_FRAMING_FLOOR * leg
    )


def _pelvic_references(
    references: list[BodyReference | None],
) -> list[tuple[BodyReference | None, str | None]]:
    """Each shot's reference, with the pelvic baseline it is measured against, and its name.

    An analysed shot without standing frames takes the baseline of the shot of
    the same framing with the most standing frames; with none, a clip of one
    shot is measured against the image horizontal (camera roll and landmark
    bias not removed) and a shot of an edited clip gets no pelvic value.
    """
    analysed = [r for r in references if r is not None]
    out: list[tuple[BodyReference | None, str | None]] = []
    for reference in references:
        if reference is None:
            out.append((None, None))
            continue
        if reference.standing_frames:
            out.append((reference, PELVIC_STANDING))
            continue
        donors = [r for r in analysed if r.standing_frames and _same_framing(reference, r)]
        if donors:
            baseline = max(donors, key=lambda r: r.standing_frames).pelvic_baseline_deg
            out.append((replace(reference, pelvic_baseline_deg=baseline), PELVIC_BORROWED))
        elif len(analysed) == 1:
            out.append((replace(reference, pelvic_baseline_deg=0.0), PELVIC_HORIZONTAL))
        else:
            out.append((replace(reference, pelvic_baseline_deg=float("nan")), PELVIC_NONE))
    return out


def kinematics_by_shots(
    track: PoseTrack, shots: list[Shot]
) -> tuple[pd.DataFrame, tuple[ShotResult, ...]]:
    """The per-frame table of the whole clip, computed shot by shot, and each shot's result.

    Adds ``shot`` (1-based shot number) and ``shot_analysed`` columns.
    """
    parts = [track.slice(shot.start_frame, shot.end_frame) for shot in shots]
    own = [
        estimate_reference(part) if shot.analysed else None
        for shot, part in zip(shots, parts, strict=True)
    ]
    tables, results = [], []
    chosen = _pelvic_references(own)
    for number, (shot, part, (reference, pelvis)) in enumerate(
        zip(shots, parts, chosen, strict=True), 1
    ):
        kinematics = compute_kinematics(part, reference=reference)
        table = kinematics.frames.set_axis(
            pd.RangeIndex(shot.start_frame, shot.end_frame, name="frame")
        )
        if not shot.analysed:
            table = _blank(table)
        else:  # a body turned from the camera is not measured (valgus.analysis.view)
            table = _blank(table, table["body_yaw_deg"].to_numpy() > MAX_MEASURED_YAW_DEG)
        results.append(ShotResult(shot, reference, pelvis))
        tables.append(table.assign(shot=number, shot_analysed=shot.analysed))
    return pd.concat(tables), tuple(results)


def drop_against_a_baseline(
    drop: pd.Series, frames: pd.DataFrame, shots: tuple[ShotResult, ...]
) -> pd.Series:
    """Per-frame pelvic drop, NaN in the shots measured against the image horizontal.

    Why: a shot that never stands on both feet has no standing baseline, and its
    tilt against the horizontal moves with the camera's roll (a 5 deg roll moved
    tux_hyva2's by ~5 deg). Its reps show no drop (RepMetrics.pelvic_drop_deg);
    the curve, the overlay's panel and frames.csv must not show one either. The
    tilt itself stays in ``pelvic_obliquity_deg``.
    """
    horizontal = [n for n, s in enumerate(shots, 1) if s.pelvic_reference == PELVIC_HORIZONTAL]
    return drop.where(~frames["shot"].isin(horizontal).to_numpy())
