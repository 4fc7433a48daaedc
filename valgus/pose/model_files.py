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
import os
import site
import sys
import sysconfig
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from valgus.errors import ModelError
from valgus.pose.model_bundle import HINT, check_task_bundle
from valgus.pose.model_download import (
    OFFICIAL_BASE_URL,
    OFFICIAL_SPECS,
    ModelSpec,
    ProgressCallback,
    default_cache_dir,
    download_model,
    verify,
)

ENV_MODEL_DIR = "VALGUS_MODEL_DIR"
BUNDLED_NAME = "full"


@dataclass(frozen=True)
class ResolvedModel:
    """A checked model bundle ready for ``BaseOptions(model_asset_path=...)``.

    ``source`` says where it came from: "bundled", "env" ($VALGUS_MODEL_DIR),
    "cache", "download" or "path".
    """

    name: str
    path: Path
    source: str = "path"


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
        raise ModelError(f"model path is a directory, not a .task file: {path}; {HINT}")
    if not path.exists():
        names = ", ".join(sorted({BUNDLED_NAME, *specs}))
        raise ModelError(f"model file not found: {path} (names are {names}); {HINT}")
    check_task_bundle(path)
    return ResolvedModel(name=path.stem, path=path.resolve(), source="path")


def bundled_model_candidates(filename: str = f"pose_landmarker_{BUNDLED_NAME}.task") -> list[Path]:
    """Places a model file that ships with valgus may be, in search order.

    The source tree's ``models/`` folder (a checkout or an editable install; it is
    only trusted when ``pyproject.toml`` sits beside it), then the
    ``share/valgus/models`` folders that ``[tool.setuptools.data-files]`` fills in
    a regular install (environment prefix, then the user base for ``--user``).
    """
    repo_root = Path(__file__).resolve().parents[2]
    candidates = []
    if (repo_root / "pyproject.toml").is_file():
        candidates.append(repo_root / "models" / filename)
    prefixes = [sysconfig.get_path("data"), sys.prefix, site.getuserbase()]
    for prefix in dict.fromkeys(p for p in prefixes if p):
        candidates.append(Path(prefix) / "share" / "valgus" / "models" / filename)
    return candidates


def bundled_file(filename: str) -> Path | None:
    """``$VALGUS_MODEL_DIR/filename`` if there, else the first bundled copy; None if none."""
    env_path = _env_model(filename)
    if env_path is not None:
        return env_path.resolve()
    return next((p for p in bundled_model_candidates(filename) if p.is_file()), None)


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
        problem = verify(spec, env_path)
        if problem is not None:
            raise ModelError(f"{env_path} (from {ENV_MODEL_DIR}) is unusable ({problem}); {HINT}")
        return ResolvedModel(name=spec.name, path=env_path.resolve(), source="env")
    folder = default_cache_dir() if cache_dir is None else Path(cache_dir)
    target = folder / spec.filename
    if target.is_file():
        if verify(spec, target) is None:
            return ResolvedModel(name=spec.name, path=target, source="cache")
        with contextlib.suppress(OSError):  # a damaged cached copy is fetched again
            target.unlink()
    if not allow_download:
        raise ModelError(
            f"the {spec.name} pose model is not in {folder} and downloads are off; {HINT}"
        )
    download_model(spec, folder, base_url=base_url, progress=progress)
    return ResolvedModel(name=spec.name, path=target, source="download")
