"""Write a display-matrix rotation into an MP4, as phones do for portrait clips.

PyAV cannot set the matrix when writing, so the test patches the ``tkhd`` box.
"""

from __future__ import annotations

import struct
from pathlib import Path

# 16.16 fixed-point (a, b, u, c, d, v, x, y, w) for a clockwise display rotation.
_MATRICES = {
    0: (1, 0, 0, 1),
    90: (0, 1, -1, 0),
    180: (-1, 0, 0, -1),
    270: (0, -1, 1, 0),
}


def _boxes(data: bytearray, start: int, end: int):
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
            header = 16
        elif size == 0:
            size = end - pos
        yield kind, pos, header, size
        pos += size


def _find(data: bytearray, start: int, end: int, path: list[bytes]) -> int | None:
    for kind, pos, header, size in _boxes(data, start, end):
        if kind == path[0]:
            if len(path) == 1:
                return pos
            found = _find(data, pos + header, pos + size, path[1:])
            if found is not None:
                return found
    return None


def set_rotation(path: Path, clockwise_deg: int) -> None:
    """Tell players to show ``path`` rotated ``clockwise_deg`` (0/90/180/270) clockwise."""
    data = bytearray(path.read_bytes())
    tkhd = _find(data, 0, len(data), [b"moov", b"trak", b"tkhd"])
    if tkhd is None:
        raise ValueError(f"{path}: no tkhd box")
    version = data[tkhd + 8]
    matrix_at = tkhd + (60 if version == 1 else 48)
    a, b, c, d = _MATRICES[clockwise_deg]
    values = (a << 16, b << 16, 0, c << 16, d << 16, 0, 0, 0, 1 << 30)
    data[matrix_at : matrix_at + 36] = struct.pack(">9i", *values)
    path.write_bytes(bytes(data))
