"""report.html as a coach opens it: offline from disk, the video plays and seeks, verdicts differ.

Two bundled clips go through the real pipeline once (module fixture):
squat_valgus (knees collapse, ~16 / 13 deg FPPA) and squat_good (~1 deg).
"""

from __future__ import annotations

import re
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pytest

from tests.support.paths import SAMPLES
from valgus.clip_task import analyze_to_folder
from valgus.outputs.opensim import BLAZEPOSE_MARKERS
from valgus.outputs.report_html import write_report_html
from valgus.outputs.tables import numeric_columns_without_unit
from valgus.pose.model_files import resolve_model
from valgus.settings import AnalysisSettings

pytestmark = pytest.mark.slow
CLIPS = ("squat_valgus", "squat_good")


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """{clip stem: (output folder, Session)} for both clips, outputs written as the CLI does."""
    out = tmp_path_factory.mktemp("reports")
    model = resolve_model("full")
    result = {}
    for stem in CLIPS:
        folder = out / stem
        session = analyze_to_folder(
            SAMPLES / f"{stem}.mp4",
            folder,
            AnalysisSettings(write_video=True),
            model=model,
        )
        result[stem] = (folder, session)
    return result


def open_report(browser, folder, *, width=1280, height=900):
    """A page on report.html that records console errors and every request it makes."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.errors, page.urls = [], []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("requestfailed", lambda r: page.errors.append(f"failed: {r.url}"))
    page.on("request", lambda r: page.urls.append(r.url))
    page.goto((folder / "report.html").as_uri())
    return page


def test_video_decodes_and_clicking_the_second_rep_seeks_into_it(browser, reports):
    folder, session = reports["squat_valgus"]
    page = open_report(browser, folder)
    page.wait_for_function("document.getElementById('video').readyState >= 2", timeout=20_000)
    assert page.evaluate("document.getElementById('video').videoWidth") > 0
    rep = session.reps[1]
    page.click('button.rep-btn[data-rep="2"]')
    t = page.evaluate("document.getElementById('video').currentTime")
    assert rep.start_s <= t <= rep.end_s, (t, rep.start_s, rep.end_s)
    # A flag chip seeks to its peak; a point of the chart to its time.
    flag = session.flags.events[-1]
    peak_s = float(session.frames["time_s"].loc[flag.peak_frame])
    page.click(f'button.flag[data-seek="{peak_s:.3f}"]')
    assert page.evaluate("document.getElementById('video').currentTime") == pytest.approx(
        peak_s, abs=0.05
    )
    chart = page.locator("#chart svg")
    width = chart.bounding_box()["width"]
    chart.click(position={"x": width * 0.5, "y": 120})  # the middle of the FPPA panel
    half = page.evaluate("document.getElementById('video').currentTime")
    assert 0.3 * session.source.duration_s < half < 0.7 * session.source.duration_s
    stills = page.evaluate("[...document.querySelectorAll('.still img')].map(i => i.naturalWidth)")
    assert len(stills) == len(session.reps) and min(stills) > 0
    assert page.errors == []
    assert all(u.startswith(("file://", "data:")) for u in page.urls), page.urls
    page.close()


def test_phone_width_fits_without_sideways_scrolling(browser, reports):
    folder, _ = reports["squat_valgus"]
    page = open_report(browser, folder, width=390, height=844)
    page.wait_for_selector("#chart svg")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert (
        page.evaluate("document.querySelector('#chart svg').getBoundingClientRect().width") <= 390
    )
    assert page.errors == []
    page.close()


def test_prints_to_at_most_two_pages(browser, reports):
    folder, _ = reports["squat_valgus"]
    page = open_report(browser, folder)
    pdf = page.pdf(format="A4", print_background=True)
    assert 1 <= len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) <= 2
    page.close()


def verdicts(html: str) -> list[str]:
    return re.findall(r'class="card verdict \w+" data-verdict="([^"]+)"', html)


def test_collapse_and_clean_squat_read_differently(reports):
    bad = (reports["squat_valgus"][0] / "report.html").read_text()
    good = (reports["squat_good"][0] / "report.html").read_text()
    # left knee, right knee, pelvis: FPPA ~17.5 and ~10 deg (true 18 and 12; the marked cut
    # is 16.8), and at depth the knees at 0.71 of their standing separation: above normal.
    assert verdicts(bad) == ["marked", "above normal range", "within normal"]
    assert verdicts(good) == ["within normal", "within normal", "within normal"]
    assert "both knees moved inward more than normal" in bad
    assert "both knees stayed in line with the feet" in good
    for exercise in ("Clamshell", "Lateral band walk", "Step-up", "Hip thrust"):
        assert exercise in bad and exercise not in good
    assert "2-3 sets of 10-15 reps" in bad and "3-4 sets of 6-12 reps" in bad
    assert "No corrective hip programme is needed" in good
    assert "No corrective hip programme" not in bad
    # The sample's true left-right difference is 6 deg, under the 7.5 deg SDD; the second
    # model reads it 7.7 (left 17.1-18.2 deg against true 18, right 9.3-10.4 against 12),
    # the same way in all 3 reps, so the report calls it real. The sentence follows the
    # summary's status either way (sample_videos/README.md states the miss).
    status = reports["squat_valgus"][1].summary.side_difference.status
    sentence = {
        "real": "exceeds the 7.5° smallest detectable difference",
        "within error": "below the 7.5° smallest detectable difference",
    }[status]
    assert sentence in bad
    for page in (bad, good):
        assert "Herrington 2014" in page and "Munro 2012" in page  # threshold sources
        assert "JOSPT 2018" in page  # the 2D validity caveat
        assert "not a diagnosis" in page


def test_report_is_one_self_contained_file(reports):
    folder, session = reports["squat_valgus"]
    html = (folder / "report.html").read_text()
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert '<video id="video" src="annotated.mp4"' in html
    images = re.findall(r'<img src="([^"]+)"', html)
    assert len(images) == len(session.reps)
    assert all(src.startswith("data:image/jpeg;base64,") for src in images)
    assert "<style>" in html and "<script>" in html


def test_report_without_a_video_says_so(browser, reports, tmp_path):
    _, session = reports["squat_good"]
    write_report_html(session, tmp_path / "report.html", video_name=None, moments=[], stills={})
    page = open_report(browser, tmp_path)
    page.wait_for_selector("#chart svg")
    assert "No annotated video was written" in page.inner_text(".player")
    page.click('button.rep-btn[data-rep="1"]')  # nothing to seek: must not throw
    assert page.errors == []
    page.close()


def test_exports_name_their_units_and_agree_with_the_tables(reports):
    folder, _ = reports["squat_valgus"]
    frames = pd.read_csv(folder / "frames.csv", index_col="frame")
    reps = pd.read_csv(folder / "reps.csv", index_col="rep")
    assert numeric_columns_without_unit(frames) == []
    assert numeric_columns_without_unit(reps) == []
    assert {"kasr_ratio", "depth_leg_lengths", "knee_medial_left_thigh_lengths"} <= set(frames)
    assert {"kasr_bottom_ratio", "fppa_read_left_deg", "duration_s"} <= set(reps)

    text = (folder / "angles.mot").read_text()
    mot = pd.read_csv(
        folder / "angles.mot", sep="\t", skiprows=text.split("\n").index("endheader") + 1
    )
    valid = frames["fppa_valid_left"].to_numpy(dtype=bool)
    assert len(mot) == len(frames)
    np.testing.assert_allclose(mot["fppa_l"][valid], frames["fppa_left_deg"][valid], atol=1e-3)
    assert mot["fppa_l"][~valid].isna().all()

    trc = pd.read_csv(folder / "landmarks_px.trc", sep="\t", skiprows=5, header=None)
    assert trc.shape == (len(frames), 2 + 3 * len(BLAZEPOSE_MARKERS))
    knee_x = trc[2 + 3 * 25].to_numpy() - trc[2 + 3 * 26].to_numpy()  # LKnee X - RKnee X
    np.testing.assert_allclose(np.abs(knee_x), frames["knee_sep_px"], atol=1e-3)

    for name in ("timeline.svg", "reps.svg"):  # the charts as files (tests/test_plots.py)
        root = ElementTree.parse(folder / name).getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_key_moments_show_the_worst_knee_or_the_bottom(reports):
    from valgus.outputs.keyframes import key_moments

    bad = key_moments(reports["squat_valgus"][1])
    good = key_moments(reports["squat_good"][1])
    # The left knee collapses more (~16 vs ~14 deg): each still is its rep's reading.
    assert [m.measure for m in bad] == ["left knee FPPA"] * 3
    for m, rep in zip(bad, reports["squat_valgus"][1].reps, strict=True):
        assert m.frame == rep.fppa_read_left_frame and m.value_deg > 12
    # Nothing above normal: each still is the rep's bottom.
    assert [(m.measure, m.frame) for m in good] == [
        ("bottom", rep.bottom_frame) for rep in reports["squat_good"][1].reps
    ]
