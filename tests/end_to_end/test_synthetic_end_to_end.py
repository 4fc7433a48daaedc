"""The bundled synthetic clips end to end against their ground truth (real MediaPipe inference).

MediaPipe reads a drawn figure a little differently from a person (see
sample_videos/README.md: it under-reads large collapse and pelvic drop), so
the tolerances below are the measured agreement plus margin; they still fail
on a sign error, a swapped side, a missed rep or a broken event frame.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.support.clips import transform_clip
from tests.support.paths import SAMPLES, load_truth
from valgus import analyze

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sessions():
    names = ("squat_valgus", "squat_good", "single_leg_stance_drop", "single_leg_squat_valgus")
    return {
        name: (analyze(SAMPLES / f"{name}.mp4"), load_truth(SAMPLES / f"{name}.mp4"))
        for name in names
    }


@pytest.mark.parametrize("name", ["squat_valgus", "squat_good", "single_leg_squat_valgus"])
def test_reps_match_the_truth(sessions, name):
    session, truth = sessions[name]
    assert session.movement == truth["movement"]
    assert len(session.reps) == len(truth["reps"])
    for rep, true in zip(session.reps, truth["reps"], strict=True):
        assert rep.bottom_s == pytest.approx(true["bottom_s"], abs=0.15)
        assert rep.start_s < true["bottom_s"] < rep.end_s
        assert rep.stance_side == truth["stance_side"]


def test_fppa_follows_the_truth_frame_by_frame(sessions):
    session, truth = sessions["squat_valgus"]
    for side in ("left", "right"):
        measured = session.frames[f"fppa_{side}_deg"].to_numpy()
        true = np.array(truth["frames"][f"fppa_{side}_deg"])
        valid = session.frames[f"fppa_valid_{side}"].to_numpy(dtype=bool)
        assert valid.mean() > 0.9
        error = measured[valid] - true[valid]
        # The rendered body's right leg reads ~3.5 deg low in every frame, standing too: a
        # per-body offset of the model's (benchmark by body: bias -3.7 to +1.6 deg).
        assert np.median(np.abs(error)) < 4.0
        assert np.corrcoef(measured[valid], true[valid])[0, 1] > 0.95


def test_collapse_is_graded_and_sided(sessions):
    valgus_session, truth = sessions["squat_valgus"]
    for rep, true in zip(valgus_session.reps, truth["reps"], strict=True):
        assert rep.fppa_bottom_left_deg == pytest.approx(true["fppa_left_deg"], abs=3.5)
        assert rep.fppa_bottom_right_deg == pytest.approx(true["fppa_right_deg"], abs=3.5)
        assert rep.fppa_bottom_left_deg > rep.fppa_bottom_right_deg  # true L 18 > R 12
    summary = valgus_session.summary
    # Read 17.1-18.2 deg by the second model (true 18) against the 16.8 deg marked cut.
    assert summary.left.fppa_verdict == "marked"
    # At depth the knees are 0.71 of their standing separation: above normal (marked < 0.7);
    # the knee's verdict is the worse of the two.
    assert summary.depth_verdict == "above normal range"
    assert summary.left.verdict == "marked"
    assert summary.collapse_frames > 0
    good = sessions["squat_good"][0].summary
    assert good.left.verdict == good.right.verdict == "within normal"
    assert good.collapse_frames == 0
    assert abs(good.left.mean_fppa_deg) < 4 and abs(good.right.mean_fppa_deg) < 4


def test_mirrored_valgus_squat_swaps_the_sides(sessions, tmp_path):
    original = sessions["squat_valgus"][0]
    flipped = transform_clip(SAMPLES / "squat_valgus.mp4", tmp_path / "m.mp4", lambda i: i[:, ::-1])
    mirrored = analyze(flipped)
    assert len(mirrored.reps) == len(original.reps)
    for a, b in zip(original.reps, mirrored.reps, strict=True):
        # The collapsed (true 18 deg) leg is now the right one, above the normal range as
        # before, and the asymmetry flips. MediaPipe is not mirror-symmetric on this render
        # (docs/validation.md): the 18 deg leg reads 15.4-16.7 as it is and 20.2-20.7
        # mirrored, the 12 deg leg 13.9-15.2 and 3.2-3.3; --mirror-average removes that.
        assert a.fppa_bottom_left_deg > 12 and b.fppa_bottom_right_deg > 12
        assert a.fppa_bottom_left_deg > a.fppa_bottom_right_deg
        assert b.fppa_bottom_right_deg > b.fppa_bottom_left_deg + 3.0
    assert mirrored.summary.right.verdict != "within normal"


def test_single_leg_stance_finds_the_hold_and_the_drop(sessions):
    session, truth = sessions["single_leg_stance_drop"]
    assert session.movement == "single-leg-stance"
    assert len(session.reps) == 1
    hold = session.reps[0]
    assert hold.stance_side == truth["stance_side"] == "right"
    true_hold = truth["reps"][0]
    assert hold.start_s == pytest.approx(true_hold["start_s"], abs=0.4)
    assert hold.end_s == pytest.approx(true_hold["end_s"], abs=0.4)
    # The drawn figure's drop is under-read (~2.5 of 8 deg) but its sign must be right.
    assert 1.0 < hold.peak_pelvic_drop_deg <= truth["requested"]["pelvic_drop_deg"] + 1.5


def test_lifted_leg_is_never_judged(sessions):
    session, truth = sessions["single_leg_squat_valgus"]
    lifted = "left" if truth["stance_side"] == "right" else "right"
    assert session.summary.__getattribute__(lifted).verdict == "not measurable"
    assert (session.frames[f"collapse_grade_{lifted}"] == 0).all()
