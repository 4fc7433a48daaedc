"""The report's "Check the points" data: which frames, their raw pictures, the model's points.

A clip of known geometry: 2000x1000 frames (so the picture is shrunk to 960 px on its
long side), the legs where tests/support/analysed_clip.py puts them scaled x5, and two
reps whose readings name frames 3, 5, 6 and 9; frame 9 has no right ankle.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pandas as pd
import pytest

from tests.support.clips import numbered_frames, write_frames
from tests.support.tracks import legs_track
from valgus.outputs.point_check import (
    STILL_MAX_SIDE_PX,
    RawStills,
    check_frames,
    point_check_data,
    point_check_section,
)
from valgus.pose.landmarks import Landmark
from valgus.pose.track import PoseTrack

WIDTH, HEIGHT, FRAMES, FPS = 2000, 1000, 12, 30.0
POINTS = {
    "left_hip": (1000.0, 400.0),
    "right_hip": (600.0, 400.0),
    "left_knee": (1000.0, 700.0),
    "right_knee": (650.0, 700.0),
    "left_ankle": (1000.0, 1000.0),
    "right_ankle": (600.0, 1000.0),
}


def _track() -> PoseTrack:
    track = legs_track(POINTS, frames=FRAMES, width=WIDTH, height=HEIGHT, fps=FPS)
    track.xy_px[9, Landmark.RIGHT_ANKLE] = np.nan
    return track


def _rep(index: int, bottom: int, left: int | None, right: int | None) -> SimpleNamespace:
    return SimpleNamespace(
        index=index, bottom_frame=bottom, fppa_read_left_frame=left, fppa_read_right_frame=right
    )


@pytest.fixture
def session(tmp_path: Path) -> SimpleNamespace:
    """What point_check reads of a Session: the raw track, the reps and the source's path."""
    reps = [_rep(1, 5, 5, 3), _rep(2, 9, 6, None), _rep(3, 6, None, None)]
    return SimpleNamespace(
        raw_track=_track(),
        reps=reps,
        source=SimpleNamespace(path=str(tmp_path / "clip.mp4")),
        frames=pd.DataFrame(index=pd.RangeIndex(FRAMES)),
    )


def test_each_reading_frame_once_and_none_without_every_leg_point(session) -> None:
    frames = check_frames(session)
    assert [(f.frame, f.rep, f.read) for f in frames] == [
        (3, 1, ("right knee",)),
        (5, 1, ("bottom", "left knee")),
        (6, 2, ("left knee",)),  # rep 3's bottom is the same frame: shown once
    ]
    assert frames[0].points == POINTS


def test_data_holds_the_clip_shape_and_raw_frames_shrunk_to_960_px(session, tmp_path) -> None:
    video = write_frames(tmp_path / "clip.mp4", numbered_frames(FRAMES, WIDTH, HEIGHT), FPS)
    data = point_check_data(session, video, clip_name="Alex squat.mov")
    assert data["clip"] == {"name": "Alex squat.mov", "width": 2000, "height": 1000, "frames": 12}
    assert [f["frame"] for f in data["frames"]] == [3, 5, 6]
    first = data["frames"][0]
    assert first["time_s"] == pytest.approx(0.1)
    assert first["points"] == {name: list(p) for name, p in POINTS.items()}
    uri = first["image"]
    assert uri.startswith("data:image/jpeg;base64,")
    picture = cv2.imdecode(
        np.frombuffer(base64.b64decode(uri.split(",", 1)[1]), np.uint8), cv2.IMREAD_COLOR
    )
    assert picture.shape[:2] == (STILL_MAX_SIDE_PX // 2, STILL_MAX_SIDE_PX)
    # The picture is frame 3's own (numbered_frames: the grey level is 8 x the frame number).
    assert float(np.median(picture)) == pytest.approx(3 * 8, abs=3)
    unnamed = point_check_data(session, video)
    assert unnamed["clip"]["name"] == "clip.mp4"


def test_no_data_from_a_clip_that_is_not_the_tracks(session, tmp_path) -> None:
    other = write_frames(tmp_path / "other.mp4", numbered_frames(FRAMES, 64, 48), FPS)
    assert point_check_data(session, other) is None  # 64x48 frames, landmarks of 2000x1000
    (tmp_path / "broken.mp4").write_bytes(b"not a video")
    assert point_check_data(session, tmp_path / "broken.mp4") is None


def _grey_level(uri: str) -> float:
    data = np.frombuffer(base64.b64decode(uri.split(",", 1)[1]), np.uint8)
    return float(np.median(cv2.imdecode(data, cv2.IMREAD_COLOR)))


def test_stills_from_the_video_pass_are_used_and_only_the_rest_decoded(session, tmp_path) -> None:
    """The annotated video's pass hands over raw frames; the report then decodes none of them."""
    collect = RawStills(session)
    for row in range(FRAMES):
        collect(row, np.full((500, 1000, 3), 100 + row, np.uint8))  # a 1000 px video frame
    assert sorted(collect.stills) == [3, 5, 6]
    assert _grey_level(collect.stills[5]) == pytest.approx(105, abs=2)
    # With every still given, the clip is not read at all (here: it is not even a video).
    (tmp_path / "broken.mp4").write_bytes(b"not a video")
    data = point_check_data(session, tmp_path / "broken.mp4", stills=collect.stills)
    assert [f["image"] for f in data["frames"]] == [collect.stills[f] for f in (3, 5, 6)]
    # Frames without a still are decoded from the clip (grey level 8 x the frame number).
    video = write_frames(tmp_path / "clip.mp4", numbered_frames(FRAMES, WIDTH, HEIGHT), FPS)
    data = point_check_data(session, video, stills={5: collect.stills[5]})
    levels = [_grey_level(f["image"]) for f in data["frames"]]
    assert levels == pytest.approx([3 * 8, 105, 6 * 8], abs=3)


def test_a_video_smaller_than_the_still_leaves_the_frame_to_the_decode(session) -> None:
    collect = RawStills(session)
    collect(3, np.zeros((360, 720, 3), np.uint8))  # 720 px long: the still wants 960
    assert collect.stills == {}


def test_no_section_without_frames_and_data_cannot_close_its_script(session) -> None:
    assert point_check_section(None) == ""
    data = {"clip": {"name": "</script><b>x", "width": 2, "height": 2, "frames": 1}}
    data["frames"] = [{"frame": 0, "image": "", "points": {}}]
    html = point_check_section(data)
    assert html.count("</script>") == 2  # the data's and the editor's own
    payload = re.search(r'id="valgus-points">(.*?)</script>', html).group(1)
    assert json.loads(payload)["clip"]["name"] == "</script><b>x"
    assert "Download corrections (JSON)" in html
    assert "function fppaDeg(" in html  # the app's editor geometry (points.js), inlined
