"""The wan engine: Wan 2.1 / 2.2 from local diffusers folders.

One engine serves up to three folders, each read from its own model_index.json and
configs (never by its name):

    path        the main model. Text-to-video (WanPipeline; its transformer takes as many
                channels as the VAE makes), image-to-video (WanImageToVideoPipeline; the
                transformer also takes the image latents and a mask), or Wan 2.2 TI2V
                (expand_timesteps: one transformer, both). A VACE folder works here too.
    i2v_path    optional: an image-to-video folder beside a text-to-video main one
    vace_path   optional: a VACE folder (WanVACEPipeline) for extension, interpolation and
                masked editing; it also serves t2v / i2v when no other folder does

    mode         made by
    t2v          the main folder (t2v or TI2V), else VACE with nothing given
    i2v          the main or i2v folder (I2V or TI2V), else VACE with frame 0 given
    remix        WanVideoToVideoPipeline over the main t2v folder's modules (Wan 2.1
                 layout: one transformer, no expand_timesteps)
    extend, interpolate, inpaint
                 VACE: the given frames (or the source's unmasked frames) as its control
                 video, a mask marking the frames to make

How given frames come back: Wan 2.2 TI2V writes the first frame's latent in place (it
returns as the causal VAE reconstructs it); Wan 2.1 I2V and VACE take given frames as
conditioning that the model learned to follow, so they come back as well as the model
follows them (exactly only in spirit). Keyframes must have strength 1: Wan has no
partial conditioning.

Sizes are multiples of the VAE's spatial factor × the transformer's patch (8 × 2 = 16 for
Wan 2.1, 16 × 2 = 32 for the Wan 2.2 TI2V VAE), frame counts 1 + 4k.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from reelforge.engines.base import Plan
from reelforge.engines.diffusers_common import (
    DiffusersConfig,
    DiffusersEngine,
    Folder,
    Geometry,
    Placement,
    StepCallback,
    capabilities,
    frames_at,
    pil,
    read_folder,
    require_diffusers,
    run_pipeline,
)
from reelforge.engines.frames import fit
from reelforge.types import GenerationSpec, InvalidInputError, UnsupportedError

COMPONENTS = ("vae", "text_encoder", "tokenizer", "scheduler")
OPTIONAL = ("transformer", "transformer_2", "image_encoder", "image_processor")
DEFAULTS: dict[str, Any] = {
    "steps": 50,
    "guidance": 5.0,  # Wan's diffusers examples
    "fps": 16.0,  # Wan 2.1 makes 16 fps (Wan 2.2 TI2V: 24; set fps = 24 for it)
    "max_frames": 81,  # Wan's default clip: 81 frames, 5 s at 16 fps
    "resolution": (480,),  # 480p; the 14B models also make 720p: resolution = [480, 720]
    "vae_dtype": "float32",  # Wan's diffusers examples keep the VAE in float32
}
GRAY = 128  # VACE's "to be made" pixels in its control video
KINDS = {  # a folder's kind → the modes it makes by itself
    "t2v": ("t2v", "remix"),
    "t2v2": ("t2v",),  # Wan 2.2 A14B: two transformers, no video-to-video pipeline
    "ti2v": ("t2v", "i2v"),
    "i2v": ("i2v",),
    "vace": ("t2v", "i2v", "extend", "interpolate", "inpaint"),
}


def transformer_config(folder: Folder) -> dict:
    if "transformer" in folder.configs:
        return folder.configs["transformer"]
    if "transformer_2" in folder.configs:
        return folder.configs["transformer_2"]
    raise InvalidInputError(
        f"{folder.path}: model_index.json lists no transformer", param="weights"
    )


def geometry(folder: Folder) -> Geometry:
    vae, transformer = folder.configs["vae"], transformer_config(folder)
    steps = vae.get("temperal_downsample", [False, True, True])
    spatial = vae.get("scale_factor_spatial") or 2 ** len(steps)
    temporal = vae.get("scale_factor_temporal") or 2 ** sum(bool(s) for s in steps)
    patch_t, patch_h, patch_w = transformer.get("patch_size", (1, 2, 2))
    if patch_t != 1 or patch_h != patch_w:
        raise InvalidInputError(
            f"{folder.path}: wan engine supports patches (1, p, p); got {(patch_t, patch_h, patch_w)}",
            param="weights",
        )
    return Geometry(int(spatial), int(temporal), int(patch_h))


def kind_of(folder: Folder) -> str:
    """t2v, t2v2, ti2v, i2v or vace, from the pipeline class and the configs."""
    transformer = transformer_config(folder)
    if folder.pipeline == "WanVACEPipeline" or "vace_layers" in transformer:
        return "vace"
    if transformer.get("in_channels") != folder.configs["vae"].get("z_dim", 16):
        return "i2v"  # noise + mask + image latents in
    if folder.index.get("expand_timesteps"):
        return "ti2v"
    return "t2v2" if folder.has("transformer_2") else "t2v"


class WanEngine(DiffusersEngine):
    """Wan 2.1 / 2.2 (diffusers layout) behind the Engine protocol."""

    name = "wan"

    def __init__(self, **settings: Any):
        config, extra = DiffusersConfig.read(
            settings, DEFAULTS, self.name, extra=("i2v_path", "vace_path")
        )
        super().__init__(config, Placement.of(config, self.name))
        self.folders = {"main": read_folder(config.path, COMPONENTS, OPTIONAL)}
        for role in ("i2v", "vace"):
            if extra.get(f"{role}_path") is not None:
                path = Path(extra[f"{role}_path"]).expanduser()
                self.folders[role] = read_folder(path, COMPONENTS, OPTIONAL)
        self.kinds = {role: kind_of(folder) for role, folder in self.folders.items()}
        self._check_roles()
        self.geometry = geometry(self.folders["main"])
        for role, folder in self.folders.items():
            if geometry(folder) != self.geometry:
                raise InvalidInputError(
                    f"wan engine: {folder.path} cuts video differently from {config.path} "
                    "(VAE factors or patch size); pair folders of one model family",
                    param=f"{role}_path",
                )
        modes = [m for kind in self.kinds.values() for m in KINDS[kind]]
        order = ("t2v", "i2v", "extend", "interpolate", "inpaint", "remix")
        self.modes = tuple(m for m in order if m in modes)
        self._capabilities = capabilities(config, self.geometry, self.modes, self.name)
        require_diffusers()
        self._pipes: dict[tuple[str, str], Any] = {}

    def _check_roles(self) -> None:
        wanted = {"i2v": ("i2v", "ti2v"), "vace": ("vace",)}
        for role, kinds in wanted.items():
            if role in self.kinds and self.kinds[role] not in kinds:
                raise InvalidInputError(
                    f"wan engine: {role}_path {self.folders[role].path} holds a "
                    f"{self.kinds[role]} model, not {' or '.join(kinds)}",
                    param=f"{role}_path",
                )

    @property
    def loaded(self) -> bool:
        return bool(self._pipes)

    def check(self, spec: GenerationSpec) -> Plan:
        plan = super().check(spec)
        if any(key.strength != 1 for key in spec.keyframes):
            raise UnsupportedError(
                "the wan engine takes given frames as they are (keyframe strength 1)",
                param="keyframes",
            )
        return plan

    # -- which folder and pipeline makes a mode ------------------------------------------

    def route(self, mode: str) -> tuple[str, str]:
        """(role, pipeline class) that makes `mode`."""
        for role in ("main", "i2v", "vace"):
            kind = self.kinds.get(role)
            if kind is None or mode not in KINDS[kind]:
                continue
            if kind == "vace":
                return role, "WanVACEPipeline"
            if mode == "remix":
                return role, "WanVideoToVideoPipeline"
            return role, "WanImageToVideoPipeline" if mode == "i2v" else "WanPipeline"
        raise UnsupportedError(f"{mode} is not supported", param="mode")  # check() said so

    def pipeline(self, role: str, cls_name: str):
        """The pipeline for (role, class), loaded on first use; pipelines of one folder
        share its modules."""
        key = (role, cls_name)
        if key not in self._pipes:
            import diffusers

            cls = getattr(diffusers, cls_name)
            base = next((p for (r, _), p in self._pipes.items() if r == role), None)
            if base is None:
                pipe = self.placement.load(cls, self.folders[role].path)
            else:
                pipe = self.placement.derive(cls, base)
            self._pipes[key] = pipe
        return self._pipes[key]

    # -- one run -------------------------------------------------------------------------

    def _call(self, spec: GenerationSpec, plan: Plan, callback: StepCallback) -> np.ndarray:
        role, cls_name = self.route(plan.mode)
        pipe = self.pipeline(role, cls_name)
        arguments = self.common_arguments(spec, plan, callback)
        if cls_name == "WanVideoToVideoPipeline":
            frames = frames_at(spec.source.frames, plan.native, plan.frames)
            arguments |= {"video": [pil(f) for f in frames], "strength": spec.source_strength}
        elif cls_name == "WanImageToVideoPipeline":
            first = fit(spec.keyframes[0].frames[:1], plan.native)[0]
            arguments |= {"image": pil(first), "num_frames": plan.frames}
        elif cls_name == "WanVACEPipeline":
            arguments["num_frames"] = plan.frames
            if plan.mode != "t2v":
                video, mask = vace_inputs(spec, plan)
                arguments |= {"video": video, "mask": mask}
        else:
            arguments["num_frames"] = plan.frames
        return run_pipeline(pipe, arguments)


def vace_inputs(spec: GenerationSpec, plan: Plan) -> tuple[list, list]:
    """VACE's control video and mask (PIL frames, plan.frames long): the source clip's
    frames (inpaint) or gray, the keyframes at their place; mask white where frames are
    to be made (a masked source frame, anything not given, the frames past the spec)."""
    from PIL import Image

    w, h = plan.native
    video = np.full((plan.frames, h, w, 3), GRAY, np.uint8)
    make = np.ones(plan.frames, bool)
    if spec.source is not None:
        video[:] = frames_at(spec.source.frames, plan.native, plan.frames)
        make[: spec.num_frames] = np.asarray(spec.mask, bool)
    for key in spec.keyframes:
        end = key.index + len(key.frames)
        video[key.index : end] = fit(key.frames, plan.native)
        make[key.index : end] = False
    masks = {v: Image.new("L", (w, h), 255 if v else 0) for v in (True, False)}
    return [pil(f) for f in video], [masks[bool(m)] for m in make]
