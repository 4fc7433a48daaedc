"""valgus serve: who may bind, which names and bytes are accepted, which paths resolve.

Fast tests of the pieces; test_web_api.py checks the same rules over HTTP on a real server.
"""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest

from tests.support.clips import write_audio_only, write_zero_frames
from tests.support.paths import SAMPLES
from valgus.cli.main import main
from valgus.web.security import check_bind, is_loopback
from valgus.web.storage import DataDir
from valgus.web.uploads import (
    UploadError,
    check_file_name,
    check_video,
    sniff_container,
    stored_name,
)

TOKEN = "s3cret-token-for-tests"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.3.2.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("example.org", False),
        ("localhost.example.org", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(
    ("host", "token", "message"),
    [
        ("0.0.0.0", None, "refusing to listen on 0.0.0.0 without --token"),
        ("192.168.1.20", None, "refusing to listen on 192.168.1.20 without --token"),
        ("127.0.0.1", "short", "--token must have at least 16 characters"),
    ],
)
def test_check_bind_refuses(host: str, token: str | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_bind(host, token)


def test_check_bind_allows_loopback_and_tokened_binds() -> None:
    check_bind("127.0.0.1", None)
    check_bind("0.0.0.0", TOKEN)


def test_cli_refuses_public_bind_without_token(tmp_path: Path, capsys) -> None:
    code = main(["serve", "--host", "0.0.0.0", "--data", str(tmp_path / "d")])
    assert code == 2
    assert "refusing to listen on 0.0.0.0 without --token" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()  # refused before touching anything


def test_cli_reports_a_port_in_use(tmp_path: Path, capsys) -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        code = main(["serve", "--port", str(port), "--data", str(tmp_path / "d")])
    assert code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_a_data_directory_serves_one_server(tmp_path: Path) -> None:
    data = DataDir.create(tmp_path / "d")
    with data.lock(), pytest.raises(ValueError, match="another valgus serve"), data.lock():
        pass
    with data.lock():  # released by the first holder
        pass


@pytest.mark.parametrize(
    ("head", "extension"),
    [
        (b"\x00\x00\x00\x20ftypisom" + bytes(240), ".mp4"),
        (b"\x00\x00\x00\x14ftypqt  " + bytes(240), ".mov"),
        (b"\x1a\x45\xdf\xa3\x01\x00\x00\x00webm" + bytes(240), ".webm"),
        (b"\x1a\x45\xdf\xa3\x01\x00\x00\x00matroska" + bytes(240), ".mkv"),
        (b"RIFF\x00\x00\x00\x00AVI LIST" + bytes(240), ".avi"),
        ((b"\x47" + bytes(187)) * 2, ".ts"),
        (b"\x89PNG\r\n\x1a\n" + bytes(240), None),
        (b"hello, this is a text file" + bytes(240), None),
        (b"", None),
    ],
)
def test_sniff_container(head: bytes, extension: str | None) -> None:
    assert sniff_container(head) == extension


@pytest.mark.parametrize(
    "raw", [b"../../x.mp4", b"..\\..\\x.mp4", b"/etc/passwd", b"a/b.mp4", b"..", b"x\x00.mp4", b""]
)
def test_check_file_name_refuses_paths(raw: bytes) -> None:
    with pytest.raises(UploadError) as caught:
        check_file_name(raw)
    assert caught.value.status == 400


def test_check_file_name_keeps_a_plain_name() -> None:
    assert check_file_name("Squat – før.MOV".encode()) == "Squat – før.MOV"


@pytest.mark.parametrize(
    ("original", "extension", "tail"),
    [
        ("squat_valgus.mp4", ".mp4", "-squat_valgus.mp4"),
        ("IMG 0042 (1).MOV", ".mov", "-IMG_0042_1.mov"),
        ("....mp4", ".mp4", "-clip.mp4"),
        ("évaluation.exe", ".mkv", "-valuation.mkv"),
    ],
)
def test_stored_names_are_generated(original: str, extension: str, tail: str) -> None:
    name = stored_name(original, extension)
    assert re.fullmatch(r"[0-9a-f]{16}" + re.escape(tail), name)
    assert stored_name(original, extension) != name


def test_check_video_accepts_the_sample(tmp_path: Path) -> None:
    probe = check_video(SAMPLES / "squat_valgus.mp4", label="squat_valgus.mp4")
    assert (probe.extension, probe.width, probe.height, probe.frames) == (".mp4", 720, 960, 271)
    assert probe.duration_s == pytest.approx(9.0, abs=0.1)


@pytest.mark.parametrize(
    ("make", "status", "message"),
    [
        (lambda p: write_audio_only(p), 415, "has only audio"),
        (lambda p: write_zero_frames(p), 415, "upload.mp4: not a video file"),
        (lambda p: p.write_bytes(b"\x00\x00\x00\x20ftypisom" + bytes(500)), 415, "upload.mp4"),
        (lambda p: p.write_bytes(b""), 400, "is empty"),
    ],
)
def test_check_video_refuses(tmp_path: Path, make, status: int, message: str) -> None:
    path = tmp_path / "secret-server-folder" / "x.mp4"
    path.parent.mkdir()
    make(path)
    with pytest.raises(UploadError) as caught:
        check_video(path, label="upload.mp4")
    assert caught.value.status == status
    assert message in caught.value.message
    assert "secret-server-folder" not in caught.value.message  # no server paths in messages


def test_data_dir_refuses_paths_outside(tmp_path: Path) -> None:
    data = DataDir.create(tmp_path / "d")
    assert data.root.stat().st_mode & 0o777 == 0o700  # athletes' clips: the user's alone
    with pytest.raises(ValueError, match="outside the data directory"):
        data.inside(data.uploads / ".." / ".." / "x.mp4")
    assert data.result_file(1, "../valgus.sqlite3") is None
    assert data.result_file(1, "input.json") is None
