"""The realistic body doing a ``SynthSpec``'s movement: frames, their truth, the clip file.

Why valgus's own motion: ``valgus.synth.motion`` already poses the movements
for the drawn figure. Built with the rig's segment lengths
(``HumanScene.body``) its hips, knees and ankles are points the rig reaches
exactly, so the rendered joint centres are the motion's and both renderers
share one set of movement rules. The rest of the body takes the motion's
directions: the trunk is aimed at its neck and turned as its shoulder line,
the arms hang along its arms, the feet point and pitch as its feet (from the
rig's own foot, whose heel and toe sit elsewhere than the figure's).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import numpy as np

from valgus.synth import rotations as rt
from valgus.synth.human.materials import Outfit, make_look
from valgus.synth.human.posing import solve_pose
from valgus.synth.human.render import View, posed_surface, render
from valgus.synth.human.room import render_backdrop
from valgus.synth.human.scene import HumanScene
from valgus.synth.human.skeleton import SIDES, Skeleton
from valgus.synth.human.truth import ANGLE_NAMES, TRUTH_POINTS, FrameTruth, frame_truth
from valgus.synth.motion import POINTS, build_motion
from valgus.synth.spec import SynthSpec
from valgus.synth.truth import rounded, truth_dict
from valgus.video.writer import H264Writer

GENERATOR = "valgus.synth.human (MakeHuman CC0 body, Apache-2.0 renderer)"
SKIN_POINTS = ("LEFT_ASIS", "RIGHT_ASIS", "NECK", "PELVIS")


def _yaw_pitch(heel: np.ndarray, toe: np.ndarray) -> tuple[float, float]:
    """Heading (+ toward +x) and downward pitch of a foot's heel -> toe line, radians."""
    d = toe - heel
    return float(np.arctan2(d[0], d[2])), float(np.arctan2(-d[1], np.hypot(d[0], d[2])))


class HumanClip:
    """The rendered clip of a spec whose scene is a ``HumanScene``, frame by frame."""

    def __init__(self, spec: SynthSpec) -> None:
        if not isinstance(spec.scene, HumanScene):
            raise ValueError("HumanClip needs a spec whose scene is a HumanScene")
        scene = spec.scene
        self.spec = spec
        self.skeleton: Skeleton = scene.skeleton
        self.motion = build_motion(spec)
        rng = np.random.default_rng(spec.seed)
        # Drawn even when the scene names an outfit, so the noise is the seed's either way.
        seeded = Outfit.random(rng, sex=scene.body_shape.sex)
        self.outfit = scene.outfit or seeded
        self.look = make_look(self.outfit)
        ss = scene.supersample
        camera, size = self.motion.camera.scaled(ss), (spec.width * ss, spec.height * ss)
        backdrop = render_backdrop(camera, size, scene.room, scene.light, spec.seed)
        self.view = View(camera, size, backdrop, scene.light, ss, scene.shadow)
        self._noise_seed = int(rng.integers(2**31))
        # Frame 0 of every movement is the standing neutral: its feet's pitch is "flat".
        first = dict(zip(POINTS, self.motion.world_m[0], strict=True))
        self._flat_pitch = {
            side: _yaw_pitch(first[f"{side}_HEEL"], first[f"{side}_FOOT_INDEX"])[1]
            for side in SIDES
        }

    def __len__(self) -> int:
        return len(self.motion.times_s)

    def targets(self, index: int) -> dict[str, np.ndarray]:
        """The rig's targets of frame ``index``: the motion's points, the rig's own feet.

        Each foot is the rig's rest foot (heel and big toe), turned about the
        ankle to the motion's heading (its toe-out) and tilted by the motion's
        pitch over its standing pitch, so a planted sole stays flat.
        """
        targets = dict(zip(POINTS, self.motion.world_m[index], strict=True))
        marks, rest = self.skeleton.landmarks(), self.skeleton.joints
        for side in SIDES:
            yaw, pitch = _yaw_pitch(targets[f"{side}_HEEL"], targets[f"{side}_FOOT_INDEX"])
            turn = rt.rot(1, yaw) @ rt.rot(0, pitch - self._flat_pitch[side])
            for part in ("HEEL", "FOOT_INDEX"):
                offset = marks[f"{side}_{part}"] - rest[f"{side}_ANKLE"]
                targets[f"{side}_{part}"] = targets[f"{side}_ANKLE"] + turn @ offset
        return targets

    def frame(self, index: int) -> tuple[np.ndarray, FrameTruth]:
        """BGR image and truth of frame ``index`` (the same whatever order frames are asked in)."""
        pose = solve_pose(self.skeleton, self.targets(index))
        surface = posed_surface(self.skeleton, pose, self.look)
        image = render(self.view, surface, self.look)
        sigma = self.spec.scene.noise_sigma
        if sigma > 0:
            grain = np.random.default_rng([self._noise_seed, index]).normal(0.0, sigma, image.shape)
            image = np.clip(image + grain, 0, 255).astype(np.uint8)
        return image, frame_truth(self.skeleton, pose, surface.skin, self.motion.camera)


def render_human(spec: SynthSpec, path: Path, *, crf: int) -> dict:
    """Render the clip to ``path`` (H.264); return its truth (``valgus.synth.truth`` schema)."""
    clip = HumanClip(spec)
    truths = []
    with H264Writer(path, spec.width, spec.height, spec.fps, crf=crf) as writer:
        for index, time_s in enumerate(clip.motion.times_s):
            image, truth = clip.frame(index)
            writer.write(image, float(time_s))
            truths.append(truth)
    return human_truth(clip, truths)


def human_truth(clip: HumanClip, truths: list[FrameTruth]) -> dict:
    """The truth file of a rendered clip: the shared schema on the rig's points, and more.

    Added to the shared fields: the ASIS skin points, neck and pelvis centre in
    pixels, the ASIS line's obliquity, the image trunk lean, the 3D angles the
    posed body holds per side (``angles_3d_deg``; hip flexion, adduction,
    internal rotation, knee flexion, abduction), the 3D pelvic obliquity and
    trunk lean, the body (sliders and segment lengths), outfit and camera.
    """
    points = {name: np.array([t.points_px[name] for t in truths]) for name in TRUTH_POINTS}
    out = truth_dict(clip.spec, clip.motion, points_px=points, generator=GENERATOR)
    series = {
        "pelvic_obliquity_asis_deg": [t.pelvic_obliquity_asis_deg for t in truths],
        "trunk_lean_deg": [t.trunk_lean_deg for t in truths],
        "pelvic_obliquity_3d_deg": [t.pelvic_obliquity_3d_deg for t in truths],
        "trunk_lean_3d_deg": [t.trunk_lean_3d_deg for t in truths],
    }
    out["frames"].update({name: rounded(values, 3) for name, values in series.items()})
    out["frames"]["points_px"] = {name: rounded(points[name]) for name in SKIN_POINTS}
    out["frames"]["angles_3d_deg"] = {
        f"{angle}_{side}": rounded([t.angles_3d_deg[f"{angle}_{side}"] for t in truths], 3)
        for angle in ANGLE_NAMES
        for side in ("left", "right")
    }
    scene = clip.spec.scene
    out["body"] = {
        "shape": asdict(scene.body_shape),
        "dims": asdict(clip.skeleton.dims),
    }
    out["outfit"] = asdict(clip.outfit)
    camera = clip.motion.camera
    out["camera"] = asdict(camera) | {"vertical_fov_deg": camera.vertical_fov_deg(clip.spec.height)}
    return out
