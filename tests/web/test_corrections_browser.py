"""The coach's editor in headless Chromium: drag a knee, nudge it, save, see it in the rep table.

A real server analyses the first rep of the squat sample; the test drags the
model's right knee on the rep's bottom frame with the mouse, nudges it 2 px with
the arrow keys, and checks the live angle against valgus's own geometry of the
points on the page, the saved row against the same, and the rep table and a
reload against the saved row.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import numpy as np
import pytest

from tests.support.paths import SAMPLES
from tests.support.server import ServerProcess
from tests.support.web import first_seconds, upload, wait_for_job
from valgus.analysis.geometry import fppa_deg

pytestmark = pytest.mark.slow
DRAG_PX = 40  # screen pixels to the right


def _circle(page, name: str) -> tuple[float, float]:
    knee = page.locator(f'#editor-svg circle.pt[data-name="{name}"]')
    return float(knee.get_attribute("cx")), float(knee.get_attribute("cy"))


def _right_fppa(points: dict) -> float:
    p = {k: np.array(v, dtype=float) for k, v in points.items()}
    return float(fppa_deg(p["right_hip"], p["right_knee"], p["right_ankle"], p["left_hip"]))


def test_drag_a_knee_save_and_see_it_in_the_rep_table(browser, tmp_path: Path) -> None:
    clip_file = first_seconds(SAMPLES / "squat_valgus.mp4", tmp_path / "squat_3s.mp4", 3.2)
    with ServerProcess(tmp_path / "data") as server, httpx.Client(base_url=server.url) as client:
        clip_id = upload(client, clip_file).json()["clips"][0]["id"]
        assert wait_for_job(client, clip_id)["job"]["state"] == "done"
        key = client.get(f"/api/clips/{clip_id}/corrections").json()["key_frames"][0]["bottom"]
        detail = client.get(f"/api/clips/{clip_id}/frames/{key}").json()
        model_knee = detail["model"]["points"]["right_knee"]

        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{server.url}clips/{clip_id}")
        page.wait_for_selector('#editor-status:has-text("Frame ")', timeout=30_000)
        assert page.input_value("#editor-frame") == str(key)
        assert _circle(page, "right_knee") == pytest.approx(model_knee, abs=1e-6)

        page.locator('#editor-svg circle.pt[data-name="right_knee"]').scroll_into_view_if_needed()
        svg = page.locator("#editor-svg").bounding_box()
        scale = min(svg["width"] / detail["width"], svg["height"] / detail["height"])
        knee = page.locator('#editor-svg circle.pt[data-name="right_knee"]').bounding_box()
        x, y = knee["x"] + knee["width"] / 2, knee["y"] + knee["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + DRAG_PX / 2, y, steps=4)
        page.mouse.move(x + DRAG_PX, y, steps=4)
        page.mouse.up()
        dragged = _circle(page, "right_knee")
        # The grab point is within a pixel of the knee's centre: so is the drop.
        assert dragged[0] == pytest.approx(model_knee[0] + DRAG_PX / scale, abs=1.5 / scale)
        assert dragged[1] == pytest.approx(model_knee[1], abs=1.5 / scale)
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        nudged = _circle(page, "right_knee")
        assert nudged == pytest.approx((dragged[0] + 2, dragged[1]), abs=1e-6)

        on_page = {
            n: _circle(page, n) for n in ("right_hip", "right_knee", "right_ankle", "left_hip")
        }
        live = float(page.get_attribute("#editor-angles", "data-fppa-right"))
        assert live == pytest.approx(_right_fppa(on_page), abs=1e-3)
        assert live != pytest.approx(detail["model"]["angles"]["fppa_model_right_deg"], abs=0.5)

        page.fill("#editor-coach", "Sam Coach")
        page.click("#editor-save")
        page.wait_for_selector("#editor-status.ok-text")
        (saved,) = client.get(f"/api/clips/{clip_id}/corrections").json()["corrections"]
        assert (saved["frame"], saved["coach"], saved["angles"]["moved"]) == (
            key,
            "Sam Coach",
            ["right_knee"],
        )
        assert saved["points"]["right_knee"] == pytest.approx(list(nudged), abs=1e-6)
        assert saved["angles"]["coach"]["fppa_right_deg"] == pytest.approx(live, abs=1e-3)

        cell = page.locator("#reps tbody td.corrected")
        cell.wait_for()
        assert cell.inner_text().startswith(f"{saved['angles']['coach']['fppa_right_deg']:.1f}°")
        report = client.get(f"/api/clips/{clip_id}").json()["report"]
        assert f"model {report['reps'][0]['fppa_right_deg']:.1f}°" in cell.inner_text()
        assert "Sam Coach" in cell.get_attribute("title")

        page.reload()
        page.wait_for_selector('#editor-status:has-text("Frame ")', timeout=30_000)
        assert _circle(page, "right_knee") == pytest.approx(list(nudged), abs=1e-6)
        assert page.locator("#reps tbody td.corrected").count() == 1
        assert "corrected" in page.locator("#editor-frame option").first.inner_text()
        assert errors == []
