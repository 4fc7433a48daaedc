"""The offline report's "Check the points" in headless Chromium, then its file in valgus analyze.

``valgus analyze`` writes the report of the squat sample's first rep; the test opens
report.html from disk, drags the right knee with the mouse onto the line from the
right hip to the right ankle (where FPPA is 0 by construction), nudges it 1 px
with an arrow key, checks the live angle against valgus's own geometry of the
points on the page, downloads the corrections and runs ``valgus analyze
--from-pose FOLDER --corrections FILE --no-video``, whose corrections.json must
read the same angle from the same points.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.support.cli import run_cli
from tests.support.paths import SAMPLES
from tests.support.web import first_seconds
from valgus.analysis.geometry import fppa_deg, pelvic_obliquity_deg
from valgus.pose.track import PoseTrack

pytestmark = pytest.mark.slow
LEGS = ("left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle")


def _circle(page, name: str) -> list[float]:
    dot = page.locator(f'#pc-svg circle.pt[data-name="{name}"]')
    return [float(dot.get_attribute("cx")), float(dot.get_attribute("cy"))]


def _right_fppa(points: dict) -> float:
    p = {k: np.array(v, dtype=float) for k, v in points.items()}
    return float(fppa_deg(p["right_hip"], p["right_knee"], p["right_ankle"], p["left_hip"]))


def _screen(page, point: list[float]) -> tuple[float, float]:
    """Where clip pixel ``point`` is on the screen (the SVG's own transform)."""
    return page.evaluate(
        """([x, y]) => { const svg = document.getElementById("pc-svg");
        const at = new DOMPoint(x, y).matrixTransform(svg.getScreenCTM());
        return [at.x, at.y]; }""",
        point,
    )


def test_drag_a_knee_download_and_analyze_with_the_file(browser, tmp_path: Path) -> None:
    clip = first_seconds(SAMPLES / "squat_valgus.mp4", tmp_path / "squat_3s.mp4", 3.2)
    assert run_cli("analyze", clip, "-o", tmp_path / "first").returncode == 0
    folder = tmp_path / "first" / "squat_3s"
    track = PoseTrack.load(folder / "pose.npz")
    bottom = json.loads((folder / "report.json").read_text())["reps"][0]["detail"]["bottom_frame"]

    page = browser.new_page(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto((folder / "report.html").as_uri())
    assert page.input_value("#pc-frame") == str(bottom)
    model = {name: _circle(page, name) for name in LEGS}
    # The model's points on the page are the raw track's (landmarks 23-28) on that frame.
    assert model["right_knee"] == pytest.approx(track.xy_px[bottom, 26].tolist(), abs=0.01)
    assert model["left_ankle"] == pytest.approx(track.xy_px[bottom, 27].tolist(), abs=0.01)

    hip, ankle = model["right_hip"], model["right_ankle"]
    on_line = [(hip[0] + ankle[0]) / 2, (hip[1] + ankle[1]) / 2]
    page.locator('#pc-svg circle.pt[data-name="right_knee"]').scroll_into_view_if_needed()
    start, target = _screen(page, model["right_knee"]), _screen(page, on_line)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move((start[0] + target[0]) / 2, (start[1] + target[1]) / 2, steps=4)
    page.mouse.move(*target, steps=4)
    page.mouse.up()
    dragged = _circle(page, "right_knee")
    scale = page.locator("#pc-svg").bounding_box()["height"] / track.height  # screen px a clip px
    assert dragged == pytest.approx(on_line, abs=1.0 / scale)
    live = float(page.get_attribute("#pc-angles", "data-fppa-right"))
    # On the hip-ankle line by construction: FPPA 0, to the screen pixel the mouse lands on.
    assert live == pytest.approx(0.0, abs=1.5)
    assert _right_fppa(model) > 5  # the model read a valgus knee there

    page.keyboard.press("ArrowLeft")
    nudged = _circle(page, "right_knee")
    assert nudged == pytest.approx([dragged[0] - 1, dragged[1]], abs=1e-6)
    on_page = {name: _circle(page, name) for name in LEGS}
    live = float(page.get_attribute("#pc-angles", "data-fppa-right"))
    assert live == pytest.approx(_right_fppa(on_page), abs=1e-3)
    pelvis = pelvic_obliquity_deg(np.array(on_page["left_hip"]), np.array(on_page["right_hip"]))
    assert float(page.get_attribute("#pc-angles", "data-pelvis")) == pytest.approx(pelvis, abs=1e-3)

    page.click("#pc-download")  # no coach name yet: nothing is downloaded
    assert "Type your name first" in page.inner_text("#pc-status")
    page.fill("#pc-coach", "  Sam   Coach ")
    with page.expect_download() as download:
        page.click("#pc-download")
    file = tmp_path / download.value.suggested_filename
    download.value.save_as(file)
    assert file.name == "squat_3s-corrections.json"
    assert errors == []
    page.close()

    document = json.loads(file.read_text())
    assert document["format"] == "valgus-corrections" and document["version"] == 1
    assert document["clip"] == {"name": "squat_3s.mp4", "width": 720, "height": 960, "frames": 96}
    assert document["clip"]["frames"] == track.n_frames
    [correction] = document["corrections"]
    assert correction["frame"] == bottom and correction["coach"] == "Sam Coach"
    rounded = correction["points"]
    assert set(rounded) == set(LEGS)
    for name, point in rounded.items():
        assert point == pytest.approx(on_page[name], abs=0.0501)  # to 0.1 clip px
        assert [round(v * 10) for v in point] == pytest.approx([v * 10 for v in point], abs=1e-6)

    second = tmp_path / "second"
    result = run_cli(
        "analyze", "--from-pose", folder, "--corrections", file, "-o", second, "--no-video"
    )
    assert result.returncode == 0, result.stderr
    written = json.loads((second / "squat_3s" / "corrections.json").read_text())
    coach = written["corrections"][0]["angles"]["coach"]["fppa_right_deg"]
    assert coach == pytest.approx(_right_fppa(rounded), abs=1e-3)
    assert coach == pytest.approx(live, abs=0.05)  # the page's points rounded to 0.1 px
    html = (second / "squat_3s" / "report.html").read_text()
    assert "Coach corrections" in html and "Sam Coach" in html
    # No annotated video, but the clip is there: the points can still be checked.
    assert not (second / "squat_3s" / "annotated.mp4").exists()
    assert 'id="check-points"' in html
