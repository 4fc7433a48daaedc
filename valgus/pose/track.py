"""PoseTrack: the landmarks of one clip, the plain data type between pose and kinematics.

Saved as ``pose.npz`` beside the outputs so a re-analysis with other thresholds
never reruns the model (design.md section 3).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from valgus.pose.landmarks import NUM_LANDMARKS

TRACK_FORMAT_VERSION = 2
READABLE_FORMATS = (1, 2)  # version 1 files have no cues


# Per-frame cues of cuts and camera moves (valgus.pose.camera_cues computes them).
CUE_COLUMNS = (
    "hist_distance",
    "layout_distance",
    "camera_dx_px",
    "camera_dy_px",
    "camera_log_scale",
    "camera_roll_deg",
)
_ARRAYS = ("xy_px", "z", "visibility", "world_xyz_m", "times_s")
_PER_FRAME = (*_ARRAYS, "cues")


@dataclass(frozen=True)
class PoseTrack:
    """Landmarks of one person over a clip, in pixels of the upright frame.

    Attributes
    ----------
    xy_px : (T, 33, 2) float64
        Image coordinates in pixels (x right, y down) of the frame as a person
        sees it (rotation metadata applied). NaN where no pose was found.
        Pixels, not MediaPipe's normalised units, because normalised x and y
        have different scales on non-square frames (design.md section 2).
    z : (T, 33) float64
        MediaPipe's relative depth, scaled to pixels like x. NaN without pose.
    visibility : (T, 33) float64
        Landmark visibility in [0, 1]; 0 where no pose was found.
    world_xyz_m : (T, 33, 3) float64
        MediaPipe world landmarks in metres (hip-centred); NaN without pose.
        Used for the view check, where image coordinates are ambiguous.
    times_s : (T,) float64
        Presentation time of each frame from the first frame, from the
        container (never frame index / fps: variable frame rates exist).
    width, height : int
        Size of the upright frame in pixels.
    fps : float
        Nominal frame rate of the source, for display and smoothing design.
    source : str
        Path or description of the source.
    model : str
        Name of the pose model that produced the track.
    notes : tuple of str
        What went wrong while reading the source (e.g. the file ends early),
        carried to the report's warnings.
    cues : (T, 6) float64
        Picture change and camera motion of each frame
        (valgus.pose.camera_cues.CUE_COLUMNS), from which the analysis finds
        cuts and camera moves; all NaN where they were not recorded (live,
        tracks saved before they existed).
    """

    xy_px: np.ndarray
    z: np.ndarray
    visibility: np.ndarray
    world_xyz_m: np.ndarray
    times_s: np.ndarray
    width: int
    height: int
    fps: float
    source: str = ""
    model: str = ""
    notes: tuple[str, ...] = ()
    cues: np.ndarray | None = None

    def __post_init__(self) -> None:
        frames = self.times_s.shape[0]
        if self.cues is None:
            object.__setattr__(self, "cues", np.full((frames, len(CUE_COLUMNS)), np.nan))
        expected = {
            "xy_px": (frames, NUM_LANDMARKS, 2),
            "z": (frames, NUM_LANDMARKS),
            "visibility": (frames, NUM_LANDMARKS),
            "world_xyz_m": (frames, NUM_LANDMARKS, 3),
            "cues": (frames, len(CUE_COLUMNS)),
        }
        for name, shape in expected.items():
            actual = getattr(self, name).shape
            if actual != shape:
                raise ValueError(f"PoseTrack.{name} has shape {actual}, expected {shape}")
        if self.width <= 0 or self.height <= 0:
            raise ValueError(
                f"PoseTrack frame size must be positive, got {self.width}x{self.height}"
            )

    @property
    def n_frames(self) -> int:
        """Number of frames in the clip (with or without a pose)."""
        return int(self.times_s.shape[0])

    @property
    def has_pose(self) -> np.ndarray:
        """(T,) bool: frames where the model found a person (any landmark known)."""
        return np.isfinite(self.xy_px).any(axis=(1, 2))

    @classmethod
    def empty(cls, n_frames: int, **meta: object) -> PoseTrack:
        """A track of ``n_frames`` with no pose anywhere, to be filled frame by frame."""
        return cls(
            xy_px=np.full((n_frames, NUM_LANDMARKS, 2), np.nan),
            z=np.full((n_frames, NUM_LANDMARKS), np.nan),
            visibility=np.zeros((n_frames, NUM_LANDMARKS)),
            world_xyz_m=np.full((n_frames, NUM_LANDMARKS, 3), np.nan),
            times_s=np.zeros(n_frames),
            **meta,  # type: ignore[arg-type]
        )

    def slice(self, start: int, stop: int) -> PoseTrack:
        """Frames ``start`` to ``stop`` (exclusive) as a track of their own (times unchanged)."""
        return replace(self, **{name: getattr(self, name)[start:stop] for name in _PER_FRAME})

    @classmethod
    def concat(cls, parts: list[PoseTrack]) -> PoseTrack:
        """One track of ``parts`` in order (their metadata is the first part's)."""
        if not parts:
            raise ValueError("concat needs at least one track")
        arrays = {name: np.concatenate([getattr(p, name) for p in parts]) for name in _PER_FRAME}
        return replace(parts[0], **arrays)

    def with_xy(self, xy_px: np.ndarray) -> PoseTrack:
        """A copy with new pixel coordinates (filtering stages return new tracks)."""
        return replace(self, xy_px=xy_px)

    def save(self, path: str | Path) -> None:
        """Write the track to a compressed ``.npz`` file (``np.load`` reads it).

        Written member by member at zlib level 1 rather than through
        ``np.savez_compressed`` (level 6): on a 10-minute clip 0.36 s instead
        of 1.9 s, for 6% more bytes. Like numpy, adds ``.npz`` to a name without it.
        """
        path = Path(path)
        if path.suffix != ".npz":
            path = path.with_name(path.name + ".npz")
        members = {
            "format_version": TRACK_FORMAT_VERSION,
            **{name: getattr(self, name) for name in _ARRAYS},
            "cues": self.cues,
            "width": self.width,
            "height": self.height,
            "fps": self.fps,
            "source": self.source,
            "model": self.model,
            "notes": np.array(self.notes, dtype=str),
        }
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for name, value in members.items():
                with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                    np.lib.format.write_array(member, np.asanyarray(value), allow_pickle=False)

    @classmethod
    def load(cls, path: str | Path) -> PoseTrack:
        """Read a track written by :meth:`save`; raise ``ValueError`` on other files."""
        try:
            with np.load(path, allow_pickle=False) as data:
                version = int(data["format_version"])
                fields = {name: data[name] for name in _ARRAYS}
                meta = {name: data[name] for name in ("width", "height", "fps", "source", "model")}
                notes = tuple(str(n) for n in data.get("notes", ()))
                cues = data.get("cues")
        except ValueError as exc:  # numpy's words for a file that is not .npz are about pickles
            raise ValueError(f"{path}: not a valgus pose track (not an .npz file)") from exc
        except (OSError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            raise ValueError(f"{path}: not a valgus pose track ({exc})") from exc
        if version not in READABLE_FORMATS:
            raise ValueError(f"{path}: pose track format {version} is not supported")
        return cls(
            **fields,
            width=int(meta["width"]),
            height=int(meta["height"]),
            fps=float(meta["fps"]),
            source=str(meta["source"]),
            model=str(meta["model"]),
            notes=notes,
            cues=cues,
        )
