"""The accuracy benchmark's fixed clip sets, and the cache of their renders and pose tracks.

Why apart from the scoring (``benchmarks/accuracy.py``): the calibration study
(``/work/proto/calibration``) and the tests read the same clips; a set is a
list of ``SynthSpec`` seeded per clip, so adding clips never changes the
earlier ones.

Two sets:

* ``human_specs`` (the benchmark): the realistic body (``valgus.synth.human``),
  every body shape x movement twice, four rooms in turn, camera 0-20 deg off
  frontal either way, rolled up to 3 deg, 2.5-4.5 m away, lens at 0.6-1.4 m,
  the person filling 55-85% of the frame height, random outfits and light; the
  trunk upright, half or fully tilted with a dropped pelvis; each clip sweeps
  its collapse or drop over its reps (``rep_scale``).
* ``drawn_specs``: the drawn figure's older set (fast; ``--figure drawn``).

Renders are cached with their pose tracks (``cache/<key>.mp4``, ``.npz``,
``.truth.json``; never committed): a re-run after a change to the analysis
never renders or runs the model again, and another model reuses the videos.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from valgus.pose.model_files import resolve_model
from valgus.pose.track import PoseTrack
from valgus.synth.human.room import ROOMS, Light
from valgus.synth.human.scene import HumanScene
from valgus.synth.human.shape import PRESETS
from valgus.synth.render import Scene, SynthSpec, render

DEFAULT_CACHE = Path(tempfile.gettempdir()) / "valgus-bench" / "accuracy"
MOVES = ("squat", "single-leg-squat", "single-leg-stance")
SHAPES = tuple(PRESETS)
TRUNK = (0.0, 0.5, 1.0)  # upright, half, full
RENDER_VERSION = 3  # drawn figure: bump when it draws the same spec differently
HUMAN_VERSION = 1  # realistic body: likewise
SWEEP = (0.5, 1.0)  # rep_scale of the human set's two reps (holds)


def _collapse(rng: np.random.Generator, *, both: bool, by_joints: bool) -> dict:
    """A knee collapse request: the FPPA a frontal camera sees, or the three joint angles."""
    if by_joints:
        hi = {"hip_adduction_deg": 10, "hip_internal_rotation_deg": 12, "knee_abduction_deg": 5}
        if both:
            return {k: tuple(float(v) for v in rng.uniform(0, h, 2)) for k, h in hi.items()}
        return {k: float(rng.uniform(0, h)) for k, h in hi.items()}
    if both:
        return {"knee_collapse_deg": tuple(float(v) for v in rng.uniform(-4, 20, 2))}
    return {"knee_collapse_deg": float(rng.uniform(-3, 22))}


def human_scene(rng: np.random.Generator, shape: str, room: str) -> HumanScene:
    """One varied view of one body in one room: camera, lens, light; the outfit from the seed."""
    return HumanScene(
        shape=shape,
        room=room,
        light=Light(
            azimuth_deg=float(rng.uniform(-60, 60)),
            elevation_deg=float(rng.uniform(25, 60)),
            key=float(rng.uniform(0.6, 1.0)),
            ambient=float(rng.uniform(0.25, 0.45)),
            exposure=float(rng.uniform(0.8, 1.2)),
        ),
        camera_distance_m=float(rng.uniform(2.5, 4.5)),
        camera_height_m=float(rng.uniform(0.6, 1.4)),
        camera_yaw_deg=float(rng.choice([-1, 1]) * rng.uniform(0.0, 20.0)),
        camera_roll_deg=float(rng.uniform(-3.0, 3.0)),
        fill=float(rng.uniform(0.55, 0.85)),
    )


def human_specs(
    n: int = 48, *, size: tuple[int, int] = (360, 640), seed: int = 2025
) -> list[SynthSpec]:
    """The realistic-body set: clip ``i`` is body ``i % 8`` doing movement ``(i // 8) % 3``.

    Half the squats and single-leg squats collapse by joint angles, half by a
    frontal FPPA; single-leg movements drop the free hip 0-10 deg with the
    trunk upright, half or fully tilted, half of them leaning 0-4 deg over
    the stance leg. The two reps (holds) of a clip are at ``SWEEP`` of its request.
    """
    specs = []
    for i in range(n):
        rng = np.random.default_rng([seed, i])
        movement = MOVES[(i // len(SHAPES)) % 3]
        scene = human_scene(rng, SHAPES[i % len(SHAPES)], ROOMS[(i + i // len(SHAPES)) % 4])
        common = {"width": size[0], "height": size[1], "seed": i, "scene": scene, "reps": 2}
        common["rep_scale"] = SWEEP
        by_joints = bool(rng.integers(2))
        if movement == "squat":
            flex = float(rng.uniform(50, 90))
            collapse = _collapse(rng, both=True, by_joints=by_joints)
            specs.append(SynthSpec(movement, knee_flexion_deg=flex, **collapse, **common))
            continue
        stance = str(rng.choice(["left", "right"]))
        single = {
            "stance_side": stance,
            "pelvic_drop_deg": float(rng.uniform(0, 10)),
            "trunk_follow": float(rng.choice(TRUNK)),
            "trunk_lean_deg": (1 if stance == "left" else -1)
            * float(rng.uniform(0, 4) if rng.integers(2) else 0.0),
        }
        if movement == "single-leg-squat":
            flex = float(rng.uniform(40, 65))
            collapse = _collapse(rng, both=False, by_joints=by_joints)
            spec = SynthSpec(
                movement, knee_flexion_deg=flex, pause_s=0.8, **collapse, **single, **common
            )
        else:
            spec = SynthSpec(movement, hold_s=1.5, **single, **common)
        specs.append(spec)
    return specs


def held_out_specs(
    n: int = 16, *, size: tuple[int, int] = (360, 640), seed: int = 2026
) -> list[SynthSpec]:
    """Clips the FPPA calibration never saw: new scenes and poses, and deeper knees.

    Why: the gain in valgus.analysis.calibration was fitted on ``human_specs``
    (squats at 50-90 deg of knee flexion, single-leg squats at 40-65); people
    squat deeper than that (the single-leg clips of ../shared/videos bottom
    out at 80-110 deg). Half the clips are single-leg squats at 65-100 deg,
    half bilateral squats at 60-100 deg, every body in turn, new rooms, views
    and lights from another seed.
    """
    specs = []
    for i in range(n):
        rng = np.random.default_rng([seed, i])
        shape = SHAPES[(i // 2) % len(SHAPES)]  # every body squats on two legs and on one
        scene = human_scene(rng, shape, ROOMS[(i + 1) % 4])
        common = {"width": size[0], "height": size[1], "seed": 1000 + i, "scene": scene}
        common.update(reps=2, rep_scale=SWEEP)
        by_joints = bool(rng.integers(2))
        if i % 2 == 0:
            flex = float(rng.uniform(60, 100))
            collapse = _collapse(rng, both=True, by_joints=by_joints)
            specs.append(SynthSpec("squat", knee_flexion_deg=flex, **collapse, **common))
            continue
        single = {
            "stance_side": str(rng.choice(["left", "right"])),
            "pelvic_drop_deg": float(rng.uniform(0, 8)),
            "trunk_follow": float(rng.choice(TRUNK)),
        }
        flex = float(rng.uniform(65, 100))
        collapse = _collapse(rng, both=False, by_joints=by_joints)
        specs.append(
            SynthSpec(
                "single-leg-squat",
                knee_flexion_deg=flex,
                pause_s=0.8,
                **collapse,
                **single,
                **common,
            )
        )
    return specs


def drawn_scene(rng: np.random.Generator, index: int) -> Scene:
    """One varied scene of the drawn figure: camera, body, clothes, room and light."""
    height = float(rng.uniform(0.5, 1.4))
    return Scene(
        camera_height_m=height,
        camera_distance_m=float(rng.uniform(2.4, 5.0)),
        camera_yaw_deg=float(rng.choice([-1, 1]) * rng.uniform(0.0, 20.0)),
        camera_pitch_deg=float(rng.uniform(0.0, 12.0)) if height > 1.0 else 0.0,
        body_height_m=float(rng.uniform(1.5, 1.95)),
        leg_scale=float(rng.uniform(0.92, 1.08)),
        hip_scale=float(rng.uniform(0.85, 1.2)),
        shoulder_scale=float(rng.uniform(0.85, 1.15)),
        girth=float(rng.uniform(0.8, 1.35)),
        legwear=str(rng.choice(["shorts", "leggings"])),
        backdrop=str(rng.choice(["plain", "panels", "door", "gym"])),
        light_azimuth_deg=float(rng.uniform(-90.0, 90.0)),
        exposure=float(rng.uniform(0.7, 1.2)),
        light_falloff=float(rng.uniform(-0.3, 0.3)),
        palette_seed=index,
    )


def drawn_specs(
    n: int = 24, *, size: tuple[int, int] = (360, 480), seed: int = 2024
) -> list[SynthSpec]:
    """The drawn figure's set: ``n`` specs, the movements in turn, seeded per clip.

    Every other squat and single-leg squat (a third of the set) collapses by joint
    angles (hip adduction, hip internal rotation, knee abduction) instead of a set FPPA.
    """
    specs = []
    for i in range(n):
        rng = np.random.default_rng([seed, i])
        movement = MOVES[i % 3]
        scene = drawn_scene(rng, i)
        common = {"width": size[0], "height": size[1], "seed": i, "scene": scene, "reps": 2}
        # Drawn after the clip's other values, so those stay as they were before joints.
        by_joints = (i // 3) % 2 == 1
        if movement == "squat":
            collapse = (float(rng.uniform(-5, 24)), float(rng.uniform(-5, 24)))
            flex = float(rng.uniform(50, 95))
            request = _collapse(rng, both=True, by_joints=True) if by_joints else {}
            collapse = 0.0 if by_joints else collapse
            spec = SynthSpec(
                movement, knee_collapse_deg=collapse, knee_flexion_deg=flex, **request, **common
            )
        elif movement == "single-leg-squat":
            collapse = float(rng.uniform(-3, 24))
            drop, flex = float(rng.uniform(0, 10)), float(rng.uniform(45, 65))
            stance = str(rng.choice(["left", "right"]))
            request = _collapse(rng, both=False, by_joints=True) if by_joints else {}
            collapse = 0.0 if by_joints else collapse
            spec = SynthSpec(
                movement,
                knee_collapse_deg=collapse,
                pelvic_drop_deg=drop,
                knee_flexion_deg=flex,
                stance_side=stance,
                pause_s=0.8,
                **request,
                **common,
            )
        else:
            spec = SynthSpec(
                movement,
                pelvic_drop_deg=float(rng.uniform(0, 10)),
                stance_side=str(rng.choice(["left", "right"])),
                hold_s=2.0,
                **{**common, "reps": 1},
            )
        specs.append(spec)
    return specs


def clip_key(spec: SynthSpec) -> str:
    """Cache key: the spec's full text and the renderer's version (any change renders again)."""
    version = HUMAN_VERSION if isinstance(spec.scene, HumanScene) else RENDER_VERSION
    prefix = "human" if isinstance(spec.scene, HumanScene) else ""
    return hashlib.sha1(f"{prefix}{version}{spec!r}".encode()).hexdigest()[:16]


def track_and_truth(
    spec: SynthSpec, cache: Path, *, mirror_average: bool = False, model: str = "full"
) -> tuple[PoseTrack, dict]:
    """Render ``spec`` once and run each model once; later calls read the cache."""
    from valgus.pipeline import estimate_pose

    key = clip_key(spec)
    suffix = "-mirror-averaged" if mirror_average else ""
    if model != "full":
        suffix += "-" + hashlib.sha1(resolve_model(model).path.read_bytes()).hexdigest()[:12]
    video, track_path = cache / f"{key}.mp4", cache / f"{key}{suffix}.npz"
    truth_path = video.with_suffix(".truth.json")
    if not (video.exists() and truth_path.exists()):
        cache.mkdir(parents=True, exist_ok=True)
        partial = cache / f"{key}.partial.mp4"  # renamed when complete: no half clip is reused
        # The body's clips as a phone keeps them; the figure's as its published numbers were.
        render(spec, partial, crf=18 if isinstance(spec.scene, HumanScene) else 28)
        partial.with_suffix(".truth.json").replace(truth_path)
        partial.replace(video)
    if not track_path.exists():
        track = estimate_pose(video, model=model, mirror_average=mirror_average, jobs=1)
        track.save(track_path)
    return PoseTrack.load(track_path), json.loads(truth_path.read_text())


def _fill(args: tuple[SynthSpec, Path, bool, str]) -> str:
    spec, cache, mirror_average, model = args
    track_and_truth(spec, cache, mirror_average=mirror_average, model=model)
    return clip_key(spec)


def fill_cache(
    specs: list[SynthSpec],
    cache: Path,
    *,
    jobs: int = 1,
    mirror_average: bool = False,
    model: str = "full",
) -> None:
    """Render and track every spec not cached yet, ``jobs`` clips at a time."""
    work = [(spec, cache, mirror_average, model) for spec in specs]
    if jobs <= 1:
        for item in work:
            _fill(item)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for _ in pool.map(_fill, work):
            pass
