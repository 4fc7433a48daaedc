"""The ``valgus serve`` application: configuration, start-up and shutdown, routes.

Start-up order matters for "a restart loses nothing": leftovers of a killed
server (half-received uploads, half-written result folders) are removed first,
then jobs it left running are queued again, then the job thread starts.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from valgus import __version__
from valgus.settings import AnalysisSettings
from valgus.web.api import router as api_router
from valgus.web.api_docs import add_api_docs
from valgus.web.correction_store import CorrectionStore
from valgus.web.corrections_api import router as corrections_router
from valgus.web.corrections_files import router as correction_files_router
from valgus.web.db import Database
from valgus.web.jobs import JobRunner
from valgus.web.pages import STATIC_DIR
from valgus.web.pages import router as pages_router
from valgus.web.security import Guard
from valgus.web.storage import DataDir

DEFAULT_MAX_UPLOAD_MB = 500


@dataclass(frozen=True)
class ServeConfig:
    """Everything the app needs; built by valgus.web.cli from the command line.

    Parameters
    ----------
    data_dir : Path
        Database, uploads and results live here (created if missing).
    token : str or None
        Required on every request when set (see valgus.web.security).
    max_upload_bytes : int
        Largest upload request; the page sends one clip per request.
    workers : int
        Clips analysed at once.
    model : str
        Pose model for every clip ("lite" | "full" | "heavy" | path).
    mirror_average : bool
        Analyse every clip with mirror-averaged landmarkers (valgus.pose.mirror_average).
    refine : bool
        Re-read the reps' FPPA frames with the second model (valgus.pose.second_model).
    clip_timeout_s : float or None
        A clip still running after this long is stopped and its job fails.
    """

    data_dir: Path
    token: str | None = None
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_MB * 1_000_000
    workers: int = 1
    model: str = "full"
    mirror_average: bool = False
    refine: bool = True
    clip_timeout_s: float | None = None

    def __post_init__(self) -> None:
        if self.max_upload_bytes < 1:
            raise ValueError(f"max_upload_bytes must be positive, got {self.max_upload_bytes}")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")
        if self.clip_timeout_s is not None and not self.clip_timeout_s > 0:
            raise ValueError(f"clip_timeout_s must be > 0, got {self.clip_timeout_s}")


def create_app(config: ServeConfig) -> FastAPI:
    """The ASGI app for ``config``; jobs start running when the app starts (lifespan)."""
    data = DataDir.create(config.data_dir)
    db = Database(data.db_path)
    runner = JobRunner(
        db,
        data,
        workers=config.workers,
        settings=AnalysisSettings(
            model=config.model, mirror_average=config.mirror_average, refine=config.refine
        ),
        clip_timeout_s=config.clip_timeout_s,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        data.clean_leftovers()
        runner.start()
        try:
            yield
        finally:
            runner.stop()

    app = FastAPI(
        title="valgus",
        summary="Review squat and single-leg clips for knee valgus and pelvic drop.",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,  # our own page (valgus.web.api_docs): offline, under the app's CSP
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.config = config
    app.state.data = data
    app.state.db = db
    app.state.runner = runner
    app.state.corrections = CorrectionStore(data.db_path)
    app.include_router(api_router)
    app.include_router(corrections_router)
    app.include_router(correction_files_router)
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    add_api_docs(app)
    app.add_middleware(Guard, token=config.token)
    return app
