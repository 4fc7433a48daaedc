"""valgus batch without the pose model: discovery, folder names, resume decisions, overview."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import pytest

from valgus.batch.inputs import discover, display_names
from valgus.batch.manifest import RESERVED_NAMES, OutcomeLog, check_folder, read_log
from valgus.batch.overview import CSV_COLUMNS, summary_csv, worst_verdict
from valgus.errors import InputNotFoundError
from valgus.outputs.folders import clean_partials, folder_names
from valgus.outputs.input_record import InputRecord, file_sha256, read_record, write_record
from valgus.settings import AnalysisSettings

SETTINGS = AnalysisSettings().redo_key()


def assign_names(paths, out):
    return folder_names(paths, out, reserved=RESERVED_NAMES)


def touch(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture
def uploads(tmp_path: Path) -> Path:
    root = tmp_path / "uploads"
    for rel in (
        "anna/squat.mp4",
        "anna/slss_left.MOV",  # phones write upper-case extensions
        "ben/squat.mp4",
        "ben/notes.txt",
        "ben/.hidden.mp4",
        ".thumbs/squat.mp4",
        "results/old/annotated.mp4",  # an earlier run's output inside the upload folder
        "z.m4v",
    ):
        touch(root / rel)
    return root


def rel(paths: list[Path], root: Path) -> list[str]:
    return [p.relative_to(root.resolve()).as_posix() for p in paths]


def test_folder_is_searched_recursively_for_videos_only(uploads):
    found = discover([uploads], exclude=[uploads / "results"])
    assert rel(found, uploads) == ["anna/slss_left.MOV", "anna/squat.mp4", "ben/squat.mp4", "z.m4v"]
    assert all(p.is_absolute() for p in found)


def test_globs_and_explicit_files_are_merged_without_duplicates(uploads):
    found = discover(
        [
            str(uploads / "*" / "squat.mp4"),
            uploads / "ben" / "notes.txt",
            uploads / "ben" / "squat.mp4",
        ]
    )
    # The explicit non-video file is taken (asked for by name); the duplicate is not.
    assert rel(found, uploads) == ["anna/squat.mp4", "ben/notes.txt", "ben/squat.mp4"]
    recursive = discover([str(uploads / "**" / "*.mp4")], exclude=[uploads / "results"])
    assert rel(recursive, uploads) == ["anna/squat.mp4", "ben/squat.mp4"]


@pytest.mark.parametrize(
    ("inputs", "fragment"),
    [
        (["missing.mp4"], "missing.mp4: no such file or folder"),
        (["nothing-*.mp4"], "nothing-*.mp4: no file matches this pattern"),
        (["ben/notes-folder"], "no video files found in"),
    ],
)
def test_bad_inputs_are_refused_before_any_work(uploads, inputs, fragment):
    (uploads / "ben" / "notes-folder").mkdir()
    with pytest.raises(InputNotFoundError, match=fragment.replace("*", r"\*")):
        discover([str(uploads / i) if i != "missing.mp4" else i for i in inputs])


def test_display_names_are_relative_to_the_shared_folder(uploads):
    paths = discover([uploads / "anna", uploads / "ben"])
    assert display_names(paths) == ["anna/slss_left.MOV", "anna/squat.mp4", "ben/squat.mp4"]
    assert display_names(paths[:1]) == ["slss_left.MOV"]


def finish(out: Path, name: str, source: Path, settings=SETTINGS, *, report: bool = True) -> Path:
    """A folder as run_clip_task leaves it: outputs, then input.json."""
    folder = out / name
    folder.mkdir(parents=True)
    if report:
        (folder / "report.json").write_text("{}")
    stat = source.stat()
    write_record(
        folder,
        InputRecord(str(source), file_sha256(source), stat.st_size, stat.st_mtime_ns, settings),
    )
    return folder


def test_equal_stems_get_parent_names_and_keep_them_between_runs(tmp_path):
    a = touch(tmp_path / "in/a/squat.mp4")
    b = touch(tmp_path / "in/b/squat.mp4", b"b")
    out = tmp_path / "out"
    assert assign_names([a, b], out) == ["squat", "squat-b"]
    # b finished under "squat-b" in a first run; a new clip sorting first must not take it.
    finish(out, "squat-b", b)
    early = touch(tmp_path / "in/0/squat.mp4", b"0")
    assert assign_names([early, a, b], out) == ["squat", "squat-a", "squat-b"]


def test_names_never_take_another_inputs_result_or_a_reserved_name(tmp_path):
    other = touch(tmp_path / "week1/anna.mp4")
    mine = touch(tmp_path / "week2/anna.mp4", b"2")
    out = tmp_path / "out"
    finish(out, "anna", other)  # an earlier batch into the same OUTDIR
    index = touch(tmp_path / "week2/index.html.mp4")
    upper = touch(tmp_path / "week2/x/ANNA.mp4", b"3")
    assert assign_names([mine, index, upper], out) == ["anna-week2", "index.html-week2", "ANNA-x"]
    # Once that input is gone, its folder may be reused.
    other.unlink()
    assert assign_names([mine], out) == ["anna"]


def test_resume_decision_follows_content_and_settings(tmp_path):
    source = touch(tmp_path / "in/clip.mp4", b"frames" * 100)
    out = tmp_path / "out"
    folder = finish(out, "clip", source)
    assert check_folder(folder, source, SETTINGS, video=False).up_to_date
    changed = AnalysisSettings(movement="squat").redo_key()
    assert check_folder(folder, source, changed, video=False).reason == "settings changed"
    unrefined = AnalysisSettings(refine=False).redo_key()
    assert check_folder(folder, source, unrefined, video=False).reason == "settings changed"
    # A folder from before the second model (no "refine" in its record) is redone once.
    before = {k: v for k, v in SETTINGS.items() if k != "refine"}
    old = finish(out, "old", source, before)
    assert check_folder(old, source, SETTINGS, video=False).reason == "settings changed"
    assert check_folder(folder, source, SETTINGS, video=True).reason == "annotated video missing"

    # Same content, new mtime (copied back from a backup): hashed once, still current,
    # and the record now holds the new mtime so the next check does not hash again.
    os.utime(source, ns=(1_000_000_000, 1_000_000_000))
    fresh = check_folder(folder, source, SETTINGS, video=False)
    assert fresh.up_to_date and fresh.reason == "up to date (same content)"
    assert read_record(folder).mtime_ns == 1_000_000_000

    source.write_bytes(b"FRAMES" * 100)  # same size, other content
    assert check_folder(folder, source, SETTINGS, video=False).reason == "input changed"
    source.write_bytes(b"frames" * 101)
    assert check_folder(folder, source, SETTINGS, video=False).reason == "input changed"


def test_a_folder_without_record_or_report_is_redone(tmp_path):
    source = touch(tmp_path / "clip.mp4")
    out = tmp_path / "out"
    (out / "bare").mkdir(parents=True)  # e.g. killed between the rename and input.json
    assert check_folder(out / "bare", source, SETTINGS, video=False).reason == "not analysed yet"
    folder = finish(out, "clip", source, report=False)
    assert check_folder(folder, source, SETTINGS, video=False).reason == "incomplete result"
    (folder / "input.json").write_text("{not json")
    assert read_record(folder) is None


def test_leftover_temporary_folders_are_removed_only_for_named_clips(tmp_path):
    for name in (".squat.partial-abc", ".squat.old-123", ".squat[1].partial-x", ".other.partial-y"):
        (tmp_path / name).mkdir()
    assert clean_partials(tmp_path, ["squat", "squat[1]"]) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.partial-y"]


def test_outcome_log_appends_and_ignores_a_line_cut_by_a_kill(tmp_path):
    OutcomeLog(tmp_path, "run1").append({"status": "done", "input": "a"})
    OutcomeLog(tmp_path, "run2").append({"status": "skipped", "input": "a"})
    with (tmp_path / "batch-log.jsonl").open("a") as handle:
        handle.write('{"status": "do')
    entries = read_log(tmp_path)
    assert [(e["run"], e["status"]) for e in entries] == [("run1", "done"), ("run2", "skipped")]


@pytest.mark.parametrize(
    ("words", "worst"),
    [
        (["within normal", "marked", "above normal range"], "marked"),
        (["not measurable", "within normal", "not measurable"], "within normal"),
        (["not measurable", "not measurable", None], "not measurable"),
        (["above normal range", "within normal", "within normal"], "above normal range"),
    ],
)
def test_worst_verdict(words, worst):
    assert worst_verdict(words) == worst


def test_summary_csv_leaves_unknowns_empty():
    rows = [dict.fromkeys(CSV_COLUMNS), dict.fromkeys(CSV_COLUMNS)]
    rows[0].update(clip="a.mp4", status="done", mean_fppa_left_deg=12.5, reps=3)
    rows[1].update(clip='b "x", y.mp4', status="failed", error="no person", exit_code=5)
    parsed = list(csv.DictReader(io.StringIO(summary_csv(rows))))
    assert [r["clip"] for r in parsed] == ["a.mp4", 'b "x", y.mp4']
    assert parsed[0]["mean_fppa_left_deg"] == "12.5" and parsed[0]["error"] == ""
    assert (parsed[1]["error"], parsed[1]["exit_code"]) == ("no person", "5")


def test_task_settings_ignore_video_and_let_the_last_override_win():
    task = AnalysisSettings(overrides=(("fppa_marked_deg", 15.0), ("fppa_marked_deg", 12.0)))
    assert task.redo_key()["overrides"] == {"fppa_marked_deg": 12.0}
    assert AnalysisSettings(write_video=False, jobs=1).redo_key() == SETTINGS
    assert json.loads(json.dumps(task.redo_key())) == task.redo_key()  # survives input.json
    # Mirror averaging changes the numbers; off, the settings are those of older folders.
    assert AnalysisSettings(mirror_average=True).redo_key() == {
        **SETTINGS,
        "mirror_average": True,
    }
    assert "mirror_average" not in SETTINGS


def test_a_scheduler_address_nobody_listens_on_is_refused_at_once():
    """Dask itself would retry a refused port for 20 s and then say it timed out."""
    import socket

    from valgus.batch.executors import DaskBackend
    from valgus.errors import UsageError

    with socket.socket() as probe:  # a port that was free a moment ago and has no listener
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(UsageError, match=re.escape(f"tcp://127.0.0.1:{port}: Connection refused")):
        DaskBackend.connect(f"tcp://127.0.0.1:{port}")
