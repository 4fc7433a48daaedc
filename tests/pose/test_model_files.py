"""valgus.pose.model_files, model_bundle, model_download: lookup, checks, downloads (local server).

The server is ``http.server`` on 127.0.0.1 in a thread: no network, no mocks.
"""

from __future__ import annotations

import hashlib
import http.server
import socket
import threading
import zipfile
from pathlib import Path

import pytest

from valgus.errors import ModelError
from valgus.pose.model_bundle import TASK_MEMBERS, check_task_bundle
from valgus.pose.model_download import ModelSpec
from valgus.pose.model_files import ENV_MODEL_DIR, resolve_model

BUNDLED_SHA256 = "ee7ed8a227fbc8884e1d25838519af733e74ebbb6609d37700d8557e97a15f83"
BUNDLED_BYTES = 9_397_982
TFLITE_HEAD = b"\x1c\x00\x00\x00TFL3"


def make_bundle(path: Path, *, members=TASK_MEMBERS, compression=zipfile.ZIP_STORED) -> bytes:
    """Write a small fake .task bundle (TFLite-looking members) and return its bytes."""
    with zipfile.ZipFile(path, "w", compression=compression) as bundle:
        for i, name in enumerate(members):
            bundle.writestr(name, TFLITE_HEAD + bytes([i]) * 4000)
    return path.read_bytes()


@pytest.fixture(autouse=True)
def no_env_model_dir(monkeypatch):
    monkeypatch.delenv(ENV_MODEL_DIR, raising=False)


@pytest.fixture
def bundle_bytes(tmp_path) -> bytes:
    return make_bundle(tmp_path / "src.task")


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``server.routes[path] = (status, body, drop_after)``; counts requests."""

    def do_GET(self):
        self.server.hits.append(self.path)
        status, body, drop_after = self.server.routes.get(self.path, (404, b"not found", None))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if drop_after is None:
            self.wfile.write(body)
        else:  # announce the whole body, send part of it, then hang up
            self.wfile.write(body[:drop_after])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True

    def log_message(self, format, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    httpd.routes = {}
    httpd.hits = []
    httpd.base_url = f"http://127.0.0.1:{httpd.server_address[1]}/models"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


def spec_for(body: bytes, *, sha256: str | None = "auto", name: str = "heavy") -> ModelSpec:
    digest = hashlib.sha256(body).hexdigest() if sha256 == "auto" else sha256
    return ModelSpec(name, f"{name}/v1/pose_landmarker_{name}.task", digest, 1000, 100_000)


def serve(server, spec: ModelSpec, body: bytes, status: int = 200, drop_after=None) -> None:
    server.routes[f"/models/{spec.url_path}"] = (status, body, drop_after)


def cache_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- bundled model and paths -------------------------------------------------------


def test_full_resolves_to_the_bundled_file():
    model = resolve_model("full")
    assert model.name == "full"
    assert model.source == "bundled"
    assert model.path.name == "pose_landmarker_full.task"
    assert model.path.stat().st_size == BUNDLED_BYTES
    assert hashlib.sha256(model.path.read_bytes()).hexdigest() == BUNDLED_SHA256
    check_task_bundle(model.path)


def test_env_model_dir_is_searched_first(tmp_path, monkeypatch):
    make_bundle(tmp_path / "pose_landmarker_full.task")
    monkeypatch.setenv(ENV_MODEL_DIR, str(tmp_path))
    model = resolve_model("full")
    assert (model.path, model.source) == (tmp_path / "pose_landmarker_full.task", "env")


def test_env_model_dir_serves_a_downloadable_model_offline(tmp_path, monkeypatch):
    body = make_bundle(tmp_path / "pose_landmarker_heavy.task")
    monkeypatch.setenv(ENV_MODEL_DIR, str(tmp_path))
    specs = {"heavy": spec_for(body)}
    model = resolve_model("heavy", cache_dir=tmp_path / "cache", allow_download=False, specs=specs)
    assert (model.path, model.source) == (tmp_path / "pose_landmarker_heavy.task", "env")


def test_a_path_to_a_valid_bundle_resolves(tmp_path):
    path = tmp_path / "custom_pose.task"
    make_bundle(path)
    model = resolve_model(str(path))
    assert (model.name, model.path, model.source) == ("custom_pose", path, "path")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no/such/model.task", r"^model file not found: no/such/model\.task \(names are"),
        ("", r"^--model must be lite, full, heavy or a \.task file path, got ''$"),
        (".", r"^model path is a directory"),
    ],
)
def test_bad_specs_raise_one_clear_line(spec, message):
    with pytest.raises(ModelError, match=message) as info:
        resolve_model(spec)
    assert "\n" not in str(info.value)


def _text_file(path: Path) -> None:
    path.write_text("not a model\n")


def _missing_member(path: Path) -> None:
    make_bundle(path, members=TASK_MEMBERS[:1])


def _compressed(path: Path) -> None:
    make_bundle(path, compression=zipfile.ZIP_DEFLATED)


def _not_tflite(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as bundle:
        for name in TASK_MEMBERS:
            bundle.writestr(name, b"hello world, not a flatbuffer")


def _truncated(path: Path) -> None:
    path.write_bytes(make_bundle(path)[:3000])


@pytest.mark.parametrize(
    ("write", "problem"),
    [
        (_text_file, "not a zip file"),
        (_missing_member, "no pose_landmarks_detector.tflite inside"),
        (_compressed, "pose_detector.tflite is compressed"),
        (_not_tflite, "pose_detector.tflite is not a TFLite model"),
        (_truncated, "not a zip file"),
    ],
)
def test_non_bundles_raise_model_error(tmp_path, write, problem):
    path = tmp_path / "bad.task"
    write(path)
    expected = f"{path} is not a MediaPipe pose .task bundle ({problem}); pass --model full"
    with pytest.raises(ModelError) as info:
        check_task_bundle(path)
    assert str(info.value).startswith(expected)
    with pytest.raises(ModelError):
        resolve_model(str(path))


def test_check_task_bundle_missing_file(tmp_path):
    with pytest.raises(ModelError, match=r"^model file not found: .*gone\.task"):
        check_task_bundle(tmp_path / "gone.task")


# --- downloads from the local server -------------------------------------------------


def test_download_verifies_caches_and_is_not_repeated(server, tmp_path, bundle_bytes):
    spec = spec_for(bundle_bytes)
    serve(server, spec, bundle_bytes)
    cache = tmp_path / "cache"
    final = cache / "pose_landmarker_heavy.task"
    seen = []

    def progress(done, total):
        # Atomic write: the final name must not exist until the download is checked.
        seen.append((done, total, final.exists()))

    kwargs = {"cache_dir": cache, "base_url": server.base_url, "specs": {"heavy": spec}}
    first = resolve_model("heavy", progress=progress, **kwargs)
    assert (first.name, first.path, first.source) == ("heavy", final, "download")
    assert final.read_bytes() == bundle_bytes
    assert seen[-1] == (len(bundle_bytes), len(bundle_bytes), False)
    assert cache_files(cache) == ["pose_landmarker_heavy.task"]  # no temp file left
    assert len(server.hits) == 1

    second = resolve_model("heavy", **kwargs)
    assert (second.path, second.source) == (final, "cache")
    assert len(server.hits) == 1


def test_damaged_cached_copy_is_fetched_again(server, tmp_path, bundle_bytes):
    spec = spec_for(bundle_bytes)
    serve(server, spec, bundle_bytes)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / spec.filename).write_bytes(bundle_bytes[:-10])
    model = resolve_model("heavy", cache_dir=cache, base_url=server.base_url, specs={"heavy": spec})
    assert model.source == "download"
    assert model.path.read_bytes() == bundle_bytes
    assert len(server.hits) == 1


def test_wrong_checksum_is_rejected_and_deleted(server, tmp_path, bundle_bytes):
    spec = spec_for(bundle_bytes, sha256="0" * 64)
    serve(server, spec, bundle_bytes)
    cache = tmp_path / "cache"
    got = hashlib.sha256(bundle_bytes).hexdigest()
    expected = rf"rejected \(sha256 {got}, expected 0{{64}}\) and deleted"
    with pytest.raises(ModelError, match=expected):
        resolve_model("heavy", cache_dir=cache, base_url=server.base_url, specs={"heavy": spec})
    assert cache_files(cache) == []


def test_size_outside_range_is_rejected_without_checksum(server, tmp_path, bundle_bytes):
    spec = ModelSpec("lite", "lite/pose_landmarker_lite.task", None, 1000, 2000)
    serve(server, spec, bundle_bytes)
    cache = tmp_path / "cache"
    with pytest.raises(ModelError, match=r"larger than 2000 bytes"):
        resolve_model("lite", cache_dir=cache, base_url=server.base_url, specs={"lite": spec})
    assert cache_files(cache) == []


def test_unpinned_download_that_is_not_a_bundle_is_rejected(server, tmp_path):
    body = b"<html>captive portal</html>" * 100
    spec = spec_for(body, sha256=None)
    serve(server, spec, body)
    cache = tmp_path / "cache"
    with pytest.raises(ModelError, match=r"rejected \(not a \.task bundle: not a zip file\)"):
        resolve_model("heavy", cache_dir=cache, base_url=server.base_url, specs={"heavy": spec})
    assert cache_files(cache) == []


def test_http_404_raises_model_error(server, tmp_path, bundle_bytes):
    spec = spec_for(bundle_bytes)  # nothing served at its URL
    cache = tmp_path / "cache"
    with pytest.raises(ModelError, match=r"^cannot download the heavy pose model .*\(HTTP 404 "):
        resolve_model("heavy", cache_dir=cache, base_url=server.base_url, specs={"heavy": spec})
    assert cache_files(cache) == []
    assert len(server.hits) == 1


def test_connection_dropped_mid_body_raises_model_error(server, tmp_path, bundle_bytes):
    spec = spec_for(bundle_bytes)
    serve(server, spec, bundle_bytes, drop_after=len(bundle_bytes) // 2)
    cache = tmp_path / "cache"
    half, total = len(bundle_bytes) // 2, len(bundle_bytes)
    # Python's http.client either returns the short body or raises IncompleteRead.
    expected = rf"\(connection (closed after {half} of {total} bytes|broken: IncompleteRead)"
    with pytest.raises(ModelError, match=expected) as info:
        resolve_model("heavy", cache_dir=cache, base_url=server.base_url, specs={"heavy": spec})
    assert "pass --model full or a path to a .task file" in str(info.value)
    assert cache_files(cache) == []


def test_no_server_listening_raises_model_error(tmp_path, bundle_bytes):
    with socket.socket() as probe:  # a port that nothing listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    spec = spec_for(bundle_bytes)
    with pytest.raises(ModelError, match=r"\(no network\? .*refused"):
        resolve_model(
            "heavy",
            cache_dir=tmp_path / "cache",
            base_url=f"http://127.0.0.1:{port}",
            specs={"heavy": spec},
        )


def test_downloads_off_and_not_cached_raises(tmp_path, bundle_bytes):
    spec = spec_for(bundle_bytes)
    with pytest.raises(ModelError, match=r"is not in .*cache and downloads are off"):
        resolve_model(
            "heavy",
            cache_dir=tmp_path / "cache",
            base_url="http://127.0.0.1:9",
            allow_download=False,
            specs={"heavy": spec},
        )
