"""The judge: how well a clip shows what a prompt asked, measured from pixels and audio.

`parse_prompt(text)` reads a prompt into `Constraints`; `constraints_from_scene(scene)`
states a world scene's full truth; `judge(clip, constraints)` scores a clip against
constraints (see docs/WORLD.md for the metrics).
"""

from reelforge.evaluate.constraints import Constraints, ObjectConstraint, constraints_from_scene
from reelforge.evaluate.judge import judge
from reelforge.evaluate.prompt_parser import parse_prompt
from reelforge.evaluate.report import JudgeReport, ObjectFinding

__all__ = [
    "Constraints",
    "JudgeReport",
    "ObjectConstraint",
    "ObjectFinding",
    "constraints_from_scene",
    "judge",
    "parse_prompt",
]
