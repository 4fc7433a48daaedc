"""Receive uploaded clips: stream the form to disk, stop at the size limit, check content.

Why a streaming parser of our own instead of ``await request.form()``: Starlette
spools a whole file before the handler sees it, so a size limit there comes after
the disk is already full. Here every chunk is counted as it arrives, file parts go
straight to a temporary file under a generated name (the client's file name is
kept only as a label, and a name carrying a path is refused), and a request is all
or nothing: any bad file discards every file of that request and nothing else.

A clip is accepted by its content, never by its name: the first bytes must be
those of a video container (MP4/MOV, Matroska/WebM, AVI, MPEG-TS) and PyAV
(valgus.video.source.VideoSource) must open it and decode a frame.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from valgus.errors import ValgusError

FORM_OVERHEAD_BYTES = 64 * 1024  # boundaries, part headers and text fields around the files
DRAIN_LIMIT_BYTES = 64 * 1024 * 1024  # read (and drop) at most this much of a refused body
MAX_FIELD_BYTES = 1024
MAX_PARTS = 64
MAX_NAME_CHARS = 255


class UploadError(Exception):
    """An upload refused, with the HTTP status and a message for the person uploading."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class ReceivedFile:
    """One file part, written to ``tmp_path`` (a generated name in the tmp folder)."""

    original_name: str
    tmp_path: Path
    size_bytes: int = 0
    sha256: str = ""


@dataclass
class ReceivedForm:
    """The text fields and files of one upload request."""

    fields: dict[str, str] = field(default_factory=dict)
    files: list[ReceivedFile] = field(default_factory=list)

    def discard(self) -> None:
        """Delete every temporary file of this request."""
        for item in self.files:
            item.tmp_path.unlink(missing_ok=True)


def check_file_name(raw: bytes) -> str:
    """The client's file name as a display label; UploadError if it is empty or has a path."""
    name = raw.decode("utf-8", errors="replace").strip()
    if not name:
        raise UploadError(400, "a file part has no file name: choose a video file to upload")
    if "/" in name or "\\" in name or name in (".", "..") or not name.isprintable():
        raise UploadError(
            400, f"refused file name {name!r}: it carries a path or control characters"
        )
    if len(name) > MAX_NAME_CHARS:
        raise UploadError(400, f"file name is longer than {MAX_NAME_CHARS} characters")
    return name


def stored_name(original_name: str, extension: str) -> str:
    """The name a clip is stored under: random, plus a tamed stem for people reading reports.

    Only ``[A-Za-z0-9_-]`` of the client's stem survive (no dots, no separators),
    behind 16 random hex digits; the extension comes from the content, not the name.
    """
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", original_name.rsplit(".", 1)[0]).strip("_-")
    return f"{secrets.token_hex(8)}-{stem[:60] or 'clip'}{extension}"


class _FormSink:
    """Callbacks of python_multipart's MultipartParser: fields to memory, files to disk."""

    def __init__(self, tmp_dir: Path) -> None:
        self.tmp_dir = tmp_dir
        self.form = ReceivedForm()
        self.ended = False
        self._headers: dict[bytes, bytes] = {}
        self._field, self._value = b"", b""
        self._name: str | None = None
        self._text: bytearray | None = None
        self._handle: BinaryIO | None = None
        self._hash = hashlib.sha256()
        self._parts = 0

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": lambda d, s, e: self._add("_field", d[s:e]),
            "on_header_value": lambda d, s, e: self._add("_value", d[s:e]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._data,
            "on_part_end": self._part_end,
            "on_end": self._end,
        }

    def _add(self, attr: str, data: bytes) -> None:
        setattr(self, attr, getattr(self, attr) + data)
        if len(self._field) + len(self._value) > MAX_FIELD_BYTES:
            raise UploadError(400, "a form part header is too long")

    def _part_begin(self) -> None:
        self._parts += 1
        if self._parts > MAX_PARTS:
            raise UploadError(400, f"too many form parts (at most {MAX_PARTS})")
        self._headers = {}

    def _header_end(self) -> None:
        self._headers[self._field.strip().lower()] = self._value.strip()
        self._field, self._value = b"", b""

    def _headers_finished(self) -> None:
        disposition = self._headers.get(b"content-disposition", b"").decode("latin-1")
        _, params = parse_options_header(disposition)
        self._name = params.get(b"name", b"").decode("utf-8", errors="replace")
        if b"filename" not in params:
            self._text = bytearray()
            return
        original = check_file_name(params[b"filename"])
        path = self.tmp_dir / f"{secrets.token_hex(16)}.part"
        self.form.files.append(ReceivedFile(original_name=original, tmp_path=path))
        self._handle = path.open("xb")
        self._hash = hashlib.sha256()

    def _data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._handle is not None:
            self._handle.write(chunk)
            self._hash.update(chunk)
            self.form.files[-1].size_bytes += len(chunk)
        elif self._text is not None:
            self._text += chunk
            if len(self._text) > MAX_FIELD_BYTES:
                raise UploadError(400, f"form field {self._name!r} is too long")

    def _part_end(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
            self.form.files[-1].sha256 = self._hash.hexdigest()
        elif self._text is not None and self._name:
            self.form.fields[self._name] = self._text.decode("utf-8", errors="replace").strip()
        self._text = None

    def _end(self) -> None:
        self.ended = True

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


async def receive_form(
    headers: dict[str, str], body: AsyncIterator[bytes], *, tmp_dir: Path, max_bytes: int
) -> ReceivedForm:
    """Read a multipart/form-data body into fields and temporary files.

    Parameters
    ----------
    headers
        The request headers (lower-case names).
    body
        The request body as it arrives (Starlette's ``request.stream()``).
    tmp_dir
        Where file parts are written, under generated names.
    max_bytes
        Largest file content accepted in one request; the body may exceed it only by
        ``FORM_OVERHEAD_BYTES``. Writing stops as soon as the limit is passed.

    Raises
    ------
    UploadError
        For a body that is not a form, too large, malformed, cut off or without a
        file. Every temporary file of the request has been deleted by then.
    """
    ctype, params = parse_options_header(headers.get("content-type", ""))
    if ctype != b"multipart/form-data" or not params.get(b"boundary"):
        raise UploadError(415, "send clips as multipart/form-data with a file field")
    limit = max_bytes + FORM_OVERHEAD_BYTES
    too_large = UploadError(413, f"upload is larger than the limit of {_mb(max_bytes)}")
    declared = _declared_length(headers)
    sink = _FormSink(tmp_dir)
    received = 0
    try:
        if declared is not None and declared > limit:
            raise too_large
        parser = MultipartParser(params[b"boundary"], sink.callbacks())
        async for chunk in body:
            received += len(chunk)
            if received > limit:
                raise too_large
            parser.write(chunk)
        if not sink.ended:
            raise UploadError(400, "the upload was cut off before its end")
    except (UploadError, FormParserError) as exc:
        sink.close()
        sink.form.discard()
        if declared is None or declared - received <= DRAIN_LIMIT_BYTES:
            await _drain(body)  # so the client reads our answer instead of a reset
        if isinstance(exc, UploadError):
            raise
        raise UploadError(400, f"the upload is not a well-formed form ({exc})") from exc
    except BaseException:  # client gone, server stopping: keep no half-written file
        sink.close()
        sink.form.discard()
        raise
    if not sink.form.files:
        raise UploadError(400, "the upload holds no file: add a video file")
    return sink.form


async def _drain(body: AsyncIterator[bytes]) -> None:
    drained = 0
    async for chunk in body:
        drained += len(chunk)
        if drained > DRAIN_LIMIT_BYTES:
            return


def _declared_length(headers: dict[str, str]) -> int | None:
    try:
        return int(headers["content-length"])
    except (KeyError, ValueError):
        return None


def _mb(n_bytes: int) -> str:
    return f"{n_bytes / 1e6:g} MB"


@dataclass(frozen=True)
class VideoProbe:
    """What an accepted clip is: container extension and stream facts for the database."""

    extension: str
    width: int
    height: int
    fps: float
    frames: int
    duration_s: float


def sniff_container(head: bytes) -> str | None:
    """File extension of the video container whose signature starts ``head``, or None.

    ``head`` should hold the first 256 bytes (MPEG-TS needs its second sync byte at 188).
    """
    if head[4:8] == b"ftyp":
        return ".mov" if head[8:12] == b"qt  " else ".mp4"
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip"):  # older QuickTime
        return ".mov"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return ".webm" if b"webm" in head[:64] else ".mkv"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return ".avi"
    if len(head) > 188 and head[0] == 0x47 and head[188] == 0x47:
        return ".ts"
    return None


def check_video(path: Path, *, label: str) -> VideoProbe:
    """Accept ``path`` only if it is a video we can decode; UploadError(415) otherwise.

    ``label`` (the client's file name) replaces the temporary path in messages, so
    errors never show where the server keeps files.
    """
    from valgus.video.source import VideoSource

    size = path.stat().st_size
    if size == 0:
        raise UploadError(400, f"{label} is empty (0 bytes)")
    with path.open("rb") as handle:
        extension = sniff_container(handle.read(256))
    if extension is None:
        raise UploadError(
            415, f"{label} is not a video file (expected MP4, MOV, MKV, WebM, AVI or MPEG-TS)"
        )
    try:
        with VideoSource(path) as source:
            info = source.info
            next(iter(source))  # one decoded frame: the stream is really a video
    except ValgusError as exc:
        raise UploadError(415, str(exc).replace(str(path), label)) from exc
    except Exception as exc:  # whatever else the decoder trips on, this is no video we can read
        raise UploadError(415, f"{label}: not a video we can decode") from exc
    frames = info.frames_declared or round(info.duration_s * info.fps)
    return VideoProbe(
        extension=extension,
        width=info.width,
        height=info.height,
        fps=info.fps,
        frames=int(frames),
        duration_s=info.duration_s,
    )
