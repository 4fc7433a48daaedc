"""Tests of the video overlay: real pixels drawn from known geometry, no MediaPipe."""

from __future__ import annotations

import math

import numpy as np
import pytest

from valgus.overlay.annotators import (
    AngleLabelAnnotator,
    CollapseBorderAnnotator,
    CueAnnotator,
    RepCounterAnnotator,
    SkeletonAnnotator,
    format_angle,
)
from valgus.overlay.chain import compose, default_overlay
from valgus.overlay.draw import DEFAULT_PALETTE, text_size
from valgus.overlay.frame import FlagTimeline, OverlayFrame
from valgus.overlay.timeline import FlagStripAnnotator, column_grades
from valgus.pose.landmarks import NUM_LANDMARKS, Landmark

PAL = DEFAULT_PALETTE
NAN = math.nan


def make_frame(xy=None, **changes) -> OverlayFrame:
    fields = dict(
        time_s=1.0,
        xy_px=xy,
        fppa_deg={"left": 10.0, "right": 5.0},
        fppa_valid={"left": True, "right": True},
        collapse_grade={"left": 0, "right": 0},
        pelvic_drop_deg=2.0,
        pelvic_grade=0,
        rep_number=1,
        reps_total=3,
        movement="squat",
        stance_side=None,
    )
    fields.update(changes)
    return OverlayFrame(**fields)


def landmarks(points: dict[int, tuple[float, float]]) -> np.ndarray:
    xy = np.full((NUM_LANDMARKS, 2), np.nan)
    for index, point in points.items():
        xy[index] = point
    return xy


# A person facing the camera on a 1280x720 frame: their left leg on the image right.
STANDING = landmarks(
    {
        Landmark.LEFT_SHOULDER: (720, 100),
        Landmark.RIGHT_SHOULDER: (560, 100),
        Landmark.LEFT_HIP: (700, 300),
        Landmark.RIGHT_HIP: (580, 300),
        Landmark.LEFT_KNEE: (710, 460),
        Landmark.RIGHT_KNEE: (570, 460),
        Landmark.LEFT_ANKLE: (720, 620),
        Landmark.RIGHT_ANKLE: (560, 620),
        Landmark.LEFT_HEEL: (715, 640),
        Landmark.RIGHT_HEEL: (565, 640),
        Landmark.LEFT_FOOT_INDEX: (740, 650),
        Landmark.RIGHT_FOOT_INDEX: (540, 650),
    }
)
LEFT_THIGH_MID = (705, 380)  # (x, y) midpoint of left hip (700, 300) - left knee (710, 460)
PELVIS_MID = (640, 300)


def black(h: int = 720, w: int = 1280) -> np.ndarray:
    return np.zeros((h, w, 3), np.uint8)


def pixel(image: np.ndarray, xy: tuple[int, int]) -> tuple[int, int, int]:
    return tuple(int(v) for v in image[xy[1], xy[0]])


@pytest.mark.parametrize(
    ("grade", "valid", "expected"),
    [
        (0, True, PAL.normal_bgr),
        (1, True, PAL.elevated_bgr),
        (2, True, PAL.marked_bgr),
        (2, False, PAL.invalid_bgr),
        (0, False, PAL.invalid_bgr),
    ],
)
def test_left_thigh_colour_follows_grade_and_validity(grade, valid, expected):
    frame = make_frame(
        STANDING,
        collapse_grade={"left": grade, "right": 0},
        fppa_valid={"left": valid, "right": True},
    )
    image = SkeletonAnnotator().annotate(black(), frame)
    assert pixel(image, LEFT_THIGH_MID) == expected


def test_nan_fppa_draws_the_leg_grey():
    frame = make_frame(STANDING, fppa_deg={"left": NAN, "right": 5.0})
    image = SkeletonAnnotator().annotate(black(), frame)
    assert pixel(image, LEFT_THIGH_MID) == PAL.invalid_bgr


@pytest.mark.parametrize(
    ("drop_deg", "grade", "expected"),
    [(1.0, 0, PAL.normal_bgr), (6.0, 2, PAL.marked_bgr), (NAN, 0, PAL.invalid_bgr)],
)
def test_pelvis_line_colour_follows_pelvic_grade(drop_deg, grade, expected):
    frame = make_frame(STANDING, pelvic_drop_deg=drop_deg, pelvic_grade=grade)
    image = SkeletonAnnotator().annotate(black(), frame)
    assert pixel(image, PELVIS_MID) == expected


@pytest.mark.parametrize("mirrored", [False, True])
def test_side_label_sits_outside_its_own_knee(mirrored):
    """'L' is drawn on the side of the left knee away from the right knee (either view)."""
    xy = STANDING.copy()
    if mirrored:  # back view or mirrored display: the left leg on the image left
        xy[:, 0] = 1279 - xy[:, 0]
    knee_x, knee_y = xy[Landmark.LEFT_KNEE]
    outward = -1 if mirrored else 1
    image = SkeletonAnnotator().annotate(black(), make_frame(xy))
    rows = slice(int(knee_y) - 8, int(knee_y) + 8)

    def ink(x_from: float, x_to: float) -> int:
        lo, hi = sorted((int(knee_x + x_from * outward), int(knee_x + x_to * outward)))
        return int(image[rows, lo:hi].max())

    assert ink(14, 50) > 100  # the label chip and its letter
    assert ink(-50, -14) == 0  # nothing on the inner side (the other leg is 140 px away)


def test_no_pose_leaves_the_frame_unchanged_except_panels():
    rng = np.random.default_rng(0)
    original = rng.integers(0, 256, (720, 1280, 3), dtype=np.uint8)
    frame = make_frame(
        None,
        fppa_deg={"left": NAN, "right": NAN},
        pelvic_drop_deg=NAN,
        rep_number=0,
    )
    assert np.array_equal(SkeletonAnnotator().annotate(original.copy(), frame), original)
    timeline = FlagTimeline(np.linspace(0, 2, 50), *np.zeros((3, 50), np.int8))
    image = default_overlay(timeline).annotate(original.copy(), frame)
    # Panels sit in the top corners and the strip along the bottom; the middle is untouched.
    assert np.array_equal(image[150:600, 250:1030], original[150:600, 250:1030])
    assert not np.array_equal(image, original)


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [(14.2, 0, "14°"), (-5.6, 0, "-6°"), (3.44, 1, "3.4°"), (NAN, 0, "--"), (math.inf, 1, "--")],
)
def test_format_angle(value, decimals, expected):
    assert format_angle(value, decimals=decimals) == expected


def test_degree_sign_takes_room_but_no_question_mark():
    """cv2.putText would draw '°' as '?'; our text drawer draws a ring of its own width."""
    assert text_size("14°", 0.6, 1)[0] > text_size("14", 0.6, 1)[0]


def test_nan_and_invalid_fppa_render_the_same_dashes():
    annotator = AngleLabelAnnotator()
    nan = annotator.annotate(black(), make_frame(fppa_deg={"left": NAN, "right": 5.0}))
    invalid = annotator.annotate(
        black(),
        make_frame(
            fppa_valid={"left": False, "right": True}, fppa_deg={"left": 14.0, "right": 5.0}
        ),
    )
    valid = annotator.annotate(black(), make_frame(fppa_deg={"left": 14.0, "right": 5.0}))
    assert np.array_equal(nan, invalid)
    assert not np.array_equal(nan, valid)


def strip_timeline(n: int = 101, duration_s: float = 10.0) -> FlagTimeline:
    times = np.linspace(0.0, duration_s, n)
    left = np.zeros(n, np.int8)
    left[(times >= 2.0) & (times <= 3.0)] = 2  # 20-30% of the clip
    pelvis = np.zeros(n, np.int8)
    pelvis[(times >= 6.0) & (times <= 7.0)] = 1
    return FlagTimeline(times, left, np.zeros(n, np.int8), pelvis)


@pytest.mark.parametrize(("h", "w"), [(720, 1280), (481, 641), (720, 406)])
def test_flag_strip_lane_colour_at_quarter_width(h, w):
    strip = FlagStripAnnotator(strip_timeline())
    image = strip.annotate(black(h, w), make_frame(time_s=9.5))
    rows = strip.lane_rows(h, w)
    mid = [(y0 + y1) // 2 for y0, y1 in rows]
    dim_normal = tuple(round(0.5 * c) for c in PAL.normal_bgr)
    assert pixel(image, (round(0.25 * w), mid[0])) == PAL.marked_bgr  # L knee, marked
    assert pixel(image, (round(0.25 * w), mid[1])) == dim_normal  # R knee, normal
    assert pixel(image, (round(0.65 * w), mid[2])) == PAL.elevated_bgr  # pelvis, above normal
    assert pixel(image, (round(0.45 * w), mid[0])) == dim_normal


@pytest.mark.parametrize(
    ("time_s", "expected_x"), [(0.0, 0), (2.5, 320), (7.5, 959), (10.0, 1279), (12.0, 1279)]
)
def test_flag_strip_cursor_position(time_s, expected_x):
    strip = FlagStripAnnotator(strip_timeline())
    assert strip.cursor_x(time_s, 1280) == expected_x
    image = strip.annotate(black(), make_frame(time_s=time_s))
    y0, y1 = strip.lane_rows(720, 1280)[2]
    assert pixel(image, (expected_x, (y0 + y1) // 2)) == PAL.text_bgr
    if expected_x < 1200:
        assert pixel(image, (expected_x + 12, (y0 + y1) // 2)) != PAL.text_bgr


def test_column_grades_keeps_a_flag_shorter_than_a_column():
    times = np.linspace(0.0, 10.0, 1000)
    grades = np.zeros(1000, np.int8)
    grades[503] = 2  # one 10 ms sample on a 10-column strip
    out = column_grades(times, grades, 10)
    assert out.tolist() == [0, 0, 0, 0, 0, 2, 0, 0, 0, 0]


def test_column_grades_holds_each_sample_until_the_next():
    times = np.array([0.0, 1.0, 2.0])
    out = column_grades(times, np.array([0, 1, 2], np.int8), 9)
    assert out.tolist() == [0, 0, 0, 0, 1, 1, 1, 1, 2]


@pytest.mark.parametrize(
    ("grade", "min_grade", "expected"), [(2, 1, PAL.marked_bgr), (1, 1, PAL.elevated_bgr)]
)
def test_collapse_border_colour(grade, min_grade, expected):
    frame = make_frame(collapse_grade={"left": 0, "right": grade})
    image = CollapseBorderAnnotator(min_grade=min_grade).annotate(black(), frame)
    assert pixel(image, (0, 0)) == expected
    assert pixel(image, (1279, 360)) == expected
    assert pixel(image, (640, 360)) == (0, 0, 0)


@pytest.mark.parametrize(("grades", "min_grade"), [((0, 0), 1), ((1, 1), 2)])
def test_collapse_border_absent_below_min_grade(grades, min_grade):
    frame = make_frame(collapse_grade=dict(zip(("left", "right"), grades, strict=True)))
    image = CollapseBorderAnnotator(min_grade=min_grade).annotate(black(), frame)
    assert not image.any()


def test_compose_draws_in_order_in_place():
    frame = make_frame(STANDING, cue="KNEES OUT", collapse_grade={"left": 2, "right": 0})
    annotators = (CollapseBorderAnnotator(), SkeletonAnnotator(), CueAnnotator())
    image = black()
    out = compose(*annotators).annotate(image, frame)
    expected = black()
    for annotator in annotators:
        expected = annotator.annotate(expected, frame)
    assert out is image
    assert np.array_equal(out, expected)


@pytest.mark.parametrize(("h", "w"), [(481, 641), (720, 406), (1080, 1920), (40, 30)])
def test_odd_sizes_never_draw_outside_the_image(h, w):
    """Annotate a view inside a larger canvas: the margin around it must stay untouched."""
    sentinel = 77
    canvas = np.full((h + 40, w + 40, 3), sentinel, np.uint8)
    view = canvas[20:-20, 20:-20]
    xy = STANDING * [w / 1280, h / 720]
    xy[Landmark.LEFT_ANKLE] = (-1e9, 5e8)  # wildly outside
    xy[Landmark.RIGHT_KNEE] = (w + 3, -2)  # just outside, label would overflow
    frame = make_frame(
        xy,
        collapse_grade={"left": 2, "right": 1},
        pelvic_grade=2,
        rep_number=12345,
        reps_total=99999,
        movement="single-leg-stance",
        stance_side="right",
        cue="KNEES OUT KNEES OUT KNEES OUT",
        framing_hint="step back: your feet are out of the frame and the camera is too low",
    )
    timeline = FlagTimeline(np.array([0.0]), *np.full((3, 1), 2, np.int8))
    out = default_overlay(timeline).annotate(view, frame)
    assert out is view
    margin = canvas.copy()
    margin[20:-20, 20:-20] = sentinel
    assert (margin == sentinel).all()
    assert (view != sentinel).any()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"xy_px": np.zeros((33, 3))}, r"xy_px must have shape \(33, 2\)"),
        ({"collapse_grade": {"left": 3, "right": 0}}, "grades must be 0, 1 or 2"),
        ({"fppa_deg": {"left": 1.0}}, "fppa_deg must have exactly the keys"),
        ({"movement": "lunge"}, "movement must be one of"),
        ({"stance_side": "both"}, "stance_side must be"),
        ({"rep_number": -1}, "rep_number must be >= 0"),
        ({"time_s": NAN}, "time_s must be finite"),
    ],
)
def test_overlay_frame_rejects_bad_input(changes, message):
    with pytest.raises(ValueError, match=message):
        make_frame(**changes)


@pytest.mark.parametrize(
    ("times", "left", "message"),
    [
        (np.array([0.0, 2.0, 1.0]), np.zeros(3), "finite and non-decreasing"),
        (np.array([]), np.zeros(0), "non-empty 1-D"),
        (np.array([0.0, 1.0]), np.zeros(3), r"collapse_grade_left must have shape \(2,\)"),
        (np.array([0.0, 1.0]), np.array([0, 5]), "values must be in -1..2"),
    ],
)
def test_flag_timeline_rejects_bad_input(times, left, message):
    with pytest.raises(ValueError, match=message):
        FlagTimeline(times, left, np.zeros(times.shape), np.zeros(times.shape))


def test_annotators_reject_a_non_bgr_image():
    with pytest.raises(ValueError, match=r"image_bgr must be a \(H, W, 3\) uint8 array"):
        RepCounterAnnotator().annotate(np.zeros((10, 10), np.uint8), make_frame())
