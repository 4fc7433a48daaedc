"""The chart files: the drawn lines and bars read back as the analysed numbers.

One bundled clip (squat_valgus: three squats, left knee ~16 deg) goes through
the real pipeline once. Pixel positions are turned back into degrees with the
two dashed threshold lines, whose values are known, so the test checks the
drawing against the data without knowing the layout.
"""

from __future__ import annotations

import math
import re
from xml.etree import ElementTree

import numpy as np
import pytest

from tests.support.paths import SAMPLES
from valgus.clip_task import analyze_to_folder
from valgus.outputs import svg
from valgus.outputs.plots import reps_svg, timeline_svg, write_plots
from valgus.outputs.report_html import chart_data
from valgus.pose.model_files import resolve_model
from valgus.settings import AnalysisSettings

NS = {"s": "http://www.w3.org/2000/svg"}


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    return analyze_to_folder(
        SAMPLES / "squat_valgus.mp4",
        tmp_path_factory.mktemp("plots") / "squat_valgus",
        AnalysisSettings(write_video=False),
        model=resolve_model("full"),
    )


def degrees_from_pixels(root, cuts):
    """value(y) through the first panel's two dashed cut lines, drawn at the known cuts."""
    dashed = [e for e in root.iter(f"{{{NS['s']}}}line") if e.get("stroke-dasharray")][:2]
    (y_above, y_marked) = (float(e.get("y1")) for e in dashed)
    scale = (cuts[1] - cuts[0]) / (y_marked - y_above)
    return lambda y: cuts[0] + (y - y_above) * scale


def path_points(d):
    """[[(x, y), ...] per pen-down run] of an M/L path."""
    runs = []
    for command, x, y in re.findall(r"([ML])(-?[\d.]+),(-?[\d.]+)", d):
        if command == "M":
            runs.append([])
        runs[-1].append((float(x), float(y)))
    return runs


def test_nice_ticks_are_round_numbers():
    assert svg.nice_step(37, 5) == 10
    assert svg.nice_step(0.9, 4) == 0.2
    assert svg.ticks(-5, 22, 5) == [-5, 0, 5, 10, 15, 20]
    assert svg.ticks(0, 9.08, 10) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert svg.ticks(0, 101, 10) == [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    assert svg.padded_range([3.2, 17.9], at_least=(-5, 20.7)) == (-5, 25)
    assert svg.padded_range([-12.4], at_least=(-5, 20.7)) == (-20, 30)


def test_missing_values_lift_the_pen():
    d = svg.polyline_path([0, 1, 2, 3, 4], [1.0, 2.0, None, math.nan, 5.0], float, float)
    assert d == "M0,1L1,2M4,5"


def test_timeline_lines_read_back_as_the_knee_angles(session):
    th = session.thresholds
    root = ElementTree.fromstring(timeline_svg(session))
    to_deg = degrees_from_pixels(root, (th.fppa_above_deg.value, th.fppa_marked_deg.value))
    data = chart_data(session)
    for side in ("left", "right"):
        (path,) = root.findall(f".//s:path[@data-series='{side}']", NS)
        drawn = [p for run in path_points(path.get("d")) for p in run]
        expected = [v for v in data[f"fppa_{side}"] if v is not None]
        assert len(drawn) == len(expected) > 50
        # 0.1 px of a ~270 px panel spanning ~35 deg is ~0.015 deg: allow 0.05.
        np.testing.assert_allclose([to_deg(y) for _, y in drawn], expected, atol=0.05)
    # The collapsing left knee crosses the above-normal cut: the flag lane shows it.
    left = [v for v in data["fppa_left"] if v is not None]
    assert max(left) > th.fppa_above_deg.value
    grades = {"#e39a00", "#d0342c"}
    flags = [r for r in root.iter(f"{{{NS['s']}}}rect") if r.get("fill") in grades]
    assert len(flags) >= len(session.flags.events) > 0


def test_rep_bars_read_back_as_the_readings(session):
    """The bars are each rep's FPPA reading: the number the table and verdicts use."""
    th = session.thresholds
    root = ElementTree.fromstring(reps_svg(session))
    to_deg = degrees_from_pixels(root, (th.fppa_above_deg.value, th.fppa_marked_deg.value))
    assert len(session.reps) == 3
    for rep in session.reps:
        for side in ("left", "right"):
            (bar,) = root.findall(f".//s:rect[@data-rep='{rep.index}'][@data-side='{side}']", NS)
            top = float(bar.get("y"))
            reading = getattr(rep, f"fppa_read_{side}_deg")
            assert to_deg(top) == pytest.approx(reading, abs=0.1)
    labels = [t.text for t in root.iter(f"{{{NS['s']}}}text")]
    assert {"1", "2", "3", "left knee", "right knee"} <= set(labels)


def test_charts_render_in_a_browser(browser, session, tmp_path):
    paths = write_plots(session, tmp_path)
    assert [p.name for p in paths] == ["timeline.svg", "reps.svg"]
    page = browser.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    for path in paths:
        page.goto(path.as_uri())
        sizes = page.eval_on_selector_all(
            "path[data-series], rect[data-rep]",
            "els => els.map(e => { const b = e.getBBox(); return [b.width, b.height]; })",
        )
        assert sizes and all(w > 0 or h > 0 for w, h in sizes)
        assert page.title().startswith("squat")
    page.close()
    assert errors == []
