"""What the diffusers engines (ltx.py, wan.py) share: their configuration, the weights
folder read and checked without loading it, sizes and frame counts from the model's own
configs, placing a pipeline (dtype, device, memory mode, VAE tiling), and one generation
run with progress, cancellation and a seed.

    config     DiffusersConfig.read(settings): path (or weights), dtype, device, memory,
               vae_tiling, steps, guidance, negative_prompt, fps, max_frames,
               resolution (short sides) or sizes ("WxH"), max_upscale, options
    folder     read_folder(path, components): model_index.json and every component's
               config and weight files must be there (NotFoundError naming the first
               missing one); nothing is downloaded, ever (local_files_only=True)
    geometry   Geometry(spatial, temporal, patch): sizes are multiples of spatial × patch
               (LTX 32, Wan 16), frame counts 1 + temporal·k (LTX 8k+1, Wan 4k+1)
    sizes      native_sizes(grid, resolution): per aspect, the size on the grid whose
               short side is at most the resolution and whose ratio is within 0.5%
    run        DiffusersEngine.generate: plan → load once → the family's pipeline call
               with callback_on_step_end (progress per step; GenerationCancelled between
               steps) and a seeded torch.Generator on the execution device → uint8
               frames, trimmed to the spec and upscaled when the plan says so

diffusers is imported when an engine is built, never by this module, so the core
installs, lists engines and tests without it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from reelforge.engines.base import (
    CancelFn,
    Capabilities,
    GenerationCancelled,
    Plan,
    ProgressFn,
    Size,
    aspect_name,
    generation_metadata,
)
from reelforge.model.precision import auto_dtype
from reelforge.types import (
    Clip,
    GenerationSpec,
    InvalidInputError,
    NotFoundError,
    UnsupportedError,
)

ASPECTS = {"16:9": 16 / 9, "9:16": 9 / 16, "1:1": 1.0, "7:4": 7 / 4, "4:7": 4 / 7}
SNAP_TOLERANCE = 0.005  # a native size's ratio is within 0.5% of its aspect's
MEMORY_MODES = ("none", "model_offload", "sequential_offload")
DTYPES = ("float32", "float16", "bfloat16")
DENOISE_SHARE = 0.9  # of the progress bar; decoding and upscaling take the rest
INSTALL_HINT = "pip install 'reelforge[diffusers]'"


# ---------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffusersConfig:
    """One diffusers engine's settings ([engines.NAME] in the studio TOML, minus kind).
    The family (ltx.py, wan.py) supplies the defaults of the model-dependent ones."""

    path: Path
    dtype: str = "auto"  # auto: bfloat16 on CUDA, float32 on the CPU
    vae_dtype: str | None = None  # the VAE's own dtype when it differs (Wan: float32)
    device: str = "auto"  # auto: cuda when there is one, else cpu
    memory: str = "none"  # none | model_offload | sequential_offload
    vae_tiling: bool = True  # decode in tiles (only kicks in above the VAE's tile size)
    steps: int = 50
    guidance: float = 5.0
    negative_prompt: str = ""  # used when the spec has none
    fps: float = 24.0
    max_frames: int = 121
    resolution: tuple[int, ...] = (480,)  # short sides of the native sizes, the default first
    sizes: tuple[Size, ...] = ()  # explicit native sizes instead of `resolution`
    max_upscale: float = 2.0  # larger requests of a native aspect are upscaled up to this
    options: Mapping[str, Any] = field(default_factory=dict)  # more pipeline keywords

    @classmethod
    def read(
        cls,
        settings: Mapping[str, Any],
        defaults: Mapping[str, Any],
        engine: str,
        extra: tuple[str, ...] = (),
    ) -> tuple[DiffusersConfig, dict[str, Any]]:
        """(config, the `extra` keys given) from an engine's settings over the family's
        defaults; `weights` is another name for `path` (what --weights passes)."""
        settings = dict(settings)
        if "weights" in settings:
            if settings.get("path") not in (None, settings["weights"]):
                raise InvalidInputError(
                    f"the {engine} engine got both path and weights; give one", param="weights"
                )
            settings["path"] = settings.pop("weights")
        known = {f.name for f in fields(cls)} | set(extra)
        unknown = sorted(set(settings) - known)
        if unknown:
            raise InvalidInputError(
                f"unknown {engine} engine settings: {', '.join(unknown)}; "
                f"known: {', '.join(sorted(known))}",
                param="config",
            )
        if settings.get("path") is None:
            raise InvalidInputError(
                f"the {engine} engine needs its weights folder: path = '/models/{engine}' "
                "in [engines.NAME], or --weights DIR",
                param="weights",
                hint="docs/ENGINES.md says how to download the weights",
            )
        extras = {k: settings.pop(k) for k in extra if k in settings}
        values = {**defaults, **settings}
        values["options"] = {**defaults.get("options", {}), **settings.get("options", {})}
        config = cls(**values)
        return config._normalised(engine), extras

    def _normalised(self, engine: str) -> DiffusersConfig:
        resolution = self.resolution
        if isinstance(resolution, int):
            resolution = (resolution,)
        config = replace(
            self,
            path=Path(self.path).expanduser(),
            resolution=tuple(int(r) for r in resolution),
            sizes=tuple(parse_size(s) for s in self.sizes),
            fps=float(self.fps),
            options=dict(self.options),
        )
        config._check(engine)
        return config

    def _check(self, engine: str) -> None:
        def bad(message: str, param: str = "config") -> InvalidInputError:
            return InvalidInputError(f"{engine} engine: {message}", param=param)

        if self.memory not in MEMORY_MODES:
            raise bad(f"memory must be one of {', '.join(MEMORY_MODES)}; got {self.memory!r}")
        for name in ("dtype", "vae_dtype"):
            value = getattr(self, name)
            if value is not None and value != "auto" and value not in DTYPES:
                raise bad(f"{name} must be auto or one of {', '.join(DTYPES)}; got {value!r}")
        if self.steps < 1 or self.max_frames < 1 or not self.fps > 0:
            raise bad("steps, max_frames and fps must be positive")
        if not self.guidance >= 0 or not self.max_upscale >= 1:
            raise bad("guidance must be >= 0 and max_upscale >= 1")
        if not self.resolution or min(self.resolution) < 1:
            raise bad("resolution must list positive short sides, e.g. [480, 720]")


def parse_size(size: str | tuple[int, int] | list[int]) -> Size:
    """ "832x480" (or [832, 480]) → (832, 480); InvalidInputError otherwise."""
    try:
        w, h = (int(v) for v in (size.lower().split("x") if isinstance(size, str) else size))
    except (ValueError, TypeError, AttributeError):
        raise InvalidInputError(f"a size is WIDTHxHEIGHT, e.g. 832x480; got {size!r}") from None
    if w < 1 or h < 1:
        raise InvalidInputError(f"a size must be positive; got {size!r}")
    return (w, h)


# ---------------------------------------------------------------------------
# The weights folder, read without loading it
# ---------------------------------------------------------------------------

CONFIG_FILES = {
    "scheduler": "scheduler_config.json",
    "tokenizer": "tokenizer_config.json",
    "image_processor": "preprocessor_config.json",
}
WEIGHT_SUFFIXES = (".safetensors", ".bin")


@dataclass(frozen=True)
class Folder:
    """A diffusers weights folder: model_index.json and its components' configs."""

    path: Path
    index: dict[str, Any]
    configs: dict[str, dict[str, Any]]  # component → its config (models and scheduler)

    @property
    def pipeline(self) -> str:
        return str(self.index.get("_class_name", ""))

    def has(self, component: str) -> bool:
        entry = self.index.get(component)
        return isinstance(entry, list) and entry[0] is not None

    def class_of(self, component: str) -> str:
        return str(self.index[component][1]) if self.has(component) else ""


def read_folder(path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> Folder:
    """Read and check a weights folder: NotFoundError naming the first file missing."""
    hint = "nothing is downloaded; docs/ENGINES.md says how to get the weights"
    if not path.is_dir():
        raise NotFoundError(f"weights folder {path} does not exist", param="weights", hint=hint)
    index_file = path / "model_index.json"
    if not index_file.is_file():
        raise NotFoundError(
            f"{index_file} is missing: {path} is not a diffusers weights folder",
            param="weights",
            hint=hint,
        )
    index = _read_json(index_file)
    folder = Folder(path, index, {})
    for component in required:
        if not folder.has(component):
            raise NotFoundError(
                f"{index_file} lists no {component}; this engine needs one", param="weights"
            )
    for component in (*required, *(c for c in optional if folder.has(c))):
        config = _check_component(path / component, component, hint)
        if config is not None:
            folder.configs[component] = config
    return folder


def _check_component(where: Path, component: str, hint: str) -> dict[str, Any] | None:
    """The component's config (None for tokenizers and processors), after checking that
    its config and (for networks) every weight file, shards included, are there."""
    name = CONFIG_FILES.get(component, "config.json")
    if component == "tokenizer" and (where / "tokenizer.json").is_file():
        return None
    config_file = where / name
    if not config_file.is_file():
        raise NotFoundError(f"{config_file} is missing", param="weights", hint=hint)
    if component in CONFIG_FILES:
        return _read_json(config_file) if component == "scheduler" else None
    shards = [p for p in where.iterdir() if p.name.endswith(".index.json")]
    for index in shards:
        for shard in sorted(set(_read_json(index).get("weight_map", {}).values())):
            if not (where / shard).is_file():
                raise NotFoundError(f"{where / shard} is missing", param="weights", hint=hint)
    if not shards and not any(p.suffix in WEIGHT_SUFFIXES for p in where.iterdir()):
        raise NotFoundError(
            f"{where} holds no weights (*.safetensors or *.bin)", param="weights", hint=hint
        )
    return _read_json(config_file)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise InvalidInputError(f"{path} could not be read as JSON: {e}", param="weights") from e


# ---------------------------------------------------------------------------
# Sizes and frame counts from the model's configs
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Geometry:
    """How the model cuts video: the VAE's spatial and temporal compression and the
    transformer's (spatial) patch, in latent pixels."""

    spatial: int
    temporal: int
    patch: int

    @property
    def grid(self) -> int:
        """Width and height must be multiples of this."""
        return self.spatial * self.patch


def native_sizes(grid: int, resolution: tuple[int, ...]) -> dict[str, tuple[Size, ...]]:
    """Per aspect of ASPECTS, one size per resolution (short side): the largest on the
    grid whose short side is at most the resolution and whose ratio is within 0.5% of the
    aspect's. An aspect the grid cannot approach that closely is left out."""
    sizes: dict[str, list[Size]] = {}
    for aspect, ratio in ASPECTS.items():
        for short in resolution:
            size = _snap(grid, short, ratio)
            if size is not None and size not in sizes.get(aspect, []):
                sizes.setdefault(aspect, []).append(size)
    return {aspect: tuple(found) for aspect, found in sizes.items()}


def _snap(grid: int, short: int, ratio: float) -> Size | None:
    wide = max(ratio, 1 / ratio)
    for side in range(short // grid * grid, 0, -grid):
        long = round(side * wide / grid) * grid
        if abs(long / side / wide - 1) <= SNAP_TOLERANCE:
            return (long, side) if ratio >= 1 else (side, long)
    return None


def given_sizes(sizes: tuple[Size, ...], grid: int, engine: str) -> dict[str, tuple[Size, ...]]:
    """Explicit native sizes grouped by aspect (ASPECTS' names when within 0.5%, else the
    reduced ratio: 832x480 is 26:15, not 16:9); a size off the model's grid is refused."""
    grouped: dict[str, list[Size]] = {}
    for w, h in sizes:
        if w % grid or h % grid:
            raise InvalidInputError(
                f"{engine} engine: size {w}x{h} is not a multiple of {grid}, "
                f"which this model's VAE and patch size require",
                param="sizes",
            )
        name = next(
            (a for a, r in ASPECTS.items() if abs(w / h / r - 1) <= SNAP_TOLERANCE),
            aspect_name(w, h),
        )
        grouped.setdefault(name, []).append((w, h))
    return {aspect: tuple(found) for aspect, found in grouped.items()}


def capabilities(
    config: DiffusersConfig, geometry: Geometry, modes: tuple[str, ...], engine: str
) -> Capabilities:
    """What an engine with this config and model geometry makes."""
    if config.sizes:
        sizes = given_sizes(config.sizes, geometry.grid, engine)
    else:
        sizes = native_sizes(geometry.grid, config.resolution)
    if not sizes:
        raise InvalidInputError(
            f"{engine} engine: no native size fits a resolution of "
            f"{', '.join(map(str, config.resolution))} on this model's {geometry.grid}-pixel "
            "grid; raise resolution or list sizes",
            param="config",
        )
    return Capabilities(
        modes=modes,
        sizes=sizes,
        fps=(config.fps,),
        max_frames=config.max_frames,
        frame_step=geometry.temporal,
        frame_start=1,
        upscale=config.max_upscale > 1,
        max_upscale=config.max_upscale,
    )


def chunk(frames: int, temporal: int) -> int:
    """The longest run of at most `frames` frames on the frame rule 1 + temporal·k."""
    return 1 + temporal * ((frames - 1) // temporal)


# ---------------------------------------------------------------------------
# Loading and placing a pipeline
# ---------------------------------------------------------------------------


def require_diffusers():
    """The diffusers module, or UnsupportedError saying how to install it."""
    try:
        import diffusers
    except ImportError as e:
        raise UnsupportedError(
            "the ltx and wan engines run through diffusers, which is not installed",
            param="engine",
            hint=INSTALL_HINT,
        ) from e
    return diffusers


@dataclass(frozen=True)
class Placement:
    """Where a pipeline runs: the resolved device and dtypes, the memory mode, tiling."""

    device: str
    dtype: str
    vae_dtype: str
    memory: str
    vae_tiling: bool

    @classmethod
    def of(cls, config: DiffusersConfig, engine: str) -> Placement:
        import torch

        device = config.device
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        dtype = config.dtype
        if dtype == "auto":
            dtype = auto_dtype(device.partition(":")[0])  # "cuda:1" is a cuda device
        if config.memory != "none" and device == "cpu":
            raise InvalidInputError(
                f"{engine} engine: memory = {config.memory!r} moves models between the CPU "
                "and an accelerator, but device is cpu; use memory = 'none'",
                param="memory",
            )
        return cls(device, dtype, config.vae_dtype or dtype, config.memory, config.vae_tiling)

    def load(self, cls, path: Path):
        """cls.from_pretrained from the local folder only, placed."""
        import torch

        dtypes = {"default": getattr(torch, self.dtype), "vae": getattr(torch, self.vae_dtype)}
        pipe = cls.from_pretrained(path, dtype=dtypes, local_files_only=True)
        return self._place(pipe, move=True)

    def derive(self, cls, base):
        """A pipeline of class `cls` over `base`'s modules, as placed (diffusers' from_pipe
        would cast every module to one dtype, the VAE included)."""
        import inspect

        wanted = inspect.signature(cls.__init__).parameters
        values = {k: v for k, v in base.config.items() if not k.startswith("_")}
        values |= base.components
        return self._place(cls(**{k: v for k, v in values.items() if k in wanted}), move=False)

    def _place(self, pipe, move: bool):
        pipe.set_progress_bar_config(disable=True)
        if self.memory == "model_offload":
            pipe.enable_model_cpu_offload(device=self.device)
        elif self.memory == "sequential_offload":
            pipe.enable_sequential_cpu_offload(device=self.device)
        elif move:
            pipe.to(self.device)
        if self.vae_tiling and hasattr(pipe.vae, "enable_tiling"):
            pipe.vae.enable_tiling()
        return pipe

    def generator(self, seed: int):
        """A torch.Generator seeded with `seed`, on the device the pipeline samples on."""
        import torch

        return torch.Generator(device=self.device).manual_seed(seed)


# ---------------------------------------------------------------------------
# One run
# ---------------------------------------------------------------------------


class StepCallback:
    """callback_on_step_end: after each denoising step, report it as a share of the bar,
    then raise GenerationCancelled if `cancel()` says stop (so a cancel lands between two
    steps, or between the last step and decoding)."""

    def __init__(self, progress: ProgressFn, cancel: CancelFn):
        self.progress, self.cancel = progress, cancel

    def __call__(self, pipe, step: int, timestep, tensors: dict) -> dict:
        total = pipe.num_timesteps
        last = "; decoding" if step + 1 == total else ""
        self.progress(DENOISE_SHARE * (step + 1) / total, f"denoising {step + 1}/{total}{last}")
        if self.cancel():
            raise GenerationCancelled(f"generation cancelled after step {step + 1}/{total}")
        return tensors


def pil(frame: np.ndarray):
    """uint8 (H, W, 3) → a PIL RGB image, what the pipelines take as images."""
    from PIL import Image

    return Image.fromarray(np.ascontiguousarray(frame), "RGB")


def to_uint8(video: np.ndarray) -> np.ndarray:
    """A pipeline's output_type="np" frames (T, H, W, 3) in [0, 1] → uint8."""
    return (np.clip(video, 0.0, 1.0) * 255).round().astype(np.uint8)


class DiffusersEngine:
    """The Engine protocol over a family's pipelines. A family sets `name`, builds
    `capabilities` in __init__ and implements `_call(spec, plan, callback)`, returning the
    generated uint8 frames (plan.frames, native size); this class does the rest."""

    name = "diffusers"

    def __init__(self, config: DiffusersConfig, placement: Placement):
        self.config = config
        self.placement = placement
        self._capabilities: Capabilities | None = None
        self._lock = threading.Lock()  # pipelines keep per-call state: one run at a time

    @property
    def capabilities(self) -> Capabilities:
        assert self._capabilities is not None
        return self._capabilities

    def check(self, spec: GenerationSpec) -> Plan:
        """The plan for `spec`, or UnsupportedError / InvalidInputError; does no work."""
        return self.capabilities.plan(spec)

    def generate(
        self,
        spec: GenerationSpec,
        on_progress: ProgressFn | None = None,
        should_cancel: CancelFn | None = None,
    ) -> Clip:
        plan = self.check(spec)
        progress = on_progress or (lambda fraction, message: None)
        cancel = should_cancel or (lambda: False)
        if cancel():
            raise GenerationCancelled("generation cancelled before it started")
        progress(0.0, "loading the model" if not self.loaded else "encoding the prompt")
        callback = StepCallback(progress, cancel)
        with self._lock:
            frames = self._call(spec, plan, callback)[: spec.num_frames]
        if plan.upscaled:
            from reelforge.engines.frames import resize

            progress(DENOISE_SHARE, f"upscaling to {plan.size[0]}x{plan.size[1]}")
            frames = resize(frames, plan.size)
        progress(1.0, "done")
        return Clip(frames, spec.fps, metadata=self._metadata(spec, plan))

    @property
    def loaded(self) -> bool:
        return False

    def _call(self, spec: GenerationSpec, plan: Plan, callback: StepCallback) -> np.ndarray:
        raise NotImplementedError

    def steps(self, spec: GenerationSpec) -> int:
        """The denoising steps run: configured `timesteps` (distilled models) fix them."""
        if "timesteps" in self.config.options:
            return len(self.config.options["timesteps"])
        return spec.steps or self.config.steps

    def guidance(self, spec: GenerationSpec) -> float:
        return self.config.guidance if spec.guidance is None else spec.guidance

    def common_arguments(self, spec: GenerationSpec, plan: Plan, callback: StepCallback) -> dict:
        """The keywords every pipeline call takes, then the configured `options`."""
        return {
            "prompt": spec.prompt,
            "negative_prompt": spec.negative_prompt or self.config.negative_prompt or None,
            "width": plan.native[0],
            "height": plan.native[1],
            "num_inference_steps": self.steps(spec),
            "guidance_scale": self.guidance(spec),
            "generator": self.placement.generator(spec.seed),
            "output_type": "np",
            "callback_on_step_end": callback,
            **self.config.options,
        }

    def _metadata(self, spec: GenerationSpec, plan: Plan) -> dict:
        return generation_metadata(
            spec,
            plan,
            engine=self.name,
            model=self.config.path.name,
            steps=self.steps(spec),
            guidance=self.guidance(spec),
            generated_frames=plan.frames,
            device=self.placement.device,
            dtype=self.placement.dtype,
        )


def run_pipeline(pipe, arguments: dict) -> np.ndarray:
    """pipe(**arguments).frames[0] as uint8; on any failure (a cancel included) the
    offloaded models are released as a finished run would release them."""
    try:
        return to_uint8(pipe(**arguments).frames[0])
    except BaseException:
        pipe.maybe_free_model_hooks()
        raise


def frames_at(frames: np.ndarray, size: Size, count: int) -> np.ndarray:
    """Frames fitted to `size` (centre crop, resize) and cut or held to `count` frames."""
    from reelforge.engines.frames import fit, hold

    return hold(fit(frames, size), count)
