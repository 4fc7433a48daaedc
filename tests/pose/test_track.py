"""pose.npz: what is saved loads back exactly, and files from earlier versions still load."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from valgus.pose.landmarker import TrackBuilder
from valgus.pose.track import TRACK_FORMAT_VERSION, PoseTrack

FIELDS = ("xy_px", "z", "visibility", "world_xyz_m", "times_s")


def a_track(n_frames: int = 40) -> PoseTrack:
    rng = np.random.default_rng(3)
    track = PoseTrack.empty(
        n_frames, width=640, height=480, fps=29.97, source="clips/ä squat.mp4", model="full"
    )
    track.times_s[:] = np.arange(n_frames) / 29.97
    track.xy_px[:] = rng.uniform(0, 640, track.xy_px.shape)
    track.xy_px[5] = np.nan  # no person in this frame
    track.z[:] = rng.normal(size=track.z.shape)
    track.visibility[:] = rng.uniform(size=track.visibility.shape)
    track.world_xyz_m[:] = rng.normal(size=track.world_xyz_m.shape)
    return replace(track, notes=("3 damaged packets were skipped", "ünïcode"))


def assert_same(a: PoseTrack, b: PoseTrack) -> None:
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    meta = ("width", "height", "fps", "source", "model", "notes")
    assert [getattr(a, m) for m in meta] == [getattr(b, m) for m in meta]


def test_saved_track_loads_back_exactly(tmp_path):
    track = a_track()
    track.save(tmp_path / "pose.npz")
    assert_same(PoseTrack.load(tmp_path / "pose.npz"), track)


def test_save_adds_the_npz_suffix_like_numpy(tmp_path):
    a_track().save(tmp_path / "pose")
    assert (tmp_path / "pose.npz").exists() and not (tmp_path / "pose").exists()


def test_a_track_written_by_numpy_savez_still_loads(tmp_path):
    # pose.npz files from before valgus wrote its own zip (numpy's savez_compressed).
    track = a_track()
    np.savez_compressed(
        tmp_path / "old.npz",
        format_version=TRACK_FORMAT_VERSION,
        **{name: getattr(track, name) for name in FIELDS},
        width=track.width,
        height=track.height,
        fps=track.fps,
        source=track.source,
        model=track.model,
        notes=np.array(track.notes, dtype=str),
    )
    assert_same(PoseTrack.load(tmp_path / "old.npz"), track)


def test_a_file_that_is_not_a_track_is_refused(tmp_path):
    bogus = tmp_path / "pose.npz"
    bogus.write_bytes(b"not a zip at all")
    with pytest.raises(ValueError, match=r"not a valgus pose track \(not an \.npz file\)"):
        PoseTrack.load(bogus)
    np.savez(tmp_path / "other.npz", something=np.zeros(3))
    with pytest.raises(ValueError, match=r"not a valgus pose track .*format_version"):
        PoseTrack.load(tmp_path / "other.npz")


@pytest.mark.parametrize(
    "n_frames", [0, 1, TrackBuilder.BLOCK_FRAMES, 2 * TrackBuilder.BLOCK_FRAMES + 3]
)
def test_builder_keeps_every_row_across_its_blocks(n_frames):
    """Rows go into fixed-size blocks: the track must not care where one ends."""
    rng = np.random.default_rng(7)
    rows = rng.uniform(0, 1, (n_frames, 33, 7))
    missing = {
        i for i in (0, TrackBuilder.BLOCK_FRAMES - 1, TrackBuilder.BLOCK_FRAMES) if i < n_frames
    }
    builder = TrackBuilder()
    for i in range(n_frames):
        builder.add(i / 30.0, None if i in missing else rows[i])
    track = builder.build(width=640, height=480, fps=30.0, source="s.mp4", model="full")
    assert track.n_frames == n_frames
    np.testing.assert_array_equal(track.times_s, np.arange(n_frames) / 30.0)
    found = np.array([i not in missing for i in range(n_frames)], dtype=bool)
    np.testing.assert_array_equal(track.xy_px[found], rows[found, :, 0:2])
    np.testing.assert_array_equal(track.world_xyz_m[found], rows[found, :, 4:7])
    np.testing.assert_array_equal(track.visibility[found], rows[found, :, 3])
    assert np.isnan(track.xy_px[~found]).all() and (track.visibility[~found] == 0).all()
    times, joined, _ = builder.arrays()
    np.testing.assert_array_equal(times, track.times_s)
    assert joined.shape == (n_frames, 33, 7) and np.isnan(joined[~found]).all()
    np.testing.assert_array_equal(joined[found], rows[found])
