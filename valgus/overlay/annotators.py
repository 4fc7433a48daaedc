"""Per-frame annotators: skeleton, angle panel, rep panel, collapse border, cue.

Each takes its style in ``__init__`` and draws only in
``annotate(image_bgr, frame) -> image_bgr`` (supervision style, design.md
section 4); the data types live in :mod:`valgus.overlay.frame`, the chaining in
:mod:`valgus.overlay.chain`.
Sides are the person's own: facing the camera, the person's LEFT leg is on
the IMAGE RIGHT, hence the "L"/"R" labels beside the knees.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from valgus.movement import Movement
from valgus.overlay.draw import (
    DEFAULT_PALETTE,
    SHIFT_BITS,
    OverlayPalette,
    PanelRow,
    check_image,
    dim_rect,
    draw_panel,
    draw_text,
    px,
    text_size,
    to_fixed,
    ui_scale,
)
from valgus.overlay.frame import OverlayFrame
from valgus.pose.landmarks import LEG, SIDES, SKELETON_EDGES, Landmark


def _point(xy: np.ndarray | None, index: int) -> np.ndarray | None:
    if xy is None or not np.all(np.isfinite(xy[index])):
        return None
    return xy[index]


def format_angle(value_deg: float, *, decimals: int = 0) -> str:
    """Angle text for the panels: "14°" (rounded to ``decimals``), "--" when NaN or infinite."""
    return f"{value_deg:.{decimals}f}°" if math.isfinite(value_deg) else "--"


def leg_bgr(frame: OverlayFrame, side: str, palette: OverlayPalette) -> tuple[int, int, int]:
    """Colour of one leg: its collapse grade, grey when FPPA is not measurable."""
    if not frame.fppa_valid[side] or not math.isfinite(frame.fppa_deg[side]):
        return palette.invalid_bgr
    return palette.grade_bgr(frame.collapse_grade[side])


class SkeletonAnnotator:
    """Legs coloured by knee state, pelvis by pelvic grade, trunk and feet thin.

    Parameters
    ----------
    palette : OverlayPalette, keyword-only
    edges : sequence of (int, int), keyword-only
        Landmark index pairs to draw; legs and pelvis are recognised and coloured.
    side_labels : bool, keyword-only
        Write "L"/"R" beside each knee, on its outer side.
    """

    def __init__(
        self,
        *,
        palette: OverlayPalette = DEFAULT_PALETTE,
        edges: tuple[tuple[int, int], ...] = SKELETON_EDGES,
        side_labels: bool = True,
    ) -> None:
        self.palette = palette
        self.edges = edges
        self.side_labels = side_labels
        self._leg_edges = {
            side: {frozenset(LEG[side][:2]), frozenset(LEG[side][1:])} for side in SIDES
        }
        self._pelvis = frozenset((Landmark.LEFT_HIP, Landmark.RIGHT_HIP))

    def _edge_style(
        self, edge: tuple[int, int], frame: OverlayFrame, unit: float
    ) -> tuple[tuple[int, int, int], int, int]:
        """(colour, thickness px, layer) of one edge; layer 1 (legs, pelvis) is drawn on top."""
        key = frozenset(edge)
        for side in SIDES:
            if key in self._leg_edges[side]:
                return leg_bgr(frame, side, self.palette), px(5, unit, 2), 1
        if key == self._pelvis:
            grade_ok = math.isfinite(frame.pelvic_drop_deg)
            color = (
                self.palette.grade_bgr(frame.pelvic_grade) if grade_ok else self.palette.invalid_bgr
            )
            return color, px(4, unit, 2), 1
        return self.palette.body_bgr, px(2.5, unit), 0

    def annotate(self, image_bgr: np.ndarray, frame: OverlayFrame) -> np.ndarray:
        check_image(image_bgr)
        xy = frame.xy_px
        if xy is None:
            return image_bgr
        unit = ui_scale(*image_bgr.shape[:2])
        fixed = to_fixed(xy)
        styled = [(edge, *self._edge_style(edge, frame, unit)) for edge in self.edges]
        for layer in (0, 1):  # thin body lines first, coloured legs and pelvis on top
            for (a, b), color, thick, edge_layer in styled:
                if edge_layer != layer or _point(xy, a) is None or _point(xy, b) is None:
                    continue
                p, q = tuple(fixed[a]), tuple(fixed[b])
                outline = thick + px(3, unit, 2)
                cv2.line(
                    image_bgr, p, q, self.palette.outline_bgr, outline, cv2.LINE_AA, SHIFT_BITS
                )
                cv2.line(image_bgr, p, q, color, thick, cv2.LINE_AA, SHIFT_BITS)
        for side in SIDES:
            self._draw_joints(image_bgr, frame, side, fixed, unit)
        if self.side_labels:
            for side in SIDES:
                self._draw_side_label(image_bgr, frame, side, unit)
        return image_bgr

    def _draw_joints(
        self, image_bgr: np.ndarray, frame: OverlayFrame, side: str, fixed: np.ndarray, unit: float
    ) -> None:
        """Hip and ankle as white dots, the knee larger in the leg's colour."""
        color = leg_bgr(frame, side, self.palette)
        for index in LEG[side]:
            if _point(frame.xy_px, index) is None:
                continue
            is_knee = index == LEG[side][1]
            radius = px(7 if is_knee else 5, unit, 3)
            center = tuple(fixed[index])
            r_fixed = radius << SHIFT_BITS
            fill = color if is_knee else self.palette.body_bgr
            cv2.circle(image_bgr, center, r_fixed, fill, -1, cv2.LINE_AA, SHIFT_BITS)
            cv2.circle(
                image_bgr,
                center,
                r_fixed,
                self.palette.outline_bgr,
                px(1.5, unit),
                cv2.LINE_AA,
                SHIFT_BITS,
            )

    def _draw_side_label(
        self, image_bgr: np.ndarray, frame: OverlayFrame, side: str, unit: float
    ) -> None:
        """'L'/'R' beside the knee, on the side away from the other knee."""
        hip, knee, _ = LEG[side]
        other = "right" if side == "left" else "left"
        knee_xy = _point(frame.xy_px, knee)
        if knee_xy is None:
            return
        ref_other = _point(frame.xy_px, LEG[other][1])
        ref_self = knee_xy
        if ref_other is None:
            ref_other, ref_self = _point(frame.xy_px, LEG[other][0]), _point(frame.xy_px, hip)
        if ref_other is not None and ref_self is not None and ref_self[0] != ref_other[0]:
            outward = 1.0 if ref_self[0] > ref_other[0] else -1.0
        else:
            outward = 1.0 if side == "left" else -1.0  # facing the camera
        text = "L" if side == "left" else "R"
        fs, thick = 0.7 * unit, px(1.6, unit)
        tw, cap, _ = text_size(text, fs, thick)
        pad = px(5, unit)
        offset = px(16, unit)
        h, w = image_bgr.shape[:2]
        cx = knee_xy[0] + outward * (offset + pad + tw / 2)
        x0 = int(np.clip(round(cx - tw / 2 - pad), 0, max(0, w - tw - 2 * pad)))
        y0 = int(np.clip(round(knee_xy[1] - cap / 2 - pad), 0, max(0, h - cap - 2 * pad)))
        dim_rect(image_bgr, x0, y0, x0 + tw + 2 * pad, y0 + cap + 2 * pad, level=15, alpha=0.7)
        draw_text(
            image_bgr,
            text,
            x0 + pad,
            y0 + pad + cap,
            font_scale=fs,
            color_bgr=leg_bgr(frame, side, self.palette),
            thickness=thick,
        )


class AngleLabelAnnotator:
    """Panel (top left) with the live FPPA per knee and the pelvic drop.

    Values are coloured by grade; "--" in grey when not computable or when the
    thigh is too foreshortened for FPPA to mean anything.
    """

    def __init__(self, *, palette: OverlayPalette = DEFAULT_PALETTE) -> None:
        self.palette = palette

    def annotate(self, image_bgr: np.ndarray, frame: OverlayFrame) -> np.ndarray:
        check_image(image_bgr)
        pal = self.palette
        rows = []
        for side in SIDES:
            value = frame.fppa_deg[side] if frame.fppa_valid[side] else math.nan
            text = format_angle(value)
            rows.append(
                PanelRow(
                    f"{side[0].upper()} knee FPPA", pal.text_bgr, text, leg_bgr(frame, side, pal)
                )
            )
        drop_ok = math.isfinite(frame.pelvic_drop_deg)
        rows.append(
            PanelRow(
                "Pelvic drop",
                pal.text_bgr,
                format_angle(frame.pelvic_drop_deg, decimals=1),
                pal.grade_bgr(frame.pelvic_grade) if drop_ok else pal.invalid_bgr,
            )
        )
        unit = ui_scale(*image_bgr.shape[:2])
        draw_panel(image_bgr, rows, anchor="top-left", unit=unit, palette=pal)
        return image_bgr


class RepCounterAnnotator:
    """Panel (top right): "Rep 2/3" (or "Rep 2" live), movement and stance leg."""

    def __init__(self, *, palette: OverlayPalette = DEFAULT_PALETTE) -> None:
        self.palette = palette

    def annotate(self, image_bgr: np.ndarray, frame: OverlayFrame) -> np.ndarray:
        check_image(image_bgr)
        pal = self.palette
        movement = Movement(frame.movement)
        noun = movement.rep_noun.capitalize()
        if frame.rep_number == 0:  # before the first rep: say what is coming, not "Rep 0"
            total = frame.reps_total
            count = "Ready" if total is None else f"{total} {noun.lower()}{'s' * (total != 1)}"
        else:
            count = f"{noun} {frame.rep_number}"
            if frame.reps_total is not None:
                count += f"/{frame.reps_total}"
        rows = [
            PanelRow(count, pal.text_bgr, size=1.35),
            PanelRow(movement.title, pal.muted_text_bgr),
        ]
        if frame.stance_side is not None:
            rows.append(PanelRow(f"Stance: {frame.stance_side} leg", pal.muted_text_bgr))
        unit = ui_scale(*image_bgr.shape[:2])
        draw_panel(image_bgr, rows, anchor="top-right", unit=unit, palette=pal)
        return image_bgr


class CollapseBorderAnnotator:
    """Coloured frame border while a knee (optionally the pelvis) is flagged.

    The border takes the worst grade's colour (amber above normal, red marked),
    so a coach scrubbing the video spots collapse frames at a glance. A border
    costs nothing, unlike a full-frame tint.

    Parameters
    ----------
    min_grade : int, keyword-only
        Lowest grade that shows a border (1 or 2).
    include_pelvis : bool, keyword-only
        Also react to the pelvic grade.
    """

    def __init__(
        self,
        *,
        palette: OverlayPalette = DEFAULT_PALETTE,
        min_grade: int = 1,
        include_pelvis: bool = False,
    ) -> None:
        if min_grade not in (1, 2):
            raise ValueError(f"min_grade must be 1 or 2, got {min_grade}")
        self.palette = palette
        self.min_grade = min_grade
        self.include_pelvis = include_pelvis

    def annotate(self, image_bgr: np.ndarray, frame: OverlayFrame) -> np.ndarray:
        check_image(image_bgr)
        grades = list(frame.collapse_grade.values())
        if self.include_pelvis:
            grades.append(frame.pelvic_grade)
        worst = max(grades)
        if worst < self.min_grade:
            return image_bgr
        h, w = image_bgr.shape[:2]
        t = min(px(8, ui_scale(h, w), 2), h // 2, w // 2)
        color = self.palette.grade_bgr(worst)
        image_bgr[:t] = color
        image_bgr[h - t :] = color
        image_bgr[:, :t] = color
        image_bgr[:, w - t :] = color
        return image_bgr


class CueAnnotator:
    """Big centred coaching cue ("KNEES OUT") and a smaller framing hint.

    Both sit in the upper-middle of the frame on dark boxes, clear of the
    knees; text shrinks to fit narrow frames.
    """

    def __init__(self, *, palette: OverlayPalette = DEFAULT_PALETTE, y_frac: float = 0.3) -> None:
        if not 0.0 <= y_frac <= 1.0:
            raise ValueError(f"y_frac must be in [0, 1], got {y_frac}")
        self.palette = palette
        self.y_frac = y_frac

    def annotate(self, image_bgr: np.ndarray, frame: OverlayFrame) -> np.ndarray:
        check_image(image_bgr)
        h, w = image_bgr.shape[:2]
        unit = ui_scale(h, w)
        y = round(self.y_frac * h)
        if frame.cue:
            box = self._banner(
                image_bgr, frame.cue, y, 1.6 * unit, px(3, unit, 2), self.palette.text_bgr
            )
            y = box + px(10, unit)
        if frame.framing_hint:
            self._banner(
                image_bgr,
                frame.framing_hint,
                y,
                0.7 * unit,
                px(1.5, unit),
                self.palette.elevated_bgr,
            )
        return image_bgr

    def _banner(
        self,
        image_bgr: np.ndarray,
        text: str,
        y_top: int,
        font_scale: float,
        thickness: int,
        color: tuple[int, int, int],
    ) -> int:
        """Centred text on a dark box starting at ``y_top``; returns the box's bottom y."""
        h, w = image_bgr.shape[:2]
        unit = ui_scale(h, w)
        pad = px(14, unit) if font_scale > unit else px(8, unit)
        tw, cap, _ = text_size(text, font_scale, thickness)
        limit = int(0.92 * w) - 2 * pad
        if tw > limit:
            font_scale *= limit / tw
            thickness = max(1, round(thickness * limit / tw))
            tw, cap, _ = text_size(text, font_scale, thickness)
        bw, bh = tw + 2 * pad, cap + 2 * pad
        x0 = max(0, (w - bw) // 2)
        y0 = int(np.clip(y_top, 0, max(0, h - bh)))
        dim_rect(image_bgr, x0, y0, x0 + bw, y0 + bh, level=10, alpha=0.72)
        draw_text(
            image_bgr,
            text,
            x0 + pad,
            y0 + pad + cap,
            font_scale=font_scale,
            color_bgr=color,
            thickness=thickness,
        )
        return y0 + bh
