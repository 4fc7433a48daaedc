"""`valgus batch` end to end: process pool, Dask cluster, a corrupt upload, kill -9 and resume.

The clips are one-rep cuts (first 3.5 s, half size) of the bundled samples, so
each analysis takes ~2 s; numbers are compared between runs and backends, not
to truth (test_real_clips and the synth tests cover accuracy).
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import psutil
import pytest

from tests.support.clips import truncate
from tests.support.paths import SAMPLES
from valgus.batch.manifest import read_log
from valgus.outputs.input_record import file_sha256, read_record
from valgus.video.source import VideoSource
from valgus.video.writer import H264Writer

pytestmark = pytest.mark.slow
ONE_REP_FRAMES = 105  # the first squat of the samples ends at frame 90
NUMBERS = ("movement", "reps", "mean_fppa_left_deg", "mean_fppa_right_deg", "pelvic_drop_deg_max")


def one_rep(src: Path, dst: Path) -> Path:
    """The first rep of ``src`` at half size: a real clip that analyses in ~2 s."""
    frames = []
    with VideoSource(src) as source:
        for frame in source:
            if frame.index >= ONE_REP_FRAMES:
                break
            small = cv2.resize(frame.image_bgr, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
            frames.append((small, frame.time_s))
        fps = source.info.fps
    dst.parent.mkdir(parents=True, exist_ok=True)
    height, width = frames[0][0].shape[:2]
    with H264Writer(dst, width, height, fps) as writer:
        for image, t in frames:
            writer.write(image, t)
    return dst


@pytest.fixture(scope="module")
def uploads(tmp_path_factory) -> Path:
    """A clinic's upload folder: two athletes with a squat.mp4 each, a cut-off upload, notes."""
    root = tmp_path_factory.mktemp("uploads")
    one_rep(SAMPLES / "squat_valgus.mp4", root / "anna" / "squat.mp4")
    one_rep(SAMPLES / "squat_good.mp4", root / "ben" / "squat.mp4")
    (root / "cara").mkdir()
    truncate(root / "anna" / "squat.mp4", root / "cara" / "squat.mp4", 0.1)
    (root / "notes.txt").write_text("squad screening, week 1\n")
    return root


def batch(*args, **popen) -> subprocess.CompletedProcess | subprocess.Popen:
    cmd = [sys.executable, "-m", "valgus.cli.main", "batch", *map(str, args)]
    if popen:
        return subprocess.Popen(cmd, **popen)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def summary(out: Path) -> dict[str, dict[str, str]]:
    with (out / "summary.csv").open() as handle:
        return {row["clip"]: row for row in csv.DictReader(handle)}


def mtimes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in [folder, *folder.iterdir()]}


def visible_folders(out: Path) -> list[Path]:
    return sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))


@pytest.fixture(scope="module")
def pool_run(uploads, tmp_path_factory):
    out = tmp_path_factory.mktemp("pool") / "out"
    result = batch(uploads, "-o", out, "--workers", "2", "--no-video", "-q")
    return out, result


def test_pool_batch_records_the_corrupt_upload_and_goes_on(pool_run, uploads):
    out, result = pool_run
    assert result.returncode == 4, result.stderr  # NotAVideoError of the corrupt clip
    assert "Traceback" not in result.stderr
    assert "cara/squat.mp4: no video frames could be decoded" in result.stderr
    assert "3 clips: 2 analysed, 0 already up to date, 1 failed" in result.stdout
    rows = summary(out)
    assert {k: r["status"] for k, r in rows.items()} == {
        "anna/squat.mp4": "done",
        "ben/squat.mp4": "done",
        "cara/squat.mp4": "failed",
    }
    assert rows["cara/squat.mp4"]["exit_code"] == "4"
    assert rows["cara/squat.mp4"]["error"] == "no video frames could be decoded"
    # anna's knees collapse, ben's track well: the overview says so.
    assert float(rows["anna/squat.mp4"]["mean_fppa_left_deg"]) > 12
    assert float(rows["ben/squat.mp4"]["mean_fppa_left_deg"]) < 5
    assert rows["ben/squat.mp4"]["verdict"] == "within normal"
    assert rows["anna/squat.mp4"]["verdict"] != "within normal"
    assert (rows["anna/squat.mp4"]["model"], rows["cara/squat.mp4"]["model"]) == ("full", "")


def test_pool_outputs_are_analyze_folders_plus_input_record(pool_run, uploads):
    out, _ = pool_run
    # Equal stems from different folders: stable, distinct names; the failure left none.
    assert [p.name for p in visible_folders(out)] == ["squat", "squat-ben"]
    folder = out / "squat"
    assert {"report.json", "frames.csv", "reps.csv", "pose.npz", "input.json"} <= {
        p.name for p in folder.iterdir()
    }
    assert "annotated.mp4" not in {p.name for p in folder.iterdir()}  # --no-video
    record = read_record(folder)
    source = uploads / "anna" / "squat.mp4"
    assert record.input_path == str(source.resolve())
    assert record.sha256 == file_sha256(source)
    assert record.size_bytes == source.stat().st_size
    report = json.loads((folder / "report.json").read_text())
    assert report["source"]["frames"] == ONE_REP_FRAMES


def test_rerun_skips_finished_clips_and_retries_the_failure(pool_run, uploads):
    out, _ = pool_run
    before = {p.name: mtimes(p) for p in visible_folders(out)}
    result = batch(uploads, "-o", out, "--workers", "2", "--no-video", "-q")
    assert result.returncode == 4, result.stderr
    assert "3 clips: 0 analysed, 2 already up to date, 1 failed" in result.stdout
    assert {p.name: mtimes(p) for p in visible_folders(out)} == before
    runs = {}
    for entry in read_log(out):
        runs.setdefault(entry["run"], []).append((entry["folder"], entry["status"]))
    first, second = runs.values()
    assert sorted(first) == [("squat", "done"), ("squat-ben", "done"), ("squat-cara", "failed")]
    assert sorted(second) == [
        ("squat", "skipped"),
        ("squat-ben", "skipped"),
        ("squat-cara", "failed"),
    ]


def test_mirror_average_redoes_finished_clips_and_records_the_model(uploads, tmp_path):
    out = tmp_path / "out"
    plain = batch(uploads / "anna", "-o", out, "--workers", "1", "--no-video", "-q")
    assert plain.returncode == 0, plain.stderr
    report = out / "squat" / "report.json"
    assert json.loads(report.read_text())["model"] == "full"
    mirrored = batch(
        uploads / "anna", "-o", out, "--workers", "1", "--no-video", "-q", "--mirror-average"
    )
    assert mirrored.returncode == 0, mirrored.stderr
    assert "1 clip: 1 analysed, 0 already up to date, 0 failed" in mirrored.stdout
    assert json.loads(report.read_text())["model"] == "full, mirror-averaged"
    assert [row["model"] for row in summary(out).values()] == ["full, mirror-averaged"]
    again = batch(
        uploads / "anna", "-o", out, "--workers", "1", "--no-video", "-q", "--mirror-average"
    )
    assert "1 clip: 0 analysed, 1 already up to date, 0 failed" in again.stdout


def test_overview_page_sorts_by_clicked_header_and_links_reports(pool_run, browser):
    out, _ = pool_run
    page = browser.new_page()
    page.goto((out / "index.html").as_uri())
    clips = "tbody tr td:first-child"
    assert page.locator(".failures").inner_text().count("no video frames could be decoded") == 1
    # The number beside each knee's verdict says what it is: the mean reading it grades.
    assert "the mean over reps of each knee's angle at the rep bottom" in page.content()
    page.get_by_role("button", name="FPPA left (°)", exact=True).click()
    # Ascending; the failed clip has no number and stays last either way.
    assert page.locator(clips).all_inner_texts() == [
        "ben/squat.mp4",
        "anna/squat.mp4",
        "cara/squat.mp4",
    ]
    page.get_by_role("button", name="FPPA left (°)", exact=True).click()
    assert page.locator(clips).all_inner_texts() == [
        "anna/squat.mp4",
        "ben/squat.mp4",
        "cara/squat.mp4",
    ]
    page.get_by_role("button", name="Clip", exact=True).click()
    assert page.locator(clips).all_inner_texts()[0] == "anna/squat.mp4"
    links = page.locator("tbody a").evaluate_all("links => links.map(a => a.href)")
    assert len(links) == 2
    for href in links:
        target = Path(href.removeprefix("file://"))
        assert target.is_file() and target.name in ("report.html", "report.json")
    page.close()


def test_dask_cluster_over_tcp_gives_the_pool_numbers(pool_run, uploads, tmp_path):
    from distributed import Client, LocalCluster

    out = tmp_path / "out"
    with (
        LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        worker_pids = set(client.run(os.getpid).values())
        result = batch(
            uploads / "anna", uploads / "ben", "-o", out, "--no-video", "-q",
            "--scheduler", cluster.scheduler_address,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    done = [e for e in read_log(out) if e["status"] == "done"]
    # Both clips ran at the same time, one in each cluster worker.
    assert {int(e["worker"].rsplit(":", 1)[1]) for e in done} == worker_pids
    pool_rows, dask_rows = summary(pool_run[0]), summary(out)
    for clip in ("anna/squat.mp4", "ben/squat.mp4"):
        assert {k: dask_rows[clip][k] for k in NUMBERS} == {k: pool_rows[clip][k] for k in NUMBERS}


def test_local_dask_cluster_with_fail_fast_stops_at_the_first_failure(uploads, tmp_path):
    # Clips run in path order: the cut-off upload (in tmp_path) comes before anna's.
    broken = tmp_path / "clips" / "cut-off.mp4"
    broken.parent.mkdir()
    broken.write_bytes((uploads / "cara" / "squat.mp4").read_bytes())
    assert str(broken) < str(uploads / "anna")
    out = tmp_path / "out"
    result = batch(
        broken, uploads / "anna", "-o", out, "--cluster", "local",
        "--workers", "1", "--fail-fast", "--no-video", "-q",
    )  # fmt: skip
    assert result.returncode == 4, result.stderr
    assert "1 failed, 1 not analysed" in result.stdout
    statuses = {Path(row["input_path"]).name: row["status"] for row in summary(out).values()}
    assert statuses == {"cut-off.mp4": "failed", "squat.mp4": "not analysed"}
    assert visible_folders(out) == []


def wait_for(condition, *, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_killed_run_resumes_with_nothing_lost_and_nothing_done_twice(uploads, tmp_path):
    inputs = [uploads / "anna", uploads / "ben", tmp_path / "extra"]
    one_rep(SAMPLES / "squat_valgus.mp4", tmp_path / "extra" / "front.mp4")
    out = tmp_path / "out"
    args = [*inputs, "-o", out, "--no-video", "-q"]
    proc = batch(*args, "--workers", "1", stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        done = lambda: [e for e in read_log(out) if e["status"] == "done"]  # noqa: E731
        wait_for(lambda: done() or proc.poll() is not None, timeout_s=180, what="a first clip")
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    finished = {e["folder"] for e in done()}
    assert 1 <= len(finished) < 3
    # The orphaned worker notices its batch is gone and stops by itself.
    worker = int(done()[0]["worker"].rsplit(":", 1)[1])
    wait_for(lambda: gone(worker), timeout_s=10, what="the orphaned worker to exit")
    # Nothing half-written is visible: every folder that exists is complete.
    for folder in visible_folders(out):
        assert folder.name in finished and read_record(folder) is not None
    statuses = [r["status"] for r in summary(out).values()]  # the overview of the killed run
    assert statuses.count("done") == len(finished) and "not analysed" in statuses
    before = {name: mtimes(out / name) for name in finished}

    result = batch(*args, "--workers", "2")
    assert result.returncode == 0, result.stderr
    assert f"3 clips: {3 - len(finished)} analysed, {len(finished)} already up to date" in (
        result.stdout
    )
    assert {name: mtimes(out / name) for name in finished} == before
    log = read_log(out)
    for clip in ("squat", "squat-ben", "front"):
        assert [e["status"] for e in log if e["folder"] == clip and e["status"] == "done"] == [
            "done"
        ], clip
    assert {e["folder"] for e in log if e["status"] == "skipped"} == finished
    assert {r["status"] for r in summary(out).values()} == {"done"}
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []


def test_a_clip_past_clip_timeout_is_stopped_and_redone_on_the_next_run(uploads, tmp_path):
    """A worker stopped mid-clip: the clip fails with 124, its process is gone, nothing
    half-made stays, and a run without the limit analyses it."""
    out = tmp_path / "out"
    # 0.5 s: less than a fresh worker needs to start, so the clip is surely still running.
    stopped = batch(uploads / "anna", "-o", out, "--workers", "1", "--no-video",
                    "-q", "--clip-timeout", "0.5")  # fmt: skip
    assert stopped.returncode == 124, stopped.stderr
    assert "squat.mp4: stopped after 0.5 s (--clip-timeout)" in stopped.stderr
    assert "Traceback" not in stopped.stderr and "leaked" not in stopped.stderr
    (row,) = summary(out).values()
    assert (row["status"], row["exit_code"]) == ("failed", "124")
    assert not (out / "squat" / "report.json").exists()
    again = batch(uploads / "anna", "-o", out, "--workers", "1", "--no-video", "-q")
    assert again.returncode == 0, again.stderr
    assert "1 clip: 1 analysed, 0 already up to date, 0 failed" in again.stdout
    assert (out / "squat" / "report.json").exists()


def test_clip_timeout_is_refused_with_dask(tmp_path):
    refused = batch(SAMPLES, "-o", tmp_path / "out", "--cluster", "local", "--clip-timeout", "5")
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        "valgus: error: --clip-timeout needs the process pool: Dask cannot stop a running task"
    ]
    assert not (tmp_path / "out").exists()


def test_an_overview_that_cannot_be_written_is_one_line(tmp_path):
    """summary.csv blocked by a folder of that name: exit 12 at once, no traceback."""
    out = tmp_path / "out"
    (out / "summary.csv").mkdir(parents=True)
    result = batch(SAMPLES / "squat_good.mp4", "-o", out, "--no-video", "-q")
    assert result.returncode == 12, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"valgus: error: cannot write the batch overview in {out.resolve()}: "
        f"Is a directory ({out.resolve() / 'summary.csv'})"
    ]
