"""Which compute dtype "auto" means, one rule for every engine and trainer.

bfloat16 on CUDA, where it is about twice as fast and standard for diffusion
transformers; float32 on the CPU, where bfloat16 pays off only on CPUs that compute it
natively (AMX, or AVX-512 BF16 as on AMD Zen 4: the shipped transformer 1.3x faster, the
same judge score; docs/BENCHMARKS.md) and is slower elsewhere. Choosing it by CPU would
make the same seed give another clip on another machine, so a CPU user asks for it by
name (`--dtype bfloat16`, `run.dtype`).
"""

from __future__ import annotations


def auto_dtype(device_type: str) -> str:
    """The dtype name "auto" resolves to on a device of this type ("cuda", "cpu", ...)."""
    return "bfloat16" if device_type == "cuda" else "float32"
