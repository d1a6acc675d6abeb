"""Editing: creative operations on `Clip`s (issue 6).

Every operation is a function from clips (and, where it generates, an `Engine`) to a new
clip that keeps the first input's size, fps and audio, and records its parents
(`lineage.with_parents`). An edit that joins made frames to kept ones (or clips to each
other) records each join in metadata["edit"]["joins"], which `seam_ratios` measures.

    stitch(clips, "dissolve", 0.5)         join with cut, dissolve, fade or match cut
    trim / recut(clip, 1, 3, ...)          a span; regenerate part of it; extend its ends
    fill_frames(clip, engine)              black, frozen, corrupt or listed frames made again
    measure_seams / seam_ratios(clip)      continuity at the joins an edit recorded
    extend(clip, engine, 4, backward=...)  more seconds before or after, repeatable to 60 s+
    loop(clip, engine)                     a bridge from the end back into the start
    transition(a, b, engine) / mix(...)    A's end carried into B's start; A blended into B
    remix(clip, engine, prompt, "mild")    keep motion and layout, change what the prompt asks
    render_storyboard(board, engine)       timed cards (cut or continue) as one clip
"""

from reelforge.edit.blend import mix, transition
from reelforge.edit.extend import Sampling, conform, extend, generate_between, steps_to_reach
from reelforge.edit.fill import Damage, detect_damage, fill_frames, regenerate
from reelforge.edit.lineage import parent_entry, with_parents
from reelforge.edit.loop import loop
from reelforge.edit.recut import recut, trim
from reelforge.edit.remix import STRENGTHS, remix, strength_of
from reelforge.edit.seams import Seam, measure_seams, seam_ratios
from reelforge.edit.stitch import TRANSITIONS, stitch
from reelforge.edit.storyboard import (
    Card,
    Storyboard,
    load_storyboard,
    parse_storyboard,
    render_storyboard,
)

__all__ = [
    "STRENGTHS",
    "TRANSITIONS",
    "Card",
    "Damage",
    "Sampling",
    "Seam",
    "Storyboard",
    "conform",
    "detect_damage",
    "extend",
    "fill_frames",
    "generate_between",
    "load_storyboard",
    "loop",
    "measure_seams",
    "mix",
    "parent_entry",
    "parse_storyboard",
    "recut",
    "regenerate",
    "remix",
    "render_storyboard",
    "seam_ratios",
    "steps_to_reach",
    "stitch",
    "strength_of",
    "transition",
    "trim",
    "with_parents",
]
