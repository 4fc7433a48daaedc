"""The rig of one body shape: rest joint centres, rigid parts, skin landmarks, segment lengths.

Why rigid parts instead of the rig's 163 bones: valgus needs exact joint
centres, not facial expressions. Bones that always move together (thigh =
``upperleg01`` + ``upperleg02``; hand = wrist, metacarpals and fingers; head =
neck, head and face bones) are merged into one part whose skinning weight is
the sum of theirs, so a pose is 18 rigid transforms and every joint centre is
the rotation pivot of the parts it joins: where the targets put it, the skin
bends around it.

The pelvis is made rigid up to the iliac crest. MakeHuman's weights give the
skin over the anterior superior iliac spines (8 cm above the hip joints) 46%
to ``spine04`` and 12% to the thigh, so with an upright trunk over a dropped
pelvis the ASIS line tilted only 0.65 times as much as the pelvis: a skinning
artefact (the ASIS is bone), and exactly the kind that would bias a test of how
well a pose model sees pelvic drop. Below the crest (``_CREST_M`` above the hip
joints, fading over ``_CREST_FADE_M``) the ``spine04`` weight goes to the
pelvis, and above the groin (``_GROIN_M``, fading likewise) so does the thighs'.

Joint centres are MakeHuman's own: each is the mean of the joint-cube (or rig
reference) vertices the standard rig anchors that bone end to, so they move
with the body shape like the rig does in MakeHuman.

Skin landmarks are fixed mesh vertices (indices in MakeHuman's ``base.obj``;
the right side is the mirror vertex):

* heel: vertex 12442, the back of the heel 2.6 cm above the sole;
* foot index: vertex 11551, the tip of the big toe;
* ASIS: vertex 10904, the anterolateral corner of the lower abdomen 8 cm
  above, 4 cm lateral of and 8 cm in front of the hip joint centre, where the
  anterior superior iliac spine shows under the skin (Harrington et al. 2007
  put the bony ASIS 8 cm above, 3.4 cm lateral of and 4.6 cm in front of the
  hip centre; the skin lies ~1 cm further forward);
* face, for MediaPipe's face landmarks: nose tip 297 (midline), eye 14598 (the
  front of the cornea), ear 12038 (the side of the head 2 cm below eye level),
  mouth corner 7175 (2 cm lateral, 3 cm below the head joint).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from valgus.synth.body import HIP_HALF_M, STANCE_HALF_M
from valgus.synth.human.assets import PART_BODY, Assets, load_assets
from valgus.synth.human.shape import BodyShape, shaped_vertices

SIDES = {"LEFT": "L", "RIGHT": "R"}
SPINE_CHAIN = ("spine04", "spine03", "spine02", "chest")
PART_NAMES = (
    "pelvis",
    *SPINE_CHAIN,
    "head",
    *(f"{p}_{s}" for s in "LR" for p in ("thigh", "shank", "foot", "upperarm", "forearm", "hand")),
)
PART_INDEX = {name: i for i, name in enumerate(PART_NAMES)}
# Bones that start a part; every other bone joins the part of its nearest listed ancestor.
_PART_ROOTS = {
    "root": "pelvis",
    "pelvis.L": "pelvis",
    "pelvis.R": "pelvis",
    "spine05": "pelvis",  # it skins the buttocks and the crotch: the pelvis itself
    **{b: b for b in SPINE_CHAIN[:-1]},
    "spine01": "chest",
    "breast.L": "chest",
    "breast.R": "chest",
    "neck01": "head",
    "clavicle.L": "chest",
    "clavicle.R": "chest",
    **{
        f"{bone}.{s}": f"{part}_{s}"
        for s in "LR"
        for bone, part in (
            ("upperleg01", "thigh"),
            ("lowerleg01", "shank"),
            ("foot", "foot"),
            ("upperarm01", "upperarm"),
            ("lowerarm01", "forearm"),
            ("wrist", "hand"),
        )
    },
}
# Joint centres: (bone, end) of the rig.
_JOINT_BONES = {
    "PELVIS": ("spine05", "head"),
    "SPINE_4": ("spine04", "head"),
    "SPINE_3": ("spine03", "head"),
    "SPINE_2": ("spine02", "head"),
    "SPINE_1": ("spine01", "head"),
    "NECK": ("neck01", "head"),
    "HEAD": ("head", "head"),
    "HEAD_TOP": ("head", "tail"),
    **{
        f"{side}_{joint}": (f"{bone}.{s}", "head")
        for side, s in SIDES.items()
        for joint, bone in (
            ("HIP", "upperleg01"),
            ("KNEE", "lowerleg01"),
            ("ANKLE", "foot"),
            ("SHOULDER", "upperarm01"),
            ("ELBOW", "lowerarm01"),
            ("WRIST", "wrist"),
        )
    },
}
JOINT_NAMES = tuple(_JOINT_BONES)
_CREST_M, _GROIN_M, _CREST_FADE_M = 0.12, 0.03, 0.03
# Skin landmarks of the person's left side (the right is the mirror vertex) and the midline.
_LEFT_LANDMARK_VERTEX = {
    "LEFT_HEEL": 12442,
    "LEFT_FOOT_INDEX": 11551,
    "LEFT_ASIS": 10904,
    "LEFT_EYE": 14598,
    "LEFT_EAR": 12038,
    "MOUTH_LEFT": 7175,
}
_MIDLINE_LANDMARK_VERTEX = {"NOSE": 297}


@dataclass(frozen=True)
class Dims:
    """Segment lengths of a shape's rig in metres (``valgus.synth.body.Segments``).

    ``valgus.synth.motion`` builds its poses with these, so the rendered joint
    centres coincide with the motion's points (the skeleton is rigid between
    joint centres).
    """

    stature_m: float
    thigh_m: float  # hip to knee joint centre
    shank_m: float  # knee to ankle joint centre
    hip_half_m: float  # half the distance between the hip joint centres
    ankle_y_m: float  # ankle joint centre above the floor, foot flat
    torso_m: float  # hip midpoint to neck joint, standing
    shoulder_half_m: float
    upper_arm_m: float
    forearm_m: float
    stance_half_m: float  # ankle x of a bilateral squat: the drawn figure's 1.56 hip widths


@dataclass(frozen=True)
class Skeleton:
    """Rest pose of one body shape.

    Attributes
    ----------
    shape : BodyShape
    vertices : (N, 3) rest vertices in metres (mesh frame: soles at ``floor_y``).
    joints : dict name -> (3,) rest joint centres (``JOINT_NAMES``).
    part_weights : (N, P) skinning weight of each vertex on each part of ``PART_NAMES``.
    landmark_vertex : dict name -> vertex index (``LANDMARK_NAMES``).
    floor_y : float, the rest sole height.
    dims : Dims
    """

    shape: BodyShape
    vertices: np.ndarray
    joints: dict[str, np.ndarray]
    part_weights: np.ndarray
    landmark_vertex: dict[str, int]
    floor_y: float
    dims: Dims

    def landmarks(self) -> dict[str, np.ndarray]:
        """Rest positions of the skin landmarks."""
        return {name: self.vertices[i] for name, i in self.landmark_vertex.items()}


def _bone_part(assets: Assets) -> dict[str, str]:
    out = {}
    for bone in assets.rig:
        b = bone
        while b not in _PART_ROOTS:
            b = assets.rig[b]["parent"]
        out[bone] = _PART_ROOTS[b]
    return out


def _move_weight(weights: np.ndarray, source: str, share: np.ndarray) -> None:
    """Move ``share`` (N,) of part ``source``'s weight to the pelvis, in place."""
    moved = weights[:, PART_INDEX[source]] * share
    weights[:, PART_INDEX[source]] -= moved
    weights[:, PART_INDEX["pelvis"]] += moved


@lru_cache(maxsize=1)
def _part_weights() -> np.ndarray:
    """(N, P) summed bone weights per part, the pelvis rigid (see the module notes)."""
    assets = load_assets()
    weights = np.zeros((len(assets.vertices_m), len(PART_NAMES)))
    for bone, part in _bone_part(assets).items():
        if bone in assets.bone_weights:
            idx, w = assets.bone_weights[bone]
            np.add.at(weights[:, PART_INDEX[part]], idx, w)
    weights /= weights.sum(axis=1, keepdims=True)
    rig, base = assets.rig, assets.vertices_m
    hip_y = np.mean([base[rig[f"upperleg01.{s}"]["head"]].mean(axis=0)[1] for s in "LR"])
    height = base[:, 1] - hip_y
    _move_weight(weights, "spine04", np.clip((_CREST_M - height) / _CREST_FADE_M, 0.0, 1.0))
    groin = np.clip((height - _GROIN_M) / _CREST_FADE_M, 0.0, 1.0)
    for side in "LR":
        _move_weight(weights, f"thigh_{side}", groin)
    weights.flags.writeable = False
    return weights


@lru_cache(maxsize=1)
def _landmark_vertices() -> dict[str, int]:
    """Landmark vertices: the left ones, their mirrors (the nearest vertex of the same part
    to x -> -x on the base mesh) and the midline ones."""
    assets = load_assets()
    base = assets.vertices_m
    lookup = {int(s): i for i, s in enumerate(assets.source_index)}
    out = {name: lookup[source] for name, source in _MIDLINE_LANDMARK_VERTEX.items()}
    for name, source in _LEFT_LANDMARK_VERTEX.items():
        left = lookup[source]
        same = np.flatnonzero(assets.part == assets.part[left])
        mirrored = base[left] * np.array([-1.0, 1.0, 1.0])
        right = same[np.argmin(np.linalg.norm(base[same] - mirrored, axis=1))]
        out[name], out[name.replace("LEFT", "RIGHT")] = left, int(right)
    return out


def _dims(joints: dict[str, np.ndarray], vertices: np.ndarray, floor_y: float) -> Dims:
    def dist(a: str, b: str) -> float:
        return float(np.linalg.norm(joints[a] - joints[b]))

    hip_mid = 0.5 * (joints["LEFT_HIP"] + joints["RIGHT_HIP"])
    return Dims(
        stature_m=float(vertices[:, 1].max() - floor_y),
        thigh_m=dist("LEFT_HIP", "LEFT_KNEE"),
        shank_m=dist("LEFT_KNEE", "LEFT_ANKLE"),
        hip_half_m=0.5 * dist("LEFT_HIP", "RIGHT_HIP"),
        ankle_y_m=float(joints["LEFT_ANKLE"][1] - floor_y),
        torso_m=float(np.linalg.norm(joints["NECK"] - hip_mid)),
        shoulder_half_m=0.5 * dist("LEFT_SHOULDER", "RIGHT_SHOULDER"),
        upper_arm_m=dist("LEFT_SHOULDER", "LEFT_ELBOW"),
        forearm_m=dist("LEFT_ELBOW", "LEFT_WRIST"),
        stance_half_m=STANCE_HALF_M / HIP_HALF_M * 0.5 * dist("LEFT_HIP", "RIGHT_HIP"),
    )


def build_skeleton(shape: BodyShape) -> Skeleton:
    """Morph the base mesh to ``shape`` and place the rig's joint centres in it."""
    assets = load_assets()
    vertices = shaped_vertices(shape, assets)
    joints = {
        name: vertices[assets.rig[bone][end]].mean(axis=0)
        for name, (bone, end) in _JOINT_BONES.items()
    }
    floor_y = float(vertices[assets.part == PART_BODY, 1].min())
    return Skeleton(
        shape=shape,
        vertices=vertices,
        joints=joints,
        part_weights=_part_weights(),
        landmark_vertex=_landmark_vertices(),
        floor_y=floor_y,
        dims=_dims(joints, vertices[assets.part == PART_BODY], floor_y),
    )
