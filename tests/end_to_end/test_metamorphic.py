"""Metamorphic relations on a real clip: copies that must not change the answer.

tests/test_real_clips.py already checks the mirror image and a 5 deg camera roll;
this adds half the resolution, half the frame rate and a heavy re-encode (crf 35),
with the tolerances of benchmarks/metamorphic.py, on one 2 s clip (the full set
of clips is the benchmark's job). The benchmark marks pass or fail at the
issue's tolerances; these tests guard against regressions at 1.5 times them,
because a value one pixel from a gate or a tolerance moves with the exact
builds of FFmpeg and MediaPipe (leowsimin's crf 35 copy read 1.5 deg off in one
environment and 2.3 deg in another, same code, when its knees were still read
near the FPPA limit; now they are past it, and KASR is what holds).
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.metamorphic import (
    KASR_TOL,
    TOL,
    analyse,
    compare,
    estimate_variants,
    half_res,
    refiners,
)
from valgus.outputs.keyframes import key_moments
from valgus.outputs.plots import reps_svg
from valgus.outputs.report_html import chart_data, write_report_html
from valgus.pose.model_files import resolve_model

pytestmark = pytest.mark.slow
NAMES = ("baseline", "half_res", "half_fps", "crf35")


@pytest.fixture(scope="module")
def sessions(shared_videos, tmp_path_factory):
    """Each copy analysed as valgus analyze does: readings re-read by the second model."""
    clip = shared_videos / "front" / "leowsimin_squat_1.mp4"
    crf_dir = tmp_path_factory.mktemp("crf")
    tracks = estimate_variants(
        clip, max_seconds=30.0, model_path=resolve_model("full").path, names=NAMES, crf_dir=crf_dir
    )
    refine = refiners(clip, tracks, crf_dir)
    return tracks, {name: analyse(track, refine=refine[name]) for name, track in tracks.items()}


def test_the_copies_are_what_they_claim(sessions):
    tracks, _ = sessions
    base = tracks["baseline"]
    assert (tracks["half_res"].width, tracks["half_res"].height) == (
        base.width // 2,
        base.height // 2,
    )
    assert tracks["half_fps"].n_frames == (base.n_frames + 1) // 2
    np.testing.assert_allclose(tracks["half_fps"].times_s, base.times_s[::2])
    assert tracks["crf35"].n_frames == base.n_frames
    assert half_res(np.zeros((7, 9, 3), np.uint8)).shape == (3, 4, 3)


@pytest.mark.parametrize("name", NAMES[1:])
def test_copy_keeps_reps_and_fppa(sessions, name):
    _, by_name = sessions
    base, copy = by_name["baseline"], by_name[name]
    assert not isinstance(copy, str), copy
    relation = compare(name, base, copy)
    assert relation.reps == (1, 1)
    # The squat bends both knees past the FPPA limit: no copy shows a knee angle, and
    # KASR, which judges the knees at that depth, holds instead.
    assert np.isnan(relation.fppa_diff_deg) and not relation.note, relation
    assert relation.kasr_diff <= 1.5 * KASR_TOL, relation
    assert relation.pelvic_diff_deg <= 1.5, relation


@pytest.fixture(scope="module")
def single_leg_sessions(shared_videos):
    """A single-leg squat clip (FPPA read at every bottom) and its mirrored and half-size copies."""
    clip = shared_videos / "front" / "tux_hyva2.mp4"
    names = ("baseline", "mirror", "half_res")
    tracks = estimate_variants(
        clip, max_seconds=30.0, model_path=resolve_model("full").path, names=names
    )
    refine = refiners(clip, tracks, crf_dir=clip.parent)  # no crf 35 copy is read
    return {name: analyse(track, refine=refine[name]) for name, track in tracks.items()}


@pytest.mark.parametrize("name", ["mirror", "half_res"])
def test_second_model_readings_keep_their_relation(single_leg_sessions, name):
    """Issue 20's bound: the reps' readings, from the second model, move by at most 2 deg."""
    base, copy = single_leg_sessions["baseline"], single_leg_sessions[name]
    side = base.reps[0].stance_side
    assert len(base.reps) >= 1
    assert all(np.isfinite(getattr(r, f"fppa_refined_read_{side}_deg")) for r in base.reps)
    relation = compare(name, base, copy)
    assert relation.reps[0] == relation.reps[1]
    assert relation.bottom_diff_deg <= TOL[name], relation
    assert relation.read_diff_deg <= TOL[name] and relation.passed, relation


def test_a_clip_that_never_stands_shows_no_pelvic_drop_anywhere(single_leg_sessions, tmp_path):
    """tux_hyva2 stays on one leg: no standing baseline, so no drop in any output."""
    session = single_leg_sessions["baseline"]
    write_report_html(session, tmp_path / "report.html", video_name=None, moments=[], stills={})
    legend = (tmp_path / "report.html").read_text().split('<ul class="legend">')[1]
    legend = legend.split("</ul>")[0]
    assert "Left knee" in legend and "Pelvis" not in legend  # no line, no key
    assert [r.pelvic_reference for r in session.reps] == ["horizontal"] * len(session.reps)
    assert session.frames["pelvic_obliquity_deg"].notna().mean() > 0.8  # the tilt is kept
    assert session.frames["pelvic_drop_deg"].isna().all()
    assert not session.frames["pelvic_grade"].any()
    assert all(m.measure != "pelvic drop" for m in key_moments(session))
    assert all(v is None for v in chart_data(session)["drop"])
    assert 'data-side="pelvis"' not in reps_svg(session)
