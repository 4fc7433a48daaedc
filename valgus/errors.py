"""Errors a user can cause, each with its own exit code.

The CLI prints ``str(error)`` as one line and exits with ``error.exit_code``;
nothing a user feeds in should end in a traceback.
"""

from __future__ import annotations


class ValgusError(Exception):
    """Base of every error caused by the input rather than by a bug."""

    exit_code = 10


class UsageError(ValgusError):
    """The command line asks for something that does not exist (e.g. an unknown threshold)."""

    exit_code = 2


class InputNotFoundError(ValgusError):
    """The path does not exist or is a directory where a file was needed."""

    exit_code = 3


class NotAVideoError(ValgusError):
    """The file is not a video we can decode (text, image, audio only, zero frames)."""

    exit_code = 4


class NoPersonError(ValgusError):
    """The pose model found nobody, or too few frames with a person."""

    exit_code = 5


class WrongViewError(ValgusError):
    """The camera does not face the person (side view): FPPA would be meaningless."""

    exit_code = 6


class FramingError(ValgusError):
    """The lower body (hips, knees, ankles) is not in frame often enough."""

    exit_code = 7


class ModelError(ValgusError):
    """The pose model file is missing, corrupt or cannot be fetched."""

    exit_code = 8


class CorruptVideoError(ValgusError):
    """The video breaks off or is damaged so badly that too little could be decoded."""

    exit_code = 9


class OutputError(ValgusError):
    """The results cannot be written: the output path is not a folder, is read-only or full."""

    exit_code = 12


class CameraError(ValgusError):
    """No camera at the given index or device, or it opened but sends no frames (live)."""

    exit_code = 11
