"""Phone-format copies of a ../shared/videos clip, made with PyAV for the speed benchmarks.

What people upload is phone video: 1080x1920 HEVC in a .mov, or 2160x3840
H.264, portrait. The shared clips are mostly 720p, so the benchmarks
(throughput.py, memory.py ``--phone``) scale one portrait clip up to those
formats. Made once into a cache folder (never committed: tens of MB).

Encoded as phones encode: a keyframe every second (the iPhone clips in
../shared/videos, lnewco_*.mov, have one every 0.97 s). x264's default of one
every 250 frames made every seek of the key-frame readers decode up to 8 s of
4K video, a cost phone footage does not have.

    python benchmarks/phone_clips.py [--seconds 12] [--cache DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import av

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO.parent / "shared/videos/front/tux_hyva_ja_paha2.mp4"  # 406x720 portrait, 30 fps
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "valgus-phone-clips"
# name: (width, height, codec, container suffix)
FORMATS = {
    "phone_720x1280_h264": (720, 1280, "libx264", ".mp4"),  # the 720p reference
    "phone_1080x1920_hevc": (1080, 1920, "libx265", ".mov"),
    "phone_2160x3840_h264": (2160, 3840, "libx264", ".mp4"),
}


def make_clip(source: Path, out: Path, width: int, height: int, codec: str, seconds: float) -> Path:
    """The first ``seconds`` of ``source`` scaled to width x height, encoded with ``codec``."""
    partial = out.with_name(out.stem + ".partial" + out.suffix)
    with av.open(str(source)) as src, av.open(str(partial), "w") as dst:
        in_stream = src.streams.video[0]
        rate = Fraction(in_stream.average_rate or 30).limit_denominator(1001)
        stream = dst.add_stream(codec, rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        gop = str(max(1, round(float(rate))))  # a keyframe every second, as phones write
        stream.options = {"preset": "ultrafast", "crf": "23", "g": gop}
        if codec == "libx265":
            stream.codec_tag = "hvc1"  # what iPhones write; players need it for HEVC in .mov
            stream.options["x265-params"] = f"log-level=error:keyint={gop}:min-keyint={gop}"
        else:
            stream.options["x264-params"] = f"keyint={gop}:min-keyint={gop}:scenecut=0"
        for index, frame in enumerate(src.decode(in_stream)):
            if frame.time is not None and frame.time >= seconds:
                break
            scaled = frame.reformat(width=width, height=height, format="yuv420p")
            scaled.pts, scaled.time_base = index, 1 / rate
            for packet in stream.encode(scaled):
                dst.mux(packet)
        for packet in stream.encode():
            dst.mux(packet)
    partial.replace(out)
    return out


def phone_clips(cache: Path = DEFAULT_CACHE, seconds: float = 12.0) -> list[Path]:
    """The phone-format clips, made on first use; [] when the shared source is absent."""
    if not SOURCE.exists():
        return []
    cache.mkdir(parents=True, exist_ok=True)
    clips = []
    for name, (width, height, codec, suffix) in FORMATS.items():
        path = cache / f"{name}_{seconds:g}s_gop1s{suffix}"
        if not path.exists():
            make_clip(SOURCE, path, width, height, codec, seconds)
        clips.append(path)
    return clips


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    args = parser.parse_args()
    clips = phone_clips(args.cache, args.seconds)
    if not clips:
        sys.stderr.write(f"{SOURCE} not found\n")
        return 1
    for clip in clips:
        sys.stdout.write(f"{clip} ({clip.stat().st_size / 1e6:.1f} MB)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
