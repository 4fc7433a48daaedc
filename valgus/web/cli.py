"""``valgus serve``: the coach review web app on a local port.

Why the socket is opened here rather than by uvicorn: a port in use or an address
that does not exist becomes one clear ``valgus: error:`` line (exit code 2), and
``--port 0`` can print the port the system chose.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import socket
import sys
from pathlib import Path

from valgus.cli.options import add_clip_timeout_option, add_mirror_average_option, add_refine_option
from valgus.errors import UsageError

ENV_TOKEN = "VALGUS_TOKEN"


def default_data_dir() -> Path:
    """Per-user folder, so the coach finds the same athletes whatever folder they start in."""
    import platformdirs

    return Path(platformdirs.user_data_dir("valgus")) / "serve"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``valgus serve``."""
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, loopback)"
    )
    parser.add_argument(
        "--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)"
    )
    parser.add_argument(
        "--data",
        type=Path,
        metavar="DIR",
        help="database, uploads and results (default: the per-user valgus data folder)",
    )
    parser.add_argument(
        "--token",
        help=f"require this token on every request; needed to listen beyond loopback "
        f"(default: ${ENV_TOKEN})",
    )
    parser.add_argument(
        "--max-upload-mb",
        type=float,
        default=500.0,
        metavar="MB",
        help="largest clip upload (default: 500)",
    )
    parser.add_argument(
        "--workers", type=int, default=1, metavar="N", help="clips analysed at once (default: 1)"
    )
    parser.add_argument(
        "--model", default="full", help="lite | full | heavy | path to a .task (default: full)"
    )
    add_mirror_average_option(parser)
    add_refine_option(parser)
    add_clip_timeout_option(parser)


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port; UsageError when that cannot be had."""
    if not 0 <= port <= 65535:
        raise UsageError(f"--port must be 0-65535, got {port}")
    try:
        family, *_, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        return socket.create_server(address[:2], family=family)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


def _url(sock: socket.socket, token: str | None) -> str:
    host, port = sock.getsockname()[:2]
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{port}/" + (f"?token={token}" if token else "")


def run(args: argparse.Namespace) -> int:
    """Check the options, then serve until Ctrl-C; return the exit code."""
    import uvicorn

    from valgus.pose.model_files import resolve_model
    from valgus.web.app import ServeConfig, create_app
    from valgus.web.security import check_bind
    from valgus.web.storage import DataDir

    token = args.token or os.environ.get(ENV_TOKEN) or None
    try:
        check_bind(args.host, token)
        config = ServeConfig(
            data_dir=args.data or default_data_dir(),
            token=token,
            max_upload_bytes=int(args.max_upload_mb * 1_000_000),
            workers=args.workers,
            model=args.model,
            mirror_average=args.mirror_average,
            refine=not args.no_refine,
            clip_timeout_s=args.clip_timeout,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    resolve_model(args.model)  # a missing model is one error now, not one per clip later
    data = DataDir.create(config.data_dir)
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(data.lock())
        except ValueError as exc:
            raise UsageError(str(exc)) from exc
        sock = stack.enter_context(_listen(args.host, args.port))
        _log_to_stderr()
        app = create_app(config)
        server = uvicorn.Server(
            uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
        )
        sys.stdout.write(f"valgus serve: {_url(sock, token)}\n  data: {data.root}\n")
        sys.stdout.flush()
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a server is stopped
            server.run(sockets=[sock])
    return 0


def _log_to_stderr() -> None:
    logger = logging.getLogger("valgus.web")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("valgus serve: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
