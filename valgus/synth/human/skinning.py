"""Linear blend skinning of the rest mesh by the pose's part transforms, and vertex normals.

Why blended matrices: with 19 parts, ``weights @ transforms`` gives every
vertex its own 3x4 matrix in one small matrix product, which is cheaper than
transforming the mesh once per part and summing.
"""

from __future__ import annotations

import numpy as np

from valgus.synth.human.posing import Pose
from valgus.synth.human.skeleton import Skeleton


def skin(skeleton: Skeleton, pose: Pose) -> np.ndarray:
    """Posed vertices (N, 3): each rest vertex moved by its weighted blend of part transforms."""
    transforms = np.concatenate([pose.rotations, pose.translations[:, :, None]], axis=2)
    blended = (skeleton.part_weights @ transforms.reshape(len(transforms), 12)).reshape(-1, 3, 4)
    return np.einsum("nij,nj->ni", blended[:, :, :3], skeleton.vertices) + blended[:, :, 3]


def vertex_normals(vertices: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """Unit normals (N, 3): area-weighted mean of the adjacent faces' normals (outward)."""
    a, b, c = (vertices[triangles[:, k]] for k in range(3))
    face = np.cross(b - a, c - a)
    normals = np.zeros_like(vertices)
    for k in range(3):
        np.add.at(normals, triangles[:, k], face)
    length = np.linalg.norm(normals, axis=1, keepdims=True)
    return normals / np.where(length > 0, length, 1.0)
