"""angles.mot and landmarks_px.trc follow the file rules OpenSim's readers apply."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from valgus.outputs.opensim import BLAZEPOSE_MARKERS, TRC_CHUNK_FRAMES, write_mot, write_trc

TRC_KEYS = [
    "DataRate",
    "CameraRate",
    "NumFrames",
    "NumMarkers",
    "Units",
    "OrigDataRate",
    "OrigDataStartFrame",
    "OrigNumFrames",
]


def read_trc(path):
    """A reader with the checks of OpenSim's TRCFileAdapter (4.x), strict where it is strict."""
    lines = path.read_text().split("\n")
    assert lines[0].split("\t")[:3] == ["PathFileType", "4", "(X/Y/Z)"]
    keys = [k for k in lines[1].split("\t") if k]
    values = [v for v in lines[2].split("\t") if v]
    assert keys == TRC_KEYS and len(values) == len(keys)
    meta = dict(zip(keys, values, strict=True))
    n_markers, n_frames = int(meta["NumMarkers"]), int(meta["NumFrames"])
    labels = [c for c in lines[3].split("\t") if c]
    assert labels[:2] == ["Frame#", "Time"] and len(labels) == n_markers + 2
    xyz = [c for c in lines[4].split("\t") if c]
    assert xyz == [f"{a}{i}" for i in range(1, n_markers + 1) for a in "XYZ"]
    rows = [line for line in lines[5:] if line.strip()]
    assert lines[5] == ""  # the blank line OpenSim writes before the data
    assert len(rows) == n_frames
    data = []
    for row in rows:
        cells = row.split("\t")
        # Old OpenSim tokenizers drop empty cells: every cell must hold a value.
        assert len(cells) == 3 * n_markers + 2 and all(cells), row[:80]
        data.append([float(c) for c in cells])
    return meta, labels[2:], np.array(data)


def read_mot(path):
    """Header key=value lines until endheader, then a tab table with time first."""
    text = path.read_text().split("\n")
    end = text.index("endheader")
    header = dict(line.split("=", 1) for line in text[1:end] if "=" in line)
    table = pd.read_csv(path, sep="\t", skiprows=end + 1)
    return header, table


@pytest.fixture
def landmarks():
    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 720, size=(5, 33, 2))
    xy[2, 25] = np.nan  # a knee lost in one frame
    xy[4] = np.nan  # no pose in the last frame
    return xy, np.array([0.0, 0.0333, 0.0667, 0.1, 0.1333])


def test_trc_passes_opensim_checks_and_keeps_pixels(tmp_path, landmarks):
    xy, t = landmarks
    path = tmp_path / "landmarks_px.trc"
    write_trc(path, xy_px=xy, times_s=t, rate_hz=30.0)
    meta, names, data = read_trc(path)
    assert meta["Units"] == "px" and float(meta["DataRate"]) == 30.0
    assert names == list(BLAZEPOSE_MARKERS) and names[25] == "LKnee" and names[26] == "RKnee"
    assert data[:, 0].tolist() == [1, 2, 3, 4, 5]  # Frame# is 1-based
    np.testing.assert_allclose(data[:, 1], t)
    x, y, z = data[:, 2::3], data[:, 3::3], data[:, 4::3]
    np.testing.assert_allclose(
        x[:4][~np.isnan(xy[:4, :, 0])], xy[:4, :, 0][~np.isnan(xy[:4, :, 0])], rtol=1e-5
    )
    np.testing.assert_allclose(y[:2], xy[:2, :, 1], rtol=1e-5)
    assert np.all(z[np.isfinite(x)] == 0)
    assert math.isnan(x[2, 25]) and math.isnan(z[2, 25]) and np.isnan(data[4, 2:]).all()


def test_trc_reads_in_pandas_like_sports2d_px_files(tmp_path, landmarks):
    xy, t = landmarks
    path = tmp_path / "landmarks_px.trc"
    write_trc(path, xy_px=xy, times_s=t, rate_hz=30.0)
    table = pd.read_csv(path, sep="\t", skiprows=5, header=None)
    assert table.shape == (5, 2 + 3 * 33)
    assert table.iloc[1, 2 + 3 * 23] == pytest.approx(xy[1, 23, 0], rel=1e-5)  # LHip X


def test_trc_written_in_chunks_reads_as_one_table(tmp_path):
    """A long track crosses the writer's chunk boundaries without a seam."""
    n = 2 * TRC_CHUNK_FRAMES + 7
    rng = np.random.default_rng(5)
    xy = rng.uniform(0, 1280, size=(n, 33, 2))
    xy[TRC_CHUNK_FRAMES - 1 : TRC_CHUNK_FRAMES + 1, 26] = np.nan  # across the first seam
    t = np.arange(n) / 30.0
    path = tmp_path / "long.trc"
    write_trc(path, xy_px=xy, times_s=t, rate_hz=30.0)
    meta, _, data = read_trc(path)
    assert int(meta["NumFrames"]) == n == data.shape[0]
    assert data[:, 0].tolist() == list(range(1, n + 1))
    np.testing.assert_allclose(data[:, 1], t, atol=1e-6)
    np.testing.assert_allclose(data[:, 2::3], xy[:, :, 0], rtol=1e-5)
    np.testing.assert_allclose(data[:, 3::3], xy[:, :, 1], rtol=1e-5)
    assert np.isnan(data[TRC_CHUNK_FRAMES - 1 : TRC_CHUNK_FRAMES + 1, 2 + 3 * 26]).all()


def test_mot_header_counts_the_time_column_and_keeps_nan(tmp_path):
    t = np.array([0.0, 0.5, 1.0])
    columns = {"fppa_l": np.array([1.5, np.nan, 16.25]), "pelvic_drop": np.array([0.0, 2.0, 4.5])}
    path = tmp_path / "angles.mot"
    write_mot(path, times_s=t, columns=columns)
    header, table = read_mot(path)
    assert header == {"version": "1", "nRows": "3", "nColumns": "3", "inDegrees": "yes"}
    assert list(table.columns) == ["time", "fppa_l", "pelvic_drop"]
    np.testing.assert_allclose(table["time"], t)
    np.testing.assert_allclose(table["fppa_l"], columns["fppa_l"])  # NaN stays NaN
    assert "NaN" in path.read_text().split("endheader")[1]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"xy_px": np.zeros((3, 32, 2))}, r"shape \(T, 33, 2\)"),
        ({"times_s": np.zeros(2)}, r"times_s must have shape \(3,\)"),
        ({"rate_hz": 0.0}, "rate_hz must be positive"),
    ],
)
def test_trc_rejects_bad_input(tmp_path, kwargs, message):
    args = {"xy_px": np.zeros((3, 33, 2)), "times_s": np.zeros(3), "rate_hz": 30.0} | kwargs
    with pytest.raises(ValueError, match=message):
        write_trc(tmp_path / "x.trc", **args)


def test_mot_rejects_names_with_spaces_and_wrong_lengths(tmp_path):
    t = np.zeros(3)
    with pytest.raises(ValueError, match="without whitespace"):
        write_mot(tmp_path / "x.mot", times_s=t, columns={"knee angle": np.zeros(3)})
    with pytest.raises(ValueError, match=r"must have shape \(3,\)"):
        write_mot(tmp_path / "x.mot", times_s=t, columns={"fppa_l": np.zeros(4)})
