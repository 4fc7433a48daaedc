"""Fingerprint what every entry point writes, to prove a refactor changed nothing.

Why: a restructure of the package must leave every number a coach reads
unchanged. This runs ``valgus analyze`` (default segments and ``--jobs 1``),
``--from-pose``, ``valgus batch`` and ``valgus serve`` (a real server, a real
upload) on the bundled samples and a few ../shared/videos clips, and prints
one JSON object: for each entry point and clip, the sha256 of frames.csv and
of report.json with its ``source.path`` blanked (the only field that names
where the clip came from, which differs by entry point, not by code).

Run it at two commits and diff the outputs::

    python scripts/output_fingerprints.py > before.json
    git checkout NEW && python scripts/output_fingerprints.py > after.json
    python scripts/output_fingerprints.py --compare before.json after.json

``valgus live`` is not fingerprinted: it reads a file in real time and keeps
whichever frames the clock lets it, so two runs of the same code differ.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "videos"
SAMPLES = sorted((ROOT / "sample_videos").glob("*.mp4"))
SHARED_CLIPS = [
    SHARED / "front" / name
    for name in (
        "tux_hyva2.mp4",
        "tux_hyva6.mp4",
        "nowva_squats.mp4",
        "lnewco_good_IMG_7035.mov",
        "aithletique_squat.mp4",
    )
]
VALGUS = [sys.executable, "-m", "valgus.cli.main"]
SERVE_URL = re.compile(r"valgus serve: (http://\S+?/)")


def fingerprint(folder: Path) -> dict[str, str]:
    """sha256 of frames.csv and of report.json without its source path."""
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    report["source"]["path"] = ""
    blob = json.dumps(report, sort_keys=True).encode()
    return {
        "frames.csv": hashlib.sha256((folder / "frames.csv").read_bytes()).hexdigest(),
        "report.json": hashlib.sha256(blob).hexdigest(),
    }


def run(*args: str) -> None:
    subprocess.run([*VALGUS, *args], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def analyze_modes(clips: list[Path], work: Path) -> dict[str, dict]:
    out: dict[str, dict] = {"analyze": {}, "analyze --jobs 1": {}, "analyze --from-pose": {}}
    for clip in clips:
        run("analyze", str(clip), "-o", str(work / "a"), "--no-video", "-q")
        out["analyze"][clip.name] = fingerprint(work / "a" / clip.stem)
        run("analyze", str(clip), "-o", str(work / "j1"), "--no-video", "-q", "--jobs", "1")
        out["analyze --jobs 1"][clip.name] = fingerprint(work / "j1" / clip.stem)
        pose = work / "j1" / clip.stem / "pose.npz"
        run("analyze", str(pose), "--from-pose", "-o", str(work / "fp"), "--no-video", "-q")
        out["analyze --from-pose"][clip.name] = fingerprint(work / "fp" / clip.stem)
    return out


def batch_mode(clips: list[Path], work: Path) -> dict[str, dict]:
    run("batch", *map(str, clips), "-o", str(work / "b"), "--no-video", "-q", "--workers", "2")
    return {clip.name: fingerprint(work / "b" / clip.stem) for clip in clips}


def serve_mode(clips: list[Path], work: Path) -> dict[str, dict]:
    data = work / "serve"
    server = subprocess.Popen(
        [*VALGUS, "serve", "--port", "0", "--data", str(data)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        match = None
        while match is None:
            line = server.stdout.readline()
            if not line:
                raise RuntimeError("valgus serve did not start")
            match = SERVE_URL.search(line)
        out = {}
        with httpx.Client(base_url=match.group(1), timeout=60) as client:
            for clip in clips:
                reply = client.post(
                    "/api/clips",
                    data={"athlete": "A", "session": "S", "movement": "auto"},
                    files={"file": (clip.name, clip.read_bytes(), "video/mp4")},
                )
                reply.raise_for_status()
                clip_id = reply.json()["clips"][0]["id"]
                while client.get(f"/api/clips/{clip_id}").json()["job"]["state"] not in (
                    "done",
                    "failed",
                ):
                    time.sleep(0.5)
                out[clip.name] = fingerprint(data / "results" / str(clip_id))
        return out
    finally:
        server.terminate()
        server.wait(timeout=30)


def compare(before: Path, after: Path) -> int:
    """Print every fingerprint that differs; exit 1 if any does."""
    a = json.loads(before.read_text())
    b = json.loads(after.read_text())
    differences = [
        f"{mode} / {clip} / {name}"
        for mode in sorted(set(a) | set(b))
        for clip in sorted(set(a.get(mode, {})) | set(b.get(mode, {})))
        for name in ("frames.csv", "report.json")
        if a.get(mode, {}).get(clip, {}).get(name) != b.get(mode, {}).get(clip, {}).get(name)
    ]
    for line in differences:
        print("differs:", line)
    count = sum(len(clips) for clips in a.values())
    print(f"{len(differences)} of {count * 2} fingerprints differ")
    return 1 if differences else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        return compare(*args.compare)
    clips = SAMPLES + [c for c in SHARED_CLIPS if c.exists()]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        result = analyze_modes(clips, work)
        result["batch"] = batch_mode(clips, work)
        result["serve"] = serve_mode(clips, work)
    json.dump(result, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
