"""Find the pose model a run asks for: the bundled full model, a downloaded one, or a file.

Why this module exists: the pose stage needs a path to a MediaPipe Tasks ``.task``
bundle, and every way of getting one can fail in ways a user causes (no network,
a typo in a path, a half-downloaded file). Each failure ends here as one
:class:`~valgus.errors.ModelError` line, never as a MediaPipe crash deep in the
pipeline.

Where models come from:

- ``"full"``: ``pose_landmarker_full.task``, which ships with valgus (built from the
  ``mediapipe==0.10.21`` wheel, see ``models/README.md``). Looked up in
  ``$VALGUS_MODEL_DIR``, then the source tree's ``models/`` folder, then the
  ``share/valgus/models`` folder an installed wheel puts it in.
- ``"lite"`` / ``"heavy"``: Google's published bundles, downloaded on first use into
  the user cache (``platformdirs.user_cache_dir("valgus")/models``) and checked
  before use. ``$VALGUS_MODEL_DIR`` is searched first, so an offline machine can be
  given the files by hand.
- anything else: a path to a ``.task`` file.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import site
import sys
import sysconfig
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from valgus.errors import ModelError

OFFICIAL_BASE_URL = "https://storage.googleapis.com/mediapipe-models/pose_landmarker"
ENV_MODEL_DIR = "VALGUS_MODEL_DIR"
BUNDLED_NAME = "full"
TASK_MEMBERS = ("pose_detector.tflite", "pose_landmarks_detector.tflite")
_TFLITE_IDENTIFIER = b"TFL3"  # FlatBuffers file identifier at byte offset 4
_CHUNK_BYTES = 1 << 20
_HINT = "pass --model full or a path to a .task file"

ProgressCallback = Callable[[int, "int | None"], None]


@dataclass(frozen=True)
class ModelSpec:
    """How to fetch and check one downloadable model.

    Parameters
    ----------
    name : str
        Short name used on the command line ("lite", "heavy").
    url_path : str
        Path below the base URL, e.g. ``"pose_landmarker_heavy/float16/latest/..."``.
    sha256 : str or None
        Expected hex digest. None when no trustworthy published digest exists;
        the size range and the bundle check are then all that guard the file.
    min_bytes, max_bytes : int
        Plausible file size in bytes; a download outside it is rejected (and a
        runaway download stops at ``max_bytes``).
    """

    name: str
    url_path: str
    sha256: str | None
    min_bytes: int
    max_bytes: int

    @property
    def filename(self) -> str:
        """File name in the cache, e.g. ``pose_landmarker_heavy.task``."""
        return self.url_path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class ResolvedModel:
    """A checked model bundle ready for ``BaseOptions(model_asset_path=...)``.

    ``source`` says where it came from: "bundled", "env" ($VALGUS_MODEL_DIR),
    "cache", "download" or "path".
    """

    name: str
    path: Path
    source: str = "path"


def _official(name: str, min_bytes: int, max_bytes: int) -> ModelSpec:
    stem = f"pose_landmarker_{name}"
    # No sha256 is published for these "latest" files, and none could be found
    # pinned in public code: we pin a size range and check the bundle layout.
    return ModelSpec(name, f"{stem}/float16/latest/{stem}.task", None, min_bytes, max_bytes)


# Sizes quoted by public projects (not measured here): lite ~5.7 MB, heavy ~30.7 MB.
# The ranges leave room for re-releases under the same "latest" URL.
OFFICIAL_SPECS: Mapping[str, ModelSpec] = MappingProxyType(
    {
        "lite": _official("lite", 3_000_000, 12_000_000),
        "heavy": _official("heavy", 20_000_000, 60_000_000),
    }
)


def check_task_bundle(path: Path | str) -> None:
    """Raise ModelError unless ``path`` looks like a pose landmarker ``.task`` bundle.

    A Tasks bundle is an uncompressed zip holding ``pose_detector.tflite`` and
    ``pose_landmarks_detector.tflite``; the runtime maps the members straight
    from the file, so a compressed member fails as surely as a missing one. Each
    member must start like a TFLite flatbuffer (identifier ``TFL3`` at byte 4).
    Checking this up front turns a corrupt or wrong file into one clear line
    instead of a MediaPipe abort.

    Parameters
    ----------
    path : Path or str
        File to check.

    Raises
    ------
    ModelError
        If the file is missing, not a zip, or lacks/compresses a member.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"model file not found: {path}; {_HINT}")
    problem = _bundle_problem(path)
    if problem is not None:
        raise ModelError(f"{path} is not a MediaPipe pose .task bundle ({problem}); {_HINT}")


def _bundle_problem(path: Path) -> str | None:
    """Return why ``path`` is not a pose bundle, or None if it is one."""
    try:
        with zipfile.ZipFile(path) as bundle:
            members = {info.filename: info for info in bundle.infolist()}
            for name in TASK_MEMBERS:
                info = members.get(name)
                if info is None:
                    return f"no {name} inside"
                if info.compress_type != zipfile.ZIP_STORED:
                    return f"{name} is compressed"
                with bundle.open(info) as member:
                    head = member.read(8)
                if head[4:8] != _TFLITE_IDENTIFIER:
                    return f"{name} is not a TFLite model"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        return "not a zip file"
    return None


def resolve_model(
    spec: str | os.PathLike[str] = BUNDLED_NAME,
    *,
    cache_dir: Path | None = None,
    base_url: str = OFFICIAL_BASE_URL,
    allow_download: bool = True,
    progress: ProgressCallback | None = None,
    specs: Mapping[str, ModelSpec] = OFFICIAL_SPECS,
) -> ResolvedModel:
    """Turn ``--model`` into a checked ``.task`` file on disk.

    Parameters
    ----------
    spec : str or path-like
        "full" (bundled), a name in ``specs`` ("lite", "heavy"), or a path to a
        ``.task`` file.
    cache_dir : Path, optional
        Where downloads live; default ``platformdirs.user_cache_dir("valgus")/models``.
    base_url : str
        URL that ``ModelSpec.url_path`` is appended to (tests point it at a local server).
    allow_download : bool
        If False, a model that is not already on disk is an error, not a download.
    progress : callable, optional
        Called as ``progress(bytes_done, bytes_total_or_None)`` while downloading.
    specs : mapping of str to ModelSpec
        The downloadable models and their checks.

    Returns
    -------
    ResolvedModel

    Raises
    ------
    ModelError
        Missing or invalid file, download failure, checksum or size mismatch.
    """
    text = os.fspath(spec).strip() if isinstance(spec, (str, os.PathLike)) else ""
    if not text:
        raise ModelError(f"--model must be lite, full, heavy or a .task file path, got {spec!r}")
    if text == BUNDLED_NAME:
        return _resolve_bundled()
    if text in specs:
        return _resolve_downloadable(
            specs[text],
            cache_dir=cache_dir,
            base_url=base_url,
            allow_download=allow_download,
            progress=progress,
        )
    path = Path(text).expanduser()
    if path.is_dir():
        raise ModelError(f"model path is a directory, not a .task file: {path}; {_HINT}")
    if not path.exists():
        names = ", ".join(sorted({BUNDLED_NAME, *specs}))
        raise ModelError(f"model file not found: {path} (names are {names}); {_HINT}")
    check_task_bundle(path)
    return ResolvedModel(name=path.stem, path=path.resolve(), source="path")


def bundled_model_candidates() -> list[Path]:
    """Places the bundled ``pose_landmarker_full.task`` may be, in search order.

    The source tree's ``models/`` folder (a checkout or an editable install; it is
    only trusted when ``pyproject.toml`` sits beside it), then the
    ``share/valgus/models`` folders that ``[tool.setuptools.data-files]`` fills in
    a regular install (environment prefix, then the user base for ``--user``).
    """
    filename = f"pose_landmarker_{BUNDLED_NAME}.task"
    repo_root = Path(__file__).resolve().parents[2]
    candidates = []
    if (repo_root / "pyproject.toml").is_file():
        candidates.append(repo_root / "models" / filename)
    prefixes = [sysconfig.get_path("data"), sys.prefix, site.getuserbase()]
    for prefix in dict.fromkeys(p for p in prefixes if p):
        candidates.append(Path(prefix) / "share" / "valgus" / "models" / filename)
    return candidates


def _env_model(filename: str) -> Path | None:
    """Return ``$VALGUS_MODEL_DIR/filename`` if the variable is set and the file exists."""
    env_dir = os.environ.get(ENV_MODEL_DIR, "").strip()
    if not env_dir:
        return None
    path = Path(env_dir).expanduser() / filename
    return path if path.is_file() else None


def _resolve_bundled() -> ResolvedModel:
    filename = f"pose_landmarker_{BUNDLED_NAME}.task"
    env_path = _env_model(filename)
    if env_path is not None:
        check_task_bundle(env_path)
        return ResolvedModel(name=BUNDLED_NAME, path=env_path.resolve(), source="env")
    candidates = bundled_model_candidates()
    for path in candidates:
        if path.is_file():
            check_task_bundle(path)
            return ResolvedModel(name=BUNDLED_NAME, path=path, source="bundled")
    looked = ", ".join(str(p.parent) for p in candidates)
    raise ModelError(
        f"the bundled model {filename} is missing (looked in {looked}); "
        f"reinstall valgus, set {ENV_MODEL_DIR}, or pass --model PATH"
    )


def _resolve_downloadable(
    spec: ModelSpec,
    *,
    cache_dir: Path | None,
    base_url: str,
    allow_download: bool,
    progress: ProgressCallback | None,
) -> ResolvedModel:
    env_path = _env_model(spec.filename)
    if env_path is not None:
        problem = _verify(spec, env_path)
        if problem is not None:
            raise ModelError(f"{env_path} (from {ENV_MODEL_DIR}) is unusable ({problem}); {_HINT}")
        return ResolvedModel(name=spec.name, path=env_path.resolve(), source="env")
    folder = default_cache_dir() if cache_dir is None else Path(cache_dir)
    target = folder / spec.filename
    if target.is_file():
        if _verify(spec, target) is None:
            return ResolvedModel(name=spec.name, path=target, source="cache")
        with contextlib.suppress(OSError):  # a damaged cached copy is fetched again
            target.unlink()
    if not allow_download:
        raise ModelError(
            f"the {spec.name} pose model is not in {folder} and downloads are off; {_HINT}"
        )
    download_model(spec, folder, base_url=base_url, progress=progress)
    return ResolvedModel(name=spec.name, path=target, source="download")


def default_cache_dir() -> Path:
    """``platformdirs.user_cache_dir("valgus")/models``: where downloads are kept."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("valgus")) / "models"


def download_model(
    spec: ModelSpec,
    folder: Path,
    *,
    base_url: str = OFFICIAL_BASE_URL,
    progress: ProgressCallback | None = None,
    timeout_s: float = 30.0,
) -> Path:
    """Download ``spec`` into ``folder`` atomically and return the final path.

    The bytes go to a hidden temporary file in the same folder, are checked
    (sha256 or size range, then the bundle layout) and only then renamed onto
    the final name, so a crash or a bad download never leaves a file that a
    later run would trust. On any failure the temporary file is removed.

    Raises
    ------
    ModelError
        Network or HTTP error, truncated body, checksum/size mismatch, not a bundle.
    """
    url = f"{base_url.rstrip('/')}/{spec.url_path}"
    target = Path(folder) / spec.filename
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(
            dir=target.parent, prefix=f".{spec.filename}.", suffix=".part"
        )
    except OSError as exc:
        raise ModelError(f"cannot write the model cache {target.parent}: {exc.strerror}") from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            _fetch(spec, url, handle, progress=progress, timeout_s=timeout_s)
        problem = _verify(spec, tmp)
        if problem is not None:
            raise ModelError(
                f"the downloaded {spec.name} pose model from {url} was rejected ({problem}) "
                f"and deleted; {_HINT}"
            )
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise ModelError(f"cannot write the model cache {target}: {exc.strerror}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _fetch(
    spec: ModelSpec,
    url: str,
    sink,
    *,
    progress: ProgressCallback | None,
    timeout_s: float,
) -> None:
    """Stream ``url`` into the open binary file ``sink``; network trouble -> ModelError."""
    request = urllib.request.Request(url, headers={"User-Agent": "valgus"})
    done = 0
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            while chunk := response.read(_CHUNK_BYTES):
                done += len(chunk)
                if done > spec.max_bytes:
                    raise ModelError(
                        f"the {spec.name} pose model from {url} is larger than "
                        f"{spec.max_bytes} bytes; refusing it; {_HINT}"
                    )
                _write(sink, chunk)
                if progress is not None:
                    progress(done, total)
    except urllib.error.HTTPError as exc:
        raise ModelError(
            f"cannot download the {spec.name} pose model from {url} "
            f"(HTTP {exc.code} {exc.reason}); {_HINT}"
        ) from exc
    except http.client.HTTPException as exc:
        raise ModelError(
            f"cannot download the {spec.name} pose model from {url} "
            f"(connection broken: {exc!r}); {_HINT}"
        ) from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc.__class__.__name__
        raise ModelError(
            f"cannot download the {spec.name} pose model from {url} (no network? {reason}); {_HINT}"
        ) from exc
    if total is not None and done != total:
        raise ModelError(
            f"cannot download the {spec.name} pose model from {url} (connection closed "
            f"after {done} of {total} bytes); {_HINT}"
        )


def _verify(spec: ModelSpec, path: Path) -> str | None:
    """Return why ``path`` fails the checks of ``spec``, or None if it passes."""
    if spec.sha256 is not None:
        digest = _sha256(path)
        if digest != spec.sha256.lower():
            return f"sha256 {digest}, expected {spec.sha256}"
    else:
        size = path.stat().st_size
        if not spec.min_bytes <= size <= spec.max_bytes:
            return f"{size} bytes, expected {spec.min_bytes}-{spec.max_bytes}"
    problem = _bundle_problem(path)
    return None if problem is None else f"not a .task bundle: {problem}"


def _write(sink, chunk: bytes) -> None:
    """Write to the temporary file; a full disk is a ModelError, not a 'no network'."""
    try:
        sink.write(chunk)
    except OSError as exc:
        raise ModelError(f"cannot write the model cache {sink.name}: {exc.strerror}") from exc


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(_CHUNK_BYTES):
            digest.update(block)
    return digest.hexdigest()
