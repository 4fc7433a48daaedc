"""Google's published pose bundles (lite, heavy): where they are, how they are fetched and checked.

Downloads go into the user cache (``platformdirs.user_cache_dir("valgus")/models``)
through a temporary file that is checked (size range or sha256, then the bundle
layout) before it is renamed into place, so a crash or a bad download never
leaves a file a later run would trust.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from valgus.errors import ModelError
from valgus.pose.model_bundle import HINT, bundle_problem

OFFICIAL_BASE_URL = "https://storage.googleapis.com/mediapipe-models/pose_landmarker"
_CHUNK_BYTES = 1 << 20

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
        problem = verify(spec, tmp)
        if problem is not None:
            raise ModelError(
                f"the downloaded {spec.name} pose model from {url} was rejected ({problem}) "
                f"and deleted; {HINT}"
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
                        f"{spec.max_bytes} bytes; refusing it; {HINT}"
                    )
                _write(sink, chunk)
                if progress is not None:
                    progress(done, total)
    except urllib.error.HTTPError as exc:
        raise ModelError(
            f"cannot download the {spec.name} pose model from {url} "
            f"(HTTP {exc.code} {exc.reason}); {HINT}"
        ) from exc
    except http.client.HTTPException as exc:
        raise ModelError(
            f"cannot download the {spec.name} pose model from {url} "
            f"(connection broken: {exc!r}); {HINT}"
        ) from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc.__class__.__name__
        raise ModelError(
            f"cannot download the {spec.name} pose model from {url} (no network? {reason}); {HINT}"
        ) from exc
    if total is not None and done != total:
        raise ModelError(
            f"cannot download the {spec.name} pose model from {url} (connection closed "
            f"after {done} of {total} bytes); {HINT}"
        )


def verify(spec: ModelSpec, path: Path) -> str | None:
    """Return why ``path`` fails the checks of ``spec``, or None if it passes."""
    if spec.sha256 is not None:
        digest = _sha256(path)
        if digest != spec.sha256.lower():
            return f"sha256 {digest}, expected {spec.sha256}"
    else:
        size = path.stat().st_size
        if not spec.min_bytes <= size <= spec.max_bytes:
            return f"{size} bytes, expected {spec.min_bytes}-{spec.max_bytes}"
    problem = bundle_problem(path)
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
