"""Prompting: short prompts expanded into the rich-caption style the model is trained on.

from reelforge.prompting import expand_prompt
expand_prompt("red ball bouncing at dusk").expanded  # "Sunset. A red ball bounces."
"""

from reelforge.prompting.expand import Expansion, expand_prompt, expand_spec

__all__ = ["Expansion", "expand_prompt", "expand_spec"]
