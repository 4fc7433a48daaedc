"""The realistic body: the MakeHuman mesh (CC0) posed, dressed, lit and filmed, with exact truth.

Why beside the drawn figure: MediaPipe reads a flat-shaded figure differently
from a person (design.md section 5), so accuracy numbers need a body that looks
human. ``HumanScene`` (``scene``) says who is filmed and how; a ``SynthSpec``
with that scene is rendered by ``valgus.synth.render.render`` like any other.

Data flow: ``assets`` (the vendored CC0 mesh, rig, weights and shape targets;
provenance and licence in ``assets/``) -> ``shape`` (macro sliders) ->
``skeleton`` (joint centres, rigid parts, segment lengths) -> ``posing``
(targets from ``valgus.synth.motion`` -> part transforms) -> ``skinning`` ->
``materials`` (skin, clothes) + ``room`` (background, light) -> ``raster`` +
``render`` (an image) -> ``truth`` (projected joint centres, ASIS, FPPA, drop,
3D angles) -> ``clip`` (frames, the MP4 and the truth file).

Nothing is imported here, so ``import valgus.synth.human.skeleton`` stays light.
"""
