"""Free prompt -> `Constraints`: what a prompt about the world asks for.

The parser reads the prompt as a stream of known phrases (the reading that covers most
words, see lexicon.py and reelforge.world.vocabulary), then walks it once:

- A noun phrase is [number] [size] [colour] [material] shape, modifiers in any order
  ("two small red balls", "a pair of cubes"); a plural shape without a number asks for at
  least two. "the ball" or "it" refers back to an object already named.
- A motion word goes to the objects named since the last motion ("a red ball and a blue
  cube bounce" moves both); a motion word inside a noun phrase ("a bouncing ball") goes to
  that phrase; one that comes before any object waits for the next one. A direction goes
  to the motion it follows ("rolls left"), or to the objects it sits among.
- In a clause about the camera ("the camera moves left") motion and direction words
  describe the camera.
- The first time of day is the start; a later one, or one after a change word ("turning
  to night", "night falls"), is the end.

Policy for `unknown`: function words and style or quality words that state nothing the
world can show ("a", "the", "cinematic", "4k", "slowly"; lexicon.FILLER) are skipped
silently. Every other word the parser does not know is reported, with the modifiers that
went with it ("purple elephant"), and nothing is guessed from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reelforge.evaluate.constraints import Constraints, ObjectConstraint
from reelforge.evaluate.lexicon import filler, longest_phrase, normalise, phrases

_PUNCT = re.compile(r"([,;.!?:()\"])")
_SOFT_BREAKS = (",", "")  # a comma continues the sentence: ", moving left" is its subject's
_GROUND_PREPOSITIONS = {"on", "onto", "over", "across", "along", "through", "in", "covered"}
_PLURAL_SHAPES = {
    "balls",
    "spheres",
    "orbs",
    "marbles",
    "cubes",
    "boxes",
    "blocks",
    "dice",
    "cones",
    "stars",
    "rings",
    "donuts",
    "doughnuts",
    "hoops",
    "cylinders",
    "cans",
    "tubes",
    "drums",
    "pyramids",
}


@dataclass
class _Token:
    cat: str
    value: str
    text: str
    prev: tuple[str, ...] = ()  # the raw words just before this token


def _best_split(words: list[str], table: dict, longest: int) -> list[int]:
    """Phrase lengths reading `words` left to right (0: a word on its own): the reading
    that covers the most words with known phrases, then the one with the fewest phrases
    ("on snow-covered ground" is one ground phrase, not "on snow" and two more words)."""
    best: list[tuple[int, int, int]] = [(0, 0, 0)] * (len(words) + 1)
    for i in range(len(words) - 1, -1, -1):
        covered, count, _ = best[i + 1]
        options = [(covered, count, 0)]
        for n in range(1, min(longest, len(words) - i) + 1):
            if tuple(words[i : i + n]) in table:
                covered, count, _ = best[i + n]
                options.append((covered + n, count - 1, n))
        best[i] = max(options)
    return [b[2] for b in best[:-1]]


def tokenize(text: str) -> list[_Token]:
    """Known phrases (most coverage first), clause breaks at punctuation, unknown words."""
    table, longest, skip = phrases(), longest_phrase(), filler()
    tokens: list[_Token] = []
    pieces = _PUNCT.split(normalise(text))
    for part, mark in zip(pieces[::2], [*pieces[1::2], ""], strict=True):
        words = [w.strip("'") for w in part.split() if w.strip("'")]
        split = _best_split(words, table, longest)
        i = 0
        while i < len(words):
            n = split[i]
            if n:
                key = tuple(words[i : i + n])
                cat, value = table[key]
                tokens.append(_Token(cat, value, " ".join(key), tuple(words[max(0, i - 2) : i])))
                i += n
                continue
            w = words[i]
            if w.isdigit():
                tokens.append(_Token("number", w, w))
            elif w not in skip:
                tokens.append(_Token("unknown", "", w))
            else:
                tokens.append(_Token("filler", "", w))
            i += 1
        tokens.append(_Token("punct", "", mark))
    return tokens


# ---------------------------------------------------------------------------
# The walk
# ---------------------------------------------------------------------------


@dataclass
class _Object:
    color: str | None = None
    shape: str | None = None
    count: int | None = None
    at_least: bool = False
    size: str | None = None
    material: str | None = None
    motion: str | None = None
    direction: str | None = None
    definite: bool = False

    def empty(self) -> bool:
        return not (self.color or self.shape or self.size or self.material)

    def constraint(self) -> ObjectConstraint:
        return ObjectConstraint(
            color=self.color,
            shape=self.shape,
            count=self.count or (2 if self.at_least else 1),
            at_least=self.at_least,
            size=self.size,
            material=self.material,
            motion=self.motion,
            direction=self.direction,
        )


@dataclass
class _State:
    objects: list[_Object] = field(default_factory=list)
    np: _Object | None = None  # the noun phrase being read
    np_words: list[str] = field(default_factory=list)
    group: list[_Object] = field(default_factory=list)  # named since the last motion
    moved: list[_Object] = field(default_factory=list)  # took the last motion
    moved_before_break: list[_Object] = field(default_factory=list)  # ", moving left"
    waiting_motion: str | None = None  # a motion before any object
    waiting_direction: str | None = None
    camera_clause: bool = False
    camera: str | None = None
    camera_generic: bool = False
    times: list[str] = field(default_factory=list)
    time_end: str | None = None
    change_seen: bool = False
    weather: str | None = None
    ground: str | None = None
    occluder: str | None = None
    unknown: list[str] = field(default_factory=list)


def _np(s: _State, word: str) -> _Object:
    if s.np is None:
        s.np = _Object()
        s.np_words = []
    s.np_words.append(word)
    return s.np


def _close_np(s: _State, head_unknown: str | None = None) -> None:
    """Finish the noun phrase being read: a new object, a reference, or an unknown phrase."""
    obj, s.np = s.np, None
    if obj is None:
        return
    if head_unknown is not None and obj.shape is None:
        words = [w for w in s.np_words if w not in ("a", "an", "the")]
        s.unknown.append(" ".join([*words, head_unknown]))
        return
    if obj.empty():
        return
    if obj.definite:
        for old in reversed(s.objects):
            if all(getattr(obj, k) in (None, getattr(old, k)) for k in ("color", "shape", "size")):
                obj = old
                s.group = []  # "the cube ..." names the subject of what follows
                break
        else:
            s.objects.append(obj)
    else:
        s.objects.append(obj)
    if obj.motion is None and obj not in s.group:
        s.group.append(obj)
    if s.waiting_motion is not None or s.waiting_direction is not None:
        _give_motion(s, [obj], s.waiting_motion, s.waiting_direction)
        s.waiting_motion = s.waiting_direction = None


def _give_motion(s: _State, objs: list[_Object], kind: str | None, direction: str | None) -> None:
    for o in objs:
        if kind is not None:
            o.motion = kind
        if direction is not None:
            o.direction = direction
    s.moved = objs
    s.group = [o for o in s.group if o not in objs]


def _on_motion(s: _State, kind: str | None) -> None:
    """A motion word (kind None: a generic 'moves')."""
    if s.camera_clause and not s.group and s.np is None:
        vertical = {"stay": "static", "rise": "tilt_up", "fall": "tilt_down"}
        if kind in vertical:
            s.camera = vertical[kind]
        else:
            s.camera_generic = True
        return
    if s.np is not None and s.np.shape is None:  # "a bouncing red ball"
        s.np.motion = kind or s.np.motion
        return
    _close_np(s)
    if s.group:
        _give_motion(s, list(s.group), kind, None)
    elif s.moved and kind is None:
        pass  # "bounces and moves right": the direction that follows does the work
    elif kind is None and s.moved_before_break:
        s.moved = s.moved_before_break  # "falls to the ground, moving to the left"
    elif s.moved and s.moved[0].motion is None:
        _give_motion(s, s.moved, kind, None)
    else:
        s.waiting_motion = kind


def _on_direction(s: _State, direction: str) -> None:
    if s.camera_clause and not s.group and s.np is None:
        if direction in ("left", "right") and s.camera in (None, "static"):
            s.camera = f"pan_{direction}"
        return
    if s.np is not None and s.np.shape is None:  # "a leftward rolling ball"
        s.np.direction = direction
        return
    _close_np(s)
    if s.moved:
        _give_motion(s, s.moved, None, direction)
    elif s.group:
        _give_motion(s, list(s.group), None, direction)
    else:
        s.waiting_direction = direction


def _on_vertical(s: _State, kind: str) -> None:
    """'up' / 'down': turns a generic motion (or the camera's) vertical."""
    if s.camera_clause and not s.group and s.np is None:
        if s.camera_generic or s.camera is None:
            s.camera = "tilt_up" if kind == "rise" else "tilt_down"
        return
    targets = s.moved or s.group
    if targets and all(o.motion is None for o in targets):
        _give_motion(s, targets, kind, None)
    elif s.waiting_motion is None and not targets and s.camera_generic:
        s.camera = "tilt_up" if kind == "rise" else "tilt_down"


def _on_number(s: _State, tok: _Token) -> None:
    if s.np is not None and not s.np.empty():  # "a red one"
        _close_np(s)
        return
    o = _np(s, tok.text)
    if tok.value == "0":
        o.at_least = True
    elif tok.text not in ("a", "an"):
        o.count = int(tok.value)


def _on_snow(s: _State, tok: _Token) -> None:
    if tok.prev and (tok.prev[-1] in _GROUND_PREPOSITIONS or tok.prev[0] in _GROUND_PREPOSITIONS):
        s.ground = "snow"
    else:
        s.weather = "snow"


def _on_time(s: _State, value: str) -> None:
    if s.change_seen and (s.times or s.time_end is None):
        s.time_end = value
    elif not s.times:
        s.times.append(value)
    else:
        s.time_end = value
    s.change_seen = False


def _on_break(s: _State, mark: str) -> None:
    _close_np(s)
    s.camera_clause = False
    s.camera_generic = False
    s.moved_before_break = (s.moved or s.moved_before_break) if mark in _SOFT_BREAKS else []
    s.moved = []


def _step(s: _State, tok: _Token) -> None:
    cat, value = tok.cat, tok.value
    if cat in ("color", "size", "material"):
        o = _np(s, tok.text)
        if o.shape is not None:  # "a ball, red" is rare; a new phrase is likelier
            _close_np(s)
            o = _np(s, tok.text)
        setattr(o, cat, value)
    elif cat == "shape":
        o = _np(s, tok.text)
        if o.shape is not None:
            _close_np(s)
            o = _np(s, tok.text)
        o.shape = value
        if tok.text.split()[-1] in _PLURAL_SHAPES and o.count is None:
            o.at_least = True
        _close_np(s)
    elif cat == "number":
        _on_number(s, tok)
    elif cat == "pronoun":
        if s.np is not None and not s.np.empty():
            _close_np(s)
        elif s.objects and not s.group and not s.moved:
            s.group = [s.objects[-1]]
    elif cat == "motion":
        _on_motion(s, value)
    elif cat == "generic_motion":
        _on_motion(s, None)
    elif cat == "direction":
        _on_direction(s, value)
    elif cat == "vertical":
        _on_vertical(s, value)
    elif cat == "camera":
        _close_np(s)
        s.camera = value
        s.camera_clause = True
    elif cat == "camera_noun":
        _close_np(s)
        s.camera_clause = True
    elif cat == "time":
        _close_np(s)
        _on_time(s, value)
    elif cat == "change_time":
        _close_np(s)
        s.time_end = value
    elif cat == "change":
        s.change_seen = True
    elif cat == "weather":
        _close_np(s)
        s.weather = value
    elif cat == "snow":
        _close_np(s)
        _on_snow(s, tok)
    elif cat == "ground":
        _close_np(s)
        s.ground = value
    elif cat == "occluder":
        _close_np(s)
        s.occluder = value
    elif cat in ("break", "punct"):
        _on_break(s, tok.text if cat == "punct" else ".")
    elif cat == "unknown":
        if s.np is not None and s.np.shape is None and not s.np.empty():
            _close_np(s, head_unknown=tok.text)
        elif s.unknown and s.unknown[-1].endswith(f" {tok.text}"):
            pass
        else:
            s.unknown.append(tok.text)
    elif cat == "filler" and tok.text == "the" and s.np is None:
        _np(s, "the").definite = True


def parse_prompt(text: str) -> Constraints:
    """The constraints a free prompt about the world states (see the module doc)."""
    s = _State()
    for tok in tokenize(text):
        _step(s, tok)
    _close_np(s)
    if s.waiting_motion is not None and s.objects and s.objects[-1].motion is None:
        _give_motion(s, [s.objects[-1]], s.waiting_motion, s.waiting_direction)
    start = s.times[0] if s.times else None
    end = s.time_end if s.time_end != start else None
    unknown = list(dict.fromkeys(s.unknown))
    return Constraints(
        objects=tuple(_merge_same(s.objects)),
        camera=s.camera,
        time_of_day=start,
        time_of_day_end=end,
        weather=s.weather,
        ground=s.ground,
        occluder=s.occluder,
        unknown=tuple(unknown),
    )


def _merge_same(objects: list[_Object]) -> list[ObjectConstraint]:
    """One constraint per object phrase; identical single objects add up to a count."""
    out: list[ObjectConstraint] = []
    for o in objects:
        c = o.constraint()
        for i, prev in enumerate(out):
            if prev.model_copy(update={"count": c.count}) == c and not (
                c.at_least or prev.at_least
            ):
                out[i] = prev.model_copy(update={"count": prev.count + c.count})
                break
        else:
            out.append(c)
    return out
