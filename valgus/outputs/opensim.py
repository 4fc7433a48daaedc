"""OpenSim exports: angles as ``.mot``, 2D landmarks as ``.trc``, as Sports2D / Pose2Sim write them.

Formats (read from OpenSim's TRCFileAdapter and Sports2D's writers):

- ``.trc``: line 1 ``PathFileType 4 (X/Y/Z) <file>``; line 2 the eight keys
  ``DataRate CameraRate NumFrames NumMarkers Units OrigDataRate
  OrigDataStartFrame OrigNumFrames``; line 3 their values; line 4 ``Frame#
  Time`` and each marker name followed by two empty cells; line 5 ``X1 Y1 Z1
  X2 ...`` after two empty cells; a blank line; then one tab-separated row per
  frame, 1-based frame number first. Every row has exactly 2 + 3 x markers
  cells: unknown values are written ``NaN`` (older OpenSim readers collapse
  empty cells and would reject the row).
- ``.mot``: a header (name, ``version=1``, ``nRows``, ``nColumns`` counting
  the time column, ``inDegrees=yes``) closed by ``endheader``, then a
  tab-separated table whose first column is ``time``.

The landmarks are the filtered ones the metrics came from, in image pixels
(x right, y down, as Sports2D's ``*_px.trc``) with Z = 0; marker names are
Sports2D's BLAZEPOSE names, so Sports2D / Pose2Sim BlazePose marker sets match.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from valgus.pose.landmarks import NUM_LANDMARKS
from valgus.session import Session

TRC_NAME = "landmarks_px.trc"
MOT_NAME = "angles.mot"

# Sports2D skeletons.BLAZEPOSE names, by MediaPipe landmark index.
BLAZEPOSE_MARKERS: tuple[str, ...] = (
    "Nose", "LEyeInner", "LEye", "LEyeOuter", "REyeInner", "REye", "REyeOuter", "LEar", "REar",
    "LMouth", "RMouth", "LShoulder", "RShoulder", "LElbow", "RElbow", "LWrist", "RWrist",
    "LPinky", "RPinky", "LIndex", "RIndex", "LThumb", "RThumb", "LHip", "RHip", "LKnee",
    "RKnee", "LAnkle", "RAnkle", "LHeel", "RHeel", "LBigToe", "RBigToe",
)  # fmt: skip


TRC_CHUNK_FRAMES = 1000


def _number(value: float) -> str:
    # math.isfinite on Python floats: np.isfinite per scalar made a 10-minute clip's
    # TRC (1.5 M numbers) take 1.5 s.
    return f"{value:.6g}" if math.isfinite(value) else "NaN"


def _check_times(times_s: np.ndarray, n: int) -> np.ndarray:
    t = np.asarray(times_s, dtype=float)
    if t.shape != (n,):
        raise ValueError(f"times_s must have shape ({n},), got {t.shape}")
    if n and not np.all(np.isfinite(t)):
        raise ValueError("times_s must be finite")
    return t


def write_trc(
    path: Path,
    *,
    xy_px: np.ndarray,
    times_s: np.ndarray,
    rate_hz: float,
    marker_names: Sequence[str] = BLAZEPOSE_MARKERS,
) -> None:
    """Write 2D marker positions (pixels) as an OpenSim ``.trc`` with Z = 0.

    Parameters
    ----------
    path : Path
    xy_px : (T, M, 2) float
        Pixel coordinates; NaN where unknown.
    times_s : (T,) float
    rate_hz : float
        Nominal frame rate (DataRate and CameraRate).
    marker_names : sequence of M str
    """
    xy = np.asarray(xy_px, dtype=float)
    if xy.ndim != 3 or xy.shape[2] != 2 or xy.shape[1] != len(marker_names):
        raise ValueError(f"xy_px must have shape (T, {len(marker_names)}, 2), got {xy.shape}")
    if not (np.isfinite(rate_hz) and rate_hz > 0):
        raise ValueError(f"rate_hz must be positive, got {rate_hz}")
    n, m = xy.shape[0], xy.shape[1]
    t = _check_times(times_s, n)
    rate = f"{rate_hz:.6g}"
    header = [
        f"PathFileType\t4\t(X/Y/Z)\t{path.name}",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\t"
        "OrigDataStartFrame\tOrigNumFrames",
        f"{rate}\t{rate}\t{n}\t{m}\tpx\t{rate}\t1\t{n}",
        "Frame#\tTime\t" + "\t\t\t".join(marker_names) + "\t\t",
        "\t\t" + "\t".join(f"X{i}\tY{i}\tZ{i}" for i in range(1, m + 1)),
        "",
    ]
    with path.open("w", encoding="utf-8") as out:
        out.write("\n".join(header) + "\n")
        # A chunk of frames at a time: as one list of Python floats and lines, a
        # 10-minute clip's file took 77 MB of memory at once, the run's peak.
        for start in range(0, n, TRC_CHUNK_FRAMES):
            stop = min(start + TRC_CHUNK_FRAMES, n)
            lines = []
            rows = zip(t[start:stop].tolist(), xy[start:stop].tolist(), strict=True)
            for k, (time_s, row) in enumerate(rows, start=start + 1):
                cells = [str(k), f"{time_s:.6f}"]
                for x, y in row:
                    z = "0" if math.isfinite(x) and math.isfinite(y) else "NaN"
                    cells += [_number(x), _number(y), z]
                lines.append("\t".join(cells) + "\n")
            out.write("".join(lines))


def write_mot(
    path: Path, *, times_s: np.ndarray, columns: Mapping[str, np.ndarray], name: str = "Coordinates"
) -> None:
    """Write angle time series (degrees) as an OpenSim ``.mot``.

    Parameters
    ----------
    path : Path
    times_s : (T,) float
    columns : mapping of column name -> (T,) float, degrees
        Names must not contain whitespace; NaN is written where unknown.
    name : str
        First header line.
    """
    n = len(times_s)
    t = _check_times(times_s, n)
    for key, values in columns.items():
        if not key or any(c.isspace() for c in key):
            raise ValueError(f"column names must be non-empty without whitespace, got {key!r}")
        if np.shape(values) != (n,):
            raise ValueError(f"column {key!r} must have shape ({n},), got {np.shape(values)}")
    data = [np.asarray(v, dtype=float) for v in columns.values()]
    lines = [
        name,
        "version=1",
        f"nRows={n}",
        f"nColumns={len(columns) + 1}",
        "inDegrees=yes",
        "",
        "Angles in degrees, time in seconds (valgus). NaN: not measurable in that frame.",
        "",
        "endheader",
        "time\t" + "\t".join(columns),
    ]
    for k in range(n):
        lines.append("\t".join([f"{t[k]:.6f}", *(_number(v[k]) for v in data)]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def session_angles(session: Session) -> dict[str, np.ndarray]:
    """The angles for the ``.mot``: FPPA per knee (valid frames only), pelvis, trunk.

    OpenSim's ``_l`` / ``_r`` suffixes name the person's sides.
    """
    f = session.frames
    out = {}
    for side, suffix in (("left", "l"), ("right", "r")):
        ok = f[f"fppa_valid_{side}"].fillna(False).to_numpy(dtype=bool)
        out[f"fppa_{suffix}"] = np.where(ok, f[f"fppa_{side}_deg"].to_numpy(dtype=float), np.nan)
    out["pelvic_obliquity"] = f["pelvic_obliquity_deg"].to_numpy(dtype=float)
    out["pelvic_drop"] = f["pelvic_drop_deg"].to_numpy(dtype=float)
    out["trunk_lean"] = f["trunk_lean_deg"].to_numpy(dtype=float)
    return out


def write_opensim(session: Session, folder: Path) -> None:
    """Write ``angles.mot`` and ``landmarks_px.trc`` for ``session`` into ``folder``."""
    track = session.track
    if track.xy_px.shape[1] != NUM_LANDMARKS:
        raise ValueError(f"expected {NUM_LANDMARKS} landmarks, got {track.xy_px.shape[1]}")
    times = session.frames["time_s"].to_numpy(dtype=float)
    write_mot(folder / MOT_NAME, times_s=times, columns=session_angles(session))
    write_trc(folder / TRC_NAME, xy_px=track.xy_px, times_s=times, rate_hz=track.fps)
