"""Which compute dtype "auto" means, one rule for every engine and trainer.

bfloat16 on CUDA, where it is about twice as fast and standard for diffusion
transformers; float32 on the CPU, where bfloat16 pays off only with AMX (Intel Xeon 4th
generation and later) and is slower without it, so a CPU user asks for it by name.
"""

from __future__ import annotations


def auto_dtype(device_type: str) -> str:
    """The dtype name "auto" resolves to on a device of this type ("cuda", "cpu", ...)."""
    return "bfloat16" if device_type == "cuda" else "float32"
